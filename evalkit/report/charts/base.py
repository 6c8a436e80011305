"""What every chart shares: palette, figure layout, PNG output, text wrapping (see the package doc)."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import PIL.Image
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import LayoutEngine
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox

from evalkit.core.figures import fmt, fmt_money
from evalkit.core.scoring import Evaluation
from evalkit.report.charts.agg import ChartCanvas
from evalkit.report.charts.text import plain_figure, plain_text
from evalkit.report.charts.ticks import CATEGORY, TICK, ChartAxes, ValueTicks, categories
from evalkit.report.fonts import use_cjk_font

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
    >>> from evalkit.report.charts import budget_bridge
    >>> to_png(budget_bridge(evaluate_path("params/xinshi-rd/2023.yaml")))[:4]
    b'\\x89PNG'
    """
    # Draw straight into the Agg buffer: a PNG written by savefig would only be decoded again.
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    screen_dpi = fig.dpi
    fig.dpi = dpi
    plain_figure(fig)  # input text is drawn as written: no mathtext, no missing-glyph boxes
    try:
        with plain_text():
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
    title: str,
    sections: Sequence[float],
    notes: Sequence[str],
    grids: Sequence[tuple[int, int, int]] | None = None,
    panels: Sequence[tuple[float, float, float, float]] | None = None,
) -> tuple[ChartFigure, list[Any]]:
    """A figure 8 in wide: a one-line title, one axes per section (heights in inches) stacked
    vertically, and the footnote lines under them; returns the figure and the section axes.

    ``grids`` gives a section several axes, ``(rows, columns, count)`` filled row by row (the
    returned list then holds every axes of every section, in order). The axes are placed at draw time by
    :class:`_StackLayout` from the measured size of their labels: no constrained layout.

    ``panels`` (data limits ``(x0, x1, y0, y1)``) makes the last section a grid of light
    :class:`_Panel` s instead of axes: they are placed like axes but drawn into one shared axes,
    so a grid of small multiples pays for one axes and its tick machinery, not one per panel.
    """
    use_cjk_font()
    # A long unit or project name would run off the right edge: wrap each note to the width.
    notes = [line for note in notes for line in _break(note, _NOTE_COLUMNS)]
    notes_height = 0.1 + len(notes) * _LINE_INCHES
    height = 0.95 + sum(sections) + notes_height
    fig = ChartFigure(figsize=(_WIDTH, height), dpi=_SCREEN_DPI)
    ChartCanvas(fig)
    fig.set_facecolor("white")
    fig.suptitle(title, fontsize=_TITLE_SIZE, color=PALETTE["text"], va="top", y=1 - _PAD_TOP / height)
    note_text = fig.text(
        0,
        (notes_height - 0.05) / height,
        "\n".join(notes),
        va="top",
        ha="left",
        fontsize=_SMALL_SIZE,
        color=PALETTE["note"],
        linespacing=1.45,
    )
    grids = list(grids) if grids is not None else [(1, 1, 1)] * len(sections)
    stacked: list[list[list[Any]]] = []
    axes: list[Any] = []
    limits = iter(panels or ())
    board = None
    for s, (rows, columns, count) in enumerate(grids):
        if panels is not None and s == len(grids) - 1:
            board = fig.add_axes((0, 0, 1, 1), axes_class=ChartAxes)
            board.set_axis_off()
            grid = [
                [_Panel(board, next(limits)) for _ in range(min(columns, count - r * columns))]
                for r in range(rows)
            ]
        else:
            grid = [
                [fig.add_axes((0, 0, 1, 1), axes_class=ChartAxes) for _ in range(min(columns, count - r * columns))]
                for r in range(rows)
            ]
        stacked.append(grid)
        axes.extend(ax for row in grid for ax in row)
    fig.set_layout_engine(_StackLayout(stacked, list(sections), notes_height, note_text))
    return fig, axes


# Inches of fixed space around the stacked axes.
_PAD_TOP = 0.12
_PAD_LEFT = 0.12
_PAD_RIGHT = 0.18
_GAP = 0.08  # between a title (or legend) and its axes, and after an axes' labels
_COLUMN_GAP = 0.25


