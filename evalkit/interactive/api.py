"""The interactive API: load a unit-year in JupyterLab, look at it, rescore it, chart it.

``evalkit.load`` and ``evalkit.results`` are the two entry points (see ``docs/api.md``)::

    import evalkit
    view = evalkit.load("xinshi-rd", 2023)   # the last line of a cell shows a score card
    view.rescore("execution-interval")         # what-if: another rulebook, compared with this one
    view.what_if_panel()                       # what-if: change a target, actual or weight (lab extra)
    view.audit()                               # what the audit found
    view.chart("indicator_scores")             # any of the report's charts
    view.narrative()                           # the report's sections, as in the HTML report
    df = evalkit.results("outputs")            # every built unit-year, one row per item

A :class:`UnitYearView` is a frozen value: :meth:`UnitYearView.rescore` returns a
:class:`~evalkit.interactive.compare.Comparison` holding a new one. All text from the inputs is
escaped in the score card, as in the report. Without ``params_dir``/``outputs_dir`` the project's
folders are found from the working directory (a notebook in ``notebooks/`` included).

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

import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.core.scoring import Evaluation
from evalkit.errors import InputError
from evalkit.inputs.params import (
    LoadedUnitYear,
    UnitYearRef,
    discover,
    load_unit_year,
    resolve_path,
)
from evalkit.interactive.locate import project_dir, project_root

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from evalkit.audit import Finding
    from evalkit.interactive.compare import Comparison
    from evalkit.interactive.display import Table
    from evalkit.interactive.narrative import Narrative
    from evalkit.interactive.scorecard import Findings
    from evalkit.report.render import Report

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
    #: For a what-if (:meth:`rescore`, the what-if panel): the view it departs from, whose
    #: audit stands (the unit printed its report under its own rulebook), and what was changed.
    baseline: UnitYearView | None = None
    what: str = ""

    # ------------------------------------------------------------------ identity

    @property
    def unit_id(self) -> str:
        return self.loaded.ref.unit_id

    @property
    def year(self) -> int:
        return self.loaded.ref.year

    def __repr__(self) -> str:
        ev = self.evaluation
        kind = "假设分析 " if self.baseline is not None else ""
        return (
            f"<UnitYearView {kind}{self.unit_id} {self.year}：{ev.total.text()} 分（{ev.grade}），"
            f"评分规则 {ev.rulebook.name}>"
        )

    # ------------------------------------------------------------------ operations

    def rescore(self, rulebook: str | Path) -> Comparison:
        """A what-if: the same inputs scored under another rulebook (a shipped name or a file),
        compared with this view — totals, grades and every item whose score changed.

        The audit is not re-run under the other rulebook (the unit printed its report under its
        own); ``.alternative`` is the rescored view, ``.evaluation`` its scores.

        >>> load("xinshi-rd", 2023).rescore("integer-scores").evaluation.total.text()
        '92'
        >>> [c.item for c in load("xinshi-rd", 2023).rescore("execution-interval").changes()]
        ['预算执行率']
        """
        from evalkit.interactive.compare import Comparison

        loaded = load_unit_year(self.loaded.ref, rulebook=str(rulebook))
        base = self.baseline or self
        what = f"按评分规则“{loaded.rulebook.title}”（{loaded.rulebook.name}）重算"
        view = UnitYearView(loaded, loaded.evaluate(), str(rulebook), base, what)
        return Comparison(self, view, what)

    def what_if(
        self,
        item: str,
        *,
        target: str | None = None,
        actual: str | None = None,
        weight: str | None = None,
    ) -> Comparison:
        """A what-if: one item's target, actual or weight changed (``"预算执行率"``: its weight),
        compared with this view. Nothing is written.

        >>> load("xinshi-rd", 2023).what_if("培训费下降率", actual="5").evaluation.total.text()
        '99.73'
        """
        from evalkit.interactive.panel import what_if

        return what_if(self, item, target=target, actual=actual, weight=weight)

    def what_if_panel(self) -> Any:
        """An ipywidgets panel: change an indicator's target, actual or weight (or the execution
        rate's weight) and see the new total, grade and changed items at once. Needs the ``lab``
        extra (``pip install 'evalkit[lab]'``)."""
        from evalkit.interactive.panel import WhatIfPanel

        return WhatIfPanel(self).widget

    @cached_property
    def _findings(self) -> tuple[Finding, ...]:
        from evalkit.audit import audit_unit_year

        return tuple(audit_unit_year(self.loaded))

    def audit(self) -> Findings:
        """The audit's findings under this view's rulebook, errors first; shown as a table.
        A what-if view returns the findings of the view it departs from.

        >>> [f.indicator for f in load("xinshi-rd", 2023).audit() if f.severity == "error"]
        ['预算经费', '职工代表满意度']
        """
        from evalkit.interactive.scorecard import Findings

        if self.baseline is not None:
            return self.baseline.audit()
        return Findings(self._findings)

    def history(self) -> list[Evaluation]:
        """Earlier years of this unit of the same kind, scored (under the same rulebook choice)."""
        return self._report().history

    def chart(self, name: str) -> Figure | None:
        """One of the report's charts by name (see :data:`CHARTS`); ``None`` when it has nothing
        to show (no projects, or a single year for ``trends``).

        >>> load("xinshi-rd", 2023).chart("indicator_scores") is not None
        True
        """
        from evalkit.interactive.display import for_lab
        from evalkit.report import charts

        if name not in CHARTS:
            known = "、".join(f"{key}（{title}）" for key, title in CHARTS.items())
            raise InputError(f"未知的图表“{name}”；可用的有：{known}", field="chart")
        if name == "trends":
            history = self.history()
            if not history:
                print(
                    f"历年趋势需要本单位同一评价类型的两个以上年度；"
                    f"{self.unit_id} 只有 {self.year} 年度的{self.evaluation.kind_label}评价。"
                )
                return None
            return for_lab(charts.trends([*history, self.evaluation]))
        return for_lab(getattr(charts, name)(self.evaluation))

    def charts(self) -> list[tuple[str, Figure]]:
        """Every chart with something to show, in report order, with its Chinese title."""
        from evalkit.interactive.display import for_lab
        from evalkit.report import charts

        return [(title, for_lab(fig)) for title, fig in charts.all_charts(self.evaluation, self.history())]

    def narrative(self, *sections: str) -> Narrative:
        """The report's sections (all of them, or those named: ``"summary"``, ``"performance"``…)
        exactly as the HTML report writes them, charts included, shown in JupyterLab with the
        report's stylesheet and font (``str(...)`` is the bare markup)."""
        from evalkit.interactive.narrative import Narrative

        unknown = [s for s in sections if s not in SECTIONS]
        if unknown:
            raise InputError(
                f"未知的报告部分：{'、'.join(unknown)}；可用的有：{'、'.join(SECTIONS)}",
                field="narrative",
            )
        report = self._report()
        markup = "\n".join(str(getattr(report, name)()) for name in sections or SECTIONS)
        return Narrative(markup, report.font_style(markup), report.title)

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
    def indicators(self) -> Table:
        """The scored items as a tidy table (the rows :func:`evalkit.results` would hold).

        >>> df = load("xinshi-rd", 2023).indicators
        >>> df[["indicator", "weight", "score"]].iloc[1].tolist()
        ['培训费下降率', Decimal('8.000000'), Decimal('0.000000')]
        """
        from evalkit.interactive.display import Table
        from evalkit.publish.records import results_frame

        return Table(results_frame([self.record()]))

    def _repr_html_(self) -> str:
        from evalkit.interactive.scorecard import scorecard_html

        what_if = ""
        if self.baseline is not None:
            what_if = (
                f"假设分析：{self.what or '另一种评分'}。这不是该单位的评分结论；"
                f"复核结果为按原评分规则“{self.baseline.evaluation.rulebook.title}”所得。"
            )
        return scorecard_html(
            self.evaluation,
            self.audit(),
            unit_id=self.unit_id,
            source=_shown_path(self.loaded.ref.path),
            what_if=what_if,
        )


