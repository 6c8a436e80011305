"""Cell values as the importer reads them: numbers, amounts, quantities, texts, grades; warnings located by cell."""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import ValidationError

from evalkit.core.figures import parse_number
from evalkit.core.targets import (
    convert_money,
    normalise_unit,
    parse_quantity,
    parse_target,
    second_number,
    states_comparison,
)
from evalkit.inputs.excel.layouts import (
    NOT_APPLICABLE,
    normalise,
)
from evalkit.inputs.excel.reader import Grid, WorkbookError, address

ZERO = Decimal(0)
HUNDRED = Decimal(100)


IMPROVEMENT_LABEL = re.compile(r"(?:改进|整改)措施\s*[:：]")
REASON_LABEL = re.compile(r"^(?:偏差)?原因(?:分析)?\s*[:：]")
_GRADES = {"优": "优", "良": "良", "中": "中", "差": "差"}



class Warnings(list):
    """Warnings of one sheet, each prefixed with where it is; also the sheet's provenance map
    (``cells``: params path → cell address, for every value read) and the problems found so
    far (``problems``: every bad cell, so that one run lists them all)."""

    def __init__(self, grid: Grid) -> None:
        super().__init__()
        self.grid = grid
        self.cells: dict[str, str] = {}
        self.problems: list[WorkbookError] = []

    def read(self, path: str, row: int, col: int) -> None:
        """Record that the value at params ``path`` was read from cell (row, col)."""
        self.cells[path] = address(*self.grid.origin(row, col))

    def problem(self, error: WorkbookError) -> None:
        self.problems.append(error)

    def at(self, row: int, col: int, message: str) -> None:
        self.append(f"{self.grid.where(row, col)}: {message}")

    def sheet(self, message: str) -> None:
        self.append(f"{self.grid.file} [{self.grid.sheet}]: {message}")


# --------------------------------------------------------------------------- cell values


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in NOT_APPLICABLE)


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value).strip() or None


def check_figure(grid: Grid, row: int, col: int, what: str, value: object, rest: str) -> None:
    """Refuse a figure whose text after the number (``rest``, the would-be unit) holds another
    number: reading the first number would be a guess (the cell is named)."""
    why = second_number(rest)
    if why == "split":
        raise grid.error(
            row, col,
            f"{what}“{value}”中的数字被空格或换行隔开（或一格中有两个数），无法确定是哪个数，未读取；请核对原表",
        )
    if why == "range":
        raise grid.error(row, col, f"{what}“{value}”是一个范围，不是单一数值，无法确定按哪个数评分，未读取；请核对原表")


def read_number(
    grid: Grid,
    row: int,
    col: int | None,
    what: str,
    units: tuple[str, ...] = ("",),
    *,
    printed: bool = False,
) -> Decimal | None:
    """A number from a cell (number or text such as ``"1,234.50"``, ``"９５"``, ``"10分"``).

    ``printed`` reads it as the sheet shows it (see :meth:`Grid.printed`): for the figures a
    table prints, which the audit compares at the decimals shown.
    """
    if col is None:
        return None
    value = grid.printed(row, col) if printed else grid.value(row, col)
    if is_blank(value):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        number, unit = parse_number(str(value))
    except ValueError:
        raise grid.error(row, col, f"{what}应为数字，实际为“{value}”") from None
    check_figure(grid, row, col, what, value, unit)
    unit = normalise_unit(unit)
    if unit not in units:
        allowed = "、".join(u or "（无单位）" for u in units)
        raise grid.error(row, col, f"{what}的单位应为 {allowed}，实际为“{unit}”（{value}）")
    return number


#: Money units a table may state, as multiples of 万元 (the unit of the params format).
MONEY_UNITS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "百万元": Decimal(100), "亿元": Decimal(10000)}


def read_money(grid: Grid, row: int, col: int | None, what: str, unit: str = "万元") -> Decimal | None:
    """An amount in 万元; a bare number is in the block's ``unit`` (元, 千元, 万元…), converted exactly."""
    if col is None:
        return None
    value = grid.value(row, col)
    if is_blank(value):
        return None
    if isinstance(value, Decimal):
        number, written = value, ""
    else:
        try:
            number, written = parse_quantity(str(value))
        except ValueError:
            raise grid.error(row, col, f"{what}应为金额，实际为“{value}”") from None
        check_figure(grid, row, col, what, value, written)
    written = written or unit
    if written not in MONEY_UNITS:
        raise grid.error(row, col, f"{what}的单位应为万元或元，实际为“{written}”")
    if number < 0:
        raise grid.error(row, col, f"{what}不能为负数（{value}）")
    return number * MONEY_UNITS[written] if written != "万元" else number


def grade_of(value: object) -> str | None:
    text = normalise(value)
    for key, grade in _GRADES.items():
        if text.startswith(key):
            return grade
    return None


def parse_target_text(text: str) -> tuple[str, Decimal | str, str, bool]:
    """:func:`parse_target`, and whether the text states its comparison (else a bare number is ≥)."""
    op, value, unit = parse_target(text)
    return op, value, unit, op != "qualitative" and states_comparison(text)


def read_quantity(grid: Grid, row: int, col: int, value: object, unit: str, what: str) -> Decimal:
    """A number written with or without its unit, converted to the indicator's unit."""
    if isinstance(value, Decimal):
        return value
    try:
        number, written = parse_quantity(str(value))
    except ValueError:
        raise grid.error(row, col, f"{what}应为数字，实际为“{value}”") from None
    check_figure(grid, row, col, what, value, written)
    if written and unit and written != unit:
        try:
            return convert_money(number, written, unit)
        except ValueError:
            raise grid.error(row, col, f"{what}的单位“{written}”与指标的计量单位“{unit}”不一致") from None
    return number


def strip_op(value: object) -> object:
    """An adjusted target may repeat the comparison (``≥95%``): keep only the quantity."""
    if isinstance(value, str):
        try:
            _, number, unit, _ = parse_target_text(value)
        except ValueError:
            return value
        if isinstance(number, Decimal) and not second_number(unit):
            return f"{number:f}{unit}"
    return value


def validation_messages(exc: ValidationError) -> list[str]:
    """Every problem pydantic found, one line each (a model may list several in one error)."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        for line in str(err["msg"]).removeprefix("Value error, ").splitlines():
            if line.strip():
                out.append(f"{loc}: {line}" if loc and ": " not in line else line)
    return out or [str(exc).splitlines()[0]]


def validation_message(exc: ValidationError) -> str:
    """The problems of ``exc`` on one line."""
    return "；".join(validation_messages(exc))
