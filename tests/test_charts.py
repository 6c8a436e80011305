"""Charts: every chart renders for the reference unit and for edge cases, with real Chinese glyphs.

Warnings are errors here, so a ``Glyph … missing from font(s)`` warning (a 汉字 drawn as a box)
fails the test. One test renders in a fresh process with an empty matplotlib config/cache dir,
as on a machine that has never run matplotlib.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal as D
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from evalkit.core.models import Indicator
from evalkit.core.scoring import Evaluation, evaluate
from evalkit.inputs.params import evaluate_path, load_unit_year, resolve_path
from evalkit.report import charts
from evalkit.report.charts.ticks import category_labels
from evalkit.report.fonts import FONT_FAMILIES, FONT_FAMILY, font_path, use_cjk_font

from .conftest import PARAMS, REFERENCE, ROOT

pytestmark = pytest.mark.filterwarnings("error")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 150 * 1024


# --------------------------------------------------------------------------- builders


@pytest.fixture(scope="module")
def loaded():
    return load_unit_year(resolve_path(REFERENCE)[0])


@pytest.fixture(scope="module")
def reference() -> Evaluation:
    return evaluate_path(REFERENCE)


def evaluate_with(loaded, **update) -> Evaluation:
    """The reference year with some fields replaced, scored under its rulebook."""
    return evaluate(loaded.profile, loaded.year.model_copy(update=update), loaded.rulebook)


def with_budget(loaded, **update) -> Evaluation:
    return evaluate_with(loaded, budget=loaded.year.budget.model_copy(update=update))


def mixed_indicators(loaded) -> Evaluation:
    """A qualitative, a not-applicable, a 1000% and a zero-target indicator."""
    indicators = list(loaded.year.indicators)
    indicators[2] = Indicator(
        name="按时完成年度重点工作",
        op="qualitative",
        target="按时完成",
        actual="部分完成",
        grade="部分达成",
        weight=D(10),
    )
    indicators[3] = indicators[3].model_copy(update={"applicable": False, "actual": None})
    indicators[4] = indicators[4].model_copy(update={"actual": D(160)})  # 160 against ≥ 16: 1000%
    indicators[6] = Indicator(
        name="安全事故次数", op="<=", target=D(0), unit="起", actual=D(0), weight=D(15)
    )
    return evaluate_with(loaded, indicators=indicators)


def year_of(loaded, year: int, *, actual: str, training: str, meetings: str | None) -> Evaluation:
    """Another year of the reference unit: a different spend, training cut and meeting count."""
    indicators = list(loaded.year.indicators)
    indicators[0] = indicators[0].model_copy(update={"actual": D(training)})
    if meetings is None:  # the indicator did not exist that year; its weight goes elsewhere
        dropped = indicators.pop(5)
        indicators[5] = indicators[5].model_copy(
            update={"weight": indicators[5].weight + dropped.weight}
        )
    else:
        indicators[5] = indicators[5].model_copy(update={"actual": D(meetings)})
    return evaluate_with(
        loaded,
        year=year,
        indicators=indicators,
        budget=loaded.year.budget.model_copy(update={"actual": D(actual)}),
    )


def history(loaded) -> list[Evaluation]:
    return [
        year_of(loaded, 2021, actual="380.5", training="80", meetings=None),
        year_of(loaded, 2022, actual="401.2", training="3", meetings="6"),
    ]


EDGE_CASES = {
    "no_projects": lambda unit_year: evaluate_with(unit_year, projects=[]),
    "negative_adjustment": lambda unit_year: with_budget(
        unit_year, initial=D("500"), adjustment=D("-74.7")
    ),
    "final_and_actual_only": lambda unit_year: with_budget(
        unit_year, initial=None, adjustment=None, basic=None, project=None
    ),
    "overspent": lambda unit_year: with_budget(unit_year, actual=D("430.5")),
    "mixed_indicators": mixed_indicators,
}


# --------------------------------------------------------------------------- helpers


def cjk_texts(fig: Figure) -> list[Text]:
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())
    ]


def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def noto_sc_face() -> int:
    use_cjk_font()
    return next(e.index for e in font_manager.fontManager.ttflist if e.name == FONT_FAMILY)


def assert_renders_with_noto(fig: Figure) -> bytes:
    png = charts.to_png(fig)  # warnings are errors: a missing glyph fails here
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < MAX_PNG_BYTES
    chinese = cjk_texts(fig)
    assert chinese, "no Chinese text in the chart"
    face = noto_sc_face()
    for text in chinese:
        found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert Path(found) == font_path(), text.get_text()
        assert found.face_index == face, text.get_text()
    return png


# --------------------------------------------------------------------------- fonts


def test_use_cjk_font_registers_noto_and_sets_fallback():
    assert use_cjk_font() == FONT_FAMILY
    assert use_cjk_font() == FONT_FAMILY  # idempotent
    assert matplotlib.rcParams["font.family"] == list(FONT_FAMILIES)
    assert matplotlib.rcParams["axes.unicode_minus"] is True
    entries = [e for e in font_manager.fontManager.ttflist if e.fname == str(font_path())]
    assert FONT_FAMILY in {e.name for e in entries}
    assert len(entries) == len({(e.name, e.index) for e in entries}), "registered twice"
    assert font_path().name == "NotoSansCJK-Regular.ttc" and font_path().is_file()


def test_use_cjk_font_restores_rc_reset_in_between():
    use_cjk_font()
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    try:
        use_cjk_font()
        assert matplotlib.rcParams["font.family"][0] == FONT_FAMILY
    finally:
        use_cjk_font()


# --------------------------------------------------------------------------- reference


def test_reference_charts_render_in_report_order(reference):
    charted = charts.all_charts(reference)
    assert [title for title, _ in charted] == [
        "预算调整与执行",
        "支出结构",
        "项目预算与执行",
        "绩效指标完成情况",
        "指标得分",
    ]
    for _, fig in charted:
        assert isinstance(fig, Figure)
        assert_renders_with_noto(fig)


def test_reference_charts_print_the_reports_figures(reference):
    bridge = texts(charts.budget_bridge(reference))
    for figure in (
        "304.1",
        "+121.2",
        "调整率 39.86%",
        "425.3",
        "422.89",
        "预算执行率 99.43%",
        "未执行 2.41",
    ):
        assert figure in bridge
    composition = texts(charts.spending_composition(reference))
    for figure in (
        "331.31",
        "330.85（执行率 99.86%）",
        "92.04（执行率 97.93%）",
        "占基本支出 96.99%",
        "占全年预算 77.9%",
    ):
        assert figure in composition
    projects = texts(charts.projects_budget_actual(reference))
    assert (
        "13 → 11.05（85%）" in projects
        and "转移支付：1 项" in projects
        and "本级财力：2 项" in projects
    )
    scores = texts(charts.indicator_scores(reference))
    assert (
        "9.94 / 10，扣0.06分" in scores
        and "0 / 8，扣8分" in scores
        and "总分 91.73，等级 优" in scores
    )
    completion = texts(charts.indicator_completion(reference))
    assert "100.57%（422.89万元）" in completion  # ≤ indicator: the table's completion rate
    assert "越低越好" in completion and "原 304.1万元" in completion
    assert "116.67%（7次）" in completion and "101.17%（96.11%）" in completion
    assert "1364.6%（68.23%） »" in completion  # the mid-year training-cost value, capped


def test_pngs_are_deterministic(reference):
    first = charts.to_png(charts.indicator_scores(reference))
    assert charts.to_png(charts.indicator_scores(reference)) == first
    assert b"tEXt" not in first and b"tIME" not in first  # no software or date stamp


def test_ipython_shows_a_chart_as_png(reference):
    """What a kernel sends for a cell's last expression (the slow test runs a real kernel)."""
    from IPython.core.formatters import DisplayFormatter

    data, metadata = DisplayFormatter().format(charts.budget_bridge(reference))
    assert data["image/png"].startswith(PNG_SIGNATURE)
    assert metadata["image/png"] == {"width": 800, "height": 553}


