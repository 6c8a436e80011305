"""The funds block (项目资金 / 预算执行情况): budget, execution, the printed rate and score."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evalkit.core.figures import fmt
from evalkit.inputs.excel.cells import ZERO, Warnings, as_text, read_money, read_number
from evalkit.inputs.excel.layouts import (
    ANCHORS,
    FUND_TOTAL_LABELS,
    FUNDS_FIELDS,
    matches_any,
    normalise,
)
from evalkit.inputs.excel.locate import LABELS, row_has_label
from evalkit.inputs.excel.reader import Grid, HeaderRow, SheetProblems, address

_POINTS_IN_HEADER = re.compile(r"\((\d+(?:\.\d+)?)分")
#: A money unit stated in a cell: ``单位：元``, ``金额单位：万元``, ``（元）`` in a header.
_UNIT_STATED = re.compile(r"(?:金额)?单位:(百万元|千元|万元|亿元|元)|\((百万元|千元|万元|亿元|元)\)")
#: Rows of a department's funds block that split spending by its nature, not by source.
_SPENDING_SPLIT = {"基本支出": "basic", "项目支出": "project"}
_HEADS = ("按收入性质分", "按支出性质分", "按资金来源分", "其中")


def _stated_unit(text: str) -> str | None:
    match = _UNIT_STATED.search(text)
    return (match.group(1) or match.group(2)) if match else None


@dataclass
class _Funds:
    budget: dict[str, Any]
    weight: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    reason: str | None


def money_units(grid: Grid, stop: int, header: HeaderRow, w: Warnings) -> dict[int, str]:
    """The money unit of each amount column of the funds block, from every statement of it.

    A unit may be stated in the title area (``单位：元``, ``金额单位：万元``), on the block's
    anchor (``项目资金（万元）``) or on a column's header (``全年预算数（元）``). They must agree:
    two statements that differ are an error naming both cells, never a guess. No statement at
    all reads 万元, the unit of the national forms, with a warning by the caller.
    """
    stated: list[tuple[str, tuple[int, int]]] = []
    header_cells = {grid.origin(r, c) for r in range(header.top or header.row, header.row + 1) for c in header.columns.values()}
    for row in range(1, stop):
        for col in range(1, grid.max_col + 1):
            if grid.origin(row, col) != (row, col) or (row, col) in header_cells:
                continue
            unit = _stated_unit(grid.text(row, col)) if isinstance(grid.value(row, col), str) else None
            if unit:
                stated.append((unit, (row, col)))
    units: dict[int, str] = {}
    noted: dict[str, tuple[int, int]] = {}
    for col in header.columns.values():
        own = None
        for row in range(header.top or header.row, header.row + 1):
            found = _stated_unit(grid.text(row, col))
            if found:
                own = (found, grid.origin(row, col))
        choices = stated + ([own] if own else [])
        kinds = {u for u, _ in choices}
        if len(kinds) > 1:
            (u1, c1), (u2, c2) = choices[0], next(x for x in choices if x[0] != choices[0][0])
            raise grid.error(
                *c2,
                f"金额单位不一致：{address(*c1)} 写“{u1}”，{address(*c2)} 写“{u2}”；无法确定金额单位，请统一后再导入",
            )
        units[col] = kinds.pop() if kinds else ""
        if units[col] and units[col] != "万元" and choices:
            noted.setdefault(units[col], choices[0][1])
    for unit, cell in noted.items():
        w.at(*cell, f"金额单位为“{unit}”（此处写明），各金额已按此换算为万元")
    return units


def read_funds(grid: Grid, stop: int, w: Warnings) -> _Funds:
    top = range(1, stop)
    anchor = grid.find(ANCHORS["funds"], rows=top)
    header = None
    if anchor is not None:
        near = range(anchor[0], min(anchor[0] + 5, stop))
        header = grid.header_row(FUNDS_FIELDS, near, want=("executed",), least=2)
    if header is None:
        header = grid.header_row(FUNDS_FIELDS, top, want=("executed",), least=2)
    if header is None:
        cell = anchor or (1, 1)
        raise grid.error(
            *cell,
            "找不到“项目资金”表头（应有 年初预算数/全年预算数/全年执行数/分值/执行率/得分 等列）",
        )
    duplicate_columns(grid, header, "项目资金")
    cols = header.columns
    if "budget_final" not in cols and "budget_initial" not in cols:
        raise grid.error(header.row, cols["executed"], "“项目资金”表头缺少“全年预算数”（或“年初预算数”）列")
    anchor_origin = grid.origin(*anchor) if anchor else None
    block_texts = [normalise(grid.value(*anchor))] if anchor else []
    block_texts += [grid.text(header.row, c) for c in header.data_columns]
    units = money_units(grid, stop, header, w)
    first_data = min(header.data_columns)

    def label(row: int) -> str:
        seen, parts = set(), []
        for col in range(1, first_data):
            origin = grid.origin(row, col)
            if origin == anchor_origin or origin in seen:
                continue
            seen.add(origin)
            text = as_text(grid.value(row, col))
            if text:
                parts.append(text)
        return "".join(parts)

    amounts = {"initial": "budget_initial", "final": "budget_final", "actual": "executed"}
    names = {"initial": "年初预算数", "final": "全年预算数", "actual": "全年执行数"}
    total: tuple[int, dict[str, Decimal | None]] | None = None
    subrows: list[tuple[int, str, dict[str, Decimal | None]]] = []
    split: dict[str, tuple[int, dict[str, Decimal | None]]] = {}
    for row in range(header.row + 1, stop):
        row_label = label(row)
        if any(
            grid.origin(row, c) != anchor_origin
            and matches_any(grid.value(row, c), ANCHORS["goal"] + ANCHORS["indicators"] + ANCHORS["tasks"])
            for c in range(1, grid.max_col + 1)
        ):
            break
        if row_has_label(grid, row, LABELS):
            break
        values = {}
        for key, field_ in amounts.items():
            col = cols.get(field_)
            values[key] = read_money(grid, row, col, names[key], units.get(col or 0) or "万元")
        if not row_label and all(v is None for v in values.values()):
            continue
        if total is None and (not row_label or matches_any(row_label, FUND_TOTAL_LABELS)):
            total = (row, values)
            continue
        name = row_label
        while True:
            shorter = re.sub(r"^(?:" + "|".join(_HEADS) + r")[:：]?", "", name).strip()
            if shorter == name:
                break
            name = shorter
        name = name or row_label
        part = _SPENDING_SPLIT.get(normalise(name))
        if part is not None:
            split[part] = (row, values)
        elif any(v is not None for v in values.values()):
            subrows.append((row, name, values))
    if total is None:
        if not subrows:
            raise grid.error(header.row, first_data, "“项目资金”表头下没有年度资金总额行")
        total = (subrows[0][0], {k: None for k in amounts})
    total_row, total_values = total
    recomputed = []
    for key in amounts:
        parts = [v[key] for _, _, v in subrows if v[key] is not None]
        if (total_values[key] or ZERO) == 0 and parts and sum(parts, ZERO) > 0:
            total_values[key] = sum(parts, ZERO)
            recomputed.append(f"{names[key]} {fmt(total_values[key], 6)}")
    if recomputed:
        w.at(
            total_row,
            first_data,
            "年度资金总额为 0 或空，已按其中各项合计重算（" + "，".join(recomputed) + " 万元）；请核对原表",
        )
    initial, final, actual = total_values["initial"], total_values["final"], total_values["actual"]
    blank = []  # both blank cells are named, not only the first
    if actual is None:
        blank.append(grid.error(total_row, cols["executed"], "年度资金总额的全年执行数为空"))
    if final is None and initial is None:
        col = cols.get("budget_final", cols.get("budget_initial"))
        blank.append(grid.error(total_row, col or first_data, "年度资金总额的全年预算数为空"))
    if blank:
        raise blank[0] if len(blank) == 1 else SheetProblems(blank)
    if final is None:
        final = initial
        if "budget_final" in cols:
            w.at(total_row, cols["budget_final"], "全年预算数为空，按年初预算数填写")
    if not any(units.values()):
        w.at(
            total_row,
            cols.get("budget_final", first_data),
            f"表中未写明金额单位，按万元读取（全年预算数 {fmt(final, 6)} 万元）；如为元，请在标题下写明“单位：元”",
        )
    budget: dict[str, Any] = {"initial": initial, "final": final, "actual": actual}
    budget = {k: v for k, v in budget.items() if v is not None}
    for key, field_ in amounts.items():
        if key in budget and not recomputed:
            w.read(f"budget.{key}", total_row, cols.get(field_) or first_data)
    for part, (row, values) in split.items():
        line = {k: v for k, v in values.items() if v is not None}
        if line:
            budget[part] = line
            for key in line:
                w.read(f"budget.{part}.{key}", row, cols[amounts[key]])
    sources = []
    for row, name, values in subrows:
        sources.append({"name": name, **{k: v for k, v in values.items() if v is not None}})
        for key in values:
            if values[key] is not None:
                w.read(f"budget.sources[{len(sources) - 1}].{key}", row, cols[amounts[key]])
    if sources:
        budget["sources"] = sources
    weight = read_number(grid, total_row, cols.get("weight"), "预算执行率分值", ("", "分"))
    if weight is not None:
        w.read("execution_weight", total_row, cols["weight"])
    else:
        for text, cell in zip(block_texts, ([anchor] if anchor else []) + [(header.row, c) for c in header.data_columns], strict=False):
            match = _POINTS_IN_HEADER.search(text)
            if match:
                weight = Decimal(match.group(1))
                w.read("execution_weight", *cell)
                break
    rate = read_number(grid, total_row, cols.get("exec_rate"), "执行率", ("", "%"), printed=True)
    if rate is not None and isinstance(grid.value(total_row, cols["exec_rate"]), Decimal) and 0 < rate <= 1 and final:
        # 0.95 for 95%: the amounts decide, never the number alone.
        computed = actual / final * 100
        if abs(rate * 100 - computed) <= 1 and abs(rate - computed) > 1:
            rate *= 100
            w.at(total_row, cols["exec_rate"], f"执行率按小数读取（{fmt(rate / 100, 4)} 即 {fmt(rate)}%），与金额算得的执行率相符")
    score = read_number(grid, total_row, cols.get("score"), "执行率得分", ("", "分"), printed=True)
    for name_, value, col_name in (("execution_rate", rate, "exec_rate"), ("execution_score", score, "score")):
        if value is not None:
            w.read(f"reported.{name_}", total_row, cols[col_name])
    reason = as_text(grid.value(total_row, cols["reason"])) if "reason" in cols else None
    return _Funds(budget=budget, weight=weight, rate=rate, score=score, reason=reason)


#: Columns of text, not figures: a second one is no risk of a wrong value.
_TEXT_FIELDS = {"deviation_reason", "improvement", "reason"}


def duplicate_columns(grid: Grid, header: HeaderRow, block: str) -> None:
    """Two visible header cells naming the same column: refused, naming both (never the leftmost silently)."""
    for field_, columns in header.duplicates.items():
        if field_ in _TEXT_FIELDS:
            continue  # two text columns: the first is read, no figure depends on it
        cells = "、".join(f"{address(header.row, c)}“{header.texts.get(c, '')}”" for c in columns)
        raise grid.error(
            header.row,
            columns[1],
            f"“{block}”表头有 {len(columns)} 列都表示同一栏（{cells}）；无法确定读哪一列，请删去或改名多余的列（隐藏的列不读取）",
        )
