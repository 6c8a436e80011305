"""Grid → params: one self-evaluation sheet becomes a unit profile and a unit-year.

The importer reads what the sheet prints and keeps it: amounts (元 converted to 万元), targets
(``≥95%``, ``≤90万元``, ``达成预期指标``), actuals, weights, and the printed scores and total as the
``reported`` values the audit compares against. It never fixes a printed score; where the sheet
is inconsistent (a zero 年度资金总额 row, weights that do not add up, a "(50分)" 一级 label whose
children do not sum to 50) it imports what is there and adds a warning.

The result is validated by the pydantic models before anything is written, and scored once so
the summary can say whether ``evalkit score`` will accept it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evalkit.core.figures import fmt, parse_number, round_half_up
from evalkit.core.models import Indicator, UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook, load_rulebook, rulebook_source
from evalkit.core.scoring import evaluate, qualitative_band, qualitative_grade
from evalkit.core.targets import (
    convert_money,
    normalise_op,
    normalise_unit,
    parse_quantity,
    parse_target,
    states_comparison,
)
from evalkit.errors import InputError, ScoringError
from evalkit.inputs.excel.layouts import (
    ANCHORS,
    FUND_TOTAL_LABELS,
    FUNDS_FIELDS,
    GOAL_LABELS,
    IGNORE,
    INDICATOR_FIELDS,
    INDICATOR_REQUIRED,
    INFO_LABELS,
    LEVEL_POINTS,
    NOT_APPLICABLE,
    SHEET_NAME_YEAR,
    SKIP_SHEET_NAMES,
    SKIP_SHEET_TITLES,
    YEAR_PATTERNS,
    Layout,
    detect_layout,
    match_field,
    matches_any,
    normalise,
)
from evalkit.inputs.excel.reader import Grid, HeaderRow, WorkbookError, open_workbook
from evalkit.inputs.params import PROFILE_FILE, check_unit_id
from evalkit.inputs.yamlio import atomic_write_text, dump_yaml, load_yaml

__all__ = [
    "SheetImport",
    "WorkbookImport",
    "WriteResult",
    "read_sheet",
    "import_workbook",
    "with_unit_id",
    "write_import",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)

_YEAR_PATTERNS = tuple(re.compile(p) for p in YEAR_PATTERNS)
_POINTS_SUFFIX = re.compile(LEVEL_POINTS)
_POINTS_IN_HEADER = re.compile(r"\((\d+(?:\.\d+)?)分")
_YUAN_HEADER = re.compile(r"(?<!万)元\)|单位:元")
#: A 偏差原因 cell that also gives the measures: ``原因：…；改进措施：…``.
_IMPROVEMENT_LABEL = re.compile(r"(?:改进|整改)措施\s*[:：]")
_REASON_LABEL = re.compile(r"^(?:偏差)?原因(?:分析)?\s*[:：]")
_GRADES = {"优": "优", "良": "良", "中": "中", "差": "差"}

_FIELD_LABELS = {
    "name": "三级指标/指标名称",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值/权重",
}


@dataclass(frozen=True)
class SheetImport:
    """One sheet read into params data, ready to write.

    ``profile`` and ``year_data`` are the dicts written to ``unit.yaml`` and ``<year>.yaml``
    (already validated); ``total`` and ``grade`` are the recomputed result (``None`` when the
    unit-year cannot be scored as imported, which ``warnings`` then explains).
    """

    file: str
    sheet: str
    layout: Layout
    unit_id: str
    profile: dict[str, Any]
    year_data: dict[str, Any]
    warnings: tuple[str, ...] = ()
    total: Decimal | None = None
    grade: str | None = None
    total_dp: int = 2

    @property
    def year(self) -> int:
        return int(self.year_data["year"])

    @property
    def kind(self) -> str:
        return str(self.year_data["kind"])

    @property
    def where(self) -> str:
        return f"{self.file} [{self.sheet}]"


@dataclass
class WorkbookImport:
    """Everything read from one workbook: the sheets that imported, those that failed, notes."""

    file: str
    sheets: list[SheetImport] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WriteResult:
    """What writing one sheet did: the files written, those left as they were, and notes."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    notes: tuple[str, ...] = ()


class _Warnings(list):
    """Warnings of one sheet, each prefixed with where it is."""

    def __init__(self, grid: Grid) -> None:
        super().__init__()
        self.grid = grid

    def at(self, row: int, col: int, message: str) -> None:
        self.append(f"{self.grid.where(row, col)}: {message}")

    def sheet(self, message: str) -> None:
        self.append(f"{self.grid.file} [{self.grid.sheet}]: {message}")


# --------------------------------------------------------------------------- cell values


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in NOT_APPLICABLE)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value).strip() or None


