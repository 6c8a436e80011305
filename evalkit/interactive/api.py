"""The interactive API: load a unit-year in JupyterLab, look at it, rescore it, chart it.

``evalkit.load`` and ``evalkit.results`` are the two entry points (see ``docs/api.md``)::

    import evalkit
    view = evalkit.load("xinshi-rd", 2023)   # the last line of a cell shows a score card
    view.rescore("execution-interval")         # the same inputs under another rulebook
    view.audit()                               # what the audit found
    view.chart("indicator_scores")             # any of the report's charts
    view.narrative()                           # the report's sections, as in the HTML report
    df = evalkit.results("outputs")            # every built unit-year, one row per item

A :class:`UnitYearView` is a frozen value: :meth:`UnitYearView.rescore` returns a new one. All
text from the inputs is escaped in the score card, as in the report.

>>> view = load("xinshi-rd", 2023)
>>> view.evaluation.total.text(), view.evaluation.grade
('91.73', '优')
>>> other = view.rescore("execution-interval")
>>> other.evaluation.total.text(), other.evaluation.grade, view.evaluation.total.text()
('89.79', '良', '91.73')
>>> sorted({f.code for f in view.audit()})
['E-COMPLETION-MISMATCH', 'W-ADJUSTED-TARGET-UNSTATED']
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from evalkit.core.figures import fmt
from evalkit.core.scoring import Evaluation
from evalkit.errors import InputError
from evalkit.inputs.params import (
    LoadedUnitYear,
    UnitYearRef,
    discover,
    load_unit_year,
    resolve_path,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from evalkit.audit import Finding
    from evalkit.report.render import Html, Report

__all__ = ["CHARTS", "UnitYearView", "load", "results"]

#: The report's charts by name (the functions of :mod:`evalkit.report.charts`) and their Chinese titles.
CHARTS = {
    "budget_bridge": "预算调整与执行",
    "spending_composition": "支出结构",
    "projects_budget_actual": "项目预算与执行",
    "indicator_completion": "绩效指标完成情况",
    "indicator_scores": "指标得分",
    "trends": "历年趋势",
}

#: The report's sections, in order (methods of :class:`evalkit.report.Report`).
SECTIONS = (
    "summary",
    "profile",
    "spending",
    "performance",
    "conclusion",
    "problems",
    "measures",
    "appendix",
)

_SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# The score card. Scoped styles with translucent colours, so it reads in light and dark themes;
# where JupyterLab strips styles (an untrusted notebook) it is still a plain, readable table.
_SCORECARD = """\
<div class="evalkit-scorecard" lang="zh">
<style>
.evalkit-scorecard { font-size: 13px; line-height: 1.5; max-width: 60rem; }
.evalkit-scorecard .ek-head { margin: 0 0 .4rem; }
.evalkit-scorecard .ek-meta { opacity: .75; }
.evalkit-scorecard .ek-cards { display: flex; flex-wrap: wrap; gap: .5rem; margin: .4rem 0 .6rem; }
.evalkit-scorecard .ek-card { border: 1px solid rgba(128,128,128,.35); border-radius: 6px; padding: .3rem .7rem; min-width: 7rem; }
.evalkit-scorecard .ek-card b { display: block; font-size: 1.5em; }
.evalkit-scorecard .ek-card span { opacity: .75; font-size: .9em; }
.evalkit-scorecard table { border-collapse: collapse; margin: .3rem 0 .8rem; }
.evalkit-scorecard th, .evalkit-scorecard td { border: 1px solid rgba(128,128,128,.3); padding: .2rem .45rem; text-align: left; vertical-align: top; }
.evalkit-scorecard td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.evalkit-scorecard tr.lost td { background: rgba(230,140,0,.13); }
.evalkit-scorecard tr.na td { opacity: .6; }
.evalkit-scorecard tr.total td { font-weight: bold; }
.evalkit-scorecard tr.sev-error td { background: rgba(200,40,30,.12); }
.evalkit-scorecard tr.sev-warning td { background: rgba(230,140,0,.12); }
.evalkit-scorecard .ek-bar { display: inline-block; width: 6rem; height: .6rem; background: rgba(128,128,128,.25); vertical-align: middle; }
.evalkit-scorecard .ek-bar i { display: block; height: 100%; background: #0072B2; }
.evalkit-scorecard .ek-note { color: #b3261e; }
</style>
<p class="ek-head"><strong>{{ v.evaluation.unit.name }}</strong>　{{ v.year }} 年度{{ v.evaluation.kind_label }}绩效自评
<br><span class="ek-meta">单位编号 {{ v.unit_id }} · 评分规则：{{ v.evaluation.rulebook.title }}（{{ v.evaluation.rulebook.name }}） · {{ v.loaded.ref.path }}</span></p>
<div class="ek-cards">
<div class="ek-card"><span>综合得分</span><b>{{ v.evaluation.total.text() }}</b></div>
<div class="ek-card"><span>评价等级</span><b>{{ v.evaluation.grade }}</b></div>
<div class="ek-card"><span>预算执行率</span><b>{{ v.evaluation.execution_rate.text() }}</b></div>
<div class="ek-card"><span>复核：错误 / 警告 / 提示</span><b>{{ counts.error }} / {{ counts.warning }} / {{ counts.info }}</b></div>
</div>
{% if reported %}<p class="ek-note">报告所列：{{ reported }}；按评分规则重算：{{ v.evaluation.total.text() }} 分（{{ v.evaluation.grade }}）。</p>{% endif %}
<table>
<caption>绩效指标得分与分值</caption>
<thead><tr><th>指标</th><th>指标值</th><th>实际完成值</th><th>完成率</th><th>分值</th><th>得分</th><th>失分</th><th>得分 / 分值</th></tr></thead>
<tbody>
{% for row in rows %}
<tr{% if row.cls %} class="{{ row.cls }}"{% endif %}><td>{{ row.name }}</td><td>{{ row.target }}</td><td>{{ row.actual }}</td><td class="num">{{ row.completion }}</td><td class="num">{{ row.weight }}</td><td class="num">{{ row.score }}</td><td class="num">{{ row.lost }}</td><td>{% if row.share is not none %}<span class="ek-bar" title="{{ row.share }}%"><i style="width: {{ row.share }}%"></i></span>{% endif %}</td></tr>
{% endfor %}
</tbody>
</table>
{% if findings %}
<table>
<caption>复核发现（{{ findings | length }} 项）</caption>
<thead><tr><th>级别</th><th>代码</th><th>位置</th><th>报告所列</th><th>重算</th><th>说明</th></tr></thead>
<tbody>
{% for f in findings %}
<tr class="sev-{{ f.severity }}"><td>{{ labels.get(f.severity, f.severity) }}</td><td>{{ f.code }}</td><td>{{ f.indicator or f.field or "" }}</td><td>{{ f.printed or "—" }}</td><td>{{ f.recomputed or "—" }}</td><td>{{ f.message }}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>复核未发现报告数字与输入数据或评分规则不一致之处。</p>
{% endif %}
{% for note in notes %}<p class="ek-meta">注：{{ note }}</p>{% endfor %}
</div>
"""

_TEMPLATE: jinja2.Template | None = None


def _scorecard_template() -> jinja2.Template:
    global _TEMPLATE
    if _TEMPLATE is None:
        env = jinja2.Environment(
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True
        )
        _TEMPLATE = env.from_string(_SCORECARD)
    return _TEMPLATE


@dataclass(frozen=True)
class _Row:
    name: str
    target: str
    actual: str
    completion: str
    weight: str
    score: str
    lost: str
    share: str | None
    cls: str


def _share(score: Decimal | None, weight: Decimal) -> str | None:
    """Score as a percentage of the weight, for the bar (0–100, one decimal)."""
    if score is None or not weight:
        return None
    return fmt(max(Decimal(0), min(Decimal(100), score / weight * 100)), 1)


@dataclass(frozen=True, repr=False)
class UnitYearView:
    """A scored unit-year for exploring: its inputs, evaluation and, on demand, audit and charts.

    Made by :func:`load`. Shown in JupyterLab as a score card (total, grade, execution rate, the
    indicator table with scores against weights, the audit's findings).

    Attributes
    ----------
    loaded:
        The validated inputs (:class:`~evalkit.inputs.params.LoadedUnitYear`) with their rulebook.
    evaluation:
        The scores (:class:`~evalkit.core.scoring.Evaluation`), every figure with its formula.
    rulebook_override:
        The rulebook chosen in :func:`load` or :meth:`rescore`, ``None`` for the year file's own.
    """

    loaded: LoadedUnitYear
    evaluation: Evaluation
    rulebook_override: str | None = None

    # ------------------------------------------------------------------ identity

    @property
    def unit_id(self) -> str:
        return self.loaded.ref.unit_id

    @property
    def year(self) -> int:
        return self.loaded.ref.year

    def __repr__(self) -> str:
        ev = self.evaluation
        return (
            f"<UnitYearView {self.unit_id} {self.year}：{ev.total.text()} 分（{ev.grade}），"
            f"评分规则 {ev.rulebook.name}>"
        )

    # ------------------------------------------------------------------ operations

    def rescore(self, rulebook: str | Path) -> UnitYearView:
        """The same inputs scored under another rulebook (a shipped name or a rulebook file).

        >>> load("xinshi-rd", 2023).rescore("integer-scores").evaluation.total.text()
        '92'
        """
        loaded = load_unit_year(self.loaded.ref, rulebook=str(rulebook))
        return UnitYearView(loaded, loaded.evaluate(), str(rulebook))

    @cached_property
    def _findings(self) -> tuple[Finding, ...]:
        from evalkit.audit import audit_unit_year

        return tuple(audit_unit_year(self.loaded))

    def audit(self) -> list[Finding]:
        """The audit's findings under this view's rulebook, errors first.

        >>> [f.indicator for f in load("xinshi-rd", 2023).audit() if f.severity == "error"]
        ['预算经费', '职工代表满意度']
        """
        return list(self._findings)

    def history(self) -> list[Evaluation]:
        """Earlier years of this unit of the same kind, scored (under the same rulebook choice)."""
        return self._report().history

    def chart(self, name: str) -> Figure | None:
        """One of the report's charts by name (see :data:`CHARTS`); ``None`` when it has nothing
        to show (no projects, or a single year for ``trends``).

        >>> load("xinshi-rd", 2023).chart("indicator_scores") is not None
        True
        """
        from evalkit.report import charts

        if name not in CHARTS:
            known = "、".join(f"{key}（{title}）" for key, title in CHARTS.items())
            raise ValueError(f"未知的图表“{name}”；可用的有：{known}")
        if name == "trends":
            return charts.trends([*self.history(), self.evaluation])
        return getattr(charts, name)(self.evaluation)

    def charts(self) -> list[tuple[str, Figure]]:
        """Every chart with something to show, in report order, with its Chinese title."""
        from evalkit.report import charts

        return charts.all_charts(self.evaluation, self.history())

    def narrative(self, *sections: str) -> Html:
        """The report's sections (all of them, or those named: ``"summary"``, ``"performance"``…)
        as one HTML block, exactly as the HTML report writes them, charts included."""
        from evalkit.report.render import Html

        unknown = [s for s in sections if s not in SECTIONS]
        if unknown:
            raise ValueError(
                f"未知的报告部分：{'、'.join(unknown)}；可用的有：{'、'.join(SECTIONS)}"
            )
        report = self._report()
        return Html("\n".join(str(getattr(report, name)()) for name in sections or SECTIONS))

    def _report(self) -> Report:
        """A fresh :class:`~evalkit.report.Report` (figure and table numbers start at 1)."""
        from evalkit.report.render import Report

        ref = self.loaded.ref
        return Report.load(ref.path.parent.parent, ref.unit_id, ref.year, self.rulebook_override)

    # ------------------------------------------------------------------ tables

    def record(self) -> dict[str, Any]:
        """This unit-year's results record (:func:`evalkit.publish.records.unit_year_record`)."""
        from evalkit.publish.records import unit_year_record

        return unit_year_record(self.loaded, self.evaluation, self.audit(), status="built")

    @property
    def indicators(self) -> pd.DataFrame:
        """The scored items as a tidy table (the rows :func:`evalkit.results` would hold).

        >>> df = load("xinshi-rd", 2023).indicators
        >>> df[["indicator", "weight", "score"]].iloc[1].tolist()
        ['培训费下降率', Decimal('8.000000'), Decimal('0.000000')]
        """
        from evalkit.publish.records import results_frame

        return results_frame([self.record()])

    def _repr_html_(self) -> str:
        from evalkit.report.render import (
            actual_text,
            completion_text,
            row_class,
            score_text,
            target_text,
        )

        ev = self.evaluation
        rows = [
            _Row(
                "预算执行率",
                "= 100%",
                ev.execution_rate.text(),
                ev.execution_rate.text(),
                fmt(ev.execution_weight),
                ev.execution_score.text(),
                "—" if None in (ev.execution_weight, ev.execution_score.value)
                else fmt(ev.execution_weight - ev.execution_score.value, 6),
                _share(ev.execution_score.value, ev.execution_weight),
                "lost" if None not in (ev.execution_weight, ev.execution_score.value)
                and ev.execution_score.value < ev.execution_weight else "",
            )
        ]
        for s in ev.indicators:
            score = None if s.score is None else s.score.value
            rows.append(
                _Row(
                    s.name,
                    target_text(s),
                    actual_text(s),
                    completion_text(s),
                    fmt(s.weight),
                    score_text(s),
                    "—" if score is None else fmt(s.lost, 6),
                    _share(score, s.weight),
                    row_class(s),
                )
            )
        rows.append(_Row("合计", "", "", "", fmt(ev.weight_total), ev.total.text(), "", None, "total"))
        reported = ev.year.reported
        printed = ""
        if reported is not None and (reported.total, reported.grade) != (None, None):
            if reported.total != ev.total.value or reported.grade != ev.grade:
                total = "—" if reported.total is None else fmt(reported.total, 6)
                printed = f"{total} 分（{reported.grade or '—'}）"
        findings = self.audit()
        counts = {key: sum(1 for f in findings if f.severity == key) for key in _SEVERITY_LABELS}
        notes = [*ev.notes, *(flag for s in ev.indicators for flag in s.flags)]
        return _scorecard_template().render(
            v=self,
            rows=rows,
            reported=printed,
            findings=findings,
            counts=counts,
            labels=_SEVERITY_LABELS,
            notes=notes,
        )


def _pick(
    refs: list[UnitYearRef], unit_id: str | None, year: int | None, where: str
) -> UnitYearRef:
    if unit_id is not None:
        refs = [r for r in refs if r.unit_id == unit_id]
    units = sorted({r.unit_id for r in refs})
    if len(units) > 1:
        raise InputError(
            f"此处有多个单位（{'、'.join(units[:10])}…），请给出单位编号 unit_id", file=where
        )
    if year is not None:
        matching = [r for r in refs if r.year == int(year)]
        if not matching:
            years = "、".join(str(r.year) for r in refs) or "（无）"
            raise InputError(f"没有 {year} 年度的参数文件；已有年度：{years}", file=where)
        refs = matching
    if not refs:
        raise InputError("没有找到年度参数文件", file=where)
    return max(refs, key=lambda r: r.year)


def load(
    unit_id: str | None = None,
    year: int | None = None,
    *,
    params_dir: str | Path = "params",
    path: str | Path | None = None,
    rulebook: str | Path | None = None,
) -> UnitYearView:
    """Load and score one unit-year, by unit and year or by path.

    Parameters
    ----------
    unit_id, year:
        The unit (its folder under ``params_dir``) and year; without ``year``, its latest year.
    params_dir:
        The params folder (default ``params``, relative to the working directory).
    path:
        Instead of ``unit_id``: a year file (``params/xinshi-rd/2023.yaml``) or a unit folder.
    rulebook:
        Score under this rulebook (a shipped name or a file) instead of the year file's own.

    Raises
    ------
    InputError
        When the unit-year does not exist or its inputs cannot be read or scored; the message
        (Chinese) names the file and field.

    Examples
    --------
    >>> load("demo-edu").year
    2024
    >>> load(path="params/xinshi-rd/2023.yaml").evaluation.execution_rate.text()
    '99.43%'
    """
    if path is not None:
        where = str(path)
        refs = resolve_path(Path(path))
    elif unit_id is not None:
        where = str(params_dir)
        refs = discover(Path(params_dir), unit=unit_id)
    else:
        raise InputError("请给出单位编号（unit_id）或年度文件路径（path）")
    ref = _pick(refs, unit_id, year, where)
    choice = None if rulebook is None else str(rulebook)
    loaded = load_unit_year(ref, rulebook=choice)
    return UnitYearView(loaded, loaded.evaluate(), choice)


def results(outputs_dir: str | Path = "outputs") -> pd.DataFrame:
    """The tidy results table of a build: ``results.parquet``, or the sidecar records without it.

    One row per scored item per unit-year (see :mod:`evalkit.publish.records` for the columns); figures
    are exact decimals (``decimal128`` Arrow columns).

    >>> import tempfile
    >>> from evalkit.publish.records import write_record
    >>> out = tempfile.mkdtemp()
    >>> _ = write_record(out, load("xinshi-rd", 2023).record())
    >>> df = results(out)
    >>> df.loc[df["row_kind"] == "execution", "score"].tolist()
    [Decimal('9.940000')]
    """
    from evalkit.publish.records import RESULTS_PARQUET, read_records, read_results, results_frame

    out = Path(outputs_dir)
    if (out / RESULTS_PARQUET).is_file():
        return read_results(out)
    if not out.is_dir():
        raise InputError("输出目录不存在；请先运行 evalkit build", file=str(out))
    return results_frame(read_records(out))
