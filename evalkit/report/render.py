"""The report, section by section, as HTML fragments a notebook displays.

``notebooks/report.ipynb`` is a short sequence of calls on a :class:`Report`; each call returns an
:class:`Html` block that JupyterLab shows and nbconvert copies into the page. All text from the
inputs goes through Jinja's autoescape (``templates/sections.html.j2``), so a unit name or a
deviation reason containing ``<script>`` shows as text. Charts are embedded as PNG data URIs with
Chinese alt text and captions: the page loads nothing from the network.

>>> report = Report.load("params", "xinshi-rd", 2023)      # doctest: +SKIP
>>> report.summary()                                         # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html as html_lib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from evalkit import __version__
from evalkit.core.figures import fmt, fmt_money, fmt_pct, percent_of
from evalkit.core.scoring import Evaluation, IndicatorScore
from evalkit.core.targets import OP_SYMBOL
from evalkit.inputs.params import LoadedUnitYear, discover, load_unit_year
from evalkit.report import narrative

__all__ = [
    "Html",
    "ChartImage",
    "Report",
    "stylesheet",
    "template_dir",
    "build_time",
    "target_text",
    "actual_text",
    "completion_text",
    "score_text",
    "row_class",
]

_PACKAGE = Path(__file__).resolve().parent
_TAGS = re.compile(r"<[^>]+>")
_DATA_URI = re.compile(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+")
# A figure with at most a short unit ("99.43%", "18632人", "≥ 16项", "304.1万元") aligns right.
_NUMBER_LIKE = re.compile(r"^[≥≤=<>]?\s*[-+]?\d[\d,]*(\.\d+)?\s*[^\d\s]{0,6}$")
_GRADE_CLASS = {"优": "excellent", "良": "good", "中": "fair", "差": "poor"}


def template_dir() -> Path:
    """The folder holding evalkit's nbconvert template (``evalkit_report``)."""
    return _PACKAGE / "templates"


def stylesheet() -> str:
    """The report's CSS (small; inlined into each page or published once as a shared file)."""
    return (_PACKAGE / "static" / "report.css").read_text(encoding="utf-8")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["number_like"] = lambda value: isinstance(value, str) and bool(_NUMBER_LIKE.match(value))
    return env


_MACROS: Any = None


def _macros() -> Any:
    global _MACROS
    if _MACROS is None:
        _MACROS = _environment().get_template("sections.html.j2").module
    return _MACROS


class Html:
    """An HTML fragment with a rich display for Jupyter (``text/html``)."""

    def __init__(self, markup: str) -> None:
        self.markup = str(markup)

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"Html({len(self.markup)} characters)"


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: PNG bytes (base64), its size, caption and alt text."""

    png_b64: str
    width: int
    height: int
    caption: str
    alt: str

    @classmethod
    def from_figure(cls, figure: Any, caption: str, alt: str | None = None) -> ChartImage:
        from evalkit.report.charts import to_png

        png = to_png(figure)
        # The PNG header holds the pixel size (IHDR: bytes 16–24), so the page reserves the space.
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        return cls(base64.b64encode(png).decode("ascii"), width, height, caption, alt or caption)


_PAREN = ("（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）", "（九）", "（十）")
_ARABIC = tuple(f"{n}." for n in range(1, 11))


class _Numbering:
    """Heading numbers handed out in order, so a section left out leaves no gap (（一）（三）)."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self._labels = iter(labels)

    def next(self) -> str:
        return next(self._labels)


@dataclass
class _Row:
    cells: list[str]
    cls: str = ""


