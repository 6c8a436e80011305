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

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

__all__ = ["Note", "Marks", "differing_figures", "single_quotes", "field_key", "indicator_key", "year_key"]

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


@dataclass
class Marks:
    """A report's note marks and footnotes: ``注1`` beside each figure shown differently from the
    print, numbered in order of first appearance, and the notes listed under the section that
    first marks them (:meth:`footnotes`, called as each section is written).

    Inside :meth:`apart` (the 自评表, printed and published on its own) a mark points at a copy of
    its note listed under that part, even if the body already explained it. Every mark has its
    own id (``mark-1``, ``mark-1-2`` …).
    """

    notes: dict[str, Note]
    _noted: list[str] = field(default_factory=list)  # note keys in the order their marks appear
    _pending: list[str] = field(default_factory=list)  # marked in this section, footnote not yet out
    _prefix: str = ""  # of the anchors of a part apart ("att-")
    _made: dict[str, int] = field(default_factory=dict)  # marks made per anchor

    def cell(self, text: str, key: str | None) -> Any:
        """``text`` as HTML, with a mark when the figure under ``key`` differs from the print."""
        note = self.notes.get(key or "")
        if note is None:
            return text
        return Markup(f"{escape(text)}{self._mark(note)}")

    def paragraph(self, text: str | None, figures: list[tuple[str, str]]) -> str:
        """A generated paragraph whose figures (text, note key) carry their marks."""
        if not text:
            return ""
        html = str(escape(text))
        for figure, key in figures:
            note = self.notes.get(key)
            shown = str(escape(figure))
            if note is not None and shown in html:
                html = html.replace(shown, shown + self._mark(note), 1)
        return f"<p>{html}</p>"

    def footnotes(self) -> str:
        """The notes of the marks made since the last call."""
        if not self._pending:
            return ""
        items = "".join(
            f'<p id="{self._prefix}note-{self._number(key)}">注{self._number(key)}：{escape(self.notes[key].text)}</p>'
            for key in self._pending
        )
        self._pending.clear()
        return f'<aside class="footnotes" aria-label="注释">{items}</aside>'

    @contextlib.contextmanager
    def apart(self, prefix: str) -> Iterator[None]:
        """A part read on its own: its marks point at its own notes (anchors ``<prefix>note-N``)."""
        self._prefix = prefix
        try:
            yield
        finally:
            self._prefix = ""

    def _number(self, key: str) -> int:
        return self._noted.index(key) + 1

    def _mark(self, note: Note) -> str:
        first = note.key not in self._noted
        if first:
            self._noted.append(note.key)
        if (first or self._prefix) and note.key not in self._pending:
            self._pending.append(note.key)
        number = self._number(note.key)
        anchor = f"{self._prefix}note-{number}"
        made = self._made[anchor] = self._made.get(anchor, 0) + 1
        mark = f"{self._prefix}mark-{number}" + (f"-{made}" if made > 1 else "")
        return f'<sup class="note-mark"><a href="#{anchor}" id="{mark}">注{number}</a></sup>'