class _StackLayout(LayoutEngine):
    """Places a chart's axes in fixed bands, measured once per draw: cheaper than constrained
    layout, which measures every artist of every axes (twice) to find the same margins.

    From the top: the title; then per section its rows of axes, each row with the height its
    titles and legends need above it and its tick labels and axis labels below it; the notes at
    the bottom. The plotting areas share what is left in proportion to the section heights; the
    first columns of every section start at one left edge, wide enough for the widest tick
    labels. A value label that would still cross the figure's right edge or the band above its
    axes narrows or lowers that axes by as much.
    """

    _adjust_compatible = False
    _colorbar_gridspec = False

    def __init__(self, sections: list[list[list[Axes]]], heights: list[float], notes_height: float,
                 notes: Artist) -> None:
        super().__init__()
        self.sections = sections
        self.heights = heights
        self.notes_height = notes_height
        self.notes = notes
        self.ticks: list[ValueTicks] = []  # drawn for the provisional, then the final positions

    def execute(self, fig: Figure) -> None:
        renderer = fig._get_renderer()
        dpi = fig.dpi
        width, height = fig.get_size_inches()
        for ticks in self.ticks:
            ticks.update(renderer, final=False)
        # Measure with a provisional position: what sticks out of each axes, in inches.
        needs = {}
        for grid in self.sections:
            for row in grid:
                for ax in row:
                    if isinstance(ax, _Panel):
                        needs[ax] = ax.decorations(renderer, dpi)
                    elif ax.get_visible() and ax.axison:
                        needs[ax] = _decorations(ax, renderer, dpi)
        title = fig._suptitle
        title_band = _PAD_TOP + (title.get_window_extent(renderer).height / dpi if title is not None else 0) + _GAP
        # Column 0 of every section shares one left edge; later columns are sized per section.
        first = max((needs[row[0]][0] for grid in self.sections for row in grid if row and row[0] in needs),
                    default=0.0)
        col_lefts = []
        for grid in self.sections:
            col_left = [first] + [0.0] * (max((len(row) for row in grid), default=1) - 1)
            for row in grid:
                for i, ax in enumerate(row[1:], start=1):
                    if ax in needs:
                        col_left[i] = max(col_left[i], needs[ax][0])
            col_lefts.append(col_left)
        rows = [(s, row) for s, grid in enumerate(self.sections) for row in grid]
        band = {id(row): (max((needs[ax][3] for ax in row if ax in needs), default=0.0),
                          max((needs[ax][1] for ax in row if ax in needs), default=0.0)) for _, row in rows}
        decorations = sum(top + bottom for top, bottom in band.values())
        room = max(height - title_band - self.notes_height - decorations, 0.2 * len(rows))
        total = sum(self.heights) or 1.0
        y = height - title_band
        for s, row in rows:
            top, bottom = band[id(row)]
            h = room * self.heights[s] / total / len(self.sections[s])
            y -= top + h
            col_left = col_lefts[s]
            n = len(col_left)  # a short last row keeps the grid's widths
            left0 = _PAD_LEFT + col_left[0]
            others = sum(col_left[1:n])
            w = (width - left0 - _PAD_RIGHT - others - (n - 1) * _COLUMN_GAP) / n
            x = left0
            for i, ax in enumerate(row):
                if i:
                    x += _COLUMN_GAP + col_left[i]
                ax.set_position((x / width, y / height, max(w, 0.1) / width, max(h, 0.1) / height))
                x += w
            y -= bottom
        for grid in self.sections:  # value labels past the right edge or into the band above
            for row in grid:
                for ax in row:
                    if ax in needs and not isinstance(ax, _Panel):
                        _fit_texts(ax, renderer, dpi, width, height)
        for ticks in self.ticks:
            ticks.update(renderer)
        first = next((ax for grid in self.sections for row in grid for ax in row), None)
        left = first.get_position().x0 * width if first is not None else _PAD_LEFT
        note_width = self.notes.get_window_extent(renderer).width / dpi
        self.notes.set_x((left if left + note_width <= width - _PAD_RIGHT else _PAD_LEFT) / width)


