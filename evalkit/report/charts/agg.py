"""The Agg canvas charts draw on: matplotlib's own, with two costs of its text path removed.

A report's charts draw a few hundred short texts, and matplotlib 3.11 spends most of a chart's
drawing time on them:

* **measuring** a text (``get_text_width_height_descent``) shapes it with FreeType every time a
  new figure measures it, because matplotlib's cache is per renderer, and every figure has its
  own. The same tick labels, legends and headings come back in every report: here the result is
  kept per process, keyed by the text, the font properties and the dpi (a pure function of them).
  A new text is measured from the glyph layout its drawing needs anyway and per-glyph metrics,
  not shaped a second time by ``FT2Font.set_text`` (exactly its numbers; the few texts where that
  cannot be shown, such as a ligature or a fallback font's glyph, are measured by matplotlib).
* **laying out** a text for drawing (``FT2Font._layout``: glyphs, fallback fonts, offsets) is
  redone for every draw, and every layout reads the font's height tables again: both are kept
  per process the same way.
* **drawing** a text renders glyph by glyph in Python, setting the font size and building a
  transform matrix with numpy for each glyph. Here the size is set only when the font or size
  changes and the rotation matrix is built once per text; the glyphs, their positions and the
  calls that rasterise them are matplotlib's, so the pixels are the same. A rendered glyph's
  bitmap depends only on the pen's position within its pixel (FreeType moves it by whole pixels
  otherwise), so bitmaps are kept per process by that phase and reused (the same pixels).

Mathtext is off on charts (:mod:`evalkit.report.charts.text`); its boxes still go to matplotlib.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import RenderMode

__all__ = ["ChartCanvas"]


class _ChartRenderer(RendererAgg):
    """RendererAgg with text metrics shared across figures and a leaner glyph loop."""

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        # A generic family ("sans-serif") resolves through rcParams: they are part of the key.
        key = (s, _font_key(prop), self.dpi, get_hinting_flag())
        found = _METRICS.get(key)
        if found is None:
            found = self._measure_from_layout(s, prop, key) or super().get_text_width_height_descent(s, prop, ismath)
            _remember(_METRICS, key, found)
        return found

    def _measure_from_layout(self, s: str, prop: Any, key: tuple) -> tuple[float, float, float] | None:
        """What ``FT2Font.set_text`` would measure, from the glyph layout drawing the text needs
        anyway (kept for the draw) and per-glyph metrics kept per process; None where that layout
        is not one glyph per character, all of this font, on the baseline, or its last advance
        may not be its glyph's: then matplotlib measures.

        ``set_text`` lays the text out with libraqm exactly as ``_layout`` does (same flags, no
        features or language), then unions the control boxes of the glyphs it loads, each moved
        along the baseline only: its height and descent are those of the glyphs the layout chose
        (HarfBuzz substitutes some by context: ``7`` beside a Latin letter is another glyph than
        ``7`` alone, with another box), not those of the characters alone. Its width is the pen's
        end: the last glyph's position plus its advance (a kerning pair changes the advance of its
        first glyph), which must be the same as its character's alone. Float-equal to matplotlib's
        measure on every text tried (tests/test_textmeasure.py)."""
        flags = key[3]
        font = self._prepare_font(prop)
        items = font._layout(s, flags=flags)
        # The draw of this text with no font features or language finds this layout.
        _remember(_LAYOUTS, (*key, repr(None), repr(None)),
                  tuple((i.ft_object, i.glyph_index, i.x, i.y) for i in items))
        if not items or len(items) != len(s):
            return None
        size = prop.get_size_in_points()
        low, high = 32000, -32000  # set_text's starting box
        for char, item in zip(s, items, strict=True):
            if item.char != char or item.ft_object is not font or not item.glyph_index or item.y:
                return None  # ligature, cluster, fallback font, missing glyph (a warning) or offset
            glyph_key = (font, size, self.dpi, flags, item.glyph_index)
            metrics = _GLYPH_METRICS.get(glyph_key)
            if metrics is None:
                glyph = font.load_glyph(item.glyph_index, flags)
                metrics = _remember(_GLYPH_METRICS, glyph_key, (glyph.horiAdvance, glyph.bbox[1], glyph.bbox[3]),
                                    limit=_GLYPHS_MAX)
            low = min(low, metrics[1])
            high = max(high, metrics[2])
        # HarfBuzz gives a character of its own rule (a zero-width or a space the font lacks) an
        # advance that is not its glyph's: the last glyph's must be the one it has alone.
        alone_key = (font, size, self.dpi, flags, s[-1])
        alone = _ADVANCES.get(alone_key)
        if alone is None:
            font.set_text(s[-1], 0.0, flags=flags)
            alone = _remember(_ADVANCES, alone_key, font.get_width_height()[0], limit=_GLYPHS_MAX)
        if metrics[0] != alone:
            return None
        width = round(items[-1].x * 64) + alone  # 26.6 units, as set_text keeps them
        return width / 64.0, (high - low) / 64.0, -low / 64.0

    def _get_font_height_metrics(self, prop: Any) -> tuple[float | None, float | None, float | None]:
        """Ascent, descent and line gap of the font at this dpi, as ``Text._get_layout`` reads
        them from the font's OS/2 or hhea table on every layout; here once per font and size."""
        key = (_font_key(prop), self.dpi)
        found = _HEIGHTS.get(key)
        if found is None:
            font = get_font(fontManager._find_fonts_by_props(prop))
            metrics: tuple[float | None, float | None, float | None] = (None, None, None)
            for table_name, gap, ascent, descent in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent"),
            ):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = prop.get_size_in_points() * self.dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
                metrics = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            found = _remember(_HEIGHTS, key, metrics)
        return found

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
                  mtext: Any = None) -> None:
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (s, _font_key(prop), self.dpi, get_hinting_flag(), repr(features), repr(language))
        found = _LAYOUTS.get(key)
        if found is None:
            font = self._prepare_font(prop)
            items = font._layout(s, flags=get_hinting_flag(), features=features, language=language)
            found = _remember(_LAYOUTS, key, tuple((i.ft_object, i.glyph_index, i.x, i.y) for i in items))
        size = prop.get_size_in_points()
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle, ((ft, size, glyph, 0, 1, gx, gy) for ft, glyph, gx, gy in found), []
        )

    def _draw_text_glyphs_and_boxes(self, gc: Any, x: float, y: float, angle: float, glyphs: Any, boxes: Any) -> None:
        if boxes:  # mathtext rules: matplotlib's own path
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        antialiased = gc.get_antialiased()
        height = self.height
        dpi = self.dpi
        draw_image = self._renderer.draw_text_image
        matrices: dict[tuple[float, float], Any] = {}
        current = None
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards.
            matrix = matrices.get((slant, extend))
            if matrix is None:
                matrix = matrices[(slant, extend)] = (
                    (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]])
                    .round()
                    .astype(int)
                )
            tx = round(0x40 * (x + dx * cos - dy * sin))
            ty = round(0x40 * (height - y + dx * sin + dy * cos))
            # The bitmap depends on the pen's position within its pixel only (whole pixels move it).
            key = (font, size, dpi, glyph_index, load_flags, mode, angle, slant, extend, tx & 63, ty & 63)
            found = _GLYPHS.get(key)
            if found is None:
                if current is None or current[0] is not font or current[1] != size:
                    font.set_size(size, dpi)
                    current = (font, size)
                font._set_transform(matrix, [tx, ty])
                bitmap = font._render_glyph(glyph_index, load_flags, mode)
                buffer = bitmap.buffer
                if not antialiased:
                    buffer *= 0xFF
                found = _remember(_GLYPHS, key, (buffer.copy(), bitmap.left - (tx >> 6), bitmap.top - (ty >> 6)),
                                  limit=_GLYPHS_MAX)
            buffer, left, top = found
            draw_image(buffer, left + (tx >> 6), int(height) - (top + (ty >> 6)) + buffer.shape[0], 0, gc)


