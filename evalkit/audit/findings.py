"""Findings: the :class:`Finding` model, finding codes with their severity and Chinese title, and labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal

from evalkit.labels import SEVERITIES, SEVERITY_LABELS

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: Money is in 万元 with two decimals, so every figure of a sum may be off by half a unit in the
#: last place: a sum that misses its total by no more than that is a rounding difference.
MONEY_HALF_UNIT = Decimal("0.005")


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Code:
    """A finding code: its severity and, in Chinese, what the check looks for."""

    code: str
    severity: str
    title: str


#: Every code the audit can report, in the order of ``docs/audit.md``.
CODES: dict[str, Code] = {}


def _code(code: str, severity: str, title: str) -> str:
    assert severity in SEVERITIES and code not in CODES, code
    CODES[code] = Code(code, severity, title)
    return code


@dataclass(frozen=True)
class Finding:
    """One problem the audit found.

    ``printed`` and ``recomputed`` are figures as text with their unit (``101.71%``), ``None``
    when there is none; ``explanation`` is the slip that reproduces the printed figure exactly
    (``数字颠倒（101.17 → 101.71）``), ``None`` when none does or the finding is not about a figure.
    """

    code: str
    severity: str
    field: str
    indicator: str | None
    printed: str | None
    recomputed: str | None
    message: str
    explanation: str | None = None

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _finding(
    code: str,
    field: str,
    message: str,
    *,
    indicator: str | None = None,
    printed: str | None = None,
    recomputed: str | None = None,
    explanation: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=CODES[code].severity,
        field=field,
        indicator=indicator,
        printed=printed,
        recomputed=recomputed,
        message=message,
        explanation=explanation,
    )


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by severity: ``{'error': 2, 'warning': 1, 'info': 0}``."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts

