"""Kept for code written before the split: everything here now lives in :mod:`evalkit.audit`."""

from evalkit.audit import (  # noqa: F401
    CHECKS,
    CODES,
    SEVERITIES,
    SEVERITY_LABELS,
    Candidate,
    Code,
    Finding,
    Recomputation,
    audit,
    audit_evaluation,
    audit_unit_year,
    explain,
    register,
    reproduces,
    summarise,
)

__all__ = [
    "Finding", "Code", "CODES", "CHECKS", "SEVERITIES", "SEVERITY_LABELS", "Candidate", "Recomputation",
    "audit", "audit_unit_year", "audit_evaluation", "register", "summarise", "reproduces", "explain",
]
