"""Workbook → cell grids: values cleaned, merged ranges resolved, blocks found by anchor text.

The edge between openpyxl and the importer. A :class:`Grid` is one sheet as plain values
(``str`` or ``Decimal``, never ``float``), with every cell of a merged range holding the range's
value, so that a 一级指标 merged over five rows reads the same on each row. Files that are not
workbooks (a CSV renamed, a corrupt zip, a password-protected or old ``.xls`` file) are refused
with one clear line.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from evalkit.core.figures import parse_number, round_half_up, to_decimal
from evalkit.errors import InputError
from evalkit.inputs.excel.layouts import match_field, matches_any, normalise

__all__ = ["WorkbookError", "Grid", "HeaderRow", "open_workbook", "grid_from_worksheet", "address"]

#: Sheets are read up to this size; forms are far smaller, and a sheet formatted down to row
#: 1,048,576 would otherwise take minutes.
MAX_ROWS = 3000
MAX_COLS = 60

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class WorkbookError(InputError):
    """A problem in a workbook, located by file, sheet and cell.

    ``str()`` is one line: ``demo.xlsx [Sheet2] C7: 找不到“绩效指标”表头（…）``.
    """

    def __init__(
        self, message: str, *, file: str, sheet: str | None = None, cell: str | None = None
    ) -> None:
        self.sheet = sheet
        self.cell = cell
        location = f"{sheet}!{cell}" if sheet and cell else sheet
        super().__init__(message, file=file, field=location)

    def __str__(self) -> str:
        where = self.file or ""
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.cell:
            where += f" {self.cell}"
        return f"{where}: {self.message}" if where else self.message


def address(row: int, col: int) -> str:
    """``(7, 3)`` → ``"C7"``."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


@dataclass(frozen=True)
class HeaderRow:
    """A header row: which column holds which canonical field (the leftmost wins)."""

    row: int
    columns: Mapping[str, int]

    def col(self, name: str) -> int | None:
        return self.columns.get(name)

    @property
    def data_columns(self) -> list[int]:
        return sorted(self.columns.values())


