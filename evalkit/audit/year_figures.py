"""Year-level printed figures: execution rate and score, adjustment and spending rates, total, grade."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from evalkit.audit.explain import (
    Candidate,
    _compare,
    _formula,
    _how,
    _involved,
    _other_rulebooks,
    _percent,
    _shown,
    _try_evaluate,
    _written,
    reproduces,
    rule_changes,
)
from evalkit.audit.findings import HUNDRED, ZERO, Finding, _code, _finding
from evalkit.audit.recompute import Recomputation
from evalkit.audit.registry import register
from evalkit.core.figures import Figure, fmt
from evalkit.core.models import Budget, Reported, UnitYear
from evalkit.core.scoring import Evaluation, grade_for, score_budget_execution
from evalkit.errors import ScoringError

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
    changes: frozenset[str] = frozenset()


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
        yield _ExecutionVariant("", rate, score, rulebook=rulebook.title, changes=rule_changes(r.rulebook, rulebook))


def _execution_rate_candidates(r: Recomputation) -> list[Candidate]:
    return [Candidate(v.label, v.rate.exact, v.rate.dp, v.rulebook, v.changes) for v in _execution_variants(r)]


def _execution_score_candidates(r: Recomputation) -> list[Candidate]:
    assert r.evaluation is not None
    out = [Candidate(v.label, v.score.exact, v.score.dp, v.rulebook, v.changes) for v in _execution_variants(r)]
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
        (i.name, i.reported.score if i.reported else None, r.weight(index))
        for index, i in enumerate(r.year.indicators)
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


def _addition_slip(r: Recomputation) -> Decimal | None:
    """The sum of the report's printed scores when only its addition is wrong: every score is
    printed, they add up to the recomputed total, and the printed total is another number. The
    total's mismatch then says so, and the check of the total against its parts
    (``consistency.total_of_printed_parts``) does not report the same slip a second time."""
    total = r.reported.total
    if total is None or r.evaluation is None or not r.complete or r.evaluation.total.exact is None:
        return None
    if total > r.rulebook.total_weight:
        return None  # above the maximum: that finding is raised instead of the total's mismatch
    parts = _printed_parts(r)
    if any(score is None for _, score, _ in parts):
        return None
    listed = sum((score for _, score, _ in parts if score is not None), ZERO)
    recomputed = r.evaluation.total
    if reproduces(total, recomputed.exact, recomputed.dp) or not reproduces(recomputed.value, listed, recomputed.dp):
        return None
    return listed


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
            out.append(Candidate("", e.total.exact, e.total.dp, rulebook.title, rule_changes(r.rulebook, rulebook)))
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


@register
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
        if mismatch is not None and mismatch.explanation is None and spec.name == "total":
            listed = _addition_slip(r)
            if listed is not None:
                slip = f"加总有误：报告所列各项得分之和为 {_written(listed)}，与重算总分一致"
                mismatch = replace(mismatch, explanation=slip)
        if mismatch is not None:
            yield _finding(
                spec.code,
                field,
                mismatch.said(what),
                printed=mismatch.printed,
                recomputed=mismatch.recomputed,
                explanation=mismatch.explanation,
            )


#: The rules a grade depends on, given the total: a rulebook that differs elsewhere grades alike.
_GRADE_RULES = frozenset({"grades.bands", "grades.grade_on", "rounding.total_dp"})


@register
def printed_grade(r: Recomputation) -> Iterator[Finding]:
    """The grade the report printed against the grade of the recomputed total."""
    printed = r.reported.grade
    if printed is None or r.evaluation is None or not r.complete or printed == r.evaluation.grade:
        return
    e = r.evaluation
    labels = []
    if r.reported.total is not None and grade_for(r.reported.total, r.rulebook) == printed:
        labels.append(f"按报告所列总分 {_shown(r.reported.total)} 评定")
    graded = [rb for rb in _other_rulebooks(r.rulebook) if grade_for(e.total.exact or ZERO, rb) == printed]
    titles = _involved(
        [
            Candidate("", None, 0, rb.title, frozenset(c for c in rule_changes(r.rulebook, rb) if c.split("=")[0] in _GRADE_RULES))
            for rb in graded
        ]
    )
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


TOTAL_ABOVE_MAX_GRADED = _code("E-TOTAL-ABOVE-MAX-GRADED", "error", "报告所列总分超过满分，却仍评定了等级")


@register
def graded_total_above_max(r: Recomputation) -> Iterator[Finding]:
    """A total above the rulebook's maximum (100) cannot be graded: a report that grades it anyway
    has an error upstream (a weight or a score above its limit)."""
    total, grade = r.reported.total, r.reported.grade
    if total is None or grade is None or total <= r.rulebook.total_weight:
        return
    yield _finding(
        TOTAL_ABOVE_MAX_GRADED,
        f"reported.grade（{Reported.model_fields['grade'].title}）",
        f"报告所列总分 {_shown(total)} 超过满分 {_written(r.rulebook.total_weight)}，却仍评为“{grade}”；"
        "超过满分的总分说明分值或得分有误，不能据以评定等级",
        printed=f"{_shown(total)}（{grade}）",
        recomputed=f"≤ {_written(r.rulebook.total_weight)}",
    )


TOTAL_NOT_CHECKED = _code("I-TOTAL-NOT-CHECKED", "info", "报告所列总分无法复核：重算只得部分得分或无法计算")


@register
def unchecked_total(r: Recomputation) -> Iterator[Finding]:
    """A printed total that cannot be compared (the recomputed total is partial or not computable)
    is said to be unchecked, so that silence is not read as agreement."""
    e = r.evaluation
    total = r.reported.total
    if total is None or e is None or e.total_status == "complete":
        return
    yield _finding(
        TOTAL_NOT_CHECKED,
        f"reported.total（{Reported.model_fields['total'].title}）",
        f"报告所列总分 {_shown(total)} 未复核：重算"
        f"{'只得部分得分 ' + fmt(e.total.value, e.total.dp) if e.total.value is not None else '总分无法计算'}"
        f"（未计入：{'；'.join(e.missing)}）",
        printed=_shown(total),
        recomputed=e.total.text(),
    )

