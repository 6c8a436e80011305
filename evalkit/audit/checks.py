"""The audit (复核): recompute every figure a published report printed, and check its inputs.

Published self-evaluations are often wrong: a completion rate with two digits swapped, a missed
target scored full, weights that do not add up to 100. The audit takes a unit-year's inputs,
with the figures the report printed (the ``reported`` blocks), and a rulebook, and returns
:class:`Finding` values. Each finding has a stable code (``docs/audit.md`` lists them all), a
severity, the field or indicator concerned, the printed and the recomputed figure, a Chinese
message and, when some slip reproduces the printed figure exactly, that slip.

Pure: no files, no printing. ``evalkit audit`` and the report's appendix call it. The checks
are a small registry (:data:`CHECKS`); each declares the codes it reports in :data:`CODES`.

A printed figure matches when it is the recomputed one written with the rulebook's decimals,
trailing zeros dropped or not; a figure printed with more decimals is compared at its own.

>>> reproduces(Decimal("10"), Decimal("10.00"), 2), reproduces(Decimal("9"), Decimal("8.62"), 2)
(True, False)
>>> explain(Decimal("101.71"), Decimal("101.1684"), 2, [])
'数字颠倒（101.17 → 101.71）'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import TYPE_CHECKING

from evalkit.core.figures import PRECISION, Figure, decimals_of, fmt, round_half_up, truncate
from evalkit.core.models import (
    Budget,
    Indicator,
    Reported,
    ReportedIndicator,
    UnitProfile,
    UnitYear,
)
from evalkit.core.rulebook import Rulebook, available_rulebooks, load_rulebook
from evalkit.core.scoring import (
    Evaluation,
    IndicatorScore,
    ScoreBand,
    evaluate,
    grade_for,
    over_completed,
    qualitative_band,
    qualitative_grade,
    score_budget_execution,
    score_indicator,
)
from evalkit.core.targets import OP_SYMBOL, convert_money, direction, parse_target
from evalkit.errors import ScoringError

if TYPE_CHECKING:
    from evalkit.inputs.params import LoadedUnitYear

__all__ = [
    "Finding",
    "Code",
    "CODES",
    "CHECKS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "Candidate",
    "Recomputation",
    "audit",
    "audit_unit_year",
    "audit_evaluation",
    "summarise",
    "reproduces",
    "explain",
]

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: Money is in 万元 with two decimals, so every figure of a sum may be off by half a unit in the
#: last place: a sum that misses its total by no more than that is a rounding difference.
MONEY_HALF_UNIT = Decimal("0.005")


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Code:
    """A finding code: its severity and, in Chinese, what the check looks for."""

    code: str
    severity: str
    title: str


#: Every code the audit can report, in the order of ``docs/audit.md``.
CODES: dict[str, Code] = {}


def _code(code: str, severity: str, title: str) -> str:
    assert severity in SEVERITIES and code not in CODES, code
    CODES[code] = Code(code, severity, title)
    return code


@dataclass(frozen=True)
class Finding:
    """One problem the audit found.

    ``printed`` and ``recomputed`` are figures as text with their unit (``101.71%``), ``None``
    when there is none; ``explanation`` is the slip that reproduces the printed figure exactly
    (``数字颠倒（101.17 → 101.71）``), ``None`` when none does or the finding is not about a figure.
    """

    code: str
    severity: str
    field: str
    indicator: str | None
    printed: str | None
    recomputed: str | None
    message: str
    explanation: str | None = None

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _finding(
    code: str,
    field: str,
    message: str,
    *,
    indicator: str | None = None,
    printed: str | None = None,
    recomputed: str | None = None,
    explanation: str | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=CODES[code].severity,
        field=field,
        indicator=indicator,
        printed=printed,
        recomputed=recomputed,
        message=message,
        explanation=explanation,
    )


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by severity: ``{'error': 2, 'warning': 1, 'info': 0}``."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


# --------------------------------------------------------------------------- numbers


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return numerator / denominator


def _percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _divide(numerator, denominator) * HUNDRED


def _written(value: Decimal) -> str:
    """A number as it was written: ``Decimal('304.1')`` → ``304.1``."""
    return fmt(value, decimals_of(value))


def _shown(value: Decimal, unit: str = "") -> str:
    """A printed figure exactly as printed, trailing zeros kept: ``9.90``, ``101.71%``."""
    return f"{fmt(value, decimals_of(value), keep_zeros=True)}{unit}"


_RESULT = re.compile(r" = -?[\d.]+%?")


def _how(figure: Figure) -> str:
    """A figure's computation with its inputs put in: ``96.11 ÷ 95 × 100%``."""
    if figure.working and not figure.working.startswith("="):
        return _RESULT.sub("", figure.working)
    text = figure.formula.split(" = ", 1)[-1]
    for name in sorted(figure.inputs, key=len, reverse=True):
        value = figure.inputs[name]
        if isinstance(value, Decimal):
            text = text.replace(name, _written(value))
    return text


def _formula(figure: Figure) -> str:
    """The general formula's right-hand side: ``实际值 ÷ 目标值 × 100%``."""
    return figure.formula.split(" = ", 1)[-1]


# --------------------------------------------------------------------------- explaining a figure


@dataclass(frozen=True)
class Candidate:
    """Another way the report may have computed a figure: ``exact`` written with ``dp`` decimals.

    ``rulebook`` names the shipped rulebook the candidate comes from, so that several rulebooks
    giving the same figure are named together.
    """

    label: str
    exact: Decimal | None
    dp: int
    rulebook: str | None = None