def test_charts_do_not_touch_pyplot(reference):
    charts.all_charts(reference)
    if "matplotlib.pyplot" in sys.modules:  # another test module may have imported it
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []


# --------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_render(loaded, case):
    for _, fig in charts.all_charts(EDGE_CASES[case](loaded)):
        assert_renders_with_noto(fig)


def test_no_projects_skips_the_project_chart(loaded):
    ev = EDGE_CASES["no_projects"](loaded)
    assert charts.projects_budget_actual(ev) is None
    assert "项目预算与执行" not in [title for title, _ in charts.all_charts(ev)]


def test_negative_adjustment_is_drawn_as_a_cut(loaded):
    ev = EDGE_CASES["negative_adjustment"](loaded)
    fig = charts.budget_bridge(ev)
    assert f"-74.7\n调整率 {ev.adjustment_rate.text()}" in texts(fig)
    cut = next(
        bar
        for bar in fig.axes[0].patches
        if bar.get_facecolor()[:3] == matplotlib.colors.to_rgb(charts.PALETTE["decrease"])
    )
    assert (cut.get_y(), cut.get_height()) == pytest.approx((425.3, 74.7))


def test_bridge_with_final_and_actual_only(loaded):
    ev = EDGE_CASES["final_and_actual_only"](loaded)
    fig = charts.budget_bridge(ev)
    assert category_labels(fig.axes[0]) == ["全年预算", "实际支出"]
    assert charts.spending_composition(ev) is None


