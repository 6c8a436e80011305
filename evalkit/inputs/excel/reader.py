"""Cell grids: one sheet as clean values, merged ranges resolved, hidden cells dropped.

The edge between the files and the importer. A :class:`Grid` is one sheet as plain values
(``str`` or ``Decimal``, never ``float``), with every cell of a merged range holding the range's
value, so that a 一级指标 merged over five rows reads the same on each row. :meth:`Grid.build`
makes one from any source (openpyxl, python-calamine, a table in a Word or PDF file): cells
with their values and number formats, merged ranges, hidden rows and columns. Opening workbook
files is :mod:`evalkit.inputs.excel.workbooks`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from evalkit.core.figures import parse_number, round_half_up, to_decimal
from evalkit.errors import InputError
from evalkit.inputs.excel.layouts import IGNORE, match_field, matches_any, normalise

__all__ = ["WorkbookError", "SheetProblems", "Grid", "HeaderRow", "address", "column_letters", "MAX_CELL_CHARS", "MAX_ROWS", "MAX_COLS"]

#: Sheets are read up to this size; forms are far smaller, and a sheet formatted down to row
#: 1,048,576 would otherwise take minutes.
MAX_ROWS = 3000
MAX_COLS = 60

#: The longest text a cell may hold: Excel's own limit. A longer one did not come from Excel.
MAX_CELL_CHARS = 32767


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


class SheetProblems(InputError):
    """Every problem found on one sheet, one :class:`WorkbookError` a line."""

    def __init__(self, problems: list[WorkbookError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.message, file=first.file, field=first.field)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def column_letters(col: int) -> str:
    """``3`` → ``"C"``."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(row: int, col: int) -> str:
    """``(7, 3)`` → ``"C7"``."""
    return f"{column_letters(col)}{row}"


