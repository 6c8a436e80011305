"""Where things are on a sheet: labels and their values, the indicator header, the title and its year, sheets that are no self-evaluation table."""

from __future__ import annotations

import re

from evalkit.inputs.excel.layouts import (
    ANCHORS,
    GOAL_LABELS,
    INDICATOR_FIELDS,
    INDICATOR_REQUIRED,
    INFO_LABELS,
    SKIP_SHEET_NAMES,
    SKIP_SHEET_TITLES,
    YEAR_PATTERNS,
    matches_any,
    normalise,
)
from evalkit.inputs.excel.reader import Grid, HeaderRow

_YEAR_PATTERNS = tuple(re.compile(p) for p in YEAR_PATTERNS)


_FIELD_LABELS = {
    "name": "三级指标/指标名称",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值/权重",
}


# --------------------------------------------------------------------------- labels


#: Every label of the header area: a cell holding one is never another label's value.
LABELS = tuple(s for table in (INFO_LABELS, GOAL_LABELS) for synonyms in table.values() for s in synonyms)
_BLOCK_ANCHORS = ANCHORS["funds"] + ANCHORS["goal"] + ANCHORS["indicators"]


def _is_label(value: object) -> bool:
    """A label (``项目名称``) or a block anchor (``项目资金（万元）``): no value for another label."""
    if not isinstance(value, str):
        return False
    return _label_match(normalise(value), LABELS + ANCHORS["total"]) == "" or matches_any(value, _BLOCK_ANCHORS)


def row_has_label(grid: Grid, row: int, labels: tuple[str, ...]) -> bool:
    return any(
        isinstance(grid.value(row, c), str) and _label_match(grid.text(row, c), labels) is not None
        for c in range(1, grid.max_col + 1)
    )


def _label_match(text: str, labels: tuple[str, ...]) -> str | None:
    """How ``text`` is a label: ``""`` when it is one, the inline value for ``项目名称：XX``."""
    for label in labels:
        lab = normalise(label)
        if not text.startswith(lab):
            continue
        rest = text[len(lab) :]
        if rest in ("", ":") or re.fullmatch(r"\([^()]*\):?", rest):
            return ""
        if rest.startswith(":") and len(rest) > 1:
            return rest[1:]
    return None


def label_value(
    grid: Grid, labels: tuple[str, ...], rows: range, *, below: bool = False
) -> tuple[object, tuple[int, int]] | None:
    """The value of the first cell labelled ``labels[0]`` (else ``labels[1]``…) and its cell.

    The value is the next cell to the right; with ``below``, the cell below the label first
    (the goal block prints its texts under 预期目标 / 实际完成情况). ``项目名称：XX`` in one cell
    gives ``XX``. A neighbour that is itself a label or an anchor is no value.
    """
    for label in labels:
        for row in rows:
            for col in range(1, grid.max_col + 1):
                value = grid.value(row, col)
                if grid.origin(row, col) != (row, col) or not isinstance(value, str):
                    continue
                inline = _label_match(normalise(value), (label,))
                if inline is None:
                    continue
                if inline:
                    return re.split(r"[:：]", value, maxsplit=1)[-1].strip(), (row, col)
                candidates = [grid.below(row, col), grid.right_of(row, col)] if below else [grid.right_of(row, col)]
                for cell in candidates:
                    if cell is not None and not _is_label(grid.value(*cell)):
                        return grid.value(*cell), cell
                return None
    return None


# --------------------------------------------------------------------------- indicator header


