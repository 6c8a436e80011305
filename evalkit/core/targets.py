"""Indicator comparisons and target texts: ``≥95%``, ``≤90万元``, ``=100%``, ``达成预期指标``.

The one place that knows the indicator kinds (正向 ≥, 反向 ≤, 定值 =, 定性) and how analysts
write them.

>>> parse_target("≥95%")
('>=', Decimal('95'), '%')
>>> parse_target("小于等于304.1万元")
('<=', Decimal('304.1'), '万元')
>>> parse_target("达成预期指标")
('qualitative', '达成预期指标', '')
>>> parse_target("95%以上")
('>=', Decimal('95'), '%')
"""

from __future__ import annotations

import re
from decimal import Decimal

from evalkit.core.figures import parse_number

__all__ = [
    "OPS",
    "OP_SYMBOL",
    "OP_WORDS",
    "normalise_op",
    "normalise_unit",
    "parse_target",
    "states_comparison",
    "SUFFIX_OPS",
    "parse_quantity",
    "convert_money",
    "direction",
]

#: Canonical comparison codes.
OPS = (">=", ">", "=", "<=", "<", "qualitative")
OP_SYMBOL = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<", "qualitative": "定性"}
OP_WORDS = {
    ">=": "大于等于",
    ">": "大于",
    "=": "等于",
    "<=": "小于等于",
    "<": "小于",
    "qualitative": "定性",
}

# Longest spellings first so that "大于等于" is not read as "大于".
_OP_SPELLINGS: list[tuple[str, str]] = sorted(
    [
        (">=", ">="), ("≥", ">="), ("≧", ">="), ("＞＝", ">="), ("大于等于", ">="),
        ("大于或等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="), ("至少", ">="),
        ("<=", "<="), ("≤", "<="), ("≦", "<="), ("＜＝", "<="), ("小于等于", "<="),
        ("小于或等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不大于", "<="), ("不多于", "<="),
        ("=", "="), ("＝", "="), ("==", "="), ("等于", "="),
        (">", ">"), ("＞", ">"), ("大于", ">"), ("高于", ">"), ("超过", ">"),
        ("<", "<"), ("＜", "<"), ("小于", "<"), ("低于", "<"),
        ("定性", "qualitative"), ("qualitative", "qualitative"), ("正向", ">="), ("反向", "<="),
    ],
    key=lambda pair: -len(pair[0]),
)

#: A comparison written after the number: ``95%以上``, ``90万元以内``.
SUFFIX_OPS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("以内", "<="),
)

_UNIT_ALIASES = {"百分比": "%", "％": "%", "百分之": "%", "percent": "%", "万": "万元"}


#: What follows a number and cannot be its unit: another digit (``≥12000 0人次``, ``12 000人次``,
#: ``93. 5%``: a number broken by a space or a line break, or two numbers) …
_SPLIT_NUMBER = re.compile(r"^[.,，．]?\s*\d")
#: … or the other end of a range (``95%-98%``, ``10～12次``, ``3至5个``).
_RANGE = re.compile(r"[-~～〜—–至到]\s*[-+]?\d")


def second_number(rest: str) -> str | None:
    """Why the text after a number (its would-be unit) holds another number: ``"split"`` (a digit
    right after it) or ``"range"``; None when it does not. Reading the first number would be a guess.

    >>> second_number(" 000人次"), second_number("%-98%"), second_number("个4A级景区")
    ('split', 'range', None)
    """
    if _SPLIT_NUMBER.match(rest):
        return "split"
    if _RANGE.search(rest):
        return "range"
    return None


def normalise_op(text: str) -> str:
    """Canonical code for a comparison as written (``≥``, ``大于等于``, ``定性``…)."""
    cleaned = str(text).strip()
    for spelling, code in _OP_SPELLINGS:
        if cleaned == spelling:
            return code
    raise ValueError(f"无法识别的比较方式“{text}”，应为 ≥、≤、=、>、< 或 定性")


def normalise_unit(unit: str | None) -> str:
    """``百分比`` → ``%``; blank → ``""``."""
    if not unit:
        return ""
    unit = unit.strip()
    return _UNIT_ALIASES.get(unit, unit)


def parse_quantity(text: str) -> tuple[Decimal, str]:
    """A number with an optional unit: ``"96.11%"`` → ``(Decimal('96.11'), '%')``."""
    number, unit = parse_number(text)
    return number, normalise_unit(unit)


def parse_target(text: str) -> tuple[str, Decimal | str, str]:
    """Split a target as written into (op, value, unit).

    Text with no number is a qualitative target. A number with no operator is read as ``>=``
    (the national forms treat a bare target as "reach at least this").
    """
    cleaned = str(text).strip()
    op = None
    for spelling, code in _OP_SPELLINGS:
        if cleaned.startswith(spelling) and code != "qualitative":
            op, cleaned = code, cleaned[len(spelling) :].strip()
            break
    for word, code in SUFFIX_OPS:
        if cleaned.endswith(word) and len(cleaned) > len(word):
            cleaned = cleaned[: -len(word)].strip()
            op = op or code
            break
    try:
        number, unit = parse_quantity(cleaned)
    except ValueError:
        if op is not None:
            raise ValueError(f"目标值“{text}”的比较符后面没有数字") from None
        return "qualitative", str(text).strip(), ""
    return op or ">=", number, unit


def states_comparison(text: str) -> bool:
    """True when a target text says its comparison (``≥95%``, ``95%以上``), not a bare number.

    >>> states_comparison("≥95%"), states_comparison("95%以上"), states_comparison("95%")
    (True, True, False)
    """
    cleaned = str(text).strip()
    return any(cleaned.startswith(s) for s, code in _OP_SPELLINGS if code != "qualitative") or any(
        cleaned.endswith(w) and len(cleaned) > len(w) for w, _ in SUFFIX_OPS
    )


def convert_money(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """元 ↔ 万元; other units must match exactly."""
    if from_unit == to_unit or not from_unit or not to_unit:
        return value
    if (from_unit, to_unit) == ("元", "万元"):
        return value / Decimal(10000)
    if (from_unit, to_unit) == ("万元", "元"):
        return value * Decimal(10000)
    raise ValueError(f"单位“{from_unit}”与“{to_unit}”不一致")


def direction(op: str) -> str:
    """``positive`` (≥ >), ``equal`` (=), ``reverse`` (≤ <) or ``qualitative``."""
    return {">=": "positive", ">": "positive", "=": "equal", "<=": "reverse", "<": "reverse"}.get(
        op, "qualitative"
    )


