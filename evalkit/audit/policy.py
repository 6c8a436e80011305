"""Policy checks: qualitative bands, deviation reasons, over-completion, mid-year values."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalkit.audit.explain import _divide, _shown, _written
from evalkit.audit.findings import HUNDRED, Finding, _code, _finding
from evalkit.audit.recompute import Recomputation, _indicator_field, _score_outside_band
from evalkit.audit.registry import register
from evalkit.core.figures import fmt
from evalkit.core.models import Indicator
from evalkit.core.scoring import over_completed

# --------------------------------------------------------------------------- policy

QUALITATIVE_OUT_OF_BAND = _code("E-QUALITATIVE-OUT-OF-BAND", "error", "定性指标得分不在其完成等级的得分区间内")
DEVIATION_REASON_MISSING = _code("W-DEVIATION-REASON-MISSING", "warning", "得分低于分值却未说明偏差原因")
OVER_COMPLETION_UNEXPLAINED = _code(
    "W-OVER-COMPLETION-UNEXPLAINED", "warning", "实际值超出目标较多（默认 30% 以上，目标可能偏低）却未说明原因"
)
MIDYEAR_MISSING = _code("W-MIDYEAR-MISSING", "warning", "部门整体自评的指标缺少年中监控值")


@register
def qualitative_bands(r: Recomputation) -> Iterator[Finding]:
    """A qualitative score (assigned or printed) must lie in its grade's band."""
    for index, indicator, _ in r.indicators():
        printed = indicator.reported.score if indicator.reported else None
        scores = [("score", "评定得分", indicator.score), ("printed", "报告所列得分", printed)]
        if printed is not None and printed == indicator.score:
            scores = scores[1:]
        for name, label, score in scores:
            band = _score_outside_band(indicator, score, r.rulebook, r.weight(index))
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


@register
def deviation_reasons(r: Recomputation) -> Iterator[Finding]:
    """A score below the weight needs a deviation reason (偏差原因)."""
    for index, indicator, scored in r.indicators():
        if not indicator.applicable or _has_reason(indicator) or indicator.is_unknown("deviation_reason"):
            continue
        score = scored.score.value if scored is not None and scored.score is not None else None
        if score is None and indicator.reported is not None:
            score = indicator.reported.score
        weight = r.weight(index)
        if score is not None and weight is not None and score < weight:
            yield _finding(
                DEVIATION_REASON_MISSING,
                _indicator_field(index, indicator, "deviation_reason"),
                f"{indicator.name}：得分 {fmt(score)} 低于分值 {_written(weight)}，未说明偏差原因",
                indicator=indicator.name,
                recomputed=fmt(score),
            )


@register
def over_completion(r: Recomputation) -> Iterator[Finding]:
    """An actual far above its target needs a reason: the target may have been set too low."""
    ratio = r.rulebook.indicators.over_completion_flag
    for index, indicator, _ in r.indicators():
        target, actual = indicator.scoring_target, indicator.actual
        if ratio is None or not indicator.applicable or _has_reason(indicator) or indicator.is_unknown("deviation_reason"):
            continue
        if indicator.op is None or not isinstance(target, Decimal) or not isinstance(actual, Decimal):
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


@register
def midyear_values(r: Recomputation) -> Iterator[Finding]:
    """A department-overall report gives each indicator's mid-year monitoring value (年中监控值)
    when its form has that column: some indicator has a value, or lists it as unprinted. The
    project table, and department forms with no mid-year column, are not checked."""
    if r.year.kind != "department":
        return
    has_column = any(i.midyear is not None or i.is_unknown("midyear") for i in r.year.indicators)
    if not has_column:
        return
    for index, indicator, _ in r.indicators():
        if indicator.applicable and indicator.midyear is None and not indicator.is_unknown("midyear"):
            yield _finding(
                MIDYEAR_MISSING,
                _indicator_field(index, indicator, "midyear"),
                f"{indicator.name}：缺少年中监控值",
                indicator=indicator.name,
            )


EXECUTION_BELOW_THRESHOLD = _code(
    "W-EXECUTION-BELOW-THRESHOLD-UNEXPLAINED",
    "warning",
    "预算执行率低于评分规则要求说明的下限（如四川 90%），却未说明原因",
)


@register
def execution_threshold(r: Recomputation) -> Iterator[Finding]:
    """Where the rulebook sets one (``budget_execution.explain_below``, Sichuan: 90%), an execution
    rate below it needs a written reason (``narrative.budget_execution``)."""
    limit = r.rulebook.budget_execution.explain_below
    if limit is None:
        return
    reason = r.year.narrative.budget_execution
    if reason and reason.strip():
        return
    rate = r.evaluation.execution_rate.value if r.evaluation is not None else None
    if rate is None:
        rate = r.reported.execution_rate
    if rate is None or rate >= limit:
        return
    yield _finding(
        EXECUTION_BELOW_THRESHOLD,
        "narrative.budget_execution（预算执行说明）",
        f"预算执行率 {fmt(rate, r.rulebook.rounding.rate_dp)}% 低于评分规则“{r.rulebook.title}”要求说明的 "
        f"{fmt(limit, 2)}%，未说明原因",
        recomputed=f"{fmt(rate, r.rulebook.rounding.rate_dp)}%",
    )

