"""One unit across years: total, execution rate and indicator completion."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from matplotlib.axes import Axes

from evalkit.core.figures import fmt, fmt_pct
from evalkit.core.scoring import Evaluation
from evalkit.report.charts.base import (
    _COMPLETION_AXIS_CAP,
    _LABEL_SIZE,
    _SMALL_SIZE,
    HUNDRED,
    PALETTE,
    ChartFigure,
    _new_figure,
    _Panel,
    _style,
    _value_ticks,
    _wrap,
)
from evalkit.report.charts.ticks import fixed_ticks

# --------------------------------------------------------------------------- trends


def trends(evaluations: Sequence[Evaluation]) -> ChartFigure | None:
    """One unit across years: total score, budget execution rate and each indicator's completion.

    Indicators are matched by name and get a small panel each (same scale, 100% line) when at
    least two years have a completion rate (the rate the report prints, under each year's
    rulebook). None with fewer than two years. Raises ``ValueError`` when the evaluations mix
    units or repeat a year.

    >>> from evalkit import evaluate_path
    >>> trends([evaluate_path("params/xinshi-rd/2023.yaml")]) is None
    True
    """
    units = sorted({ev.unit_id for ev in evaluations})
    if len(units) > 1:
        raise ValueError("历年趋势只能比较同一单位，收到：" + "、".join(units))
    years = sorted(ev.year.year for ev in evaluations)
    if len(set(years)) != len(years):
        raise ValueError(f"历年趋势中年度重复：{years}")
    if len(evaluations) < 2:
        return None
    history = sorted(evaluations, key=lambda ev: ev.year.year)
    series = _completion_series(history)
    latest = history[-1]
    notes = [f"{latest.unit.name} · {years[0]}—{years[-1]} 年度{latest.kind_label}绩效自评"]
    columns = 3
    grid_rows = (len(series) + columns - 1) // columns
    if series:
        notes.append(
            f"各指标完成率按各年评分规则计算；黑线为 100%；» 表示超过 {fmt_pct(_COMPLETION_AXIS_CAP, 0)}，点画在上沿、数值照写。"
        )
    else:
        notes.append("没有两年以上都有完成率的定量指标，未画指标趋势。")
    ceiling = _completion_ceiling(series)
    fig, axes = _new_figure(
        "历年趋势",
        [2.3] + ([0.35 + 1.55 * grid_rows] if series else []),
        notes,
        grids=[(1, 2, 2)] + ([(grid_rows, columns, len(series))] if series else []),
        panels=[(years[0] - 0.5, years[-1] + 0.5, 0.0, ceiling * 1.3)] * len(series) if series else None,
    )
    score_ax, rate_ax = axes[:2]
    grade_lines = [float(band.min) for band in latest.rulebook.grades.bands]
    for ax, title, values, labels, lines in (
        (
            score_ax,
            "总分与等级",
            [ev.total.value for ev in history],
            [f"{ev.total.text()} {ev.grade}" for ev in history],
            grade_lines,
        ),
        (
            rate_ax,
            "预算执行率",
            [ev.execution_rate.value for ev in history],
            [ev.execution_rate.text() for ev in history],
            [],
        ),
    ):
        floats = [float(v) for v in values if v is not None]
        _style(ax, value_axis="y")
        ax.plot(years, floats, color=PALETTE["actual"], marker="o", linewidth=1.8)
        low, high = max(0.0, min(min(floats) - 10, 70.0)), max(106.0, max(floats) + 8)
        per_point = (high - low) / _TOP_AXES_POINTS
        for year, value, label in zip(years, floats, labels, strict=True):
            below = _crosses(lines, value, per_point, above=True) and not _crosses(lines, value, per_point, above=False)
            ax.annotate(
                label,
                (year, value),
                xytext=(0, -7 if below else 7),
                textcoords="offset points",
                ha="center",
                va="top" if below else "baseline",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"],
            )
        ax.set_title(title, fontsize=_LABEL_SIZE + 1, loc="left", color=PALETTE["text"])
        ax.set_ylim(low, high)
        _year_axis(ax, years)
    low, high = score_ax.get_ylim()
    for band in latest.rulebook.grades.bands:
        if low < float(band.min) < high:
            score_ax.axhline(float(band.min), color=PALETTE["note"], linestyle=":", linewidth=0.8)
            score_ax.annotate(
                f"{band.grade} ≥ {fmt(band.min, 0)}",
                (1, float(band.min)),
                xycoords=("axes fraction", "data"),
                xytext=(-2, -2),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=_SMALL_SIZE - 1,
                color=PALETTE["note"],
            )
    rate_ax.yaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
    if series:
        _draw_completion_trends(axes[2:], years, series, columns, ceiling)
    return fig


#: Height of the score and execution-rate axes in points, about (the 2.3 in row less its title and
#: year labels): converts a value label's reach into score points.
_TOP_AXES_POINTS = 115.0


def _crosses(lines: Sequence[float], value: float, per_point: float, *, above: bool) -> bool:
    """Whether a value label 7 pt above (or below) its marker would sit on one of ``lines`` (the
    dotted grade thresholds): the label reaches from 4 to 19 pt away from the point's centre."""
    near, far = value + 4 * per_point, value + 19 * per_point
    if not above:
        near, far = value - 19 * per_point, value - 4 * per_point
    return any(near < line < far for line in lines)


