"""Qualitative (定性) indicators: the grade, its score band, and the score.

>>> from evalkit.core.rulebook import load_rulebook
>>> band = qualitative_band("达成", Decimal(10), load_rulebook("national-default"))
>>> band.text()
'[8, 10]'
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evalkit.core.evaluation import IndicatorScore
from evalkit.core.execution import not_computable
from evalkit.core.execution import written as _n
from evalkit.core.figures import Figure, fmt, round_half_up
from evalkit.core.models import Indicator
from evalkit.core.rulebook import Rulebook
from evalkit.errors import ScoringError

__all__ = ["qualitative_grade", "qualitative_band", "ScoreBand", "score_qualitative", "unscored"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


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



def score_qualitative(indicator: Indicator, rulebook: Rulebook, w: Decimal | None) -> IndicatorScore:
    rules = rulebook.qualitative
    dp = rulebook.rounding.score_dp
    completion = Figure(value=None, dp=rulebook.rounding.rate_dp, unit="%", formula="定性指标不计完成率", rule="qualitative")
    if indicator.grade is None and indicator.actual is None:
        return unscored(indicator, rulebook, w, "实际完成值未印出，无法评定完成等级", completion)
    grade = qualitative_grade(indicator, rulebook)
    flags: list[str] = []
    if w is None:
        if indicator.score is None:
            return unscored(indicator, rulebook, w, "分值未印出", completion, grade=grade)
        exact = indicator.score
        band = "分值未知"
        formula = f"定性指标“{grade}”，评定得分（分值未知，未核对得分区间）"
        working = f"评定得分 {_n(indicator.score)}"
        flags.append("分值未印出，评定得分未核对得分区间")
    elif indicator.score is not None:
        allowed = qualitative_band(grade, w, rulebook)
        band = allowed.text()
        s = indicator.score
        if not allowed.contains(s):
            raise ScoringError(
                f"定性指标评为“{grade}”，得分应在 {band} 之间，实际填写 {_n(s)}"
            )
        exact = s
        formula = f"定性指标“{grade}”，评定得分在区间 {band} 内"
        working = f"评定得分 {_n(s)}"
    else:
        lo_f, hi_f = rules.bands[grade]
        band = qualitative_band(grade, w, rulebook).text()
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
    return IndicatorScore(
        indicator=indicator,
        target_used=indicator.target,
        completion=completion,
        score=score,
        met=grade == "达成",
        grade=grade,
        flags=tuple(flags),
        weight_used=w,
    )


def unscored(
    indicator: Indicator,
    rulebook: Rulebook,
    w: Decimal | None,
    reason: str,
    completion: Figure,
    *,
    grade: str | None = None,
    met: bool | None = None,
    flags: tuple[str, ...] = (),
) -> IndicatorScore:
    """An applicable indicator whose score cannot be computed, with the reason."""
    return IndicatorScore(
        indicator=indicator,
        target_used=indicator.scoring_target,
        completion=completion,
        score=not_computable(reason, rulebook.rounding.score_dp, "得分无法计算", rule="not_computable"),
        met=met,
        grade=grade,
        flags=(*flags, f"得分无法计算：{reason}"),
        weight_used=w,
    )


