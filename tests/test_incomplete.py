"""Incomplete published reports (issue 10): each fixture loads, scores what can be scored, audits
with no false weight-sum error, and every consumer of an Evaluation shows the gaps honestly."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evalkit.audit import audit_unit_year
from evalkit.core.evaluation import NO_GRADE
from evalkit.inputs.params import load_unit_year, resolve_path

from .conftest import ROOT

INCOMPLETE = ROOT / "tests" / "fixtures" / "incomplete"
UNITS = ["shili-cutoff", "shili-budget", "shili-hubei", "shili-unprinted"]


def _loaded(unit: str):
    (ref,) = resolve_path(INCOMPLETE / unit)
    return load_unit_year(ref)


def _ev(unit: str):
    return _loaded(unit).evaluate()


def test_cut_off_table_scores_a_labelled_partial_total():
    e = _ev("shili-cutoff")
    assert e.total_status == "partial" and not e.graded and e.grade == NO_GRADE
    assert e.total.value == D("49.53")  # 9.79 + 10 + 10 + 10 + 9.74: what was printed
    assert e.total.text() == "49.53（部分得分）"
    assert any("第2页以后的绩效指标未印出" in m for m in e.missing)
    assert e.execution_score.value == D("9.79")


def test_budget_only_report_with_an_unprinted_execution_weight():
    e = _ev("shili-budget")
    assert e.indicators == () and e.execution_weight is None
    assert e.execution_rate.value == D("96.98")  # 1301.6 ÷ 1342.18
    assert e.execution_score.value is None and "预算执行率分值未印出" in e.execution_score.text()
    assert e.total_status == "not_computable" and e.total.value is None
    assert e.total.text().startswith("无法计算（")
    assert e.project_execution_rate is not None and e.project_execution_rate.value == D("87.89")


def test_budget_only_with_a_printed_weight_is_partial():
    loaded = _loaded("shili-budget")
    year = loaded.year.model_copy(update={"unknown": ["reported.total"], "execution_weight": D(10)})
    from evalkit.core.scoring import evaluate

    e = evaluate(loaded.profile, year, loaded.rulebook)
    assert e.total_status == "partial" and e.total.value == D("9.70") and e.execution_score.value == D("9.70")


def test_hubei_block_weights_are_shared_equally():
    e = _ev("shili-hubei")
    weights = {s.name: s.weight for s in e.indicators}
    assert weights["支持服务贸易企业数量"] == D(10) and weights["举办展会及培训场次"] == D(10)
    assert weights["服务贸易进出口额增长率"] == D(15) and weights["企业满意度"] == D(10)
    assert e.execution_weight == D(20) and e.execution_score.value == D("19")
    assert e.graded and e.total.value == D("97.33") and e.grade == "优"
    shared = next(s for s in e.indicators if s.name == "带动就业人数")
    assert "平均分配" in shared.weight_note


def test_block_points_are_not_shared_on_a_cut_off_table():
    loaded = _loaded("shili-hubei")
    data = {**loaded.year.model_dump(exclude_none=True), "evidence": {"complete": False, "missing": "cut_off"}}
    year = type(loaded.year).model_validate(data)
    from evalkit.core.scoring import evaluate

    e = evaluate(loaded.profile, year, loaded.rulebook)
    assert all(s.weight is None and s.score.value is None for s in e.indicators)
    assert all("表格不完整" in s.score.missing for s in e.indicators)
    assert e.total_status == "partial" and e.total.value == D("19")


def test_unprinted_cells_are_not_computable_with_their_reason():
    e = _ev("shili-unprinted")
    by = {s.name: s for s in e.indicators}
    assert by["代表建议办结率"].score.text() == "无法计算（实际完成值未印出）"
    assert by["代表建议办结率"].completion.value is None
    assert by["预算经费控制"].weight is None and by["预算经费控制"].score.missing == "分值未印出"
    assert by["预算经费控制"].completion.value == D("101.22")  # still computed: the cells are there
    assert by["会议筹备及时性"].score.value == D(15)
    assert by["代表履职培训人次"].score.missing == "年度指标值未印出" and by["代表履职培训人次"].indicator.op is None
    assert by["闭会期间活动满意度"].score.value == D(5)  # graded by the evaluator: the target is not needed
    assert e.total_status == "partial" and e.total.value == D("69.88")
    assert len(e.missing) == 3 and not e.graded
    # budget.adjustment not printed: the adjustment rate comes from final − initial
    assert e.adjustment_rate is not None


def test_an_unknown_execution_weight_is_never_the_rulebook_default():
    e = _ev("shili-budget")
    assert e.rulebook.budget_execution.weight == D(10) and e.execution_weight is None


@pytest.mark.parametrize("unit", UNITS)
def test_json_form_says_what_is_missing(unit):
    data = _ev(unit).as_dict()
    assert data["total_status"] in ("complete", "partial", "not_computable")
    if data["total_status"] != "complete":
        assert data["grade"] is None and data["missing"]


# --------------------------------------------------------------------------- consumers


@pytest.mark.parametrize("unit", UNITS)
def test_records_show_the_gaps(unit):
    from evalkit.publish.records import results_frame, unit_year_record

    loaded = _loaded(unit)
    ev = loaded.evaluate()
    record = unit_year_record(loaded, ev, audit_unit_year(loaded))
    frame = results_frame([record])
    assert len(frame) >= 1
    if not ev.graded:  # no partial sum slips into totals and averages as if it were a total
        assert record["total"] is None and record["grade"] in ("部分得分", "无法计算")
    else:
        assert record["total"] == str(ev.total.value) and record["grade"] == ev.grade


@pytest.mark.parametrize("unit", UNITS)
def test_report_sections_render(unit):
    from evalkit.report import narrative
    from evalkit.report.render import Report

    loaded = _loaded(unit)
    ev = loaded.evaluate()
    report = Report(loaded=loaded, ev=ev, findings=audit_unit_year(loaded))
    html = "".join(str(part) for part in (report.summary(), report.performance(), report.conclusion(), report.appendix()))
    text = narrative.conclusion(ev)
    if ev.total_status == "partial":
        assert "部分得分" in html and "部分得分" in text
    if ev.total_status == "not_computable":
        assert "无法计算" in html and "无法计算" in text
    for s in ev.indicators:
        narrative.indicator_paragraph(s)
        if s.score is not None and s.score.value is None:
            assert "无法计算" in html


@pytest.mark.parametrize("unit", UNITS)
def test_charts_draw(unit):
    import matplotlib

    matplotlib.use("Agg")
    from evalkit.report import charts

    for _, fig in charts.all_charts(_ev(unit)):
        assert fig is not None


@pytest.mark.parametrize("unit", UNITS)
def test_excel_export_and_score_card(unit, tmp_path):
    from openpyxl import load_workbook

    from evalkit.interactive.api import load
    from evalkit.publish.workbook import export_workbook

    loaded = _loaded(unit)
    export_workbook([loaded], tmp_path / "out.xlsx")
    cells = [str(c.value) for ws in load_workbook(tmp_path / "out.xlsx").worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    ev = loaded.evaluate()
    if not ev.graded:
        assert any("部分得分" in c or "无法计算" in c or "无法评定" in c for c in cells)
    view = load(path=loaded.ref.path)
    card = view._repr_html_()
    if not ev.graded:
        assert "无法评定" in card and ("部分得分" in card or "无法计算" in card)


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("shili-cutoff", set()),
        ("shili-budget", set()),
        ("shili-hubei", set()),
        ("shili-unprinted", {"I-TOTAL-NOT-CHECKED"}),
    ],
)
def test_each_fixture_audits_to_exactly_what_is_wrong_or_unchecked(unit, expected):
    assert {f.code for f in audit_unit_year(_loaded(unit))} == expected


def test_an_incomplete_report_still_has_its_printed_figures_checked():
    loaded = _loaded("shili-cutoff")
    data = loaded.year.model_dump(exclude_none=True)
    data["reported"] = {"execution_rate": "97.39", "execution_score": "9.79"}  # digits swapped
    year = type(loaded.year).model_validate(data)
    from evalkit.audit import audit

    findings = audit(loaded.profile, year, loaded.rulebook)
    rate = next(f for f in findings if f.code == "E-EXECUTION-RATE-MISMATCH")
    assert "数字颠倒" in (rate.explanation or "")


def test_the_results_table_counts_incomplete_reports_apart(tmp_path):
    from evalkit.interactive.explore import grade_distribution
    from evalkit.publish.records import results_frame, unit_year_record

    records = []
    for unit in UNITS:
        loaded = _loaded(unit)
        records.append(unit_year_record(loaded, loaded.evaluate(), []))
    table = grade_distribution(results_frame(records))
    assert table.loc["合计", "合计"] == 4
    assert table.loc["合计", "部分得分"] == 2 and table.loc["合计", "无法计算"] == 1 and table.loc["合计", "优"] == 1


def test_the_index_page_counts_incomplete_reports(tmp_path):
    import html
    import re

    from evalkit.publish.records import unit_year_record
    from evalkit.publish.site import render_index

    records = []
    for unit in UNITS:
        loaded = _loaded(unit)
        records.append(unit_year_record(loaded, loaded.evaluate(), []))
    page = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render_index(tmp_path, records))))
    assert "部分得分 2 个" in page and "无法计算 1 个" in page and "优 1 个" in page
    assert "2023 0 0 0 0 2 0 0 2" in page  # each year's row adds up
