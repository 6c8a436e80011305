"""The score card of a unit-year and the audit's findings, as JupyterLab shows them.

Inline styles only (see :mod:`evalkit.interactive.display`): text left-aligned, figures
right-aligned, short words on one line, lost points and findings tinted, severity and grade as
badges — in the light and dark themes, trusted or not. Every text from the inputs is escaped.
Figures are written with the rulebook's decimals (``96.60`` when scores have two).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from evalkit.core.figures import Figure, fmt
from evalkit.interactive.display import (
    BADGES,
    HtmlBlock,
    badge,
    bar,
    html_table,
)
from evalkit.labels import SEVERITY_LABELS

if TYPE_CHECKING:
    from evalkit.audit import Finding
    from evalkit.core.scoring import Evaluation, IndicatorScore

__all__ = ["Findings", "figure_text", "findings_html", "scorecard_html"]

_BOX = (
    "display:inline-block;border:1px solid rgba(128,128,128,0.4);border-radius:6px;"
    "padding:0.25em 0.8em;margin:0 0.5em 0.5em 0;min-width:7em;text-align:left;vertical-align:top"
)
_BIG = "display:block;font-size:1.5em;font-weight:bold;white-space:nowrap"
_SMALL = "display:block;font-size:0.9em;white-space:nowrap"
_NOTE = (
    "border-left:4px solid #b3261e;background-color:rgba(214,39,40,0.12);padding:0.3em 0.6em;"
    "margin:0.3em 0;text-align:left"
)
_WHATIF = (
    "border-left:4px solid #0072B2;background-color:rgba(0,114,178,0.12);padding:0.3em 0.6em;"
    "margin:0.3em 0;text-align:left"
)
_WRAP = 'lang="zh" style="text-align:left;font-size:13px;line-height:1.5;max-width:72em"'


def figure_text(figure: Figure | None) -> str:
    """A computed figure with its rulebook's decimals, trailing zeros kept: ``96.60``, ``99.43%``;
    ``无法计算（原因）`` or ``49.53（部分得分）`` as :meth:`Figure.text` says it."""
    if figure is None:
        return "—"
    if figure.value is None:
        return figure.text()
    shown = f"{fmt(figure.value, figure.dp, keep_zeros=True)}{figure.unit}"
    return f"{shown}（部分得分）" if getattr(figure, "partial", "") else shown


def _score(s: IndicatorScore) -> str:
    from evalkit.report.render import score_text

    if not s.indicator.applicable:
        return score_text(s)
    return figure_text(s.score)


def card(label: str, value: str, *, grade: str | None = None) -> str:
    shown = badge(value, grade) if grade in BADGES else escape(value)
    return f'<div style="{_BOX}"><span style="{_SMALL}">{escape(label)}</span><span style="{_BIG}">{shown}</span></div>'


def indicator_rows(ev: Evaluation) -> tuple[list[list[str]], list[str | None]]:
    """The score table's rows (execution rate, indicators, total) and their tints."""
    from evalkit.report.render import actual_text, completion_text, target_text

    dp = ev.execution_score.dp
    rows: list[list[str]] = []
    tints: list[str | None] = []
    score, weight = ev.execution_score.value, ev.execution_weight
    lost = None if score is None or weight is None else weight - score
    rows.append([
        "预算执行率", "= 100%", figure_text(ev.execution_rate), figure_text(ev.execution_rate),
        fmt(weight), figure_text(ev.execution_score),
        "—" if lost is None else fmt(lost, dp, keep_zeros=True),
        bar(None if score is None or not weight else score / weight * 100),
    ])  # fmt: skip
    tints.append("lost" if lost else None)
    for s in ev.indicators:
        value = None if s.score is None else s.score.value
        applicable = s.indicator.applicable
        known = value is not None and s.weight is not None and applicable
        lost_text = fmt(s.lost, s.score.dp, keep_zeros=True) if known else "—"
        rows.append([
            s.name, target_text(s), actual_text(s),
            ("不适用" if not applicable else completion_text(s) if s.indicator.is_qualitative
             else figure_text(s.completion)),
            fmt(s.weight), _score(s), lost_text,
            bar(None if value is None or not s.weight else value / s.weight * 100),
        ])  # fmt: skip
        tints.append("lost" if known and s.lost > 0 else None)
    rows.append(["合计", "", "", "", fmt(ev.weight_total), figure_text(ev.total), "", ""])
    tints.append("total")
    return rows, tints


SCORE_HEADER = ["指标", "指标值", "实际完成值", "完成率", "分值", "得分", "失分", "得分 / 分值"]


