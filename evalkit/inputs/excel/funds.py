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
from evalkit.inputs.excel.reader import Grid

_POINTS_IN_HEADER = re.compile(r"\((\d+(?:\.\d+)?)分")
_YUAN_HEADER = re.compile(r"(?<!万)元\)|单位:元")
#: A 偏差原因 cell that also gives the measures: ``原因：…；改进措施：…``.


# --------------------------------------------------------------------------- funds block


@dataclass
class _Funds:
    budget: dict[str, Any]
    weight: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    reason: str | None


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
    cols = header.columns
    if "budget_final" not in cols and "budget_initial" not in cols:
        raise grid.error(header.row, cols["executed"], "“项目资金”表头缺少“全年预算数”（或“年初预算数”）列")
    anchor_origin = grid.origin(*anchor) if anchor else None
    block_texts = [normalise(grid.value(*anchor))] if anchor else []
    block_texts += [grid.text(header.row, c) for c in header.data_columns]
    yuan = any(_YUAN_HEADER.search(t) for t in block_texts)
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
    for row in range(header.row + 1, stop):
        row_label = label(row)
        if any(
            grid.origin(row, c) != anchor_origin
            and matches_any(grid.value(row, c), ANCHORS["goal"] + ANCHORS["indicators"])
            for c in range(1, grid.max_col + 1)
        ):
            break
        if row_has_label(grid, row, LABELS):
            break
        values = {key: read_money(grid, row, cols.get(field_), names[key], yuan) for key, field_ in amounts.items()}
        if not row_label and all(v is None for v in values.values()):
            continue
        if total is None and (not row_label or matches_any(row_label, FUND_TOTAL_LABELS)):
            total = (row, values)
            continue
        name = re.sub(r"^其中[:：]?", "", row_label).strip() or row_label
        if any(v is not None for v in values.values()):
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
    if actual is None:
        raise grid.error(total_row, cols["executed"], "年度资金总额的全年执行数为空")
    if final is None:
        if initial is None:
            col = cols.get("budget_final", cols.get("budget_initial"))
            raise grid.error(total_row, col or first_data, "年度资金总额的全年预算数为空")
        final = initial
        if "budget_final" in cols:
            w.at(total_row, cols["budget_final"], "全年预算数为空，按年初预算数填写")
    budget: dict[str, Any] = {"initial": initial, "final": final, "actual": actual}
    budget = {k: v for k, v in budget.items() if v is not None}
    sources = [
        {"name": name, **{k: v for k, v in values.items() if v is not None}}
        for _, name, values in subrows
    ]
    if sources:
        budget["sources"] = sources
    weight = read_number(grid, total_row, cols.get("weight"), "预算执行率分值", ("", "分"))
    if weight is None:
        for text in block_texts:
            match = _POINTS_IN_HEADER.search(text)
            if match:
                weight = Decimal(match.group(1))
                break
    rate = read_number(grid, total_row, cols.get("exec_rate"), "执行率", ("", "%"), printed=True)
    score = read_number(grid, total_row, cols.get("score"), "执行率得分", ("", "分"), printed=True)
    reason = as_text(grid.value(total_row, cols["reason"])) if "reason" in cols else None
    return _Funds(budget=budget, weight=weight, rate=rate, score=score, reason=reason)
