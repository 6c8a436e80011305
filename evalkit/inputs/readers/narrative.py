"""The reference template's narrative → params: one sentence per indicator, funds and total in prose.

The reference report (and the many reports typed from its template) states each indicator as

    X：该指标预期指标值为大于等于 5%，年中监控实际完成值为 68.23%，本次评价X为 0%，该指标完成率为
    0%，偏差原因：…改进措施：…该指标权重分值为 8分，自评得分 0分。

the funds as “年初预算数为…年中调整数…调整后全年预算数…预算执行率为…得 9.94分” and the total as
“综合得分 91.73分，评价结果为“优””. :func:`parse_narrative` reads such a text (the lines of a
.txt, or the paragraphs of a .docx or PDF) into a unit profile and a unit-year, the printed
figures as ``reported`` values for the audit.

A typist's variations are read alike: full-width or half-width punctuation and digits, hard line
breaks anywhere (inside a number and its unit too), blank lines, 大于等于/≥/不低于, a missing
改进措施, 第X项 or （一）指标一 headings. What the text does not print is not guessed: an
indicator clause that is absent becomes ``unknown: [field]``; a year-level figure that is absent
is ``unknown`` too (the execution weight only when it cannot be told from the indicator weights).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evalkit.core.figures import round_half_up
from evalkit.core.targets import convert_money, normalise_unit, parse_target, states_comparison

__all__ = ["NarrativeParse", "parse_narrative", "looks_like_narrative", "join_lines"]

HUNDRED = Decimal(100)
NUM = r"-?\d+(?:,\d{3})*(?:\.\d+)?"
UNIT = r"(?:%|万元|元|人次|项|次|个|件|人|天|户|场|条|家|所|篇|期|批|套|台|辆|份|本|处|年|月|日|小时|分钟|公里|千米|米|平方米|亩|吨|册|课时|学时|个百分点)?"
_HEADING = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十百]+[)）、.]|[(（]\d+[)）]|\d+[.、．](?!\d)|第[一二三四五六七八九十百\d]+[项条部分]|"
    r"指标[一二三四五六七八九十百\d]+[:：]?)"
)
#: The phrase that opens an indicator sentence, after the indicator's name and a colon.
_TARGET_LEAD = r"(?:该指标)?(?:预期|年度|计划|设定)?(?:指标|目标)值(?:为|是|:)?"
#: The name ends at a colon or comma (or nothing) before the target clause.
_INDICATOR = re.compile(
    r"(?:\s*[:：,，]\s*(?=(?:该指标)?(?:预期|年度|计划|设定)(?:指标|目标)值|该指标(?:指标|目标)值)"
    r"|(?<=[^\s:：,，。;；])(?=该指标(?:预期|年度|计划|设定)?(?:指标|目标)值))"
)
_END_OF_INDICATORS = re.compile(r"(?:^|\n)\s*(?:[一二三四五六七八九十]+[、.]\s*)?(?:评价结论|存在的主要问题|主要问题|改进措施和建议|四[、.])")
_GRADE = re.compile(r"(?:评价结果|评价等级|自评等级|等级|结果)(?:为|是|:)?\s*[“\"'‘「]?\s*([优良中差])")
_TOTAL = re.compile(r"(?:综合得分|自评总分|总得分|总分|自评得分合计|综合评分)(?:为|是|:)?\s*(" + NUM + r")\s*分")
#: In the conclusion only: “…绩效自评得分为 91.73 分”.
_TOTAL_IN_CONCLUSION = re.compile(r"(?:自评)?得分(?:为|是|:)?\s*(" + NUM + r")\s*分")
_YEAR = re.compile(r"(20\d{2})\s*年度")
_YEAR_LOOSE = re.compile(r"(20\d{2})\s*年")


@dataclass
class NarrativeParse:
    """What the narrative gave: profile and unit-year data, and what it could not find."""

    profile: dict[str, Any]
    year_data: dict[str, Any]
    #: Human notes: what was read and what was not (the extraction note).
    notes: list[str] = field(default_factory=list)
    #: Things the parser refused to read (a clause it found but could not understand).
    problems: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    """NFKC (full-width → half-width digits, colon, comma, percent) but keep Chinese quotes."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def join_lines(lines: Sequence[str]) -> str:
    """Lines as typed (hard breaks, blank lines) → text with one heading or paragraph per line.

    A line is joined to the one before unless it starts a heading (``（一）``, ``第三项``,
    ``1.``, ``指标一：``) or the one before ended a sentence and this one starts a new block.
    Digits split from their unit or decimals (``80.99`` / ``万元``) join with nothing between.
    """
    out: list[str] = []
    for raw in lines:
        line = _fold(raw).strip()
        if not line:
            continue
        prev = out[-1] if out else ""
        if not out or _HEADING.match(line) or _is_heading(prev):
            out.append(line)
            continue
        glue = " " if prev[-1].isascii() and line[0].isascii() and prev[-1].isalpha() and line[0].isalpha() else ""
        out[-1] = prev + glue + line
    return "\n".join(out)


