"""Workbook files → grids: .xlsx through openpyxl, .xls and .ods through python-calamine.

openpyxl reads .xlsx with what a reading needs besides values: number formats (a percentage
typed as 0.96 and shown as 96%) and hidden rows and columns. python-calamine reads the old
.xls and .ods files; for .xls, xlrd adds the number formats and hidden rows and columns that
calamine does not expose. Files that are no workbook (a CSV renamed, a corrupt zip, a
password-protected file) and files past the limits below are refused with one clear line,
before anything large is read.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

from evalkit.errors import InputError
from evalkit.inputs.excel.reader import MAX_COLS, MAX_ROWS, Grid

__all__ = ["open_workbook", "grid_from_worksheet", "MAX_FILE_BYTES", "MAX_UNPACKED_BYTES", "MAX_CELLS"]

#: A self-evaluation workbook is tens of kilobytes; these limits refuse a bomb, not a form.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The XML inside an .xlsx (or .ods), unpacked.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
#: Non-empty cells read from one sheet.
MAX_CELLS = 200_000

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _sniff(path: Path, display: str) -> str:
    """``"xlsx"``, ``"ods"`` or ``"xls"``; refuses anything else, saying what it is."""
    try:
        if not path.is_file():
            if path.is_dir():
                raise InputError("这是一个文件夹，不是工作簿", file=display)
            if not path.exists():
                raise InputError("文件不存在", file=display)
            raise InputError("不是普通文件（设备、管道等），不读取", file=display)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB），不是正常的自评表",
                file=display,
            )
        with path.open("rb") as handle:
            head = handle.read(8)
            encrypted = head.startswith(_OLE2_MAGIC) and _ENCRYPTED_STREAM in handle.read(MAX_FILE_BYTES)
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", file=display) from None
    if head.startswith(_OLE2_MAGIC):
        if encrypted:
            raise InputError(
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码后另存为 .xlsx 再导入",
                file=display,
            )
        return "xls"
    if not head.startswith(_ZIP_MAGIC):
        if not head:
            raise InputError("文件是空的，不是工作簿", file=display)
        raise InputError("不是 Excel 工作簿（文件头不是 .xlsx/.xls 格式）；请在 Excel 中另存为 .xlsx", file=display)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
    except zipfile.BadZipFile:
        raise InputError("文件已损坏（不是完整的 .xlsx 压缩包）；请重新导出或另存为 .xlsx", file=display) from None
    unpacked = sum(info.file_size for info in infos if info.filename.endswith(".xml"))
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"工作簿解压后过大（{unpacked // (1024 * 1024)} MB，上限 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB），"
            "不是正常的自评表",
            file=display,
        )
    return "ods" if "content.xml" in names and "xl/workbook.xml" not in names else "xlsx"


def _too_many_cells(display: str, sheet: str, count: int) -> InputError:
    return InputError(f"工作表“{sheet}”的单元格过多（超过 {MAX_CELLS} 个非空单元格），不是正常的自评表", file=display)


def _zero(size: object) -> bool:
    """True for a row height or column width given as 0 (not for one not given)."""
    return size is not None and float(size) == 0  # type: ignore[arg-type]


def grid_from_worksheet(ws, *, file: str) -> Grid:  # noqa: ANN001 - an openpyxl Worksheet
    """Read one openpyxl worksheet into a :class:`Grid` (formats and hidden rows/columns too)."""
    max_row = min(ws.max_row or 0, MAX_ROWS)
    max_col = min(ws.max_column or 0, MAX_COLS)
    truncated = (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLS
    cells: dict[tuple[int, int], object] = {}
    formats: dict[tuple[int, int], str] = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None:
                continue
            cells[(cell.row, cell.column)] = value
            formats[(cell.row, cell.column)] = getattr(cell, "number_format", None)
            if len(cells) > MAX_CELLS:
                raise _too_many_cells(file, ws.title, len(cells))
    # A row of height 0 or a column of width 0 shows nothing, hidden flag or not (files
    # written by other programs set the size alone): it is as hidden as a hidden one.
    hidden_rows = [
        r for r, dim in ws.row_dimensions.items() if (dim.hidden or _zero(dim.ht)) and r <= max_row
    ]
    hidden_cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if (dim.hidden or _zero(dim.width)) and dim.min:
            hidden_cols.update(range(dim.min, min(dim.max or dim.min, max_col) + 1))
    merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    return Grid.build(
        file=file,
        sheet=ws.title,
        cells=cells,
        formats=formats,
        merged=[m for m in merged if m[0] <= max_row and m[1] <= max_col],
        hidden_rows=hidden_rows,
        hidden_cols=hidden_cols,
        hidden=getattr(ws, "sheet_state", "visible") != "visible",
        truncated=truncated,
    )


def _open_xlsx(path: Path, display: str) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (data validation, conditional formats).
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, data_only=True)
    except zipfile.BadZipFile:
        raise InputError("文件已损坏（不是完整的 .xlsx 压缩包）；请重新导出或另存为 .xlsx", file=display) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged parts
        raise InputError(
            f"文件已损坏或不是有效的 .xlsx 工作簿（{type(exc).__name__}: {exc}）", file=display
        ) from None
    try:
        return [grid_from_worksheet(ws, file=display) for ws in workbook.worksheets]
    finally:
        workbook.close()


def _xls_layout(path: Path) -> dict[str, tuple[dict[tuple[int, int], str], set[int], set[int]]]:
    """Per .xls sheet: number formats, hidden rows and hidden columns (1-based), read by xlrd."""
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    out = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            formats: dict[tuple[int, int], str] = {}
            for r in range(min(sheet.nrows, MAX_ROWS)):
                for c in range(min(sheet.ncols, MAX_COLS)):
                    xf = book.xf_list[sheet.cell_xf_index(r, c)]
                    fmt = book.format_map.get(xf.format_key)
                    if fmt is not None:
                        formats[(r + 1, c + 1)] = fmt.format_str
            rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden or info.height == 0}
            cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden or info.width == 0}
            out[sheet.name] = (formats, rows, cols)
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return out


def _open_calamine(path: Path, display: str, kind: str) -> list[Grid]:
    import python_calamine as pc

    layout: dict[str, tuple[dict[tuple[int, int], str], set[int], set[int]]] = {}
    try:
        with path.open("rb") as handle:  # by content: a .xls saved under another name reads too
            workbook = pc.CalamineWorkbook.from_filelike(handle)
    except Exception as exc:  # noqa: BLE001 - calamine raises many kinds for damaged files
        what = "旧版 .xls（OLE2）文件，但已损坏或不是工作簿" if kind == "xls" else f"文件已损坏或不是有效的 .{kind} 工作簿"
        raise InputError(f"{what}（{type(exc).__name__}: {exc}）；请在 Excel 中另存为 .xlsx 再导入", file=display) from None
    formats_known = False
    if kind == "xls":
        try:
            layout = _xls_layout(path)
        except Exception:  # noqa: BLE001 - xlrd cannot read every file calamine can
            layout = {}
        else:
            formats_known = True
    grids = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ) != str(pc.SheetTypeEnum.WorkSheet):
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            # skip_empty_area=False: the rows start at A1 whatever the used range (sheet.start).
            rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
            cells: dict[tuple[int, int], object] = {}
            for r, values in enumerate(rows[:MAX_ROWS]):
                for c, value in enumerate(values[:MAX_COLS]):
                    if value is None or value == "":
                        continue
                    cells[(r + 1, c + 1)] = value
                    if len(cells) > MAX_CELLS:
                        raise _too_many_cells(display, meta.name, len(cells))
            ranges = sheet.merged_cell_ranges  # None where the format's merges are not read (.ods)
            merged = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (ranges or [])]
            formats, hidden_rows, hidden_cols = layout.get(meta.name, ({}, set(), set()))
            grids.append(
                Grid.build(
                    file=display,
                    sheet=meta.name,
                    cells=cells,
                    formats=formats,
                    merged=merged,
                    hidden_rows=hidden_rows,
                    hidden_cols=hidden_cols,
                    hidden=str(meta.visible) != str(pc.SheetVisibleEnum.Visible),
                    truncated=len(rows) > MAX_ROWS or any(len(v) > MAX_COLS for v in rows),
                    formats_known=formats_known,
                    merges_known=ranges is not None,
                )
            )
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"文件已损坏或不是有效的 .{kind} 工作簿（{type(exc).__name__}: {exc}）", file=display) from None
    finally:
        workbook.close()
    return grids


def open_workbook(path: Path | str, *, display: str | None = None) -> list[Grid]:
    """Every worksheet of the workbook at ``path`` (.xlsx, .xls or .ods), as grids.

    Hidden sheets are flagged ``hidden``; hidden rows and columns are dropped with a note.
    ``display`` is the file name used in messages (default: ``path`` as given). Raises
    :class:`~evalkit.errors.InputError` for a file that is missing, not a workbook, corrupt,
    password-protected or past the limits.
    """
    path = Path(path)
    display = display or str(path)
    kind = _sniff(path, display)
    if kind == "xlsx":
        try:
            return _open_xlsx(path, display)
        except InputError as exc:
            # Some writers (WPS, strict OOXML) make files openpyxl refuses; calamine may read them,
            # without number formats or hidden rows and columns (each sheet says so).
            try:
                return _open_calamine(path, display, "xlsx")
            except InputError:
                raise exc from None
    return _open_calamine(path, display, kind)


