"""A page's WOFF cut written straight from the TrueType base, without fontTools' subsetter.

The base (:func:`evalkit.report.webfont._base_font`: GB 2312, ``glyf`` outlines, no hints, no glyph
names, one format-4 ``cmap``) is read once per process into compact arrays (:class:`Base`: glyph
offsets, advances and side bearings as ``array``, a 64K ``cmap`` lookup as one ``array``, the
other tables as bytes, about 0.22 MiB beside the base's own 2 MB). A page's cut is then what
fontTools' subsetter makes of the base with :func:`evalkit.report.webfont._subset`'s options, byte
for byte (the tests compare them): the kept glyphs' bytes copied in glyph order, ``loca``,
``hmtx``/``vmtx`` with their trailing runs of equal advances folded, the format-4 ``cmap``
(compiled by fontTools' own subtable code), ``maxp``/``hhea``/``vhea``/``head`` counts, the
``OS/2`` character range and its Unicode and code-page bits pruned as the subsetter does, and the
WOFF container as fontTools writes it (zlib level 6 per table, ``head`` stored as is).

:func:`cut` returns ``None`` where the base holds something this writer does not expect (a
composite glyph, another ``cmap`` layout, a table it does not know): the caller then cuts with
fontTools as before.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

__all__ = ["Base", "cut"]

#: Tables copied unchanged from the base into every cut (the subsetter leaves them so: no glyph
#: references once the layout features are dropped, ``post`` format 3, ``name`` as it is).
_AS_IS = frozenset({"name", "post", "BASE", "GPOS", "GSUB"})
_KNOWN = _AS_IS | {"head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "loca", "glyf", "vhea", "vmtx"}
#: The order fontTools writes a TrueType font's tables in (``ttLib.ttFont.sortedTagList``); the rest follow by tag.
_TTF_ORDER = ("head", "hhea", "maxp", "OS/2", "hmtx", "LTSH", "VDMX", "hdmx", "cmap", "fpgm", "prep", "cvt ",
              "loca", "glyf", "kern", "name", "post", "gasp", "PCLT")
_ZLIB_LEVEL = 6  # fontTools' ``sfnt.ZLIB_COMPRESSION_LEVEL``


def _big(kind: str, data: bytes) -> array:
    values = array(kind, data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


class Base:
    """The base font's tables as compact arrays and bytes, parsed once per process."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        num_tables = struct.unpack_from(">H", data, 4)[0]
        self.tables: dict[str, tuple[int, int]] = {}
        for i in range(num_tables):
            tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
            self.tables[tag.decode("latin-1")] = (offset, length)
        needed = {"head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "loca", "glyf"}
        self.usable = needed <= set(self.tables) <= _KNOWN and ("vmtx" in self.tables) == ("vhea" in self.tables)
        if self.usable:
            try:
                self._parse()
            except (struct.error, IndexError, ValueError):  # a damaged base: fontTools will say what is wrong
                self.usable = False

    def _parse(self) -> None:
        self.head = bytearray(self._table("head"))
        self.num_glyphs = struct.unpack_from(">H", self._table("maxp"), 4)[0]
        long_loca = struct.unpack_from(">h", self.head, 50)[0]
        loca = _big("I" if long_loca else "H", self._table("loca"))
        self.loca = loca if long_loca else array("I", (2 * x for x in loca))
        self.glyf = self.tables["glyf"][0]
        self.h_metrics = self._metrics("hhea", "hmtx")
        self.v_metrics = self._metrics("vhea", "vmtx") if "vmtx" in self.tables else None
        self.gid = self._cmap()
        self.usable = self.gid is not None and len(self.loca) > self.num_glyphs

    def _table(self, tag: str) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset:offset + length]

    def _metrics(self, header: str, tag: str) -> tuple[array, array]:
        """(advances, side bearings), one each per glyph."""
        count = struct.unpack_from(">H", self._table(header), 34)[0]
        raw = self._table(tag)
        pairs = _big("h", raw[:4 * count])
        advances = array("H", pairs[0::2].tobytes())  # the same 16 bits, unsigned
        bearings = pairs[1::2] + _big("h", raw[4 * count:4 * count + 2 * (self.num_glyphs - count)])
        advances.extend([advances[-1]] * (self.num_glyphs - count))
        return advances, bearings

    def _cmap(self) -> array | None:
        """Glyph id for every BMP code point (0: none), from the base's one format-4 subtable."""
        cmap = self._table("cmap")
        if struct.unpack_from(">HH", cmap, 0) != (0, 1) or struct.unpack_from(">HH", cmap, 4) != (3, 1):
            return None
        start = struct.unpack_from(">L", cmap, 8)[0]
        if struct.unpack_from(">HH", cmap, start) != (4, struct.unpack_from(">H", cmap, start + 2)[0]):
            return None
        if struct.unpack_from(">H", cmap, start + 4)[0] != 0:  # language
            return None
        seg2 = struct.unpack_from(">H", cmap, start + 6)[0]
        seg = seg2 // 2
        base = start + 14
        ends = _big("H", cmap[base:base + seg2])
        starts = _big("H", cmap[base + seg2 + 2:base + 2 * seg2 + 2])
        deltas = _big("H", cmap[base + 2 * seg2 + 2:base + 3 * seg2 + 2])
        range_at = base + 3 * seg2 + 2
        offsets = _big("H", cmap[range_at:range_at + seg2])
        glyph_ids = _big("H", cmap[range_at + seg2:start + struct.unpack_from(">H", cmap, start + 2)[0]])
        gid = array("H", bytes(2 * 0x10000))
        for i in range(seg):
            for code in range(starts[i], ends[i] + 1):
                if code == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    glyph = (code + deltas[i]) & 0xFFFF
                else:
                    index = offsets[i] // 2 + (code - starts[i]) - (seg - i)
                    glyph = glyph_ids[index]
                    if glyph:
                        glyph = (glyph + deltas[i]) & 0xFFFF
                gid[code] = glyph
        return gid


