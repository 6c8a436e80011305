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
from markupsafe import Markup, escape

from evalkit import __version__
from evalkit.core.figures import fmt, fmt_money, fmt_pct, percent_of
from evalkit.core.scoring import Evaluation
from evalkit.errors import InputError
from evalkit.inputs.params import LoadedUnitYear, discover, load_unit_year
from evalkit.labels import GRADE_CSS
from evalkit.report import narrative
from evalkit.report.notes import Marks, Note, differing_figures, indicator_key, year_key
from evalkit.report.selfeval import (
    Cell,
    IndicatorRow,
    actual_text,
    completion_text,
    row_class,
    score_text,
    self_eval_table,
    target_text,
)

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
    env.tests["number_like"] = lambda value: isinstance(value, str) and bool(_NUMBER_LIKE.match(_TAGS.sub("", value)))
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


def _collect_if_cheap() -> None:
    """Free a drawn chart now when that is cheap.

    A chart leaves its figure in reference cycles (artists, transforms, the canvas and its pixel
    buffer): 5–20 MiB a chart that only a full garbage collection frees, so a report's charts
    piled up (a batch kernel's peak about 30 MiB higher). A batch kernel freezes its long-lived
    objects after each report (``gc.freeze``, :mod:`evalkit.batch.kernels`), so a collection there
    looks at this report's objects only (about 2 ms a chart, measured in a kernel); elsewhere (a notebook in JupyterLab) it would
    look at every object (0.1–0.3 s), and is left to Python. The reset sets :data:`_GC_FROZEN`
    (``gc.get_freeze_count()`` walks the whole frozen list: 5–12 ms a call in a kernel).
    """
    if _GC_FROZEN:
        import gc

        gc.collect()


