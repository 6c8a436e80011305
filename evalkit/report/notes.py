"""Figures the report shows differently from what the unit printed, and their footnotes.

The self-evaluation report prints every figure as recomputed under the rulebook. Where the unit's
own report printed something else (``101.71%`` where the rule gives ``101.17%``), the figure must
not change silently: it carries a visible mark (``注1``) and a footnote gives the printed value and
the reason, in plain Chinese, with no code or field name.

The audit decides what differs: a finding with a printed and a recomputed figure on a printed
field (``indicators[7].reported.completion``, ``reported.total``) becomes a :class:`Note` under
that field's key, which the renderers look up where they print the figure.

>>> from evalkit.audit import audit_unit_year
>>> from evalkit.inputs.params import load_unit_year, resolve_path
>>> loaded = load_unit_year(resolve_path("params/xinshi-rd/2023.yaml")[0])
>>> notes = differing_figures(audit_unit_year(loaded))
>>> notes["indicators[7].reported.completion"].text
'原报告所列完成率为101.71%，按评分规则重新计算为101.17%（疑为数字颠倒）。'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Note", "differing_figures", "single_quotes", "field_key", "indicator_key", "year_key"]

_FIELD = re.compile(r"^((?:indicators\[\d+\]\.)?reported\.[a-z_]+)")
_WHAT = {
    "completion": "完成率",
    "score": "得分",
    "target": "指标值",
    "total": "综合得分",
    "grade": "评价等级",
    "execution_rate": "预算执行率",
    "execution_score": "预算执行率得分",
    "adjustment_rate": "预算调整率",
    "basic_execution_rate": "基本支出预算执行率",
    "project_execution_rate": "项目支出预算执行率",
}
# A slip the audit recognised, as the footnote words it ("数字颠倒（101.17 → 101.71）" → 数字颠倒).
_SLIP_DETAIL = re.compile(r"（[^）]*[→÷×][^）]*）")


@dataclass(frozen=True)
class Note:
    """One differing figure: the key of the printed field, and the footnote's sentence."""

    key: str
    printed: str
    recomputed: str
    text: str


def indicator_key(index: int, name: str) -> str:
    """The key of an indicator's printed figure: ``indicators[7].reported.completion``."""
    return f"indicators[{index}].reported.{name}"


def year_key(name: str) -> str:
    """The key of a year-level printed figure: ``reported.total``."""
    return f"reported.{name}"


def field_key(field: str) -> str | None:
    """The printed field a finding is about, without its Chinese title; None for other fields."""
    match = _FIELD.match(field or "")
    return match.group(1) if match else None


def _points(key: str, figure: str) -> str:
    """A score is written with 分 (``90.05分``), a grade in quotes (``“良”``)."""
    name = key.rsplit(".", 1)[-1]
    if name in ("score", "total", "execution_score") and re.fullmatch(r"-?\d+(\.\d+)?", figure):
        return f"{figure}分"
    if name == "grade":
        return f"“{figure}”"
    return figure


def _sentence(key: str, printed: str, recomputed: str, finding: Any) -> str:
    what = _WHAT.get(key.rsplit(".", 1)[-1], "数值")
    printed, recomputed = _points(key, printed), _points(key, recomputed)
    if key.endswith(".target"):
        text = f"原报告所列指标值为{printed}，评分按年中调整后的指标值{recomputed}计算"
    elif key.endswith(".grade"):
        text = f"原报告所列{what}为{printed}，按重新计算的综合得分应为{recomputed}"
    else:
        text = f"原报告所列{what}为{printed}，按评分规则重新计算为{recomputed}"
    explanation = getattr(finding, "explanation", None)
    if explanation and not key.endswith(".grade"):
        reason = _SLIP_DETAIL.sub("", explanation).strip("，。 ")
        if reason:
            text += f"（疑为{reason.removeprefix('疑为')}）"
    return single_quotes(text).replace(" ", "") + "。"


def single_quotes(text: str) -> str:
    """A quoted name inside quotes is written once: ``“““三公”经费支出”`` → ``“三公”经费支出``.

    >>> single_quotes("把““三公”经费支出”按满分计入")
    '把“三公”经费支出按满分计入'
    """
    return re.sub(r"“(“[^“”]*”[^“”]*)”", r"\1", text)


def differing_figures(findings: Iterable[Any]) -> dict[str, Note]:
    """Every printed figure the audit recomputed differently, by field key (first finding wins)."""
    notes: dict[str, Note] = {}
    for finding in findings:
        key = field_key(finding.field)
        if key is None or key in notes or not finding.printed or not finding.recomputed:
            continue
        if finding.printed == finding.recomputed:
            continue
        notes[key] = Note(key, finding.printed, finding.recomputed,
                          _sentence(key, finding.printed, finding.recomputed, finding))
    return notes
