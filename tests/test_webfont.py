"""The page font: cut from the cached base, cached by character set, the same bytes every way."""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.report import webfont

TEXT = "预算执行率 99.43%，综合得分 91.73 分，评价等级为“优”。Ünïcode 龘"  # 龘 is outside GB 2312


def _woff(css: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1))


def test_a_cut_from_the_base_is_the_same_bytes_with_or_without_the_glyph_pass():
    base, _ = webfont._base_font()
    wanted = "".join(sorted(set("预算执行率综合得分评价等级优 0123456789.%")))
    quick = webfont._subset(io.BytesIO(base), None, wanted, "woff", from_base=True)
    slow = webfont._subset(io.BytesIO(base), None, wanted, "woff", from_base=False)
    assert quick == slow and quick[:4] == b"wOFF"


def test_page_cuts_are_cached_by_character_set_in_memory_and_on_disk(tmp_path, monkeypatch):
    webfont._base_font()  # the base from the usual cache
    monkeypatch.setattr(webfont, "_cache_dir", lambda: tmp_path)
    webfont._page_font.cache_clear()
    first = webfont.font_face_css(TEXT)
    files = list((tmp_path / "pages").glob("*.woff"))
    assert len(files) == 1 and files[0].read_bytes() == _woff(first)
    # same characters in another order: the same cut, from memory
    assert webfont.font_face_css(TEXT[::-1]) == first
    assert webfont._page_font.cache_info().hits == 1
    # a fresh process (memory cleared) reads the disk copy; a corrupted copy would show here
    webfont._page_font.cache_clear()
    files[0].write_bytes(b"wOFF-cached")
    assert _woff(webfont.font_face_css(TEXT)) == b"wOFF-cached"
    files[0].unlink()
    webfont._page_font.cache_clear()
    assert webfont.font_face_css(TEXT) == first
    webfont._page_font.cache_clear()


def test_the_disk_cache_is_bounded(tmp_path, monkeypatch):
    webfont._base_font()
    monkeypatch.setattr(webfont, "_cache_dir", lambda: tmp_path)
    monkeypatch.setattr(webfont, "PAGE_CACHE_FILES", 2)
    webfont._page_font.cache_clear()
    for text in ("预算", "执行", "得分", "等级"):
        webfont.font_face_css(text)
    assert len(list((tmp_path / "pages").glob("*.woff"))) == 2
    webfont._page_font.cache_clear()


def test_the_truetype_base_draws_the_cff_glyphs_within_a_font_unit():
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    path, number = webfont._full_font_path()
    chars = "预算绩效龘A%，"
    cff_bytes = webfont._subset(path, number, chars, None)
    ttf_bytes = webfont._to_truetype(cff_bytes)
    assert ttf_bytes == webfont._to_truetype(cff_bytes)  # the same base every time
    cff, ttf = TTFont(io.BytesIO(cff_bytes)), TTFont(io.BytesIO(ttf_bytes))
    assert "glyf" in ttf and "CFF " not in ttf and ttf["post"].formatType == 3.0
    cff_map, ttf_map = cff.getBestCmap(), ttf.getBestCmap()
    assert cff_map.keys() == ttf_map.keys()
    for code, name in cff_map.items():
        bounds = []
        for font, glyph in ((cff, name), (ttf, ttf_map[code])):
            pen = BoundsPen(font.getGlyphSet())
            font.getGlyphSet()[glyph].draw(pen)
            bounds.append(pen.bounds)
        assert all(abs(a - b) <= 1 for a, b in zip(*bounds, strict=True)), chr(code)
        assert cff["hmtx"][name][0] == ttf["hmtx"][ttf_map[code]][0]
        assert cff["vmtx"][name] == ttf["vmtx"][ttf_map[code]]


def _reference(wanted: str) -> bytes:
    """fontTools' subsetter's cut of the base, with the options the pages used before :mod:`fontcut`."""
    base, _ = webfont._base_font()
    return webfont._subset(io.BytesIO(base), None, wanted, "woff", from_base=True)


def _character_sets() -> list[str]:
    import random

    rng = random.Random(20261129)
    available = sorted(webfont._base_font()[1])
    ascii_ = [chr(c) for c in range(0x20, 0x7F)]
    punctuation = list("，。、；：？！“”‘’（）《》【】〔〕「」『』…—·％（）＋－＝＜＞／０１２３４５６７８９")
    sets = [
        "".join(ascii_),  # ASCII alone (space first: usFirstCharIndex)
        "0123456789.%",
        "".join(punctuation),  # full-width forms and CJK punctuation, mirrored pairs among them
        "（",  # one bracket: its mirror comes along
        "评",  # a single hanzi
        "\u2053\u206d评",  # in the base's ranges but not in the font's cmap
        "预算执行率综合得分评价等级优 0123456789.%，。",
    ]
    for size in (2, 7, 30, 120, 330, 700, 2500):
        sets.append("".join(rng.sample(available, size)))
        sets.append("".join(rng.sample(ascii_ + punctuation, 20)) + "".join(rng.sample(available, size)))
    return ["".join(sorted(set(s))) for s in sets]