def _shown_path(path: Path) -> str:
    """A path relative to the working directory when it is below it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _register_ipython_formatters() -> None:
    """In IPython, an :class:`~evalkit.core.scoring.Evaluation` shows as a score card (HTML) and
    prints in one line, and a :class:`~evalkit.core.figures.Figure` prints with its formula."""
    ipython = sys.modules.get("IPython")  # only when IPython runs this (it imports itself first)
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    from evalkit.core.figures import Figure
    from evalkit.interactive.scorecard import evaluation_html, evaluation_text

    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(Evaluation, evaluation_html)
    formatters["text/plain"].for_type(Evaluation, lambda ev, p, cycle: p.text(evaluation_text(ev)))
    formatters["text/plain"].for_type(Figure, lambda fig, p, cycle: p.text(fig.explain()))


_register_ipython_formatters()


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
    params_dir: str | Path | None = None,
    path: str | Path | None = None,
    rulebook: str | Path | None = None,
) -> UnitYearView:
    """Load and score one unit-year, by unit and year or by path.

    Parameters
    ----------
    unit_id, year:
        The unit (its folder under ``params_dir``) and year; without ``year``, its latest year.
    params_dir:
        The params folder. By default the project's: ``$EVALKIT_PARAMS``, else ``[tool.evalkit]
        params`` in ``pyproject.toml``, else a ``params/`` folder found from the working directory
        up to the project root, so it works from ``notebooks/`` (see
        :mod:`evalkit.interactive.locate`).
    path:
        Instead of ``unit_id``: a year file (``params/xinshi-rd/2023.yaml``) or a unit folder;
        relative to the working directory, or else to the project root.
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
        refs = resolve_path(_from_root(Path(path)))
    elif unit_id is not None:
        found = project_dir("params", params_dir)
        where = str(found)
        refs = discover(found, unit=unit_id)
    else:
        raise InputError("请给出单位编号（unit_id）或年度文件路径（path）")
    ref = _pick(refs, unit_id, year, where)
    choice = None if rulebook is None else str(rulebook)
    loaded = load_unit_year(ref, rulebook=choice)
    return UnitYearView(loaded, loaded.evaluate(), choice)