@dataclass
class Report:
    """One unit-year's report: the loaded inputs, the evaluation, earlier years and audit findings."""

    loaded: LoadedUnitYear
    ev: Evaluation
    history: list[Evaluation] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    _figure_no: int = 0
    _table_no: int = 0
    _emitted: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ construction

    @classmethod
    def load(
        cls,
        params_dir: str | Path,
        unit_id: str,
        year: int,
        rulebook: str | None = None,
    ) -> Report:
        """Load, score and audit a unit-year, and score its earlier years for the trend charts."""
        from evalkit.audit import audit_unit_year

        refs = discover(Path(params_dir), unit=unit_id)
        ref = next((r for r in refs if r.year == int(year)), None)
        if ref is None:
            from evalkit.errors import InputError

            years = "、".join(str(r.year) for r in refs) or "（无）"
            raise InputError(f"单位“{unit_id}”没有 {year} 年度的参数文件；已有年度：{years}", file=str(params_dir))
        loaded = load_unit_year(ref, rulebook=rulebook or None)
        ev = loaded.evaluate()
        history = []
        for other in refs:
            if other.year >= ref.year:
                continue
            try:
                past = load_unit_year(other, rulebook=rulebook or None).evaluate()
            except Exception:  # an earlier year that does not score is left out of the trends
                continue
            if past.year.kind == ev.year.kind:
                history.append(past)
        return cls(loaded=loaded, ev=ev, history=history, findings=audit_unit_year(loaded))

    # ------------------------------------------------------------------ helpers used by templates

    @property
    def title(self) -> str:
        return narrative.report_title(self.ev)

    @property
    def grade_class(self) -> str:
        return _GRADE_CLASS.get(self.ev.grade, "other")

    @staticmethod
    def money(value: Decimal | None) -> str:
        return fmt_money(value)

    @property
    def reported_total(self) -> str:
        rep = self.ev.year.reported
        return "—" if rep is None or rep.total is None else fmt(rep.total, 2)

    @property
    def reported_grade(self) -> str:
        rep = self.ev.year.reported
        return "—" if rep is None or rep.grade is None else rep.grade

    @property
    def reported_differs(self) -> bool:
        rep = self.ev.year.reported
        if rep is None:
            return False
        return (rep.total is not None and rep.total != self.ev.total.value) or (
            rep.grade is not None and rep.grade != self.ev.grade
        )

    @property
    def key_figures(self) -> list[tuple[str, str]]:
        b = self.ev.year.budget
        rows = []
        if b.initial is not None:
            rows.append(("年初预算", f"{fmt_money(b.initial)} 万元"))
        if b.adjustment_amount is not None:
            rows.append(("年中调整", f"{fmt_money(b.adjustment_amount)} 万元"))
        rows.append(("全年预算", f"{fmt_money(b.final)} 万元"))
        rows.append(("实际支出", f"{fmt_money(b.actual)} 万元"))
        if self.ev.adjustment_rate is not None:
            rows.append(("预算调整率", self.ev.adjustment_rate.text()))
        rows.append(("执行率得分", f"{self.ev.execution_score.text()} / {fmt(self.ev.execution_weight)} 分"))
        return rows

    def _caption(self, kind: str, text: str) -> str:
        if kind == "图":
            self._figure_no += 1
            return f"图{self._figure_no}　{text}"
        self._table_no += 1
        return f"表{self._table_no}　{text}"

    def _chart(self, name: str, caption: str, *args: Any) -> str:
        from evalkit.report import charts

        figure = getattr(charts, name)(*args)
        if figure is None:
            return ""
        image = ChartImage.from_figure(figure, self._caption("图", caption))
        return str(_macros().figure(image))

    def _table(self, caption: str, header: list[str], rows: list[_Row], classes: str = "") -> str:
        return str(_macros().table(self._caption("表", caption), header, rows, classes))

    def _emit(self, markup: str) -> Html:
        """Keep what the page shows (for the embedded font) and return it for display."""
        self._emitted.append(markup)
        return Html(markup)

    @staticmethod
    def _h(level: int, text: str) -> str:
        return str(_macros().heading(level, text))

    @staticmethod
    def _p(text: str | None) -> str:
        return str(_macros().paragraphs(text)) if text else ""

    # ------------------------------------------------------------------ sections

    def summary(self) -> Html:
        """Title, total, grade, execution rate, key budget figures; reported vs recomputed."""
        return self._emit(str(_macros().summary(self)))

    def profile(self) -> Html:
        """一、基本概况 (or 项目基本情况): functions, bodies, staffing, key work, budget scale."""
        ev, nar = self.ev, self.ev.year.narrative
        out = [self._h(2, narrative.outline(ev).profile)]
        sections = _Numbering(_PAREN)
        if ev.year.kind == "project" and ev.year.project is not None:
            proj = ev.year.project
            out.append(self._h(3, f"{sections.next()}项目概况"))
            facts = [f"项目名称：{proj.name}"]
            if proj.department:
                facts.append(f"主管部门：{proj.department}")
            facts.append(f"实施单位：{proj.implementer or ev.unit.name}")
            out.append(self._p("；".join(facts) + "。"))
            if proj.goal:
                out.append(self._h(4, "年度总体目标"))
                out.append(self._p(proj.goal))
            if proj.outcome:
                out.append(self._h(4, "实际完成情况"))
                out.append(self._p(proj.outcome))
        else:
            out.append(self._h(3, f"{sections.next()}部门单位基本情况"))
            items = _Numbering(_ARABIC)
            if ev.unit.functions:
                out.append(self._h(4, f"{items.next()}部门主要职能"))
                out.append(self._p(ev.unit.functions))
            out.append(self._h(4, f"{items.next()}部门机构设置及人员构成"))
            out.append(self._p(narrative.profile_sentence(ev)))
            out.append(self._p(narrative.staffing_sentence(ev)))
            key_work = ev.year.key_work
            if key_work is not None:
                out.append(self._h(3, f"{sections.next()}部门单位年度重点工作"))
                out.append(self._p(key_work.summary))
                out.append(self._p(key_work.details))
                counts = narrative.key_work_counts(ev)
                if counts:
                    out.append(self._table("年度重点工作量", ["工作事项", "数量"], [_Row([a, b]) for a, b in counts]))
        scope = "部门单位整体" if ev.year.kind == "department" else "项目"
        out.append(self._h(3, f"{sections.next()}{scope}预算规模及安排情况"))
        items = _Numbering(_ARABIC)
        initial = narrative.budget_initial(ev)
        if initial:
            out.append(self._h(4, f"{items.next()}年初预算安排情况"))
            out.append(self._p(initial))
            out.append(self._p(nar.budget_arrangement))
        adjustment = narrative.budget_adjustment(ev)
        if adjustment:
            out.append(self._h(4, f"{items.next()}预算调整情况"))
            out.append(self._p(adjustment))
            out.append(self._p(nar.budget_adjustment))
        out.append(self._h(4, f"{items.next()}全年预算执行情况"))
        out.append(self._p(narrative.budget_execution(ev)))
        out.append(self._p(nar.budget_execution))
        out.append(self._chart("budget_bridge", "预算从年初到实际支出的变化（万元）", ev))
        if ev.year.budget.sources:
            out.append(self._sources_table())
        out.append(self._h(4, f"{items.next()}资金使用主要内容及范围"))
        out.append(self._p(narrative.funds_usage(ev)))
        out.append(self._p(nar.funds_usage))
        return self._emit("\n".join(x for x in out if x))

    def _sources_table(self) -> str:
        rows = [
            _Row([s.name, fmt_money(s.initial), fmt_money(s.final), fmt_money(s.actual)])
            for s in self.ev.year.budget.sources
        ]
        return self._table("项目资金来源（万元）", ["资金来源", "年初预算数", "全年预算数", "全年执行数"], rows)

    def spending(self) -> Html:
        """二、支出管理及使用情况: basic spending, projects by funding source, management prose."""
        ev, nar = self.ev, self.ev.year.narrative
        out = [self._h(2, narrative.outline(ev).spending)]
        sections = _Numbering(_PAREN)
        basic = narrative.basic_spending(ev)
        if basic or nar.basic_spending:
            out.append(self._h(3, f"{sections.next()}基本支出和使用情况"))
            out.append(self._p(basic))
            out.append(self._p(nar.basic_spending))
        out.append(self._chart("spending_composition", "支出构成（万元）", ev))
        overview = narrative.projects_overview(ev)
        if nar.project_management or overview:
            heading = "项目管理和使用情况" if ev.year.kind == "department" else "项目资金管理和使用情况"
            out.append(self._h(3, f"{sections.next()}{heading}"))
        items = _Numbering(_ARABIC)
        if nar.project_management:
            out.append(self._h(4, f"{items.next()}项目管理情况"))
            for i, section in enumerate(nar.project_management, start=1):
                out.append(self._h(4, f"（{i}）{section.title}"))
                out.append(self._p(section.text))
        if overview:
            out.append(self._h(4, f"{items.next()}项目使用情况"))
            out.append(self._p(overview))
            for i, (heading, text) in enumerate(narrative.project_groups(ev), start=1):
                out.append(self._h(4, f"（{i}）{heading}"))
                out.append(self._p(text))
            rows = [
                _Row([p.name, p.source, fmt_money(p.budget), fmt_money(p.actual), fmt_pct(percent_of(p.actual, p.budget)), p.effect or ""])
                for p in ev.year.projects
            ]
            out.append(self._table("项目预算与执行（万元）", ["项目", "资金来源", "预算金额", "执行金额", "执行率", "实现效益"], rows))
            out.append(self._chart("projects_budget_actual", "各项目预算与执行（万元）", ev))
        return self._emit("\n".join(x for x in out if x))

    def performance(self) -> Html:
        """三、绩效分析: execution, the indicator table and one paragraph per indicator."""
        ev = self.ev
        out = [self._h(2, narrative.outline(ev).performance)]
        out.append(self._p(narrative.performance_intro(ev)))
        out.append(self._indicator_table())
        out.append(self._chart("indicator_scores", "各指标得分与分值", ev))
        out.append(self._chart("indicator_completion", "指标完成情况（实际值与年中监控值相对目标值）", ev))
        for i, s in enumerate(ev.indicators, start=1):
            out.append(self._h(3, f"（{narrative.chinese_numeral(i)}）指标{narrative.chinese_numeral(i)}："))
            out.append(self._p(narrative.indicator_paragraph(s)))
        if self.history:
            out.append(self._h(3, "历年对比"))
            out.append(self._chart("trends", "历年综合得分、预算执行率与指标完成率", [*self.history, ev]))
        return self._emit("\n".join(x for x in out if x))

    def _indicator_table(self) -> str:
        ev = self.ev
        rows = [
            _Row(["预算执行率", "= 100%", ev.execution_rate.text(), ev.execution_rate.text(), fmt(ev.execution_weight), ev.execution_score.text()],
                 "lost" if None not in (ev.execution_score.value, ev.execution_weight) and ev.execution_score.value < ev.execution_weight else "")
        ]
        for s in ev.indicators:
            rows.append(_Row([s.name, target_text(s), actual_text(s), completion_text(s), fmt(s.weight), score_text(s)], row_class(s)))
        rows.append(_Row(["合计", "", "", "", fmt(ev.weight_total), ev.total.text()], "total"))
        return self._table("绩效指标完成及得分情况", ["指标", "指标值", "实际完成值", "完成率", "分值", "得分"], rows, "indicators")

    def conclusion(self) -> Html:
        """四、评价结论: total and grade, where points were lost."""
        ev = self.ev
        out = [self._h(2, narrative.outline(ev).conclusion), self._p(narrative.conclusion(ev))]
        out.append(self._p(narrative.lost_points_summary(ev)))
        if self.reported_differs:
            out.append(self._p(
                f"报告所列综合得分为 {self.reported_total}分、等级“{self.reported_grade}”，"
                f"按评分规则“{ev.rulebook.title}”重算为 {ev.total.text()}分、等级“{ev.grade}”。"
            ))
        return self._emit("\n".join(x for x in out if x))

    def problems(self) -> Html:
        """五、存在的主要问题及原因分析 (the analyst's prose)."""
        text = self.ev.year.narrative.problems or "（未填写）"
        return self._emit(self._h(2, narrative.outline(self.ev).problems) + self._p(text))

    def measures(self) -> Html:
        """六、改进措施和建议 (the analyst's prose)."""
        nar = self.ev.year.narrative
        out = [self._h(2, narrative.outline(self.ev).measures)]
        out.append(self._h(3, "（一）改进措施"))
        out.append(self._p(nar.measures or "（未填写）"))
        out.append(self._h(3, "（二）建议"))
        out.append(self._p(nar.suggestions or "（未填写）"))
        return self._emit("\n".join(out))

    def appendix(self) -> Html:
        """附录: how every figure was computed, and the audit's findings."""
        ev = self.ev
        out = [self._h(2, "附录")]
        out.append(self._h(3, "附录一　计算过程"))
        rows = [_Row(["预算执行率", ev.execution_rate.formula, ev.execution_rate.working, ev.execution_rate.text()]),
                _Row(["预算执行率得分", ev.execution_score.formula, ev.execution_score.working, ev.execution_score.text()])]
        for fig_name, fig in (("预算调整率", ev.adjustment_rate), ("基本支出执行率", ev.basic_execution_rate), ("项目支出执行率", ev.project_execution_rate)):
            if fig is not None:
                rows.append(_Row([fig_name, fig.formula, fig.working, fig.text()]))
        for s in ev.indicators:
            if s.score is None:
                rows.append(_Row([s.name, "不适用", "", "—"], "na"))
                continue
            working = s.score.working + ("；" + "；".join(s.flags) if s.flags else "")
            rows.append(_Row([s.name, s.score.formula, working, s.score.text()]))
        rows.append(_Row(["综合得分", ev.total.formula, ev.total.working, f"{ev.total.text()}（{ev.grade}）"], "total"))
        out.append(self._table(f"各项得分计算过程（评分规则：{ev.rulebook.title}）", ["项目", "公式", "计算", "结果"], rows, "formulas"))
        out.append(self._h(3, "附录二　复核结果"))
        if not self.findings:
            out.append(self._p("复核未发现报告数字与输入数据或评分规则不一致之处。"))
        else:
            labels = {"error": "错误", "warning": "警告", "info": "提示"}
            rows = [
                _Row([labels.get(f.severity, f.severity), f.code, f.indicator or f.field or "", f.printed or "—", f.recomputed or "—", f.message],
                     f"sev-{f.severity}")
                for f in self.findings
            ]
            counts = {k: sum(1 for f in self.findings if f.severity == k) for k in labels}
            out.append(self._p(
                f"复核共发现 {len(self.findings)} 项：错误 {counts['error']} 项、警告 {counts['warning']} 项、提示 {counts['info']} 项。"
            ))
            out.append(self._table("复核发现", ["级别", "代码", "位置", "报告所列", "重算", "说明"], rows, "findings"))
        return self._emit("\n".join(out))

    def footer(self) -> Html:
        """Provenance: evalkit version, rulebook, input hash, build time."""
        built = build_time()
        rb = self.ev.rulebook
        lines = [
            f"本报告由 evalkit {__version__} 根据输入数据自动生成，所有数字均按评分规则重新计算。",
            f"评分规则：{rb.title}（{rb.name}）。输入数据指纹（SHA-256）：{self.input_hash}。",
            f"生成时间：{built}。",
        ]
        if self.ev.year.source:
            lines.append(f"数据来源：{self.ev.year.source}。")
        body = "".join(str(_macros().paragraphs(line)) for line in lines)
        footer = f'<footer class="provenance">{body}</footer>'
        return self._emit(footer + self.font_style(footer))

    def font_style(self, extra: str = "") -> str:
        """A ``<style>`` with the embedded font for every character the page shows so far."""
        from evalkit.report.webfont import font_face_css

        shown = _TAGS.sub(" ", _DATA_URI.sub("", "".join(self._emitted) + extra + self.title))
        return f"<style>{font_face_css(html_lib.unescape(shown))}</style>"

    @cached_property
    def input_hash(self) -> str:
        return self.loaded.input_hash()


def build_time() -> str:
    """The build time, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def target_text(s: IndicatorScore) -> str:
    """The target as the indicator table prints it: ``≥ 16项``, with the adjusted target."""
    ind = s.indicator
    if ind.is_qualitative:
        return "（未印出）" if ind.target is None else str(ind.target)
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