def _metrics_table(advances: array, bearings: array, kept: list[int]) -> tuple[bytes, int]:
    """``hmtx``/``vmtx`` for the kept glyphs and its number of long metrics, as fontTools compiles it."""
    adv = [advances[g] for g in kept]
    last = len(adv)
    while adv[last - 2] == adv[-1]:
        last -= 1
        if last <= 1:
            last = 1
            break
    pairs = array("h", bytes(4 * last))
    pairs[0::2] = array("h", array("H", adv[:last]).tobytes())
    pairs[1::2] = array("h", [bearings[g] for g in kept[:last]])
    tail = array("h", [bearings[g] for g in kept[last:]])
    if sys.byteorder == "little":
        pairs.byteswap()
        tail.byteswap()
    return pairs.tobytes() + tail.tobytes(), last


class _Names(dict):
    """Glyph "names" that are their glyph ids (for fontTools' ``cmap`` subtable compiler)."""

    def __missing__(self, key: int) -> int:
        return key


class _Font:
    _names = _Names()

    def getReverseGlyphMap(self, rebuild: bool = False) -> _Names:  # noqa: N802 - fontTools' name
        return self._names


def _cmap_table(mapping: dict[int, int]) -> bytes:
    from fontTools.ttLib.tables._c_m_a_p import cmap_format_4

    subtable = cmap_format_4(4)
    subtable.language = 0
    subtable.cmap = mapping
    return struct.pack(">HHHHL", 0, 1, 3, 1, 12) + subtable.compile(_Font())


def _os2_table(base: bytes, codes: set[int]) -> bytes:
    from fontTools.ttLib.tables.O_S_2f_2 import calcCodePageRanges, intersectUnicodeRanges

    table = bytearray(base)
    empty = 0
    for bit in intersectUnicodeRanges(codes, inverse=True):
        empty |= 1 << bit
    ranges = struct.unpack_from(">4L", table, 42)
    struct.pack_into(">4L", table, 42, *(r & ~(empty >> (32 * i)) & 0xFFFFFFFF for i, r in enumerate(ranges)))
    struct.pack_into(">HH", table, 64, min(0xFFFF, min(codes)), min(0xFFFF, max(codes)))
    if struct.unpack_from(">H", table, 0)[0] >= 1:
        old = struct.unpack_from(">2L", table, 78)
        bits = 0
        for bit in calcCodePageRanges(codes):
            bits |= 1 << bit
        bits &= old[0] | (old[1] << 32)
        struct.pack_into(">2L", table, 78, (bits or 1) & 0xFFFFFFFF, (bits or 1) >> 32)
    return bytes(table)


def _checksum(data: bytes) -> int:
    if len(data) % 4:
        data += bytes(4 - len(data) % 4)
    return sum(_big("I", data)) & 0xFFFFFFFF


