"""The registry of checks, and the audit that runs them.

A check is a function of a :class:`~evalkit.audit.recompute.Recomputation` that yields
:class:`~evalkit.audit.findings.Finding` values. Each check family lives in its own module and
registers its checks with :func:`register` (like papermill's engine and I/O registries); the
families are imported, in the order of :data:`FAMILIES`, the first time the audit runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from evalkit.audit.findings import SEVERITIES, Finding
from evalkit.audit.recompute import Recomputation, _recompute
from evalkit.core.models import UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook

if TYPE_CHECKING:
    from evalkit.core.scoring import Evaluation
    from evalkit.inputs.params import LoadedUnitYear

__all__ = ["Check", "CHECKS", "FAMILIES", "register", "load_families", "audit", "audit_unit_year", "audit_evaluation"]

Check = Callable[[Recomputation], Iterable[Finding]]

#: The checks, run in this order. Each takes a :class:`Recomputation` and yields findings.
CHECKS: list[Check] = []

#: The check families, one module each, in the order their checks run.
FAMILIES = (
    "evalkit.audit.year_figures",
    "evalkit.audit.indicators",
    "evalkit.audit.targets",
    "evalkit.audit.policy",
    "evalkit.audit.consistency",
)


def register(func: Check) -> Check:
    """Register a check (a decorator): it runs on every audit, after those registered before it."""
    if func not in CHECKS:
        CHECKS.append(func)
    return func


def load_families() -> list[Check]:
    """Import every check family (registering its checks) and return the registry."""
    for name in FAMILIES:
        importlib.import_module(name)
    return CHECKS


def audit(profile: UnitProfile, year: UnitYear, rulebook: Rulebook) -> list[Finding]:
    """Audit one unit-year under ``rulebook``: every finding, errors first.

    Never raises for inputs that cannot be scored: the scoring failure is a finding
    (``E-SCORING-FAILED``, ``E-WEIGHTS-SUM``) and the rest is still checked.
    """
    recomputation, findings = _recompute(profile, year, rulebook)
    for run in load_families():
        findings.extend(run(recomputation))
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def audit_unit_year(loaded: LoadedUnitYear) -> list[Finding]:
    """Audit a loaded unit-year (:func:`evalkit.inputs.params.load_unit_year`) under its rulebook."""
    return audit(loaded.profile, loaded.year, loaded.rulebook)


def audit_evaluation(evaluation: Evaluation) -> list[Finding]:
    """Audit the inputs of an evaluation under its rulebook (for a report's appendix)."""
    return audit(evaluation.unit, evaluation.year, evaluation.rulebook)