def test_overspending_is_named(loaded):
    assert "超出全年预算 5.2" in texts(charts.budget_bridge(EDGE_CASES["overspent"](loaded)))


def test_large_amounts_are_labelled_in_whole_values(loaded):
    """A 百亿 budget (over 1,000,000 万元): every value-axis label prints its tick's whole value,
    never matplotlib's "1.2" with a "1e6" offset printed elsewhere (or, drawn by hand, nowhere)."""
    from evalkit.report.charts.ticks import TICK

    ev = with_budget(loaded, initial=D("912300"), adjustment=D("363600"), final=D("1275900"),
                     actual=D("1268670"), basic=None, project=None)
    fig = charts.budget_bridge(ev)
    charts.to_png(fig)  # lays out and draws the ticks
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == TICK]
    values = [float(label) for label in labels]
    assert max(values) >= 1_000_000
    low, high = ax.get_ylim()
    assert values == [loc for loc in ax.yaxis.get_majorticklocs() if low <= loc <= high]
    assert ax.yaxis.get_offset_text().get_text() == ""


def test_composition_draws_what_exists(loaded):
    basic_only = loaded.year.budget.basic.model_copy(update={"personnel": None, "public": None})
    ev = with_budget(loaded, basic=basic_only, project=None)
    fig = charts.spending_composition(ev)
    assert fig is not None and "基本支出" in texts(fig) and "人员经费" not in texts(fig)


def test_completion_lists_qualitative_and_not_applicable(loaded):
    ev = mixed_indicators(loaded)
    fig = charts.indicator_completion(ev)
    shown = texts(fig)
    assert "定性指标：按时完成年度重点工作" in shown and "部分达成" in shown
    assert "不适用：政府采购执行率" in shown
    assert "目标值为 0，不以比例表示：安全事故次数" in shown
    assert "1000%（160项） »" in shown
    ax = fig.axes[0]
    # the 1000% bar is capped at the axis edge (about 130% here), not drawn to 1000
    assert max(bar.get_width() for bar in ax.patches) < 250
    labels = category_labels(ax)
    assert labels and all("按时完成年度重点工作" not in label for label in labels)


def test_scores_show_not_applicable_and_grade(loaded):
    shown = texts(charts.indicator_scores(mixed_indicators(loaded)))
    assert "不适用（分值 10，不计分）" in shown
    assert "7 / 10，扣3分（部分达成）" in shown
    assert "按适用指标折算为百分制" in shown