class _Panel:
    """A small plot area drawn into a shared axes (``board``, axis off): a left and bottom frame,
    outward tick marks with their labels, a title above on the left, and whatever is plotted in
    its data coordinates (:attr:`transform`). It looks like a quiet axes (:func:`_style`) but
    costs a few artists instead of an axes with its axis, tick and formatter objects (about 4 ms
    to make and as much to draw and measure). :class:`_StackLayout` measures and places it like an
    axes; its tick labels are given as text, never formatted from floats.
    """

    #: Points from the frame to a tick label: tick length plus pad, matplotlib's defaults.
    _TICK = 3.5
    _PAD = 3.5

    def __init__(self, board: Axes, limits: tuple[float, float, float, float]) -> None:
        self.board = board
        self.limits = limits
        self._to_figure = Affine2D()
        self.transform = self._to_figure + board.figure.transFigure
        self.title: Text | None = None
        self._labels: list[tuple[str, Text]] = []  # ("left" | "bottom", label)
        self._position = (0.0, 0.0, 1.0, 1.0)
        self.set_position(self._position)
        x0, x1, y0, y1 = limits
        self.plot([x0, x0, x1], [y1, y0, y0], color=PALETTE["note"], linewidth=0.8,
                  solid_joinstyle="miter", solid_capstyle="projecting", zorder=2.5)

    def set_position(self, rect: tuple[float, float, float, float]) -> None:
        """Place the plotting area at ``rect`` (figure fractions), as :meth:`Axes.set_position`."""
        self._position = tuple(rect)
        x, y, w, h = rect
        x0, x1, y0, y1 = self.limits
        self._to_figure.clear().translate(-x0, -y0).scale(w / (x1 - x0), h / (y1 - y0)).translate(x, y)

    def get_position(self) -> Bbox:
        return Bbox.from_bounds(*self._position)

    def plot(self, xs: Sequence[float], ys: Sequence[float], **kwargs: Any) -> Line2D:
        line = Line2D(xs, ys, transform=self.transform, clip_on=False, **kwargs)
        self.board.add_artist(line)
        return line

    def annotate(self, text: str, xy: tuple[float, float], **kwargs: Any) -> Text:
        return self.board.annotate(text, xy, xycoords=self.transform, annotation_clip=False, **kwargs)

    def set_title(self, text: str, **kwargs: Any) -> None:
        """A title above the top left corner, where ``Axes.set_title(loc="left")`` puts it."""
        x0, _, _, y1 = self.limits
        self.title = self.annotate(text, (x0, y1), xytext=(0, 6), textcoords="offset points",
                                   ha="left", va="baseline", **kwargs)

    def ticks(self, axis: str, values: Sequence[float], labels: Sequence[str] | None, *,
              fontsize: float, color: str) -> None:
        """Outward tick marks at ``values`` along the bottom (``"x"``) or left (``"y"``) frame,
        with ``labels`` (none: marks only)."""
        x0, _, y0, _ = self.limits
        points = [(v, y0) if axis == "x" else (x0, v) for v in values]
        self.plot([x for x, _ in points], [y for _, y in points], linestyle="none",
                  marker=TICKDOWN if axis == "x" else TICKLEFT, markersize=self._TICK,
                  markeredgewidth=0.8, color=color, zorder=2.5)
        for (x, y), label in zip(points, labels or (), strict=False):
            offset = self._TICK + self._PAD
            text = self.annotate(
                label, (x, y), xytext=(0, -offset) if axis == "x" else (-offset, 0),
                textcoords="offset points", ha="center" if axis == "x" else "right",
                va="top" if axis == "x" else "center_baseline", fontsize=fontsize, color=color,
            )
            self._labels.append(("bottom" if axis == "x" else "left", text))

    def decorations(self, renderer: Any, dpi: float) -> tuple[float, float, float, float]:
        """As :func:`_decorations`: inches the tick labels and title take (left, bottom, right, top)."""
        box = self.get_position().transformed(self.board.figure.transFigure)
        left = bottom = right = top = 0.0
        for side, text in self._labels:
            extent = text.get_window_extent(renderer)
            if side == "left":
                left = max(left, box.x0 - extent.x0)
            else:
                bottom = max(bottom, box.y0 - extent.y0)
                right = max(right, extent.x1 - box.x1)
        if bottom:  # the tick marks alone reach this far
            bottom = max(bottom, self._TICK * dpi / 72)
        if self.title is not None and self.title.get_text():
            top = max(top, self.title.get_window_extent(renderer).y1 - box.y1)
        return (left / dpi + _GAP, bottom / dpi + _GAP, right / dpi, top / dpi + (_GAP if top else 0.0))