def _woff(tables: dict[str, bytes], sfnt_version: bytes = b"\x00\x01\x00\x00") -> bytes:
    """The WOFF 1.0 file of ``tables`` (in writing order), as fontTools' ``SFNTWriter`` makes it."""
    count = len(tables)
    entries = {}
    offset = 44 + 20 * count
    sfnt_offset = 12 + 16 * count
    chunks = []
    for tag, data in tables.items():
        if tag == "head":
            checksum = _checksum(data[:8] + b"\0\0\0\0" + data[12:])
            stored = data
        else:
            checksum = _checksum(data)
            packed = zlib.compress(data, _ZLIB_LEVEL)
            stored = packed if len(packed) < len(data) else data
        entries[tag] = [offset, len(stored), len(data), checksum, sfnt_offset]
        chunks.append(stored + bytes(-len(stored) % 4))
        offset += len(chunks[-1])
        sfnt_offset += (len(data) + 3) & ~3
    total_sfnt = 12 + 16 * count + sum((len(d) + 3) & ~3 for d in tables.values())
    head = tables["head"]
    major, minor = struct.unpack_from(">HH", head, 4)
    header = struct.pack(">4s4sLHHLHHLLLLL", b"wOFF", sfnt_version, offset, count, 0, total_sfnt, major, minor,
                         0, 0, 0, 0, 0)
    directory = b"".join(struct.pack(">4sLLLL", tag.encode("latin-1"), e[0], e[1], e[2], e[3])
                         for tag, e in sorted(entries.items()))
    # checkSumAdjustment over the equivalent plain TrueType directory and tables
    search = 1 << (count.bit_length() - 1)
    sfnt_dir = struct.pack(">4sHHHH", sfnt_version, count, search * 16, search.bit_length() - 1, count * 16 - search * 16)
    sfnt_dir += b"".join(struct.pack(">4sLLL", tag.encode("latin-1"), e[3], e[4], e[2])
                         for tag, e in sorted(entries.items()))
    adjustment = (0xB1B0AFBA - (sum(e[3] for e in entries.values()) + _checksum(sfnt_dir))) & 0xFFFFFFFF
    body = bytearray(b"".join(chunks))
    head_at = entries["head"][0] - 44 - 20 * count
    struct.pack_into(">L", body, head_at + 8, adjustment)
    return header + directory + bytes(body)


def cut(base: Base, wanted: str) -> bytes | None:
    """The WOFF cut of ``base`` for the characters ``wanted``; ``None``: cut it with fontTools."""
    if not base.usable:
        return None
    from fontTools.unicodedata import mirrored

    gid = base.gid
    codes = {ord(char) for char in wanted}
    # the subsetter keeps each character's bidi mirror too (（ with ）, 《 with 》), mapped
    codes.update([m for m in map(mirrored, codes) if m is not None])
    mapping = {code: gid[code] for code in codes if code < 0x10000 and gid[code]}
    if not mapping:
        return None
    kept = sorted({0, *mapping.values()})
    new_id = {old: new for new, old in enumerate(kept)}
    data, loca, glyf_at = base.data, base.loca, base.glyf
    pieces = []
    for g in kept:
        start, end = glyf_at + loca[g], glyf_at + loca[g + 1]
        if end > start and data[start] & 0x80:  # numberOfContours < 0: a composite glyph
            return None
        pieces.append(data[start:end])
    locations = [0]
    for piece in pieces:
        locations.append(locations[-1] + len(piece))
    if locations[-1] < 0x20000:
        odd = [i for i, piece in enumerate(pieces) if len(piece) % 2]
        if odd and locations[-1] + len(odd) < 0x20000:
            for i in odd:
                pieces[i] += b"\0"
            locations = [0]
            for piece in pieces:
                locations.append(locations[-1] + len(piece))
    short = locations[-1] < 0x20000 and not any(x % 2 for x in locations)
    loca_table = array("H", [x // 2 for x in locations]) if short else array("I", locations)
    if sys.byteorder == "little":
        loca_table.byteswap()
    glyf = b"".join(pieces) or b"\0"

    head = bytearray(base.head)
    struct.pack_into(">h", head, 50, 0 if short else 1)
    hmtx, long_h = _metrics_table(*base.h_metrics, kept)
    maxp = bytearray(base._table("maxp"))
    struct.pack_into(">H", maxp, 4, len(kept))
    made = {
        "head": bytes(head),
        "hhea": _with_count(base._table("hhea"), long_h),
        "maxp": bytes(maxp),
        "OS/2": _os2_table(base._table("OS/2"), set(mapping)),
        "hmtx": hmtx,
        "cmap": _cmap_table({code: new_id[g] for code, g in mapping.items()}),
        "loca": loca_table.tobytes(),
        "glyf": glyf,
    }
    if base.v_metrics is not None:
        made["vmtx"], long_v = _metrics_table(*base.v_metrics, kept)
        made["vhea"] = _with_count(base._table("vhea"), long_v)
    for tag in _AS_IS & set(base.tables):
        made[tag] = base._table(tag)
    order = [t for t in _TTF_ORDER if t in made] + sorted(t for t in made if t not in _TTF_ORDER)
    return _woff({tag: made[tag] for tag in order})


def _with_count(header: bytes, count: int) -> bytes:
    """``hhea``/``vhea`` with its number of long metrics."""
    return header[:34] + struct.pack(">H", count) + header[36:]
