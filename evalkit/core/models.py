"""The unit-year data format: what a params folder holds, validated by pydantic.

``params/<unit-id>/unit.yaml`` holds a :class:`UnitProfile`; ``params/<unit-id>/<year>.yaml``
holds a :class:`UnitYear`. Money is in 万元 (元 is accepted and converted), rates in percent.
Every field carries its Chinese name as ``title`` and a bilingual description; ``evalkit schema``
prints the JSON Schema built from them, and ``docs/params.md`` documents them.

The models are frozen: scoring and audit never change their inputs.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from evalkit.core.evidence import (
    INDICATOR_UNKNOWN_FIELDS,
    YEAR_UNKNOWN_FIELDS,
    Block,
    Evidence,
    value_at,
    year_problems,
)
from evalkit.core.figures import to_decimal
from evalkit.core.modelbase import PROBLEM_SEPARATOR, F, StrictModel, raise_all
from evalkit.core.targets import (
    convert_money,
    normalise_op,
    normalise_unit,
    parse_quantity,
    parse_target,
    states_comparison,
)

__all__ = [
    "UNIT_ID_PATTERN",
    "Money",
    "Staffing",
    "UnitProfile",
    "KeyWorkCount",
    "KeyWork",
    "SpendingPart",
    "SpendingLine",
    "BasicSpending",
    "FundSource",
    "Budget",
    "Project",
    "ProjectInfo",
    "ReportedIndicator",
    "Indicator",
    "Section",
    "Narrative",
    "Reported",
    "Evidence",
    "Block",
    "UnitYear",
    "QUALITATIVE_GRADES",
    "INDICATOR_UNKNOWN_FIELDS",
    "YEAR_UNKNOWN_FIELDS",
    "PROBLEM_SEPARATOR",
    "year_problems",
]

#: Unit ids are short ASCII slugs: they name folders and files, so nothing else is allowed.
UNIT_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_UNIT_ID_RE = re.compile(UNIT_ID_PATTERN)

QUALITATIVE_GRADES = ("达成", "部分达成", "未达成")



def _money(value: Any) -> Any:
    """Accept 304.1, "304.1", "1,234.5", "304.1万元" or "3041000元" (converted to 万元)."""
    if value is None or isinstance(value, Decimal | int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return to_decimal(value)
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            number, unit = parse_quantity(value)
        except ValueError as exc:
            raise ValueError(f"应为金额（万元），实际为“{value}”") from exc
        if unit in ("", "万元"):
            return number
        if unit == "元":
            return number / Decimal(10000)
        raise ValueError(f"金额的单位应为万元或元，实际为“{unit}”")
    return value


Money = Annotated[Decimal, BeforeValidator(_money)]
"""An amount in 万元."""

NonNegMoney = Annotated[Decimal, BeforeValidator(_money), Field(ge=0)]



class Staffing(StrictModel):
    """人员构成 / staffing."""

    authorized: int | None = F("编制人数", "Authorized headcount", None, ge=0)
    actual: int | None = F("实有人数", "Actual headcount", None, ge=0)
    in_service: int | None = F("在职人数", "Staff in service", None, ge=0)
    retired: int | None = F("退休人数", "Retired staff", None, ge=0)
    veteran_retired: int | None = F("离休人数", "Staff retired under the 离休 scheme", None, ge=0)
    change: int | None = F("增减人数", "Net change in the year (negative for a decrease)", None)


class UnitProfile(StrictModel):
    """部门单位基本情况: the unit's profile, in ``params/<unit-id>/unit.yaml``."""

    id: str = F("单位编号", "Unit id: a short ASCII slug (a-z, 0-9, - and _)", pattern=UNIT_ID_PATTERN)
    name: str = F("单位名称", "Full name of the budget unit", min_length=1)
    short_name: str | None = F("单位简称", "Short name used in running text", None)
    region: str | None = F("所属地区", "Region (province / city / district)", None)
    department: str | None = F("主管部门", "Supervising department", None)
    functions: str | None = F("部门主要职能", "Main functions (prose)", None)
    bodies: list[str] = F("内设机构", "Internal bodies", [])
    bodies_summary: str | None = F("机构设置概述", "Summary of the internal bodies, e.g. 四委一室", None)
    funding_type: str | None = F("经费形式", "Funding type, e.g. 财政全额拨款行政单位", None)
    staffing: Staffing | None = F("人员构成", "Staffing (a year file may override it)", None)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class KeyWorkCount(StrictModel):
    item: str = F("工作事项", "What was counted, e.g. 召开常委会会议")
    value: Decimal = F("数量", "How many")
    unit: str | None = F("计量单位", "Unit of the count, e.g. 次, 项, 人次", None)
    approximate: bool = F("约数", "True when the report says 余 (\"100余次\")", False)


