"""The chart renderer measures a text from its glyph layout: exactly what matplotlib measures.

``_ChartRenderer._measure_from_layout`` derives a text's width, height and descent from the
layout drawing needs anyway and per-glyph metrics, instead of ``FT2Font.set_text``. Where it gives
an answer it must be float-equal to ``RendererAgg.get_text_width_height_descent``; where it cannot
(fallback font, ligature, missing glyph, an advance HarfBuzz makes itself) it gives None and
matplotlib measures.
"""

from __future__ import annotations

import random

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import FontProperties

from evalkit.report.charts import agg
from evalkit.report.fonts import use_cjk_font

pytestmark = pytest.mark.filterwarnings("ignore:Glyph")  # texts with glyphs no font has

CJK = "".join(chr(c) for c in range(0x4E00, 0x9FA5, 97)) + "年度资金预算执行率项目指标完成值万元亿"
PLAIN = "0123456789.,%-+ ()（）：:、。，；/《》—" + CJK
ODD = (
    "AVTWaoyjgpqfiflLTYPrvwxkKQ\"'“”～…·→≥≤①②αβ€£¥ＡＢ１２３％－＋　｜！？!?@#&*_=<>[]{}~`^$ÀéüÑ"
    "\u2212°±×÷「」『』【】〔〕・\u0301\u0308\u200b\u200d\ufeff\u2007\u2009\t\r\n\x00😀∰⏻☃ა\u05d0\u0627ЖΩ"
)
SIZES = (5, 6.5, 7, 7.5, 8, 9, 10.5, 12, 14, 20)
DPIS = (50, 72, 96, 100, 150, 300)
FAMILIES = (None, ["DejaVu Sans"], ["DejaVu Sans", "Noto Sans CJK SC"])


def _prop(size: float, family: list[str] | None = None) -> FontProperties:
    use_cjk_font()
    return FontProperties(family=family or list(matplotlib.rcParams["font.family"]), size=size)


def _both(s: str, prop: FontProperties, dpi: float) -> tuple[tuple | None, tuple]:
    """(the layout's measure or None, matplotlib's), each from a fresh renderer."""
    key = (s, agg._font_key(prop), dpi, get_hinting_flag())
    fast = agg._ChartRenderer(10, 10, dpi)._measure_from_layout(s, prop, key)
    return fast, RendererAgg(10, 10, dpi).get_text_width_height_descent(s, prop, False)


def _assert_same(fast: tuple | None, real: tuple, s: str) -> None:
    if fast is not None:
        assert fast == real, s
        assert all(type(a) is float for a in fast), s


def test_random_texts_measure_as_matplotlib_measures():
    rng = random.Random(20261129)
    used = total = 0
    for size in SIZES:
        for dpi in DPIS:
            family = FAMILIES[0] if rng.random() < 0.7 else rng.choice(FAMILIES)
            prop = _prop(size, family)
            for _ in range(30):  # 1,800 texts here; the branch was checked on about 487,000
                alphabet = PLAIN if rng.random() < 0.6 else PLAIN + ODD
                s = "".join(rng.choice(alphabet) for _ in range(rng.choice((1, 2, 3, 5, 8, 13, 24))))
                fast, real = _both(s, prop, dpi)
                _assert_same(fast, real, s)
                used += fast is not None
                total += 1
    assert used > total // 2  # the layout measures most texts; matplotlib the rest


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    s=st.text(alphabet=st.sampled_from(PLAIN + ODD), max_size=20),
    size=st.sampled_from(SIZES),
    dpi=st.sampled_from(DPIS),
    family=st.sampled_from(FAMILIES),
)
def test_layout_measure_equals_matplotlibs_or_defers(s, size, dpi, family):
    prop = _prop(size, family)
    fast, real = _both(s, prop, dpi)
    _assert_same(fast, real, s)
    assert agg._ChartRenderer(10, 10, dpi).get_text_width_height_descent(s, prop, False) == real


@pytest.mark.parametrize("s", ["2023年度", "85.3%", "预算执行率（%）", "1,234.56 万元", "7o", "o7", "：j"])
def test_chart_texts_are_measured_from_their_layout(s):
    fast, real = _both(s, _prop(7), 100)
    assert fast == real


def test_a_glyph_is_measured_as_the_layout_chose_it():
    """'7' beside a Latin letter is another glyph of Noto Sans CJK than '7' alone, with another
    box: the union of the characters' boxes alone is not matplotlib's height."""
    prop = _prop(7)
    alone = {c: _both(c, prop, 100)[1] for c in "7o"}
    fast, real = _both("7o", prop, 100)
    assert fast == real
    union_height = max(h - d for _, h, d in alone.values()) - min(-d for _, _, d in alone.values())
    assert real[1] != union_height


@pytest.mark.parametrize(
    "s",
    [
        "",  # nothing laid out
        "e\u0301",  # two characters, one cluster
        "年∰",  # ∰ from DejaVu Sans, the fallback font
        "表😀",  # in no font: a missing glyph (and matplotlib's warning)
        "年\u200b",  # a zero-width last character: HarfBuzz's advance, not its glyph's
    ],
)
def test_texts_the_layout_cannot_measure_are_measured_by_matplotlib(s):
    prop = _prop(9)
    fast, real = _both(s, prop, 100)
    assert fast is None
    assert agg._ChartRenderer(10, 10, 100).get_text_width_height_descent(s, prop, False) == real


def test_a_measured_text_is_drawn_from_the_same_layout():
    prop = _prop(8)
    renderer = agg._ChartRenderer(10, 10, 100)
    s = "执行率 98.5%"
    renderer.get_text_width_height_descent(s, prop, False)
    key = (s, agg._font_key(prop), 100, get_hinting_flag(), repr(None), repr(None))
    font = renderer._prepare_font(prop)
    expected = tuple((i.ft_object, i.glyph_index, i.x, i.y) for i in font._layout(s, flags=get_hinting_flag()))
    assert agg._LAYOUTS[key] == expected