def test_a_page_cut_written_from_the_parsed_base_is_fonttools_cut_byte_for_byte():
    from evalkit.report import fontcut

    base = fontcut.Base(webfont._base_font()[0])
    assert base.usable
    for wanted in _character_sets():
        mine = fontcut.cut(base, wanted)
        assert mine is not None and mine == _reference(wanted), wanted[:20]
        assert fontcut.cut(fontcut.Base(webfont._base_font()[0]), wanted) == mine  # deterministic


_BASE_CHARS = sorted(webfont.base_characters())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_BASE_CHARS), min_size=1, max_size=400))
def test_any_set_of_base_characters_is_cut_as_fonttools_cuts_it(chars):
    from evalkit.report import fontcut

    wanted = "".join(sorted(set(chars)))
    mine = fontcut.cut(_parsed(), wanted)
    assert mine == (_reference(wanted) if mine is not None else None)
    assert mine is not None or not any(_parsed().gid[ord(c)] for c in wanted)


@lru_cache(maxsize=1)
def _parsed():
    from evalkit.report import fontcut

    return fontcut.Base(webfont._base_font()[0])


def test_the_cut_maps_the_page_characters_to_the_base_outlines_and_advances():
    from fontTools.ttLib import TTFont
    from fontTools.unicodedata import mirrored

    from evalkit.report import fontcut

    base_font = TTFont(io.BytesIO(webfont._base_font()[0]))
    base_cmap = base_font.getBestCmap()
    parsed = fontcut.Base(webfont._base_font()[0])
    for wanted in _character_sets()[::2]:
        font = TTFont(io.BytesIO(fontcut.cut(parsed, wanted)))
        assert font.flavor == "woff" and "glyf" in font and font["maxp"].numGlyphs == len(font.getGlyphOrder())
        cmap = font.getBestCmap()
        codes = {ord(c) for c in wanted}
        codes |= {mirrored(c) for c in codes} - {None}  # as the subsetter does: （ keeps ）
        assert set(cmap) == codes & set(base_cmap)
        assert font["OS/2"].usFirstCharIndex == min(cmap) and font["OS/2"].usLastCharIndex == max(cmap)
        glyf, base_glyf = font["glyf"], base_font["glyf"]
        for code, name in cmap.items():
            ours, theirs = glyf[name], base_glyf[base_cmap[code]]
            assert ours.numberOfContours == theirs.numberOfContours >= 0, chr(code)
            if ours.numberOfContours:
                assert list(ours.coordinates) == list(theirs.coordinates), chr(code)
                assert ours.endPtsOfContours == theirs.endPtsOfContours, chr(code)
                assert list(ours.flags) == list(theirs.flags), chr(code)
            assert font["hmtx"][name] == base_font["hmtx"][base_cmap[code]], chr(code)
            assert font["vmtx"][name] == base_font["vmtx"][base_cmap[code]], chr(code)


def test_the_base_has_what_the_direct_cut_assumes():
    """Every glyph simple (no composites) and its bytes already trimmed, as the subsetter would leave them."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(webfont._base_font()[0]))
    glyf = font["glyf"]
    assert [t.format for t in font["cmap"].tables] == [4]
    for name in font.getGlyphOrder():
        glyph = glyf.glyphs[name]
        raw = getattr(glyph, "data", b"")
        assert not raw or raw[0] < 0x80, name  # numberOfContours >= 0
        glyph.trim()
        assert getattr(glyph, "data", b"") == raw, name


def test_a_base_the_writer_does_not_expect_falls_back_to_fonttools(tmp_path, monkeypatch):
    from evalkit.report import fontcut

    data = bytearray(webfont._base_font()[0])
    base = fontcut.Base(bytes(data))
    glyph = base.gid[ord("评")]
    at = base.glyf + base.loca[glyph]
    data[at:at + 2] = b"\xff\xff"  # numberOfContours -1: a composite glyph
    odd = fontcut.Base(bytes(data))
    assert fontcut.cut(odd, "评价") is None and fontcut.cut(odd, "价") is not None
    assert fontcut.cut(base, "\u2053") is None  # nothing of the base's to map
    monkeypatch.setattr(webfont, "_cache_dir", lambda: tmp_path)
    monkeypatch.setattr(webfont, "_parsed_base", lambda: odd)
    webfont._page_font.cache_clear()
    assert _woff(webfont.font_face_css("评价")) == _reference("价评")
    assert _woff(webfont.font_face_css("\u2053")) == _reference("\u2053")
    webfont._page_font.cache_clear()


def test_characters_outside_the_base_are_cut_from_the_collection(tmp_path, monkeypatch):
    from fontTools.ttLib import TTFont

    monkeypatch.setattr(webfont, "_cache_dir", lambda: tmp_path)
    webfont._page_font.cache_clear()
    font = TTFont(io.BytesIO(_woff(webfont.font_face_css("龘评"))))
    assert {ord("龘"), ord("评")} <= set(font.getBestCmap()) and "CFF " in font
    webfont._page_font.cache_clear()


def test_a_damaged_or_unexpected_base_is_not_used():
    from evalkit.report import fontcut

    data = webfont._base_font()[0]
    assert not fontcut.Base(data[:400]).usable  # tables cut off
    renamed = data.replace(b"vmtx", b"zzzz", 1)  # an unknown table, vhea without vmtx
    assert not fontcut.Base(renamed).usable and fontcut.cut(fontcut.Base(renamed), "评") is None
