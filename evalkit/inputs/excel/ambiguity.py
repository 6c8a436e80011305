"""Readings that could go two ways, settled from the sheet or refused, never guessed quietly.

- **Operators**: variants such as ``═95%`` or ``达到95%`` are folded to the canonical sign; a
  target with a number whose sign is not recognised is refused, not read as a 定性 target.
- **Percentages typed as fractions**: ``0.96`` (or ``1``) in a column of percentages. The number
  format decides first (a cell formatted ``%`` is read as shown, by the reader); for numbers typed
  without ``%`` the column decides: every such number at most 1 and some target that a fraction
  reading fits → the column is fractions (×100, with a warning naming the cells). A lone number
  at most 1 among percentages is read as a percentage with a warning, or refused when the
  percentage reading cannot be meant (``0.96`` against ``≥95%``).
- **One 分值 cell merged over several indicators** (sub-items under one score): the points belong
  to the group. When the group is exactly one 二级指标, it becomes a block weight shared equally;
  otherwise the sheet is refused, naming the merged cell.
- **Points on the 一级/二级 labels and no 分值 column** (Hubei-style forms): block weights.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from evalkit.core.figures import fmt, parse_number
from evalkit.inputs.excel.cells import HUNDRED, Warnings
from evalkit.inputs.excel.layouts import OPERATOR_VARIANTS, normalise
from evalkit.inputs.excel.reader import Grid, HeaderRow, address

__all__ = ["fold_operator", "check_qualitative_text", "percent_fractions", "merged_weights", "level_blocks"]

_VARIANT = re.compile(
    r"^\s*(" + "|".join(re.escape(v) for v in sorted(OPERATOR_VARIANTS, key=len, reverse=True)) + r")(?=\s*[-+]?[\d０-９.])"
)
_UNKNOWN_SIGN = re.compile(r"^\s*([^\w\s(（\"“'‘\u4e00-\u9fff])\s*[-+]?[\d.]")


def fold_operator(text: str) -> str:
    """``═100%`` → ``=100%``, ``达到95%`` → ``≥95%``: the variants of :data:`OPERATOR_VARIANTS`
    at the start of a target, when a number follows (``达到预期目标`` stays text)."""
    return _VARIANT.sub(lambda m: OPERATOR_VARIANTS[m.group(1)], text, count=1)


def _is_number(value: object) -> bool:
    if isinstance(value, Decimal):
        return True
    if not isinstance(value, str):
        return False
    try:
        parse_number(value)
    except ValueError:
        return False
    return True


def check_qualitative_text(grid: Grid, row: int, col: int, name: str, text: str, actual: object) -> None:
    """A target read as 定性 text must not be a number with a sign evalkit does not know."""
    folded = normalise(text)
    if not re.search(r"\d", folded):
        return
    sign = _UNKNOWN_SIGN.match(folded)
    if sign:
        raise grid.error(
            row, col, f"指标“{name}”的年度指标值“{text}”中的比较符“{sign.group(1)}”无法识别；请写成 ≥、≤、=、>、< 之一"
        )
    if _is_number(actual):
        raise grid.error(
            row,
            col,
            f"指标“{name}”的年度指标值“{text}”含数字但看不出比较方式，实际完成值却是数字；"
            "无法确定按定量还是定性读取，请写成“≥95%”这样的形式",
        )


def _fits_fraction(data: dict[str, Any]) -> bool:
    """A fraction reading fits: a ≥/>/= target above 1 (%), so 0.96 means 96%, not 0.96%."""
    target = data.get("target")
    return data.get("op") in (">=", ">", "=") and isinstance(target, Decimal) and target > 1


def percent_fractions(grid: Grid, header: HeaderRow, rows: list[tuple[int, dict[str, Any]]], w: Warnings) -> None:
    """Settle numbers typed without ``%`` in percentage columns (see the module docstring)."""
    for field in ("target", "midyear", "actual", "completion"):
        entries = []
        for _, data in rows:
            cell = data.get("_bare", {}).get(field)
            if cell is None or (field != "completion" and data.get("unit") != "%"):
                continue
            holder = data["reported"] if field == "completion" else data
            if isinstance(holder.get(field), Decimal):
                entries.append((data, holder, cell))
        if not entries:
            continue
        values = [holder[field] for _, holder, _ in entries]
        small = [(d, h, c) for d, h, c in entries if 0 < h[field] <= 1]
        label = grid.text(header.row, header.columns[field]) if field in header.columns else field
        if all(v <= 1 for v in values) and small:
            if field == "target" and len(entries) == 1 and values[0] == 1:
                data, _, cell = entries[0]
                w.problem(
                    grid.error(*cell, f"指标“{data['name']}”的年度指标值 1（计量单位 %）是 1% 还是 100%？无法确定，请写明，如“100%”")
                )
                continue
            if field == "completion" or any(_fits_fraction(d) for d, _, _ in small) or (
                field == "target" and any(d.get("op") in (">=", ">", "=") for d, _, _ in small)
            ):
                for data, holder, _ in entries:
                    old = holder[field]
                    holder[field] = old * HUNDRED
                    if field == "target" and data["reported"].get("target") == old:
                        data["reported"]["target"] = holder[field]  # the printed target is the same cell
                cells = "、".join(address(*c) for _, _, c in entries)
                w.at(
                    header.row,
                    header.columns.get(field, 1),
                    f"“{label}”列中以 % 计的数值都不大于 1（{cells}），按小数读取（1 即 100%，0.96 即 96%）",
                )
                continue
        for data, holder, cell in small:
            value = holder[field]
            if field == "actual" and _fits_fraction(data) and data["target"] >= 50:
                w.problem(
                    grid.error(
                        *cell,
                        f"指标“{data['name']}”的实际完成值 {fmt(value)} 是 {fmt(value)}% 还是 {fmt(value * HUNDRED)}%？"
                        f"（年度指标值 {fmt(data['target'])}%）无法确定，请写明百分号，如“{fmt(value * HUNDRED)}%”",
                    )
                )
            else:
                w.at(
                    *cell,
                    f"指标“{data['name']}”的{label} {fmt(value)} 按 {fmt(value)}% 读取；"
                    f"如为小数写法（即 {fmt(value * HUNDRED)}%），请写明百分号",
                )


def merged_weights(
    grid: Grid, header: HeaderRow, rows: list[tuple[int, dict[str, Any]]], w: Warnings
) -> list[dict[str, Any]]:
    """Block weights for 分值 cells merged over several indicator rows; refuses what is no block."""
    col = header.columns.get("weight")
    if col is None:
        return []
    groups: dict[tuple[int, int], list[tuple[int, dict[str, Any]]]] = {}
    for row, data in rows:
        groups.setdefault(grid.origin(row, col), []).append((row, data))
    blocks = []
    for origin, members in groups.items():
        if len(members) < 2:
            continue
        levels = {(d.get("level1"), d.get("level2")) for _, d in members}
        level1, level2 = next(iter(levels))
        same_level = [d for _, d in rows if (d.get("level1"), d.get("level2")) == (level1, level2)]
        names = "、".join(d["name"] for _, d in members)
        if len(levels) != 1 or not level1 or not level2 or len(same_level) != len(members):
            w.problem(
                grid.error(
                    *origin,
                    f"分值单元格合并跨 {len(members)} 个指标行（{names}），不是一个完整的二级指标，"
                    "无法确定各指标的分值；请为每个指标填写分值",
                )
            )
            continue
        weight = members[0][1]["weight"]
        for _, data in members:
            data.pop("weight", None)
            data["reported"].pop("score", None)
            data.pop("score", None)
        blocks.append({"level1": level1, "level2": level2, "weight": weight, "share": "equal"})
        w.read(f"blocks[{len(blocks) - 1}].weight", *origin)
        w.at(
            *origin,
            f"分值 {fmt(weight)} 合并跨二级指标“{level2}”的 {len(members)} 个指标（{names}），"
            "按分块计分、各指标平均分配；各指标的得分未单独印出",
        )
    return blocks


def level_blocks(
    grid: Grid,
    declared: dict[str, tuple[Decimal, int, int]],
    declared2: dict[tuple[str, str], tuple[Decimal, int, int]],
    rows: list[tuple[int, dict[str, Any]]],
    w: Warnings,
) -> list[dict[str, Any]]:
    """No 分值 column: the points on the 二级 (else 一级) labels weight blocks, shared equally."""
    blocks = []
    for (level1, level2), (points, row, col) in declared2.items():
        blocks.append({"level1": level1, "level2": level2, "weight": points, "share": "equal"})
        w.read(f"blocks[{len(blocks) - 1}].weight", row, col)
    covered = {l1 for l1, _ in declared2}
    for level1, (points, row, col) in declared.items():
        if level1 in covered:
            continue
        blocks.append({"level1": level1, "weight": points, "share": "equal"})
        w.read(f"blocks[{len(blocks) - 1}].weight", row, col)
    if blocks:
        w.sheet("表中没有指标分值列，按一级/二级指标标注的分值分块计分，块内各指标平均分配")
    missing = sorted(
        {
            d.get("level1") or "（无一级指标）"
            for _, d in rows
            if not any(
                b["level1"] == d.get("level1") and b.get("level2") in (None, d.get("level2")) for b in blocks
            )
        }
    )
    if missing:
        row = rows[0][0] if rows else 1
        w.problem(
            grid.error(
                row,
                1,
                f"“绩效指标”表头没有“分值/权重”列，一级指标 {'、'.join(missing)} 也未标注分值（如“产出指标（50分）”）；无法评分",
            )
        )
    return blocks
