"""Exporting results to a workbook: printable, printed beside recomputed, and it reads back the same."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from evalkit.cli import main
from evalkit.errors import InputError
from evalkit.inputs.excel.importer import import_workbook, with_unit_id, write_import
from evalkit.inputs.params import LoadedUnitYear, discover, load_unit_year, resolve_path
from evalkit.publish.workbook import FINDINGS_SHEET, export_workbook

from . import excel_builders as xb
from .conftest import PARAMS, REFERENCE


def _load(path: Path) -> LoadedUnitYear:
    (ref,) = resolve_path(path)
    return load_unit_year(ref)


def _scores(loaded: LoadedUnitYear) -> dict[str, object]:
    e = loaded.evaluate()
    return {
        "total": e.total.value,
        "grade": e.grade,
        "execution": (e.execution_rate.value, e.execution_weight, e.execution_score.value),
        "indicators": [(s.name, None if s.score is None else s.score.value) for s in e.indicators],
        "rulebook": e.rulebook.name,
        "kind": loaded.year.kind,
        # The fields an Excel table prints (the department table has no 预算调整率 etc.).
        "reported": loaded.year.reported.model_dump(include={"total", "grade", "execution_rate", "execution_score"}),
    }


def _reimport(xlsx: Path, out: Path) -> list[LoadedUnitYear]:
    result = import_workbook(xlsx)
    assert not result.errors, [str(e) for e in result.errors]
    for sheet in result.sheets:
        assert not sheet.warnings, sheet.warnings
        write_import(sheet, out)
    return [load_unit_year(ref) for ref in discover(out)]


@pytest.fixture
def samples(tmp_path) -> list[LoadedUnitYear]:
    """Every unit-year in params/ (the reference first) and one imported per Excel layout."""
    out = tmp_path / "samples"
    for name in xb.BUILDERS:
        (sheet,) = import_workbook(xb.write_layout(tmp_path, name)).sheets
        write_import(with_unit_id(sheet, f"sample-{name}"), out)
    shipped = [load_unit_year(ref) for ref in discover(PARAMS) if ref.path != REFERENCE]
    return [_load(REFERENCE), *shipped, *(load_unit_year(ref) for ref in discover(out))]


def test_round_trip_keeps_every_score(tmp_path, samples):
    xlsx = export_workbook(samples, tmp_path / "results.xlsx").path
    back = {(loaded.profile.id, loaded.year.year): loaded for loaded in _reimport(xlsx, tmp_path / "back")}
    assert sorted(back) == sorted((s.profile.id, s.year.year) for s in samples)
    for original in samples:
        again = back[(original.profile.id, original.year.year)]
        assert _scores(again) == _scores(original), original.profile.id
        assert again.profile.name == original.profile.name
        if original.year.project is not None:
            assert again.year.project == original.year.project


def test_round_trip_of_the_reference_keeps_what_the_report_printed(tmp_path):
    original = _load(REFERENCE)
    xlsx = export_workbook([original], tmp_path / "ref.xlsx").path
    (again,) = _reimport(xlsx, tmp_path / "back")
    budget_funds = next(i for i in again.year.indicators if i.name == "预算经费")
    assert (budget_funds.target, budget_funds.target_adjusted) == (Decimal("304.1"), Decimal("425.3"))
    assert budget_funds.reported.target == Decimal("304.1")  # printed, not the adjusted one
    assert next(i for i in again.year.indicators if i.name == "职工代表满意度").reported.completion == Decimal("101.71")
    # Printed figures keep the digits they were printed with.
    def printed(loaded):
        return [str(i.reported.score) for i in loaded.year.indicators], str(loaded.year.reported.total)

    assert printed(again) == printed(original)
    first = again.year.indicators[0]
    assert first.deviation_reason == original.year.indicators[0].deviation_reason
    assert first.improvement == original.year.indicators[0].improvement
    assert again.year.indicators[0].midyear == Decimal("68.23")
    try:
        from evalkit.audit.checks import audit_unit_year
    except ImportError:
        return
    codes = sorted(f.code for f in audit_unit_year(original))
    assert sorted(f.code for f in audit_unit_year(again)) == codes


def test_sheet_layout_and_print_setup(tmp_path, samples):
    path = export_workbook(samples, tmp_path / "results.xlsx").path
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "xinshi-rd 2023" and len(names) >= len(samples)
    ws = wb["xinshi-rd 2023"]
    assert ws["A1"].value == "部门整体支出绩效自评表" and ws["A2"].value == "（2023年度）"
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2" and ws.print_area
    assert ws.column_dimensions["C"].width >= 20
    headers = {ws.cell(row=r, column=c).value: (r, c) for r in range(1, 15) for c in range(1, 15)}
    for header in ("年初预算数", "全年预算数", "全年执行数", "一级指标", "二级指标", "三级指标", "年度指标值",
                   "实际完成值", "得分(重算)", "报告得分", "偏差原因分析及改进措施"):
        assert header in headers, header
    # Recomputed beside printed; the printed completion that differs is shaded.
    row = next(r for r in range(1, 30) if ws.cell(row=r, column=3).value == "职工代表满意度")
    completion_col = headers["报告完成率"][1]
    assert ws.cell(row=row, column=completion_col).value == pytest.approx(101.71)
    assert ws.cell(row=row, column=completion_col).fill.fgColor.rgb.endswith("FFC7CE")
    score_cell = ws.cell(row=row, column=headers["得分(重算)"][1])
    assert score_cell.number_format == "0.00"
    money = ws.cell(row=headers["年初预算数"][0] + 1, column=headers["年初预算数"][1])
    assert money.value == pytest.approx(304.1) and money.number_format == "#,##0.00"
    total_row = next(r for r in range(1, 40) if ws.cell(row=r, column=1).value == "总分")
    assert ws.cell(row=total_row, column=headers["得分(重算)"][1]).value == pytest.approx(91.73)
    beijing = wb[next(n for n in names if n.startswith("sample-beijing"))]
    column = [c for row in beijing.iter_rows() for c in row if c.value == "得分(重算)"][-1].column
    formats = {beijing.cell(row=r, column=column).number_format for r in range(1, beijing.max_row + 1)}
    assert "0.0" in formats  # one decimal under the Beijing rulebook


def test_findings_sheet_lists_the_audit(tmp_path):
    summary = export_workbook([_load(REFERENCE)], tmp_path / "ref.xlsx")
    assert summary.findings >= 2 and summary.note is None
    ws = openpyxl.load_workbook(summary.path)[FINDINGS_SHEET]
    assert ws["A1"].value == FINDINGS_SHEET and ws["D2"].value == "代码"
    codes = {ws.cell(row=r, column=4).value for r in range(3, ws.max_row + 1)}
    assert "E-COMPLETION-MISMATCH" in codes
    assert ws.page_setup.orientation == "landscape"


def test_findings_sheet_is_optional_without_the_audit(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "evalkit.audit.checks", None)  # import fails as if not installed
    summary = export_workbook([_load(REFERENCE)], tmp_path / "ref.xlsx")
    assert summary.findings == 0 and "evalkit.audit.checks" in summary.note
    assert FINDINGS_SHEET not in openpyxl.load_workbook(summary.path).sheetnames


def test_findings_from_a_stub_audit(tmp_path, monkeypatch):
    class Finding:
        code, severity, field, indicator = "X-TEST", "warning", "budget", "预算经费"
        printed, recomputed, message = "12", Decimal("8.63"), "测试"

    stub = type(sys)("evalkit.audit.checks")
    stub.audit_unit_year = lambda loaded: [Finding()]
    monkeypatch.setitem(sys.modules, "evalkit.audit.checks", stub)
    summary = export_workbook([_load(REFERENCE)], tmp_path / "ref.xlsx")
    ws = openpyxl.load_workbook(summary.path)[FINDINGS_SHEET]
    assert [c.value for c in ws[3]][3:] == ["X-TEST", "warning", "budget", "预算经费", "12", 8.63, "测试"]


def test_cli_exports_what_it_can(tmp_path, capsys):
    out = tmp_path / "out" / "results.xlsx"
    code = main(["export-xlsx", str(REFERENCE), str(tmp_path / "missing"), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1 and out.is_file()
    assert "文件或目录不存在" in captured.err and "已写入" in captured.out
    assert main(["export-xlsx", str(REFERENCE), "--out", str(tmp_path / "x.txt")]) == 2
    assert "应以 .xlsx 结尾" in capsys.readouterr().err


def test_rulebook_option_is_written_and_read_back(tmp_path):
    out = tmp_path / "beijing.xlsx"
    assert main(["export-xlsx", str(REFERENCE), "--out", str(out), "--rulebook", "beijing-haidian-2016"]) == 0
    (sheet,) = import_workbook(out).sheets
    assert sheet.year_data["rulebook"] == "beijing-haidian-2016"
    (ref,) = resolve_path(REFERENCE)
    expected = load_unit_year(ref, rulebook="beijing-haidian-2016").evaluate().total.value
    assert sheet.total == expected and str(expected) == "91.8"  # one decimal, 年初 as denominator


def test_nothing_to_export():
    with pytest.raises(InputError):
        export_workbook([], Path("never.xlsx"))


def test_help_is_chinese(capsys):
    for command in ("import-xlsx", "export-xlsx"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "工作簿" in text or "工作表" in text
