"""The audit (复核): recompute every figure a published report printed, and check its inputs.

Published self-evaluations are often wrong: a completion rate with two digits swapped, a missed
target scored full, weights that do not add up to 100. The audit takes a unit-year's inputs,
with the figures the report printed (the ``reported`` blocks), and a rulebook, and returns
:class:`Finding` values. Each finding has a stable code (``docs/audit.md`` lists them all), a
severity, the field or indicator concerned, the printed and the recomputed figure, a Chinese
message and, when some slip reproduces the printed figure exactly, that slip.

Pure: no files, no printing. The package is split along its seams: :mod:`~evalkit.audit.findings`
(the model and labels), :mod:`~evalkit.audit.explain` (slips), :mod:`~evalkit.audit.recompute`,
:mod:`~evalkit.audit.registry` (``register`` and the audit itself) and one module per check
family (``year_figures``, ``indicators``, ``targets``, ``policy``, ``consistency``).
"""

from evalkit.audit.explain import Candidate, explain, reproduces
from evalkit.audit.findings import CODES, SEVERITIES, SEVERITY_LABELS, Code, Finding, summarise
from evalkit.audit.recompute import Recomputation
from evalkit.audit.registry import (
    CHECKS,
    audit,
    audit_evaluation,
    audit_unit_year,
    load_families,
    register,
)

load_families()

__all__ = [
    "Finding",
    "Code",
    "CODES",
    "CHECKS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "Candidate",
    "Recomputation",
    "audit",
    "audit_unit_year",
    "audit_evaluation",
    "register",
    "summarise",
    "reproduces",
    "explain",
]
