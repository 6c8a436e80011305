"""A Chinese web font embedded in each page, so reports read correctly on machines without CJK fonts.

The page carries an ``@font-face`` whose source is a WOFF data URI holding only the glyphs the page
uses, cut from the bundled Noto Sans CJK SC (SIL OFL). Cutting from the 19 MB collection takes
about a second, so a base cut (ASCII, punctuation and the 6,763 characters of GB 2312) is made
once, its outlines turned into TrueType curves (``glyf``, :func:`_to_truetype`), and cached on disk;
a page's cut is then written straight from the base, read once per process into compact arrays
(:mod:`evalkit.report.fontcut`, about 4 ms of CPU, most of it zlib; fontTools' subsetter, which
makes the same bytes, took about 35 ms parsing the base's tables again for every cut), falling back
to the full font (CFF) for rarer characters (a place or person name).

A page's cut depends only on its set of characters, so it is cached by that set: in memory (a
kernel that builds many reports, a rebuild in the same process) and on disk beside the base cut
(another worker or a fresh kernel rebuilding the same page), at most :data:`PAGE_CACHE_FILES`
files, the oldest removed first. Cutting from the base keeps its hints as they are: the base has
none left, so the cut is the same bytes without a pass over every glyph.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from functools import lru_cache
from pathlib import Path

from evalkit.report.fontcut import Base, cut

__all__ = ["FAMILY", "font_face_css", "base_characters", "PAGE_CACHE_FILES"]

FAMILY = "evalkit-cjk"
#: Page cuts kept on disk (about 75 KB each).
PAGE_CACHE_FILES = 2000


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


@lru_cache(maxsize=1)
def _full_font_path() -> tuple[str, int]:
    from fontTools.ttLib import TTCollection

    from evalkit.report.fonts import font_path

    path = str(font_path())
    with TTCollection(path, lazy=True) as collection:  # closes the file at once
        names = [f["name"].getDebugName(1) for f in collection.fonts]
    return path, names.index("Noto Sans CJK SC")


def _cache_dir() -> Path:
    root = os.environ.get("EVALKIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "evalkit"
    )
    return Path(root)


def _subset(source, font_number: int | None, text: str, flavor: str | None, *, from_base: bool = False) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Bounding boxes are already right in the source; recomputing them from the full collection
    # means running every CFF charstring again.
    # A page's cut reads only the tables the subsetter asks for (lazy): the same bytes, and from
    # the full collection about 40 MiB at its peak instead of 60. The base, made once, as before.
    font = TTFont(source, fontNumber=font_number if font_number is not None else -1, lazy=flavor is not None,
                  recalcBBoxes=False, recalcTimestamp=False)
    if font_number is None:
        # A cut from the base, which has no glyph names (:func:`_to_truetype`): a fixed order
        # spares making them from the cmap. A page's cut keeps none either (``post`` format 3).
        font.setGlyphOrder([".notdef"] + [f"g{i}" for i in range(1, font["maxp"].numGlyphs)])
    options = subset.Options()
    options.flavor = flavor
    # Chinese running text needs no OpenType layout features; dropping them makes the cut
    # about three times faster and half the size.
    options.layout_features = []
    # The base is cut once without hints and subroutines; a page cut from it keeps the hinting
    # setting off, which spares a pass over every glyph and gives the same bytes.
    options.hinting = from_base
    options.desubroutinize = flavor is None  # once, for the cached base
    options.recalc_bounds = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = flavor
    buffer = io.BytesIO()
    font.save(buffer)
    font.close()
    return buffer.getvalue()


#: Bumped whenever the base's format changes, so an older cached base is never read as this one.
BASE_FORMAT = "glyf-1"


def _to_truetype(otf: bytes) -> bytes:
    """The CFF base with its outlines as TrueType quadratic curves (``glyf``), made once with the base.

    Cutting a page from a CFF font runs every glyph's charstring (the subsetter looks for accented
    components, which Chinese glyphs never have) and compiles a new CFF table; from ``glyf`` it
    copies each kept glyph's bytes. The cubic curves are approximated within one font unit (of
    1,000 per em), which no screen shows. Names come from a fixed glyph order (:func:`_subset`),
    so the base carries no ``post`` glyph names, and one Unicode ``cmap`` subtable instead of two
    identical ones.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    hmtx = font["hmtx"].metrics
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # TrueType outlines run the other way round from CFF's.
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyph = pen.glyph()
        glyph.recalcBounds(glyf)
        glyf.glyphs[name] = glyph
        width, _ = hmtx[name]
        hmtx[name] = (width, getattr(glyph, "xMin", 0))  # a TrueType lsb is the outline's left edge
    del font["CFF "]
    if "VORG" in font:  # CFF-only vertical origins; vmtx carries them for glyf
        del font["VORG"]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    cmap = font["cmap"]
    cmap.tables = [table for table in cmap.tables if (table.platformID, table.platEncID) == (3, 1)]
    font.sfntVersion = "\x00\x01\x00\x00"
    buffer = io.BytesIO()
    font.save(buffer)  # recomputes maxp's point counts and head's box from the new outlines
    font.close()
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _base_key() -> str:
    from evalkit.report.fonts import font_path

    path = str(font_path())  # the collection's path, as _full_font_path gives it, without opening it
    key = base_characters() + path + str(os.path.getsize(path)) + BASE_FORMAT
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _base_font() -> tuple[bytes, frozenset[str]]:
    """The base cut (made once, cached on disk and in memory) and the characters it holds."""
    path, number = _full_font_path()
    chars = base_characters()
    cached = _cache_dir() / f"noto-sc-base-{_base_key()}.ttf"
    if cached.is_file():
        data = cached.read_bytes()
    else:
        data = _to_truetype(_subset(path, number, chars, None))
        import gc

        gc.collect()  # the glyph objects of the conversion refer to each other
        try:
            from evalkit.inputs.yamlio import atomic_write

            with atomic_write(cached, "wb") as handle:
                handle.write(data)
        except OSError:
            pass  # a read-only home still gets the font, only without the cache
    return data, frozenset(chars)


