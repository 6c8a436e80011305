"""The indicator block (绩效指标): one dict per indicator row, as the params format holds it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from evalkit.core.figures import fmt, round_half_up
from evalkit.core.models import Indicator
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import qualitative_band, qualitative_grade
from evalkit.core.targets import (
    convert_money,
    normalise_op,
    normalise_unit,
    parse_quantity,
)
from evalkit.errors import ScoringError
from evalkit.inputs.excel.ambiguity import (
    check_qualitative_text,
    fold_operator,
    level_blocks,
    merged_weights,
    percent_fractions,
)
from evalkit.inputs.excel.cells import (
    HUNDRED,
    IMPROVEMENT_LABEL,
    REASON_LABEL,
    ZERO,
    Warnings,
    as_text,
    check_figure,
    is_blank,
    parse_target_text,
    read_number,
    read_quantity,
    strip_op,
    validation_message,
)
from evalkit.inputs.excel.layouts import (
    ANCHORS,
    INDICATOR_FIELDS,
    LEVEL_POINTS,
    NOT_APPLICABLE,
    match_field,
    normalise,
)
from evalkit.inputs.excel.reader import Grid, HeaderRow, WorkbookError

_POINTS_SUFFIX = re.compile(LEVEL_POINTS)


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
    text = as_text(value)
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
    text = as_text(grid.value(row, col))
    if not text or normalise(text) in ("定量", "定量指标"):
        return None
    if normalise(text) in ("定性", "定性指标"):
        return "qualitative"
    try:
        return normalise_op(fold_operator(text))
    except ValueError:
        raise grid.error(row, col, f"指标性质应为 ≥、≤、=、>、<、定量 或 定性，实际为“{text}”") from None


def _read_indicator(
    grid: Grid,
    row: int,
    cols: Mapping[str, int],
    level1: str | None,
    level2: str | None,
    w: Warnings,
    coeff_scale: Decimal = Decimal(1),
    path: str = "indicators[0]",
) -> dict[str, Any]:
    name_col = cols["name"]
    name = as_text(grid.value(row, name_col)) or ""
    unit_col = normalise_unit(as_text(grid.value(row, cols["unit"])) if "unit" in cols else None)
    op = _op_from_nature(grid, row, cols.get("nature"))
    target_col = cols["target"]
    raw_target = grid.value(row, target_col)
    if "target_adjusted" in cols and is_blank(raw_target):
        target_col = cols["target_adjusted"]
        raw_target = grid.value(row, target_col)
    unit = unit_col
    target: Decimal | str | None
    bare: dict[str, tuple[int, int]] = {}
    printed_sign = True
    if is_blank(raw_target):
        target = None  # not printed: unknown, never a guess
    elif op == "qualitative":
        target = as_text(raw_target) or ""
    elif isinstance(raw_target, Decimal):
        printed_sign = op is not None
        target, op = raw_target, op or ">="
        bare["target"] = (row, target_col)
    else:
        text = fold_operator(str(raw_target).strip())
        try:
            text_op, value, text_unit, explicit = parse_target_text(text)
        except ValueError as exc:
            raise grid.error(row, target_col, f"指标“{name}”的年度指标值无法识别：{exc}") from None
        if text_op == "qualitative":
            if op is not None:
                raise grid.error(
                    row, target_col, f"指标“{name}”的指标性质为“{op}”，年度指标值却不是数字（“{text}”）"
                )
            check_qualitative_text(grid, row, target_col, name, text, grid.value(row, cols["actual"]))
            op, target = "qualitative", str(value)
        else:
            assert isinstance(value, Decimal)
            check_figure(grid, row, target_col, f"指标“{name}”的年度指标值", text, text_unit)
            if op is not None and op != text_op and explicit:
                w.at(row, target_col, f"指标性质与年度指标值“{text}”的比较符不一致，按指标性质“{op}”")
            printed_sign = op is not None or explicit
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
    unknown: list[str] = []
    if target is None:
        unknown.append("target")
        w.at(row, target_col, f"指标“{name}”的年度指标值为空，记为未印出（unknown），此项不评分")
    else:
        data["op"] = op
        data["target"] = target
        w.read(f"{path}.target", row, target_col)
        if not printed_sign:
            data["op_printed"] = False  # a bare number, read as ≥; the audit says so
    quantitative = op != "qualitative"
    if quantitative and unit:
        data["unit"] = unit
    if "target_adjusted" in cols and cols["target_adjusted"] != target_col:
        raw = grid.value(row, cols["target_adjusted"])
        if not is_blank(raw):
            if quantitative:
                adjusted = read_quantity(grid, row, cols["target_adjusted"], strip_op(raw), unit, "调整指标值")
                if adjusted != target:
                    data["target_adjusted"] = adjusted
                    w.read(f"{path}.target_adjusted", row, cols["target_adjusted"])
            elif as_text(raw) != target:
                data["target"] = as_text(raw)
    if "midyear" in cols and not is_blank(grid.value(row, cols["midyear"])):
        raw = grid.value(row, cols["midyear"])
        data["midyear"] = read_quantity(grid, row, cols["midyear"], raw, unit, "年中监控值") if quantitative else as_text(raw)
        w.read(f"{path}.midyear", row, cols["midyear"])
        if isinstance(raw, Decimal):
            bare["midyear"] = (row, cols["midyear"])
    if "midyear" in cols and grid.value(row, cols["midyear"]) is None:
        unknown.append("midyear")  # the form has the column; this row printed nothing in it
    raw_actual = grid.value(row, cols["actual"])
    if raw_actual is None:
        unknown.append("actual")
        w.at(row, cols["actual"], f"指标“{name}”的实际完成值为空，记为未印出（unknown），此项不评分（不适用的指标请填“/”或“不适用”）")
    elif isinstance(raw_actual, str) and normalise(raw_actual) in {normalise(t) for t in NOT_APPLICABLE}:
        printed = grid.value(row, cols["score"]) if "score" in cols else None
        if isinstance(printed, Decimal) and printed != 0:
            # “—” as the actual beside a printed score: not applicable, or a figure left out?
            # Taking it out of scoring would change the total without a word.
            unknown.append("actual")
            w.at(row, cols["actual"], f"指标“{name}”的实际完成值为“{raw_actual}”，得分栏却印有 {printed:f} 分："
                                      "无法确定是不适用还是未填写，记为未印出（unknown），此项不评分")
        else:
            data["applicable"] = False
    elif quantitative:
        data["actual"] = read_quantity(grid, row, cols["actual"], raw_actual, unit, f"指标“{name}”的实际完成值")
        if isinstance(raw_actual, Decimal):
            bare["actual"] = (row, cols["actual"])
    else:
        data["actual"] = as_text(raw_actual)
    if "actual" in data:
        w.read(f"{path}.actual", row, cols["actual"])
    if quantitative and not unit and isinstance(raw_actual, str) and isinstance(data.get("target"), Decimal):
        # A target with no unit takes the unit its actual states (480人次, 96%) — unless the
        # target then reads as a fraction of a percent (0.95 beside 96%): that is refused.
        try:
            written = normalise_unit(parse_quantity(raw_actual)[1])
        except ValueError:
            written = ""
        if written == "%" and 0 < data["target"] <= 1:
            t = data["target"]
            raise grid.error(
                row,
                target_col,
                f"指标“{name}”的年度指标值 {fmt(t)} 没有单位，实际完成值却是“{raw_actual}”："
                f"是 {fmt(t)}% 还是 {fmt(t * HUNDRED)}%？请写明单位",
            )
        if written:
            unit = data["unit"] = written
    weight = None
    if "weight" in cols:
        weight = read_number(grid, row, cols["weight"], f"指标“{name}”的分值", ("", "分"))
        if weight is not None and weight < 0:
            raise grid.error(row, cols["weight"], f"指标“{name}”的分值不能为负数")
    if weight is not None:
        data["weight"] = weight
        w.read(f"{path}.weight", row, cols["weight"])
    elif "weight" in cols and not grid.merges_known:
        raise grid.error(
            row,
            cols["weight"],
            f"指标“{name}”的分值为空；此文件的合并单元格无法读取，无法判断它是否与上一行合并，请另存为 .xlsx 后再导入",
        )
    elif "weight" in cols:
        unknown.append("weight")
    score = read_number(grid, row, cols.get("score"), f"指标“{name}”的得分", ("", "分"), printed=True)
    coeff = read_number(grid, row, cols.get("score_coeff"), "得分系数", ("", "%"), printed=True)
    if coeff is not None and isinstance(grid.value(row, cols["score_coeff"]), Decimal):
        coeff *= coeff_scale
    if coeff is not None and weight is not None:
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
    deduction = read_number(grid, row, cols.get("deduction"), "扣减分数", ("", "分"))
    if deduction:
        data["deduction"] = deduction
        w.read(f"{path}.deduction", row, cols["deduction"])
    reason = as_text(grid.value(row, cols["deviation_reason"])) if "deviation_reason" in cols else None
    improvement = as_text(grid.value(row, cols["improvement"])) if "improvement" in cols else None
    if reason and not improvement:
        match = IMPROVEMENT_LABEL.search(reason)
        if match and reason[match.end() :].strip():
            head = REASON_LABEL.sub("", reason[: match.start()].strip()).strip().rstrip("；;")
            reason, improvement = head or None, reason[match.end() :].strip()
    if reason and reason not in NOT_APPLICABLE:
        data["deviation_reason"] = reason
        w.read(f"{path}.deviation_reason", row, cols["deviation_reason"])
    if improvement and improvement not in NOT_APPLICABLE:
        data["improvement"] = improvement
        w.read(f"{path}.improvement", row, cols.get("improvement") or cols["deviation_reason"])
    # The target the table scored against: the adjusted one when it prints one (重庆 调整指标值),
    # unless a 报告指标值 column (export-xlsx) says what the report printed.
    reported: dict[str, Any] = {}
    if data.get("target") is not None:
        reported["target"] = data.get("target_adjusted", data["target"])
    raw = grid.value(row, cols["reported_target"]) if "reported_target" in cols else None
    if not is_blank(raw):
        if quantitative:
            col = cols["reported_target"]
            reported["target"] = read_quantity(grid, row, col, strip_op(raw), unit, "报告指标值")
        else:
            reported["target"] = as_text(raw)
    completion = read_number(grid, row, cols.get("completion"), "完成率", ("", "%"), printed=True)
    if completion is not None:
        reported["completion"] = completion
        w.read(f"{path}.reported.completion", row, cols["completion"])
        if isinstance(grid.value(row, cols["completion"]), Decimal):
            bare["completion"] = (row, cols["completion"])
    if score is not None:
        reported["score"] = score
        w.read(f"{path}.reported.score", row, cols.get("score") or cols["score_coeff"])
    data["reported"] = reported
    if unit == "%" or "completion" in bare:
        data["_bare"] = bare  # numbers typed without %: checked for fractions by the caller
    if unknown:
        data["unknown"] = unknown
    w.read(f"{path}.name", row, name_col)
    return data


def _check_qualitative(
    grid: Grid, row: int, cols: Mapping[str, int], data: dict[str, Any], rulebook: Rulebook, w: Warnings
) -> None:
    """A 定性 actual the rulebook cannot grade gets its grade from the printed score, if any."""
    if data.get("op") != "qualitative" or data.get("applicable") is False or data.get("weight") is None:
        return
    try:
        qualitative_grade(Indicator.model_validate({k: v for k, v in data.items() if not k.startswith("_")}), rulebook)
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


def read_indicators(
    grid: Grid, header: HeaderRow, rulebook: Rulebook, w: Warnings
) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The indicator rows, the row after the block (the total row, when there is one) and the
    block weights (``blocks``) when the sheet weights blocks rather than indicators."""
    cols = header.columns
    name_col = cols["name"]
    anchor = grid.find(ANCHORS["indicators"], rows=range(1, header.row + 1))
    skip = {grid.origin(*anchor)} if anchor else set()
    level1 = level2 = None
    declared: dict[str, tuple[Decimal, int, int]] = {}
    declared2: dict[tuple[str, str], tuple[Decimal, int, int]] = {}
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
        if _repeats_header(grid, row, cols):
            # The header printed again: a table split across pages, or into two Word tables.
            w.at(row, name_col, "此行重复了“绩效指标”表头（表格跨页或被拆成两张表），已跳过")
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
            level2, points2 = _split_level(grid.value(row, cols["level2"]))
            if points2 is not None and level1 and level2 and (level1, level2) not in declared2:
                declared2[(level1, level2)] = (points2, row, cols["level2"])
        name = as_text(grid.value(row, name_col))
        if not name or normalise(name) in ("小计", "合计"):
            if any(grid.value(row, cols[k]) is not None for k in ("target", "actual")):
                w.at(row, name_col, "此行没有指标名称，已跳过")
            row += 1
            continue
        if all(grid.value(row, cols[k]) is None for k in ("target", "actual", "weight", "score") if k in cols):
            # Only a name (a placeholder such as “……”, or a heading row): no indicator was printed.
            w.at(row, name_col, f"此行只有指标名称“{name}”，没有指标值、完成值和分值，已跳过")
            row += 1
            continue
        try:
            data = _read_indicator(grid, row, cols, level1, level2, w, coeff_scale, f"indicators[{len(rows)}]")
            _check_qualitative(grid, row, cols, data, rulebook, w)
        except WorkbookError as exc:
            w.problem(exc)  # every bad row is listed; the sheet fails after the block is read
            row += 1
            continue
        rows.append((row, data))
        row += 1
    if not rows and not w.problems:
        raise grid.error(header.row, name_col, "“绩效指标”表头下没有指标行")
    percent_fractions(grid, header, rows, w)
    blocks = merged_weights(grid, header, rows, w)
    for row_, data in rows:
        check = {k: v for k, v in data.items() if not k.startswith("_")}
        if blocks and "weight" not in check:
            check["weight"] = ZERO  # its block carries the points (checked with the year)
        try:
            Indicator.model_validate(check)
        except ValidationError as exc:
            w.problem(grid.error(row_, name_col, f"指标“{data['name']}”：{validation_message(exc)}"))
    _dedupe_names(grid, rows, name_col, w)
    if "weight" not in cols:
        blocks += level_blocks(grid, declared, declared2, rows, w)
    for level, (points, lrow, lcol) in declared.items():
        if "weight" not in cols:
            continue
        got = sum((d.get("weight") or ZERO for _, d in rows if d.get("level1") == level), ZERO)
        if got != points:
            w.at(lrow, lcol, f"一级指标“{level}”标注 {fmt(points)} 分，其下各指标分值合计 {fmt(got)} 分")
    for _, data in rows:
        data.pop("_bare", None)
    return [d for _, d in rows], row, blocks


def _repeats_header(grid: Grid, row: int, cols: Mapping[str, int]) -> bool:
    """True when ``row`` is the indicator header again: its name cell is a 三级指标 header and its
    target and actual cells are header texts too (any spelling, any order), not values."""
    if match_field(grid.value(row, cols["name"]), INDICATOR_FIELDS) != "name":
        return False
    return all(
        match_field(grid.value(row, cols[key]), INDICATOR_FIELDS) is not None for key in ("target", "actual") if key in cols
    )


def _coeff_scale(grid: Grid, header: HeaderRow, skip: set[tuple[int, int]], w: Warnings) -> Decimal:
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


def _dedupe_names(grid: Grid, rows: list[tuple[int, dict[str, Any]]], name_col: int, w: Warnings) -> None:
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
