"""The indicator table, built once: the 自评表 rows every renderer prints.

A self-evaluation carries the standard 自评表 as its attachment (一级/二级/三级指标, 年度指标值,
实际完成值, 分值, 得分, 偏差原因及改进措施), and the body's 绩效指标 table shows the same rows with
their completion rates. Both, in HTML, PDF and Word, are drawn from :func:`self_eval_table`, so
a figure cannot differ between them. Each cell knows which printed field it shows
(:mod:`evalkit.report.notes`), so a figure that differs from the unit's print gets its mark.

>>> from evalkit import evaluate_path
>>> table = self_eval_table(evaluate_path("params/xinshi-rd/2023.yaml"))
>>> table.rows[1].name.text, table.rows[1].target.text, table.rows[1].completion.note
('预算经费', '≤ 304.1万元（调整为 425.3万元）', 'indicators[1].reported.completion')
>>> table.total.text, table.total_weight
('91.73', '100')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evalkit.core.figures import fmt, fmt_money
from evalkit.core.scoring import Evaluation, IndicatorScore
from evalkit.core.targets import OP_SYMBOL
from evalkit.report.narrative import is_reason, tidy
from evalkit.report.notes import indicator_key, year_key

__all__ = ["Cell", "IndicatorRow", "FundsRow", "SelfEvalTable", "self_eval_table",
           "target_text", "actual_text", "completion_text", "score_text", "row_class"]


@dataclass(frozen=True)
class Cell:
    """A printed figure or text; ``note`` is the key of the printed field it shows, if any."""

    text: str
    note: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class IndicatorRow:
    level1: str
    level2: str
    name: Cell
    target: Cell
    actual: Cell
    completion: Cell
    weight: Cell
    score: Cell
    remarks: str
    cls: str = ""


@dataclass(frozen=True)
class FundsRow:
    label: str
    initial: str
    final: str
    actual: str


@dataclass(frozen=True)
class SelfEvalTable:
    """The 自评表 of one unit-year: funds block, goals, indicator rows and the total."""

    unit: str
    year: int
    kind_label: str
    funds: list[FundsRow]
    execution: IndicatorRow
    goal_planned: str
    goal_achieved: str
    rows: list[IndicatorRow]
    total_weight: str
    total: Cell


def target_text(s: IndicatorScore) -> str:
    """The target as the indicator table prints it: ``≥ 16项``, with the adjusted target."""
    ind = s.indicator
    if ind.is_qualitative:
        return str(ind.target)
    if ind.op is None or not isinstance(ind.target, Decimal):
        return "（未印出）"
    text = f"{OP_SYMBOL[ind.op]} {fmt(ind.target, 4)}{ind.unit}"
    if ind.target_adjusted is not None:
        text += f"（调整为 {fmt(ind.target_adjusted, 4)}{ind.unit}）"
    return text


def actual_text(s: IndicatorScore) -> str:
    """The actual value with its unit, or the text of a 定性 indicator."""
    ind = s.indicator
    if ind.actual is None:
        return "—"
    if isinstance(ind.actual, str):
        return ind.actual
    return f"{fmt(ind.actual, 4)}{ind.unit}"


def completion_text(s: IndicatorScore) -> str:
    """The completion rate, or the grade of a 定性 indicator."""
    if s.indicator.is_qualitative:
        return s.grade or "—"
    return s.completion.text()


def score_text(s: IndicatorScore) -> str:
    """The score as printed, or 不适用."""
    return "不适用" if s.score is None else s.score.text()


def row_class(s: IndicatorScore) -> str:
    """CSS class of the indicator's table row: ``na``, ``lost`` (points lost) or none."""
    if s.score is None or s.score.value is None:
        return "na"
    return "lost" if s.lost > 0 else ""


def _remarks(s: IndicatorScore) -> str:
    ind = s.indicator
    parts = []
    if is_reason(ind.deviation_reason):
        parts.append(f"偏差原因：{str(ind.deviation_reason).strip().rstrip('。')}。")
    if is_reason(ind.improvement):
        parts.append(f"改进措施：{str(ind.improvement).strip().rstrip('。')}。")
    if not parts and s.score is None:
        parts.append("本年度不适用，不参与评分。")
    return tidy("".join(parts))  # as the indicator's paragraph prints it: 预算调增121.2万元


def _row(i: int, s: IndicatorScore) -> IndicatorRow:
    ind = s.indicator
    return IndicatorRow(
        level1=ind.level1 or "",
        level2=ind.level2 or "",
        name=Cell(ind.name),
        target=Cell(target_text(s), indicator_key(i, "target")),
        actual=Cell(actual_text(s)),
        completion=Cell(completion_text(s), indicator_key(i, "completion")),
        weight=Cell("未印出" if s.weight is None else fmt(s.weight)),
        score=Cell(score_text(s), indicator_key(i, "score")),
        remarks=_remarks(s),
        cls=row_class(s),
    )


def self_eval_table(ev: Evaluation) -> SelfEvalTable:
    """The 自评表 of ``ev``: the one model of the indicator table."""
    b = ev.year.budget
    funds = [FundsRow("年度资金总额", fmt_money(b.initial) if b.initial is not None else "—",
                      fmt_money(b.final), fmt_money(b.actual))]
    for label, line in (("其中：基本支出", b.basic), ("　　　项目支出", b.project)):
        if line is not None and (line.final is not None or line.actual is not None):
            funds.append(FundsRow(label, fmt_money(line.initial) if line.initial is not None else "—",
                                  fmt_money(line.final) if line.final is not None else "—",
                                  fmt_money(line.actual) if line.actual is not None else "—"))
    for source in b.sources:
        funds.append(FundsRow(f"其中：{source.name}", fmt_money(source.initial), fmt_money(source.final),
                              fmt_money(source.actual)))
    execution = IndicatorRow(
        level1="", level2="", name=Cell("预算执行率"), target=Cell("= 100%"),
        actual=Cell(ev.execution_rate.text(), year_key("execution_rate")),
        completion=Cell(ev.execution_rate.text(), year_key("execution_rate")),
        weight=Cell("未印出" if ev.execution_weight is None else fmt(ev.execution_weight)),
        score=Cell(ev.execution_score.text(), year_key("execution_score")),
        remarks="",
        cls="lost" if None not in (ev.execution_score.value, ev.execution_weight)
        and ev.execution_score.value < ev.execution_weight else "",
    )
    project = ev.year.project
    planned = (project.goal if project is not None and project.goal else None) or (
        ev.year.key_work.summary if ev.year.key_work is not None and ev.year.key_work.summary else "")
    achieved = (project.outcome if project is not None and project.outcome else None) or ""
    return SelfEvalTable(
        unit=ev.unit.name,
        year=ev.year.year,
        kind_label=ev.kind_label,
        funds=funds,
        execution=execution,
        goal_planned=planned or "",
        goal_achieved=achieved,
        rows=[_row(i, s) for i, s in enumerate(ev.indicators)],
        total_weight=fmt(ev.weight_total),
        total=Cell(ev.total.text(), year_key("total")),
    )
