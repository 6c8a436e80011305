"""Scoring: completion rates, indicator scores, budget execution, total and grade.

Pure functions over the frozen input models and a :class:`~evalkit.core.rulebook.Rulebook`. Every
figure is a :class:`~evalkit.core.figures.Figure` that carries its formula and inputs, so a report's
appendix and the audit can show how it was made. All arithmetic is ``Decimal``; each indicator
score and the execution score are rounded half-up, and the total is the sum of the rounded parts.

>>> from evalkit.core.rulebook import load_rulebook
>>> rb = load_rulebook("national-default")
>>> completion, score, met, _ = score_quantity(">=", Decimal(50), Decimal(40), Decimal(8), "个", None, rb)
>>> str(score.value), met
('6.40', False)
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from evalkit.core.blocks import Weight, check_blocks, indicator_weights
from evalkit.core.evaluation import NO_GRADE, Evaluation, IndicatorScore, TotalStatus, json_number
from evalkit.core.execution import (
    execution_weight,
    not_computable,
    rate_figure,
    score_budget_execution,
)
from evalkit.core.execution import written as _n
from evalkit.core.figures import PRECISION, Figure, fmt, round_half_up
from evalkit.core.models import INDICATOR_UNKNOWN_FIELDS, Indicator, UnitProfile, UnitYear
from evalkit.core.qualitative import (
    ScoreBand,
    qualitative_band,
    qualitative_grade,
    score_qualitative,
    unscored,
)
from evalkit.core.rulebook import Rulebook
from evalkit.core.targets import OP_SYMBOL, direction
from evalkit.errors import InputError, InputErrors, ScoringError, problems_of

__all__ = [
    "IndicatorScore",
    "Evaluation",
    "NO_GRADE",
    "json_number",
    "evaluate",
    "score_indicator",
    "score_quantity",
    "score_budget_execution",
    "grade_for",
    "qualitative_grade",
    "qualitative_band",
    "ScoreBand",
    "over_completed",
]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


# --------------------------------------------------------------------------- quantitative


def score_quantity(
    op: str,
    target: Decimal,
    actual: Decimal,
    weight: Decimal,
    unit: str,
    deduction: Decimal | None,
    rulebook: Rulebook,
) -> tuple[Figure, Figure, bool, tuple[str, ...]]:
    """Score one quantitative indicator.

    Returns ``(completion, score, met, flags)``. ``completion`` is in percent and may have no
    value (a zero target, or a zero actual for a reverse ratio). Raises :class:`ScoringError`
    for a case the rulebook cannot score (a negative target under a ratio rule).
    """
    rules = rulebook.indicators
    rate_dp = rulebook.rounding.rate_dp
    flags: list[str] = []
    a = actual
    if a < 0:
        if rules.negative_actual == "error":
            raise ScoringError(f"实际完成值为负数（{_n(a)}）")
        flags.append(f"实际完成值为负数（{_n(a)}），按 0 计")
        a = ZERO
    kind = direction(op)
    sym = OP_SYMBOL[op]
    inputs = {"比较方式": sym, "目标值": target, "实际值": a, "分值": weight}
    t, w = target, weight

    with localcontext() as ctx:
        ctx.prec = PRECISION

        def ratio_for_score(r: Decimal) -> Decimal:
            if rulebook.rounding.score_from_rounded_rate:
                return round_half_up(r * HUNDRED, rate_dp) / HUNDRED
            return r

        completion: Decimal | None
        if kind == "positive" or (kind == "equal" and rules.equal == "like_positive"):
            rule = f"{kind}.{'ratio' if kind == 'positive' else 'like_positive'}"
            if t < 0:
                raise ScoringError(f"目标值为负数（{_n(t)}），无法按完成比例计分")
            if t == 0:
                if kind == "equal":
                    met = a <= 0
                    completion = None
                    raw = w if met else ZERO
                    formula = "目标值为 0：实际值为 0 得满分，否则不得分"
                else:
                    met, completion, raw = True, None, w
                    formula = "目标值为 0：实际值 ≥ 0 即完成，得满分"
                working = f"实际值 {_n(a)}，得 {_n(raw)}"
            else:
                ratio = a / t
                completion = ratio * HUNDRED
                met = a >= t
                if met:
                    raw = w
                    # the comparison made: "=" is scored as a positive indicator, ">" met at equality
                    formula = "实际值 ≥ 目标值，得满分" + ("（“等于”指标按正向指标计分）" if kind == "equal" else "")
                    working = f"{_n(a)} ≥ {_n(t)}，得 {_n(w)}"
                else:
                    raw = w * ratio_for_score(ratio)
                    formula = "得分 = 分值 × 实际值 ÷ 目标值"
                    working = f"{_n(w)} × {_n(a)} ÷ {_n(t)} = {fmt(raw, 6)}"
                flag_ratio = rules.over_completion_flag
                if flag_ratio is not None and over_completed(op, t, a, rulebook):
                    flags.append(
                        f"实际值为目标值的 {fmt(ratio * HUNDRED, rate_dp)}%，超出 "
                        f"{fmt((flag_ratio - 1) * HUNDRED, 0)}% 以上，需说明目标是否偏低"
                    )
        elif kind == "equal":  # symmetric
            rule = "equal.symmetric"
            if t <= 0:
                met = a == t
                completion = None
                raw = w if met else ZERO
                formula = "目标值不大于 0：实际值等于目标值得满分，否则不得分"
                working = f"实际值 {_n(a)}，得 {_n(raw)}"
            else:
                deviation = abs(a - t) / t
                completion = (ONE - deviation) * HUNDRED
                met = a == t
                raw = w * max(ZERO, ONE - deviation)
                formula = "得分 = 分值 × (1 − |实际值 − 目标值| ÷ 目标值)"
                working = f"{_n(w)} × (1 − |{_n(a)} − {_n(t)}| ÷ {_n(t)}) = {fmt(raw, 6)}"
        else:  # reverse
            rule = f"reverse.{rules.reverse}"
            met = a <= t
            if t < 0 and rules.reverse != "deduct_per_pp":
                raise ScoringError(f"反向指标目标值为负数（{_n(t)}），无法按比例计分")
            if t == 0 and rules.reverse != "deduct_per_pp":
                completion = None
                raw = w if met else ZERO
                formula = "目标值为 0：实际值为 0 得满分，否则不得分"
                working = f"实际值 {_n(a)}，得 {_n(raw)}"
            elif rules.reverse == "ratio":
                completion = None if a == 0 else t / a * HUNDRED
                if met:
                    raw = w
                    formula = "实际值 ≤ 目标值，得满分"
                    working = f"{_n(a)} ≤ {_n(t)}，得 {_n(w)}"
                else:
                    raw = w * ratio_for_score(t / a)
                    formula = "得分 = 分值 × 目标值 ÷ 实际值"
                    working = f"{_n(w)} × {_n(t)} ÷ {_n(a)} = {fmt(raw, 6)}"
            elif rules.reverse == "linear_to_zero_at_2x":
                share = (2 * t - a) / t
                completion = share * HUNDRED
                if met:
                    raw = w
                    formula = "实际值 ≤ 目标值，得满分"
                    working = f"{_n(a)} ≤ {_n(t)}，得 {_n(w)}"
                else:
                    raw = w * max(ZERO, share)
                    formula = "得分 = 分值 × (1 − (实际值 − 目标值) ÷ 目标值)，实际值 ≥ 2 倍目标值得 0 分"
                    working = f"{_n(w)} × (1 − ({_n(a)} − {_n(t)}) ÷ {_n(t)}) = {fmt(raw, 6)}"
            else:  # deduct_per_pp
                completion = None if a == 0 or t <= 0 else t / a * HUNDRED
                per_pp = rules.deduct_per_pp.weight_fraction_per_pp * w
                if met:
                    raw = w
                    formula = "实际值 ≤ 目标值，得满分"
                    working = f"{_n(a)} ≤ {_n(t)}，得 {_n(w)}"
                else:
                    if unit == "%":
                        excess = a - t
                        how = f"{_n(a)} − {_n(t)}"
                    elif t > 0:
                        excess = (a - t) / t * HUNDRED
                        how = f"({_n(a)} − {_n(t)}) ÷ {_n(t)} × 100"
                    else:
                        raise ScoringError("计量单位不是 % 且目标值不大于 0，无法按百分点扣分")
                    raw = max(ZERO, w - per_pp * excess)
                    formula = "得分 = 分值 − 超出百分点 × 每百分点扣分，扣完为止"
                    working = f"超出 {how} = {fmt(excess, 4)} 个百分点；{_n(w)} − {fmt(excess, 4)} × {fmt(per_pp, 4)} = {fmt(raw, 6)}"
        exact = raw
        if rules.cap_at_weight and exact > w:
            exact = w
        if deduction:
            exact = max(ZERO, exact - deduction)
            working += f"；扣减 {_n(deduction)}"
            inputs["扣减分数"] = deduction
        value = round_half_up(exact, rulebook.rounding.score_dp)

    completion_fig = Figure(
        value=None if completion is None else round_half_up(completion, rate_dp),
        dp=rate_dp,
        unit="%",
        rule=rule,
        formula=_completion_formula(kind, rules.reverse if kind == "reverse" else rules.equal),
        working="" if completion is None else f"= {fmt(completion, 6)}%",
        inputs={"目标值": t, "实际值": a},
        exact=completion,
    )
    score_fig = Figure(
        value=value,
        dp=rulebook.rounding.score_dp,
        formula=formula,
        working=working,
        rule=rule,
        inputs=inputs,
        exact=exact,
    )
    return completion_fig, score_fig, met, tuple(flags)


def _completion_formula(kind: str, variant: str) -> str:
    if kind == "positive" or (kind == "equal" and variant == "like_positive"):
        return "完成率 = 实际值 ÷ 目标值 × 100%"
    if kind == "equal":
        return "完成率 = (1 − |实际值 − 目标值| ÷ 目标值) × 100%"
    if variant == "linear_to_zero_at_2x":
        return "完成率 = (2 × 目标值 − 实际值) ÷ 目标值 × 100%"
    return "完成率 = 目标值 ÷ 实际值 × 100%"



def over_completed(op: str, target: Decimal, actual: Decimal, rulebook: Rulebook) -> bool:
    """True when a positive (≥ >) indicator reaches ``over_completion_flag`` × its target.

    Such a target may have been set too low (目标偏低): the report must explain it.

    >>> from evalkit.core.rulebook import load_rulebook
    >>> rb = load_rulebook("national-default")
    >>> over_completed(">=", Decimal(10), Decimal(13), rb), over_completed(">=", Decimal(10), Decimal("12.9"), rb)
    (True, False)
    """
    ratio = rulebook.indicators.over_completion_flag
    return ratio is not None and direction(op) == "positive" and target > 0 and actual >= target * ratio


def score_indicator(indicator: Indicator, rulebook: Rulebook, weight: Weight | None = None) -> IndicatorScore:
    """Score one indicator under ``rulebook``; not-applicable indicators get no score.

    ``weight`` is the weight to score with when it is not the indicator's own (a share of a
    block, see :mod:`evalkit.core.blocks`). A cell the source did not print makes the score,
    and the completion rate when it needs that cell, not computable, with the reason.
    """
    if weight is None:
        weight = Weight(indicator.weight, missing="" if indicator.weight is not None else "分值未印出")
    w = weight.value
    note = weight.how
    if not indicator.applicable:
        return IndicatorScore(
            indicator=indicator,
            target_used=indicator.scoring_target,
            completion=Figure(value=None, dp=rulebook.rounding.rate_dp, unit="%", formula="不适用"),
            score=None,
            met=None,
            flags=("不适用，不参与评分",),
            weight_used=w,
            weight_note=note,
        )
    if indicator.is_qualitative:
        scored = score_qualitative(indicator, rulebook, w)
        return _with_weight_note(scored, weight)
    target = indicator.scoring_target
    dp = rulebook.rounding.rate_dp
    unprinted = [f for f in ("target", "actual") if indicator.is_unknown(f)]
    if unprinted or indicator.op is None:
        reason = "、".join(INDICATOR_UNKNOWN_FIELDS[f] for f in unprinted or ["target"]) + "未印出"
        completion = not_computable(reason, dp, "完成率 = 实际值 ÷ 目标值 × 100%", unit="%")
        return _with_weight_note(unscored(indicator, rulebook, w, reason, completion), weight)
    assert isinstance(target, Decimal) and isinstance(indicator.actual, Decimal) and indicator.op is not None
    completion, score, met, flags = score_quantity(
        indicator.op,
        target,
        indicator.actual,
        w if w is not None else ZERO,
        indicator.unit,
        indicator.deduction,
        rulebook,
    )
    if indicator.target_adjusted is not None:
        flags = (f"按调整指标值 {_n(indicator.target_adjusted)} 评分（原指标值 {_n(indicator.target)}）", *flags)
    if w is None:
        scored = unscored(indicator, rulebook, w, weight.missing or "分值未印出", completion, met=met, flags=flags)
        return _with_weight_note(scored, weight)
    return IndicatorScore(
        indicator=indicator,
        target_used=target,
        completion=completion,
        score=score,
        met=met,
        flags=flags,
        weight_used=w,
        weight_note=note,
    )


def _with_weight_note(scored: IndicatorScore, weight: Weight) -> IndicatorScore:
    if not weight.how:
        return scored
    return IndicatorScore(**{**scored.__dict__, "weight_note": weight.how, "flags": (weight.how, *scored.flags)})


# --------------------------------------------------------------------------- total


def grade_for(total_exact: Decimal, rulebook: Rulebook) -> str:
    """The grade of a total under the rulebook's bands and its ``grade_on`` setting.

    >>> from evalkit.core.rulebook import load_rulebook
    >>> rb = load_rulebook("national-default")
    >>> grade_for(Decimal("89.995"), rb), grade_for(Decimal("79.99"), rb), grade_for(Decimal("60"), rb)
    ('优', '中', '中')
    """
    grades = rulebook.grades
    if grades.grade_on == "displayed":
        basis = round_half_up(total_exact, rulebook.rounding.total_dp)
    elif grades.grade_on == "integer_rounded":
        basis = round_half_up(total_exact, 0)
    else:
        basis = total_exact
    for band in grades.bands:
        if basis >= band.min:
            return band.grade
    return grades.bands[-1].grade


def _check_weights(
    year: UnitYear, rulebook: Rulebook, exec_weight: Decimal | None, weights: list[Weight]
) -> list[str]:
    """Raise when a complete table's weights do not add up to the rulebook's total.

    A table declared incomplete, a budget-only evaluation or a table with unknown weights is not
    checked (a note says why); the blocks of a complete table must hold together.
    """
    problems = check_blocks(year, rulebook)
    notes: list[str] = []
    known = [w.value for w in weights if w.value is not None]
    if not year.complete or not year.indicators:
        return _raise_or(problems, notes)
    if exec_weight is None or len(known) < len(weights):
        notes.append("部分分值未印出，未核对权重合计")
        return _raise_or(problems, notes)
    indicator_total = sum(known, ZERO)
    total = indicator_total + exec_weight
    if abs(total - rulebook.total_weight) > rulebook.weight_tolerance:
        problems.insert(0, ScoringError(
            f"权重合计为 {_n(total)}（预算执行率 {_n(exec_weight)} + 绩效指标 {_n(indicator_total)}），"
            f"按评分规则“{rulebook.title}”应为 {_n(rulebook.total_weight)}",
            field="indicators[].weight（分值）",
        ))
    _raise_or(problems, notes)
    if year.kind == "project" and rulebook.level1_weights and all(i.level1 for i in year.indicators):
        expected = dict(rulebook.level1_weights)
        present = {(i.level1 or "").split("(")[0].split("（")[0] for i in year.indicators}
        if "满意度指标" not in present and rulebook.missing_satisfaction_to in expected:
            expected[rulebook.missing_satisfaction_to] += expected.pop("满意度指标", ZERO)
        for level1, want in expected.items():
            got = sum(
                (w for i, w in zip(year.indicators, known, strict=True) if (i.level1 or "").startswith(level1)), ZERO
            )
            if got and got != want:
                notes.append(f"一级指标“{level1}”分值合计 {_n(got)}，通行标准为 {_n(want)}")
    return notes


class ScoringErrors(InputErrors, ScoringError):
    """Several scoring problems in one unit-year, each its own line."""


def _raise_or(problems: list[ScoringError], notes: list[str]) -> list[str]:
    if problems:
        raise problems[0] if len(problems) == 1 else ScoringErrors(list(problems))
    return notes


_MISSING_LABELS = {"cut_off": "指标表不完整（截断）", "blocks_only": "报告只印出部分板块"}


def _missing_parts(year: UnitYear, execution_score: Figure, scored: list[IndicatorScore]) -> list[str]:
    """What a total leaves out: unscored parts, an incomplete table, a budget-only evaluation."""
    missing = []
    if execution_score.value is None:
        missing.append(f"预算执行率得分（{execution_score.missing}）")
    for s in scored:
        if s.applicable and s.score is not None and s.score.value is None:
            missing.append(f"指标“{s.name}”得分（{s.score.missing}）")
    if not year.complete:
        label = _MISSING_LABELS.get(year.evidence.missing or "", "来源不完整")
        missing.append(label + (f"：{year.evidence.note}" if year.evidence.note else ""))
    elif not year.indicators:
        missing.append("绩效指标（仅有资金部分）")
    return missing


def _total(
    year: UnitYear, rulebook: Rulebook, execution_score: Figure, scored: list[IndicatorScore]
) -> tuple[Figure, TotalStatus, list[str]]:
    dp_total = rulebook.rounding.total_dp
    missing = _missing_parts(year, execution_score, scored)
    parts = [p for p in [execution_score.value, *(s.score.value for s in scored if s.score is not None)] if p is not None]
    formula = "总分 = 预算执行率得分 + 各指标得分"
    if not parts:
        return not_computable("；".join(missing), dp_total, formula, rule="total"), "not_computable", missing
    na_weight = sum((s.weight or ZERO for s in scored if not s.applicable), ZERO)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        raw = sum(parts, ZERO)
        working = " + ".join(fmt(p, 6) for p in parts) + f" = {fmt(raw, 6)}"
        exact = raw
        if missing:
            formula += "（只计可计算的部分）"
        elif na_weight and rulebook.indicators.not_applicable == "renormalise":
            scale = rulebook.total_weight / (rulebook.total_weight - na_weight)
            exact = raw * scale
            formula += "，按适用指标折算为百分制"
            working += f"；× {_n(rulebook.total_weight)} ÷ ({_n(rulebook.total_weight)} − {_n(na_weight)}) = {fmt(exact, 6)}"
    total = Figure(
        value=round_half_up(exact, dp_total),
        dp=dp_total,
        formula=formula,
        working=working,
        rule="total",
        inputs={"不适用指标分值": na_weight},
        exact=exact,
        partial="；".join(missing),
    )
    return total, ("partial" if missing else "complete"), missing


def evaluate(unit: UnitProfile, year: UnitYear, rulebook: Rulebook) -> Evaluation:
    """Score a unit-year under a rulebook.

    Raises :class:`ScoringError` (with the field) when the inputs cannot be scored: weights that
    do not add up on a complete table, a zero budget, a qualitative score outside its band…
    What the source did not print is not an error: each figure that needs it is not computable
    (with the reason), and the total is a partial sum, labelled so and not graded.
    """
    weight = execution_weight(year, rulebook)
    weights = indicator_weights(year)
    problems: list[InputError] = []
    notes: list[str] = []
    try:
        notes = _check_weights(year, rulebook, weight, weights)
    except ScoringError as exc:
        problems.extend(problems_of(exc))
    try:
        rate, execution_score = score_budget_execution(year, rulebook, weight)
    except ScoringError as exc:
        problems.append(exc)
    scored = []
    for index, (indicator, w) in enumerate(zip(year.indicators, weights, strict=True)):
        try:
            scored.append(score_indicator(indicator, rulebook, w))
        except ScoringError as exc:
            problems.append(ScoringError(exc.message, field=f"indicators[{index}]（{indicator.name}）"))
    if problems:  # every problem at once, not the first
        raise problems[0] if len(problems) == 1 else ScoringErrors(problems)
    total, status, missing = _total(year, rulebook, execution_score, scored)
    budget = year.budget
    dp = rulebook.rounding.rate_dp
    adjustment_rate = rate_figure(
        budget.adjustment_amount, budget.initial, dp, "预算调整率 = 年中调整数 ÷ 年初预算数 × 100%", ("年中调整数", "年初预算数")
    )
    basic = budget.basic
    project = budget.project
    return Evaluation(
        unit=unit,
        year=year,
        rulebook=rulebook,
        execution_rate=rate,
        execution_weight=weight,
        execution_score=execution_score,
        indicators=tuple(scored),
        total=total,
        grade=grade_for(total.exact, rulebook) if status == "complete" and total.exact is not None else NO_GRADE,
        adjustment_rate=adjustment_rate,
        basic_execution_rate=None
        if basic is None
        else rate_figure(basic.actual, basic.final, dp, "基本支出执行率 = 基本支出实际支出 ÷ 基本支出全年预算数 × 100%", ("基本支出实际支出", "基本支出全年预算数")),
        project_execution_rate=None
        if project is None
        else rate_figure(project.actual, project.final, dp, "项目支出执行率 = 项目支出实际支出 ÷ 项目支出全年预算数 × 100%", ("项目支出实际支出", "项目支出全年预算数")),
        notes=tuple(notes),
        total_status=status,
        missing=tuple(missing),
    )

