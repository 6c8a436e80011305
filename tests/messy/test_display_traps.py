"""Workbooks whose cells hold one thing and show another: what Excel displays is what was meant.

Each test builds the national form with openpyxl in ``tmp_path`` (rows: 6 the 年度资金总额 row,
12 the indicator header, 13–18 the indicators, 19 总分; columns: F 实际完成值, G 分值, H 得分),
changes it the way a clerk's or a program's file differs, and imports it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from evalkit.inputs.excel.importer import import_workbook

from ..excel_builders import national


def _workbook(tmp_path: Path, change: Callable[[Worksheet], None] = lambda ws: None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目一"
    national(ws)
    change(ws)
    path = tmp_path / "表.xlsx"
    wb.save(path)
    return path


def _patch_sheet(path: Path, edit: Callable[[str], str]) -> Path:
    """Rewrite the first sheet's XML (what openpyxl cannot write: a zero size, a cached value)."""
    out = path.with_name("patched.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            zout.writestr(item, data)
    return out


def _messages(result) -> list[str]:
    return [str(e) for e in result.errors] + [w for s in result.sheets for w in s.warnings]


def test_a_zero_height_row_is_hidden_even_without_the_hidden_flag(tmp_path):
    """A row of height 0 shows nothing; its stale figures are not read."""

    def stale(ws: Worksheet) -> None:
        ws["F13"] = 999  # last year's figure, in a row squeezed to height 0
        ws.row_dimensions[13].height = 15

    path = _patch_sheet(
        _workbook(tmp_path, stale), lambda xml: xml.replace('<row r="13" ht="15" customHeight="1">', '<row r="13" ht="0" customHeight="1">')
    )
    result = import_workbook(path, display="表.xlsx")
    (sheet,) = result.sheets
    assert [i["name"] for i in sheet.year_data["indicators"]][0] == "培训合格率"
    assert any("隐藏的行 13" in w for w in sheet.warnings)


def test_a_zero_width_column_is_hidden_even_without_the_hidden_flag(tmp_path):
    """A second 实际完成值 column squeezed to width 0 is not read (nor a duplicate)."""

    def stale(ws: Worksheet) -> None:
        ws.insert_cols(7)
        ws["G12"] = "实际完成值"
        for row in range(13, 19):
            ws[f"G{row}"] = 1
        ws.column_dimensions["G"].width = 5

    path = _patch_sheet(_workbook(tmp_path, stale), lambda xml: xml.replace('width="5"', 'width="0"'))
    result = import_workbook(path, display="表.xlsx")
    assert not result.errors, _messages(result)
    (sheet,) = result.sheets
    assert sheet.year_data["indicators"][0]["actual"] == Decimal(480)
    assert any("隐藏的列 G" in w for w in sheet.warnings)


def test_a_format_that_shows_yuan_as_wanyuan_is_refused_naming_each_cell(tmp_path):
    """``0!.0000`` shows 1200000 as 120.0000 and ``#,##0,`` as 1,200: never 1200000 万元."""

    def disguise(ws: Worksheet) -> None:
        for col, fmt in (("C", "0!.0000"), ("D", "0!.0000"), ("E", '#,##0.00,,"万"')):
            ws[f"{col}6"] = ws[f"{col}6"].value * 10000
            ws[f"{col}6"].number_format = fmt
        ws["C8"].number_format = "0!.0000"  # a 0 shows as 0 whatever the format

    result = import_workbook(_workbook(tmp_path, disguise), display="表.xlsx")
    assert not result.sheets
    lines = [line for error in result.errors for line in str(error).splitlines()]
    assert [line.split(":")[0] for line in lines] == ["表.xlsx [项目一] C6", "表.xlsx [项目一] D6", "表.xlsx [项目一] E6"]
    assert "0!.0000" in lines[0] and "1000000" in lines[0] and "未读取" in lines[0]


def test_ordinary_number_formats_are_not_taken_for_disguises(tmp_path):
    def plain(ws: Worksheet) -> None:
        for col, fmt in (("C", "#,##0.00"), ("D", '0.00"万元"'), ("E", "#,##0_);(#,##0)")):
            ws[f"{col}6"].number_format = fmt

    result = import_workbook(_workbook(tmp_path, plain), display="表.xlsx")
    assert not result.errors
    budget = result.sheets[0].year_data["budget"]
    assert (budget["initial"], budget["final"], budget["actual"]) == (100, 120, 114)


def test_a_total_that_is_no_number_is_named_not_dropped_silently(tmp_path):
    """A cached #REF! (or 九十八点七) in the 总分 row's 得分 cell: a warning naming it."""

    def broken(ws: Worksheet) -> None:
        ws["H19"] = "#REF!"

    result = import_workbook(_workbook(tmp_path, broken), display="表.xlsx")
    (sheet,) = result.sheets
    assert "total" not in sheet.year_data.get("reported", {})
    assert any(w.startswith("表.xlsx [项目一] H19: 总分“#REF!”不是数字") for w in sheet.warnings), sheet.warnings