def _is_heading(line: str) -> bool:
    """A short heading line that ends there (``2.部门机构设置及人员构成``, ``（一）指标一：``)."""
    return bool(_HEADING.match(line)) and len(line) <= 25 and not re.search(r"[,，;；]", line) and not line[-1].isdigit()


def looks_like_narrative(lines: Sequence[str]) -> bool:
    """True when the text states indicators the reference way (a target clause and a weight)."""
    text = join_lines(lines)
    return bool(re.search(_TARGET_LEAD, text)) and bool(re.search(r"(?:权重|分值)", text))


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _quantity(text: str) -> tuple[Decimal, str] | None:
    """The number of a clause and its unit; None when there is none, or more than one (``12 000人次``:
    a number broken by a space; ``95%-98%``; ``计划10次 实际12次``): never the first of several."""
    match = re.search(r"(" + NUM + r")\s*(" + UNIT + r")", text)
    if not match or _two_numbers(text):
        return None
    return _number(match.group(1)), normalise_unit(match.group(2) or "")


def _two_numbers(text: str) -> bool:
    """True when a clause holds more than one number (``1,000`` and ``96.11`` are one), not
    counting those in brackets after it (``100.57%（按调整后指标值 425.3 万元计算）``: a note)."""
    return len(re.findall(NUM, re.sub(r"[（(][^（）()]*[）)]", "", text))) > 1


def _strip_ops(text: str) -> str:
    return re.sub(r"^(?:大于或?等于|小于或?等于|不低于|不少于|不高于|不超过|等于|达到|为|是|≥|≤|>=|<=|=|[><])\s*", "", text.strip())


#: A clause ends at a comma, semicolon or full stop; not at the comma of ``1,000``.
_CLAUSE_END = r"[，;；。]|,(?!(?<=\d,)\d{3}(?!\d))"


def _clause(text: str, lead: str, stop: str = _CLAUSE_END) -> str | None:
    """The text after ``lead`` up to the next clause break (``None`` when ``lead`` is absent)."""
    match = re.search(lead, text)
    if not match:
        return None
    rest = text[match.end():]
    end = re.search(stop, rest)
    return rest[: end.start()] if end else rest


def _sentence(text: str) -> str:
    """A reason or measure as a sentence: separators trimmed, a full stop at the end."""
    text = text.strip().strip(",，;；:：").strip()
    if text and text[-1] not in "。！？.!?":
        text += "。"
    return text.replace(",", "，").replace(";", "；").replace(":", "：")


def _value_in_unit(value: Decimal, unit: str, target_unit: str) -> Decimal | None:
    if not unit or unit == target_unit or not target_unit:
        return value
    try:
        return convert_money(value, unit, target_unit)
    except ValueError:
        return None


