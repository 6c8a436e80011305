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

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import PIL.Image
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from evalkit.core.figures import fmt, fmt_money, fmt_pct, percent_of
from evalkit.core.models import Project
from evalkit.core.scoring import Evaluation, IndicatorScore
from evalkit.core.targets import OP_SYMBOL, direction
from evalkit.report.fonts import use_cjk_font

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

# --------------------------------------------------------------------------- look

#: Every colour a chart uses, by role (Okabe & Ito 2008, colour-blind safe). Budget / actual and
#: mid-year / actual pairs are a light and a dark tone, so they stay apart in greyscale print.
PALETTE = {
    "budget": "#56B4E9",  # sky blue, light: a budget, a plan
    "actual": "#0072B2",  # blue, dark: what was spent or achieved
    "midyear": "#56B4E9",  # sky blue: the mid-year monitoring value
    "increase": "#009E73",  # bluish green: a budget increase
    "decrease": "#D55E00",  # vermillion: a budget cut
    "lost": "#D55E00",  # vermillion: points lost
    "weight": "#E8E8E8",  # light grey: points available
    "target": "#000000",
    "note": "#555555",
    "grid": "#DDDDDD",
    "text": "#222222",
}

#: Project funding sources (项目资金来源).
SOURCE_COLOURS = {"转移支付": "#0072B2", "本级财力": "#D55E00", "其他": "#CC79A7"}

_HATCH_LOST = "////"

#: Inches: 8 in at 100 dpi is 800 px, the report's column width; it also fits A4 portrait.
_WIDTH = 8.0
_SCREEN_DPI = 100
#: PNGs are drawn at 1.5× for crisp print; notebooks show them at the screen width.
PNG_DPI = 150

_TITLE_SIZE = 13
_LABEL_SIZE = 10
_SMALL_SIZE = 9
_LINE_INCHES = _SMALL_SIZE * 1.55 / 72
# Footnote columns (a 汉字 counts 2) that fit beside the widest axis labels of an 8 in figure.
_NOTE_COLUMNS = 96

#: Completion above this (percent of target) is drawn to the axis edge and its value written.
_COMPLETION_AXIS_CAP = Decimal(200)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class ChartFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that IPython shows as a PNG without pyplot.

    matplotlib's Figure has no ``_repr_png_``: it only displays as an image once pyplot (or
    ``%matplotlib inline``) has registered the inline backend's PNG formatter. Charts never import
    pyplot, so this class provides the PNG itself (:func:`to_png`, at :data:`PNG_DPI`, shown at
    800 px wide). Where the inline backend is active its own PNG formatter for Figure takes
    precedence (IPython looks up type printers first); either way the output is an image/png.
    """

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        width, height = self.get_size_inches()
        return to_png(self), {
            "width": round(width * _SCREEN_DPI),
            "height": round(height * _SCREEN_DPI),
        }


def to_png(fig: Figure, *, dpi: int = PNG_DPI) -> bytes:
    """The chart as PNG bytes: 256 colours, no date or software stamp, so the same chart gives the
    same bytes. The reference unit's charts are 25–50 KB each at 150 dpi (up to 180 KB as RGBA).

    >>> from evalkit import evaluate_path
    >>> to_png(budget_bridge(evaluate_path("params/xinshi-rd/2023.yaml")))[:4]
    b'\\x89PNG'
    """
    # Draw straight into the Agg buffer: a PNG written by savefig would only be decoded again.
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    screen_dpi = fig.dpi
    fig.dpi = dpi
    try:
        canvas.draw()
        image = PIL.Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba())
        # Flat colours and anti-aliased text fit a 256-colour palette with no visible loss.
        palette = image.convert("RGB").quantize(
            colors=256, method=PIL.Image.Quantize.FASTOCTREE, dither=PIL.Image.Dither.NONE
        )
    finally:
        fig.dpi = screen_dpi
    output = io.BytesIO()
    palette.save(output, format="png")
    return output.getvalue()


def _new_figure(
    title: str, sections: Sequence[float], notes: Sequence[str]
) -> tuple[ChartFigure, list[Axes]]:
    """A figure 8 in wide: a one-line title, one axes per section (heights in inches) stacked
    vertically, and the footnote lines under them; returns the figure and the section axes."""
    use_cjk_font()
    # A long unit or project name would run off the right edge: wrap each note to the width.
    notes = [line for note in notes for line in _break(note, _NOTE_COLUMNS)]
    notes_height = 0.1 + len(notes) * _LINE_INCHES
    height = 0.95 + sum(sections) + notes_height
    fig = ChartFigure(figsize=(_WIDTH, height), dpi=_SCREEN_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    fig.suptitle(title, fontsize=_TITLE_SIZE, color=PALETTE["text"])
    grid = fig.add_gridspec(len(sections) + 1, 1, height_ratios=[*sections, notes_height])
    axes = [fig.add_subplot(grid[i, 0]) for i in range(len(sections))]
    notes_ax = fig.add_subplot(grid[len(sections), 0])
    notes_ax.axis("off")
    notes_ax.text(
        0,
        1,
        "\n".join(notes),
        transform=notes_ax.transAxes,
        va="top",
        ha="left",
        fontsize=_SMALL_SIZE,
        color=PALETTE["note"],
        linespacing=1.45,
    )
    return fig, axes


def _caption(ev: Evaluation) -> str:
    """The first footnote line: whose figures, which year."""
    return f"{ev.unit.name} · {ev.year.year} 年度{ev.kind_label}绩效自评"


def _legend(ax: Axes, handles: Sequence[Artist]) -> None:
    """One legend row above the top axes, right-aligned (a panel title may sit on the left)."""
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1, 1.01),
        ncols=len(handles),
        fontsize=_SMALL_SIZE,
        frameon=False,
        borderaxespad=0,
        handlelength=1.6,
        columnspacing=1.2,
    )


def _style(ax: Axes, *, value_axis: str = "x") -> None:
    """Quiet axes: no top/right frame, a light grid along the value axis only."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color(PALETTE["note"])
    ax.tick_params(labelsize=_LABEL_SIZE, colors=PALETTE["text"])
    ax.grid(axis=value_axis, color=PALETTE["grid"], linewidth=0.8)
    ax.set_axisbelow(True)