def indicator_header(grid: Grid) -> HeaderRow:
    anchor = grid.find(ANCHORS["indicators"])
    header = grid.header_row(INDICATOR_FIELDS, range(1, grid.max_row + 1), want=("name",), least=3)
    if header is None:
        expected = "应有 一级指标/二级指标/三级指标/年度指标值/实际完成值/分值 等列"
        if anchor is not None:
            raise grid.error(*anchor, f"找不到“绩效指标”表头（{expected}）")
        raise grid.error(1, 1, f"没有“绩效指标”区块：找不到“绩效指标”标题或表头（{expected}）")
    columns = dict(header.columns)
    if "target" not in columns and "target_adjusted" in columns:
        columns["target"] = columns["target_adjusted"]
    # No 分值 column is allowed when the 一级/二级 labels carry points (checked with the rows).
    missing = [f for f in INDICATOR_REQUIRED if f not in columns and f != "weight"]
    if missing:
        names = "、".join(f"“{_FIELD_LABELS[f]}”" for f in missing)
        synonyms = "/".join(INDICATOR_FIELDS[missing[0]][:4])
        raise grid.error(
            header.row,
            header.columns["name"],
            f"“绩效指标”表头缺少{names}列（可写作 {synonyms} 等）",
        )
    return HeaderRow(header.row, columns, header.duplicates, header.top, header.texts)


# --------------------------------------------------------------------------- the sheet


def _title_rows(grid: Grid, stop: int) -> list[int]:
    """The title rows: those above the first label or block anchor (however far down the title
    starts), and never fewer than the first five."""
    rows = []
    for row in range(1, stop):
        if row_has_label(grid, row, LABELS) or grid.find(_BLOCK_ANCHORS, rows=range(row, row + 1)):
            break
        rows.append(row)
    return sorted(set(rows) | set(range(1, min(stop, 6))))


def _row_text(grid: Grid, row: int) -> str:
    return "".join(grid.text(row, c) for c in range(1, grid.max_col + 1) if grid.origin(row, c) == (row, c))


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")


def _cn_year(text: str) -> str:
    """``二〇二三年度`` → ``2023年度`` (full-width digits are folded by :func:`normalise`)."""
    return re.sub(r"[〇零○一二三四五六七八九]{4}(?=年)", lambda m: m.group(0).translate(_CN_DIGITS), text)


def title_text(grid: Grid, stop: int) -> str:
    return _cn_year("".join(_row_text(grid, r) for r in _title_rows(grid, stop)))


def title_year(grid: Grid, stop: int) -> int | None:
    """The year the title states: ``（2023年度）`` (or ``（２０２３年度）``, ``二〇二三年度``) in the
    title rows, else ``2023年…`` in the rows above the first label (so a project called
    ``2022年…`` or a 填报日期 ``2024年3月15日`` is not taken for it)."""
    title = title_text(grid, stop)
    match = _YEAR_PATTERNS[0].search(title)
    if match:
        return int(match.group(1))
    rows = []
    for row in range(1, stop):
        if row_has_label(grid, row, LABELS) or grid.find(_BLOCK_ANCHORS, rows=range(row, row + 1)):
            break
        rows.append(_cn_year(_row_text(grid, row)))
    for pattern in _YEAR_PATTERNS[1:]:
        match = pattern.search("".join(rows))
        if match:
            return int(match.group(1))
    return None


def skip_reason(grid: Grid) -> str | None:
    if grid.hidden:
        return "隐藏的工作表，已跳过"
    if not grid.values:
        return "空白工作表，已跳过"
    if normalise(grid.sheet) in {normalise(n) for n in SKIP_SHEET_NAMES}:
        return f"工作表“{grid.sheet}”不是自评表，已跳过"
    first = next((grid.value(r, c) for r in range(1, 3) for c in range(1, 3) if grid.value(r, c)), None)
    if matches_any(normalise(first).rstrip(":"), SKIP_SHEET_TITLES, prefix=False):
        return f"“{first}”不是自评表，已跳过"
    for row in range(1, min(grid.max_row, 3) + 1):
        for col in range(1, grid.max_col + 1):
            text = grid.text(row, col).rstrip(":")
            if text.endswith(("填表说明", "填报说明")):
                return f"“{grid.value(row, col)}”不是自评表，已跳过"
    # A cover page or a note: none of the blocks or labels a self-evaluation table has.
    if (
        grid.find(ANCHORS["indicators"] + ANCHORS["funds"]) is None
        and grid.find(INFO_LABELS["project_name"]) is None
        and grid.header_row(INDICATOR_FIELDS, range(1, grid.max_row + 1), want=("name",), least=3) is None
    ):
        return "没有“项目名称”“项目资金”“绩效指标”等自评表内容（封面或说明页？），已跳过"
    return None