@dataclass
class _Indicator:
    name: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _read_indicator(item: _Indicator) -> None:  # noqa: C901 - one clause after another
    body, data = item.body, item.data
    data["name"] = item.name
    target_text = _clause(body, "^" + _TARGET_LEAD)
    if target_text is None or not target_text.strip():
        item.unknown.append("target")
    else:
        target_text = target_text.strip()
        try:
            op, value, unit = parse_target(target_text)
        except ValueError as exc:
            item.problems.append(f"指标“{item.name}”的指标值“{target_text}”无法读取（{exc}）")
            item.unknown.append("target")
        else:
            if op != "qualitative" and _two_numbers(target_text):  # 大于等于 12 000 人次: not 12
                item.problems.append(f"指标“{item.name}”的指标值“{target_text}”中有不止一个数（或数字被空格隔开），"
                                     "无法确定按哪个数评分，未读取")
                item.unknown.append("target")
                op, value, unit = None, None, ""
            else:
                data["op"] = op
                data["target"] = value
                if unit:
                    data["unit"] = unit
                if op != "qualitative" and not states_comparison(target_text):
                    data["op_printed"] = False
    unit = data.get("unit", "")
    qualitative = data.get("op") == "qualitative"

    def figure(key: str, lead: str) -> None:
        text = _clause(body, lead)
        if text is None:
            item.unknown.append(key)
            return
        text = _strip_ops(text)
        if not qualitative:
            # Words before the number (a name typed differently): take the number that follows
            # 为/是/达到, never a digit inside the words (“2023年度培训人次为 500”).
            connected = re.search(r"(?:为|是|达到|:)\s*(?:大于或?等于|小于或?等于|等于|≥|≤)?\s*(?=-?\d)", text)
            if connected:
                text = text[connected.end():]
            elif not re.match(r"\s*-?\d", text):
                text = ""
        if qualitative:
            data[key] = text.strip() or None
            if data[key] is None:
                data.pop(key)
                item.unknown.append(key)
            return
        found = _quantity(text)
        if found is None:
            what = "年中监控值" if key == "midyear" else "实际完成值"
            why = "中有不止一个数（或数字被空格隔开），无法确定是哪个数" if _two_numbers(text) else "不是数字"
            item.problems.append(f"指标“{item.name}”的{what}“{text.strip()}”{why}，未读取")
            item.unknown.append(key)
            return
        value = _value_in_unit(found[0], found[1], unit)
        if value is None:
            item.problems.append(f"指标“{item.name}”的{key}单位“{found[1]}”与指标值单位“{unit}”不一致，未读取")
            item.unknown.append(key)
            return
        data[key] = value

    figure("midyear", r"年中监控(?:实际)?(?:完成)?值(?:为|是|:)?")
    name_pattern = re.escape(item.name)
    lead = r"本次评价\s*(?:" + name_pattern + r")?\s*(?:实际完成值|完成值|实际值)?(?:为|是|达到|:)?"
    if not re.search(lead, body):
        lead = r"(?<!监控)(?<!监控实际)(?:年末|全年)?(?:实际)?完成值(?:为|是|达到|:)?"
    figure("actual", lead)
    # A target changed mid-year, when the sentence says so: 调整后指标值为 X, or 调增/调减 X (same unit).
    adjusted = _clause(body, r"调整后(?:的)?(?:指标|目标)值(?:为|是|:)?")
    change = re.search(r"(调增|调减|增加|减少)\s*(" + NUM + r")\s*(" + UNIT + r")", body)
    if adjusted and _quantity(adjusted) and isinstance(data.get("target"), Decimal):
        value = _value_in_unit(*_quantity(adjusted), unit)
        if value is not None:
            data["target_adjusted"] = value
    elif change and isinstance(data.get("target"), Decimal) and data.get("op") in ("<=", "<"):
        amount = _value_in_unit(_number(change.group(2)), normalise_unit(change.group(3) or ""), unit)
        if amount is not None and normalise_unit(change.group(3) or "") in ("万元", "元"):
            sign = 1 if change.group(1) in ("调增", "增加") else -1
            data["target_adjusted"] = data["target"] + sign * amount

    reported: dict[str, Any] = {}
    completion = _clause(body, r"完成率(?:为|是|:)?")
    if completion is not None and _quantity(completion) and _quantity(completion)[1] in ("%", ""):
        reported["completion"] = _quantity(completion)[0]
    else:
        item.unknown.append("completion")
    weight = re.search(r"(?:权重分值|权重|分值|满分)(?:为|是|:)?\s*(" + NUM + r")\s*分", body)
    if weight:
        data["weight"] = _number(weight.group(1))
    else:
        item.unknown.append("weight")
    score = re.search(r"(?:自评得分|实际得分|得分|得)(?:为|是|:)?\s*(" + NUM + r")\s*分", body[weight.end():] if weight else body)
    if score:
        reported["score"] = _number(score.group(1))
    else:
        item.unknown.append("score")

    # Reasons and measures: labelled (偏差原因：… 改进措施：…) or the prose between the rate and the weight.
    weight_at = weight.start() if weight else len(body)
    if body[:weight_at].rstrip().endswith("该指标"):
        weight_at = body.rfind("该指标", 0, weight_at)
    reason_at = re.search(r"(?:偏差原因(?:分析)?|原因分析|原因)\s*[:：]", body)
    measure_at = re.search(r"(?:改进措施|整改措施|改进方向)\s*[:：]", body)
    if reason_at:
        end = measure_at.start() if measure_at and measure_at.start() > reason_at.end() else weight_at
        data["deviation_reason"] = _sentence(body[reason_at.end(): end])
    else:
        after = re.search(r"完成率(?:为|是|:)?\s*" + NUM + r"\s*%?", body)
        if after and after.end() < weight_at:
            rest = body[after.end(): measure_at.start() if measure_at else weight_at].strip(" ,，;；。")
            if rest:
                data["deviation_reason"] = _sentence(rest)
    if measure_at:
        data["improvement"] = _sentence(body[measure_at.end(): weight_at])
    if data.get("deviation_reason") in ("", "。"):
        data.pop("deviation_reason")
    if reported:
        if "target_adjusted" in data:
            reported = {"target": data["target"], **reported}
        data["reported"] = reported