def _from_root(path: Path) -> Path:
    """A relative path that does not exist here, tried from the project root and from the folder
    holding the project's params (a notebook in ``notebooks/`` writing
    ``params/xinshi-rd/2023.yaml``)."""
    if path.is_absolute() or path.exists():
        return path
    bases = [project_root()]
    try:
        bases.append(project_dir("params").parent)
    except InputError:
        pass
    for base in bases:
        if base is not None and (base / path).exists():
            return base / path
    return path


def results(outputs_dir: str | Path | None = None, *, labels: str = "zh") -> Table:
    """The tidy results table of a build: ``results.parquet``, or the sidecar records without it.

    One row per scored item per unit-year (see :mod:`evalkit.publish.records` for the columns); figures
    are exact decimals (``decimal128`` Arrow columns). ``outputs_dir`` defaults to the project's
    (``$EVALKIT_OUTPUTS``, ``[tool.evalkit] outputs``, or ``outputs/`` found upwards). The table
    shows itself in JupyterLab with Chinese column labels (``labels="en"``: the column names),
    exact decimals and a link to each unit-year's report; it is a DataFrame in every other way.

    >>> import tempfile
    >>> from evalkit.publish.records import write_record
    >>> out = tempfile.mkdtemp()
    >>> _ = write_record(out, load("xinshi-rd", 2023).record())
    >>> df = results(out)
    >>> df.loc[df["row_kind"] == "execution", "score"].tolist()
    [Decimal('9.940000')]
    """
    from evalkit.interactive.display import Table
    from evalkit.publish.records import RESULTS_PARQUET, read_records, read_results, results_frame

    if labels not in ("zh", "en"):
        raise InputError(f"labels 应为 \"zh\" 或 \"en\"，实际为“{labels}”", field="labels")
    out = project_dir("outputs", outputs_dir, must_exist=False)
    if (out / RESULTS_PARQUET).is_file():
        frame = read_results(out)
    elif not out.is_dir():
        raise InputError(
            "输出目录不存在；请先运行 evalkit build（或 make report），或用 outputs_dir= 指定",
            file=str(out),
        )
    else:
        records = read_records(out)
        if not records:
            raise InputError(
                "输出目录中没有结果（results.parquet 或各单位年度的 .json 记录）；"
                "请先运行 evalkit build（或 make report）",
                file=str(out),
            )
        frame = results_frame(records)
    table = Table(frame)
    table.attrs.update(labels=labels, outputs_dir=str(out))
    return table