@lru_cache(maxsize=1)
def _parsed_base() -> Base:
    """The base's tables as compact arrays, once per process (about 0.25 MB beside the base's bytes)."""
    return Base(_base_font()[0])


def _write_cache(path: Path, data: bytes) -> None:
    """Keep a page cut on disk; prune the oldest beyond :data:`PAGE_CACHE_FILES`. Never fails."""
    try:
        from evalkit.inputs.yamlio import atomic_write

        with atomic_write(path, "wb") as handle:
            handle.write(data)
        files = list(path.parent.glob("*.woff"))
        if len(files) > PAGE_CACHE_FILES:
            files.sort(key=lambda p: p.stat().st_mtime)
            for old in files[: len(files) - PAGE_CACHE_FILES]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full cache only costs time


@lru_cache(maxsize=16)
def _page_font(wanted: str) -> bytes:
    """The WOFF cut for exactly the characters ``wanted`` (sorted, no duplicates).

    Kept in memory for the last 16 character sets only (about 1 MB; a kernel or worker building
    hundreds of reports kept up to 256 cuts, about 15 MB, of which almost none were asked for
    again): the disk cache gives an older one back in a fraction of a millisecond.
    """
    digest = hashlib.sha256(wanted.encode("utf-8")).hexdigest()[:32]
    cached = _cache_dir() / "pages" / f"{_base_key()}-{digest}.woff"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    base, available = _base_font()
    if set(wanted) <= available:
        data = cut(_parsed_base(), wanted)
        if data is None:  # nothing of the base's to map, or a base this writer does not expect
            data = _subset(io.BytesIO(base), None, wanted, "woff", from_base=True)
    else:
        path, number = _full_font_path()
        data = _subset(path, number, wanted, "woff")
        # The collection's tables are parsed into objects that refer to each other, so only the
        # cycle collector frees them: about 20 MiB a long-lived worker or kernel would otherwise
        # keep until a full collection happens to run. Rare pages only (a character outside GB 2312).
        import gc

        gc.collect()
    _write_cache(cached, data)
    return data


def font_face_css(text: str) -> str:
    """``@font-face`` CSS for the glyphs of ``text``, as a WOFF data URI (family :data:`FAMILY`)."""
    wanted = "".join(sorted(set(text) - set("\n\r\t")))
    encoded = base64.b64encode(_page_font(wanted)).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:100 900;font-display:swap;'
        f'src:url(data:font/woff;base64,{encoded}) format("woff");}}'
    )
