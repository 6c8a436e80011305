"""Text from the inputs, made safe for matplotlib before a chart is drawn.

Two things in a unit or indicator name would otherwise reach the picture wrongly:

* **mathtext.** matplotlib reads ``$…$`` as TeX math: ``成本$控制$`` would print italic, and
  ``$$x^2$$`` or an odd ``$\\frac`` stops the whole report with a parse error. Every text on a
  chart is drawn with ``parse_math`` off, so a dollar sign prints as a dollar sign.
* **missing glyphs.** A character neither Noto Sans CJK SC nor DejaVu Sans has (an emoji, a rare
  CJK Extension B character) would be drawn as an empty box with a ``Glyph … missing`` warning
  that nbconvert copies into the page. It is replaced by :data:`MISSING_GLYPH` (□, U+25A1
  WHITE SQUARE), which the embedded font has, and no warning is raised.

>>> drawable("成本$控制$ 𠀀")
'成本$控制$ □'
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from collections.abc import Callable, Iterator

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FuncFormatter

__all__ = ["MISSING_GLYPH", "drawable", "plain_text", "plain_figure"]

#: Drawn in place of a character the chart fonts lack (documented in docs/report.md).
MISSING_GLYPH = "□"


@functools.cache
def _covered() -> frozenset[int]:
    """Code points the chart fonts (Noto Sans CJK SC, then DejaVu Sans) can draw."""
    from evalkit.report.fonts import covered_code_points

    return covered_code_points()


def drawable(text: str) -> str:
    """``text`` with every character the chart fonts lack replaced by :data:`MISSING_GLYPH`."""
    covered = _covered()
    return "".join(
        char
        if ord(char) in covered or unicodedata.category(char) in ("Cc", "Zl", "Zp")
        else MISSING_GLYPH
        for char in text
    )


def plain_figure(fig: Figure) -> None:
    """Turn off mathtext on every text of ``fig`` and replace glyphs the fonts lack."""
    for artist in _texts(fig):
        artist.set_parse_math(False)
        text = artist.get_text()
        if text:
            artist.set_text(drawable(text))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for formatter in (axis.get_major_formatter(), axis.get_minor_formatter()):
                # Tick labels are re-made from the formatter at each draw.
                if isinstance(formatter, FixedFormatter):
                    formatter.seq = [drawable(str(label)) for label in formatter.seq]
                elif isinstance(formatter, FuncFormatter) and not getattr(formatter.func, "_drawable", False):
                    formatter.func = _drawable_func(formatter.func)


def _texts(fig: Figure) -> Iterator[Text]:
    """Every text of ``fig`` as :meth:`~matplotlib.artist.Artist.findobj` finds them, without asking
    an axis for its ticks, which would run its locator and make tick objects a chart's axes do not
    draw (:mod:`evalkit.report.charts.ticks`); tick labels made so far are included. Tick labels made
    at draw time read no mathtext (:func:`plain_text`) and come from the formatters made drawable here.
    """
    yield from fig.texts
    legends = list(fig.legends)
    for ax in fig.axes:
        yield from ax.texts
        yield from (ax.title, ax._left_title, ax._right_title)
        for axis in (ax.xaxis, ax.yaxis):
            yield from (axis.label, axis.offsetText)
            for tick in (*vars(axis).get("majorTicks", ()), *vars(axis).get("minorTicks", ())):
                yield from (tick.label1, tick.label2)
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for legend in legends:
        yield from (*legend.texts, legend.get_title())


def _drawable_func(func: Callable[..., object]) -> Callable[..., str]:
    def wrapped(*args: object) -> str:
        return drawable(str(func(*args)))

    wrapped._drawable = True  # type: ignore[attr-defined]
    return wrapped


@contextlib.contextmanager
def plain_text() -> Iterator[None]:
    """While drawing: texts created now (tick labels made at draw time) read no mathtext."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        yield
