"""What-ifs that say what they are: the same unit-year scored two ways, side by side.

:meth:`UnitYearView.rescore <evalkit.interactive.api.UnitYearView.rescore>` and the what-if
panel return a :class:`Comparison`: the original and the alternative total and grade, and every
item whose weight or score changed. The audit of printed figures is **not** re-run under the
alternative: the unit printed its report under its own rulebook, so its findings stay those of
the original (shown as a count, with a note), and no mismatch is reported against a rulebook the
unit never used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING

from evalkit.core.figures import fmt
from evalkit.interactive.display import html_table
from evalkit.interactive.scorecard import _WHATIF, _WRAP, card, figure_text

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.core.scoring import Evaluation
    from evalkit.interactive.api import UnitYearView

__all__ = ["Change", "Comparison"]


@dataclass(frozen=True)
class Change:
    """One item scored two ways (``None`` where it does not exist on that side)."""

    item: str
    weight_before: Decimal | None
    weight_after: Decimal | None
    score_before: str
    score_after: str
    delta: Decimal | None


def _scores(ev: Evaluation) -> dict[str, tuple[Decimal, Decimal | None, str]]:
    """Item → (weight, score value, score text), the execution rate first."""
    from evalkit.interactive.scorecard import figure_text as text

    items = {"预算执行率": (ev.execution_weight, ev.execution_score.value, text(ev.execution_score))}
    for s in ev.indicators:
        value = None if s.score is None else s.score.value
        items[s.name] = (s.weight, value, text(s.score) if s.applicable else "不适用")
    return items


def _signed(value: Decimal | None, dp: int) -> str:
    if value is None:
        return "—"
    text = fmt(value, dp, keep_zeros=True)
    return text if value < 0 else f"+{text}"


@dataclass(frozen=True, repr=False)
class Comparison:
    """The original scoring of a unit-year against an alternative (another rulebook, or changed
    targets, actuals or weights).

    ``alternative`` is a full :class:`~evalkit.interactive.api.UnitYearView` (its charts, its
    evaluation); ``evaluation`` is the alternative's, so ``view.rescore(...).evaluation.total``
    reads as before.
    """

    original: UnitYearView
    alternative: UnitYearView
    what: str

    @property
    def evaluation(self) -> Evaluation:
        return self.alternative.evaluation

    @property
    def delta(self) -> Decimal | None:
        """Alternative total − original total."""
        before, after = self.original.evaluation.total.value, self.evaluation.total.value
        return None if before is None or after is None else after - before

    def changes(self) -> list[Change]:
        """Items whose weight or score differ, in the original's order (new items last)."""
        before, after = _scores(self.original.evaluation), _scores(self.evaluation)
        out = []
        for item in [*before, *(k for k in after if k not in before)]:
            wb, vb, tb = before.get(item, (None, None, "—"))
            wa, va, ta = after.get(item, (None, None, "—"))
            if (wb, vb) == (wa, va):
                continue
            delta = None if vb is None or va is None else va - vb
            out.append(Change(item, wb, wa, tb, ta, delta))
        return out

    def table(self) -> pd.DataFrame:
        """The changes as a table (Chinese columns, exact decimals)."""
        from evalkit.interactive.display import Table

        return Table(
            {
                "项目": [c.item for c in self.changes()],
                "原分值": [c.weight_before for c in self.changes()],
                "新分值": [c.weight_after for c in self.changes()],
                "原得分": [c.score_before for c in self.changes()],
                "新得分": [c.score_after for c in self.changes()],
                "变化": [c.delta for c in self.changes()],
            }
        )

    def __repr__(self) -> str:
        a, b = self.original.evaluation, self.evaluation
        lines = [
            f"假设分析（{self.what}）：{self.original.unit_id} {self.original.year}",
            f"  原评分：{figure_text(a.total)} 分（{a.grade}），评分规则 {a.rulebook.name}",
            f"  假设：  {figure_text(b.total)} 分（{b.grade}），评分规则 {b.rulebook.name}，"
            f"变化 {_signed(self.delta, b.total.dp)}",
        ]
        for c in self.changes():
            lines.append(f"  {c.item}：{c.score_before} → {c.score_after}（{_signed(c.delta, 2)}）")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        a, b = self.original.evaluation, self.evaluation
        findings = self.original.audit()
        errors = sum(1 for f in findings if f.severity == "error")
        intro = (
            f'<p style="{_WHATIF}"><strong>假设分析</strong>：{escape(self.what)}。'
            f"这不是该单位的评分结论；报告按原评分规则“{escape(a.rulebook.title)}”编制，"
            f"其复核结果（错误 {errors} 项）不因假设而重算。</p>"
        )
        head = (
            f'<p style="margin:0 0 0.4em 0;text-align:left"><strong>{escape(a.unit.name)}</strong>　'
            f"{a.year.year} 年度{escape(a.kind_label)}绩效自评</p>"
        )
        cards = "".join(
            [
                card(f"原评分（{a.rulebook.name}）", f"{figure_text(a.total)} {a.grade}"),
                card(f"假设（{b.rulebook.name}）", f"{figure_text(b.total)} {b.grade}"),
                card("综合得分变化", _signed(self.delta, b.total.dp)),
                card("等级", "不变" if a.grade == b.grade else f"{a.grade} → {b.grade}"),
            ]
        )
        changes = self.changes()
        dp = b.execution_score.dp
        rows = [
            [
                c.item,
                "—" if c.weight_before is None else fmt(c.weight_before),
                "—" if c.weight_after is None else fmt(c.weight_after),
                c.score_before,
                c.score_after,
                _signed(c.delta, dp),
            ]
            for c in changes
        ]
        table = (
            html_table(
                ["项目", "原分值", "新分值", "原得分", "新得分", "变化"],
                rows,
                caption=f"得分变化的项目（{len(rows)} 项）",
                numeric=(1, 2, 3, 4, 5),
                tints=["changed"] * len(rows),
            )
            if rows
            else '<p style="text-align:left">各项得分均未改变。</p>'
        )
        return f"<div {_WRAP}>{intro}{head}<div>{cards}</div>{table}</div>"