def test_trends_need_two_years_of_one_unit(loaded, reference):
    assert charts.trends([reference]) is None
    assert charts.trends([]) is None
    with pytest.raises(ValueError, match="年度重复"):
        charts.trends([reference, reference])
    other = dataclasses.replace(reference, unit=reference.unit.model_copy(update={"id": "other"}))
    with pytest.raises(ValueError, match="同一单位"):
        charts.trends([reference, other])


def test_trends_across_three_years(loaded, reference):
    past = history(loaded)
    fig = charts.trends([reference, *past])  # any order
    assert_renders_with_noto(fig)
    shown = texts(fig)
    for label in (
        "2021年",
        "2022年",
        "2023年",
        reference.total.text(),
        reference.execution_rate.text(),
    ):
        assert label in shown
    panels = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    # The small multiples are light panels drawn into one shared axes, each titled above its frame.
    board = [t for ax in fig.axes if not ax.axison for t in ax.texts]
    panels += [t.get_text() for t in board if t.get_va() == "baseline"]
    assert "召开常委会次数" in panels  # two years of three: still a trend
    assert "培训费下降率" in panels and len(panels) == 2 + 8
    assert "1600% »" in shown  # 80 against ≥ 5 in 2021, capped
    titles = [title for title, _ in charts.all_charts(reference, past)]
    assert titles[-1] == "历年趋势"


def test_score_labels_keep_off_the_grade_lines(loaded):
    """A total just under a grade threshold (demo-edu 2021: 87.84 under the 优 line at 90) has its
    label under the marker, not struck through by the dotted line; the others stay above."""
    demo = [evaluate_path(path) for path in sorted((PARAMS / "demo-edu").glob("20*.yaml"))]
    fig = charts.trends(demo)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    score_ax = next(ax for ax in fig.axes if ax.get_title(loc="left") == "总分与等级")
    line_ys = [score_ax.transData.transform((0, float(band.min)))[1] for band in demo[-1].rulebook.grades.bands]
    labels = {t.get_text(): t for t in score_ax.texts if t.get_text().endswith(("优", "良", "中", "差"))}
    assert {"87.84 良", "89.58 良", "97.4 优", "96.6 优"} <= set(labels)
    for label in labels.values():
        box = label.get_window_extent(renderer)
        assert not any(box.y0 < y < box.y1 for y in line_ys), label.get_text()
    marker_y = score_ax.transData.transform((2021, 87.84))[1]
    assert labels["87.84 良"].get_window_extent(renderer).y1 < marker_y  # moved under its point
    assert labels["97.4 优"].get_window_extent(renderer).y0 > score_ax.transData.transform((2023, 97.4))[1]


# --------------------------------------------------------------------------- notebooks


