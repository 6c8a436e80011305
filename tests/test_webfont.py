"""The page font: cut from the cached base, cached by character set, the same bytes every way."""

from __future__ import annotations

import base64
import io
import re

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
        assert all(abs(a - b) <= 1 for a, b in zip(*bounds)), chr(code)
        assert cff["hmtx"][name][0] == ttf["hmtx"][ttf_map[code]][0]
        assert cff["vmtx"][name] == ttf["vmtx"][ttf_map[code]]
