"""Axis labels drawn as a few plain artists instead of matplotlib's tick objects.

matplotlib draws each tick as a :class:`~matplotlib.axis.Tick`: two tick lines, a grid line and two
labels, with their properties copied from the first tick, made again whenever the number of ticks
grows and measured at every layout. A chart's 5–40 ticks cost about 1 ms each to make, measure and
draw. Here an axis keeps its locator and formatter (so the same tick values and label texts, from
the same view interval and length), but its ticks are switched off and drawn as one line of tick
markers, a grid line per value and a text per label, with the transforms, pads and alignments a
tick uses: the same pixels.

* :func:`categories`: fixed labels (rows of a bar chart, columns of the bridge) with no tick marks.
* :class:`ValueTicks`: a value axis (its locator decides the values at draw time, from the axes'
  size); :meth:`ValueTicks.update` (re)draws it for the axes' current position, and moves the axis
  label beyond the labels as matplotlib would. ``charts.base._StackLayout`` calls it before
  measuring and after placing the axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis, YAxis
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, ScalarFormatter
from matplotlib.transforms import _interval_contains_close

__all__ = ["CATEGORY", "TICK", "categories", "category_labels", "fixed_ticks", "ValueTicks", "ChartAxes"]

#: The ``gid`` of a category label (:func:`categories`) and of a value tick label (:class:`ValueTicks`).
CATEGORY = "category"
TICK = "tick"
#: Points between a label and its tick mark (matplotlib's ``xtick.major.pad``), and a tick's length.
_PAD = 3.5
_LENGTH = 3.5
_WIDTH = 0.8


def categories(ax: Axes, axis: str, positions: Sequence[float], labels: Sequence[str], *,
               fontsize: float | Sequence[float], colors: Sequence[str]) -> list[Text]:
    """Category labels along the left (``"y"``) or bottom (``"x"``) frame of ``ax``, at data
    ``positions``: where tick labels of zero-length ticks would be, with their transform and
    alignment (so the same pixels), but as plain texts (gid :data:`CATEGORY`). The axis gets no ticks.
    """
    if axis == "y":
        ax.set_yticks([])
        transform, va, ha = ax.get_yaxis_text1_transform(_PAD)
    else:
        ax.set_xticks([])
        transform, va, ha = ax.get_xaxis_text1_transform(_PAD)
    sizes = [fontsize] * len(labels) if isinstance(fontsize, (int, float)) else fontsize
    return [
        ax.text(*((0, pos) if axis == "y" else (pos, 0)), label, transform=transform, va=va, ha=ha,
                fontsize=size, color=color, gid=CATEGORY)
        for pos, label, size, color in zip(positions, labels, sizes, colors, strict=True)
    ]


def fixed_ticks(ax: Axes, axis: str, values: Sequence[float], labels: Sequence[str] | None = None) -> None:
    """``ax.set_xticks(values, labels)`` (or ``set_yticks``) for an axis drawn by :class:`ValueTicks`:
    the same locator, label formatter and view interval, without making a Tick per value."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = FixedLocator(values)
    if len(values):
        target.set_view_interval(min(values), max(values))  # widens the view, as set_ticks does
    target.set_major_locator(locator)
    if labels is not None:
        by_value = dict(zip(locator.locs, labels, strict=True))
        target.set_major_formatter(FuncFormatter(lambda value, _pos: by_value.get(value, "")))


def category_labels(ax: Axes) -> list[str]:
    """The category labels of ``ax`` (:func:`categories`), in order."""
    return [text.get_text() for text in ax.texts if text.get_gid() == CATEGORY]


