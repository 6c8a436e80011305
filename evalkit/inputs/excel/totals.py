"""The printed total and grade below (or above) the indicator block."""

from __future__ import annotations

from decimal import Decimal

from evalkit.core.figures import parse_number
from evalkit.inputs.excel.cells import Warnings, as_text, grade_of
from evalkit.inputs.excel.layouts import (
    ANCHORS,
    IGNORE,
    INDICATOR_FIELDS,
    match_field,
)
from evalkit.inputs.excel.locate import label_value
from evalkit.inputs.excel.reader import Grid, HeaderRow

# --------------------------------------------------------------------------- total and grade


def _row_numbers(grid: Grid, row: int, after: int, header: HeaderRow) -> list[tuple[int, Decimal]]:
    ignored = {grid.origin(row, c) for c in _ignored_columns(grid, header)}
    out, seen = [], set()
    for col in range(after + 1, grid.max_col + 1):
        origin = grid.origin(row, col)
        if origin in seen or origin in ignored or origin == grid.origin(row, after):
            continue
        seen.add(origin)
        value = grid.printed(row, col)
        if isinstance(value, Decimal):
            out.append((col, value))
        elif isinstance(value, str):
            try:
                number, unit = parse_number(value)
            except ValueError:
                continue
            if unit in ("", "分"):
                out.append((col, number))
    return out


def _ignored_columns(grid: Grid, header: HeaderRow) -> list[int]:
    """Every column whose header is recognised but not read (``得分(重算)`` …)."""
    return [
        c
        for c in range(1, grid.max_col + 1)
        if isinstance(grid.value(header.row, c), str)
        and match_field(grid.value(header.row, c), INDICATOR_FIELDS) == IGNORE
    ]


def read_total(
    grid: Grid, header: HeaderRow, end_row: int, weights: Decimal, w: Warnings
) -> tuple[Decimal | None, str | None]:
    total = grade = None
    score_col = header.col("score")
    weight_col = header.col("weight")
    ignored = set(_ignored_columns(grid, header))
    after = range(end_row, min(end_row + 6, grid.max_row + 1))
    found = grid.find(ANCHORS["total"], rows=after, cols=range(1, (header.col("name") or 1) + 1), prefix=True)
    if found is not None:
        row, col = found
        numbers = _row_numbers(grid, row, col, header)
        by_col = dict(numbers)
        if score_col in by_col and grid.origin(row, score_col) != grid.origin(row, weight_col or 0):
            total = by_col[score_col]
            w.read("reported.total", row, score_col)
        elif score_col and weight_col and grid.origin(row, score_col) == grid.origin(row, weight_col) and (
            merged := as_text(grid.printed(row, score_col))
        ):
            # 分值 and 得分 merged into one cell: the total weight or the total score? Not guessed.
            w.at(row, score_col, f"总分行的“分值”与“得分”两栏合并为一格（“{merged}”），"
                                 "无法确定是分值合计还是总得分，未读取总分")
        elif score_col and isinstance(printed := grid.printed(row, score_col), str) and not grade_of(printed):
            # 得分 holds text that is no number (#REF!, 九十八点七): say so, never take another cell.
            w.at(row, score_col, f"总分“{printed}”不是数字，未读取")
        else:
            rest = [(c, v) for c, v in numbers if grid.origin(row, c) != grid.origin(row, weight_col or 0)]
            if rest and not (len(rest) == 1 and rest[0][1] == weights and len(numbers) == 1):
                total = rest[-1][1]
                w.read("reported.total", row, rest[-1][0])
        for c in range(col + 1, grid.max_col + 1):
            if c not in ignored and grade_of(grid.value(row, c)) and isinstance(grid.value(row, c), str):
                grade = grade_of(grid.value(row, c))
                break
    if total is None:
        hit = label_value(grid, ("自评总分", "总分", "综合得分"), range(1, header.row))
        if hit is not None:
            _, cell = hit
            value = grid.printed(*cell)
            if isinstance(value, Decimal):
                total = value
                w.read("reported.total", *cell)
            elif isinstance(value, str):
                try:
                    total, _ = parse_number(value)
                except ValueError:
                    w.at(*cell, f"总分“{value}”不是数字，未读取")
    if grade is None:
        grade = _read_grade(grid, header, end_row, score_col, ignored, w)
    return total, grade


def _read_grade(
    grid: Grid, header: HeaderRow, end_row: int, score_col: int | None, ignored: set[int], w: Warnings
) -> str | None:
    rows = range(end_row, min(end_row + 8, grid.max_row + 1))
    found = grid.find(ANCHORS["grade"], rows=rows, prefix=False)
    if found is not None:
        row, col = found
        if score_col and grade_of(grid.value(row, score_col)) and score_col not in ignored:
            return grade_of(grid.value(row, score_col))
        for c in range(col + 1, grid.max_col + 1):
            if c in ignored or grid.origin(row, c) == grid.origin(row, col):
                continue
            if grid.value(row, c) is not None:
                return grade_of(grid.value(row, c))
        return None
    # A grade in one cell (``自评等级：优``) below the table, else a labelled cell above it.
    hit = label_value(grid, ANCHORS["grade"], rows) or label_value(grid, ANCHORS["grade"], range(1, header.row))
    if hit is None:
        return None
    grade = grade_of(hit[0])
    if grade is None and as_text(hit[0]):
        w.at(*hit[1], f"等级“{as_text(hit[0])}”不是 优/良/中/差，未读取")
    elif grade is not None:
        w.read("reported.grade", *hit[1])
    return grade