def _indicators(text: str) -> tuple[list[_Indicator], str, str]:
    """Indicator sentences, the text before them (funds) and after them (conclusion)."""
    starts = []
    for match in _INDICATOR.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        name_start = max(line_start, text.rfind("。", 0, match.start()) + 1, text.rfind("：", line_start, match.start()) + 1,
                         text.rfind(":", line_start, match.start()) + 1)
        name = _HEADING.sub("", text[name_start: match.start()].strip()).strip(" :：")
        starts.append((name_start, match.end(), name))
    if not starts:
        return [], text, ""
    items = []
    end_match = _END_OF_INDICATORS.search(text, starts[-1][1])
    end_of_all = end_match.start() if end_match else len(text)
    for index, (_start, body_start, name) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end_of_all
        body = text[body_start:stop]
        # A heading line (（二）指标二：) between two sentences belongs to neither.
        body = re.sub(r"\n\s*" + _HEADING.pattern + r"[^\n]*$", "", body).replace("\n", "")
        items.append(_Indicator(name=name, body=body.strip()))
    return items, text[: starts[0][0]], text[end_of_all:]


def _money(text: str, lead: str) -> Decimal | None:
    match = re.search(lead + r"\s*(?:为|是|:)?\s*(" + NUM + r")\s*(万元|元)", text)
    if not match:
        return None
    return convert_money(_number(match.group(1)), match.group(2), "万元")


def _percent(text: str, lead: str) -> Decimal | None:
    match = re.search(lead + r"\s*(?:为|是|:)?\s*(" + NUM + r")\s*%", text)
    return _number(match.group(1)) if match else None


def _broken_money(text: str, lead: str) -> str | None:
    """An amount after ``lead`` whose digits a space breaks (``1 250.5 万元``): not read, said."""
    match = re.search(lead + r"\s*(?:为|是|:)?\s*(\d[\d,.]*(?:[ \t]+\d[\d,.]*)+\s*(?:万元|元))", text)
    return match.group(1) if match else None


_NOT_PART = r"(?<!基本支出)(?<!项目支出)(?<!基本支出全年)(?<!项目支出全年)"
#: The year's funds as the reference report words them: field, what it is called, how it is led in.
_FUND_LEADS = (
    ("initial", "年初预算数", _NOT_PART + r"年初(?:批复)?预算(?:数|金额|总额)?"),
    ("adjustment", "年中调整数", r"年中(?:预算)?调整(?:数|金额)?"),
    ("final", "全年预算数", r"(?:调整后全年预算(?:数|金额|总额)?|" + _NOT_PART + r"全年预算(?:数|金额|总额))"),
    ("actual", "实际支出", r"(?:全年实际支出(?:资金|金额)?|全年支出(?:资金|金额)|实际支出资金|" + _NOT_PART + r"执行金额)"),
)