def _rows(heights: Sequence[float]) -> tuple[list[float], float]:
    """Centres of rows of the given heights stacked from 0, and the total height."""
    centres, y = [], 0.0
    for h in heights:
        centres.append(y + h / 2)
        y += h
    return centres, y


# --------------------------------------------------------------------------- text


def _columns(char: str) -> int:
    # Ambiguous-width characters such as “ ” are drawn full width by CJK fonts.
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


_NO_LINE_START = set("，。、；：！？）》」』”’%％)]}·")


def _wrap(text: str, columns: int) -> str:
    """Wrap Chinese text in lines of at most ``columns`` (a 汉字 counts 2), of balanced length,
    never starting a line with closing punctuation.

    >>> _wrap("学前教育发展专项资金", 18)
    '学前教育发\\n展专项资金'
    """
    lines = _break(text, columns)
    total = sum(_columns(char) for char in text)
    width = -(-total // len(lines))  # the shortest width that keeps the same number of lines
    while len(balanced := _break(text, width)) > len(lines):
        width += 1
    return "\n".join(balanced)


def _break(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    line, used = "", 0
    for char in text:
        width = _columns(char)
        if used + width > columns and line and char not in _NO_LINE_START:
            lines.append(line)
            line, used = "", 0
        line += char
        used += width
    return [*lines, line] if line else lines or [""]


def _signed(value: Decimal) -> str:
    """A change as the report writes it: ``+121.2`` / ``-74.7``."""
    return ("+" if value >= 0 else "") + fmt_money(value)


def _quantity(value: Decimal | str | None, unit: str) -> str:
    """An indicator value with its unit: ``422.89万元``, ``96.11%``, ``17项``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{fmt(value, 2)}{unit}"


# --------------------------------------------------------------------------- budget


def budget_bridge(ev: Evaluation) -> ChartFigure:
    """The budget path as a bridge: 年初预算 → 年中调整 (±) → 全年预算 → 实际支出, with the execution rate.

    Without an initial budget only 全年预算 and 实际支出 are drawn; a cut is drawn downwards in
    vermillion. The execution rate printed is the evaluation's own figure (under its rulebook's
    denominator), with its formula as a footnote.

    >>> from evalkit import evaluate_path
    >>> fig = budget_bridge(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['年初预算', '年中调整', '全年预算', '实际支出']
    """
    budget = ev.year.budget
    bars: list[tuple[str, Decimal, Decimal, str]] = []  # label, from, to, role
    notes = [_caption(ev), ev.execution_rate.formula]
    adjustment = budget.adjustment_amount
    if budget.initial is not None:
        bars.append(("年初预算", ZERO, budget.initial, "budget"))
        if adjustment is not None:
            end = budget.initial + adjustment
            bars.append(
                ("年中调整", budget.initial, end, "increase" if adjustment >= 0 else "decrease")
            )
            if end != budget.final:
                notes.append(
                    f"注：年初预算 + 年中调整 = {fmt_money(end)}，与全年预算 {fmt_money(budget.final)}"
                    f" 相差 {fmt_money(budget.final - end)}，请核对。"
                )
        if ev.adjustment_rate is not None:
            notes.append(ev.adjustment_rate.formula)
    elif adjustment is not None:
        notes.append(f"年中调整 {_signed(adjustment)} 万元；未填写年初预算，调整过程未画出。")
    bars.append(("全年预算", ZERO, budget.final, "budget"))
    bars.append(("实际支出", ZERO, budget.actual, "actual"))

    fig, (ax,) = _new_figure("预算调整与执行（万元）", (3.9,), notes)
    _style(ax, value_axis="y")
    width = 0.56
    for x, (_, start, end, role) in enumerate(bars):
        low, high = min(start, end), max(start, end)
        change = role in ("increase", "decrease")
        ax.bar(
            x,
            float(high - low),
            bottom=float(low),
            width=width,
            color=PALETTE[role],
            edgecolor=PALETTE["text"],
            linewidth=0.6,
            hatch="//" if change else None,
        )
        text = _signed(end - start) if change else fmt_money(end)
        if change and ev.adjustment_rate is not None:
            text += f"\n调整率 {ev.adjustment_rate.text()}"
        # The actual bar's label goes above the dashed outline of what was not spent.
        label_at = max(high, budget.final) if role == "actual" else high
        ax.annotate(
            text,
            (x, float(label_at)),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=_LABEL_SIZE,
            color=PALETTE["text"],
        )
        if x + 1 < len(bars):  # connector at the level the next bar starts from (or reaches)
            ax.plot(
                [x + width / 2, x + 1 - width / 2],
                [float(end)] * 2,
                color=PALETTE["note"],
                linestyle="--",
                linewidth=0.8,
            )

    actual_x = len(bars) - 1
    unspent = budget.final - budget.actual
    if unspent > 0:
        ax.bar(
            actual_x,
            float(unspent),
            bottom=float(budget.actual),
            width=width,
            fill=False,
            edgecolor=PALETTE["note"],
            linestyle="--",
            linewidth=0.8,
        )
    gap = f"未执行 {fmt_money(unspent)}" if unspent >= 0 else f"超出全年预算 {fmt_money(-unspent)}"
    ax.annotate(
        f"预算执行率 {ev.execution_rate.text()}\n{gap}",
        (actual_x, float(max(budget.final, budget.actual))),
        xytext=(0, 24),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=_LABEL_SIZE,
        color=PALETTE["actual"],
        bbox={
            "boxstyle": "round,pad=0.35",
            "facecolor": "white",
            "edgecolor": PALETTE["actual"],
            "linewidth": 0.8,
        },
    )
    top = max(max(float(start), float(end)) for _, start, end, _ in bars)
    ax.set_xticks(range(len(bars)), [label for label, *_ in bars])
    ax.tick_params(axis="x", length=0)
    ax.set_ylabel("金额（万元）", fontsize=_LABEL_SIZE)
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)
    pad = max(0.0, (4 - len(bars)) / 2)  # two bars keep the width they have among four
    ax.set_xlim(-0.6 - pad, len(bars) - 0.4 + pad)
    return fig


@dataclass(frozen=True)
class _AmountRow:
    label: str
    final: Decimal | None
    actual: Decimal | None
    rate: str | None  # execution rate as printed


def _amount_rows(ev: Evaluation) -> tuple[list[_AmountRow], list[_AmountRow]]:
    """Rows for (basic vs project, personnel vs public), each labelled with its share."""
    budget = ev.year.budget
    dp = ev.rulebook.rounding.rate_dp
    parts: list[_AmountRow] = []
    for name, line, rate in (
        ("基本支出", budget.basic, ev.basic_execution_rate),
        ("项目支出", budget.project, ev.project_execution_rate),
    ):
        if line is None or (line.final is None and line.actual is None):
            continue
        share = percent_of(line.final, budget.final, dp)
        label = name if share is None else f"{name}\n占全年预算 {fmt_pct(share, dp)}"
        parts.append(
            _AmountRow(label, line.final, line.actual, None if rate is None else rate.text())
        )
    within_basic: list[_AmountRow] = []
    basic = budget.basic
    if basic is not None:
        for name, part in (("人员经费", basic.personnel), ("公用经费", basic.public)):
            if part is None or (part.final is None and part.actual is None):
                continue
            share = percent_of(part.final, basic.final, dp)
            label = name if share is None else f"{name}\n占基本支出 {fmt_pct(share, dp)}"
            rate = percent_of(part.actual, part.final, dp)
            within_basic.append(
                _AmountRow(
                    label, part.final, part.actual, None if rate is None else fmt_pct(rate, dp)
                )
            )
    return parts, within_basic


def _draw_amount_rows(ax: Axes, rows: Sequence[_AmountRow], limit: float) -> None:
    """全年预算 (light) above 实际支出 (dark) for each row; one centred bar when a panel has only one."""
    has_final = any(row.final is not None for row in rows)
    has_actual = any(row.actual is not None for row in rows)
    height = 0.34 if has_final and has_actual else 0.5
    offsets = (-height / 2, height / 2) if has_final and has_actual else (0.0, 0.0)
    for y, row in enumerate(rows):
        for offset, value, role in (
            (offsets[0], row.final, "budget"),
            (offsets[1], row.actual, "actual"),
        ):
            if value is None:
                continue
            ax.barh(
                y + offset,
                float(value),
                height=height,
                color=PALETTE[role],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
            )
            text = fmt_money(value)
            if role == "actual" and row.rate is not None:
                text += f"（执行率 {row.rate}）"
            ax.annotate(
                text,
                (float(value), y + offset),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"],
            )
    ax.set_yticks(range(len(rows)), [row.label for row in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, limit)
    ax.set_ylim(len(rows) - 0.45, -0.55)
    _style(ax)


def spending_composition(ev: Evaluation) -> ChartFigure | None:
    """Basic vs project spending (全年预算 and 实际支出), and 人员经费 vs 公用经费 within basic.

    Draws whichever of the two panels has figures, each row labelled with its share; None when
    neither has any.

    >>> from evalkit import evaluate_path
    >>> fig = spending_composition(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    ['基本支出与项目支出', '基本支出构成（人员经费与公用经费）']
    """
    parts, within_basic = _amount_rows(ev)
    panels = [
        (title, rows)
        for title, rows in (
            ("基本支出与项目支出", parts),
            ("基本支出构成（人员经费与公用经费）", within_basic),
        )
        if rows
    ]
    if not panels:
        return None
    fig, axes = _new_figure(
        "支出结构（万元）", [0.5 + 0.72 * len(rows) for _, rows in panels], [_caption(ev)]
    )
    values = [
        float(v)
        for _, rows in panels
        for row in rows
        for v in (row.final, row.actual)
        if v is not None
    ]
    limit = max(values) * 1.45 if max(values) > 0 else 1.0
    for ax, (title, rows) in zip(axes, panels, strict=True):
        _draw_amount_rows(ax, rows, limit)
        ax.set_title(title, fontsize=_LABEL_SIZE + 1, loc="left", color=PALETTE["text"])
    axes[-1].set_xlabel("金额（万元）", fontsize=_LABEL_SIZE)
    roles = [("budget", "全年预算", "final"), ("actual", "实际支出", "actual")]
    shown = [
        (role, label)
        for role, label, field in roles
        if any(getattr(row, field) is not None for _, rows in panels for row in rows)
    ]
    _legend(
        axes[0],
        [
            Patch(facecolor=PALETTE[role], edgecolor=PALETTE["text"], linewidth=0.4, label=label)
            for role, label in shown
        ],
    )
    return fig


# --------------------------------------------------------------------------- projects


def _tint(colour: str, share: float = 0.35) -> tuple[float, float, float]:
    """``colour`` mixed with white: ``share`` of the colour, the rest white."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (1 - share + share * r, 1 - share + share * g, 1 - share + share * b)


def projects_budget_actual(ev: Evaluation) -> ChartFigure | None:
    """Each project's budget (wide light bar) and amount executed (narrow dark bar), by funding source.

    Projects are grouped under 转移支付 / 本级财力 / 其他 headings with their subtotals, each
    source in its colour; long names are wrapped. None when the unit-year lists no projects.

    >>> from evalkit import evaluate_path
    >>> fig = projects_budget_actual(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['转移支付：1 项\\n预算 13，执行 11.05', '基层人大补助经费']
    """
    projects = ev.year.projects
    if not projects:
        return None
    dp = ev.rulebook.rounding.rate_dp
    rows: list[tuple[str, str, Project | None]] = []  # label, source, project (None: a heading)
    for source in SOURCE_COLOURS:
        members = [p for p in projects if p.source == source]
        if not members:
            continue
        budget = sum((p.budget for p in members), ZERO)
        actual = sum((p.actual for p in members), ZERO)
        rows.append(
            (
                f"{source}：{len(members)} 项\n预算 {fmt_money(budget)}，执行 {fmt_money(actual)}",
                source,
                None,
            )
        )
        rows.extend((_wrap(p.name, 18), source, p) for p in members)
    positions, total = _rows(
        [
            0.5 if project is None else max(0.48, 0.2 * (label.count("\n") + 1) + 0.12)
            for label, _, project in rows
        ]
    )
    fig, (ax,) = _new_figure(
        "项目预算与执行（万元）",
        (total + 0.45,),
        [_caption(ev), "条形末端数字：预算金额 → 执行金额（执行率 = 执行金额 ÷ 预算金额）"],
    )
    _style(ax)
    for (_, source, project), pos in zip(rows, positions, strict=True):
        if project is None:
            continue
        colour = SOURCE_COLOURS[source]
        ax.barh(
            pos,
            float(project.budget),
            height=0.3,
            color=_tint(colour),
            edgecolor=colour,
            linewidth=0.6,
        )
        ax.barh(pos, float(project.actual), height=0.12, color=colour)
        rate = percent_of(project.actual, project.budget, dp)
        text = f"{fmt_money(project.budget)} → {fmt_money(project.actual)}"
        if rate is not None:
            text += f"（{fmt_pct(rate, dp)}）"
        ax.annotate(
            text,
            (float(max(project.budget, project.actual)), pos),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=_SMALL_SIZE,
            color=PALETTE["text"],
        )
    ax.set_yticks(positions, [label for label, *_ in rows])
    for tick, (_, source, project) in zip(ax.get_yticklabels(), rows, strict=True):
        if project is None:
            tick.set_color(SOURCE_COLOURS[source])
            tick.set_fontsize(_SMALL_SIZE)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(total, 0)
    largest = float(max(max(p.budget, p.actual) for p in projects))
    ax.set_xlim(0, largest * 1.4 if largest > 0 else 1.0)
    ax.set_xlabel("金额（万元）", fontsize=_LABEL_SIZE)
    grey = PALETTE["note"]
    _legend(
        ax,
        [
            Patch(facecolor=_tint(grey), edgecolor=grey, label="预算金额（宽浅色条）"),
            Patch(color=grey, label="执行金额（窄深色条）"),
        ],
    )
    return fig


# --------------------------------------------------------------------------- indicators


def indicator_scores(ev: Evaluation) -> ChartFigure:
    """Each indicator's score against its weight, budget execution first; lost points hatched.

    The framed bar is the weight (分值), the blue part the score, the hatched vermillion part
    the points lost; a not-applicable indicator is an empty frame marked 不适用. The title
    carries the total and grade.

    >>> from evalkit import evaluate_path
    >>> fig = indicator_scores(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> fig.axes[0].get_yticklabels()[0].get_text(), fig.get_suptitle()
    ('预算执行率', '指标得分（总分 91.73，等级 优）')
    """
    dp = ev.rulebook.rounding.score_dp
    # A weight that was not printed is drawn as 0 and the score as 无法计算（原因）: never a guess.
    rows: list[tuple[str, Decimal, Decimal | None, str | None, str]] = [
        ("预算执行率", ev.execution_weight or Decimal(0), ev.execution_score.value, None, ev.execution_score.missing)
    ]
    rows += [
        (
            _wrap(item.name, 20),
            item.weight or Decimal(0),
            None if item.score is None else item.score.value,
            item.grade,
            "" if item.score is None else item.score.missing,
        )
        for item in ev.indicators
    ]
    positions, total = _rows([max(0.4, 0.2 * (label.count("\n") + 1) + 0.1) for label, *_ in rows])
    notes = [_caption(ev)]
    if any(not item.applicable for item in ev.indicators):
        notes.append(ev.total.formula + "。")
    fig, (ax,) = _new_figure(
        f"指标得分（总分 {ev.total.text()}，等级 {ev.grade}）", (total + 0.45,), notes
    )
    _style(ax)
    bar = 0.24
    for (_, weight, score, grade, missing), pos in zip(rows, positions, strict=True):
        if missing:
            text = f"无法计算（{missing}）"
        elif score is None:
            ax.barh(
                pos,
                float(weight),
                height=bar,
                color=PALETTE["weight"],
                edgecolor=PALETTE["note"],
                hatch="xx",
                linewidth=0.6,
            )
            text = f"不适用（分值 {fmt(weight, dp)}，不计分）"
        else:
            lost = weight - score
            ax.barh(pos, float(score), height=bar, color=PALETTE["actual"])
            if lost > 0:
                ax.barh(
                    pos,
                    float(lost),
                    left=float(score),
                    height=bar,
                    color=_tint(PALETTE["lost"], 0.4),
                    edgecolor=PALETTE["lost"],
                    hatch=_HATCH_LOST,
                    linewidth=0,
                )
            text = (
                f"{fmt(score, dp)} / {fmt(weight, dp)}"
                + (f"，失 {fmt(lost, dp)}" if lost > 0 else "")
                + (f"（{grade}）" if grade else "")
            )
        ax.barh(
            pos, float(weight), height=bar, fill=False, edgecolor=PALETTE["text"], linewidth=0.7
        )
        ax.annotate(
            text,
            (float(weight), pos),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=_SMALL_SIZE,
            color=PALETTE["text"],
        )
    ax.set_yticks(positions, [label for label, *_ in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(total, 0)
    max_weight = float(max(weight for _, weight, *_ in rows))
    ax.set_xlim(0, max_weight * 1.55 if max_weight > 0 else 1.0)
    ax.set_xlabel("分值", fontsize=_LABEL_SIZE)
    handles = [
        Patch(facecolor=PALETTE["actual"], edgecolor=PALETTE["text"], linewidth=0.7, label="得分")
    ]
    if any(score is not None and score < weight for _, weight, score, _, _ in rows):
        handles.append(
            Patch(
                facecolor=_tint(PALETTE["lost"], 0.4),
                edgecolor=PALETTE["lost"],
                hatch=_HATCH_LOST,
                label="失分",
            )
        )
    if any(score is None and not missing for _, _, score, _, missing in rows):
        handles.append(
            Patch(
                facecolor=PALETTE["weight"], edgecolor=PALETTE["note"], hatch="xx", label="不适用"
            )
        )
    _legend(ax, handles)
    return fig


@dataclass(frozen=True)
class _CompletionRow:
    label: str
    actual: Decimal | None  # percent of the scoring target, rounded to the rulebook's rate_dp
    midyear: Decimal | None
    actual_text: str
    midyear_text: str | None


def _completion_rows(ev: Evaluation) -> tuple[list[_CompletionRow], list[str]]:
    """Quantitative indicators as percent of target, and the lines listing everything else."""
    dp = ev.rulebook.rounding.rate_dp
    rows: list[_CompletionRow] = []
    listed: list[str] = []
    for item in ev.indicators:
        indicator = item.indicator
        if not indicator.applicable:
            listed.append(f"不适用：{indicator.name}（分值 {fmt(item.weight, 2)}，不计分）")
            continue
        if indicator.is_qualitative:
            score = (
                ""
                if item.score is None
                else f"，得分 {item.score.text()} / {fmt(item.weight, 2)}"
            )
            listed.append(
                f"定性指标：{indicator.name}（目标：{indicator.target or '未印出'}）—— {item.grade or '—'}{score}"
            )
            continue
        target = item.target_used
        if not isinstance(target, Decimal) or indicator.op is None:  # the report printed no target
            listed.append(f"指标值未印出：{indicator.name}，完成率无法计算")
            continue
        actual = indicator.actual if isinstance(indicator.actual, Decimal) else None
        midyear = indicator.midyear if isinstance(indicator.midyear, Decimal) else None
        if target == 0:
            listed.append(
                f"目标值为 0，不以比例表示：{indicator.name}，{_target_lines(item)[0]}，"
                f"实际 {_quantity(actual, indicator.unit)}"
            )
            continue
        actual_ratio = percent_of(actual, target, dp)
        midyear_ratio = percent_of(midyear, target, dp)
        rows.append(
            _CompletionRow(
                label="\n".join([_wrap(indicator.name, 20), *_target_lines(item)]),
                actual=actual_ratio,
                midyear=midyear_ratio,
                actual_text=_ratio_text(actual_ratio, actual, indicator.unit, dp),
                midyear_text=None
                if midyear is None
                else _ratio_text(midyear_ratio, midyear, indicator.unit, dp),
            )
        )
    return rows, listed


def _ratio_text(ratio: Decimal | None, value: Decimal | None, unit: str, dp: int) -> str:
    """``99.43%（422.89万元）``: the share of target, then the value itself unless it reads the same."""
    shown, raw = fmt_pct(ratio, dp), _quantity(value, unit)
    return shown if raw == shown else f"{shown}（{raw}）"


def _target_lines(score: IndicatorScore) -> list[str]:
    """``目标 ≥ 16项``; a ≤ target adds 越低越好, an adjusted target its original value."""
    indicator = score.indicator
    lines = [f"目标 {OP_SYMBOL[indicator.op]} {_quantity(score.target_used, indicator.unit)}"]
    if direction(indicator.op) == "reverse":
        lines[0] += "，越低越好"
    if indicator.target_adjusted is not None:
        lines.append(f"（调整后；原 {_quantity(indicator.target, indicator.unit)}）")
    return lines


def indicator_completion(ev: Evaluation) -> ChartFigure | None:
    """Actual and mid-year values of quantitative indicators, as percent of the target scored against.

    100% is the target. A ≤ (reverse) indicator is drawn the same way, actual ÷ target, and
    marked 越低越好: at or left of the 100% line its target is met. A value beyond 200% is drawn
    to the axis edge, broken, with its true value written. Qualitative (with their grade),
    not-applicable and zero-target indicators are listed under the chart. None with no indicators.

    >>> from evalkit import evaluate_path
    >>> fig = indicator_completion(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> any("越低越好" in t.get_text() for t in fig.axes[0].get_yticklabels())
    True
    """
    rows, listed = _completion_rows(ev)
    if not rows and not listed:
        return None
    notes = [_caption(ev), *listed]
    if rows:
        notes.append("比例 = 实际完成值（或年中监控值）÷ 评分所用年度指标值 × 100%；括号内为原值。")
    positions, total = _rows([max(0.62, 0.18 * (row.label.count("\n") + 1) + 0.16) for row in rows])
    values = [v for row in rows for v in (row.actual, row.midyear) if v is not None]
    broken = [v for v in values if v > _COMPLETION_AXIS_CAP]
    if broken:
        notes.append(
            f"» 超过 {fmt_pct(_COMPLETION_AXIS_CAP, 0)} 的条形截断于坐标轴右端，数值照写。"
        )
    fig, axes = _new_figure(
        "绩效指标完成情况（占年度指标值的比例）", [total + 0.45] if rows else [], notes
    )
    if not rows:
        return fig
    ax = axes[0]
    _style(ax)
    visible = float(max([HUNDRED, *(v for v in values if v <= _COMPLETION_AXIS_CAP)]))
    bar_end = visible * (1.1 if broken else 1.0)  # where a broken bar stops
    label_x = visible * 1.13  # the value column
    height = 0.24
    for row, pos in zip(rows, positions, strict=True):
        for offset, value, label, role in (
            (-height / 2, row.actual, row.actual_text, "actual"),
            (height / 2, row.midyear, row.midyear_text, "midyear"),
        ):
            if value is None or label is None:
                continue
            is_broken = value > _COMPLETION_AXIS_CAP
            length = bar_end if is_broken else max(float(value), 0.0)
            ax.barh(
                pos + offset,
                length,
                height=height,
                color=PALETTE[role],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
            )
            if is_broken:  # a white slash marks the cut
                cut = visible * 1.04
                ax.plot(
                    [cut - visible * 0.01, cut + visible * 0.01],
                    [pos + offset + height * 0.75, pos + offset - height * 0.75],
                    color="white",
                    linewidth=2.5,
                )
                label += " »"
            ax.annotate(
                label,
                (label_x, pos + offset),
                va="center",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"] if role == "actual" else PALETTE["note"],
            )
    ax.axvline(100, color=PALETTE["target"], linewidth=1.3)
    ax.set_yticks(positions, [row.label for row in rows])
    ax.tick_params(axis="y", length=0, labelsize=_SMALL_SIZE)
    ax.set_ylim(total, 0)
    ax.set_xlim(0, label_x / 0.72)
    step = 25 if visible <= 150 else 50
    ax.set_xticks(list(range(0, int(visible) + 1, step)))
    ax.spines["bottom"].set_bounds(0, max(bar_end, visible))
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
    ax.set_xlabel("占年度指标值的比例", fontsize=_LABEL_SIZE, loc="left")
    _legend(
        ax,
        [
            Patch(
                facecolor=PALETTE["actual"],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
                label="实际完成值",
            ),
            Patch(
                facecolor=PALETTE["midyear"],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
                label="年中监控值",
            ),
            Line2D([], [], color=PALETTE["target"], linewidth=1.3, label="年度指标值（100%）"),
        ],
    )
    return fig


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
    fig, axes = _new_figure(
        "历年趋势", [2.3] + ([0.35 + 1.55 * grid_rows] if series else []), notes
    )
    top = axes[0].get_subplotspec().subgridspec(1, 2, wspace=0.12)
    axes[0].remove()
    score_ax, rate_ax = fig.add_subplot(top[0, 0]), fig.add_subplot(top[0, 1])
    for ax, title, values, labels in (
        (
            score_ax,
            "总分与等级",
            [ev.total.value for ev in history],
            [f"{ev.total.text()} {ev.grade}" for ev in history],
        ),
        (
            rate_ax,
            "预算执行率",
            [ev.execution_rate.value for ev in history],
            [ev.execution_rate.text() for ev in history],
        ),
    ):
        floats = [float(v) for v in values if v is not None]
        _style(ax, value_axis="y")
        ax.plot(years, floats, color=PALETTE["actual"], marker="o", linewidth=1.8)
        for year, value, label in zip(years, floats, labels, strict=True):
            ax.annotate(
                label,
                (year, value),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"],
            )
        ax.set_title(title, fontsize=_LABEL_SIZE + 1, loc="left", color=PALETTE["text"])
        ax.set_ylim(max(0.0, min(min(floats) - 10, 70.0)), max(106.0, max(floats) + 8))
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
        grid = axes[1].get_subplotspec().subgridspec(grid_rows, columns, hspace=0.1, wspace=0.08)
        axes[1].remove()
        panels = [fig.add_subplot(grid[i // columns, i % columns]) for i in range(len(series))]
        _draw_completion_trends(panels, years, series)
    return fig


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
    ax.set_xticks(list(years), [f"{year}年" for year in years])
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)


def _draw_completion_trends(
    panels: Sequence[Axes],
    years: list[int],
    series: list[tuple[str, list[tuple[int, Decimal, str]]]],
) -> None:
    """Small multiples: one panel per indicator on a shared scale; values beyond 200% sit on the top edge."""
    values = [value for _, points in series for _, value, _ in points]
    ceiling = float(max([HUNDRED, *(v for v in values if v <= _COMPLETION_AXIS_CAP)])) * 1.1
    for ax, (name, points) in zip(panels, series, strict=True):
        _style(ax, value_axis="y")
        ax.axhline(100, color=PALETTE["target"], linewidth=0.9)
        ys = [min(float(value), ceiling) for _, value, _ in points]
        ax.plot(
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
            ax.annotate(
                text + (" »" if capped else ""),
                (year, y),
                xytext=(0, 5 if above else -6),
                textcoords="offset points",
                ha="center",
                va="bottom" if above else "top",
                fontsize=_SMALL_SIZE - 1,
                color=PALETTE["text"],
            )
        ax.set_title(_wrap(name, 36), fontsize=_SMALL_SIZE, loc="left", color=PALETTE["text"])
        ax.set_ylim(0, ceiling * 1.3)
        ax.set_yticks([0, 100])
        ax.yaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
        _year_axis(ax, years)
        ax.tick_params(labelsize=_SMALL_SIZE - 1)
        if not ax.get_subplotspec().is_first_col():
            ax.tick_params(labelleft=False)


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
