"""A Chinese web font embedded in each page, so reports read correctly on machines without CJK fonts.

The page carries an ``@font-face`` whose source is a WOFF data URI holding only the glyphs the page
uses, cut from the bundled Noto Sans CJK SC (SIL OFL). Cutting from the 19 MB collection takes
about a second, so a base cut (ASCII, punctuation and the 6,763 characters of GB 2312) is made
once and cached on disk; a page's cut is then taken from the base in a fraction of that, falling
back to the full font for rarer characters (a place or person name).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path

__all__ = ["FAMILY", "font_face_css", "base_characters"]

FAMILY = "evalkit-cjk"


def base_characters() -> str:
    """ASCII, general and CJK punctuation, full-width forms and every GB 2312 hanzi."""
    chars = [chr(c) for c in range(0x20, 0x7F)]
    chars += [chr(c) for c in range(0x2000, 0x2070)]  # general punctuation
    chars += [chr(c) for c in range(0x3000, 0x3040)]  # CJK symbols and punctuation
    chars += [chr(c) for c in range(0xFF01, 0xFF5F)]  # full-width forms
    chars += list("≥≤±×÷−→←·—…℃％№")
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(dict.fromkeys(chars))


def _full_font_path() -> tuple[str, int]:
    from fontTools.ttLib import TTCollection

    from evalkit.report.fonts import font_path

    path = str(font_path())
    names = [f["name"].getDebugName(1) for f in TTCollection(path, lazy=True).fonts]
    return path, names.index("Noto Sans CJK SC")


def _cache_dir() -> Path:
    root = os.environ.get("EVALKIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "evalkit"
    )
    return Path(root)


def _subset(source, font_number: int | None, text: str, flavor: str | None) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Bounding boxes are already right in the source; recomputing them means running every
    # CFF charstring again, which is most of the time a page's cut takes.
    font = TTFont(source, fontNumber=font_number if font_number is not None else -1, lazy=False,
                  recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = flavor
    # Chinese running text needs no OpenType layout features; dropping them makes the cut
    # about three times faster and half the size.
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = flavor is None  # once, for the cached base
    options.recalc_bounds = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = flavor
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _base_font() -> tuple[bytes, frozenset[str]]:
    """The base cut (made once, cached on disk and in memory) and the characters it holds."""
    path, number = _full_font_path()
    chars = base_characters()
    key = hashlib.sha256((chars + path + str(os.path.getsize(path))).encode()).hexdigest()[:16]
    cached = _cache_dir() / f"noto-sc-base-{key}.otf"
    if cached.is_file():
        data = cached.read_bytes()
    else:
        data = _subset(path, number, chars, None)
        try:
            from evalkit.inputs.yamlio import atomic_write

            with atomic_write(cached, "wb") as handle:
                handle.write(data)
        except OSError:
            pass  # a read-only home still gets the font, only without the cache
    return data, frozenset(chars)


def font_face_css(text: str) -> str:
    """``@font-face`` CSS for the glyphs of ``text``, as a WOFF data URI (family :data:`FAMILY`)."""
    wanted = "".join(sorted(set(text) - set("\n\r\t")))
    base, available = _base_font()
    if set(wanted) <= available:
        data = _subset(io.BytesIO(base), None, wanted, "woff")
    else:
        path, number = _full_font_path()
        data = _subset(path, number, wanted, "woff")
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:100 900;font-display:swap;'
        f'src:url(data:font/woff;base64,{encoded}) format("woff");}}'
    )
