"""Indicator figures: printed completion rates and scores against their recomputation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from evalkit.audit.explain import (
    Candidate,
    _compare,
    _formula,
    _how,
    _other_rulebooks,
    _shown,
    _try_score,
    _written,
    rule_changes,
)
from evalkit.audit.findings import HUNDRED, Finding, _code, _finding
from evalkit.audit.recompute import Recomputation, _indicator_field, _score_outside_band
from evalkit.audit.registry import register
from evalkit.audit.year_figures import SCORE_ABOVE_WEIGHT
from evalkit.core.models import Indicator
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import IndicatorScore
from evalkit.core.targets import OP_SYMBOL, convert_money, direction, parse_target

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
    changes: frozenset[str] = frozenset()

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
            was = _kind_text(indicator.op, indicator.op_printed)
            now = _kind_text(opposite)
            yield _Variant(swapped, target=name, swapped=f"把{was}指标当作{now}指标")
    for other in _other_rulebooks(rulebook):
        scored = _try_score(indicator, other)
        if scored is not None:
            yield _Variant(scored, rulebook=other.title, changes=rule_changes(rulebook, other))


def _completion_candidates(indicator: Indicator, rulebook: Rulebook) -> list[Candidate]:
    out = [
        Candidate(v.completion_label(), v.scored.completion.exact, v.scored.completion.dp, v.rulebook, v.changes)
        for v in _indicator_variants(indicator, rulebook)
    ]
    if indicator.unit == "%" and isinstance(indicator.actual, Decimal):
        out.append(Candidate(f"把实际值 {_written(indicator.actual)}% 当作完成率", indicator.actual, rulebook.rounding.rate_dp))
    return out


def _score_candidates(indicator: Indicator, scored: IndicatorScore, rulebook: Rulebook) -> list[Candidate]:
    assert scored.score is not None
    dp, weight = scored.score.dp, scored.weight
    out = [
        Candidate(v.score_label(), v.scored.score.exact, v.scored.score.dp, v.rulebook, v.changes)
        for v in _indicator_variants(indicator, rulebook)
        if v.scored.score is not None
    ]
    if weight is None:
        return out
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


@register
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


def _target_text(indicator: Indicator, target: Decimal | str | None) -> str:
    """A target as the report printed it: with its sign only when the report printed one."""
    if target is None:
        return "（未印出）"
    if isinstance(target, str):
        return target
    if not indicator.op_printed or indicator.op is None:
        return f"{_written(target)}{indicator.unit}"
    return f"{OP_SYMBOL[indicator.op]} {_written(target)}{indicator.unit}"


def _kind_text(op: str, printed: bool = True) -> str:
    """``正向（≥）``, or ``正向`` alone for a reading of a target printed with no sign."""
    return f"{_KIND_WORDS[direction(op)]}（{OP_SYMBOL[op]}）" if printed else _KIND_WORDS[direction(op)]


@register
def printed_scores(r: Recomputation) -> Iterator[Finding]:
    """Each indicator's printed score: above its weight, a missed target scored full, a met
    target docked, or simply different from the recomputed score."""
    for index, indicator, scored in r.indicators():
        printed = indicator.reported.score if indicator.reported else None
        if printed is None or not indicator.applicable:
            continue
        field = _indicator_field(index, indicator, "score")
        weight = r.weight(index)
        if weight is not None and printed > weight:
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
        if indicator.is_qualitative and _score_outside_band(indicator, printed, r.rulebook, weight) is not None:
            continue  # the band check says it better
        if indicator.is_qualitative and indicator.score is None:
            continue  # a qualitative score inside its grade's band is the evaluator's call, not an error
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

