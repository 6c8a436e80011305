"""The report's charts: one pure function per chart, from an :class:`~evalkit.core.scoring.Evaluation`.

Each function returns a :class:`ChartFigure` (a :class:`matplotlib.figure.Figure` built with the
object-oriented API, never through pyplot), or ``None`` when it has nothing to show. No pyplot
state is touched, so charts do not leak between calls and can be built in worker processes.

Every number printed on a chart is the report's own figure, rounded and written by
:mod:`evalkit.core.figures` (``99.43%``, ``422.89``); floats are used only to place marks. Colours come
from :data:`PALETTE` (Okabe–Ito, safe for colour-blind readers); light and dark tones and hatches
keep series apart when the report is printed in greyscale.

In a notebook, a chart returned as the last expression of a cell is shown as a PNG (``ChartFigure``
has ``_repr_png_``), and nbconvert embeds that PNG in the HTML as ``data:image/png;base64``::

    from evalkit.report import charts
    charts.budget_bridge(evaluation)        # last line of the cell

For several charts in one cell, ``IPython.display.display(fig)`` each. Outside a notebook,
:func:`to_png` gives the same bytes (deterministic: no timestamp or software metadata).

>>> from evalkit import evaluate_path
>>> ev = evaluate_path("params/xinshi-rd/2023.yaml")
>>> [(title, type(fig).__name__) for title, fig in all_charts(ev)][:2]
[('预算调整与执行', 'ChartFigure'), ('支出结构', 'ChartFigure')]
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from evalkit.core.scoring import Evaluation
from evalkit.report.charts.base import PALETTE, PNG_DPI, SOURCE_COLOURS, ChartFigure, to_png
from evalkit.report.charts.budget import budget_bridge, projects_budget_actual, spending_composition
from evalkit.report.charts.indicators import indicator_completion, indicator_scores
from evalkit.report.charts.trends import trends

__all__ = [
    "PALETTE",
    "SOURCE_COLOURS",
    "PNG_DPI",
    "ChartFigure",
    "to_png",
    "budget_bridge",
    "spending_composition",
    "projects_budget_actual",
    "indicator_completion",
    "indicator_scores",
    "trends",
    "all_charts",
]

# --------------------------------------------------------------------------- all


def all_charts(ev: Evaluation, history: Sequence[Evaluation] = ()) -> list[tuple[str, Figure]]:
    """Every chart with something to show, in report order, each with its Chinese title.

    The order follows the report: budget (一), spending and projects (二), indicators (三),
    scores and total (四), then trends. ``history`` holds other years of the same unit; the
    trend chart is added when, with ``ev``, they cover at least two years (``ev`` wins over a
    history entry of the same year).

    >>> from evalkit import evaluate_path
    >>> [title for title, _ in all_charts(evaluate_path("params/xinshi-rd/2023.yaml"))]
    ['预算调整与执行', '支出结构', '项目预算与执行', '绩效指标完成情况', '指标得分']
    """
    by_year = {item.year.year: item for item in history}
    by_year[ev.year.year] = ev
    candidates = [
        ("预算调整与执行", budget_bridge(ev)),
        ("支出结构", spending_composition(ev)),
        ("项目预算与执行", projects_budget_actual(ev)),
        ("绩效指标完成情况", indicator_completion(ev)),
        ("指标得分", indicator_scores(ev)),
        ("历年趋势", trends(list(by_year.values()))),
    ]
    return [(title, fig) for title, fig in candidates if fig is not None]