@pytest.mark.slow
def test_notebook_cell_output_is_embedded_as_png_in_html():
    """In a real kernel: a chart as a cell's last expression, or passed to display(), lands in
    nbconvert HTML as an embedded PNG, and charts never import pyplot."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"from evalkit import evaluate_path\nfrom evalkit.report import charts\nev = evaluate_path({str(REFERENCE)!r})"
        ),
        nbformat.v4.new_code_cell("charts.budget_bridge(ev)"),
        nbformat.v4.new_code_cell(
            "for title, fig in charts.all_charts(ev)[1:3]:\n    display(fig)"
        ),
        nbformat.v4.new_code_cell("import sys\n'matplotlib.pyplot' in sys.modules"),
    ]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = [output for cell in nb.cells[1:3] for output in cell.outputs]
    assert len(outputs) == 3 and all("image/png" in output.data for output in outputs)
    assert nb.cells[3].outputs[0].data["text/plain"] == "False"  # charts never import pyplot
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert html.count('src="data:image/png;base64,') == 3


# --------------------------------------------------------------------------- fresh machine


def test_fresh_machine_renders_without_glyph_warnings(tmp_path):
    """Empty MPLCONFIGDIR: matplotlib builds its font cache from scratch, with no CJK font in it."""
    config = tmp_path / "mplconfig"
    config.mkdir()
    script = textwrap.dedent(
        f"""
        import json, sys, time, warnings
        warnings.simplefilter("error")
        start = time.perf_counter()
        from evalkit.report import charts
        from evalkit.inputs.params import evaluate_path
        ev = evaluate_path({str(REFERENCE)!r})
        sizes = {{title: len(charts.to_png(fig)) for title, fig in charts.all_charts(ev)}}
        print(json.dumps({{"sizes": sizes, "pyplot": "matplotlib.pyplot" in sys.modules,
                           "seconds": time.perf_counter() - start}}))
        """
    )
    env = {**os.environ, "MPLCONFIGDIR": str(config), "MPLBACKEND": "agg"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["sizes"]) == 5 and not result["pyplot"]
    assert "missing from font" not in done.stderr
    cache_files = [p.name for p in config.iterdir()]
    assert all(name.startswith("fontlist") for name in cache_files), cache_files
    for name in cache_files:  # the cache was built fresh and holds no trace of our font
        assert "NotoSansCJK" not in (config / name).read_text()


def test_long_unit_name_footnote_stays_inside_the_figure(loaded):
    name = "新疆维吾尔自治区乌鲁木齐市高新技术产业开发区（新市区）城市管理综合行政执法局机关后勤服务中心"
    ev = dataclasses.replace(
        evaluate_with(loaded), unit=loaded.profile.model_copy(update={"name": name})
    )
    fig = charts.indicator_scores(ev)
    fig.canvas.draw()
    width = fig.bbox.width
    notes = [t for t in fig.findobj(Text) if "新疆" in t.get_text()]
    assert notes and all(t.get_window_extent().x1 <= width for t in notes)
    assert "\n" in notes[0].get_text()


# --------------------------------------------------------------------------- chart and table agree


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text)]


def test_completion_chart_prints_the_tables_completion_rate(reference):
    """图 and 表 agree: 预算经费 (≤ 425.3万元, actual 422.89) is 100.57% in both, not 99.43%."""
    from evalkit.report.render import completion_text

    fig = charts.indicator_completion(reference)
    shown = " ".join(_texts(fig))
    budget = next(s for s in reference.indicators if s.name == "预算经费")
    assert completion_text(budget) == "100.57%"
    assert "100.57%（422.89万元）" in shown
    assert "99.43%" not in shown


def test_overspent_reverse_indicator_is_a_shortfall(loaded):
    """A ≤ indicator spent past its target falls short of 100%: never drawn as over-achievement."""
    indicators = list(loaded.year.indicators)
    index = next(i for i, ind in enumerate(indicators) if ind.name == "预算经费")
    indicators[index] = indicators[index].model_copy(update={"actual": D("446.06")})
    ev = evaluate_with(loaded, indicators=indicators)
    score = ev.indicators[index]
    assert score.completion.value is not None and score.completion.value < 100
    shown = " ".join(_texts(charts.indicator_completion(ev)))
    assert f"{score.completion.text()}（446.06万元）" in shown
    assert "104.89%" not in shown


# --------------------------------------------------------------------------- input text on charts


@pytest.mark.parametrize("name", ["成本$控制$率", "$$x^2$$", "奇数$美元", "表情😀与𠀀字"])
def test_input_text_is_drawn_literally_without_warnings(loaded, name):
    """``$…$`` from a name is not mathtext, ``$$x^2$$`` does not fail, a missing glyph is □."""
    from evalkit.report.charts.text import MISSING_GLYPH

    indicators = list(loaded.year.indicators)
    indicators[0] = indicators[0].model_copy(update={"name": name})
    ev = evaluate_with(loaded, indicators=indicators)
    for fig in (charts.indicator_completion(ev), charts.indicator_scores(ev)):
        assert charts.to_png(fig).startswith(PNG_SIGNATURE)  # warnings are errors in this module
        shown = "".join(_texts(fig))
        expected = name.replace("𠀀", MISSING_GLYPH)
        assert expected[:4] in shown
        # Every drawn text (findobj also makes the tick objects of axes whose ticks are drawn as plain
        # texts: never drawn, they are invisible).
        assert all(not t.get_parse_math() for t in fig.findobj(Text) if t.get_visible() and t.get_text())


# --------------------------------------------------------------------------- axes without unused ticks


@pytest.mark.parametrize("params", [{}, {"bottom": False, "labelbottom": False}, {"top": True, "labeltop": True},
                                    {"bottom": False, "labelbottom": False, "top": True, "labeltop": True}])
def test_chart_axes_make_no_tick_until_needed_and_read_like_matplotlibs(params):
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from evalkit.report.charts.ticks import ChartAxes

    use_cjk_font()
    fig = Figure()
    FigureCanvasAgg(fig)
    plain = fig.add_axes((0.1, 0.1, 0.3, 0.3), axes_class=Axes)
    chart = fig.add_axes((0.5, 0.1, 0.3, 0.3), axes_class=ChartAxes)
    for ax in (plain, chart):
        ax.tick_params(axis="x", which="both", labelsize=7, **params)
        ax.set_title("标题")
    assert not vars(chart.xaxis).get("majorTicks") and not vars(chart.yaxis).get("minorTicks")
    fig.canvas.draw()  # the title's position asks which side the ticks are on
    assert chart.xaxis.get_ticks_position() == plain.xaxis.get_ticks_position()
    assert chart.title.get_position() == plain.title.get_position()
    if params.get("bottom") is False and not params.get("top"):  # nothing of the x axis drawn
        assert not vars(chart.xaxis).get("majorTicks")
    else:
        assert len(chart.xaxis.majorTicks) == len(plain.xaxis.majorTicks)
    # Ticks set later are made with the axis' keywords and the axes' clip path, as matplotlib's.
    for ax in (plain, chart):
        ax.set_xticks([0.2, 0.8], ["甲", "乙"])
    made, stock = chart.xaxis.get_major_ticks(), plain.xaxis.get_major_ticks()
    assert len(made) == len(stock) == 2
    for a, b in zip(made, stock, strict=True):
        assert a.label1.get_fontsize() == b.label1.get_fontsize() == 7
        assert a.label1.get_visible() == b.label1.get_visible()
        assert a.label2.get_visible() == b.label2.get_visible()
        assert a.gridline.get_clip_box() is not None and b.gridline.get_clip_box() is not None
    assert chart.xaxis.get_tick_padding() == plain.xaxis.get_tick_padding()


def test_fixed_ticks_read_like_set_ticks_without_making_ticks():
    from evalkit.report.charts.ticks import ChartAxes, fixed_ticks

    fig = Figure()
    plain, chart = (fig.add_axes((0.1, 0.1, 0.8, 0.8), axes_class=ChartAxes) for _ in range(2))
    for ax in (plain, chart):
        ax.set_xlim(0.5, 2.5)
    plain.set_xticks([1, 2, 3], ["2021年", "2022年", "2023年"])
    fixed_ticks(chart, "x", [1, 2, 3], ["2021年", "2022年", "2023年"])
    assert list(chart.xaxis.get_view_interval()) == list(plain.xaxis.get_view_interval()) == [0.5, 3]
    locs = chart.xaxis.get_majorticklocs()
    assert list(locs) == list(plain.xaxis.get_majorticklocs())
    assert chart.xaxis.major.formatter.format_ticks(locs) == plain.xaxis.major.formatter.format_ticks(locs)
    assert not vars(chart.xaxis).get("majorTicks") and len(plain.xaxis.majorTicks) == 3


def test_chart_axes_clip_rectangle_follows_the_axes():
    from evalkit.report.charts.ticks import ChartAxes

    fig = Figure(dpi=100)
    ax = fig.add_axes((0.1, 0.1, 0.5, 0.5), axes_class=ChartAxes)
    first = ax.patch.get_transform()
    assert ax.patch.get_transform() is first  # made once, for every artist clipped to it
    ax.set_position((0.2, 0.3, 0.4, 0.4))
    assert list(ax.patch.get_transform().transform((1, 1))) == list(ax.transAxes.transform((1, 1)))
    ax.patch.set_width(0.5)
    assert ax.patch.get_transform() is not first
    assert list(ax.patch.get_transform().transform((1, 1))) == list(ax.transAxes.transform((0.5, 1)))