def reproduces(printed: Decimal, exact: Decimal, dp: int) -> bool:
    """True when ``printed`` is ``exact`` rounded half-up to ``dp`` decimals.

    Trailing zeros may be dropped (``10`` for 10.00) or added (``9.00`` for 9); a figure printed
    with more than ``dp`` decimals is compared at its own precision.

    >>> reproduces(Decimal("9"), Decimal("8.62"), 0), reproduces(Decimal("9.943"), Decimal("9.9433"), 2)
    (True, True)
    """
    if printed == round_half_up(exact, dp):
        return True
    shown = decimals_of(printed)
    return shown > dp and printed == round_half_up(exact, shown)


def _transposed(recomputed: str, printed: str) -> bool:
    """True when ``printed`` is ``recomputed`` with two adjacent digits swapped."""
    if len(recomputed) != len(printed):
        return False
    diffs = [i for i, (a, b) in enumerate(zip(recomputed, printed, strict=True)) if a != b]
    if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
        return False
    i, j = diffs
    return (
        recomputed[i].isdigit()
        and recomputed[j].isdigit()
        and (recomputed[i], recomputed[j]) == (printed[j], printed[i])
    )


def _slips(printed: Decimal, exact: Decimal, dp: int) -> list[Candidate]:
    """The rounding slips any figure may show: integers, one decimal, truncation."""
    shown = decimals_of(printed)
    slips = []
    if dp > 0:
        slips.append(Candidate("取整（四舍五入到整数）", exact, 0))
    if dp > 1:
        slips.append(Candidate("只保留一位小数", exact, 1))
    cut = truncate(exact, shown)
    if cut != round_half_up(exact, shown):
        slips.append(Candidate("截尾（直接舍去多余小数）而非四舍五入", cut, shown))
    return slips


def explain(
    printed: Decimal, exact: Decimal, dp: int, candidates: Iterable[Candidate]
) -> str | None:
    """The slips that reproduce ``printed`` exactly, joined; ``None`` when none does.

    ``exact`` and ``dp`` are the recomputed figure; ``candidates`` are the other ways the report
    may have computed it. Only a candidate that gives the printed figure at its precision counts.

    >>> explain(Decimal("9"), Decimal("8.62"), 2, [])
    '取整（四舍五入到整数）'
    >>> explain(Decimal("8"), Decimal("8.62"), 2, [])
    '截尾（直接舍去多余小数）而非四舍五入'
    """
    labels: list[str] = []
    rulebooks: list[str] = []
    shown = decimals_of(printed)
    recomputed_text = fmt(exact, shown, keep_zeros=True)
    printed_text = fmt(printed, shown, keep_zeros=True)
    if _transposed(recomputed_text, printed_text):
        labels.append(f"数字颠倒（{recomputed_text} → {printed_text}）")
    for candidate in (*_slips(printed, exact, dp), *candidates):
        # Exactly the candidate's figure: ``reproduces`` would also accept 8.6 as 9 "at its precision".
        if candidate.exact is None or printed != round_half_up(candidate.exact, candidate.dp):
            continue
        if candidate.rulebook is not None:
            if candidate.rulebook not in rulebooks:
                rulebooks.append(candidate.rulebook)
        elif candidate.label not in labels:
            labels.append(candidate.label)
    if rulebooks:
        labels.append("按评分规则" + "或".join(f"“{title}”" for title in rulebooks) + "计算")
    return "；或".join(labels) or None


@dataclass(frozen=True)
class _Mismatch:
    printed: str
    recomputed: str
    how: str
    explanation: str | None

    def said(self, what: str, subject: str | None = None) -> str:
        """``职工代表满意度：报告所列完成率 101.71%，按 96.11 ÷ 95 × 100% 重算为 101.17%，疑为…``"""
        head = f"{subject}：" if subject else ""
        tail = f"疑为{self.explanation}" if self.explanation else "未找到能得出该数的算法"
        return f"{head}报告所列{what} {self.printed}，按 {self.how} 重算为 {self.recomputed}，{tail}"


def _compare(
    printed: Decimal,
    figure: Figure,
    candidates: Callable[[], Iterable[Candidate]],
) -> _Mismatch | None:
    """A mismatch between a printed figure and its recomputation, explained when possible."""
    assert figure.exact is not None
    if reproduces(printed, figure.exact, figure.dp):
        return None
    return _Mismatch(
        printed=_shown(printed, figure.unit),
        recomputed=figure.text(),
        how=_how(figure),
        explanation=explain(printed, figure.exact, figure.dp, candidates()),
    )


@lru_cache(maxsize=1)
def _shipped_rulebooks() -> tuple[Rulebook, ...]:
    return tuple(load_rulebook(name) for name in available_rulebooks())


def _other_rulebooks(rulebook: Rulebook) -> Iterator[Rulebook]:
    """The shipped rulebooks other than ``rulebook``: each is a candidate explanation."""
    return (rb for rb in _shipped_rulebooks() if rb.name != rulebook.name)


def _ignoring_weights(rulebook: Rulebook) -> Rulebook:
    """``rulebook`` with the weight-sum check switched off: the audit reports that one itself."""
    return rulebook.model_copy(update={"weight_tolerance": Decimal("Infinity")})


def _try_evaluate(profile: UnitProfile, year: UnitYear, rulebook: Rulebook) -> Evaluation | None:
    try:
        return evaluate(profile, year, _ignoring_weights(rulebook))
    except ScoringError:
        return None


def _try_score(indicator: Indicator, rulebook: Rulebook) -> IndicatorScore | None:
    try:
        return score_indicator(indicator, rulebook)
    except ScoringError:
        return None