@dataclass(frozen=True)
class Grid:
    """One sheet as values. Rows and columns are 1-based, as in Excel."""

    file: str
    sheet: str
    values: Mapping[tuple[int, int], str | Decimal]
    origins: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    decimals: Mapping[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    max_row: int = 0
    max_col: int = 0
    truncated: bool = False
    hidden: bool = False

    # ------------------------------------------------------------------ cells

    def value(self, row: int, col: int) -> str | Decimal | None:
        return self.values.get((row, col))

    def printed(self, row: int, col: int) -> str | Decimal | None:
        """The value as the sheet shows it: a number rounded to its format's decimals.

        ``9.9`` formatted ``0.00`` reads ``9.90``; ``8.620370…`` formatted ``0.00`` reads ``8.62``;
        ``0.9943`` formatted ``0.00%`` reads ``99.43``. Printed figures (scores, rates, totals)
        are read this way; inputs (amounts, actuals) keep every stored digit.
        """
        value = self.values.get((row, col))
        shown = self.decimals.get(self.origin(row, col))
        if shown is None or value is None:
            return value
        if isinstance(value, str):
            if not value.endswith("%"):
                return value
            number = parse_number(value)[0]
        else:
            number = value
        least, most = shown
        rounded = round_half_up(number, most)
        # Optional digits (the # in 0.0#) are not shown when they are zero.
        while most > least:
            shorter = round_half_up(rounded, most - 1)
            if shorter != rounded:
                break
            rounded, most = shorter, most - 1
        return rounded

    def text(self, row: int, col: int) -> str:
        """The cell's normalised text (``""`` when empty)."""
        return normalise(self.values.get((row, col)))

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), or the cell itself."""
        return self.origins.get((row, col), (row, col))

    def where(self, row: int, col: int) -> str:
        """``demo.xlsx [Sheet1] C7`` for a warning."""
        return f"{self.file} [{self.sheet}] {address(*self.origin(row, col))}"

    def error(self, row: int, col: int, message: str) -> WorkbookError:
        return WorkbookError(message, file=self.file, sheet=self.sheet, cell=address(*self.origin(row, col)))

    def is_blank_row(self, row: int, cols: Iterable[int] | None = None) -> bool:
        columns = range(1, self.max_col + 1) if cols is None else cols
        return all(self.value(row, c) is None for c in columns)

    def texts(self) -> Iterator[str]:
        """Every text cell (once per merged range)."""
        for (row, col), value in self.values.items():
            if isinstance(value, str) and self.origin(row, col) == (row, col):
                yield value

    # ------------------------------------------------------------------ search

    def find(
        self,
        options: Iterable[str],
        *,
        rows: range | None = None,
        cols: range | None = None,
        prefix: bool = True,
    ) -> tuple[int, int] | None:
        """The first cell (row by row) whose text equals or starts with one of ``options``."""
        options = tuple(options)
        for row in rows or range(1, self.max_row + 1):
            for col in cols or range(1, self.max_col + 1):
                if self.origin(row, col) != (row, col):
                    continue
                if matches_any(self.value(row, col), options, prefix=prefix):
                    return row, col
        return None

    def right_of(self, row: int, col: int) -> tuple[int, int] | None:
        """The first non-empty cell right of (row, col) outside its merged range."""
        here = self.origin(row, col)
        for c in range(col + 1, self.max_col + 1):
            if self.origin(row, c) == here:
                continue
            if self.value(row, c) is not None:
                return row, c
        return None

    def below(self, row: int, col: int) -> tuple[int, int] | None:
        """The cell just below (row, col)'s merged range, if it has a value."""
        here = self.origin(row, col)
        for r in range(row + 1, self.max_row + 1):
            if self.origin(r, col) == here:
                continue
            return (r, col) if self.value(r, col) is not None else None
        return None

    def header_row(
        self,
        table: Mapping[str, tuple[str, ...]],
        rows: range,
        *,
        want: Iterable[str],
        least: int = 2,
    ) -> HeaderRow | None:
        """The first row in ``rows`` naming all of ``want`` and at least ``least`` fields."""
        want = tuple(want)
        for row in rows:
            columns = self.header_columns(row, table)
            if len(columns) >= least and all(w in columns for w in want):
                return HeaderRow(row, columns)
        return None

    def header_columns(self, row: int, table: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
        """Canonical field → column for the header cells of ``row`` (leftmost wins)."""
        columns: dict[str, int] = {}
        for col in range(1, self.max_col + 1):
            value = self.value(row, col)
            if not isinstance(value, str):
                continue
            name = match_field(value, table)
            if name is not None and name not in columns:
                columns[name] = col
        return columns


# --------------------------------------------------------------------------- opening


_QUOTED = re.compile(r'"[^"]*"|\\.')


def _is_percent_format(number_format: str | None) -> bool:
    """True for ``0.00%`` but not for ``0.00"%"`` (a literal percent sign)."""
    if not number_format:
        return False
    return "%" in _QUOTED.sub("", number_format)


def _plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent form: ``96.1100`` → ``96.11``."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


#: Binary floats from formulas carry noise (``110.00000000000001``); no form has more decimals.
_NOISE_DP = 10
_DECIMALS = re.compile(r"[0#?]\.([0#?]+)")


def _denoise(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_NOISE_DP:
        return _plain(round_half_up(value, _NOISE_DP))
    return value


def format_decimals(number_format: str | None) -> tuple[int, int] | None:
    """Decimals a number format shows, as (at least, at most): ``0.00`` → (2, 2), ``0.0#`` → (1, 2).

    ``None`` for ``General`` (the stored digits show as they are).
    """
    if not number_format or number_format.lower() == "general":
        return None
    section = re.sub(r"\[[^\]]*\]", "", _QUOTED.sub("", number_format.split(";")[0]))
    match = _DECIMALS.search(section)
    if match:
        digits = match.group(1)
        return digits.count("0"), len(digits)
    return (0, 0) if re.search(r"[0#?]", section) else None


def _cell_value(value: object, number_format: str | None) -> str | Decimal | None:
    """A cell's value as evalkit reads it: stripped text or an exact Decimal.

    A number formatted as a percentage (0.9611 shown as 96.11%) becomes the text ``"96.11%"``,
    the same as if it had been typed, so the importer reads both the same way. Float noise
    beyond 10 decimals is dropped.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and value != value:  # NaN
            return None
        number = _denoise(to_decimal(value))
        if _is_percent_format(number_format):
            return f"{_plain(_denoise(number * 100)):f}%"
        return number
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None


def grid_from_worksheet(ws, *, file: str) -> Grid:  # noqa: ANN001 - an openpyxl Worksheet
    """Read one openpyxl worksheet into a :class:`Grid`."""
    max_row = min(ws.max_row or 0, MAX_ROWS)
    max_col = min(ws.max_column or 0, MAX_COLS)
    truncated = (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLS
    values: dict[tuple[int, int], str | Decimal] = {}
    decimals: dict[tuple[int, int], tuple[int, int]] = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            number_format = getattr(cell, "number_format", None)
            value = _cell_value(getattr(cell, "value", None), number_format)
            if value is not None:
                values[(cell.row, cell.column)] = value
                shown = format_decimals(number_format) if not isinstance(cell.value, str) else None
                if shown is not None:
                    decimals[(cell.row, cell.column)] = shown
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in ws.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        if top > max_row or left > max_col:
            continue
        value = values.get((top, left))
        for r in range(top, min(merged.max_row, max_row) + 1):
            for c in range(left, min(merged.max_col, max_col) + 1):
                origins[(r, c)] = (top, left)
                if value is not None:
                    values[(r, c)] = value
    # Trailing empty rows and columns (formatting only) are not part of the table.
    used_rows = [r for r, _ in values] or [0]
    used_cols = [c for _, c in values] or [0]
    return Grid(
        file=file,
        sheet=ws.title,
        values=values,
        origins=origins,
        decimals=decimals,
        max_row=max(used_rows),
        max_col=max(used_cols),
        truncated=truncated,
        hidden=getattr(ws, "sheet_state", "visible") != "visible",
    )


def _sniff(path: Path, display: str) -> None:
    """Refuse files that are not .xlsx workbooks, saying what they are."""
    encrypted = False
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head.startswith(_OLE2_MAGIC):
                encrypted = _ENCRYPTED_STREAM in handle.read(4 * 1024 * 1024) or _ENCRYPTED_STREAM in head
    except FileNotFoundError:
        raise InputError("文件不存在", file=display) from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹，不是 .xlsx 工作簿", file=display) from None
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", file=display) from None
    if head.startswith(_OLE2_MAGIC):
        if encrypted:
            raise InputError(
                "工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码后另存为 .xlsx 再导入",
                file=display,
            )
        raise InputError(
            "这是旧版 .xls（或其他 OLE2）文件，不是 .xlsx；请在 Excel 中另存为 .xlsx 再导入",
            file=display,
        )
    if not head.startswith(_ZIP_MAGIC):
        if not head:
            raise InputError("文件是空的，不是 .xlsx 工作簿", file=display)
        raise InputError("不是 .xlsx 工作簿（文件头不是 Excel 格式）；请在 Excel 中另存为 .xlsx", file=display)


def open_workbook(path: Path | str, *, display: str | None = None) -> list[Grid]:
    """Every worksheet of the workbook at ``path``, as grids (hidden ones flagged ``hidden``).

    ``display`` is the file name used in messages (default: ``path`` as given). Raises
    :class:`~evalkit.errors.InputError` for a file that is missing, not an .xlsx workbook,
    corrupt, password-protected or an old ``.xls``.
    """
    from openpyxl import load_workbook

    path = Path(path)
    display = display or str(path)
    _sniff(path, display)
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