class KeyWork(StrictModel):
    """部门单位年度重点工作."""

    summary: str | None = F("重点工作概述", "The year's key work, as prose", None)
    counts: list[KeyWorkCount] = F("工作量统计", "Key work counts", [])
    details: str | None = F("其他说明", "Further prose", None)


class SpendingPart(StrictModel):
    final: NonNegMoney | None = F("全年预算数", "Final budget (万元)", None)
    actual: NonNegMoney | None = F("实际支出", "Actual spending (万元)", None)


class SpendingLine(StrictModel):
    """A block of spending (project spending) with its budget path."""

    initial: NonNegMoney | None = F("年初预算数", "Initial budget (万元)", None)
    final: NonNegMoney | None = F("全年预算数", "Final budget after adjustment (万元)", None)
    actual: NonNegMoney | None = F("实际支出", "Actual spending (万元)", None)


class BasicSpending(SpendingLine):
    """基本支出, split into 人员经费 (personnel) and 公用经费 (public/running costs)."""

    personnel: SpendingPart | None = F("人员经费", "Personnel costs", None)
    public: SpendingPart | None = F("公用经费", "Public (running) costs", None)


class FundSource(StrictModel):
    """A row of a project's funds table: 当年财政拨款, 上年结转资金, 其他资金."""

    name: str = F("资金来源", "Source of funds")
    initial: NonNegMoney | None = F("年初预算数", "Initial budget (万元)", None)
    final: NonNegMoney | None = F("全年预算数", "Final budget (万元)", None)
    actual: NonNegMoney | None = F("全年执行数", "Amount executed (万元)", None)


class Budget(StrictModel):
    """部门单位整体预算规模及执行情况 (万元)."""

    initial: NonNegMoney | None = F("年初预算数", "Initial budget (万元)", None)
    adjustment: Money | None = F("年中调整数", "Mid-year adjustment, negative for a cut (万元)", None)
    final: NonNegMoney = F("全年预算数", "Final budget after adjustment, incl. carry-over (万元)")
    actual: NonNegMoney = F("实际支出", "Actual spending for the year (万元)")
    basic: BasicSpending | None = F("基本支出", "Basic (running) spending", None)
    project: SpendingLine | None = F("项目支出", "Project spending", None)
    sources: list[FundSource] = F("资金来源明细", "Rows by source of funds (project tables)", [])

    @property
    def adjustment_amount(self) -> Decimal | None:
        """The adjustment as stated, or final − initial when it is not stated."""
        if self.adjustment is not None:
            return self.adjustment
        if self.initial is not None:
            return self.final - self.initial
        return None


class Project(StrictModel):
    """项目: a project funded within the unit's budget."""

    name: str = F("项目名称", "Project name")
    source: Literal["转移支付", "本级财力", "其他"] = F(
        "资金来源", "Funding source: 转移支付 (transfer from upper level) or 本级财力 (own funds)"
    )
    budget: NonNegMoney = F("预算金额", "Budget (万元)")
    actual: NonNegMoney = F("执行金额", "Amount executed (万元)")
    effect: str | None = F("实现效益", "The effect achieved, as prose", None)


class ProjectInfo(StrictModel):
    """For a 项目支出 self-evaluation: the project being evaluated."""

    name: str = F("项目名称", "Project name")
    department: str | None = F("主管部门", "Supervising department", None)
    implementer: str | None = F("实施单位", "Implementing unit", None)
    goal: str | None = F("年度总体目标", "Planned annual goal", None)
    outcome: str | None = F("实际完成情况", "What was actually achieved", None)


