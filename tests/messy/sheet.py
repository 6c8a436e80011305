"""A sheet as plain data (cells, number formats, merges, hidden rows and columns), written to
.xlsx with openpyxl or to .xls with xlwt, so that one builder makes both."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Sheet:
    name: str = "自评表"
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)

    def put(self, row: int, col: int, value: Any, *, to: tuple[int, int] | None = None, fmt: str | None = None) -> None:
        if value is not None:
            self.cells[(row, col)] = value
        if fmt:
            self.formats[(row, col)] = fmt
        if to is not None and to != (row, col):
            self.merges.append((row, col, to[0], to[1]))


def write_xlsx(sheets: list[Sheet], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for (r, c), value in sheet.cells.items():
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            if (r, c) in sheet.formats:
                cell.number_format = sheet.formats[(r, c)]
        for top, left, bottom, right in sheet.merges:
            ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        for r in sheet.hidden_rows:
            ws.row_dimensions[r].hidden = True
        for c in sheet.hidden_cols:
            ws.column_dimensions[get_column_letter(c)].hidden = True
    wb.save(path)
    return path


def write_xls(sheets: list[Sheet], path: Path) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, Any] = {}
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name)
        merged_cells = set()
        for top, left, bottom, right in sheet.merges:
            value = sheet.cells.get((top, left), "")
            ws.write_merge(top - 1, bottom - 1, left - 1, right - 1, value)
            merged_cells |= {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        for (r, c), value in sheet.cells.items():
            if (r, c) in merged_cells:
                continue
            fmt = sheet.formats.get((r, c))
            if fmt:
                style = styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                ws.write(r - 1, c - 1, value, style)
            else:
                ws.write(r - 1, c - 1, value)
        for r in sheet.hidden_rows:
            ws.row(r - 1).hidden = True
        for c in sheet.hidden_cols:
            ws.col(c - 1).hidden = True
    wb.save(str(path))
    return path
