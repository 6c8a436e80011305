"""The review opinion (复核意见): the finance bureau's document, beside the unit's report.

The self-evaluation report speaks for the unit and carries no findings. The review opinion tells
the bureau, in plain Chinese, what the recomputation found and what each finding does to the
score and the grade; the audit's codes are a secondary column. Its first block states the
conclusion, and says so plainly when a finding changes the grade, e.g. for the reference unit:
the grade 优 (91.73) rests on an adjusted target the report never stated; against the stated
target the total is 88.36, 良.

>>> from evalkit.report.render import Report
>>> review = Review(Report.load("params", "xinshi-rd", 2023))
>>> [(w.indicator, w.total, w.grade) for w in review.what_ifs]
[('预算经费', '88.36', '良')]
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from evalkit import __version__
from evalkit.core.figures import fmt
from evalkit.core.scoring import Evaluation, evaluate
from evalkit.errors import ScoringError
from evalkit.labels import SEVERITY_LABELS
from evalkit.report.notes import field_key, single_quotes

if TYPE_CHECKING:
    from evalkit.report.render import Report

__all__ = ["Review", "WhatIf", "review_title", "grade_label", "result_phrase"]

_TARGET_CODES = ("W-ADJUSTED-TARGET-UNSTATED", "W-TARGET-MISMATCH")


@dataclass(frozen=True)
class WhatIf:
    """The total and grade had one indicator been scored against the target the report printed."""

    indicator: str
    printed_target: str
    scored_target: str
    score: str
    scored_score: str
    total: str
    grade: str

    @property
    def sentence(self) -> str:
        return (
            f"评分采用的“{self.indicator}”指标值为{self.scored_target}，而自评报告所列为{self.printed_target}；"
            f"若按报告所列指标值计，该指标得{self.score}分（现为{self.scored_score}分），"
            f"综合得分为{self.total}分、等级为“{self.grade}”"
        ).replace(" ", "")


def review_title(ev: Evaluation) -> str:
    """``…2023年度部门整体支出绩效自评复核意见``."""
    from evalkit.report.narrative import report_title

    return report_title(ev).removesuffix("报告") + "复核意见"


def _colgroup(widths: tuple[int, ...]) -> str:
    return "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"


def grade_label(ev: Evaluation) -> str:
    """The grade, or 不评定 for a partial or not computable total."""
    return ev.grade if ev.graded and ev.grade else "不评定"


def result_phrase(ev: Evaluation) -> str:
    """``综合得分91.73分，评价等级“优”``, or what a partial or not computable total allows."""
    missing = "；".join(ev.missing)
    if ev.graded:
        return f"综合得分{ev.total.text()}分，评价等级“{grade_label(ev)}”"
    if ev.total.value is None:
        return f"综合得分无法计算（{missing}），不评定等级"
    return f"可计算部分得分{fmt(ev.total.value, ev.total.dp)}分（部分得分，未计入：{missing}），不评定等级"


class Review:
    """The review opinion of one unit-year, built from the same :class:`Report` (inputs, findings)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.ev = report.ev

    @property
    def title(self) -> str:
        return review_title(self.ev)

    # ------------------------------------------------------------------ what the findings change

    def _printed_target(self, index: int) -> Decimal | None:
        from evalkit.core.targets import convert_money, parse_target

        indicator = self.ev.year.indicators[index]
        printed = indicator.reported.target if indicator.reported else None
        if isinstance(printed, str):
            try:
                _, value, unit = parse_target(printed)
            except ValueError:
                return None
            return convert_money(value, unit, indicator.unit) if isinstance(value, Decimal) else None
        return printed

    @cached_property
    def what_ifs(self) -> list[WhatIf]:
        """Indicators scored against a target other than the one printed, where that changes the grade."""
        ev, loaded = self.ev, self.report.loaded
        out = []
        for index, scored in enumerate(ev.indicators):
            indicator = scored.indicator
            printed = self._printed_target(index)
            if printed is None or scored.score is None or printed == scored.target_used:
                continue
            changed = indicator.model_copy(update={"target": printed, "target_adjusted": None})
            indicators = list(ev.year.indicators)
            indicators[index] = changed
            try:
                other = evaluate(loaded.profile, ev.year.model_copy(update={"indicators": indicators}), loaded.rulebook)
            except ScoringError:
                continue
            if other.grade == ev.grade or None in (other.grade, ev.grade):
                continue
            from evalkit.core.targets import OP_SYMBOL

            def target(value: Decimal, _op: str = indicator.op, _unit: str = indicator.unit) -> str:
                return f"{OP_SYMBOL[_op]}{fmt(value, 4)}{_unit}"

            other_score = other.indicators[index].score
            out.append(WhatIf(
                indicator=indicator.name,
                printed_target=target(printed),
                scored_target=target(scored.target_used) if isinstance(scored.target_used, Decimal) else str(scored.target_used),
                score=other_score.text() if other_score is not None else "—",
                scored_score=scored.score.text(),
                total=other.total.text(),
                grade=other.grade,
            ))
        return out

    def consequence(self, finding: Any) -> str:
        """What ``finding`` does to the score and the grade, in one phrase."""
        ev = self.ev
        key = field_key(finding.field) or ""
        if finding.code in _TARGET_CODES:
            for what in self.what_ifs:
                if what.indicator == finding.indicator:
                    return f"影响等级：按报告所列指标值计，综合得分{what.total}分（{what.grade}），现为{ev.total.text()}分（{grade_label(ev)}）"
            return "不改变等级"
        if key in ("reported.total", "reported.grade"):
            rep = ev.year.reported
            printed_grade = rep.grade if rep is not None else None
            if not ev.graded:
                return f"无法复核总分与等级：{result_phrase(ev)}"
            if printed_grade and printed_grade != ev.grade:
                return f"影响等级：原报“{printed_grade}”，复核为“{grade_label(ev)}”（{ev.total.text()}分）"
            return f"综合得分应为{ev.total.text()}分，等级“{grade_label(ev)}”不变"
        if key.startswith("indicators[") and key.endswith((".completion", ".score")):
            index = int(key.split("[", 1)[1].split("]", 1)[0])
            scored = ev.indicators[index] if index < len(ev.indicators) else None
            reported = scored.indicator.reported if scored is not None else None
            if scored is None or scored.score is None:
                return "不计分"
            if reported is not None and reported.score is not None and reported.score != scored.score.value:
                return f"该指标得分应为{scored.score.text()}分（原报{fmt(reported.score, 2)}分）"
            return "不影响该指标得分"
        if key in ("reported.execution_rate", "reported.execution_score"):
            return f"执行率得分应为{ev.execution_score.text()}分"
        if finding.severity == "error":
            return "不改变按填报数据重算的得分；报告所列需更正"
        return "不影响得分；请单位补充或说明"

    # ------------------------------------------------------------------ sections

    def header(self) -> str:
        ev, report = self.ev, self.report
        rep = ev.year.reported
        printed = []
        if rep is not None and rep.total is not None:
            printed.append(f"{fmt(rep.total, 2)}分")
        if rep is not None and rep.grade is not None:
            printed.append(f"“{rep.grade}”")
        counts = {k: sum(1 for f in report.findings if f.severity == k) for k in SEVERITY_LABELS}
        lines = [
            f"经复核，{ev.unit.name}{ev.year.year}年度{ev.kind_label}绩效自评按评分规则重新计算，"
            + result_phrase(ev)
            + (f"（单位自评为{'、'.join(printed)}）" if printed else "") + "。",
        ]
        if report.findings:
            kinds = "、".join(f"{SEVERITY_LABELS[k]}{n}项" for k, n in counts.items() if n)  # no 提示0项
            lines.append(f"复核发现{len(report.findings)}项：{kinds}，详见下表。")
        else:
            lines.append("复核未发现报告数字与填报数据或评分规则不一致之处。")
        alerts = [f"{w.sentence}，而非{ev.total.text()}分、“{grade_label(ev)}”。等级取决于报告未写明的调整指标值，请核实调整依据。"
                  for w in self.what_ifs]
        if rep is not None and rep.grade is not None and ev.graded and rep.grade != ev.grade:
            alerts.insert(0, f"单位自评等级为“{rep.grade}”，复核等级为“{grade_label(ev)}”：等级发生变化。")
        from evalkit.report.render import title_segments

        parts = "".join(f'<span class="title-part">{escape(part)}</span>'
                        for part in title_segments(self.title, report.title_subject))
        title = f'<h1 class="review-title">{parts}</h1>'
        alert = ""
        if alerts:
            alert = ('<div class="grade-alert" role="note"><p class="alert-head">等级提示</p>'
                     + "".join(f"<p>{escape(a)}</p>" for a in alerts) + "</div>")
        body = "".join(f"<p>{escape(line)}</p>" for line in lines)
        return f'<header class="report-header">{title}</header>{alert}<h2>一、复核结论</h2>{body}'

    def findings_table(self) -> str:
        findings = self.report.findings
        if not findings:
            return ""
        rows = []
        for i, f in enumerate(findings, start=1):
            where = f.indicator or ""
            rows.append(
                f'<tr class="sev-{escape(f.severity)}"><td class="num">{i}</td><td>{escape(SEVERITY_LABELS.get(f.severity, f.severity))}</td>'
                f"<td>{escape(where)}</td><td>{escape(single_quotes(f.message))}</td><td class=\"num\">{escape(f.printed or '—')}</td>"
                f"<td class=\"num\">{escape(f.recomputed or '—')}</td><td>{escape(self.consequence(f))}</td>"
                f'<td class="code">{escape(f.code)}</td></tr>'
            )
        head = "".join(f"<th scope=\"col\">{h}</th>" for h in ("序号", "级别", "指标", "问题及重算", "报告所列", "复核重算", "对得分和等级的影响", "代码"))
        return ('<h2>二、复核发现</h2><div class="table-wrap"><table class="findings fixed"><caption>复核发现及其影响</caption>'
                + _colgroup((4, 6, 9, 36, 9, 9, 13, 14))
                + f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

    def scores_table(self) -> str:
        ev = self.ev
        rep = ev.year.reported
        rows = [("预算执行率", fmt(ev.execution_weight), rep.execution_score if rep else None, ev.execution_score.text())]
        for s in ev.indicators:
            printed = s.indicator.reported.score if s.indicator.reported else None
            rows.append((s.name, fmt(s.weight), printed, "不适用" if s.score is None else s.score.text()))
        rows.append(("综合得分", "", rep.total if rep else None, f"{ev.total.text()}（{grade_label(ev)}）"))
        body = ""
        for name, weight, printed, value in rows:
            shown = "—" if printed is None else fmt(printed, 2)
            differs = printed is not None and shown != value.split("（")[0]
            body += (
                ('<tr class="lost">' if differs else "<tr>")
                + f'<td>{escape(name)}</td><td class="num">{escape(weight)}</td>'
                + f'<td class="num">{escape(shown)}</td><td class="num">{escape(value)}</td></tr>'
            )
        return ('<h2>三、得分对照</h2><div class="table-wrap"><table class="scores"><caption>单位自评得分与复核得分</caption>'
                "<thead><tr><th>项目</th><th>分值</th><th>单位自评</th><th>复核</th></tr></thead>"
                f"<tbody>{body}</tbody></table></div>")

    def calculation(self) -> str:
        ev = self.ev
        figures = [("预算执行率", ev.execution_rate), ("预算执行率得分", ev.execution_score),
                   ("预算调整率", ev.adjustment_rate), ("基本支出执行率", ev.basic_execution_rate),
                   ("项目支出执行率", ev.project_execution_rate)]
        rows = [(name, f.formula, f.working, f.text(), "") for name, f in figures if f is not None]
        for s in ev.indicators:
            if s.score is None:
                rows.append((s.name, "不适用", "", "—", "na"))
                continue
            working = s.score.working + ("；" + "；".join(s.flags) if s.flags else "")
            rows.append((s.name, s.score.formula, working, s.score.text(), ""))
        rows.append(("综合得分", ev.total.formula, ev.total.working, f"{ev.total.text()}（{grade_label(ev)}）", "total"))
        body = "".join(
            (f'<tr class="{cls}">' if cls else "<tr>")
            + f"<td>{escape(a)}</td><td>{escape(b)}</td><td>{escape(c)}</td><td class=\"num\">{escape(d)}</td></tr>"
            for a, b, c, d, cls in rows
        )
        return (f'<h2>四、计算过程</h2><div class="table-wrap"><table class="formulas fixed"><caption>各项得分计算过程（评分规则：{escape(ev.rulebook.title)}）</caption>'
                + _colgroup((16, 28, 42, 14))
                + f"<thead><tr><th>项目</th><th>公式</th><th>计算</th><th>结果</th></tr></thead><tbody>{body}</tbody></table></div>")

    def provenance(self) -> str:
        from evalkit.report.render import build_time

        ev = self.ev
        lines = [
            f"复核依据：评分规则“{ev.rulebook.title}”（{ev.rulebook.name}），evalkit {__version__}。",
            f"填报数据指纹（SHA-256）：{self.report.input_hash}。生成时间：{build_time()}。",
        ]
        if ev.year.source:
            lines.append(f"数据来源：{ev.year.source}。")
        return '<footer class="provenance">' + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</footer>"

    def body(self) -> str:
        """The whole review opinion as HTML (page chrome added by :mod:`evalkit.report.document`)."""
        return "".join([self.header(), self.findings_table(), self.scores_table(), self.calculation(), self.provenance()])