def findings_html(findings: Iterable[Finding], caption: str | None = None) -> str:
    """The audit's findings as a table: 级别 (a badge), 代码, 位置, 报告所列, 重算, 说明."""
    findings = list(findings)
    if not findings:
        return '<p style="text-align:left">复核未发现报告数字与输入数据或评分规则不一致之处。</p>'
    rows = [
        [
            badge(SEVERITY_LABELS.get(f.severity, f.severity), f.severity),
            escape(f.code),
            escape(f.indicator or f.field or "—"),
            escape(f.printed or "—"),
            escape(f.recomputed or "—"),
            escape(f.message + (f"（{f.explanation}）" if f.explanation else "")),
        ]
        for f in findings
    ]
    return html_table(
        ["级别", "代码", "位置", "报告所列", "重算", "说明"],
        rows,
        caption=caption or f"复核发现（{len(findings)} 项）",
        numeric=(3, 4),
        markup=range(6),
        tints=[f.severity for f in findings],
        nowrap=(0, 1, 3, 4),
    )


class Findings(list):
    """The audit's findings (a list of :class:`~evalkit.audit.Finding`, errors first),
    shown in JupyterLab as a table and printed one finding a line."""

    def _repr_html_(self) -> str:
        return f"<div {_WRAP}>{findings_html(self)}</div>"

    def __repr__(self) -> str:
        if not self:
            return "复核未发现问题"
        return "\n".join(
            f"{SEVERITY_LABELS.get(f.severity, f.severity)} {f.code} {f.indicator or f.field}："
            f"{f.message}"
            for f in self
        )

    def table(self) -> HtmlBlock:
        return HtmlBlock(self._repr_html_())


def evaluation_text(ev: Evaluation) -> str:
    """An :class:`~evalkit.core.scoring.Evaluation` in one line, as IPython prints it."""
    return (
        f"<Evaluation {ev.unit_id} {ev.year.year} {ev.kind_label}：{figure_text(ev.total)} 分（{ev.grade}），"
        f"预算执行率 {figure_text(ev.execution_rate)}，{len(ev.indicators)} 个指标，评分规则 {ev.rulebook.name}>"
    )


def evaluation_html(ev: Evaluation) -> str:
    """An Evaluation as JupyterLab shows it: the score card without the audit (which needs the
    printed report: ``evalkit.load(...).audit()``)."""
    return scorecard_html(ev, None, unit_id=ev.unit_id, source="")


def scorecard_html(
    ev: Evaluation,
    findings: list[Finding] | None,
    *,
    unit_id: str,
    source: str,
    what_if: str = "",
) -> str:
    """The whole score card: heading, key figures, mismatch note, score table, findings, notes."""
    audited = findings is not None
    findings = findings or []
    counts = {key: sum(1 for f in findings if f.severity == key) for key in SEVERITY_LABELS}
    head = (
        f'<p style="margin:0 0 0.4em 0;text-align:left"><strong>{escape(ev.unit.name)}</strong>　'
        f"{ev.year.year} 年度{escape(ev.kind_label)}绩效自评<br>"
        f'<span style="font-size:0.9em">单位编号 {escape(unit_id)} · 评分规则：'
        f"{escape(ev.rulebook.title)}（{escape(ev.rulebook.name)}）"
        f"{' · ' + escape(source) if source else ''}</span></p>"
    )
    cards = "".join(
        [
            card("综合得分", figure_text(ev.total)),
            card("评价等级", ev.grade, grade=ev.grade),
            card("预算执行率", figure_text(ev.execution_rate)),
            card("复核：错误 / 警告 / 提示", f"{counts['error']} / {counts['warning']} / {counts['info']}")
            if audited
            else "",
        ]
    )
    note = ""
    if what_if:
        note = f'<p style="{_WHATIF}">{what_if}</p>'
    else:
        reported = ev.year.reported
        if reported is not None and (reported.total, reported.grade) != (None, None):
            if reported.total != ev.total.value or reported.grade != ev.grade:
                total = "—" if reported.total is None else fmt(reported.total, 6)
                note = (
                    f'<p style="{_NOTE}">报告所列：{total} 分（{escape(reported.grade or "—")}）；'
                    f"按评分规则重算：{figure_text(ev.total)} 分（{escape(ev.grade)}）。</p>"
                )
    rows, tints = indicator_rows(ev)
    escaped = [[escape(c) if i < 7 else c for i, c in enumerate(row)] for row in rows]
    table = html_table(
        SCORE_HEADER,
        escaped,
        caption="绩效指标得分与分值",
        numeric=(3, 4, 5, 6),
        markup=range(8),
        tints=tints,
    )
    audit = findings_html(findings) if audited and not what_if else ""
    notes = [*ev.notes, *(flag for s in ev.indicators for flag in s.flags)]
    if ev.total_status != "complete":
        missing = "、".join(ev.missing) or "部分数字"
        notes.insert(0, f"综合得分为部分合计，未计入：{missing}；因此不评定等级。")
    foot = "".join(f'<p style="margin:0.2em 0;font-size:0.9em">注：{escape(n)}</p>' for n in notes)
    return (
        f'<div class="evalkit-scorecard" {_WRAP}>{head}<div>{cards}</div>{note}{table}'
        f"{audit}{foot}</div>"
    )