def _funds(text: str, whole: str, out: dict[str, Any], unknown: list[str], problems: list[str]) -> None:
    budget: dict[str, Any] = {key: _money(text, lead) for key, _, lead in _FUND_LEADS}
    if budget["adjustment"] is None:
        cut = _money(text, r"年中(?:预算)?调减")
        budget["adjustment"] = -cut if cut is not None else _money(text, r"年中(?:预算)?调增")
    for key, name, lead in _FUND_LEADS:
        broken = _broken_money(text, lead) if budget[key] is None else None
        if broken:
            problems.append(f"{name}“{broken}”中的数字被空格隔开，无法确定是哪个数，未读取")
    if budget["final"] is None or budget["actual"] is None:
        # 三、绩效分析 restates them: “全年预算金额为 425.3 万元，执行金额为 422.89万元”.
        budget["final"] = budget["final"] or _money(whole, r"全年预算(?:数|金额|总额)")
        budget["actual"] = budget["actual"] or _money(whole, r"执行金额")
    basic = {
        "initial": _money(text, r"基本支出年初预算(?:数|金额)?"),
        "final": _money(text, r"基本支出全年预算(?:数|金额|总额)?"),
        "actual": _money(text, r"(?:基本支出(?:实际支出)?为|基本支出[^。]{0,40}?实际支出)"),
    }
    personnel = _money(text, r"人员经费")
    public = _money(text, r"(?<!基本)公用经费")
    if personnel is not None:
        basic["personnel"] = {"final": personnel}
    if public is not None:
        basic["public"] = {"final": public}
    project = {
        "initial": _money(text, r"项目支出年初预算(?:数|金额)?"),
        "final": _money(text, r"(?:项目支出全年预算(?:数|金额|总额)?|项目总金额)"),
        "actual": _money(text, r"(?:项目支出(?:实际支出)?(?:为)?|项目总金额为?\s*" + NUM + r"\s*万元\s*[,，]\s*执行金额)"),
    }
    for key, part in (("basic", basic), ("project", project)):
        part = {k: v for k, v in part.items() if v is not None}
        if part:
            budget[key] = part
    for key in ("initial", "adjustment"):
        if budget[key] is None:
            unknown.append(f"budget.{key}")
    out["budget"] = {k: v for k, v in budget.items() if v is not None}
    reported = out.setdefault("reported", {})
    reported["execution_rate"] = _percent(text, r"(?<!基本支出)(?<!项目支出)预算执行率")
    reported["adjustment_rate"] = _percent(text, r"预算调整率")
    reported["basic_execution_rate"] = _percent(text, r"基本支出(?:预算)?执行率")
    score = re.search(r"执行率(?:为|是|:)?\s*" + NUM + r"\s*%\s*[,，]?\s*(?:得|得分|得分为|自评得分)\s*(" + NUM + r")\s*分", whole)
    score = score or re.search(r"执行率(?:得分|自评得分)(?:为|是|:)?\s*(" + NUM + r")\s*分", whole)
    reported["execution_score"] = _number(score.group(1)) if score else None
    if reported["execution_rate"] is None:
        reported["execution_rate"] = _percent(whole, r"(?<!基本支出)(?<!项目支出)(?<!项目支出预算)执行率")


def _unit_name(lines: Sequence[str], text: str) -> str | None:
    for line in lines[:8]:
        folded = _fold(line).strip()
        match = re.match(r"^(.{4,60}?)\s*(?:20\d{2}\s*年度?)\s*(?:部门整体支出|整体支出|部门)?(?:绩效)?自评(?:报告|价报告)", folded)
        if match:
            return match.group(1).strip()
    match = re.search(r"(?:机构设置及人员构成|人员构成|机构设置)\s*\n?\s*([^,，。\n]{4,60}?)\s*[,，]\s*(?:属于|系|是|为)", text)
    if match:
        return match.group(1).strip()
    match = re.search(r"(?:单位名称|部门名称)\s*:\s*([^,，。\n]{2,60})", text)
    return match.group(1).strip() if match else None


def _staffing(text: str) -> dict[str, int]:
    fields = {
        "authorized": r"编制(?:人数|数)", "actual": r"实有(?:人数|人员)", "in_service": r"在职(?:人员|人数)?",
        "retired": r"(?<!离)退休(?:人员|人数)?", "veteran_retired": r"离休(?:人员|人数)?",
        "change": r"增加或减少",
    }
    out = {}
    for key, lead in fields.items():
        match = re.search(lead + r"\s*(?:为|:)?\s*(-?\d+)\s*人", text)
        if match:
            out[key] = int(match.group(1))
    return out


