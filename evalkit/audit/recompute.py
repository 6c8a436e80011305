"""Recomputation: score what can be scored; scoring failures become findings, not exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from evalkit.audit.explain import _ignoring_weights
from evalkit.audit.findings import ZERO, Finding, _code, _finding
from evalkit.core.blocks import indicator_weights
from evalkit.core.figures import fmt
from evalkit.core.models import Indicator, Reported, ReportedIndicator, UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import (
    Evaluation,
    IndicatorScore,
    ScoreBand,
    evaluate,
    qualitative_band,
    qualitative_grade,
    score_indicator,
)
from evalkit.errors import ScoringError

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
    weights: tuple[Decimal | None, ...] = ()

    def weight(self, index: int) -> Decimal | None:
        """The weight indicator ``index`` is scored with (its own or a block's share); None when unknown."""
        return self.weights[index] if index < len(self.weights) else self.year.indicators[index].weight

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
    weights = indicator_weights(year)
    for index, indicator in enumerate(year.indicators):
        try:
            scores.append(score_indicator(indicator, rulebook, weights[index]))
        except ScoringError as exc:
            scores.append(None)
            if _score_outside_band(indicator, indicator.score, rulebook, weights[index].value) is None:
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
        total = sum((w.value for w in weights if w.value is not None), ZERO)
        if evaluation is not None and evaluation.execution_weight is not None:
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
        complete=evaluation is not None and not unscorable and evaluation.total_status == "complete",
        weights=tuple(w.value for w in weights),
    )
    return recomputation, problems



def _score_outside_band(
    indicator: Indicator, score: Decimal | None, rulebook: Rulebook, weight: Decimal | None
) -> ScoreBand | None:
    """The band a qualitative score falls outside of, or ``None`` (inside, not qualitative, weight unknown)."""
    if score is None or weight is None or not indicator.is_qualitative or not indicator.applicable:
        return None
    try:
        grade = qualitative_grade(indicator, rulebook)
    except ScoringError:
        return None
    band = qualitative_band(grade, weight, rulebook)
    return None if band.contains(score) else band


