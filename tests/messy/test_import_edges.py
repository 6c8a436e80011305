"""The importer's edges: the grid entry point, limits, hostile cells, every problem at once,
--out checked first, --overwrite that names what it drops, rulebook files only inside params."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
import yaml

from evalkit.cli import main
from evalkit.errors import InputError
from evalkit.inputs.excel import workbooks
from evalkit.inputs.excel.importer import import_grid, import_workbook
from evalkit.inputs.excel.reader import MAX_CELL_CHARS, Grid

from .builders import Spec, build, with_ind
from .sheet import with_long_cell, write_xlsx


def _grid_of(spec: Spec, **overrides) -> Grid:
    sheet = build(spec)
    args = {
        "file": "表.xlsx",
        "sheet": sheet.name,
        "cells": sheet.cells,
        "formats": sheet.formats,
        "merged": sheet.merges,
        "hidden_rows": sheet.hidden_rows,
        "hidden_cols": sheet.hidden_cols,
    }
    return Grid.build(**{**args, **overrides})


def test_import_grid_takes_a_grid_from_any_source():
    """No workbook at all: cells, formats, merges and hidden flags, as a Word/PDF reader gives them."""
    spec = with_ind(Spec(), "培训合格率", actual_cell=0.96, actual_fmt="0%")
    result = import_grid(_grid_of(spec))
    ind = result.year_data["indicators"][1]
    assert ind["actual"] == Decimal(96)
    assert result.cells["indicators[1].actual"] == "F11"
    assert result.cells["budget.final"] == "E6"
    assert result.cells["reported.total"] == "H16"
    assert (result.cells["project.name"], result.cells["unit.name"]) == ("B3", "H4")
    assert result.total == Decimal("98.7") and result.grade == "优"


def test_hidden_rows_and_columns_are_dropped_with_a_note():
    grid = _grid_of(Spec(extra_col="hidden"))
    assert grid.hidden_cols == {6}
    assert any("隐藏的列 F" in note for note in grid.notes)
    result = import_grid(grid)
    assert any("隐藏的列 F 有内容，已忽略" in w for w in result.warnings)


def test_a_huge_cell_is_one_line_naming_it(tmp_path, capsys):
    sheet = build(Spec())
    sheet.cells[(3, 2)] = "HUGE-CELL"
    made = write_xlsx([sheet], tmp_path / "made.xlsx")
    path = with_long_cell(made, tmp_path / "huge.xlsx", "HUGE-CELL", "项" * (MAX_CELL_CHARS * 30))
    with pytest.raises(InputError) as info:
        import_workbook(path, display="huge.xlsx")
    error = info.value
    assert str(error).startswith("huge.xlsx [自评表] B3: 单元格文字过长") and "\n" not in str(error)
    assert main(["import-xlsx", str(path), "--out", str(tmp_path / "p")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_workbooks_past_the_limits_are_refused_before_reading(tmp_path, monkeypatch):
    path = write_xlsx([build(Spec())], tmp_path / "big.xlsx")
    monkeypatch.setattr(workbooks, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(InputError, match="解压后过大"):
        workbooks.open_workbook(path)
    monkeypatch.setattr(workbooks, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match="文件过大"):
        workbooks.open_workbook(path)
    monkeypatch.undo()
    monkeypatch.setattr(workbooks, "MAX_CELLS", 20)
    with pytest.raises(InputError, match="单元格过多"):
        workbooks.open_workbook(path)


def test_every_bad_cell_is_listed(tmp_path, capsys):
    spec = Spec()
    for name in ("培训人次", "培训合格率", "按时完成率", "培训成本", "参训人员满意度"):
        spec = with_ind(spec, name, actual_cell="很多")
    path = write_xlsx([build(spec)], tmp_path / "bad.xlsx")
    assert main(["import-xlsx", str(path), "--out", str(tmp_path / "p")]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "实际完成值应为数字" in line]
    assert [line.split()[2] for line in lines] == ["F10:", "F11:", "F12:", "F13:", "F15:"]
    assert "共导入 0 个工作表，失败 1 个" in captured.out


def test_a_bad_out_is_one_line_before_any_work(tmp_path, capsys):
    path = write_xlsx([build(Spec())], tmp_path / "a.xlsx")
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x", encoding="utf-8")
    assert main(["import-xlsx", str(path), "--out", str(not_a_dir)]) != 0
    err = capsys.readouterr().err
    assert "不是文件夹" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["import-xlsx", str(path), "--out", str(not_a_dir / "sub")]) != 0
    assert "无法创建" in capsys.readouterr().err


def test_a_rulebook_cell_cannot_point_outside_the_params_folder(tmp_path):
    out = tmp_path / "params"
    out.mkdir()
    outside = tmp_path / "secret.yaml"
    outside.write_text("title: x\n", encoding="utf-8")
    for value in (str(outside), "../secret.yaml", "/etc/passwd.yaml"):
        path = write_xlsx([build(Spec(extra_info=(("评分规则", value),)))], tmp_path / "r.xlsx")
        (error,) = import_workbook(path, display="r.xlsx", params_dir=out).errors
        assert str(error).startswith("r.xlsx [自评表] B5: 评分规则") and "不在参数目录内" in str(error)
    inside = out / "rules" / "mine.yaml"
    inside.parent.mkdir()
    inside.write_text("extends: national-default\ntitle: 本地规则\n", encoding="utf-8")
    path = write_xlsx([build(Spec(extra_info=(("评分规则", "rules/mine.yaml"),)))], tmp_path / "ok.xlsx")
    (sheet,) = import_workbook(path, params_dir=out).sheets
    assert sheet.year_data["rulebook"] == str(inside.resolve())


def test_overwrite_keeps_what_the_sheet_cannot_hold_and_names_what_it_drops(tmp_path, capsys):
    path = write_xlsx([build(Spec())], tmp_path / "a.xlsx")
    out = tmp_path / "params"
    assert main(["import-xlsx", str(path), "--out", str(out)]) == 0
    year_file = next(out.glob("*/2023.yaml"))
    data = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    data["narrative"] = {"summary": "全年工作总结"}
    data["budget"]["adjustment"] = 20
    data["indicators"][0]["midyear"] = 200
    year_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["import-xlsx", str(path), "--out", str(out), "--overwrite"]) == 0
    printed = capsys.readouterr().out
    assert "保留原文件中表格没有的内容：narrative.summary" in printed
    assert "budget.adjustment" in printed and "指标“培训人次”的 midyear" in printed
    kept = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    assert kept["narrative"]["summary"] == "全年工作总结"


def test_unknown_execution_weight_is_never_the_rulebooks(tmp_path):
    result = import_grid(_grid_of(Spec(funds_weight=False)))
    assert result.year_data["unknown"] == ["execution_weight"]
    assert "execution_weight" not in result.year_data
    assert result.grade is None  # a partial total is not graded


def test_block_weights_score(tmp_path):
    spec = Spec(level_points=True)
    result = import_grid(_grid_of(spec))
    assert [b["weight"] for b in result.year_data["blocks"]] == [50, 30, 10]
    assert result.total is not None


def test_xls_and_xlsx_read_the_same(tmp_path):
    from .sheet import write_xls

    spec = replace(Spec(extra_col="hidden"), year_text="（２０２３年度）")
    a = import_workbook(write_xlsx([build(spec)], tmp_path / "a.xlsx")).sheets[0]
    b = import_workbook(write_xls([build(spec)], tmp_path / "a.xls")).sheets[0]
    assert a.year_data["indicators"] == b.year_data["indicators"]
    assert a.year_data["budget"] == b.year_data["budget"]
    assert a.cells == b.cells


def test_when_formats_cannot_be_read_the_sheet_says_so(tmp_path, monkeypatch):
    from .sheet import write_xls

    def no_xlrd(path):
        raise ValueError("xlrd cannot read this file")

    monkeypatch.setattr(workbooks, "_xls_layout", no_xlrd)
    (sheet,) = import_workbook(write_xls([build(Spec())], tmp_path / "a.xls")).sheets
    assert any("数字格式与隐藏的行列无法读取" in w for w in sheet.warnings)
    assert sheet.year_data["reported"]["execution_rate"] == Decimal(95)  # 0.95, settled by the amounts


def test_an_xlsx_openpyxl_refuses_is_read_by_calamine(tmp_path, monkeypatch):
    def refuse(path, display):
        raise InputError("文件已损坏或不是有效的 .xlsx 工作簿（KeyError）", file=display)

    monkeypatch.setattr(workbooks, "_open_xlsx", refuse)
    (sheet,) = import_workbook(write_xlsx([build(Spec())], tmp_path / "a.xlsx")).sheets
    assert sheet.year_data["budget"]["final"] == Decimal(120)
    assert any("合并单元格" in w or "数字格式" in w for w in sheet.warnings)


def test_a_blank_cell_in_a_midyear_column_is_unknown():
    sheet = build(Spec())
    assert sheet.cells[(9, 9)] == "偏差原因分析及改进措施"
    sheet.cells[(9, 9)] = "年中监控值"
    sheet.cells[(10, 9)] = 300
    grid = Grid.build(file="m.xlsx", sheet="自评表", cells=sheet.cells, formats=sheet.formats, merged=sheet.merges)
    first, second = import_grid(grid).year_data["indicators"][:2]
    assert first["midyear"] == 300 and "unknown" not in first
    assert second["unknown"] == ["midyear"] and "midyear" not in second
