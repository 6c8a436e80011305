"""The audit (复核): recompute every printed figure and say where a report and its inputs disagree."""

from evalkit.audit.checks import Finding, audit_unit_year, summarise

__all__ = ["Finding", "audit_unit_year", "summarise"]