class ReportedIndicator(StrictModel):
    """What the published report printed for an indicator (for the audit)."""

    target: Decimal | str | None = F("报告所列指标值", "Target value as printed", None)
    completion: Decimal | None = F("报告所列完成率", "Completion rate as printed (%)", None)
    score: Decimal | None = F("报告所列得分", "Score as printed", None)


def _number_or_text(value: Any) -> Any:
    if isinstance(value, float):
        return to_decimal(value)
    return value


NumberOrText = Annotated[Decimal | str, BeforeValidator(_number_or_text)]


class Indicator(StrictModel):
    """绩效指标: one performance indicator.

    ``target`` may be written with its comparison, e.g. ``"≥ 95%"``; ``op`` and ``unit`` are then
    taken from it. Numbers may carry 元/万元, which are converted to the target's unit.
    """

    name: str = F("指标名称", "Indicator name (三级指标)", min_length=1)
    level1: str | None = F("一级指标", "First-level group, e.g. 产出指标", None)
    level2: str | None = F("二级指标", "Second-level group, e.g. 数量指标", None)
    op: Literal[">=", ">", "=", "<=", "<", "qualitative"] | None = F(
        "比较方式",
        "Comparison: >= (正向), <= (反向), =, >, < or qualitative (定性); may be left out only when "
        "the target is unknown",
        None,
    )
    op_printed: bool = F(
        "比较符号已印出",
        "False when the source printed the target with no sign (\"95%\") and the comparison is a reading "
        "(a bare number is read as ≥); set automatically when target is written that way",
        True,
    )
    target: NumberOrText | None = F(
        "年度指标值", "Annual target (a number, or text for 定性); null only when listed in unknown", None
    )
    target_adjusted: Decimal | None = F(
        "调整指标值", "Adjusted target when the target was changed mid-year; used for scoring", None
    )
    unit: str = F("计量单位", "Unit: %, 万元, 次, 项…", "")
    midyear: NumberOrText | None = F("年中监控值", "Mid-year monitoring value", None)
    actual: NumberOrText | None = F(
        "实际完成值", "Actual value at year end; null only when not applicable or listed in unknown", None
    )
    weight: Decimal | None = F(
        "分值",
        "Weight: points available; may be left out when listed in unknown or when the indicator's "
        "block (blocks:) shares its points",
        None,
        ge=0,
    )
    grade: Literal["达成", "部分达成", "未达成"] | None = F(
        "定性完成等级", "For 定性 indicators: 达成, 部分达成 or 未达成", None
    )
    score: Decimal | None = F(
        "评定得分", "Score assigned by the evaluator (定性 indicators); checked against its band", None, ge=0
    )
    deduction: Decimal | None = F("扣减分数", "Points deducted (e.g. for a target set too low)", None, ge=0)
    applicable: bool = F("是否适用", "False when the indicator does not apply (不适用)", True)
    deviation_reason: str | None = F("偏差原因", "Reason for a deviation from the target", None)
    improvement: str | None = F("改进措施", "Measure to improve", None)
    reported: ReportedIndicator | None = F("报告所列数值", "What the published report printed", None)
    unknown: list[Literal[
        "target", "midyear", "actual", "weight", "completion", "score", "deviation_reason", "improvement"
    ]] = F(
        "未印出的栏目",
        "Cells the source did not print (not zero, not absent by design): target, midyear, actual, "
        "weight, completion (printed rate), score (printed score), deviation_reason, improvement. "
        "A field listed here must itself be left out",
        [],
    )

    @model_validator(mode="before")
    @classmethod
    def _read_target_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "op" in data and data["op"] is not None:
            try:
                data["op"] = normalise_op(str(data["op"]))
            except ValueError:
                pass  # the Literal check reports it with the allowed values
        target = data.get("target")
        if isinstance(target, str) and target.strip():
            if data.get("op") != "qualitative":
                try:
                    op, value, unit = parse_target(target)
                except ValueError as exc:
                    raise ValueError(f"target（年度指标值）: {exc}") from None
                if op != "qualitative" or data.get("op") is None:
                    if data.get("op") is None and op != "qualitative" and not states_comparison(target):
                        data.setdefault("op_printed", False)
                    if data.get("op") is None:
                        data["op"] = op
                    data["target"] = value
                    if unit and not data.get("unit"):
                        data["unit"] = unit
        if data.get("unit"):
            data["unit"] = normalise_unit(str(data["unit"]))
        if data.get("applicable") is False:
            data.setdefault("actual", None)
        for key in ("actual", "midyear", "target_adjusted"):
            data[key] = _read_quantity(data.get(key), data.get("unit") or "", key, data.get("op"))
        return data

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        problems = []
        unknown = set(self.unknown)
        for name in self.unknown:
            if name in ("completion", "score"):
                value = None if self.reported is None else getattr(self.reported, name)
            else:
                value = getattr(self, name)
            if value is not None:
                problems.append(
                    f"unknown（未印出的栏目）: “{name}”（{INDICATOR_UNKNOWN_FIELDS[name]}）列为未印出，却又填写了数值"
                    f"“{value}”；请二选一"
                )
        quantitative = self.op != "qualitative"
        if self.op is None and "target" not in unknown:
            problems.append("op（比较方式）: 缺少比较方式；请在 target 中写出（如“≥ 95%”）或填写 op")
        if self.target is None and "target" not in unknown:
            problems.append("target（年度指标值）: 缺少年度指标值；如报告未印出，请写 unknown: [target]")
        if quantitative and self.target is not None and not isinstance(self.target, Decimal):
            problems.append(f"target（年度指标值）: 定量指标的目标值应为数字，实际为“{self.target}”")
        if self.applicable and self.actual is None and "actual" not in unknown:
            problems.append(
                "actual（实际完成值）: 实际完成值缺失；如该指标不适用，请写 applicable: false；"
                "如报告未印出，请写 unknown: [actual]"
            )
        if self.applicable and quantitative and self.actual is not None and not isinstance(self.actual, Decimal):
            problems.append(f"actual（实际完成值）: 定量指标的实际完成值应为数字，实际为“{self.actual}”")
        if quantitative and self.op is not None and self.grade is not None:
            problems.append("grade（定性完成等级）: 只有定性指标才有完成等级")
        raise_all(problems)
        return self

    @property
    def is_qualitative(self) -> bool:
        return self.op == "qualitative"

    @property
    def scoring_target(self) -> Decimal | str | None:
        """The target scored against: the adjusted target (调整指标值) when there is one."""
        return self.target_adjusted if self.target_adjusted is not None else self.target

    def is_unknown(self, name: str) -> bool:
        """True when the source did not print the cell ``name`` (listed in ``unknown``)."""
        return name in self.unknown