#: True once a batch kernel's reset has frozen the objects that survived a report (``gc.freeze``).
_GC_FROZEN = False


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
    cells: list[Any]  # str, or Markup for a figure carrying its note mark
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
            except InputError:  # an earlier year that does not load or score is left out of the trends
                continue
            if past.year.kind == ev.year.kind:
                history.append(past)
        return cls(loaded=loaded, ev=ev, history=history, findings=audit_unit_year(loaded))

    # ------------------------------------------------------------------ helpers used by templates

    @property
    def title(self) -> str:
        return narrative.report_title(self.ev)

    @property
    def title_parts(self) -> list[str]:
        """The title as (who, what): a line breaks between them, never inside 部门整体."""
        subject = self.title_subject
        return [subject, narrative.report_title(self.ev).removeprefix(subject)]

    @property
    def title_subject(self) -> str:
        ev = self.ev
        if ev.year.kind == "project" and ev.year.project is not None:
            return ev.year.project.name
        return ev.unit.name

    @cached_property
    def notes(self) -> dict[str, Note]:
        """Figures the report prints differently from the unit's print, by printed field."""
        return differing_figures(self.findings)

    @cached_property
    def marks(self) -> Marks:
        """The note marks and footnotes of this report (:class:`~evalkit.report.notes.Marks`)."""
        return Marks(self.notes)

    def marked(self, cell: Cell | str, key: str | None = None) -> Any:
        """``cell`` as HTML, with a note mark (``注1``) when its figure differs from the print."""
        text, key = (cell.text, cell.note) if isinstance(cell, Cell) else (cell, key)
        return self.marks.cell(text, key)

    @property
    def grade_class(self) -> str:
        return GRADE_CSS.get(self.ev.grade, "other")

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
            rows.append(("年初预算", narrative.money(b.initial)))
        if b.adjustment_amount is not None:
            rows.append(("年中调整", narrative.money(b.adjustment_amount)))
        rows.append(("全年预算", narrative.money(b.final)))
        rows.append(("实际支出", narrative.money(b.actual)))
        if self.ev.adjustment_rate is not None:
            rows.append(("预算调整率", self.marked(self.ev.adjustment_rate.text(), year_key("adjustment_rate"))))
        score = self.marked(self.ev.execution_score.text(), year_key("execution_score"))
        rows.append(("执行率得分", Markup(f"{escape(score)}/{fmt(self.ev.execution_weight)}分")))
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
        del figure
        _collect_if_cheap()
        return str(_macros().figure(image))

    def _table(self, caption: str, header: list[str], rows: list[_Row], classes: str = "") -> str:
        if len(header) >= 5:  # scrolls on a phone rather than squeezing its columns
            classes = f"{classes} wide".strip()
        return str(_macros().table(self._caption("表", caption), header, rows, classes))

    def _emit(self, markup: str) -> Html:
        """Keep what the page shows (for the embedded font) and return it for display."""
        markup += self.marks.footnotes()
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
        out.append(self.marks.paragraph(narrative.performance_intro(ev), [
            (ev.execution_rate.text(), year_key("execution_rate")),
            (f"得{ev.execution_score.text()}分", year_key("execution_score")),
        ]))
        out.append(self._indicator_table())
        out.append(self._chart("indicator_scores", "各指标得分与分值", ev))
        out.append(self._chart("indicator_completion", "指标完成情况（实际值与年中监控值的完成率）", ev))
        for i, s in enumerate(ev.indicators):
            out.append(self._h(3, f"（{narrative.chinese_numeral(i + 1)}）{s.name}"))
            marks = [(f"完成率为{s.completion.text()}", indicator_key(i, "completion"))]
            if s.score is not None:
                marks.append((f"自评得分{s.score.text()}分", indicator_key(i, "score")))
            out.append(self.marks.paragraph(narrative.indicator_paragraph(s), marks))
        if self.history:
            out.append(self._h(3, "历年对比"))
            out.append(self._chart("trends", "历年综合得分、预算执行率与指标完成率", [*self.history, ev]))
        return self._emit("\n".join(x for x in out if x))

    def _cells(self, row: IndicatorRow) -> list[Any]:
        return [row.name.text, self.marked(row.target), row.actual.text, self.marked(row.completion),
                row.weight.text, self.marked(row.score)]

    def _indicator_table(self) -> str:
        table = self_eval_table(self.ev)
        rows = [_Row(self._cells(table.execution), table.execution.cls)]
        rows += [_Row(self._cells(row), row.cls) for row in table.rows]
        rows.append(_Row(["合计", "", "", "", table.total_weight, self.marked(table.total)], "total"))
        return self._table("绩效指标完成及得分情况", ["指标", "指标值", "实际完成值", "完成率", "分值", "得分"], rows, "indicators")

    def conclusion(self) -> Html:
        """四、评价结论: total and grade, where points were lost."""
        ev = self.ev
        out = [self._h(2, narrative.outline(ev).conclusion)]
        out.append(self.marks.paragraph(narrative.conclusion(ev), [
            (f"{ev.total.text()}分", year_key("total")), (f"“{ev.grade or '不评定'}”", year_key("grade")),
        ]))
        out.append(self._p(narrative.lost_points_summary(ev)))
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
        """How every figure was computed and what the review found (the review opinion's content)."""
        from evalkit.report.review import Review

        review = Review(self)
        return self._emit(self._h(2, "附录") + review.calculation() + review.findings_table())

    def attachment(self) -> Html:
        """The closing signature block, then 附件：the 自评表 (the one-page indicator table)."""
        from evalkit.report.attachment import attachment_html

        with self.marks.apart("att-"):  # printed and published on its own: its notes under it
            markup = attachment_html(self) + self.marks.footnotes()
        return self._emit(markup)

    def colophon(self) -> Html:
        """A short colophon a reader can ignore; provenance is in data attributes, not in the text."""
        rb = self.ev.rulebook
        lines = [f"本报告各项得分按评分规则重新计算，生成时间：{build_time()[:10]}。"]
        if self.ev.year.source:
            lines.append(f"数据来源：{self.ev.year.source}。")
        body = "".join(str(_macros().paragraphs(line)) for line in lines)
        attrs = {"generator": f"evalkit {__version__}", "rulebook": rb.name, "input-sha256": self.input_hash,
                 "built": build_time()}
        data = " ".join(f'data-{k}="{escape(v)}"' for k, v in attrs.items())
        footer = f'<footer class="colophon" {data}>{body}</footer>'
        return self._emit(footer + self.font_style(footer))

    def footer(self) -> Html:
        """The colophon (the name the notebook used before the report had an attachment)."""
        return self.colophon()

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


def title_segments(title: str, subject: str) -> list[str]:
    """``[单位, 2023年度, 部门整体支出, 绩效自评报告]``: where a long title may wrap.

    >>> title_segments("某局2023年度部门整体支出绩效自评复核意见", "某局")
    ['某局', '2023年度', '部门整体支出', '绩效自评复核意见']
    """
    tail = title.removeprefix(subject)
    match = re.fullmatch(r"(\d{4}年度)(部门整体支出|项目支出)(.+)", tail)
    return [subject, *(match.groups() if match else (tail,))]
