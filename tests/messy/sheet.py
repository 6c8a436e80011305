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


def with_long_cell(made: Path, path: Path, marker: str, text: str) -> Path:
    """A copy of the .xlsx ``made`` whose cell holding ``marker`` holds ``text`` instead.

    Excel (and openpyxl) write at most 32,767 characters a cell; a crafted file holds more.
    """
    import zipfile

    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/") and item.filename.endswith(".xml"):
                data = data.replace(marker.encode("utf-8"), text.encode("utf-8"))
            dst.writestr(item, data)
    return path


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def write_ods(sheets: list[Sheet], path: Path) -> Path:
    """A minimal OpenDocument spreadsheet: values, merges (spans and covered cells); a cell with a
    ``%`` format is written as a percentage value, as LibreOffice does."""
    import zipfile
    from xml.sax.saxutils import escape

    tables = []
    for sheet in sheets:
        spans = {(t, left): (b - t + 1, r - left + 1) for t, left, b, r in sheet.merges}
        covered = {(row, c) for t, left, b, r in sheet.merges for row in range(t, b + 1) for c in range(left, r + 1)}
        covered -= set(spans)
        rows_used = max([r for r, _ in sheet.cells] + [b for _, _, b, _ in sheet.merges] + [1])
        cols_used = max([c for _, c in sheet.cells] + [r for _, _, _, r in sheet.merges] + [1])
        rows = []
        for r in range(1, rows_used + 1):
            cells = []
            for c in range(1, cols_used + 1):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                attrs = ""
                if (r, c) in spans:
                    nr, nc = spans[(r, c)]
                    attrs = f' table:number-rows-spanned="{nr}" table:number-columns-spanned="{nc}"'
                value = sheet.cells.get((r, c))
                if value is None:
                    cells.append(f"<table:table-cell{attrs}/>")
                elif isinstance(value, str):
                    cells.append(f'<table:table-cell office:value-type="string"{attrs}><text:p>{escape(value)}</text:p></table:table-cell>')
                else:
                    kind = "percentage" if "%" in sheet.formats.get((r, c), "") else "float"
                    cells.append(f'<table:table-cell office:value-type="{kind}" office:value="{value}"{attrs}><text:p>{value}</text:p></table:table-cell>')
            rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f'<table:table table:name="{escape(sheet.name)}">' + "".join(rows) + "</table:table>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        "<office:body><office:spreadsheet>" + "".join(tables) + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path