class ValueTicks:
    """The ticks of one axis of ``ax`` (``"x"``: bottom, ``"y"``: left) as plain artists: outward
    tick marks, labels ``fontsize`` in ``color``, and grid lines when ``grid`` is a
    ``(colour, linewidth)``. Values and labels come from the axis' own locator and formatter."""

    def __init__(self, ax: Axes, axis: str, *, fontsize: float, color: str,
                 grid: tuple[str, float] | None = None) -> None:
        self.ax = ax
        self.name = axis
        self.axis = ax.xaxis if axis == "x" else ax.yaxis
        self.fontsize = fontsize
        self.color = color
        self.grid = grid
        self.labelpad = self.axis.labelpad
        # The axis draws no ticks, so it never makes its Tick objects (its labelsize still sets
        # the tick space its locator counts on).
        side = {"bottom": False, "labelbottom": False} if axis == "x" else {"left": False, "labelleft": False}
        ax.tick_params(axis=axis, which="both", labelsize=fontsize, **side)  # grid lines are off by default
        self._labels: list[Text] = []
        self._lines: list[Line2D] = []
        self._locs: tuple[float, ...] | None = None

    def update(self, renderer: Any, *, final: bool = True) -> None:
        """Draw the ticks for the axes' current size, and put the axis label beyond their labels.
        Not ``final`` (a provisional position, to measure): the labels only."""
        axis = self.axis
        low, high = sorted(axis.get_view_interval())
        locs = list(axis.get_majorticklocs())
        formatter = axis.major.formatter
        if isinstance(formatter, ScalarFormatter):
            # Whole values on every label: matplotlib's offset or ×10ⁿ text (its axis "offset
            # text", not drawn here) would otherwise turn 1,200,000 万元 into a label "1.2".
            formatter.set_useOffset(False)
            formatter.set_scientific(False)
        texts = formatter.format_ticks(locs)
        transform = axis.get_transform()
        interval = transform.transform([low, high])
        shown = [(loc, text) for loc, text in zip(locs, texts, strict=True)
                 if _interval_contains_close(interval, transform.transform(loc))]
        self._draw_labels(shown)
        if final:
            self._draw_lines([loc for loc, _ in shown])
        if axis.label.get_text():
            dpi = self.ax.figure.dpi
            box = self.ax.get_window_extent(renderer)
            extents = [label.get_window_extent(renderer) for label in self._labels]
            reach = max((box.y0 - e.y0 if self.name == "x" else box.x0 - e.x0 for e in extents), default=0.0)
            axis.labelpad = self.labelpad + max(reach, 0.0) * 72 / dpi

    def _draw_labels(self, shown: list[tuple[float, str]]) -> None:
        """One text per label, re-used from the last layout."""
        ax = self.ax
        x = self.name == "x"
        while len(self._labels) > len(shown):
            self._labels.pop().remove()
        transform, va, ha = (ax.get_xaxis_text1_transform if x else ax.get_yaxis_text1_transform)(_LENGTH + _PAD)
        for i, (loc, text) in enumerate(shown):
            if i < len(self._labels):
                label = self._labels[i]
                label.set_position((loc, 0) if x else (0, loc))
                label.set_text(text)
            else:
                self._labels.append(ax.text(*((loc, 0) if x else (0, loc)), text, transform=transform, va=va,
                                            ha=ha, fontsize=self.fontsize, color=self.color, gid=TICK, zorder=0.5))

    def _draw_lines(self, locs: list[float]) -> None:
        """The tick marks (one line of markers) and grid lines at ``locs``."""
        ax = self.ax
        x = self.name == "x"
        if tuple(locs) == self._locs:
            return
        self._locs = tuple(locs)
        for line in self._lines:
            line.remove()
        self._lines = []
        if not locs:
            return
        if self.grid is not None:
            colour, width = self.grid
            transform = ax.get_xaxis_transform(which="grid") if x else ax.get_yaxis_transform(which="grid")
            for loc in locs:
                line = Line2D([loc, loc] if x else [0, 1], [0, 1] if x else [loc, loc], color=colour,
                              linewidth=width, linestyle="-", transform=transform, zorder=0.5)
                line.get_path()._interpolation_steps = 180  # as a tick's grid line: the same pixels
                self._lines.append(ax.add_artist(line))
                line.set_clip_path(ax.patch)
        marks = Line2D(locs if x else [0] * len(locs), [0] * len(locs) if x else locs, linestyle="none",
                       marker=TICKDOWN if x else TICKLEFT, markersize=_LENGTH, markeredgewidth=_WIDTH,
                       color=self.color, markeredgecolor=self.color, zorder=0.5, clip_on=False,
                       transform=ax.get_xaxis_transform(which="tick1") if x else ax.get_yaxis_transform(which="tick1"))
        self._lines.append(ax.add_artist(marks))


