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

from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from evalkit.core.figures import PRECISION, Figure, fmt, round_half_up
from evalkit.core.models import Indicator, Staffing, UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook
from evalkit.core.targets import OP_SYMBOL, direction
from evalkit.errors import ScoringError

__all__ = [
    "IndicatorScore",
    "Evaluation",
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


def json_number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON: an int when whole, else a float whose text is the same digits.

    Figures have far fewer than 15 significant digits, so ``repr(float)`` gives back exactly the
    decimal text (``Decimal('9.94')`` → ``9.94``).
    """
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _n(value: Decimal | None) -> str:
    """Inputs as written in a working line (no rounding of what the user typed)."""
    if value is None:
        return "—"
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text


@dataclass(frozen=True)
class IndicatorScore:
    """The scored indicator: its completion rate, score and any flags."""

    indicator: Indicator
    target_used: Decimal | str
    completion: Figure
    score: Figure | None
    met: bool | None
    grade: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def weight(self) -> Decimal:
        return self.indicator.weight

    @property
    def applicable(self) -> bool:
        return self.indicator.applicable

    @property
    def lost(self) -> Decimal:
        """Points lost against the weight (0 for a not-applicable indicator)."""
        if self.score is None or self.score.value is None:
            return ZERO
        return self.indicator.weight - self.score.value


@dataclass(frozen=True)
class Evaluation:
    """A scored unit-year: everything a report or an audit needs, each figure explained."""

    unit: UnitProfile
    year: UnitYear
    rulebook: Rulebook
    execution_rate: Figure
    execution_weight: Decimal
    execution_score: Figure
    indicators: tuple[IndicatorScore, ...]
    total: Figure
    grade: str
    adjustment_rate: Figure | None = None
    basic_execution_rate: Figure | None = None
    project_execution_rate: Figure | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def unit_id(self) -> str:
        return self.unit.id

    @property
    def kind_label(self) -> str:
        return "部门整体支出" if self.year.kind == "department" else "项目支出"

    @property
    def staffing(self) -> Staffing | None:
        return self.year.staffing or self.unit.staffing

    def as_dict(self) -> dict[str, object]:
        """The JSON form printed by ``evalkit score --json`` (Decimals as strings)."""
        reported = self.year.reported
        out: dict[str, object] = {
            "unit_id": self.unit.id,
            "unit_name": self.unit.name,
            "year": self.year.year,
            "kind": self.year.kind,
            "rulebook": self.rulebook.name,
            "total": json_number(self.total.value),
            "grade": self.grade,
            "budget_execution": {
                "rate": json_number(self.execution_rate.value),
                "weight": json_number(self.execution_weight),
                "score": json_number(self.execution_score.value),
                "explain": self.execution_score.explain(),
            },
            "indicators": [
                {
                    "name": s.name,
                    "level1": s.indicator.level1,
                    "level2": s.indicator.level2,
                    "op": s.indicator.op,
                    "target": s.indicator.target
                    if isinstance(s.indicator.target, str)
                    else json_number(s.indicator.target),
                    "target_adjusted": json_number(s.indicator.target_adjusted),
                    "unit": s.indicator.unit,
                    "actual": s.indicator.actual
                    if isinstance(s.indicator.actual, str)
                    else json_number(s.indicator.actual),
                    "completion": json_number(s.completion.value),
                    "weight": json_number(s.weight),
                    "score": None if s.score is None else json_number(s.score.value),
                    "applicable": s.applicable,
                    "grade": s.grade,
                    "flags": list(s.flags),
                    "explain": None if s.score is None else s.score.explain(),
                }
                for s in self.indicators
            ],
            "total_explain": self.total.explain(),
            "notes": list(self.notes),
        }
        if reported is not None and (reported.total is not None or reported.grade is not None):
            out["reported"] = {
                "total": json_number(reported.total),
                "grade": reported.grade,
            }
        return out


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
                    formula = f"实际值 {sym} 目标值，得满分"
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
                    formula = f"实际值 {sym} 目标值，得满分"
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
                    formula = f"实际值 {sym} 目标值，得满分"
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
                    formula = f"实际值 {sym} 目标值，得满分"
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


# --------------------------------------------------------------------------- qualitative


def qualitative_grade(indicator: Indicator, rulebook: Rulebook) -> str:
    """达成 / 部分达成 / 未达成 for a 定性 indicator: its ``grade`` or read from its actual text."""
    if indicator.grade:
        return indicator.grade
    rules = rulebook.qualitative
    text = str(indicator.actual or "").strip()
    if text and text == str(indicator.target).strip():
        return "达成"
    for grade, phrases in (
        ("未达成", rules.missed_phrases),
        ("部分达成", rules.partial_phrases),
        ("达成", rules.achieved_phrases),
    ):
        if text in phrases:
            return grade
    for grade, needles in (("未达成", ("未达成", "未完成", "未达到")), ("部分达成", ("部分",)), ("达成", ("达成", "完成", "达到"))):
        if any(n in text for n in needles):
            return grade
    raise ScoringError(
        f"无法从实际完成值“{text}”判断定性指标的完成等级，请填写 grade（达成 / 部分达成 / 未达成）"
    )


@dataclass(frozen=True)
class ScoreBand:
    """The scores a qualitative grade allows: ``[low, high)``, or ``[low, high]`` for the top band.

    >>> from evalkit.core.rulebook import load_rulebook
    >>> band = qualitative_band("部分达成", Decimal(10), load_rulebook("national-default"))
    >>> band.text(), band.contains(Decimal(8)), band.contains(Decimal(6))
    ('[6, 8)', False, True)
    """

    grade: str
    low: Decimal
    high: Decimal
    high_inclusive: bool
    dp: int

    def contains(self, score: Decimal) -> bool:
        if self.high_inclusive:
            return self.low <= score <= self.high
        return self.low <= score < self.high

    def text(self) -> str:
        return f"[{fmt(self.low, self.dp)}, {fmt(self.high, self.dp)}{']' if self.high_inclusive else ')'}"


def qualitative_band(grade: str, weight: Decimal, rulebook: Rulebook) -> ScoreBand:
    """The score band of a qualitative grade for an indicator of ``weight`` (limits rounded like scores)."""
    dp = rulebook.rounding.score_dp
    low, high = rulebook.qualitative.bands[grade]  # type: ignore[index]
    return ScoreBand(
        grade=grade,
        low=round_half_up(low * weight, dp),
        high=round_half_up(high * weight, dp),
        high_inclusive=high == 1,
        dp=dp,
    )


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


def _qualitative(indicator: Indicator, rulebook: Rulebook) -> IndicatorScore:
    rules = rulebook.qualitative
    grade = qualitative_grade(indicator, rulebook)
    w = indicator.weight
    dp = rulebook.rounding.score_dp
    lo_f, hi_f = rules.bands[grade]
    allowed = qualitative_band(grade, w, rulebook)
    band = allowed.text()
    flags: list[str] = []
    if indicator.score is not None:
        s = indicator.score
        if not allowed.contains(s):
            raise ScoringError(
                f"定性指标评为“{grade}”，得分应在 {band} 之间，实际填写 {_n(s)}"
            )
        exact = s
        formula = f"定性指标“{grade}”，评定得分在区间 {band} 内"
        working = f"评定得分 {_n(s)}"
    else:
        fraction = rules.default_fraction.get(grade)
        if fraction is None:
            fraction = (lo_f + hi_f) / 2
            flags.append(f"“{grade}”未填写评定得分，按区间中点（分值的 {fmt(fraction * HUNDRED, 0)}%）计")
        exact = w * fraction
        formula = f"定性指标“{grade}”，得分 = 分值 × {fmt(fraction * HUNDRED, 2)}%"
        working = f"{_n(w)} × {fmt(fraction, 4)} = {fmt(exact, 6)}"
    if indicator.deduction:
        exact = max(ZERO, exact - indicator.deduction)
        working += f"；扣减 {_n(indicator.deduction)}"
    score = Figure(
        value=round_half_up(exact, dp),
        dp=dp,
        formula=formula,
        working=working,
        rule=f"qualitative.{grade}",
        inputs={"完成等级": grade, "分值": w, "得分区间": band},
        exact=exact,
    )
    completion = Figure(value=None, dp=rulebook.rounding.rate_dp, unit="%", formula="定性指标不计完成率", rule="qualitative")
    return IndicatorScore(
        indicator=indicator,
        target_used=indicator.target,
        completion=completion,
        score=score,
        met=grade == "达成",
        grade=grade,
        flags=tuple(flags),
    )


def score_indicator(indicator: Indicator, rulebook: Rulebook) -> IndicatorScore:
    """Score one indicator under ``rulebook``; not-applicable indicators get no score."""
    if not indicator.applicable:
        return IndicatorScore(
            indicator=indicator,
            target_used=indicator.scoring_target,
            completion=Figure(value=None, dp=rulebook.rounding.rate_dp, unit="%", formula="不适用"),
            score=None,
            met=None,
            flags=("不适用，不参与评分",),
        )
    if indicator.is_qualitative:
        return _qualitative(indicator, rulebook)
    target = indicator.scoring_target
    assert isinstance(target, Decimal) and isinstance(indicator.actual, Decimal)
    completion, score, met, flags = score_quantity(
        indicator.op,
        target,
        indicator.actual,
        indicator.weight,
        indicator.unit,
        indicator.deduction,
        rulebook,
    )
    if indicator.target_adjusted is not None:
        flags = (f"按调整指标值 {_n(indicator.target_adjusted)} 评分（原指标值 {_n(indicator.target)}）", *flags)
    return IndicatorScore(
        indicator=indicator,
        target_used=target,
        completion=completion,
        score=score,
        met=met,
        flags=flags,
    )


# --------------------------------------------------------------------------- budget


def _rate(numerator: Decimal | None, denominator: Decimal | None, dp: int, formula: str, names: tuple[str, str]) -> Figure | None:
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


def score_budget_execution(
    year: UnitYear, rulebook: Rulebook, weight: Decimal
) -> tuple[Figure, Figure]:
    """The execution rate (percent) and its score."""
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
    if denominator is None:
        raise ScoringError(f"评分规则要求以{label}为执行率分母，但未填写", field="budget")
    if denominator == 0:
        raise ScoringError(f"{label}为 0，无法计算预算执行率", field="budget")
    rate = _rate(budget.actual, denominator, dp, f"预算执行率 = 实际支出 ÷ {label} × 100%", ("实际支出", label))
    assert rate is not None and rate.exact is not None
    score_dp = rulebook.rounding.execution_score_dp
    score_dp = rulebook.rounding.score_dp if score_dp is None else score_dp
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


def _check_weights(year: UnitYear, rulebook: Rulebook, execution_weight: Decimal) -> list[str]:
    indicator_total = sum((i.weight for i in year.indicators), ZERO)
    total = indicator_total + execution_weight
    if abs(total - rulebook.total_weight) > rulebook.weight_tolerance:
        raise ScoringError(
            f"权重合计为 {_n(total)}（预算执行率 {_n(execution_weight)} + 绩效指标 {_n(indicator_total)}），"
            f"按评分规则“{rulebook.title}”应为 {_n(rulebook.total_weight)}",
            field="indicators[].weight（分值）",
        )
    notes = []
    if year.kind == "project" and rulebook.level1_weights and all(i.level1 for i in year.indicators):
        expected = dict(rulebook.level1_weights)
        present = {(i.level1 or "").split("(")[0].split("（")[0] for i in year.indicators}
        if "满意度指标" not in present and rulebook.missing_satisfaction_to in expected:
            expected[rulebook.missing_satisfaction_to] += expected.pop("满意度指标", ZERO)
        for level1, want in expected.items():
            got = sum((i.weight for i in year.indicators if (i.level1 or "").startswith(level1)), ZERO)
            if got and got != want:
                notes.append(f"一级指标“{level1}”分值合计 {_n(got)}，通行标准为 {_n(want)}")
    return notes


def evaluate(unit: UnitProfile, year: UnitYear, rulebook: Rulebook) -> Evaluation:
    """Score a unit-year under a rulebook.

    Raises :class:`ScoringError` (with the field) when the inputs cannot be scored: weights that
    do not add up, a zero budget, a qualitative score outside its band…
    """
    weight = year.execution_weight if year.execution_weight is not None else rulebook.budget_execution.weight
    notes = _check_weights(year, rulebook, weight)
    rate, execution_score = score_budget_execution(year, rulebook, weight)
    scored = []
    for index, indicator in enumerate(year.indicators):
        try:
            scored.append(score_indicator(indicator, rulebook))
        except ScoringError as exc:
            raise ScoringError(exc.message, field=f"indicators[{index}]（{indicator.name}）") from None
    dp_total = rulebook.rounding.total_dp
    parts = [execution_score.value] + [s.score.value for s in scored if s.score is not None]
    na_weight = sum((s.weight for s in scored if not s.applicable), ZERO)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        raw = sum(parts, ZERO)
        working = " + ".join(fmt(p, 6) for p in parts) + f" = {fmt(raw, 6)}"
        formula = "总分 = 预算执行率得分 + 各指标得分"
        exact = raw
        if na_weight and rulebook.indicators.not_applicable == "renormalise":
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
    )
    budget = year.budget
    dp = rulebook.rounding.rate_dp
    adjustment_rate = _rate(
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
        grade=grade_for(exact, rulebook),
        adjustment_rate=adjustment_rate,
        basic_execution_rate=None
        if basic is None
        else _rate(basic.actual, basic.final, dp, "基本支出执行率 = 基本支出实际支出 ÷ 基本支出全年预算数 × 100%", ("基本支出实际支出", "基本支出全年预算数")),
        project_execution_rate=None
        if project is None
        else _rate(project.actual, project.final, dp, "项目支出执行率 = 项目支出实际支出 ÷ 项目支出全年预算数 × 100%", ("项目支出实际支出", "项目支出全年预算数")),
        notes=tuple(notes),
    )
