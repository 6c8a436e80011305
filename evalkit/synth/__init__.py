"""Synthetic params for scale: many clearly fictional units, reproducible from a seed.

Every unit's name says 示例 and its id is a slug such as ``synth-00012``. A unit is either a
department (部门整体支出) or a project (项目支出) evaluator for all its years, so its indicator
names repeat and trend charts can match them. Each unit-year is built bottom-up so that its
budget adds up (initial + adjustment = final, basic + project = totals, personnel + public =
basic, projects = project spending, fund sources = totals), scored with :func:`evalkit.core.scoring.evaluate`,
and its ``reported`` blocks are filled with the recomputed figures. A share of unit-years
(``error_rate``) then gets one deliberate, realistic reporting error for the audit to find;
the error is named in a comment at the top of the year file.

All numbers are Decimal and every draw comes from the ``random.Random`` passed in, so the same
seed gives byte-identical files.

>>> import random
>>> profile, years = generate_unit(random.Random(1), 0, [2022, 2023])
>>> profile["id"], "示例" in profile["name"], sorted(years)
('synth-00001', True, [2022, 2023])

The package: :mod:`~evalkit.synth.vocabulary` (bureaus, indicator templates, phrases),
:mod:`~evalkit.synth.helpers` (exact drawing helpers), :mod:`~evalkit.synth.unit` (one unit's
years, built bottom-up), :mod:`~evalkit.synth.reported` (reported figures and the deliberate
errors) and :mod:`~evalkit.synth.writer` (generation and the params files).
"""

from __future__ import annotations

from evalkit.synth.unit import SynthUnit
from evalkit.synth.vocabulary import KINDS, RULEBOOK
from evalkit.synth.writer import generate, generate_unit, unit_rng, write_synthetic

__all__ = [
    "KINDS",
    "RULEBOOK",
    "SynthUnit",
    "generate",
    "generate_unit",
    "unit_rng",
    "write_synthetic",
]