class _NoTicksYet:
    """A tick list that starts empty, where matplotlib's starts with one tick, made on first use."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, axis: Axis | None, owner: type) -> Any:
        if axis is None:
            return self
        ticks: list[Any] = []
        setattr(axis, self.name, ticks)
        return ticks


class _Shown:
    def __init__(self, shown: bool) -> None:
        self.shown = shown

    def get_visible(self) -> bool:
        return self.shown


class _TickStandIn:
    """Which parts a tick made from ``kw`` (an axis' tick keywords) would show, with
    :class:`~matplotlib.axis.Tick`'s defaults."""

    def __init__(self, kw: dict[str, Any]) -> None:
        self.tick1line = _Shown(kw.get("tick1On", True))
        self.tick2line = _Shown(kw.get("tick2On", True))
        self.label1 = _Shown(kw.get("label1On", True))
        self.label2 = _Shown(kw.get("label2On", False))


class _UnmadeTicks:
    """An axis that makes a :class:`~matplotlib.axis.Tick` only to draw it or when ticks are set.

    A matplotlib axis makes its first major and minor tick as soon as anything looks at its ticks:
    clearing an axes does (grid and clip path), ``tick_params`` does, and so does measuring a
    spine; four ticks an axes, about 0.5 ms each, that no chart draws (:class:`ValueTicks`,
    :func:`categories`). Here those settings go to the axis' tick keywords as usual, and a tick
    made later gets them (and the clip path) as it is made. Where matplotlib reads "the first
    tick" only to know which side ticks are on (before drawing a title), that is read from the
    tick keywords; the tick padding makes the first ticks as matplotlib would.
    """

    majorTicks = _NoTicksYet("majorTicks")
    minorTicks = _NoTicksYet("minorTicks")
    _tick_clip: tuple[Any, Any] | None = None

    def set_clip_path(self, path: Any, transform: Any = None) -> None:
        self._tick_clip = (path, transform)
        super().set_clip_path(path, transform)  # type: ignore[misc]

    def _get_tick(self, major: bool) -> Any:
        tick = super()._get_tick(major)  # type: ignore[misc]
        if self._tick_clip is not None:
            tick.set_clip_path(*self._tick_clip)
        return tick

    def _first_ticks(self) -> None:
        for name, major in (("majorTicks", True), ("minorTicks", False)):
            if not getattr(self, name):
                tick = self._get_tick(major=major)  # may reset the lists: made first, as matplotlib does
                setattr(self, name, [tick])

    def _get_ticks_position(self) -> Any:
        """As matplotlib's (which side the ticks are on, read before drawing a title), from the
        tick keywords where no tick is made: what a tick made now would show."""
        standing_in = []
        for name, kw in (("majorTicks", self._major_tick_kw), ("minorTicks", self._minor_tick_kw)):  # type: ignore[attr-defined]
            if not getattr(self, name):
                setattr(self, name, [_TickStandIn(kw)])
                standing_in.append(name)
        try:
            return super()._get_ticks_position()  # type: ignore[misc]
        finally:
            for name in standing_in:
                delattr(self, name)

    def get_tick_padding(self) -> float:
        self._first_ticks()
        return super().get_tick_padding()  # type: ignore[misc]


class _ChartXAxis(_UnmadeTicks, XAxis):
    pass


class _ChartYAxis(_UnmadeTicks, YAxis):
    pass


class _AxesPatch(Rectangle):
    """The axes' background, which also clips every artist added to the axes: each of them asks for
    its transform (the unit square to the axes), which a Rectangle builds anew on every call
    (a bounding box, a rotation and their composition with the axes transform). Here it is built
    once for the rectangle's current geometry and transform and handed out again: the same
    values, as the composition follows the axes transform wherever the axes moves."""

    _made: tuple[tuple, Any] | None = None

    def get_transform(self) -> Any:
        key = (*self.get_xy(), self.get_width(), self.get_height(), self.get_angle(), self.rotation_point,
               id(Artist.get_transform(self)))
        if self._made is None or self._made[0] != key:
            self._made = (key, super().get_transform())
        return self._made[1]


class ChartAxes(Axes):
    """An :class:`~matplotlib.axes.Axes` whose axes make ticks only when they are set or drawn
    (:class:`_UnmadeTicks`) and whose clip rectangle's transform is made once (:class:`_AxesPatch`):
    about a third less to make each axes; the same pixels."""

    def _init_axis(self) -> None:
        super()._init_axis()
        for axis, cls in ((self.xaxis, _ChartXAxis), (self.yaxis, _ChartYAxis)):
            axis.__class__ = cls

    def _gen_axes_patch(self) -> Rectangle:
        return _AxesPatch((0.0, 0.0), 1.0, 1.0)