# --------------------------------------------------------------------------- recomputation

SCORING_FAILED = _code("E-SCORING-FAILED", "error", "输入无法评分（零预算、无法判断的定性等级等）")
WEIGHTS_SUM = _code("E-WEIGHTS-SUM", "error", "各项分值之和不等于评分规则的满分")


@dataclass(frozen=True)
class Recomputation:
    """A unit-year's inputs and what could be recomputed from them.

    ``evaluation`` is ``None`` when the unit-year cannot be scored (a zero budget…);
    ``scores`` holds, per indicator, its score when it can be scored on its own. ``complete`` is
    false when some indicator could not be scored: the total and grade are then not compared.
    The weight-sum check is switched off in ``evaluation``: the audit reports it as a finding.
    """

    profile: UnitProfile
    year: UnitYear
    rulebook: Rulebook
    evaluation: Evaluation | None
    scores: tuple[IndicatorScore | None, ...]
    complete: bool

    @property
    def reported(self) -> Reported:
        return self.year.reported or Reported()

    def indicators(self) -> Iterator[tuple[int, Indicator, IndicatorScore | None]]:
        for index, indicator in enumerate(self.year.indicators):
            yield index, indicator, self.scores[index]


def _indicator_field(index: int, indicator: Indicator, name: str | None = None) -> str:
    """``indicators[7].reported.completion（报告所列完成率）``; a printed figure's name wins."""
    if name is None:
        return f"indicators[{index}]（{indicator.name}）"
    if name in ReportedIndicator.model_fields:
        return f"indicators[{index}].reported.{name}（{ReportedIndicator.model_fields[name].title}）"
    return f"indicators[{index}].{name}（{Indicator.model_fields[name].title}）"


def _recompute(
    profile: UnitProfile, year: UnitYear, rulebook: Rulebook
) -> tuple[Recomputation, list[Finding]]:
    """Score what can be scored; the scoring failures become findings instead of exceptions."""
    problems: list[Finding] = []
    scores: list[IndicatorScore | None] = []
    for index, indicator in enumerate(year.indicators):
        try:
            scores.append(score_indicator(indicator, rulebook))
        except ScoringError as exc:
            scores.append(None)
            if _score_outside_band(indicator, indicator.score, rulebook) is None:
                problems.append(
                    _finding(
                        SCORING_FAILED,
                        _indicator_field(index, indicator),
                        f"{indicator.name}：无法评分：{exc.message}；该指标得分、总分与等级未复核",
                        indicator=indicator.name,
                    )
                )
    unscorable = {i for i, s in enumerate(scores) if s is None and year.indicators[i].applicable}
    # Unscorable indicators are set aside so that the rest (execution, other indicators) is
    # still recomputed; the total is then incomplete and not compared.
    scorable = year.model_copy(
        update={
            "indicators": [
                ind.model_copy(update={"applicable": False}) if i in unscorable else ind
                for i, ind in enumerate(year.indicators)
            ]
        }
    )
    strict_error: ScoringError | None = None
    lenient_error: ScoringError | None = None
    evaluation: Evaluation | None = None
    try:
        evaluation = evaluate(profile, scorable, rulebook)
    except ScoringError as exc:
        strict_error = exc
        try:
            evaluation = evaluate(profile, scorable, _ignoring_weights(rulebook))
        except ScoringError as again:
            lenient_error = again
    # The weight tolerance is used only by the weight-sum check, which scoring runs first: when
    # relaxing it changes the outcome, the strict failure was that check.
    if strict_error is not None and (lenient_error is None or lenient_error.message != strict_error.message):
        total = sum((i.weight for i in year.indicators), ZERO)
        if evaluation is not None:
            total += evaluation.execution_weight
        problems.append(
            _finding(
                WEIGHTS_SUM,
                strict_error.field or "indicators[].weight（分值）",
                f"{strict_error.message}；以下仍按各项分值逐项复核",
                printed=None,
                recomputed=fmt(total) if evaluation is not None else None,
            )
        )
    if lenient_error is not None:
        problems.append(
            _finding(
                SCORING_FAILED,
                lenient_error.field or "budget",
                f"无法评分：{lenient_error.message}；预算执行率、总分与等级未复核",
            )
        )
    recomputation = Recomputation(
        profile=profile,
        year=year,
        rulebook=rulebook,
        evaluation=evaluation,
        scores=tuple(scores),
        complete=evaluation is not None and not unscorable,
    )
    return recomputation, problems


# --------------------------------------------------------------------------- the registry

Check = Callable[[Recomputation], Iterable[Finding]]

#: The checks, run in this order. Each takes a :class:`Recomputation` and yields findings.
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    """Register a check."""
    CHECKS.append(func)
    return func