def parse_narrative(lines: Sequence[str], *, file: str, year: int | None = None) -> NarrativeParse:
    """Read a reference-template narrative (its lines, as extracted) into params data.

    Raises nothing for a clause it cannot read: that field is ``unknown`` and ``problems`` says
    why. The caller decides whether the result is usable (it validates it with the models).
    """
    text = join_lines(lines)
    items, before, after = _indicators(text)
    notes: list[str] = []
    problems: list[str] = []
    unknown: list[str] = []
    data: dict[str, Any] = {}
    found_year = year
    if found_year is None:
        match = _YEAR.search(text) or _YEAR_LOOSE.search(text)
        found_year = int(match.group(1)) if match else None
    if found_year is None:
        problems.append("找不到年度（如“2023年度”）")
    kind = "project" if re.search(r"项目支出绩效自评报告|项目名称\s*:", text) and "部门整体" not in text else "department"
    data.update({"year": found_year, "kind": kind, "rulebook": "national-default"})
    if kind == "project":
        match = re.search(r"项目名称\s*:\s*([^,，。\n]+)", text)
        data["project"] = {"name": match.group(1).strip() if match else "（未写明项目名称）"}
    _funds(before, text, data, unknown, problems)
    indicators = []
    for item in items:
        _read_indicator(item)
        if item.unknown:
            item.data["unknown"] = list(dict.fromkeys(item.unknown))
            notes.append(f"指标“{item.name}”未印出：" + "、".join(_FIELD_NAMES[u] for u in item.data["unknown"]))
        problems.extend(item.problems)
        indicators.append(item.data)
    data["indicators"] = indicators
    reported = data["reported"]
    total = _TOTAL.search(after) or _TOTAL.search(text) or _TOTAL_IN_CONCLUSION.search(after)
    grade = _GRADE.search(after) or _GRADE.search(text)
    reported["total"] = _number(total.group(1)) if total else None
    reported["grade"] = grade.group(1) if grade else None
    for key in ("total", "grade", "execution_rate", "execution_score"):
        if reported.get(key) is None:
            unknown.append(f"reported.{key}")
    data["reported"] = {k: v for k, v in reported.items() if v is not None}
    # The execution weight: printed as 权重/分值 in the funds clause, or the rest of 100 points.
    weights = [d.get("weight") for d in indicators]
    printed_weight = re.search(r"(?:预算执行率|执行率)[^。]{0,30}?(?:权重|分值)(?:为|是|:)?\s*(" + NUM + r")\s*分", text)
    if printed_weight:
        weight = _number(printed_weight.group(1))
    elif indicators and all(w is not None for w in weights) and sum(weights) < HUNDRED and "reported.total" not in unknown:
        weight = HUNDRED - sum(weights)
        notes.append(f"预算执行率分值未写明，按满分 100 减各指标分值合计 {round_half_up(sum(weights), 2)} 得 {weight}")
    else:
        weight = None
        unknown.append("execution_weight")
    if weight is not None and weight != 10:
        data["execution_weight"] = weight
    staffing = _staffing(before)
    if unknown:
        data["unknown"] = list(dict.fromkeys(unknown))
        notes.append("未印出：" + "、".join(_YEAR_NAMES.get(u, u) for u in data["unknown"]))
    name = _unit_name(lines, text)
    profile: dict[str, Any] = {"name": name}
    if staffing:
        profile["staffing"] = staffing
    if not name:
        # Not a figure: the file's name stands in, and the note says so.
        name = re.sub(r"\s+", "", re.sub(r"(?:20\d{2}年度?)?(?:部门整体支出)?(?:绩效)?自评(?:报告)?", "", _file_stem(file))) or _file_stem(file)
        profile["name"] = name
        notes.append(f"正文没有写明单位名称，暂以文件名“{name}”代替")
    data["source"] = file
    notes.insert(0, f"按参照报告的文字格式读取：{len(indicators)} 个指标，资金与总分见正文")
    return NarrativeParse(profile=profile, year_data=data, notes=notes, problems=problems)


def _file_stem(file: str) -> str:
    return re.split(r"[\\/]", file)[-1].rsplit(".", 1)[0]


_FIELD_NAMES = {
    "target": "指标值", "midyear": "年中监控值", "actual": "实际完成值", "weight": "分值",
    "completion": "完成率", "score": "得分", "deviation_reason": "偏差原因", "improvement": "改进措施",
}
_YEAR_NAMES = {
    "budget.initial": "年初预算数", "budget.adjustment": "年中调整数", "execution_weight": "预算执行率分值",
    "reported.total": "综合得分", "reported.grade": "评价等级", "reported.execution_rate": "预算执行率",
    "reported.execution_score": "预算执行率得分",
}