@dataclass(frozen=True)
class HeaderRow:
    """A header row: which column holds which canonical field (the leftmost wins)."""

    row: int
    columns: Mapping[str, int]
    #: Fields two visible header cells both name: field → their columns (refused by the importer).
    duplicates: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    #: The first header row (``row`` is the last: two- and three-row headers).
    top: int = 0
    #: The header text that named each column (the lowest row's, for multi-row headers).
    texts: Mapping[int, str] = field(default_factory=dict)

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
    #: Hidden rows and columns: their cells were dropped (see :meth:`build`), noted in ``notes``.
    hidden_rows: frozenset[int] = frozenset()
    hidden_cols: frozenset[int] = frozenset()
    #: False when the source gives no number formats (python-calamine for .ods): a fraction
    #: typed for a percentage cannot be told from its format.
    formats_known: bool = True
    #: False when the source gives no merged ranges (python-calamine for .ods).
    merges_known: bool = True
    notes: tuple[str, ...] = ()
    #: Numbers whose format shows another number (``0!.0000`` shows 1200000 as 120.0000,
    #: ``#,##0,`` as 1,200): cell → the format. Refused by the importer, naming each cell.
    disguised: Mapping[tuple[int, int], str] = field(default_factory=dict)
    _normalised: dict[tuple[int, int], str] = field(default_factory=dict, compare=False, repr=False)

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
        key = self.origin(row, col)
        cached = self._normalised.get(key)
        if cached is None:
            cached = self._normalised[key] = normalise(self.values.get((row, col)))
        return cached

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
                if self.value(row, col) is not None and matches_any(self.text(row, col), options, prefix=prefix):
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
        """The first header in ``rows`` naming all of ``want`` and at least ``least`` fields.

        A header may take two or three rows (``指标值`` over ``年度指标值 | 实际完成值``): a row
        below continues the header when every cell that starts on it names a known column.
        Each column is then named by its lowest header cell that names a field.
        """
        want = tuple(want)
        for row in rows:
            best = None
            for depth in range(3):
                if depth and not self._continues_header(row + depth, table):
                    break
                header = self._header_over(row, row + depth, table)
                if len(header.columns) >= least and all(w in header.columns for w in want):
                    best = header
            if best is not None:
                return best
        return None

    def _continues_header(self, row: int, table: Mapping[str, tuple[str, ...]]) -> bool:
        own = [
            self.value(row, c)
            for c in range(1, self.max_col + 1)
            if self.origin(row, c) == (row, c) and self.value(row, c) is not None
        ]
        return bool(own) and all(isinstance(v, str) and match_field(v, table) is not None for v in own)

    def _header_over(self, top: int, bottom: int, table: Mapping[str, tuple[str, ...]]) -> HeaderRow:
        columns: dict[str, int] = {}
        duplicates: dict[str, list[int]] = {}
        texts: dict[int, str] = {}
        seen: set[tuple[int, int]] = set()
        for col in range(1, self.max_col + 1):
            name = text = None
            for row in range(bottom, top - 1, -1):
                value = self.value(row, col)
                if not isinstance(value, str):
                    continue
                origin = self.origin(row, col)
                if origin in seen:
                    break  # the same merged header cell, named in an earlier column
                seen.add(origin)
                name, text = match_field(value, table), value
                if name is not None:
                    break
            if name is None or text is None:
                continue
            texts[col] = text
            if name in columns:
                if name != IGNORE:
                    duplicates.setdefault(name, [columns[name]]).append(col)
                continue
            columns[name] = col
        return HeaderRow(bottom, columns, {k: tuple(v) for k, v in duplicates.items()}, top, texts)

    def header_columns(self, row: int, table: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
        """Canonical field → column for the header cells of ``row`` (leftmost wins)."""
        return dict(self._header_over(row, row, table).columns)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        *,
        file: str,
        sheet: str,
        cells: Mapping[tuple[int, int], object],
        formats: Mapping[tuple[int, int], str] | None = None,
        merged: Iterable[tuple[int, int, int, int]] = (),
        hidden_rows: Iterable[int] = (),
        hidden_cols: Iterable[int] = (),
        hidden: bool = False,
        truncated: bool = False,
        formats_known: bool = True,
        merges_known: bool = True,
    ) -> Grid:
        """A grid from raw cells: ``{(row, col): value}`` (1-based; str, int, float, Decimal,
        bool or date), their number formats, merged ranges ``(top, left, bottom, right)`` and
        hidden rows and columns. The one entry for every source (workbooks, Word/PDF tables).

        Numbers become exact Decimals (a percentage-formatted 0.9611 becomes ``"96.11%"``);
        every cell of a merged range reads the range's value; cells in hidden rows and columns
        are dropped, with a note naming them (a merged range keeps its visible part). A cell
        longer than :data:`MAX_CELL_CHARS` raises :class:`WorkbookError` naming it.
        """
        formats = formats or {}
        values: dict[tuple[int, int], str | Decimal] = {}
        decimals: dict[tuple[int, int], tuple[int, int]] = {}
        disguised: dict[tuple[int, int], str] = {}
        for (row, col), raw in cells.items():
            if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
                raise WorkbookError(
                    f"单元格文字过长（{len(raw)} 个字符，超过 Excel 的上限 {MAX_CELL_CHARS}），不是正常的自评表",
                    file=file,
                    sheet=sheet,
                    cell=address(row, col),
                )
            number_format = formats.get((row, col))
            value = _cell_value(raw, number_format)
            if value is None:
                continue
            values[(row, col)] = value
            shown = format_decimals(number_format) if not isinstance(raw, str) else None
            if shown is not None:
                decimals[(row, col)] = shown
            if isinstance(value, Decimal) and value != 0 and number_format and disguises(number_format):
                disguised[(row, col)] = number_format
        rows_hidden, cols_hidden = frozenset(hidden_rows), frozenset(hidden_cols)

        def visible(cell: tuple[int, int]) -> bool:
            return cell[0] not in rows_hidden and cell[1] not in cols_hidden

        origins: dict[tuple[int, int], tuple[int, int]] = {}
        for top, left, bottom, right in merged:
            bottom, right = min(bottom, MAX_ROWS), min(right, MAX_COLS)
            span = [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]
            shown_cells = [cell for cell in span if visible(cell)]
            if not shown_cells:
                continue
            value = values.get((top, left))
            origin = shown_cells[0]  # the range's first visible cell stands for it
            if (top, left) in decimals:
                decimals[origin] = decimals[(top, left)]
            for cell in shown_cells:
                origins[cell] = origin
                if value is not None:
                    values[cell] = value
        dropped_rows = sorted({r for (r, c) in values if r in rows_hidden and c not in cols_hidden})
        dropped_cols = sorted({c for (r, c) in values if c in cols_hidden})
        for cell in [cell for cell in values if not visible(cell)]:
            del values[cell]
        notes = []
        if dropped_rows:
            notes.append(f"隐藏的行 {'、'.join(map(str, dropped_rows))} 有内容，已忽略（未读取）")
        if dropped_cols:
            letters = "、".join(column_letters(c) for c in dropped_cols)
            notes.append(f"隐藏的列 {letters} 有内容，已忽略（未读取）")
        used_rows = [r for r, _ in values] or [0]
        used_cols = [c for _, c in values] or [0]
        return cls(
            file=file,
            sheet=sheet,
            values=values,
            origins=origins,
            decimals=decimals,
            max_row=max(used_rows),
            max_col=max(used_cols),
            truncated=truncated,
            hidden=hidden,
            hidden_rows=rows_hidden,
            hidden_cols=cols_hidden,
            formats_known=formats_known,
            merges_known=merges_known,
            notes=tuple(notes),
            disguised={cell: fmt for cell, fmt in disguised.items() if visible(cell)},
        )


# --------------------------------------------------------------------------- cell values


_QUOTED = re.compile(r'"[^"]*"|\\.')


def _is_percent_format(number_format: str | None) -> bool:
    """True for ``0.00%`` but not for ``0.00"%"`` (a literal percent sign)."""
    if not number_format:
        return False
    return "%" in _QUOTED.sub("", number_format)


#: A digit placeholder followed by a literal decimal point (``0!.0000``, ``0\\.0000``, ``0"."0000``):
#: the format moves the point, so 1200000 shows as 120.0000 (元 shown as 万元).
_LITERAL_POINT = re.compile(r'[0#?](?:[!\\]\.|"\.")[0#?]')
#: A comma after the last digit placeholder scales by 1,000 (``#,##0,`` shows 1200000 as 1,200).
_SCALING_COMMA = re.compile(r"[0#?],+(?![0#?,])")


def disguises(number_format: str) -> bool:
    """True when a number format shows a different number from the one stored.

    ``0!.0000`` and ``#,##0.00,,"万"`` (the ways to show 元 as 万元 or 百万元 without
    converting), but not ``#,##0.00`` or ``0.00"万元"``.
    """
    section = re.sub(r"\[[^\]]*\]", "", number_format.split(";")[0])
    if _LITERAL_POINT.search(section):
        return True
    bare = _QUOTED.sub("", section)
    return bool(_SCALING_COMMA.search(bare))


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
