"""The CJK font for charts: Noto Sans CJK SC, shipped by the pinned ``noto-cjk-sans-otc`` wheel.

Machines that render reports have no system CJK font, and matplotlib's default (DejaVu Sans) has
no Chinese glyphs: every 汉字 becomes a box and a ``Glyph … missing from font(s)`` warning.
:func:`use_cjk_font` registers the font file bundled with the wheel in the current process and
makes it matplotlib's default family, with DejaVu Sans behind it for any glyph Noto lacks.

Nothing is written anywhere: no font cache rebuild, no matplotlibrc, no copy into site-packages
(``mplfonts init`` does all three; see docs/ecosystem.md §3), so a fresh kernel, a read-only
install and a Dask worker all behave the same.

>>> from evalkit.report.fonts import FONT_FAMILY, use_cjk_font
>>> use_cjk_font()
'Noto Sans CJK SC'
>>> import matplotlib
>>> matplotlib.rcParams["font.family"][:2]
['Noto Sans CJK SC', 'DejaVu Sans']
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from pathlib import Path

__all__ = ["FONT_FAMILY", "FONT_FAMILIES", "covered_code_points", "font_path", "use_cjk_font"]

#: The family charts use. The collection also holds the JP/KR/TC/HK faces; the SC face has the
#: Simplified Chinese glyph forms. Reference it in CSS as ``font-family: "Noto Sans CJK SC"``.
FONT_FAMILY = "Noto Sans CJK SC"

#: ``rcParams["font.family"]``: matplotlib (≥ 3.6) falls back glyph by glyph along this list.
FONT_FAMILIES = (FONT_FAMILY, "DejaVu Sans")

_lock = threading.Lock()
_registered_path: Path | None = None
# Holds the extracted file open for the life of the process if the wheel is ever zipped.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def font_path() -> Path:
    """The font file (``NotoSansCJK-Regular.ttc``) inside the installed ``noto-cjk-sans-otc`` wheel.

    >>> font_path().name
    'NotoSansCJK-Regular.ttc'
    """
    import importlib.resources

    import noto_cjk_sans_otc

    resource = noto_cjk_sans_otc.FONT_PATH
    if isinstance(resource, Path):
        return resource
    # A zipped install: extract once, keep the file until the process exits.
    return _extracted.enter_context(importlib.resources.as_file(resource))


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese with Noto Sans CJK SC; return the family name.

    The first call registers the font file with ``font_manager.fontManager.addfont`` (in memory
    only); later calls only re-assert the two rcParams below, so they cost microseconds and
    undo anything (a style, ``%matplotlib inline``'s rc) that reset them in between.

    - ``font.family = ["Noto Sans CJK SC", "DejaVu Sans"]``;
    - ``axes.unicode_minus = True``: Noto has U+2212 MINUS SIGN, so negative ticks get a real minus
      (the common "set it to False" advice comes from SimHei, which lacks the glyph).

    Timing (this machine, matplotlib 3.11): first call about 15 ms once matplotlib is imported
    (the .ttc holds 10 faces, each read once by ``addfont``), about 0.25 s including the import of
    ``matplotlib.font_manager``; repeat calls about 5 µs. A fresh machine additionally pays
    matplotlib's own one-off font-cache build (1–4 s) at its first import, whatever font is used.

    >>> use_cjk_font() == FONT_FAMILY
    True
    """
    global _registered_path
    import matplotlib
    from matplotlib import font_manager

    with _lock:
        if _registered_path is None:
            path = font_path()
            known = {entry.fname for entry in font_manager.fontManager.ttflist}
            if str(path) not in known:
                font_manager.fontManager.addfont(path)
            _registered_path = path
    matplotlib.rcParams["font.family"] = list(FONT_FAMILIES)
    matplotlib.rcParams["axes.unicode_minus"] = True
    return FONT_FAMILY


def covered_code_points() -> frozenset[int]:
    """Code points the chart fonts (:data:`FONT_FAMILIES`: Noto Sans CJK SC, then DejaVu Sans) can draw.

    Read from each font's Unicode character map by FreeType, through matplotlib, as matplotlib
    draws them: about 4 MiB and a few milliseconds. (Reading the map with fontTools parses the
    collection's 15 MB CFF table for the glyph order: about 40 MiB at its peak, 30 MiB of which
    a kernel kept.)

    >>> 0x9884 in covered_code_points(), 0x20000 in covered_code_points()  # 预, 𠀀 (CJK Extension B)
    (True, False)
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    use_cjk_font()
    points: set[int] = set()
    for family in FONT_FAMILIES:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=True)
        points.update(FT2Font(path, face_index=getattr(path, "face_index", 0)).get_charmap())
    return frozenset(points)