def _decorations(ax: Axes, renderer: Any, dpi: float) -> tuple[float, float, float, float]:
    """Inches the axes' tick labels, category labels (:func:`_categories`), axis labels, title and
    legend take (left, bottom, right, top)."""
    box = ax.get_window_extent(renderer)
    left = bottom = right = top = 0.0
    extents = [axis.get_tightbbox(renderer, for_layout_only=True) for axis in (ax.xaxis, ax.yaxis)]
    extents += [text.get_window_extent(renderer) for text in ax.texts if text.get_gid() in (CATEGORY, TICK)]
    for extent in extents:
        if extent is None or extent.width == 0 or extent.height == 0:
            continue
        left = max(left, box.x0 - extent.x0)
        bottom = max(bottom, box.y0 - extent.y0)
        right = max(right, extent.x1 - box.x1)
    above = [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
    legend = ax.get_legend()
    if legend is not None:
        above.append(legend)
    for artist in above:
        extent = artist.get_window_extent(renderer)
        top = max(top, extent.y1 - box.y1)
    return (left / dpi + _GAP, bottom / dpi + _GAP, right / dpi, top / dpi + (_GAP if top else 0.0))


def _fit_texts(ax: Axes, renderer: Any, dpi: float, width: float, height: float) -> None:
    """Shrink ``ax`` so that its annotations stay inside the figure's right edge and below the top
    of the band reserved above it."""
    box = ax.get_window_extent(renderer)
    right_edge = (width - 0.04) * dpi
    over_right = over_top = 0.0
    for text in ax.texts:
        if not text.get_visible() or not text.get_text() or text.get_gid() in (CATEGORY, TICK):
            continue
        extent = text.get_window_extent(renderer)
        over_right = max(over_right, extent.x1 - right_edge)
        over_top = max(over_top, extent.y1 - box.y1)
    if over_right > 0 or over_top > 0:
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position((x0, y0, w - over_right / dpi / width, h - over_top / dpi / height))


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


def _categories(ax: Axes, axis: str, positions: Sequence[float], labels: Sequence[str], *,
                fontsize: float | Sequence[float] = _LABEL_SIZE,
                colors: Sequence[str] | None = None) -> list[Text]:
    """Category labels beside ``ax`` as plain texts, no ticks (:func:`.ticks.categories`)."""
    return categories(ax, axis, positions, labels, fontsize=fontsize,
                      colors=colors if colors is not None else [PALETTE["text"]] * len(labels))


def _value_ticks(ax: Axes, axis: str, *, grid: bool, fontsize: float = _LABEL_SIZE) -> None:
    """Draw ``axis`` of ``ax`` with light :class:`.ticks.ValueTicks` (placed by :class:`_StackLayout`)."""
    layout = ax.figure.get_layout_engine()
    assert isinstance(layout, _StackLayout)
    layout.ticks.append(ValueTicks(ax, axis, fontsize=fontsize, color=PALETTE["text"],
                                   grid=(PALETTE["grid"], 0.8) if grid else None))


def _style(ax: Axes, *, value_axis: str = "x") -> None:
    """Quiet axes: no top/right frame, a light grid along the value axis only (its ticks drawn by
    :func:`_value_ticks`)."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color(PALETTE["note"])
    ax.set_axisbelow(True)
    _value_ticks(ax, value_axis, grid=True)


def _bar(ax: Axes, x: float, height: float, *, width: float, bottom: float = 0.0, **kwargs: Any) -> Rectangle:
    """A vertical bar centred on ``x``, as ``ax.bar`` draws it (``color`` is the face colour), made
    directly: the axes' limits are set by the charts, so the bookkeeping of ``bar`` (units, limits,
    containers; about 0.3 ms a bar) is not needed."""
    return _add_bar(ax, (x - width / 2, bottom), width, height, kwargs)


def _barh(ax: Axes, y: float, width: float, *, height: float, left: float = 0.0, **kwargs: Any) -> Rectangle:
    """A horizontal bar centred on ``y``, as ``ax.barh`` draws it (see :func:`_bar`)."""
    return _add_bar(ax, (left, y - height / 2), width, height, kwargs)


def _add_bar(ax: Axes, xy: tuple[float, float], width: float, height: float, kwargs: dict[str, Any]) -> Rectangle:
    if "color" in kwargs:
        kwargs["facecolor"] = kwargs.pop("color")
    bar = Rectangle(xy, width, height, **kwargs)
    ax.add_artist(bar)
    return bar


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

def _tint(colour: str, share: float = 0.35) -> tuple[float, float, float]:
    """``colour`` mixed with white: ``share`` of the colour, the rest white."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (1 - share + share * r, 1 - share + share * g, 1 - share + share * b)

