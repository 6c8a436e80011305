"""Decimal arithmetic, half-up rounding (四舍五入) and the way figures are written.

The single place that rounds and formats numbers. Money is 万元, rates are percentages.
Python's ``round`` rounds half to even and binary floats cannot hold 9.945; neither is used for a
figure anyone reads.

>>> round_half_up(Decimal("9.945"), 2)
Decimal('9.95')
>>> fmt(Decimal("304.10"), 2)
'304.1'
>>> parse_number("1,234.50万元")
(Decimal('1234.50'), '万元')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
    "Decimal",
    "to_decimal",
    "round_half_up",
    "truncate",
    "fmt",
    "fmt_money",
    "fmt_pct",
    "parse_number",
    "decimals_of",
    "percent_of",
    "PRECISION",
    "Figure",
]

#: Working precision for every computation (far above any printed figure).
PRECISION = 34

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
_NUMBER_RE = re.compile(r"^\s*([-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+)\s*(.*?)\s*$")


def to_decimal(value: object) -> Decimal:
    """Convert ``value`` to Decimal without passing through a binary float's digits.

    Floats are converted through ``repr``, so ``0.1`` becomes ``Decimal('0.1')``.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("布尔值不是数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        number, unit = parse_number(value)
        if unit and unit != "%":
            raise ValueError(f"“{value}”带有单位“{unit}”")
        return number
    raise TypeError(f"无法把 {type(value).__name__} 转为数字")


def round_half_up(value: Decimal, dp: int) -> Decimal:
    """Round to ``dp`` decimal places, halves away from zero (四舍五入)."""
    exp = Decimal(1).scaleb(-dp)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value.quantize(exp, rounding=ROUND_HALF_UP)


def truncate(value: Decimal, dp: int) -> Decimal:
    """Cut to ``dp`` decimal places without rounding (截尾), as some forms do by mistake.

    Not for figures evalkit prints; the audit uses it to recognise a truncated figure.

    >>> truncate(Decimal("9.949"), 2), truncate(Decimal("8.62"), 0)
    (Decimal('9.94'), Decimal('8'))
    """
    exp = Decimal(1).scaleb(-dp)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return value.quantize(exp, rounding=ROUND_DOWN)


def percent_of(numerator: Decimal | None, denominator: Decimal | None, dp: int = 2) -> Decimal | None:
    """``numerator ÷ denominator × 100`` rounded half-up to ``dp``; None when undefined.

    >>> percent_of(Decimal("11.05"), Decimal("13")), percent_of(Decimal(1), Decimal(0))
    (Decimal('85.00'), None)
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return round_half_up(numerator / denominator * 100, dp)


def decimals_of(value: Decimal) -> int:
    """How many decimals a figure was written with: ``Decimal('99.43')`` → 2, ``Decimal('12')`` → 0."""
    exp = value.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def fmt(value: Decimal | None, dp: int = 2, *, keep_zeros: bool = False) -> str:
    """Write a figure the way the reference report does: rounded half-up, trailing zeros dropped.

    >>> fmt(Decimal("9.9433"), 2), fmt(Decimal("12"), 2), fmt(Decimal("0.00"), 2)
    ('9.94', '12', '0')
    """
    if value is None:
        return "—"
    rounded = round_half_up(value, dp)
    if keep_zeros:
        return f"{rounded:f}"
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_money(value: Decimal | None) -> str:
    """万元 with at most two decimals: ``304.1``."""
    return fmt(value, 2)


def fmt_pct(value: Decimal | None, dp: int = 2) -> str:
    """A percentage (already in percent units) with its sign: ``99.43%``."""
    return "—" if value is None else f"{fmt(value, dp)}%"


def parse_number(text: str) -> tuple[Decimal, str]:
    """Read a figure as analysts type it: ``"1,234.5"``, ``"９９．４３％"``, ``"304.1万元"``.

    Returns the number and whatever unit text follows it (``""`` when none).
    Raises ``ValueError`` with a Chinese message when there is no number.
    """
    cleaned = text.translate(_FULLWIDTH).replace("\u00a0", " ").strip()
    match = _NUMBER_RE.match(cleaned)
    if not match:
        raise ValueError(f"“{text}”不是数字")
    digits, unit = match.groups()
    if "," in digits and not re.fullmatch(r"[-+]?\d{1,3}(,\d{3})*(\.\d+)?", digits):
        raise ValueError(f"“{text}”的千位分隔符位置不对")
    try:
        number = Decimal(digits.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid digits
        raise ValueError(f"“{text}”不是数字") from exc
    return number, unit.strip()


@dataclass(frozen=True)
class Figure:
    """A computed figure that explains itself: its printed value, the rule, formula and inputs.

    ``value`` is what a report prints (rounded half-up to ``dp``); ``exact`` is the unrounded
    result; ``formula`` is the general formula in Chinese and ``working`` the same with the
    inputs put in, so a report's appendix or an audit finding can show how it was made.
    """

    value: Decimal | None
    dp: int
    formula: str
    working: str = ""
    rule: str = ""
    inputs: dict[str, object] = field(default_factory=dict)
    exact: Decimal | None = None
    unit: str = ""
    #: Why the figure cannot be computed (then ``value`` is None): ``分值未印出``.
    missing: str = ""
    #: For a sum computed from only some of its parts: what it leaves out.
    partial: str = ""

    @property
    def computable(self) -> bool:
        return not self.missing

    def text(self) -> str:
        """The value as printed, with its unit: ``99.43%``, ``9.94``; ``无法计算（原因）`` or a
        partial sum labelled ``（部分得分）`` when that is what it is."""
        if self.value is None:
            return f"无法计算（{self.missing}）" if self.missing else "—"
        shown = f"{fmt(self.value, self.dp)}{self.unit}"
        return f"{shown}（部分得分）" if self.partial else shown

    def explain(self) -> str:
        """One line: formula, working and result."""
        parts = [self.formula]
        if self.working:
            parts.append(self.working)
        if self.partial:
            parts.append(f"部分得分，未计入：{self.partial}")
        return "；".join(parts) + f" → {self.text()}"

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (Decimals as strings, to keep their digits)."""
        return {
            "value": None if self.value is None else str(self.value),
            "exact": None if self.exact is None else str(self.exact),
            "dp": self.dp,
            "unit": self.unit,
            "rule": self.rule,
            "formula": self.formula,
            "working": self.working,
            "missing": self.missing,
            "partial": self.partial,
            "inputs": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.inputs.items()},
        }