def audit(profile: UnitProfile, year: UnitYear, rulebook: Rulebook) -> list[Finding]:
    """Audit one unit-year under ``rulebook``: every finding, errors first.

    Never raises for inputs that cannot be scored: the scoring failure is a finding
    (``E-SCORING-FAILED``, ``E-WEIGHTS-SUM``) and the rest is still checked.
    """
    recomputation, findings = _recompute(profile, year, rulebook)
    for run in CHECKS:
        findings.extend(run(recomputation))
    order = {severity: rank for rank, severity in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


def audit_unit_year(loaded: LoadedUnitYear) -> list[Finding]:
    """Audit a loaded unit-year (:func:`evalkit.inputs.params.load_unit_year`) under its rulebook."""
    return audit(loaded.profile, loaded.year, loaded.rulebook)


def audit_evaluation(evaluation: Evaluation) -> list[Finding]:
    """Audit the inputs of an evaluation under its rulebook (for a report's appendix)."""
    return audit(evaluation.unit, evaluation.year, evaluation.rulebook)


# --------------------------------------------------------------------------- year-level figures

EXECUTION_RATE_MISMATCH = _code("E-EXECUTION-RATE-MISMATCH", "error", "报告所列预算执行率与重算结果不符")
EXECUTION_SCORE_MISMATCH = _code("E-EXECUTION-SCORE-MISMATCH", "error", "报告所列执行率得分与重算结果不符")
ADJUSTMENT_RATE_MISMATCH = _code("E-ADJUSTMENT-RATE-MISMATCH", "error", "报告所列预算调整率与重算结果不符")
BASIC_RATE_MISMATCH = _code("E-BASIC-RATE-MISMATCH", "error", "报告所列基本支出执行率与重算结果不符")
PROJECT_RATE_MISMATCH = _code("E-PROJECT-RATE-MISMATCH", "error", "报告所列项目支出执行率与重算结果不符")
TOTAL_MISMATCH = _code("E-TOTAL-MISMATCH", "error", "报告所列总分与重算结果不符")
GRADE_MISMATCH = _code("E-GRADE-MISMATCH", "error", "报告所列等级与重算结果不符")
SCORE_ABOVE_WEIGHT = _code("E-SCORE-ABOVE-WEIGHT", "error", "报告所列得分超过分值（或总分超过满分）")


@dataclass(frozen=True)
class _ExecutionVariant:
    """Budget execution computed another way (``rulebook``: the shipped rulebook's title)."""

    label: str
    rate: Figure
    score: Figure
    rulebook: str | None = None


def _execution_variants(r: Recomputation) -> Iterator[_ExecutionVariant]:
    assert r.evaluation is not None
    weight = r.evaluation.execution_weight
    rules = r.rulebook.budget_execution
    changes: list[tuple[str, dict[str, object]]] = [
        ("", {"denominator": d}) for d in ("final", "initial", "initial_plus_adjustment") if d != rules.denominator
    ]
    if rules.cap:
        changes.append(("执行率得分未封顶（超过分值）", {"cap": False}))
    for label, change in changes:
        other = r.rulebook.model_copy(update={"budget_execution": rules.model_copy(update=change)})
        try:
            rate, score = score_budget_execution(r.year, other, weight)
        except ScoringError:
            continue
        yield _ExecutionVariant(label or f"按 {_formula(rate)}（{_how(rate)}）计算执行率", rate, score)
    for rulebook in _other_rulebooks(r.rulebook):
        try:
            rate, score = score_budget_execution(r.year, rulebook, weight)
        except ScoringError:
            continue
        yield _ExecutionVariant("", rate, score, rulebook=rulebook.title)


def _execution_rate_candidates(r: Recomputation) -> list[Candidate]:
    return [Candidate(v.label, v.rate.exact, v.rate.dp, v.rulebook) for v in _execution_variants(r)]


def _execution_score_candidates(r: Recomputation) -> list[Candidate]:
    assert r.evaluation is not None
    out = [Candidate(v.label, v.score.exact, v.score.dp, v.rulebook) for v in _execution_variants(r)]
    printed_rate = r.reported.execution_rate
    if printed_rate is not None and printed_rate != r.evaluation.execution_rate.value:
        weight = r.evaluation.execution_weight
        exact = min(weight * printed_rate / HUNDRED, weight)
        label = f"按报告所列执行率 {_shown(printed_rate, '%')} 计分"
        out.append(Candidate(label, exact, r.evaluation.execution_score.dp))
    return out


_BUDGET_FIGURE_NAMES = {
    "adjustment_amount": "年中调整数",
    "initial": "年初预算数",
    "final": "全年预算数",
    "basic.actual": "基本支出实际支出",
    "basic.initial": "基本支出年初预算数",
    "project.actual": "项目支出实际支出",
    "project.initial": "项目支出年初预算数",
}


def _budget_figure(budget: Budget, path: str) -> Decimal | None:
    """``basic.actual`` → ``budget.basic.actual`` (``None`` when any step is missing)."""
    value: object = budget
    for part in path.split("."):
        value = getattr(value, part, None)
    return value if isinstance(value, Decimal) else None


def _budget_ratio_candidates(numerator: str, denominator: str) -> Callable[[Recomputation], list[Candidate]]:
    """Candidates for a budget ratio: the same numerator over another budget figure."""

    def candidates(r: Recomputation) -> list[Candidate]:
        top, bottom = _budget_figure(r.year.budget, numerator), _budget_figure(r.year.budget, denominator)
        value = _percent(top, bottom)
        if value is None or top is None or bottom is None:
            return []
        names = f"{_BUDGET_FIGURE_NAMES[numerator]} ÷ {_BUDGET_FIGURE_NAMES[denominator]}"
        label = f"按 {names}（{_written(top)} ÷ {_written(bottom)}）计算"
        return [Candidate(label, value, r.rulebook.rounding.rate_dp)]

    return candidates


def _printed_parts(r: Recomputation) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """The scores the report printed: (name, printed score or None, weight or None if unknown)."""
    weight = r.evaluation.execution_weight if r.evaluation is not None else None
    parts = [("预算执行率", r.reported.execution_score, weight)]
    parts += [
        (i.name, i.reported.score if i.reported else None, i.weight)
        for i in r.year.indicators
        if i.applicable
    ]
    return parts


def _parts_candidates(r: Recomputation, dp: int) -> list[Candidate]:
    """Totals the report may have added up from its own printed scores."""
    parts = _printed_parts(r)
    if any(score is None for _, score, _ in parts):
        return []
    listed = sum((score for _, score, _ in parts if score is not None), ZERO)
    out = [Candidate(f"按报告所列各项得分之和 {_written(listed)} 计", listed, dp)]
    for name, score, weight in parts:
        if score is not None and weight is not None and score < weight:
            label = f"合计时把“{name}”按满分 {_written(weight)} 计入（所列得分为 {_written(score)}）"
            out.append(Candidate(label, listed - score + weight, dp))
    return out


def _without_adjusted_targets(year: UnitYear) -> UnitYear | None:
    if not any(i.target_adjusted is not None for i in year.indicators):
        return None
    return year.model_copy(
        update={"indicators": [i.model_copy(update={"target_adjusted": None}) for i in year.indicators]}
    )


def _total_candidates(r: Recomputation) -> list[Candidate]:
    assert r.evaluation is not None
    out = _parts_candidates(r, r.evaluation.total.dp)
    original = _without_adjusted_targets(r.year)
    if original is not None:
        e = _try_evaluate(r.profile, original, r.rulebook)
        if e is not None:
            out.append(Candidate("按原指标值（不用调整指标值）计分", e.total.exact, e.total.dp))
    for rulebook in _other_rulebooks(r.rulebook):
        e = _try_evaluate(r.profile, r.year, rulebook)
        if e is not None:
            out.append(Candidate("", e.total.exact, e.total.dp, rulebook=rulebook.title))
    return out


@dataclass(frozen=True)
class _YearFigure:
    """A year-level figure a report prints: where it is in ``Reported`` and how to recompute it."""

    name: str
    code: str
    figure: Callable[[Evaluation], Figure | None]
    candidates: Callable[[Recomputation], list[Candidate]]
    maximum: Callable[[Recomputation], Decimal | None] = lambda r: None

    @property
    def title(self) -> str:
        return str(Reported.model_fields[self.name].title)


_YEAR_FIGURES = (
    _YearFigure("execution_rate", EXECUTION_RATE_MISMATCH, lambda e: e.execution_rate, _execution_rate_candidates),
    _YearFigure(
        "execution_score",
        EXECUTION_SCORE_MISMATCH,
        lambda e: e.execution_score,
        _execution_score_candidates,
        maximum=lambda r: r.evaluation.execution_weight if r.evaluation else None,
    ),
    _YearFigure(
        "adjustment_rate",
        ADJUSTMENT_RATE_MISMATCH,
        lambda e: e.adjustment_rate,
        _budget_ratio_candidates("adjustment_amount", "final"),
    ),
    _YearFigure(
        "basic_execution_rate",
        BASIC_RATE_MISMATCH,
        lambda e: e.basic_execution_rate,
        _budget_ratio_candidates("basic.actual", "basic.initial"),
    ),
    _YearFigure(
        "project_execution_rate",
        PROJECT_RATE_MISMATCH,
        lambda e: e.project_execution_rate,
        _budget_ratio_candidates("project.actual", "project.initial"),
    ),
    _YearFigure(
        "total",
        TOTAL_MISMATCH,
        lambda e: e.total,
        _total_candidates,
        maximum=lambda r: r.rulebook.total_weight,
    ),
)


@check
def printed_year_figures(r: Recomputation) -> Iterator[Finding]:
    """Each year-level figure the report printed against its recomputation."""
    for spec in _YEAR_FIGURES:
        printed = getattr(r.reported, spec.name)
        if printed is None:
            continue
        field = f"reported.{spec.name}（{spec.title}）"
        what = spec.title.removeprefix("报告所列")
        limit = spec.maximum(r)
        if limit is not None and printed > limit:
            yield _finding(
                SCORE_ABOVE_WEIGHT,
                field,
                f"报告所列{what} {_shown(printed)} 超过其满分 {_written(limit)}",
                printed=_shown(printed),
                recomputed=_written(limit),
            )
            continue
        if r.evaluation is None or (spec.name == "total" and not r.complete):
            continue
        figure = spec.figure(r.evaluation)
        if figure is None or figure.exact is None:
            continue
        mismatch = _compare(printed, figure, lambda spec=spec: spec.candidates(r))
        if mismatch is not None:
            yield _finding(
                spec.code,
                field,
                mismatch.said(what),
                printed=mismatch.printed,
                recomputed=mismatch.recomputed,
                explanation=mismatch.explanation,
            )


@check
def printed_grade(r: Recomputation) -> Iterator[Finding]:
    """The grade the report printed against the grade of the recomputed total."""
    printed = r.reported.grade
    if printed is None or r.evaluation is None or not r.complete or printed == r.evaluation.grade:
        return
    e = r.evaluation
    labels = []
    if r.reported.total is not None and grade_for(r.reported.total, r.rulebook) == printed:
        labels.append(f"按报告所列总分 {_shown(r.reported.total)} 评定")
    titles = [rb.title for rb in _other_rulebooks(r.rulebook) if grade_for(e.total.exact or ZERO, rb) == printed]
    if titles:
        labels.append("按评分规则" + "或".join(f"“{t}”" for t in titles) + "的等级区间评定")
    explanation = "；或".join(labels) or None
    tail = f"疑为{explanation}" if explanation else "未找到能得出该等级的算法"
    yield _finding(
        GRADE_MISMATCH,
        f"reported.grade（{Reported.model_fields['grade'].title}）",
        f"报告所列等级“{printed}”，按重算总分 {e.total.text()} 应为“{e.grade}”，{tail}",
        printed=printed,
        recomputed=e.grade,
        explanation=explanation,
    )


# --------------------------------------------------------------------------- indicator figures

COMPLETION_MISMATCH = _code("E-COMPLETION-MISMATCH", "error", "报告所列完成率与重算结果不符")
SCORE_MISMATCH = _code("E-SCORE-MISMATCH", "error", "报告所列指标得分与重算结果不符")
MISSED_TARGET_FULL_SCORE = _code("E-MISSED-TARGET-FULL-SCORE", "error", "未完成目标却得满分")
MET_TARGET_DOCKED = _code("E-MET-TARGET-DOCKED", "error", "已完成目标却被扣分，且未列明扣减分数")


def _printed_target(indicator: Indicator) -> Decimal | str | None:
    """The target the report printed, as a number in the indicator's unit when it is one."""
    printed = indicator.reported.target if indicator.reported else None
    if not isinstance(printed, str):
        return printed
    try:
        _, value, unit = parse_target(printed)
        if isinstance(value, Decimal):
            return convert_money(value, unit, indicator.unit)
    except ValueError:
        pass
    return printed.strip()


def _other_targets(indicator: Indicator) -> list[tuple[str, Decimal]]:
    """Targets other than the one scored against: the original one, the one the report printed."""
    used = indicator.scoring_target
    out: list[tuple[str, Decimal]] = []
    if indicator.target_adjusted is not None and isinstance(indicator.target, Decimal):
        out.append((f"原指标值 {_written(indicator.target)}", indicator.target))
    printed = _printed_target(indicator)
    if isinstance(printed, Decimal) and printed != used and all(printed != t for _, t in out):
        out.append((f"报告所列指标值 {_written(printed)}", printed))
    return out


_OPPOSITE = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
_KIND_WORDS = {"positive": "正向", "reverse": "反向"}


@dataclass(frozen=True)
class _Variant:
    """The indicator scored another way: against another target, the other way round, or
    under another shipped rulebook."""

    scored: IndicatorScore
    target: str = ""
    swapped: str = ""
    rulebook: str | None = None

    def completion_label(self) -> str:
        how = f"按 {_formula(self.scored.completion)}（{_how(self.scored.completion)}）计算"
        if self.swapped:
            return f"{self._against()}{how}，即{self.swapped}"
        return f"按{self.target} 计算（{_how(self.scored.completion)}）"

    def score_label(self) -> str:
        if self.swapped:
            return f"{self._against()}{self.swapped}计分"
        assert self.scored.score is not None
        return f"按{self.target} 计分（{_how(self.scored.score)}）"

    def _against(self) -> str:
        return f"以{self.target}为目标，" if self.target else ""


def _indicator_variants(indicator: Indicator, rulebook: Rulebook) -> Iterator[_Variant]:
    targets: list[tuple[str, Decimal | str]] = [("", indicator.scoring_target), *_other_targets(indicator)]
    opposite = _OPPOSITE.get(indicator.op)
    for name, target in targets:
        base = indicator.model_copy(update={"target": target, "target_adjusted": None})
        scored = _try_score(base, rulebook) if name else None
        if scored is not None:
            yield _Variant(scored, target=name)
        if opposite is None:
            continue
        swapped = _try_score(base.model_copy(update={"op": opposite}), rulebook)
        if swapped is not None:
            was = f"{_KIND_WORDS[direction(indicator.op)]}（{OP_SYMBOL[indicator.op]}）"
            now = f"{_KIND_WORDS[direction(opposite)]}（{OP_SYMBOL[opposite]}）"
            yield _Variant(swapped, target=name, swapped=f"把{was}指标当作{now}指标")
    for other in _other_rulebooks(rulebook):
        scored = _try_score(indicator, other)
        if scored is not None:
            yield _Variant(scored, rulebook=other.title)


def _completion_candidates(indicator: Indicator, rulebook: Rulebook) -> list[Candidate]:
    out = [
        Candidate(v.completion_label(), v.scored.completion.exact, v.scored.completion.dp, v.rulebook)
        for v in _indicator_variants(indicator, rulebook)
    ]
    if indicator.unit == "%" and isinstance(indicator.actual, Decimal):
        out.append(Candidate(f"把实际值 {_written(indicator.actual)}% 当作完成率", indicator.actual, rulebook.rounding.rate_dp))
    return out


def _score_candidates(indicator: Indicator, scored: IndicatorScore, rulebook: Rulebook) -> list[Candidate]:
    assert scored.score is not None
    dp, weight = scored.score.dp, indicator.weight
    out = [
        Candidate(v.score_label(), v.scored.score.exact, v.scored.score.dp, v.rulebook)
        for v in _indicator_variants(indicator, rulebook)
        if v.scored.score is not None
    ]
    if scored.score.value is not None and scored.score.value < weight:
        out.append(Candidate(f"填入了分值 {_written(weight)}（满分）而非得分", weight, dp))
    if indicator.unit == "%" and isinstance(indicator.actual, Decimal):
        out.append(
            Candidate(
                f"按 分值 × 实际值（{_written(weight)} × {_written(indicator.actual)}%）计算，未除以目标值",
                weight * indicator.actual / HUNDRED,
                dp,
            )
        )
    printed_completion = indicator.reported.completion if indicator.reported else None
    if printed_completion is not None:
        out.append(
            Candidate(
                f"按报告所列完成率 {_shown(printed_completion, '%')} 计分",
                min(weight * printed_completion / HUNDRED, weight),
                dp,
            )
        )
    return out


@check
def printed_completion_rates(r: Recomputation) -> Iterator[Finding]:
    """Each indicator's printed completion rate against its recomputation."""
    for index, indicator, scored in r.indicators():
        printed = indicator.reported.completion if indicator.reported else None
        if printed is None or scored is None or scored.completion.exact is None:
            continue
        mismatch = _compare(printed, scored.completion, lambda i=indicator: _completion_candidates(i, r.rulebook))
        if mismatch is not None:
            yield _finding(
                COMPLETION_MISMATCH,
                _indicator_field(index, indicator, "completion"),
                mismatch.said("完成率", indicator.name),
                indicator=indicator.name,
                printed=mismatch.printed,
                recomputed=mismatch.recomputed,
                explanation=mismatch.explanation,
            )


def _target_text(indicator: Indicator, target: Decimal | str) -> str:
    if isinstance(target, str):
        return target
    return f"{OP_SYMBOL[indicator.op]} {_written(target)}{indicator.unit}"


@check
def printed_scores(r: Recomputation) -> Iterator[Finding]:
    """Each indicator's printed score: above its weight, a missed target scored full, a met
    target docked, or simply different from the recomputed score."""
    for index, indicator, scored in r.indicators():
        printed = indicator.reported.score if indicator.reported else None
        if printed is None or not indicator.applicable:
            continue
        field = _indicator_field(index, indicator, "score")
        weight = indicator.weight
        if printed > weight:
            yield _finding(
                SCORE_ABOVE_WEIGHT,
                field,
                f"{indicator.name}：报告所列得分 {_shown(printed)} 超过该指标分值 {_written(weight)}",
                indicator=indicator.name,
                printed=_shown(printed),
                recomputed=_written(weight),
            )
            continue
        if scored is None or scored.score is None or scored.score.exact is None:
            continue
        if indicator.is_qualitative and _score_outside_band(indicator, printed, r.rulebook) is not None:
            continue  # the band check says it better
        mismatch = _compare(printed, scored.score, lambda i=indicator, s=scored: _score_candidates(i, s, r.rulebook))
        if mismatch is None:
            continue
        assert scored.score.value is not None
        code, message = SCORE_MISMATCH, mismatch.said("得分", indicator.name)
        if not indicator.is_qualitative and isinstance(indicator.actual, Decimal):
            target = _target_text(indicator, scored.target_used)
            actual = f"{_written(indicator.actual)}{indicator.unit}"
            if printed == weight and scored.met is False:
                code = MISSED_TARGET_FULL_SCORE
                message = (
                    f"{indicator.name}：目标 {target} 未完成（实际 {actual}），报告却给满分 {_shown(printed)}；"
                    f"按 {mismatch.how} 应得 {mismatch.recomputed}"
                )
            elif scored.met and scored.score.value == weight:
                code = MET_TARGET_DOCKED
                message = (
                    f"{indicator.name}：目标 {target} 已完成（实际 {actual}），应得满分 {mismatch.recomputed}，"
                    f"报告只给 {_shown(printed)}，参数中也没有扣减分数（deduction）"
                )
            if code != SCORE_MISMATCH and mismatch.explanation:
                message += f"，疑为{mismatch.explanation}"
        yield _finding(
            code,
            field,
            message,
            indicator=indicator.name,
            printed=mismatch.printed,
            recomputed=mismatch.recomputed,
            explanation=mismatch.explanation,
        )


# --------------------------------------------------------------------------- targets

TARGET_MISMATCH = _code("W-TARGET-MISMATCH", "warning", "报告所列指标值与评分所用的年度指标值不同")
ADJUSTED_TARGET_UNSTATED = _code(
    "W-ADJUSTED-TARGET-UNSTATED", "warning", "评分用了调整指标值，报告却未写明（报告所列仍为原指标值或未列）"
)


def _what_if(r: Recomputation, index: int, target: Decimal) -> str:
    """The indicator's score, and the total and grade, had it been scored against ``target``."""
    indicator = r.year.indicators[index]
    changed = indicator.model_copy(update={"target": target, "target_adjusted": None})
    scored = _try_score(changed, r.rulebook)
    if scored is None or scored.score is None:
        return ""
    text = f"；按 {_target_text(indicator, target)} 计，该指标应得 {scored.score.text()}"
    current = r.scores[index]
    if current is not None and current.score is not None:
        if current.score.value == scored.score.value:
            return f"{text}，得分不受影响"
        text += f"（现为 {current.score.text()}）"
    indicators = list(r.year.indicators)
    indicators[index] = changed
    e = _try_evaluate(r.profile, r.year.model_copy(update={"indicators": indicators}), r.rulebook)
    if e is not None and r.evaluation is not None and r.complete:
        text += f"，总分 {e.total.text()}（{e.grade}），而非 {r.evaluation.total.text()}（{r.evaluation.grade}）"
    return text


@check
def stated_targets(r: Recomputation) -> Iterator[Finding]:
    """The target the report printed against the target scored against."""
    for index, indicator, _ in r.indicators():
        if indicator.reported is None or not indicator.applicable:
            continue
        printed = _printed_target(indicator)
        shown = None if printed is None else _target_text(indicator, printed)
        field = _indicator_field(index, indicator, "target")
        if indicator.target_adjusted is not None:
            if printed == indicator.target_adjusted:
                continue
            original = _target_text(indicator, indicator.target)
            adjusted = _target_text(indicator, indicator.target_adjusted)
            if printed is None:
                said = "报告未列出指标值"
            elif printed == indicator.target:
                said = f"报告所列仍为原指标值 {original}"
            else:
                said = f"报告所列指标值 {shown} 既非原指标值 {original} 也非调整指标值"
            what_if_target = printed if isinstance(printed, Decimal) else indicator.target
            assert isinstance(what_if_target, Decimal)
            yield _finding(
                ADJUSTED_TARGET_UNSTATED,
                field,
                f"{indicator.name}：评分所用的调整指标值 {adjusted} 报告未写明，{said}"
                f"{_what_if(r, index, what_if_target)}",
                indicator=indicator.name,
                printed=shown,
                recomputed=adjusted,
            )
        elif printed is not None and printed != indicator.target:
            expected = _target_text(indicator, indicator.target)
            extra = _what_if(r, index, printed) if isinstance(printed, Decimal) else ""
            yield _finding(
                TARGET_MISMATCH,
                field,
                f"{indicator.name}：报告所列指标值 {shown} 与评分所用年度指标值 {expected} 不同{extra}",
                indicator=indicator.name,
                printed=shown,
                recomputed=expected,
            )


# --------------------------------------------------------------------------- policy

QUALITATIVE_OUT_OF_BAND = _code("E-QUALITATIVE-OUT-OF-BAND", "error", "定性指标得分不在其完成等级的得分区间内")
DEVIATION_REASON_MISSING = _code("W-DEVIATION-REASON-MISSING", "warning", "得分低于分值却未说明偏差原因")
OVER_COMPLETION_UNEXPLAINED = _code(
    "W-OVER-COMPLETION-UNEXPLAINED", "warning", "实际值超出目标较多（默认 30% 以上，目标可能偏低）却未说明原因"
)
MIDYEAR_MISSING = _code("W-MIDYEAR-MISSING", "warning", "部门整体自评的指标缺少年中监控值")


def _score_outside_band(indicator: Indicator, score: Decimal | None, rulebook: Rulebook) -> ScoreBand | None:
    """The band a qualitative score falls outside of, or ``None`` (inside, or not qualitative)."""
    if score is None or not indicator.is_qualitative or not indicator.applicable:
        return None
    try:
        grade = qualitative_grade(indicator, rulebook)
    except ScoringError:
        return None
    band = qualitative_band(grade, indicator.weight, rulebook)
    return None if band.contains(score) else band


@check
def qualitative_bands(r: Recomputation) -> Iterator[Finding]:
    """A qualitative score (assigned or printed) must lie in its grade's band."""
    for index, indicator, _ in r.indicators():
        printed = indicator.reported.score if indicator.reported else None
        scores = [("score", "评定得分", indicator.score), ("printed", "报告所列得分", printed)]
        if printed is not None and printed == indicator.score:
            scores = scores[1:]
        for name, label, score in scores:
            band = _score_outside_band(indicator, score, r.rulebook)
            if band is None or score is None:
                continue
            yield _finding(
                QUALITATIVE_OUT_OF_BAND,
                _indicator_field(index, indicator, "score"),
                f"{indicator.name}：定性指标评为“{band.grade}”，得分应在 {band.text()} 之间，{label}为 {_shown(score)}",
                indicator=indicator.name,
                printed=_shown(score) if name == "printed" else None,
                recomputed=band.text(),
            )


def _has_reason(indicator: Indicator) -> bool:
    return bool(indicator.deviation_reason and indicator.deviation_reason.strip())


@check
def deviation_reasons(r: Recomputation) -> Iterator[Finding]:
    """A score below the weight needs a deviation reason (偏差原因)."""
    for index, indicator, scored in r.indicators():
        if not indicator.applicable or _has_reason(indicator):
            continue
        score = scored.score.value if scored is not None and scored.score is not None else None
        if score is None and indicator.reported is not None:
            score = indicator.reported.score
        if score is not None and score < indicator.weight:
            yield _finding(
                DEVIATION_REASON_MISSING,
                _indicator_field(index, indicator, "deviation_reason"),
                f"{indicator.name}：得分 {fmt(score)} 低于分值 {_written(indicator.weight)}，未说明偏差原因",
                indicator=indicator.name,
                recomputed=fmt(score),
            )


@check
def over_completion(r: Recomputation) -> Iterator[Finding]:
    """An actual far above its target needs a reason: the target may have been set too low."""
    ratio = r.rulebook.indicators.over_completion_flag
    for index, indicator, _ in r.indicators():
        target, actual = indicator.scoring_target, indicator.actual
        if ratio is None or not indicator.applicable or _has_reason(indicator):
            continue
        if not isinstance(target, Decimal) or not isinstance(actual, Decimal):
            continue
        if over_completed(indicator.op, target, actual, r.rulebook):
            share = fmt(_divide(actual, target) * HUNDRED, r.rulebook.rounding.rate_dp)
            yield _finding(
                OVER_COMPLETION_UNEXPLAINED,
                _indicator_field(index, indicator, "deviation_reason"),
                f"{indicator.name}：实际 {_written(actual)}{indicator.unit} 为目标 {_written(target)}{indicator.unit} 的 "
                f"{share}%，超出 {fmt((ratio - 1) * HUNDRED, 0)}% 以上，未说明原因（目标是否偏低）",
                indicator=indicator.name,
                recomputed=f"{share}%",
            )


@check
def midyear_values(r: Recomputation) -> Iterator[Finding]:
    """A department-overall report gives each indicator's mid-year monitoring value (年中监控值);
    the project table has no such column."""
    if r.year.kind != "department":
        return
    for index, indicator, _ in r.indicators():
        if indicator.applicable and indicator.midyear is None:
            yield _finding(
                MIDYEAR_MISSING,
                _indicator_field(index, indicator, "midyear"),
                f"{indicator.name}：缺少年中监控值",
                indicator=indicator.name,
            )


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


@check
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


@check
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
        if reproduces(total, listed, dp):
            return
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


@check
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
