"""Consistency of the inputs: budget sums, printed total against printed parts, staffing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from evalkit.audit.explain import _shown, _written, explain, reproduces
from evalkit.audit.findings import MONEY_HALF_UNIT, ZERO, Finding, _code, _finding
from evalkit.audit.recompute import Recomputation
from evalkit.audit.registry import register
from evalkit.audit.year_figures import _addition_slip, _parts_candidates, _printed_parts
from evalkit.core.figures import decimals_of, fmt
from evalkit.core.models import Budget, Reported, UnitYear

# --------------------------------------------------------------------------- consistency of inputs

BUDGET_ADJUSTMENT_SUM = _code("E-BUDGET-ADJUSTMENT-SUM", "error", "年初预算数 + 年中调整数 ≠ 全年预算数")
BUDGET_PARTS_SUM = _code("E-BUDGET-PARTS-SUM", "error", "基本支出 + 项目支出 ≠ 合计（年初、全年、实际）")
BASIC_PARTS_SUM = _code("E-BASIC-PARTS-SUM", "error", "人员经费 + 公用经费 ≠ 基本支出（全年、实际）")
PROJECTS_SUM = _code("W-PROJECTS-SUM", "warning", "项目明细之和 ≠ 项目支出（预算、执行）")
SOURCES_SUM = _code("E-SOURCES-SUM", "error", "资金来源各行之和 ≠ 预算合计（年初、全年、执行）")
SUM_ROUNDING = _code("I-SUM-ROUNDING", "info", "合计与各项之和相差不超过舍入误差")
TOTAL_NOT_SUM_OF_PARTS = _code("E-TOTAL-NOT-SUM-OF-PARTS", "error", "报告所列总分不是所列各项得分之和（或无法达到）")
STAFF_IN_SERVICE_ABOVE_ACTUAL = _code("E-STAFF-IN-SERVICE-ABOVE-ACTUAL", "error", "在职人数多于实有人数")
STAFF_OVER_AUTHORIZED = _code("W-STAFF-OVER-AUTHORIZED", "warning", "实有人数超过编制人数（超编）")


@dataclass(frozen=True)
class _Sum:
    """A total and the parts it should equal."""

    code: str
    field: str
    total_name: str
    total: Decimal
    parts: tuple[tuple[str, Decimal], ...]


_STAGES = (("initial", "年初预算数"), ("final", "全年预算数"), ("actual", "实际支出"))


def _budget_sums(budget: Budget) -> Iterator[_Sum]:
    if budget.initial is not None and budget.adjustment is not None:
        yield _Sum(
            BUDGET_ADJUSTMENT_SUM,
            "budget.final（全年预算数）",
            "全年预算数",
            budget.final,
            (("年初预算数", budget.initial), ("年中调整数", budget.adjustment)),
        )
    basic, project = budget.basic, budget.project
    for stage, name in _STAGES:
        total = getattr(budget, stage)
        parts = (getattr(basic, stage, None), getattr(project, stage, None))
        if total is not None and parts[0] is not None and parts[1] is not None:
            yield _Sum(
                BUDGET_PARTS_SUM,
                f"budget.{stage}（{name}）",
                name,
                total,
                ((f"基本支出{name}", parts[0]), (f"项目支出{name}", parts[1])),
            )
    if basic is not None and basic.personnel is not None and basic.public is not None:
        for stage, name in _STAGES[1:]:
            total = getattr(basic, stage)
            personnel, public = getattr(basic.personnel, stage), getattr(basic.public, stage)
            if total is not None and personnel is not None and public is not None:
                yield _Sum(
                    BASIC_PARTS_SUM,
                    f"budget.basic.{stage}（基本支出{name}）",
                    f"基本支出{name}",
                    total,
                    ((f"人员经费{name}", personnel), (f"公用经费{name}", public)),
                )


def _project_sums(year: UnitYear) -> Iterator[_Sum]:
    project = year.budget.project
    if not year.projects or project is None:
        return
    for stage, name, attr in (("final", "全年预算数", "budget"), ("actual", "实际支出", "actual")):
        total = getattr(project, stage)
        if total is not None:
            parts = tuple((p.name, getattr(p, attr)) for p in year.projects)
            yield _Sum(PROJECTS_SUM, f"projects[].{attr}", f"项目支出{name}", total, parts)


def _source_sums(budget: Budget) -> Iterator[_Sum]:
    if not budget.sources:
        return
    for stage, name in _STAGES:
        total = getattr(budget, stage)
        values = [getattr(s, stage) for s in budget.sources]
        if total is not None and all(v is not None for v in values):
            parts = tuple((s.name, v) for s, v in zip(budget.sources, values, strict=True))
            yield _Sum(SOURCES_SUM, f"budget.sources[].{stage}", name, total, parts)


@register
def budget_sums(r: Recomputation) -> Iterator[Finding]:
    """Totals against their parts; a difference within rounding is only noted."""
    budget = r.year.budget
    for rule in (*_budget_sums(budget), *_project_sums(r.year), *_source_sums(budget)):
        added = sum((value for _, value in rule.parts), ZERO)
        difference = added - rule.total
        if difference == 0:
            continue
        tolerance = MONEY_HALF_UNIT * (len(rule.parts) + 1)
        sum_text = " + ".join(f"{name} {_written(value)}" for name, value in rule.parts)
        message = (
            f"{sum_text} = {_written(added)} 万元，与{rule.total_name} {_written(rule.total)} 万元"
            f"相差 {fmt(abs(difference))} 万元"
        )
        within = abs(difference) <= tolerance
        yield _finding(
            SUM_ROUNDING if within else rule.code,
            rule.field,
            message + ("，在舍入误差以内" if within else ""),
            printed=_written(rule.total),
            recomputed=_written(added),
        )


@register
def total_of_printed_parts(r: Recomputation) -> Iterator[Finding]:
    """The printed total must be reachable from the printed scores (and equal them when all are printed)."""
    total = r.reported.total
    if total is None or not all(i.applicable for i in r.year.indicators):
        return  # a renormalised total is compared with the recomputation only
    parts = _printed_parts(r)
    if all(score is None for _, score, _ in parts):
        return
    listed = sum((score for _, score, _ in parts if score is not None), ZERO)
    unlisted = [weight for _, score, weight in parts if score is None]
    if any(weight is None for weight in unlisted):
        return
    most = listed + sum((w for w in unlisted if w is not None), ZERO)
    dp = min(decimals_of(total), r.rulebook.rounding.total_dp)
    explanation = None
    if not unlisted:
        if reproduces(total, listed, dp) or _addition_slip(r) is not None:
            return  # adds up; or only the addition is wrong, which the total's mismatch says
        explanation = explain(total, listed, dp, _parts_candidates(r, dp)[1:])
        message = f"报告所列各项得分之和为 {_written(listed)}，与所列总分 {_shown(total)} 不符"
        if explanation:
            message += f"，疑为{explanation}"
    elif total > most and not reproduces(total, most, dp):
        message = (
            f"报告所列总分 {_shown(total)} 超过所列各项得分 {_written(listed)} 加上未列得分各项的分值"
            f"所能达到的最高值 {_written(most)}"
        )
    elif total < listed and not reproduces(total, listed, dp):
        message = f"报告所列总分 {_shown(total)} 低于所列各项得分之和 {_written(listed)}"
    else:
        return
    yield _finding(
        TOTAL_NOT_SUM_OF_PARTS,
        f"reported.total（{Reported.model_fields['total'].title}）",
        message,
        printed=_shown(total),
        recomputed=_written(listed),
        explanation=explanation,
    )


@register
def staffing(r: Recomputation) -> Iterator[Finding]:
    """在职 ≤ 实有; 实有 > 编制 is 超编. 退休、离休 are counted apart from 实有, so they are not added."""
    staff = r.year.staffing or r.profile.staffing
    if staff is None:
        return
    where = "staffing" if r.year.staffing is not None else "unit.yaml: staffing"
    if staff.in_service is not None and staff.actual is not None and staff.in_service > staff.actual:
        yield _finding(
            STAFF_IN_SERVICE_ABOVE_ACTUAL,
            f"{where}.in_service（在职人数）",
            f"在职人数 {staff.in_service} 人多于实有人数 {staff.actual} 人",
            printed=str(staff.in_service),
            recomputed=f"≤ {staff.actual}",
        )
    if staff.actual is not None and staff.authorized is not None and staff.actual > staff.authorized:
        yield _finding(
            STAFF_OVER_AUTHORIZED,
            f"{where}.actual（实有人数）",
            f"实有人数 {staff.actual} 人超过编制人数 {staff.authorized} 人（超编 {staff.actual - staff.authorized} 人）",
            printed=str(staff.actual),
            recomputed=f"≤ {staff.authorized}",
        )


SPENDING_ABOVE_BUDGET = _code("E-SPENDING-ABOVE-BUDGET", "error", "实际支出超过调整后（全年）预算数")


def _over_budget(year: UnitYear) -> Iterator[tuple[str, str, Decimal, Decimal]]:
    """(field, what, actual, final) for every spending line whose actual exceeds its final budget."""
    budget = year.budget
    lines: list[tuple[str, str, Decimal | None, Decimal | None]] = [
        ("budget.actual（实际支出）", "部门（单位）实际支出", budget.actual, budget.final),
    ]
    for key, label in (("basic", "基本支出"), ("project", "项目支出")):
        line = getattr(budget, key)
        if line is not None:
            lines.append((f"budget.{key}.actual（{label}实际支出）", f"{label}实际支出", line.actual, line.final))
    for part, label in (("personnel", "人员经费"), ("public", "公用经费")):
        line = getattr(budget.basic, part) if budget.basic is not None else None
        if line is not None:
            lines.append((f"budget.basic.{part}.actual（{label}实际支出）", f"{label}实际支出", line.actual, line.final))
    for index, source in enumerate(budget.sources):
        lines.append((f"budget.sources[{index}].actual（全年执行数）", f"“{source.name}”执行数", source.actual, source.final))
    for index, project in enumerate(year.projects):
        lines.append((f"projects[{index}].actual（执行金额）", f"项目“{project.name}”执行金额", project.actual, project.budget))
    for field, what, actual, final in lines:
        if actual is not None and final is not None and actual > final:
            yield field, what, actual, final


@register
def spending_above_budget(r: Recomputation) -> Iterator[Finding]:
    """Actual spending may not exceed the adjusted (final) budget, line by line."""
    for field, what, actual, final in _over_budget(r.year):
        yield _finding(
            SPENDING_ABOVE_BUDGET,
            field,
            f"{what} {_written(actual)} 万元超过调整后预算数 {_written(final)} 万元（超出 {_written(actual - final)} 万元）",
            printed=_written(actual),
            recomputed=f"≤ {_written(final)}",
        )

