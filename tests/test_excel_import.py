"""Importing self-evaluation workbooks: each layout scores, odd sheets warn, broken ones say why.

The workbooks are built in ``tmp_path`` by :mod:`tests.excel_builders`; nothing here reads a
committed .xlsx file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.errors import InputError
from evalkit.inputs.excel.importer import import_workbook, read_sheet, write_import
from evalkit.inputs.excel.layouts import FUNDS_FIELDS, INDICATOR_FIELDS, detect_layout, match_field
from evalkit.inputs.excel.reader import WorkbookError
from evalkit.inputs.excel.workbooks import open_workbook
from evalkit.inputs.params import discover, load_unit_year

from . import excel_builders as xb


def _only_sheet(path: Path, **kwargs):
    result = import_workbook(path, **kwargs)
    assert not result.errors, [str(e) for e in result.errors]
    assert len(result.sheets) == 1
    return result.sheets[0]


def _import_and_load(path: Path, out: Path, **kwargs):
    sheet = _only_sheet(path, **kwargs)
    write_import(sheet, out)
    refs = discover(out, unit=sheet.unit_id, year=sheet.year)
    return sheet, load_unit_year(refs[0])


# --------------------------------------------------------------------------- header synonyms


@pytest.mark.parametrize(
    ("header", "table", "field"),
    [
        ("全年预算数（A）", FUNDS_FIELDS, "budget_final"),
        ("全年(调整)预算数", FUNDS_FIELDS, "budget_final"),
        ("调整后预算数", FUNDS_FIELDS, "budget_final"),
        ("预算数(A)", FUNDS_FIELDS, "budget_final"),
        ("全年执行数(B)", FUNDS_FIELDS, "executed"),
        ("预算执行数", FUNDS_FIELDS, "executed"),
        ("执行率（B/A）", FUNDS_FIELDS, "exec_rate"),
        ("执行率(%)", FUNDS_FIELDS, "exec_rate"),
        ("执行率权重", FUNDS_FIELDS, "weight"),
        ("分值（10分）", FUNDS_FIELDS, "weight"),
        ("得分（20分×执行率）", FUNDS_FIELDS, "score"),
        ("执行率得分(分)", FUNDS_FIELDS, "score"),
        ("年度指标值（A）", INDICATOR_FIELDS, "target"),
        ("年初目标值(A)", INDICATOR_FIELDS, "target"),
        ("调整指标值", INDICATOR_FIELDS, "target_adjusted"),
        ("全年实际值（B）", INDICATOR_FIELDS, "actual"),
        ("全年完成值", INDICATOR_FIELDS, "actual"),
        ("度量单位", INDICATOR_FIELDS, "unit"),
        ("指标权重(分)", INDICATOR_FIELDS, "weight"),
        ("指标得分(分)", INDICATOR_FIELDS, "score"),
        ("得分系数(%)", INDICATOR_FIELDS, "score_coeff"),
        ("未完成原因及拟采取的改进措施", INDICATOR_FIELDS, "deviation_reason"),
        ("得分(重算)", INDICATOR_FIELDS, "ignore"),
        ("得分计算方法", INDICATOR_FIELDS, "ignore"),
        (" 三级\n指标 ", INDICATOR_FIELDS, "name"),
        ("项目名称", INDICATOR_FIELDS, None),
    ],
)
def test_header_synonyms(header, table, field):
    assert match_field(header, table) == field


# --------------------------------------------------------------------------- each layout


@pytest.mark.parametrize(
    ("builder", "layout", "rulebook", "kind"),
    [
        ("national", "national", "national-default", "project"),
        ("sichuan", "sichuan", "sichuan", "project"),
        ("xianjie", "national", "national-default", "project"),
        ("hubei", "hubei", "hubei-2021", "project"),
        ("beijing", "beijing-haidian", "beijing-haidian-2016", "project"),
        ("chongqing", "chongqing-dept", "national-default", "department"),
    ],
)
def test_each_layout_imports_to_params_that_score(tmp_path, builder, layout, rulebook, kind):
    path = xb.write_layout(tmp_path, builder)
    sheet, loaded = _import_and_load(path, tmp_path / "params")
    assert sheet.layout.name == layout
    assert loaded.year.rulebook == rulebook and loaded.year.kind == kind
    assert loaded.year.year == 2023
    evaluation = loaded.evaluate()
    total, grade = xb.EXPECTED[builder]
    assert (str(evaluation.total.value.normalize()), evaluation.grade) == (total, grade)
    assert sheet.total == evaluation.total.value
    # The printed figures are kept for the audit.
    assert loaded.year.reported is not None and loaded.year.reported.total is not None
    assert all(i.reported is not None for i in loaded.year.indicators)
    # And the CLI agrees.
    assert main(["score", str(loaded.ref.path)]) == 0


def test_national_reads_everything_the_form_prints(tmp_path):
    _, loaded = _import_and_load(xb.write_layout(tmp_path, "national"), tmp_path / "params")
    y, p = loaded.year, loaded.profile
    assert p.name == xb.IMPLEMENTER and p.department == xb.DEPARTMENT
    assert p.id.startswith("xm-") and len(p.id) == 11
    assert y.project.name == xb.PROJECT and y.project.goal.startswith("全年培训")
    assert (y.budget.initial, y.budget.final, y.budget.actual) == (100, 120, 114)
    assert [s.name for s in y.budget.sources] == ["当年财政拨款", "上年结转资金", "其他资金"]
    assert y.execution_weight is None  # 10, as the rulebook says
    first = y.indicators[0]
    assert (first.level1, first.level2, first.name) == ("产出指标", "数量指标", "培训人次")
    assert (first.op, first.target, first.unit, first.actual) == (">=", 500, "人次", 480)
    assert first.deviation_reason == "部分学员未能参训"
    assert first.reported.score == Decimal("19.2")
    # "(50分)" is stripped from the 一级 label, forward-filled down the merged cells.
    assert [i.level1 for i in y.indicators] == ["产出指标"] * 4 + ["效益指标", "满意度指标"]
    cost = next(i for i in y.indicators if i.name == "培训成本")
    assert (cost.op, cost.target, cost.unit) == ("<=", 90, "万元")
    assert next(i for i in y.indicators if i.name == "按时完成率").op == "="
    qual = next(i for i in y.indicators if i.is_qualitative)
    assert (qual.target, qual.actual, qual.score, qual.reported.score) == ("达成预期指标", "达成预期指标", 30, 30)
    assert y.reported.total == Decimal("98.7")
    assert (y.reported.execution_rate, y.reported.execution_score) == (95, Decimal("9.5"))


def test_written_yaml_is_plain_and_round_trips(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "national"))
    written = write_import(sheet, tmp_path / "params").written
    text = written[1].read_text(encoding="utf-8")
    assert "&id" not in text and "*id" not in text  # no YAML aliases for shared numbers
    assert text.startswith("# 由 evalkit import-xlsx 从 national.xlsx [自评表] 导入")
    assert "source: national.xlsx [自评表]" in text


def test_hubei_execution_weight_twenty(tmp_path):
    _, loaded = _import_and_load(xb.write_layout(tmp_path, "hubei"), tmp_path / "params")
    e = loaded.evaluate()
    assert e.execution_weight == 20 and e.execution_score.value == Decimal("19.00")
    assert loaded.year.budget.initial is None and loaded.year.budget.final == 120
    assert loaded.year.indicators[0].improvement == "加强宣传"


def test_beijing_uses_initial_budget_and_one_decimal(tmp_path):
    _, loaded = _import_and_load(xb.write_layout(tmp_path, "beijing"), tmp_path / "params")
    assert loaded.year.budget.initial == loaded.year.budget.final == 120
    e = loaded.evaluate()
    assert e.rulebook.rounding.score_dp == 1 and str(e.indicators[0].score.value) == "19.2"


def test_sichuan_nature_and_unit_columns(tmp_path):
    sheet, loaded = _import_and_load(xb.write_layout(tmp_path, "sichuan"), tmp_path / "params")
    ops = [i.op for i in loaded.year.indicators]
    assert ops == [">=", ">=", "=", "<=", "qualitative", ">="]
    assert [i.unit for i in loaded.year.indicators][:2] == ["人次", "%"]
    # 0.95 formatted as a percentage is 95 (percent), not 0.95.
    assert loaded.year.reported.execution_rate == 95
    assert loaded.year.narrative.budget_execution == "部分培训推迟至次年"
    assert [s.name for s in loaded.year.budget.sources][0] == "财政资金"


def test_chongqing_coefficient_and_adjusted_target(tmp_path):
    sheet, loaded = _import_and_load(xb.write_layout(tmp_path, "chongqing"), tmp_path / "params")
    y = loaded.year
    assert loaded.profile.name == xb.CHONGQING_UNIT
    done = next(i for i in y.indicators if i.name == "预算完成率")
    assert (done.target, done.target_adjusted) == (95, 90)
    # No printed 指标得分: 得分系数 84.44% × 指标权重 20 = 16.89 is the printed score.
    assert done.reported.score == Decimal("16.89")
    assert done.reported.target == 90  # the table scored against its adjusted target
    assert next(i for i in y.indicators if i.name == "管理制度健全性").op == "qualitative"
    assert y.reported.total == Decimal("94.49")  # 自评总分 in the header area
    assert y.execution_weight is None and y.reported.execution_score == Decimal("7.6")


# --------------------------------------------------------------------------- messy sheets


def test_merged_cells_blank_rows_and_unmerged_levels(tmp_path):
    path = xb.write_layout(tmp_path, "national", blank_rows=True, merge_levels=False)
    sheet = _only_sheet(path)
    inds = sheet.year_data["indicators"]
    assert len(inds) == 6
    assert [i["level1"] for i in inds] == ["产出指标"] * 4 + ["效益指标", "满意度指标"]
    assert [i["level2"] for i in inds][:2] == ["数量指标", "质量指标"]
    assert sheet.total == Decimal("98.70")


def test_header_variants(tmp_path):
    headers = {"全年预算数": "全年预算数（A）", "全年执行数": "全年执行数（B）", "执行率": "执行率（B/A）",
               "年度指标值": "年度指标值（A）", "实际完成值": "实际完成值（B）", "三级指标": "三级 指标",
               "偏差原因分析及改进措施": "偏差原因"}
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", headers=headers))
    assert sheet.total == Decimal("98.70")
    assert sheet.year_data["indicators"][0]["deviation_reason"] == "部分学员未能参训"


def test_numbers_stored_as_text(tmp_path):
    path = xb.write_layout(tmp_path, "national", numbers_as_text=True, yuan=True)
    sheet = _only_sheet(path)
    budget = sheet.year_data["budget"]
    # "1,200,000.00" 元 → 120 万元; the weight "１５" in full-width digits → 15.
    assert (budget["initial"], budget["final"], budget["actual"]) == (100, 120, 114)
    assert [i["weight"] for i in sheet.year_data["indicators"]][1] == 15
    assert sheet.total == Decimal("98.70")


def test_printed_figures_read_as_shown(tmp_path):
    """A score from a formula (19.200000000000003) shown as 19.20 is printed 19.20, not the float."""
    wb = xb.workbook(("自评表", xb.national))
    ws = wb["自评表"]
    ws["H13"].value, ws["H13"].number_format = 19.200000000000003, "0.00"
    ws["H14"].number_format = "0.00"  # 15 shown as 15.00
    ws["G6"].value, ws["G6"].number_format = 0.95, "0.0%"
    sheet = _only_sheet(xb.save(wb, tmp_path / "shown.xlsx"))
    first, second = sheet.year_data["indicators"][:2]
    assert (str(first["reported"]["score"]), str(second["reported"]["score"])) == ("19.20", "15.00")
    assert str(sheet.year_data["reported"]["execution_rate"]) == "95.0"


def test_yuan_against_wan(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", yuan=True))
    assert sheet.year_data["budget"]["final"] == 120
    assert sheet.year_data["budget"]["sources"][0]["final"] == 110
    cost = next(i for i in sheet.year_data["indicators"] if i["name"] == "培训成本")
    assert (cost["target"], cost["unit"], cost["actual"]) == (90, "万元", 85)  # "850000元"


def test_total_row_at_zero_is_recomputed_with_a_warning(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", zero_total=True))
    budget = sheet.year_data["budget"]
    assert (budget["initial"], budget["final"], budget["actual"]) == (100, 120, 114)
    (warning,) = [w for w in sheet.warnings if "年度资金总额" in w]
    assert warning.endswith("national.xlsx [自评表] C6: 年度资金总额为 0 或空，已按其中各项合计重算（年初预算数 100，全年预算数 120，全年执行数 114 万元）；请核对原表")


def test_level1_points_checked_against_children(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", level_points={"产出指标": 60, "效益指标": 30}))
    assert any("“产出指标”标注 60 分，其下各指标分值合计 50 分" in w for w in sheet.warnings)


def test_weights_not_summing_still_import_and_validate_says_so(tmp_path, capsys):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[0]["weight"] = 25
    path = xb.write_layout(tmp_path, "national", indicators=inds)
    out = tmp_path / "params"
    assert main(["import-xlsx", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "无法评分" in printed and "权重合计为 105" in printed and "evalkit validate" in printed
    assert main(["validate", str(out)]) == 2


def test_qualitative_text_unknown_takes_grade_from_printed_score(tmp_path):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[4].update(actual="良好", score=21)
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", indicators=inds))
    qual = sheet.year_data["indicators"][4]
    assert (qual["grade"], qual["score"]) == ("部分达成", 21)
    assert any("按所列得分 21" in w for w in sheet.warnings)
    assert sheet.total is not None


def test_not_applicable_indicator(tmp_path):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[2].update(actual="/", score=None)
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", indicators=inds))
    assert sheet.year_data["indicators"][2]["applicable"] is False
    assert sheet.total is not None
    # “—” beside a printed score: not taken out of scoring (that would change the total silently)
    inds[2].update(actual="—", score=12)
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", indicators=inds))
    indicator = sheet.year_data["indicators"][2]
    assert "applicable" not in indicator and "actual" in indicator["unknown"]
    assert any("实际完成值为“—”，得分栏却印有 12 分" in w for w in sheet.warnings), sheet.warnings


def test_year_option_when_title_has_none(tmp_path):
    path = xb.write_layout(tmp_path, "national", year=None)
    result = import_workbook(path)
    (error,) = result.errors
    assert "找不到年度" in str(error) and "--year" in str(error)
    assert _only_sheet(path, year=2022).year == 2022


# --------------------------------------------------------------------------- forms as filled in


def test_year_from_title_without_du_and_from_sheet_name(tmp_path):
    # "2023年项目支出绩效自评表": 年 without 度.
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", title="2023年项目支出绩效自评表", year=None))
    assert sheet.year == 2023 and not sheet.warnings
    # No year in the title, a 填报日期 of the next year above the table, the sheet named "2023年".
    wb = xb.workbook(("2023年", xb.national, {"year": None}))
    wb["2023年"]["A2"] = "填报日期：2024年3月15日"
    sheet = _only_sheet(xb.save(wb, tmp_path / "named.xlsx"))
    assert sheet.year == 2023
    assert any("按工作表名“2023年”取 2023 年度" in w for w in sheet.warnings)


def test_target_comparison_written_after_the_number(tmp_path):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[1]["target"] = "95%以上"
    inds[3]["target"] = "90万元以内"
    inds[5]["target"] = "90%及以上"
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", indicators=inds))
    got = [(i["op"], i["target"], i.get("unit")) for i in sheet.year_data["indicators"]]
    assert got[1] == (">=", 95, "%") and got[3] == ("<=", 90, "万元") and got[5] == (">=", 90, "%")
    assert sheet.total == Decimal("98.70")


def test_level1_points_without_fen(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", level_labels={"效益指标": "效益指标 (30)"}))
    assert [i["level1"] for i in sheet.year_data["indicators"]][4] == "效益指标"
    assert not sheet.warnings


def test_cover_and_instruction_sheets_are_skipped(tmp_path, capsys):
    wb = xb.workbook(("封面", xb.cover_page), ("Sheet2", xb.cover_page), ("须知", xb.instructions),
                     ("项目一", xb.national))
    path = xb.save(wb, tmp_path / "with_cover.xlsx")
    result = import_workbook(path)
    assert not result.errors and len(result.sheets) == 1
    assert len(result.notes) == 3 and all("已跳过" in n for n in result.notes)
    assert main(["import-xlsx", str(path), "--out", str(tmp_path / "params")]) == 0


def test_signature_rows_end_the_indicator_block(tmp_path):
    for total_row in (True, False):
        path = xb.write_layout(tmp_path, "national", total_row=total_row, signatures=True)
        sheet = _only_sheet(path)
        assert [i["name"] for i in sheet.year_data["indicators"]] == [i["name"] for i in xb.INDICATORS]
        assert sheet.total == Decimal("98.70")


def test_chongqing_coefficient_written_as_a_fraction(tmp_path):
    sheet = _only_sheet(xb.write_layout(tmp_path, "chongqing", coeff_fraction=True))
    scores = [i["reported"]["score"] for i in sheet.year_data["indicators"]]
    assert scores[:3] == [10, 10, Decimal("16.89")]
    assert str(sheet.total.normalize()) == xb.EXPECTED["chongqing"][0]
    assert any("得分系数均不大于 1" in w for w in sheet.warnings)


def test_deviation_column_with_reason_and_measures(tmp_path):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[0]["reason"] = "原因：部分学员未能参训。改进措施:加强组织动员"
    path = xb.write_layout(tmp_path, "national", indicators=inds,
                           headers={"偏差原因分析及改进措施": "偏差原因及改进措施"})
    first = _only_sheet(path).year_data["indicators"][0]
    assert (first["deviation_reason"], first["improvement"]) == ("部分学员未能参训。", "加强组织动员")


def test_docs_list_every_layout_and_header_synonym():
    from evalkit.inputs.excel.layouts import LAYOUTS

    from .conftest import ROOT

    doc = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    for layout in LAYOUTS:
        assert f"`{layout.name}`" in doc and f"`{layout.rulebook}`" in doc
    funds, _, indicators = doc.partition("Indicator block (`INDICATOR_FIELDS`)")
    for table, section in ((FUNDS_FIELDS, funds.partition("Funds block (`FUNDS_FIELDS`)")[2]),
                           (INDICATOR_FIELDS, indicators)):
        for field, synonyms in table.items():
            label = "| ignored |" if field == "ignore" else f"| `{field}` |"
            row = next((line for line in section.splitlines() if line.startswith(label)), "")
            missing = [s for s in synonyms if s not in row]
            assert not missing, f"docs/excel.md: {field} 缺少 {missing}"


def test_layout_detection_markers():
    assert detect_layout(["得分（20分×执行率）"]).name == "hubei"
    assert detect_layout(["项目名称"]).name == "national"


# --------------------------------------------------------------------------- several sheets


def test_several_sheets_one_broken(tmp_path, capsys):
    other = [dict(i) for i in xb.INDICATORS]
    bad = [dict(i) for i in xb.INDICATORS]
    bad[1]["actual"] = "很多"
    bad[2]["weight"] = "五"
    wb = xb.workbook(
        ("项目一", xb.national),
        ("项目二", xb.national, {"project": "农村道路养护项目", "indicators": other}),
        ("Sheet2", xb.national, {"project": "第三个项目", "indicators": bad}),
        ("填表说明", lambda ws: ws.cell(row=1, column=1, value="填表说明")),
    )
    path = xb.save(wb, tmp_path / "demo.xlsx")
    out = tmp_path / "params"
    code = main(["import-xlsx", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert "共导入 2 个工作表，失败 1 个" in captured.out
    # Every bad cell of the broken sheet, one line each; the sheet counts once.
    assert f"{path} [Sheet2] F14: 指标“培训合格率”的实际完成值应为数字" in captured.err
    assert f"{path} [Sheet2] G15: 指标“按时完成率”的分值应为数字" in captured.err
    assert "Traceback" not in captured.err
    assert len(discover(out)) == 2
    assert "[填表说明]" in captured.out  # skipped, with a note


def test_nothing_overwritten_without_the_flag(tmp_path, capsys):
    path = xb.write_layout(tmp_path, "national")
    out = tmp_path / "params"
    assert main(["import-xlsx", str(path), "--out", str(out)]) == 0
    year_file = next(out.glob("*/2023.yaml"))
    year_file.write_text(year_file.read_text(encoding="utf-8") + "# 手工修改\n", encoding="utf-8")
    assert main(["import-xlsx", str(path), "--out", str(out)]) == 1
    assert "已存在；确认覆盖请加 --overwrite" in capsys.readouterr().err
    assert year_file.read_text(encoding="utf-8").endswith("# 手工修改\n")
    assert main(["import-xlsx", str(path), "--out", str(out), "--overwrite"]) == 0
    assert not year_file.read_text(encoding="utf-8").endswith("# 手工修改\n")
    # Importing the same sheet again changes nothing and is no error.
    assert main(["import-xlsx", str(path), "--out", str(out)]) == 0
    assert "内容相同，未改动" in capsys.readouterr().out


def test_existing_profile_with_another_name_is_kept(tmp_path, capsys):
    path = xb.write_layout(tmp_path, "national")
    out = tmp_path / "params"
    unit = out / "pxzx"
    unit.mkdir(parents=True)
    (unit / "unit.yaml").write_text("id: pxzx\nname: 另一个单位\nshort_name: 另一个\n", encoding="utf-8")
    assert main(["import-xlsx", str(path), "--out", str(out), "--unit-id", "pxzx"]) == 1
    assert "unit.yaml 已存在且内容不同" in capsys.readouterr().err
    assert not (unit / "2023.yaml").exists()
    assert main(["import-xlsx", str(path), "--out", str(out), "--unit-id", "pxzx", "--overwrite"]) == 0
    profile = (unit / "unit.yaml").read_text(encoding="utf-8")
    assert xb.IMPLEMENTER in profile and "short_name: 另一个" in profile  # other fields kept


def test_existing_profile_differing_only_in_department_is_kept(tmp_path, capsys):
    out = tmp_path / "params"
    unit = out / "pxzx"
    unit.mkdir(parents=True)
    original = f"id: pxzx\nname: {xb.IMPLEMENTER}\ndepartment: 某市人民政府\n"
    (unit / "unit.yaml").write_text(original, encoding="utf-8")
    path = xb.write_layout(tmp_path, "national")
    assert main(["import-xlsx", str(path), "--out", str(out), "--unit-id", "pxzx"]) == 0
    assert "保留原文件" in capsys.readouterr().out
    assert (unit / "unit.yaml").read_text(encoding="utf-8") == original
    assert (unit / "2023.yaml").is_file()


def test_unit_id_option(tmp_path, capsys):
    path = xb.write_layout(tmp_path, "national")
    out = tmp_path / "params"
    assert main(["import-xlsx", str(path), "--out", str(out), "--unit-id", "peixun"]) == 0
    assert (out / "peixun" / "2023.yaml").is_file()
    assert main(["import-xlsx", str(path), "--out", str(out), "--unit-id", "../etc"]) == 2
    assert "单位编号“../etc”不合法" in capsys.readouterr().err
    two = xb.save(xb.workbook(("a", xb.national), ("b", xb.national, {"project": "另一项目"})), tmp_path / "two.xlsx")
    assert main(["import-xlsx", str(two), "--out", str(out), "--unit-id", "peixun2"]) == 2
    assert "--unit-id 只能用于只导入一个工作表" in capsys.readouterr().err


def test_rulebook_file_option_is_written_relative_to_the_unit(tmp_path):
    rules = tmp_path / "rules" / "local.yaml"
    rules.parent.mkdir()
    rules.write_text("name: local\ntitle: 本地规则\nextends: national-default\n", encoding="utf-8")
    out = tmp_path / "params"
    path = xb.write_layout(tmp_path, "national")
    assert main(["import-xlsx", str(path), "--out", str(out), "--rulebook", str(rules), "--unit-id", "px"]) == 0
    assert "rulebook: ../../rules/local.yaml" in (out / "px" / "2023.yaml").read_text(encoding="utf-8")
    assert main(["score", str(out / "px" / "2023.yaml")]) == 0


def test_dry_run_writes_nothing(tmp_path, capsys):
    out = tmp_path / "params"
    assert main(["import-xlsx", str(xb.write_layout(tmp_path, "national")), "--out", str(out), "--dry-run"]) == 0
    assert "将写入" in capsys.readouterr().out
    assert not out.exists()


def test_unit_id_is_deterministic(tmp_path):
    a = _only_sheet(xb.write_layout(tmp_path, "national"))
    b = _only_sheet(xb.write_layout(tmp_path, "sichuan"))
    assert a.unit_id == b.unit_id  # same 项目名称 + 实施单位
    assert _only_sheet(xb.write_layout(tmp_path, "national", project="别的项目")).unit_id != a.unit_id


# --------------------------------------------------------------------------- broken workbooks


def _sheet_error(tmp_path: Path, name: str = "demo.xlsx", **kwargs) -> WorkbookError:
    path = xb.save(xb.workbook(("Sheet2", xb.national, kwargs)), tmp_path / name)
    (error,) = import_workbook(path, display=name).errors
    assert isinstance(error, WorkbookError)
    assert "\n" not in str(error)
    return error


def test_missing_header_row(tmp_path):
    error = _sheet_error(tmp_path, drop_header=True)
    assert str(error) == (
        "demo.xlsx [Sheet2] A12: 找不到“绩效指标”表头（应有 一级指标/二级指标/三级指标/年度指标值/实际完成值/分值 等列）"
    )
    assert (error.file, error.sheet, error.cell) == ("demo.xlsx", "Sheet2", "A12")


def test_header_missing_a_required_column(tmp_path):
    error = _sheet_error(tmp_path, headers={"实际完成值": "备注说明"})
    assert str(error).startswith("demo.xlsx [Sheet2] D12: “绩效指标”表头缺少“实际完成值”列")


def test_sheet_without_indicator_block_is_budget_only(tmp_path):
    path = xb.save(xb.workbook(("Sheet2", xb.no_indicator_block)), tmp_path / "demo.xlsx")
    sheet = _only_sheet(path, display="demo.xlsx")
    assert sheet.year_data["indicators"] == []
    assert sheet.year_data["budget"]["actual"] == Decimal(114)
    assert any("没有“绩效指标”区块" in w for w in sheet.warnings)


def test_bad_cells_name_their_cell(tmp_path):
    inds = [dict(i) for i in xb.INDICATORS]
    inds[1]["actual"] = "很多"
    error = _sheet_error(tmp_path, indicators=inds)
    assert str(error) == "demo.xlsx [Sheet2] F14: 指标“培训合格率”的实际完成值应为数字，实际为“很多”"
    inds[1]["actual"] = None  # not printed: unknown, with a warning naming the cell
    sheet = _only_sheet(xb.write_layout(tmp_path, "national", indicators=inds))
    assert sheet.year_data["indicators"][1]["unknown"] == ["actual"]
    assert any("F14: 指标“培训合格率”的实际完成值为空" in w for w in sheet.warnings)
    inds[1]["actual"] = "96%"
    inds[1]["weight"] = "十五"
    assert "G14: 指标“培训合格率”的分值应为数字" in str(_sheet_error(tmp_path, indicators=inds))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (xb.not_a_workbook, "不是 Excel 工作簿"),
        (xb.corrupt_workbook, "文件已损坏"),
        (xb.broken_part_workbook, "文件已损坏或不是有效的 .xlsx 工作簿"),
        (xb.encrypted_workbook, "设置了打开密码"),
        (xb.legacy_xls, "旧版 .xls"),
    ],
)
def test_broken_files_are_one_clear_line(tmp_path, capsys, make, expected):
    path = make(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as info:
        open_workbook(path)
    assert expected in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)
    good = xb.write_layout(tmp_path, "national")
    code = main(["import-xlsx", str(path), str(good), "--out", str(tmp_path / "params")])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(f"错误：{path}: ")
    assert "共导入 1 个工作表，失败 1 个" in captured.out


def test_missing_file(tmp_path, capsys):
    assert main(["import-xlsx", str(tmp_path / "nope.xlsx"), "--out", str(tmp_path)]) == 1
    assert "文件不存在" in capsys.readouterr().err


def test_read_sheet_on_a_grid(tmp_path):
    path = xb.write_layout(tmp_path, "chongqing")
    (grid,) = open_workbook(path)
    assert grid.value(5, 2) == 800 and grid.origin(5, 1) == (4, 1)
    assert read_sheet(grid).layout.name == "chongqing-dept"


def test_blank_funds_totals_are_each_named(tmp_path, capsys):
    """A funds block with both totals blank names both cells, and the indicator rows are still read."""
    bad = [dict(i) for i in xb.INDICATORS]
    bad[1]["actual"] = "很多"
    funds = {**xb.FUNDS, "initial": None, "final": None, "actual": None}
    wb = xb.workbook(("项目一", xb.national, {"funds": funds, "subrows": [], "indicators": bad}))
    path = xb.save(wb, tmp_path / "blank.xlsx")
    assert main(["import-xlsx", str(path), "--out", str(tmp_path / "params")]) == 1
    err = capsys.readouterr().err
    assert "年度资金总额的全年执行数为空" in err and "年度资金总额的全年预算数为空" in err
    assert "指标“培训合格率”的实际完成值应为数字" in err
    assert "Traceback" not in err