#: Text metrics by (text, font properties, dpi, hinting); a report's charts measure a few hundred.
_METRICS: dict[tuple, tuple[float, float, float]] = {}
#: Glyph layouts of drawn texts (font object, glyph, offset), keyed like the metrics.
_LAYOUTS: dict[tuple, tuple[tuple[Any, int, float, float], ...]] = {}
#: Rendered glyphs (bitmap, offset from the pen's pixel) by font, size, dpi, glyph, rendering
#: flags, rotation and the pen's position within its pixel (1/64 px): about a third of a report's
#: glyphs are found here (the same labels at the same sub-pixel phase). At most about 5 MB.
_GLYPHS: dict[tuple, tuple[Any, int, int]] = {}
#: A glyph's advance and vertical extent (26.6 units) by font, size, dpi, hinting and glyph.
_GLYPH_METRICS: dict[tuple, tuple[int, int, int]] = {}
#: A character's advance laid out alone (26.6 units) by font, size, dpi, hinting and character.
_ADVANCES: dict[tuple, int] = {}
#: Font height metrics by (font properties, dpi).
_HEIGHTS: dict[tuple, tuple[float | None, float | None, float | None]] = {}
#: Entries per cache: about 30 reports' texts (a value label is seldom seen twice, a tick label or
#: a heading in every report). A full cache is emptied: at most about 5 MB in a kernel.
_CACHE_MAX = 2048
#: Glyph bitmaps: a report draws 1,300–2,200 glyphs, 60–80 % of them not seen before in the
#: phase they are drawn at; about 0.5 KB each.
_GLYPHS_MAX = 8192


def _font_key(prop: Any) -> tuple:
    """Everything a FontProperties is (what its hash is made of), and the rcParams a generic family
    ("sans-serif") is resolved through."""
    return (*prop.__dict__.values(), tuple(mpl.rcParams["font.sans-serif"]))


def _remember(cache: dict, key: tuple, value: Any, limit: int = _CACHE_MAX) -> Any:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


class ChartCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer is :class:`_ChartRenderer`."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _ChartRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
