"""The report's close: the 单位（盖章）/日期 block and 附件 — the 自评表.

The 自评表 is the one-page table every self-evaluation carries: the funds block (年初预算数,
全年预算数, 全年执行数, 分值, 执行率, 得分), the year's goals, and the indicator rows (一级/二级/三级
指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施), ending with the total. Its rows come
from :func:`evalkit.report.selfeval.self_eval_table`, the same model as the body's indicator
table; the HTML here is what the PDF prints and the Word document converts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import escape

from evalkit.report.selfeval import IndicatorRow, self_eval_table

if TYPE_CHECKING:
    from evalkit.report.render import Report

__all__ = ["attachment_html", "SELF_EVAL_HEADER"]

#: The column heads of the 自评表's indicator block (the national form's wording).
SELF_EVAL_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
_FUNDS_HEADER = ("资金项目", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")


def _td(content: Any, *, cls: str = "", rowspan: int = 1, colspan: int = 1, tag: str = "td") -> str:
    attrs = ""
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<{tag}{attrs}>{escape(content)}</{tag}>"


def _thead(cells: tuple[str, ...]) -> str:
    return "<thead><tr>" + "".join(_td(c, tag="th") for c in cells) + "</tr></thead>"


def _spans(values: list[str]) -> list[int]:
    """Rowspans merging equal neighbours: ``["产出", "产出", "效益"]`` → ``[2, 0, 1]`` (0: merged)."""
    spans = [1] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start] or not values[start]:
            spans[start] = i - start
            for j in range(start + 1, i):
                spans[j] = 0
            start = i
    return spans


def _colgroup(widths: tuple[int, ...]) -> str:
    return "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"


def _indicator_rows(report: Report, rows: list[IndicatorRow], levels: bool) -> list[str]:
    level1 = [r.level1 for r in rows]
    level12 = [f"{r.level1}\u0000{r.level2}" if r.level2 else "" for r in rows]
    span1, span2 = _spans(level1), _spans(level12)
    out = []
    for i, row in enumerate(rows):
        cells = []
        if levels and span1[i]:
            cells.append(_td(row.level1, rowspan=span1[i], cls="level"))
        if levels and span2[i]:
            cells.append(_td(row.level2, rowspan=span2[i], cls="level"))
        cells += [
            _td(row.name.text, cls="name"),
            _td(report.marked(row.target)),
            _td(row.actual.text),
            _td(row.weight.text, cls="num"),
            _td(report.marked(row.score), cls="num"),
            _td(row.remarks, cls="remarks"),
        ]
        out.append(f'<tr class="{row.cls}">' + "".join(cells) + "</tr>" if row.cls else "<tr>" + "".join(cells) + "</tr>")
    return out


def attachment_html(report: Report) -> str:
    """The signature block and the 自评表, as HTML (text escaped, figures marked)."""
    ev = report.ev
    table = self_eval_table(ev)
    signature = (
        '<section class="signature" aria-label="落款">'
        f'<p class="sign-unit">{escape(ev.unit.name)}（盖章）</p>'
        '<p class="sign-date">日期：　　　　年　　月　　日</p>'
        "</section>"
    )
    title = f"{table.year}年度{table.kind_label}绩效自评表"
    parts = [signature, '<section class="attachment" aria-label="附件">',
             '<p class="attachment-label">附件</p>', f'<h2 class="attachment-title">{escape(title)}</h2>',
             f'<p class="attachment-meta">填报单位：{escape(table.unit)}　　金额单位：万元</p>']
    ex = table.execution
    funds = []
    for i, row in enumerate(table.funds):
        cells = [_td(row.label, tag="th"), _td(row.initial, cls="num"), _td(row.final, cls="num"),
                 _td(row.actual, cls="num")]
        if i == 0:
            span = len(table.funds)
            cells += [_td(ex.weight.text, cls="num", rowspan=span),
                      _td(report.marked(ex.actual), cls="num", rowspan=span),
                      _td(report.marked(ex.score), cls="num", rowspan=span)]
        funds.append("<tr>" + "".join(cells) + "</tr>")
    parts.append('<div class="table-wrap"><table class="self-eval funds"><caption>年度资金</caption>'
                 + _thead(_FUNDS_HEADER) + "<tbody>" + "".join(funds) + "</tbody></table></div>")
    if table.goal_planned or table.goal_achieved:
        parts.append(
            '<div class="table-wrap"><table class="self-eval goals"><caption>年度总体目标</caption>'
            + _thead(("预期目标", "实际完成情况")) + "<tbody><tr>"
            + _td(table.goal_planned or "—") + _td(table.goal_achieved or "—") + "</tr></tbody></table></div>"
        )
    # The form's 一级/二级 columns are printed when the indicators carry their levels.
    levels = any(row.level1 or row.level2 for row in table.rows)
    header = SELF_EVAL_HEADER if levels else SELF_EVAL_HEADER[2:]
    widths = (10, 10, 14, 12, 10, 6, 8, 30) if levels else (18, 15, 13, 7, 8, 39)  # 产出指标 on one line
    rows = _indicator_rows(report, table.rows, levels)
    rows.append("<tr class=\"total\">" + _td("总分", colspan=len(header) - 3, tag="th")
                + _td(table.total_weight, cls="num") + _td(report.marked(table.total), cls="num")
                + _td(f"评价等级：{ev.grade or '不评定'}") + "</tr>")
    parts.append('<div class="table-wrap"><table class="self-eval indicators fixed"><caption>绩效指标</caption>'
                 + _colgroup(widths) + _thead(header) + "<tbody>" + "".join(rows) + "</tbody></table></div>")
    parts.append("</section>")
    return "".join(parts)
