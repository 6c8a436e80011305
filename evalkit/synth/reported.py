"""The reported blocks of a synthetic year file, and the deliberate reporting errors."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from evalkit.core.figures import fmt, round_half_up
from evalkit.core.scoring import Evaluation, grade_for
from evalkit.synth.helpers import _clean
from evalkit.synth.vocabulary import HUNDRED, ZERO

# --------------------------------------------------------------------------- reported figures


def _reported(year: dict[str, Any], ev: Evaluation) -> None:
    """Fill the ``reported`` blocks with the recomputed figures, as a correct report prints them."""
    for item, scored in zip(year["indicators"], ev.indicators, strict=True):
        if not scored.applicable:
            continue
        rep: dict[str, Any] = {}
        if scored.indicator.target_adjusted is not None:
            rep["target"] = _clean(scored.indicator.target_adjusted)
        if scored.completion.value is not None:
            rep["completion"] = _clean(scored.completion.value)
        if scored.score is not None and scored.score.value is not None:
            rep["score"] = _clean(scored.score.value)
        item["reported"] = rep
    figures = {
        "total": ev.total.value,
        "grade": ev.grade,
        "execution_rate": ev.execution_rate.value,
        "execution_score": ev.execution_score.value,
        "adjustment_rate": None if ev.adjustment_rate is None else ev.adjustment_rate.value,
        "basic_execution_rate": None
        if ev.basic_execution_rate is None
        else ev.basic_execution_rate.value,
        "project_execution_rate": None
        if ev.project_execution_rate is None
        else ev.project_execution_rate.value,
    }
    year["reported"] = {
        k: _clean(v) if isinstance(v, Decimal) else v for k, v in figures.items() if v is not None
    }


def _printed_total(year: dict[str, Any], ev: Evaluation) -> Decimal:
    """The total a report gets by adding its own printed parts (as the engine adds the true ones)."""
    rb = ev.rulebook
    raw = year["reported"]["execution_score"] + sum(
        (i["reported"]["score"] for i in year["indicators"] if "score" in i.get("reported", {})),
        ZERO,
    )
    na = sum((s.weight for s in ev.indicators if not s.applicable), ZERO)
    if na and rb.indicators.not_applicable == "renormalise":
        raw = raw * rb.total_weight / (rb.total_weight - na)
    return round_half_up(raw, rb.rounding.total_dp)


def _set_total(year: dict[str, Any], ev: Evaluation, total: Decimal) -> None:
    year["reported"]["total"] = _clean(total)
    year["reported"]["grade"] = grade_for(total, ev.rulebook)


def _transposed(value: Decimal) -> Decimal | None:
    """``101.17`` → ``101.71``: the rightmost pair of different adjacent digits swapped."""
    text = f"{round_half_up(value, 2):f}"
    for i in range(len(text) - 2, -1, -1):
        a, b = text[i], text[i + 1]
        if a.isdigit() and b.isdigit() and a != b and not (i == 0 and b == "0"):
            return Decimal(text[:i] + b + a + text[i + 2 :])
    return None


def _err_transposed(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    options = [
        (i, s)
        for i, s in zip(year["indicators"], ev.indicators, strict=True)
        if s.completion.value is not None and _transposed(s.completion.value) is not None
    ]
    if not options:
        return None
    item, scored = rng.choice(options)
    wrong = _transposed(scored.completion.value)
    item["reported"]["completion"] = wrong
    return f"指标“{scored.name}”完成率应为 {fmt(scored.completion.value)}%，报告误印为 {fmt(wrong)}%（数字颠倒）"


def _err_integer_execution(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    exact = ev.execution_score.value
    whole = round_half_up(exact, 0)
    if whole == exact:
        return None
    year["reported"]["execution_score"] = _clean(whole)
    _set_total(year, ev, _printed_total(year, ev))
    return (
        f"预算执行率得分应为 {fmt(exact)}，报告取整为 {fmt(whole)}，"
        f"总分随之印为 {fmt(year['reported']['total'])}"
    )


def _err_weight_as_score(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    options = [
        (i, s)
        for i, s in zip(year["indicators"], ev.indicators, strict=True)
        if s.score is not None and s.score.value is not None and s.score.value < s.weight
    ]
    if not options:
        return None
    item, scored = rng.choice(options)
    item["reported"]["score"] = _clean(scored.weight)
    _set_total(year, ev, _printed_total(year, ev))
    return (
        f"指标“{scored.name}”得分应为 {fmt(scored.score.value)}，报告把分值 {fmt(scored.weight)} 填作得分，"
        f"总分随之印为 {fmt(year['reported']['total'])}"
    )


def _err_total(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    delta = Decimal(rng.randint(10, 150)) / HUNDRED
    total = ev.total.value + delta if ev.total.value + delta <= HUNDRED else ev.total.value - delta
    _set_total(year, ev, total)
    return f"总分应为 {fmt(ev.total.value)}，报告所列总分 {fmt(total)} 与各项得分之和不符"


def _err_grade(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    grades = [b.grade for b in ev.rulebook.grades.bands]
    i = grades.index(ev.grade)
    wrong = grades[i - 1] if i > 0 else grades[i + 1]
    year["reported"]["grade"] = wrong
    return f"总分 {fmt(ev.total.value)} 对应等级“{ev.grade}”，报告所列等级为“{wrong}”"


_ERRORS: tuple[Callable[[random.Random, dict[str, Any], Evaluation], str | None], ...] = (
    _err_transposed,
    _err_integer_execution,
    _err_weight_as_score,
    _err_total,
    _err_grade,
)


def _inject_error(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str:
    """Put one realistic reporting error into ``year['reported']``; say what it is."""
    order = list(_ERRORS)
    rng.shuffle(order)
    for make in order:
        description = make(rng, year, ev)
        if description:
            return description
    raise AssertionError("unreachable: a wrong grade always applies")  # pragma: no cover


