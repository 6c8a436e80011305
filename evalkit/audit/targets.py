"""Targets: the printed target against the one scored, adjusted targets never stated."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from evalkit.audit.explain import _try_evaluate, _try_score
from evalkit.audit.findings import Finding, _code, _finding
from evalkit.audit.indicators import _KIND_WORDS, _printed_target, _target_text
from evalkit.audit.recompute import Recomputation, _indicator_field
from evalkit.audit.registry import register
from evalkit.core.targets import direction

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


@register
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


TARGET_SIGN_NOT_PRINTED = _code(
    "W-TARGET-SIGN-NOT-PRINTED", "warning", "指标值未印比较符号，方向是按惯例读取的（未印出的符号不显示）"
)

_READINGS = {
    "positive": "正向：实际值不低于目标值为完成",
    "reverse": "反向：实际值不高于目标值为完成",
    "equal": "等于目标值为完成",
}


@register
def unsigned_targets(r: Recomputation) -> Iterator[Finding]:
    """A numeric target printed with no sign (``95%``): the direction scored is a reading. The
    message says so and which reading was used, and shows no sign the report did not print."""
    for index, indicator, scored in r.indicators():
        if indicator.op_printed or indicator.op is None or indicator.is_qualitative or not indicator.applicable:
            continue
        kind = direction(indicator.op)
        reading = _READINGS.get(kind, _KIND_WORDS.get(kind, kind))
        effect = ""
        if scored is not None and scored.score is not None and scored.score.value is not None:
            effect = f"，按此读取得 {scored.score.text()} 分"
        yield _finding(
            TARGET_SIGN_NOT_PRINTED,
            _indicator_field(index, indicator, "target"),
            f"{indicator.name}：报告所列指标值“{_target_text(indicator, indicator.target)}”未印比较符号，"
            f"本次按{reading}读取{effect}；如方向不同，请在参数中写明比较方式",
            indicator=indicator.name,
            printed=_target_text(indicator, indicator.target),
        )