def _completion_series(
    history: Sequence[Evaluation],
) -> list[tuple[str, list[tuple[int, Decimal, str]]]]:
    """Per indicator name (first-seen order): (year, completion, completion as printed), ≥ 2 years."""
    names = list(dict.fromkeys(item.name for ev in history for item in ev.indicators))
    series = []
    for name in names:
        points = [
            (ev.year.year, item.completion.value, item.completion.text())
            for ev in history
            for item in ev.indicators
            if item.name == name and item.completion.value is not None
        ]
        if len(points) >= 2:
            series.append((name, points))
    return series


def _year_axis(ax: Axes, years: Sequence[int]) -> None:
    fixed_ticks(ax, "x", list(years), [f"{year}年" for year in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    _value_ticks(ax, "x", grid=False)


def _completion_ceiling(series: list[tuple[str, list[tuple[int, Decimal, str]]]]) -> float:
    """The small multiples' shared scale: the highest completion up to 200% (at least 100%), + 10%."""
    values = [value for _, points in series for _, value, _ in points]
    return float(max([HUNDRED, *(v for v in values if v <= _COMPLETION_AXIS_CAP)])) * 1.1


def _draw_completion_trends(
    panels: Sequence[_Panel],
    years: list[int],
    series: list[tuple[str, list[tuple[int, Decimal, str]]]],
    columns: int,
    ceiling: float,
) -> None:
    """Small multiples: one panel per indicator on a shared scale; values beyond 200% sit on the top
    edge. Light panels (:class:`_Panel`), not axes: a frame, tick marks and labels drawn as text."""
    for i, (panel, (name, points)) in enumerate(zip(panels, series, strict=True)):
        x0, x1, _, _ = panel.limits
        panel.plot([x0, x1], [100, 100], color=PALETTE["target"], linewidth=0.9)
        ys = [min(float(value), ceiling) for _, value, _ in points]
        panel.plot(
            [year for year, _, _ in points],
            ys,
            color=PALETTE["actual"],
            marker="o",
            markersize=4,
            linewidth=1.5,
        )
        for (year, value, text), y in zip(points, ys, strict=True):
            capped = float(value) > ceiling
            above = capped or y > 100 or y < ceiling * 0.25  # keep labels off the 100% line
            panel.annotate(
                text + (" »" if capped else ""),
                (year, y),
                xytext=(0, 5 if above else -6),
                textcoords="offset points",
                ha="center",
                va="bottom" if above else "top",
                fontsize=_SMALL_SIZE - 1,
                color=PALETTE["text"],
            )
        panel.set_title(_wrap(name, 36), fontsize=_SMALL_SIZE, color=PALETTE["text"])
        panel.ticks("y", [0, 100], None if i % columns else ["0%", "100%"],
                    fontsize=_SMALL_SIZE - 1, color=PALETTE["text"])
        panel.ticks("x", years, [f"{year}年" for year in years], fontsize=_SMALL_SIZE - 1,
                    color=PALETTE["text"])