def _number(
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
    if _is_blank(value):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        number, unit = parse_number(str(value))
    except ValueError:
        raise grid.error(row, col, f"{what}应为数字，实际为“{value}”") from None
    unit = normalise_unit(unit)
    if unit not in units:
        allowed = "、".join(u or "（无单位）" for u in units)
        raise grid.error(row, col, f"{what}的单位应为 {allowed}，实际为“{unit}”（{value}）")
    return number


def _money(grid: Grid, row: int, col: int | None, what: str, yuan: bool) -> Decimal | None:
    """An amount in 万元; a bare number is in the block's unit (``yuan`` → 元)."""
    if col is None:
        return None
    value = grid.value(row, col)
    if _is_blank(value):
        return None
    if isinstance(value, Decimal):
        number, unit = value, ""
    else:
        try:
            number, unit = parse_quantity(str(value))
        except ValueError:
            raise grid.error(row, col, f"{what}应为金额，实际为“{value}”") from None
    unit = unit or ("元" if yuan else "万元")
    if unit not in ("元", "万元"):
        raise grid.error(row, col, f"{what}的单位应为万元或元，实际为“{unit}”")
    if number < 0:
        raise grid.error(row, col, f"{what}不能为负数（{value}）")
    return convert_money(number, unit, "万元")


def _grade(value: object) -> str | None:
    text = normalise(value)
    for key, grade in _GRADES.items():
        if text.startswith(key):
            return grade
    return None


# --------------------------------------------------------------------------- labels


#: Every label of the header area: a cell holding one is never another label's value.
_LABELS = tuple(s for table in (INFO_LABELS, GOAL_LABELS) for synonyms in table.values() for s in synonyms)
_BLOCK_ANCHORS = ANCHORS["funds"] + ANCHORS["goal"] + ANCHORS["indicators"]


def _is_label(value: object) -> bool:
    """A label (``项目名称``) or a block anchor (``项目资金（万元）``): no value for another label."""
    if not isinstance(value, str):
        return False
    return _label_match(normalise(value), _LABELS + ANCHORS["total"]) == "" or matches_any(value, _BLOCK_ANCHORS)


def _row_has_label(grid: Grid, row: int, labels: tuple[str, ...]) -> bool:
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


def _label_value(
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


def _indicator_header(grid: Grid) -> HeaderRow:
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
    missing = [f for f in INDICATOR_REQUIRED if f not in columns]
    if missing:
        names = "、".join(f"“{_FIELD_LABELS[f]}”" for f in missing)
        synonyms = "/".join(INDICATOR_FIELDS[missing[0]][:4])
        raise grid.error(
            header.row,
            header.columns["name"],
            f"“绩效指标”表头缺少{names}列（可写作 {synonyms} 等）",
        )
    return HeaderRow(header.row, columns)


# --------------------------------------------------------------------------- funds block


@dataclass
class _Funds:
    budget: dict[str, Any]
    weight: Decimal | None
    rate: Decimal | None
    score: Decimal | None
    reason: str | None


def _read_funds(grid: Grid, stop: int, w: _Warnings) -> _Funds:
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
            text = _text(grid.value(row, col))
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
        if _row_has_label(grid, row, _LABELS):
            break
        values = {key: _money(grid, row, cols.get(field_), names[key], yuan) for key, field_ in amounts.items()}
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
    weight = _number(grid, total_row, cols.get("weight"), "预算执行率分值", ("", "分"))
    if weight is None:
        for text in block_texts:
            match = _POINTS_IN_HEADER.search(text)
            if match:
                weight = Decimal(match.group(1))
                break
    rate = _number(grid, total_row, cols.get("exec_rate"), "执行率", ("", "%"), printed=True)
    score = _number(grid, total_row, cols.get("score"), "执行率得分", ("", "分"), printed=True)
    reason = _text(grid.value(total_row, cols["reason"])) if "reason" in cols else None
    return _Funds(budget=budget, weight=weight, rate=rate, score=score, reason=reason)


# --------------------------------------------------------------------------- indicators


def _is_end_row(grid: Grid, row: int, name_col: int, skip: set[tuple[int, int]]) -> bool:
    """Whether ``row`` ends the indicator block (总分, 合计, 评价结论, 注：…).

    The first filled label cell decides. Left of the name column a label may run on
    (``存在问题及原因``); in the name column it must be the label itself, so an indicator called
    ``存在问题整改率`` does not end the block.
    """
    for col in range(1, name_col + 1):
        origin = grid.origin(row, col)
        value = grid.value(row, col)
        if origin in skip or value is None:
            continue
        text = normalise(value)
        for anchor in ANCHORS["end"]:
            a = normalise(anchor)
            if text == a or text.startswith((a + ":", a + "(")):
                return True
            if col < name_col and len(a) >= 4 and text.startswith(a):
                return True
        return False
    return False


def _split_level(value: object) -> tuple[str | None, Decimal | None]:
    """``"产出指标（50分）"`` → ``("产出指标", 50)``."""
    text = _text(value)
    if not text:
        return None, None
    match = _POINTS_SUFFIX.search(text)
    if match:
        return text[: match.start()].strip(), Decimal(match.group(1))
    return text, None


def _op_from_nature(grid: Grid, row: int, col: int | None) -> str | None:
    """指标性质: ``≥``/``≤``/``=``/``正向``/``反向`` → an op, ``定性`` → qualitative, ``定量`` → None."""
    if col is None:
        return None
    text = _text(grid.value(row, col))
    if not text or normalise(text) in ("定量", "定量指标"):
        return None
    if normalise(text) in ("定性", "定性指标"):
        return "qualitative"
    try:
        return normalise_op(text)
    except ValueError:
        raise grid.error(row, col, f"指标性质应为 ≥、≤、=、>、<、定量 或 定性，实际为“{text}”") from None


def _parse_target(text: str) -> tuple[str, Decimal | str, str, bool]:
    """:func:`parse_target`, and whether the text states its comparison (else a bare number is ≥)."""
    op, value, unit = parse_target(text)
    return op, value, unit, op != "qualitative" and states_comparison(text)


def _quantity(grid: Grid, row: int, col: int, value: object, unit: str, what: str) -> Decimal:
    """A number written with or without its unit, converted to the indicator's unit."""
    if isinstance(value, Decimal):
        return value
    try:
        number, written = parse_quantity(str(value))
    except ValueError:
        raise grid.error(row, col, f"{what}应为数字，实际为“{value}”") from None
    if written and unit and written != unit:
        try:
            return convert_money(number, written, unit)
        except ValueError:
            raise grid.error(row, col, f"{what}的单位“{written}”与指标的计量单位“{unit}”不一致") from None
    return number


def _read_indicator(
    grid: Grid,
    row: int,
    cols: Mapping[str, int],
    level1: str | None,
    level2: str | None,
    w: _Warnings,
    coeff_scale: Decimal = Decimal(1),
) -> dict[str, Any]:
    name_col = cols["name"]
    name = _text(grid.value(row, name_col)) or ""
    unit_col = normalise_unit(_text(grid.value(row, cols["unit"])) if "unit" in cols else None)
    op = _op_from_nature(grid, row, cols.get("nature"))
    target_col = cols["target"]
    raw_target = grid.value(row, target_col)
    if "target_adjusted" in cols and _is_blank(raw_target):
        target_col = cols["target_adjusted"]
        raw_target = grid.value(row, target_col)
    if _is_blank(raw_target):
        raise grid.error(row, target_col, f"指标“{name}”的年度指标值为空")
    unit = unit_col
    target: Decimal | str
    if op == "qualitative":
        target = _text(raw_target) or ""
    elif isinstance(raw_target, Decimal):
        target, op = raw_target, op or ">="
    else:
        text = str(raw_target).strip()
        try:
            text_op, value, text_unit, explicit = _parse_target(text)
        except ValueError as exc:
            raise grid.error(row, target_col, f"指标“{name}”的年度指标值无法识别：{exc}") from None
        if text_op == "qualitative":
            if op is not None:
                raise grid.error(
                    row, target_col, f"指标“{name}”的指标性质为“{op}”，年度指标值却不是数字（“{text}”）"
                )
            op, target = "qualitative", str(value)
        else:
            assert isinstance(value, Decimal)
            if op is not None and op != text_op and explicit:
                w.at(row, target_col, f"指标性质与年度指标值“{text}”的比较符不一致，按指标性质“{op}”")
            op = op or text_op
            target = value
            if text_unit and unit_col and text_unit != unit_col:
                try:
                    target = convert_money(value, text_unit, unit_col)
                except ValueError:
                    w.at(row, target_col, f"年度指标值的单位“{text_unit}”与计量单位“{unit_col}”不同，按“{text_unit}”")
                    unit = text_unit
            else:
                unit = text_unit or unit_col
    data: dict[str, Any] = {"name": name}
    if level1:
        data["level1"] = level1
    if level2:
        data["level2"] = level2
    data["op"] = op
    data["target"] = target
    quantitative = op != "qualitative"
    if quantitative and unit:
        data["unit"] = unit
    if "target_adjusted" in cols and cols["target_adjusted"] != target_col:
        raw = grid.value(row, cols["target_adjusted"])
        if not _is_blank(raw):
            if quantitative:
                adjusted = _quantity(grid, row, cols["target_adjusted"], _strip_op(raw), unit, "调整指标值")
                if adjusted != target:
                    data["target_adjusted"] = adjusted
            elif _text(raw) != target:
                data["target"] = _text(raw)
    if "midyear" in cols and not _is_blank(grid.value(row, cols["midyear"])):
        raw = grid.value(row, cols["midyear"])
        data["midyear"] = _quantity(grid, row, cols["midyear"], raw, unit, "年中监控值") if quantitative else _text(raw)
    raw_actual = grid.value(row, cols["actual"])
    if raw_actual is None:
        raise grid.error(
            row, cols["actual"], f"指标“{name}”的实际完成值为空（不适用的指标请填“/”或“不适用”）"
        )
    if isinstance(raw_actual, str) and normalise(raw_actual) in {normalise(t) for t in NOT_APPLICABLE}:
        data["applicable"] = False
    elif quantitative:
        data["actual"] = _quantity(grid, row, cols["actual"], raw_actual, unit, f"指标“{name}”的实际完成值")
    else:
        data["actual"] = _text(raw_actual)
    weight = _number(grid, row, cols["weight"], f"指标“{name}”的分值", ("", "分"))
    if weight is None:
        raise grid.error(row, cols["weight"], f"指标“{name}”的分值为空")
    if weight < 0:
        raise grid.error(row, cols["weight"], f"指标“{name}”的分值不能为负数")
    data["weight"] = weight
    score = _number(grid, row, cols.get("score"), f"指标“{name}”的得分", ("", "分"), printed=True)
    coeff = _number(grid, row, cols.get("score_coeff"), "得分系数", ("", "%"), printed=True)
    if coeff is not None and isinstance(grid.value(row, cols["score_coeff"]), Decimal):
        coeff *= coeff_scale
    if coeff is not None:
        from_coeff = round_half_up(coeff * weight / HUNDRED, 2)
        if score is None:
            score = from_coeff
        elif abs(from_coeff - score) > Decimal("0.01"):
            w.at(
                row,
                cols["score_coeff"],
                f"得分系数 {fmt(coeff)}% × 指标权重 {fmt(weight)} = {fmt(from_coeff)}，与所列指标得分 {fmt(score)} 不一致",
            )
    if score is not None and score < 0:
        raise grid.error(row, cols["score"], f"指标“{name}”的得分不能为负数")
    if not quantitative and score is not None and data.get("applicable", True):
        data["score"] = score
    deduction = _number(grid, row, cols.get("deduction"), "扣减分数", ("", "分"))
    if deduction:
        data["deduction"] = deduction
    reason = _text(grid.value(row, cols["deviation_reason"])) if "deviation_reason" in cols else None
    improvement = _text(grid.value(row, cols["improvement"])) if "improvement" in cols else None
    if reason and not improvement:
        match = _IMPROVEMENT_LABEL.search(reason)
        if match and reason[match.end() :].strip():
            head = _REASON_LABEL.sub("", reason[: match.start()].strip()).strip().rstrip("；;")
            reason, improvement = head or None, reason[match.end() :].strip()
    if reason and reason not in NOT_APPLICABLE:
        data["deviation_reason"] = reason
    if improvement and improvement not in NOT_APPLICABLE:
        data["improvement"] = improvement
    # The target the table scored against: the adjusted one when it prints one (重庆 调整指标值),
    # unless a 报告指标值 column (export-xlsx) says what the report printed.
    reported: dict[str, Any] = {"target": data.get("target_adjusted", data["target"])}
    raw = grid.value(row, cols["reported_target"]) if "reported_target" in cols else None
    if not _is_blank(raw):
        if quantitative:
            col = cols["reported_target"]
            reported["target"] = _quantity(grid, row, col, _strip_op(raw), unit, "报告指标值")
        else:
            reported["target"] = _text(raw)
    completion = _number(grid, row, cols.get("completion"), "完成率", ("", "%"), printed=True)
    if completion is not None:
        reported["completion"] = completion
    if score is not None:
        reported["score"] = score
    data["reported"] = reported
    return data


def _strip_op(value: object) -> object:
    """An adjusted target may repeat the comparison (``≥95%``): keep only the quantity."""
    if isinstance(value, str):
        try:
            _, number, unit, _ = _parse_target(value)
        except ValueError:
            return value
        if isinstance(number, Decimal):
            return f"{number:f}{unit}"
    return value


def _validation_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    message = str(err["msg"]).removeprefix("Value error, ")
    loc = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
    return f"{loc}: {message}" if loc and ": " not in message else message


def _check_qualitative(
    grid: Grid, row: int, cols: Mapping[str, int], data: dict[str, Any], rulebook: Rulebook, w: _Warnings
) -> None:
    """A 定性 actual the rulebook cannot grade gets its grade from the printed score, if any."""
    if data["op"] != "qualitative" or data.get("applicable") is False:
        return
    try:
        qualitative_grade(Indicator.model_validate(data), rulebook)
    except ScoringError:
        score, weight = data.get("score"), data["weight"]
        if score is None or not weight:
            return
        for grade in ("达成", "部分达成", "未达成"):
            if qualitative_band(grade, weight, rulebook).contains(score):
                data["grade"] = grade
                w.at(
                    row,
                    cols["actual"],
                    f"无法从实际完成值“{data.get('actual')}”判断完成等级，按所列得分 {fmt(score)}（分值 {fmt(weight)}）定为“{grade}”",
                )
                return


def _read_indicators(grid: Grid, header: HeaderRow, rulebook: Rulebook, w: _Warnings) -> tuple[list[dict[str, Any]], int]:
    """The indicator rows and the row after the block (the total row, when there is one)."""
    cols = header.columns
    name_col = cols["name"]
    anchor = grid.find(ANCHORS["indicators"], rows=range(1, header.row + 1))
    skip = {grid.origin(*anchor)} if anchor else set()
    level1 = level2 = None
    declared: dict[str, tuple[Decimal, int, int]] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    table_cols = sorted(set(cols.values()))
    coeff_scale = _coeff_scale(grid, header, skip, w)
    row = header.row + 1
    while row <= grid.max_row:
        if _is_end_row(grid, row, name_col, skip):
            break
        if grid.is_blank_row(row, table_cols):
            row += 1
            continue
        if "level1" in cols and grid.value(row, cols["level1"]) is not None:
            new_level1, points = _split_level(grid.value(row, cols["level1"]))
            if new_level1 != level1:
                level2 = None
            level1 = new_level1
            if points is not None and level1 and level1 not in declared:
                declared[level1] = (points, row, cols["level1"])
        if "level2" in cols and grid.value(row, cols["level2"]) is not None:
            level2, _ = _split_level(grid.value(row, cols["level2"]))
        name = _text(grid.value(row, name_col))
        if not name or normalise(name) in ("小计", "合计"):
            if any(grid.value(row, cols[k]) is not None for k in ("target", "actual")):
                w.at(row, name_col, "此行没有指标名称，已跳过")
            row += 1
            continue
        data = _read_indicator(grid, row, cols, level1, level2, w, coeff_scale)
        _check_qualitative(grid, row, cols, data, rulebook, w)
        try:
            Indicator.model_validate(data)
        except ValidationError as exc:
            raise grid.error(row, name_col, f"指标“{name}”：{_validation_message(exc)}") from None
        rows.append((row, data))
        row += 1
    if not rows:
        raise grid.error(header.row, name_col, "“绩效指标”表头下没有指标行")
    _dedupe_names(grid, rows, name_col, w)
    for level, (points, lrow, lcol) in declared.items():
        got = sum((d["weight"] for _, d in rows if d.get("level1") == level), ZERO)
        if got != points:
            w.at(lrow, lcol, f"一级指标“{level}”标注 {fmt(points)} 分，其下各指标分值合计 {fmt(got)} 分")
    return [d for _, d in rows], row


def _coeff_scale(grid: Grid, header: HeaderRow, skip: set[tuple[int, int]], w: _Warnings) -> Decimal:
    """100 when the 得分系数 column is written as fractions (1, 0.8444), else 1 (percent: 100, 84.44).

    Decided for the whole column: every coefficient typed as a plain number is at most 1 and
    some is above 0. Coefficients formatted as percentages (100%) read as percent anyway.
    """
    col = header.col("score_coeff")
    if col is None:
        return Decimal(1)
    numbers = []
    for row in range(header.row + 1, grid.max_row + 1):
        if _is_end_row(grid, row, header.columns["name"], skip):
            break
        value = grid.value(row, col)
        if isinstance(value, Decimal):
            numbers.append(value)
    if numbers and max(numbers) <= 1 and max(numbers) > 0:
        w.at(header.row, col, "得分系数均不大于 1，按小数读取（1 即 100%，0.8444 即 84.44%）")
        return HUNDRED
    return Decimal(1)


def _dedupe_names(grid: Grid, rows: list[tuple[int, dict[str, Any]]], name_col: int, w: _Warnings) -> None:
    seen: dict[str, int] = {}
    for _, data in rows:
        seen[data["name"]] = seen.get(data["name"], 0) + 1
    taken = set(seen)
    counters: dict[str, int] = {}
    for row, data in rows:
        name = data["name"]
        if seen[name] < 2:
            continue
        counters[name] = counters.get(name, 0) + 1
        candidate = f"{name}（{data['level2']}）" if data.get("level2") else ""
        if not candidate or candidate in taken:
            candidate = f"{name}（{counters[name]}）"
        taken.add(candidate)
        data["name"] = candidate
        w.at(row, name_col, f"指标名称“{name}”重复，改记为“{candidate}”")


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


def _read_total(
    grid: Grid, header: HeaderRow, end_row: int, weights: Decimal, w: _Warnings
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
        else:
            rest = [(c, v) for c, v in numbers if grid.origin(row, c) != grid.origin(row, weight_col or 0)]
            if rest and not (len(rest) == 1 and rest[0][1] == weights and len(numbers) == 1):
                total = rest[-1][1]
        for c in range(col + 1, grid.max_col + 1):
            if c not in ignored and _grade(grid.value(row, c)) and isinstance(grid.value(row, c), str):
                grade = _grade(grid.value(row, c))
                break
    if total is None:
        hit = _label_value(grid, ("自评总分", "总分", "综合得分"), range(1, header.row))
        if hit is not None:
            _, cell = hit
            value = grid.printed(*cell)
            if isinstance(value, Decimal):
                total = value
            elif isinstance(value, str):
                try:
                    total, _ = parse_number(value)
                except ValueError:
                    w.at(*cell, f"总分“{value}”不是数字，未读取")
    if grade is None:
        grade = _read_grade(grid, header, end_row, score_col, ignored)
    return total, grade


def _read_grade(grid: Grid, header: HeaderRow, end_row: int, score_col: int | None, ignored: set[int]) -> str | None:
    rows = range(end_row, min(end_row + 8, grid.max_row + 1))
    found = grid.find(ANCHORS["grade"], rows=rows, prefix=False)
    if found is not None:
        row, col = found
        if score_col and _grade(grid.value(row, score_col)) and score_col not in ignored:
            return _grade(grid.value(row, score_col))
        for c in range(col + 1, grid.max_col + 1):
            if c in ignored or grid.origin(row, c) == grid.origin(row, col):
                continue
            if grid.value(row, c) is not None:
                return _grade(grid.value(row, c))
        return None
    hit = _label_value(grid, ANCHORS["grade"], range(1, header.row))
    return _grade(hit[0]) if hit else None


# --------------------------------------------------------------------------- the sheet


def _title_text(grid: Grid, stop: int) -> str:
    rows = range(1, min(stop, 6))
    return "".join(grid.text(r, c) for r in rows for c in range(1, grid.max_col + 1) if grid.origin(r, c) == (r, c))


def _title_year(grid: Grid, stop: int) -> int | None:
    """The year the title states: ``（2023年度）`` anywhere above the table, else ``2023年…`` in
    the title rows (those above the first label, so a project called ``2022年…`` or a
    填报日期 ``2024年3月15日`` is not taken for it)."""
    title = _title_text(grid, stop)
    match = _YEAR_PATTERNS[0].search(title)
    if match:
        return int(match.group(1))
    rows = []
    for row in range(1, min(stop, 6)):
        if _row_has_label(grid, row, _LABELS) or grid.find(_BLOCK_ANCHORS, rows=range(row, row + 1)):
            break
        rows.append("".join(grid.text(row, c) for c in range(1, grid.max_col + 1) if grid.origin(row, c) == (row, c)))
    for pattern in _YEAR_PATTERNS[1:]:
        match = pattern.search("".join(rows))
        if match:
            return int(match.group(1))
    return None


def _unit_id(kind: str, project: str | None, implementer: str | None, unit_name: str) -> str:
    if kind == "project":
        key, prefix = f"{project or ''}{implementer or ''}", "xm-"
    else:
        key, prefix = unit_name, "bm-"
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def _choose_rulebook(
    grid: Grid, layout: Layout, option: str | None, info_cell: tuple[object, tuple[int, int]] | None, w: _Warnings
) -> str:
    if option:
        # A rulebook file is written relative to the unit folder later (see write_import).
        path = rulebook_source(option)
        return option if path.stem == option else str(path.resolve())
    if info_cell is not None:
        name = _text(info_cell[0])
        if name:
            try:
                rulebook_source(name)
            except InputError:
                w.at(*info_cell[1], f"评分规则“{name}”不是内置规则，按表格样式用“{layout.rulebook}”")
            else:
                return name
    return layout.rulebook


def read_sheet(
    grid: Grid,
    *,
    layout: Layout | None = None,
    year: int | None = None,
    rulebook: str | None = None,
) -> SheetImport:
    """Read one self-evaluation sheet. Raises :class:`WorkbookError` naming the cell at fault."""
    w = _Warnings(grid)
    if grid.truncated:
        w.sheet("工作表超出 3000 行或 60 列，只读取了前面部分")
    layout = layout or detect_layout(grid.texts())
    header = _indicator_header(grid)
    top = range(1, header.row)
    info = {key: _label_value(grid, labels, top) for key, labels in INFO_LABELS.items()}
    values = {key: (_text(hit[0]) if hit else None) for key, hit in info.items()}
    title = _title_text(grid, header.row)
    kind = "department" if layout.kind == "department" or "部门整体" in title else "project"

    found_year = _title_year(grid, header.row)
    if found_year is None and values["year"]:
        match = re.search(r"(?:19|20)\d{2}", values["year"])
        found_year = int(match.group(0)) if match else None
    if found_year is None and year is None:
        match = re.search(SHEET_NAME_YEAR, grid.sheet)
        if match:
            found_year = int(match.group(1))
            w.sheet(f"标题中没有年度，按工作表名“{grid.sheet}”取 {found_year} 年度；如不对请用 --year 指定")
    if year is not None:
        if found_year is not None and found_year != year:
            w.sheet(f"表中年度为 {found_year}，按 --year 指定的 {year} 导入")
        found_year = year
    if found_year is None:
        raise grid.error(
            1, 1, "找不到年度：标题中应有“（2023年度）”这样的年度（或“年度”一栏、工作表名中的年份），或用 --year 指定"
        )

    rb_name = _choose_rulebook(grid, layout, rulebook, info["rulebook"], w)
    try:
        rb = load_rulebook(rb_name)
    except InputError as exc:
        raise grid.error(1, 1, f"评分规则无法加载：{exc}") from None

    funds = _read_funds(grid, header.row, w)
    indicators, end_row = _read_indicators(grid, header, rb, w)
    weights = sum((d["weight"] for d in indicators), ZERO)
    total, grade = _read_total(grid, header, end_row, weights, w)

    project_name = values["project_name"]
    # 单位名称 is the reporting unit when a form has it (Hubei, export-xlsx); else 实施单位.
    unit_name = values["unit_name"] or values["implementer"]
    if kind == "department":
        unit_name = values["unit_name"] or values["implementer"] or values["department"]
    if kind == "project" and not project_name:
        raise grid.error(1, 1, "找不到“项目名称”（项目支出自评表应有“项目名称”一栏）")
    if not unit_name:
        if kind == "department":
            raise grid.error(1, 1, "找不到单位名称（应有“单位名称”或“主管部门”一栏）")
        unit_name = values["department"] or project_name
        w.sheet(f"找不到“实施单位”或“单位名称”，单位名称暂记为“{unit_name}”")
    assert unit_name is not None

    derived = _unit_id(kind, project_name, values["implementer"] or unit_name, unit_name)
    unit_id = values["unit_id"] or derived
    if values["unit_id"]:
        try:
            check_unit_id(values["unit_id"])
        except InputError:
            assert info["unit_id"] is not None
            w.at(*info["unit_id"][1], f"单位编号“{values['unit_id']}”不合法，已改用自动编号")
            unit_id = derived

    profile: dict[str, Any] = {"id": unit_id, "name": unit_name}
    if values["department"] and values["department"] != unit_name:
        profile["department"] = values["department"]

    data: dict[str, Any] = {
        "year": found_year,
        "kind": kind,
        "rulebook": rb_name,
        "source": f"{Path(grid.file).name} [{grid.sheet}]",
    }
    if kind == "project":
        project: dict[str, Any] = {"name": project_name}
        if values["department"]:
            project["department"] = values["department"]
        if values["implementer"]:
            project["implementer"] = values["implementer"]
        for key, labels in GOAL_LABELS.items():
            hit = _label_value(grid, labels, top, below=True)
            if hit and _text(hit[0]):
                project[key] = _text(hit[0])
        data["project"] = project
    data["budget"] = funds.budget
    if funds.weight is not None and funds.weight != rb.budget_execution.weight:
        data["execution_weight"] = funds.weight
    data["indicators"] = indicators
    if funds.reason:
        data["narrative"] = {"budget_execution": funds.reason}
    reported = {
        "total": total,
        "grade": grade,
        "execution_rate": funds.rate,
        "execution_score": funds.score,
    }
    reported = {k: v for k, v in reported.items() if v is not None}
    if reported:
        data["reported"] = reported

    try:
        profile_model = UnitProfile.model_validate(profile)
    except ValidationError as exc:
        raise grid.error(1, 1, f"单位信息有误：{_validation_message(exc)}") from None
    try:
        year_model = UnitYear.model_validate(data)
    except ValidationError as exc:
        raise grid.error(1, 1, f"导入结果未通过校验：{_validation_message(exc)}") from None

    recomputed_total = recomputed_grade = None
    try:
        evaluation = evaluate(profile_model, year_model, rb)
    except ScoringError as exc:
        w.sheet(
            f"已照表导入，但按评分规则“{rb.title}”无法评分：{exc}；`evalkit validate` 会报告此问题，请核对原表"
        )
    else:
        recomputed_total, recomputed_grade = evaluation.total.value, evaluation.grade
        for note in evaluation.notes:
            w.sheet(note)
    return SheetImport(
        file=grid.file,
        sheet=grid.sheet,
        layout=layout,
        unit_id=unit_id,
        profile=profile,
        year_data=data,
        warnings=tuple(w),
        total=recomputed_total,
        grade=recomputed_grade,
        total_dp=rb.rounding.total_dp,
    )


def with_unit_id(result: SheetImport, unit_id: str) -> SheetImport:
    """The same import under another unit id (``--unit-id``)."""
    check_unit_id(unit_id)
    return replace(result, unit_id=unit_id, profile={**result.profile, "id": unit_id})


def _skip_reason(grid: Grid) -> str | None:
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


def import_workbook(
    path: Path | str,
    *,
    display: str | None = None,
    layout: Layout | None = None,
    year: int | None = None,
    rulebook: str | None = None,
) -> WorkbookImport:
    """Read every sheet of a workbook; a sheet that fails is recorded and the others go on.

    Raises :class:`~evalkit.errors.InputError` only when the file itself cannot be opened.
    """
    display = display or str(path)
    grids = open_workbook(path, display=display)
    out = WorkbookImport(file=display)
    for grid in grids:
        reason = _skip_reason(grid)
        if reason:
            out.notes.append(f"{display} [{grid.sheet}]: {reason}")
            continue
        try:
            out.sheets.append(read_sheet(grid, layout=layout, year=year, rulebook=rulebook))
        except InputError as exc:
            out.errors.append(exc)
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # Never a traceback for an analyst; the message asks for a report.
            out.errors.append(
                WorkbookError(f"无法读取此工作表（内部错误 {type(exc).__name__}: {exc}，请报告此问题）", file=display, sheet=grid.sheet)
            )
    return out


# --------------------------------------------------------------------------- writing


def _unshared(data: Any) -> Any:
    """A copy in which no Decimal object appears twice.

    PyYAML writes an object met twice as an anchor and alias (``&id001`` / ``*id001``); a
    printed target equal to the target would otherwise read that way in the params file.
    """
    if isinstance(data, dict):
        return {k: _unshared(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_unshared(v) for v in data]
    if isinstance(data, Decimal):
        return Decimal(str(data))
    return data


def _header_comment(result: SheetImport) -> str:
    return (
        f"# 由 evalkit import-xlsx 从 {Path(result.file).name} [{result.sheet}] 导入"
        f"（表格样式：{result.layout.name}）；金额单位：万元。\n"
        "# 表中所列得分、总分与等级记在 reported 中，供复核对照；评分以 evalkit 重算为准。\n"
    )


def write_import(
    result: SheetImport, out_dir: Path | str, *, overwrite: bool = False, dry_run: bool = False
) -> WriteResult:
    """Write ``<out>/<unit-id>/unit.yaml`` and ``<out>/<unit-id>/<year>.yaml``.

    Existing files are left alone unless ``overwrite``: a year file that differs, or a unit
    profile with another name (another unit under the same id), is an error; a profile that
    differs otherwise (主管部门) is kept, with a note. With ``overwrite`` an existing profile is
    updated and keeps its other fields (functions, staffing…). Both files are checked before
    either is written, and each is written atomically.
    """
    unit_dir = Path(out_dir) / check_unit_id(result.unit_id)
    profile_path = unit_dir / PROFILE_FILE
    year_path = unit_dir / f"{result.year}.yaml"
    year_data = _unshared(result.year_data)
    if Path(year_data["rulebook"]).is_absolute():  # a rulebook file given with --rulebook
        year_data["rulebook"] = os.path.relpath(year_data["rulebook"], unit_dir.resolve())
    year_text = _header_comment(result) + dump_yaml(year_data)

    def conflict(message: str) -> WorkbookError:
        return WorkbookError(message, file=result.file, sheet=result.sheet)

    notes: list[str] = []
    profile_text: str | None = "# 由 evalkit import-xlsx 导入\n" + dump_yaml(_unshared(result.profile))
    if profile_path.is_file():
        existing = load_yaml(profile_path).data
        existing = existing if isinstance(existing, dict) else {}
        differs = {k: v for k, v in result.profile.items() if existing.get(k) != v}
        fields = "、".join(f"{k}: “{existing.get(k)}” → “{v}”" for k, v in differs.items())
        if not differs:
            profile_text = None
        elif overwrite:
            profile_text = dump_yaml({**existing, **result.profile})
        elif "name" in differs:
            raise conflict(f"{profile_path} 已存在且内容不同（{fields}）；确认覆盖请加 --overwrite")
        else:
            profile_text = None
            notes.append(f"{profile_path} 已存在，与表中不同（{fields}），保留原文件；如需更新请加 --overwrite")
    if year_path.is_file():
        if year_path.read_text(encoding="utf-8") == year_text:
            year_text_to_write = None
        elif not overwrite:
            raise conflict(f"{year_path} 已存在；确认覆盖请加 --overwrite")
        else:
            year_text_to_write = year_text
    else:
        year_text_to_write = year_text
    written, unchanged = [], []
    for path, text in ((profile_path, profile_text), (year_path, year_text_to_write)):
        if text is None:
            unchanged.append(path)
            continue
        if not dry_run:
            atomic_write_text(path, text)
        written.append(path)
    return WriteResult(written=tuple(written), unchanged=tuple(unchanged), notes=tuple(notes))