def _read_quantity(value: Any, unit: str, key: str, op: Any) -> Any:
    """A value written with a unit ("96.11%", "3041000元") becomes a number in the target's unit."""
    if isinstance(value, float):
        return to_decimal(value)
    if not isinstance(value, str) or op == "qualitative":
        return value
    text = value.strip()
    if text in ("", "/", "—", "-", "——", "不适用"):
        return None
    try:
        number, written_unit = parse_quantity(text)
    except ValueError:
        return value  # left as text: the model check says a number is needed
    if written_unit and unit:
        try:
            return convert_money(number, written_unit, unit)
        except ValueError:
            raise ValueError(
                f"{key}: 单位“{written_unit}”与指标的计量单位“{unit}”不一致"
            ) from None
    return number


class Section(StrictModel):
    """A titled piece of the analyst's prose."""

    title: str = F("标题", "Heading")
    text: str = F("正文", "Body text")


class Narrative(StrictModel):
    """The analyst's own prose, printed as written."""

    budget_arrangement: str | None = F("年初预算安排说明", "Comment on the initial budget", None)
    budget_adjustment: str | None = F("预算调整说明", "Comment on the mid-year adjustment", None)
    budget_execution: str | None = F("预算执行说明", "Comment on execution", None)
    funds_usage: str | None = F("资金使用主要内容及范围", "What the money was used for", None)
    basic_spending: str | None = F("基本支出使用说明", "How basic spending was managed", None)
    project_management: list[Section] = F("项目管理情况", "Project management sections", [])
    problems: str | None = F("存在的主要问题及原因分析", "Problems found and their causes", None)
    measures: str | None = F("改进措施", "Improvement measures", None)
    suggestions: str | None = F("建议", "Suggestions", None)


