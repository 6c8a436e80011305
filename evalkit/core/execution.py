"""Budget execution: the execution rate and its score, and the other spending rates.

>>> from evalkit.core.models import UnitYear
>>> from evalkit.core.rulebook import load_rulebook
>>> year = UnitYear(year=2023, kind="department", budget={"final": 425.3, "actual": 422.89},
...                 indicators=[], unknown=["execution_weight"])
>>> rate, score = score_budget_execution(year, load_rulebook("national-default"), None)
>>> rate.text(), score.text()
('99.43%', '无法计算（预算执行率分值未印出）')
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from evalkit.core.figures import PRECISION, Figure, fmt, round_half_up
from evalkit.core.models import UnitYear
from evalkit.core.rulebook import Rulebook
from evalkit.errors import ScoringError

__all__ = ["score_budget_execution", "execution_weight", "not_computable", "rate_figure", "written"]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def written(value: Decimal | None) -> str:
    """Inputs as written in a working line (no rounding of what the user typed)."""
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


_n = written


def rate_figure(numerator: Decimal | None, denominator: Decimal | None, dp: int, formula: str, names: tuple[str, str]) -> Figure | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        exact = numerator / denominator * HUNDRED
    return Figure(
        value=round_half_up(exact, dp),
        dp=dp,
        unit="%",
        formula=formula,
        working=f"{_n(numerator)} ÷ {_n(denominator)} × 100% = {fmt(exact, 6)}%",
        inputs={names[0]: numerator, names[1]: denominator},
        exact=exact,
    )


def execution_weight(year: UnitYear, rulebook: Rulebook) -> Decimal | None:
    """The weight of budget execution: the year file's, the rulebook's, or None when not printed.

    An execution weight the source did not print (``unknown: [execution_weight]``) is unknown,
    never silently the rulebook's.
    """
    if year.execution_weight is not None:
        return year.execution_weight
    if year.is_unknown("execution_weight"):
        return None
    return rulebook.budget_execution.weight


def not_computable(reason: str, dp: int, formula: str, unit: str = "", rule: str = "") -> Figure:
    """A figure that cannot be computed, with its reason (text ``无法计算（原因）``)."""
    return Figure(value=None, dp=dp, formula=formula, unit=unit, rule=rule, missing=reason)


def score_budget_execution(
    year: UnitYear, rulebook: Rulebook, weight: Decimal | None
) -> tuple[Figure, Figure]:
    """The execution rate (percent) and its score.

    Either may be not computable (a denominator or a weight the source did not print); a
    denominator that is simply missing on a complete form is an error.
    """
    rules = rulebook.budget_execution
    budget = year.budget
    dp = rulebook.rounding.rate_dp
    if rules.denominator == "final":
        denominator, label = budget.final, "全年预算数"
    elif rules.denominator == "initial":
        denominator, label = budget.initial, "年初预算数"
    else:
        adj = budget.adjustment_amount
        denominator = None if budget.initial is None or adj is None else budget.initial + adj
        label = "年初预算数 + 年中调整数"
    score_dp = rulebook.rounding.execution_score_dp
    score_dp = rulebook.rounding.score_dp if score_dp is None else score_dp
    score_formula = "执行率得分 = 分值 × 执行率"
    if denominator is None:
        unprinted = [p for p in ("budget.initial", "budget.adjustment") if year.is_unknown(p)]
        if not unprinted:
            raise ScoringError(f"评分规则要求以{label}为执行率分母，但未填写", field="budget")
        reason = f"{label}未印出"
        rate_fig = not_computable(reason, dp, f"预算执行率 = 实际支出 ÷ {label} × 100%", unit="%")
        return rate_fig, not_computable(reason, score_dp, score_formula, rule=f"budget_execution.{rules.scorer}")
    if denominator == 0:
        raise ScoringError(f"{label}为 0，无法计算预算执行率", field="budget")
    rate = rate_figure(budget.actual, denominator, dp, f"预算执行率 = 实际支出 ÷ {label} × 100%", ("实际支出", label))
    assert rate is not None and rate.exact is not None
    if weight is None:
        return rate, not_computable("预算执行率分值未印出", score_dp, score_formula, rule=f"budget_execution.{rules.scorer}")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if rules.scorer == "proportional":
            share = rate.value / HUNDRED if rulebook.rounding.score_from_rounded_rate else rate.exact / HUNDRED
            capped = min(share, ONE) if rules.cap else share
            exact = weight * capped
            formula = "执行率得分 = 分值 × 执行率" + ("，最高不超过分值" if rules.cap else "")
            working = f"{_n(weight)} × {fmt(share * HUNDRED, 6)}% = {fmt(weight * share, 6)}"
        else:
            shown = rate.value
            band = next(i for i in rules.intervals if shown >= i.min) if shown >= rules.intervals[-1].min else None
            fraction = band.fraction if band else ZERO
            exact = weight * fraction
            formula = "执行率得分按区间表：" + "；".join(
                f"≥{fmt(i.min, 2)}% 得 {fmt(i.fraction * HUNDRED, 0)}%" for i in rules.intervals
            )
            working = f"执行率 {rate.text()}，得分值的 {fmt(fraction * HUNDRED, 0)}%：{_n(weight)} × {fmt(fraction, 4)} = {fmt(exact, 6)}"
    score = Figure(
        value=round_half_up(exact, score_dp),
        dp=score_dp,
        formula=formula,
        working=working,
        rule=f"budget_execution.{rules.scorer}",
        inputs={"执行率": rate.value, "分值": weight},
        exact=exact,
    )
    return rate, score