class Reported(StrictModel):
    """Year-level figures as the published report printed them (for the audit)."""

    total: Decimal | None = F("报告所列总分", "Total score as printed", None)
    grade: Literal["优", "良", "中", "差"] | None = F("报告所列等级", "Grade as printed", None)
    execution_rate: Decimal | None = F("报告所列预算执行率", "Budget execution rate as printed (%)", None)
    execution_score: Decimal | None = F("报告所列执行率得分", "Budget execution score as printed", None)
    adjustment_rate: Decimal | None = F("报告所列预算调整率", "Budget adjustment rate as printed (%)", None)
    basic_execution_rate: Decimal | None = F(
        "报告所列基本支出执行率", "Basic spending execution rate as printed (%)", None
    )
    project_execution_rate: Decimal | None = F(
        "报告所列项目支出执行率", "Project spending execution rate as printed (%)", None
    )


class UnitYear(StrictModel):
    """One unit's self-evaluation for one year, in ``params/<unit-id>/<year>.yaml``."""

    year: int = F("年度", "Fiscal year evaluated", ge=2000, le=2100)
    kind: Literal["department", "project"] = F(
        "评价类型", "department = 部门整体支出绩效自评; project = 项目支出绩效自评"
    )
    rulebook: str = F("评分规则", "Rulebook name or path to a rulebook YAML file", "national-default")
    project: ProjectInfo | None = F("被评价项目", "For kind: project, the project evaluated", None)
    staffing: Staffing | None = F("人员构成", "Staffing this year (overrides the profile)", None)
    key_work: KeyWork | None = F("年度重点工作", "The year's key work", None)
    budget: Budget = F("预算", "Budget, spending and execution (万元)")
    execution_weight: Decimal | None = F(
        "预算执行率分值", "Weight of budget execution when it differs from the rulebook's", None, ge=0
    )
    projects: list[Project] = F("项目", "Projects with funding source, budget and actual", [])
    indicators: list[Indicator] = F(
        "绩效指标",
        "Performance indicators; write [] for a budget-only evaluation (the funds block only): "
        "a missing key is an error, not an empty table",
    )
    blocks: list[Block] = F(
        "分块分值", "Weights per 一级/二级 block (Hubei-style forms); indicators in a block may omit weight", []
    )
    evidence: Evidence = F("来源完整性", "Whether the source table was complete", Evidence())
    unknown: list[str] = F(
        "未印出的年度字段",
        "Year-level fields the source did not print, by dotted path: "
        + ", ".join(YEAR_UNKNOWN_FIELDS)
        + ". An execution weight that was not printed is unknown, never the rulebook's",
        [],
    )
    narrative: Narrative = F("文字部分", "The analyst's prose sections", Narrative())
    reported: Reported | None = F("报告所列数值", "Figures as the published report printed them", None)
    source: str | None = F("数据来源", "Where these figures were transcribed from", None)

    @model_validator(mode="after")
    def _check(self) -> UnitYear:
        raise_all(year_problems(self.model_dump(exclude={"narrative", "key_work", "staffing", "projects"})))
        return self

    def value_at(self, path: str) -> object:
        """The value at a dotted path (``budget.initial``), None when absent."""
        return value_at(self, path)

    def is_unknown(self, path: str) -> bool:
        """True when the source did not print the year-level field ``path``."""
        return path in self.unknown

    @property
    def complete(self) -> bool:
        """False when the year file declares its source incomplete (``evidence.complete: false``)."""
        return self.evidence.complete

    def block_of(self, indicator: Indicator) -> Block | None:
        """The most specific block holding ``indicator`` (a 二级 block before a 一级 one)."""
        held = [b for b in self.blocks if b.holds(indicator)]
        held.sort(key=lambda b: b.level2 is None)
        return held[0] if held else None

    @field_validator("rulebook")
    @classmethod
    def _rulebook_name(cls, value: str) -> str:
        if not value:
            raise ValueError("评分规则名称不能为空")
        return value


def is_valid_unit_id(unit_id: str) -> bool:
    """True for a safe unit id (no path separators, no ``..``)."""
    return bool(_UNIT_ID_RE.fullmatch(unit_id))

