"""Indicator charts: scores against weights, completion against targets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from evalkit.core.figures import fmt, fmt_pct
from evalkit.core.scoring import Evaluation, IndicatorScore, ScoringError, score_quantity
from evalkit.core.targets import OP_SYMBOL, direction
from evalkit.report.charts.base import (
    _COMPLETION_AXIS_CAP,
    _HATCH_LOST,
    _LABEL_SIZE,
    _SMALL_SIZE,
    HUNDRED,
    PALETTE,
    ChartFigure,
    _barh,
    _caption,
    _categories,
    _legend,
    _new_figure,
    _quantity,
    _rows,
    _style,
    _tint,
    _wrap,
)
from evalkit.report.charts.ticks import fixed_ticks

# --------------------------------------------------------------------------- indicators


def indicator_scores(ev: Evaluation) -> ChartFigure:
    """Each indicator's score against its weight, budget execution first; lost points hatched.

    The framed bar is the weight (分值), the blue part the score, the hatched vermillion part
    the points lost; a not-applicable indicator is an empty frame marked 不适用. The title
    carries the total and grade.

    >>> from evalkit import evaluate_path
    >>> from evalkit.report.charts.ticks import category_labels
    >>> fig = indicator_scores(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> category_labels(fig.axes[0])[0], fig.get_suptitle()
    ('预算执行率', '指标得分（总分 91.73，等级 优）')
    """
    dp = ev.rulebook.rounding.score_dp
    # A weight that was not printed is drawn as 0 and the score as 无法计算（原因）: never a guess.
    rows: list[tuple[str, Decimal, Decimal | None, str | None, str]] = [
        ("预算执行率", ev.execution_weight or Decimal(0), ev.execution_score.value, None, ev.execution_score.missing)
    ]
    rows += [
        (
            _wrap(item.name, 20),
            item.weight or Decimal(0),
            None if item.score is None else item.score.value,
            item.grade,
            "" if item.score is None else item.score.missing,
        )
        for item in ev.indicators
    ]
    positions, total = _rows([max(0.4, 0.2 * (label.count("\n") + 1) + 0.1) for label, *_ in rows])
    notes = [_caption(ev)]
    if any(not item.applicable for item in ev.indicators):
        notes.append(ev.total.formula + "。")
    fig, (ax,) = _new_figure(
        f"指标得分（总分 {ev.total.text()}，等级 {ev.grade or '不评定'}）", (total + 0.45,), notes
    )
    _style(ax)
    bar = 0.24
    for (_, weight, score, grade, missing), pos in zip(rows, positions, strict=True):
        if missing:
            text = f"无法计算（{missing}）"
        elif score is None:
            _barh(
                ax,
                pos,
                float(weight),
                height=bar,
                color=PALETTE["weight"],
                edgecolor=PALETTE["note"],
                hatch="xx",
                linewidth=0.6,
            )
            text = f"不适用（分值 {fmt(weight, dp)}，不计分）"
        else:
            lost = weight - score
            _barh(ax, pos, float(score), height=bar, color=PALETTE["actual"])
            if lost > 0:
                _barh(
                    ax,
                    pos,
                    float(lost),
                    left=float(score),
                    height=bar,
                    color=_tint(PALETTE["lost"], 0.4),
                    edgecolor=PALETTE["lost"],
                    hatch=_HATCH_LOST,
                    linewidth=0,
                )
            text = (
                f"{fmt(score, dp)} / {fmt(weight, dp)}"
                + (f"，扣{fmt(lost, dp)}分" if lost > 0 else "")
                + (f"（{grade}）" if grade else "")
            )
        _barh(ax, pos, float(weight), height=bar, fill=False, edgecolor=PALETTE["text"], linewidth=0.7)
        ax.annotate(
            text,
            (float(weight), pos),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=_SMALL_SIZE,
            color=PALETTE["text"],
        )
    _categories(ax, "y", positions, [label for label, *_ in rows])
    ax.set_ylim(total, 0)
    max_weight = float(max(weight for _, weight, *_ in rows))
    ax.set_xlim(0, max_weight * 1.55 if max_weight > 0 else 1.0)
    ax.set_xlabel("分值", fontsize=_LABEL_SIZE)
    handles = [
        Patch(facecolor=PALETTE["actual"], edgecolor=PALETTE["text"], linewidth=0.7, label="得分")
    ]
    if any(score is not None and score < weight for _, weight, score, _, _ in rows):
        handles.append(
            Patch(
                facecolor=_tint(PALETTE["lost"], 0.4),
                edgecolor=PALETTE["lost"],
                hatch=_HATCH_LOST,
                label="扣分",
            )
        )
    if any(score is None and not missing for _, _, score, _, missing in rows):
        handles.append(
            Patch(
                facecolor=PALETTE["weight"], edgecolor=PALETTE["note"], hatch="xx", label="不适用"
            )
        )
    _legend(ax, handles)
    return fig


@dataclass(frozen=True)
class _CompletionRow:
    label: str
    actual: Decimal | None  # percent of the scoring target, rounded to the rulebook's rate_dp
    midyear: Decimal | None
    actual_text: str
    midyear_text: str | None


def _completion_rows(ev: Evaluation) -> tuple[list[_CompletionRow], list[str]]:
    """Quantitative indicators as percent of target, and the lines listing everything else."""
    dp = ev.rulebook.rounding.rate_dp
    rows: list[_CompletionRow] = []
    listed: list[str] = []
    for item in ev.indicators:
        indicator = item.indicator
        if not indicator.applicable:
            listed.append(f"不适用：{indicator.name}（分值 {fmt(item.weight, 2)}，不计分）")
            continue
        if indicator.is_qualitative:
            score = (
                ""
                if item.score is None
                else f"，得分 {item.score.text()} / {fmt(item.weight, 2)}"
            )
            listed.append(
                f"定性指标：{indicator.name}（目标：{indicator.target or '未印出'}）—— {item.grade or '—'}{score}"
            )
            continue
        target = item.target_used
        if not isinstance(target, Decimal) or indicator.op is None:  # the report printed no target
            listed.append(f"指标值未印出：{indicator.name}，完成率无法计算")
            continue
        actual = indicator.actual if isinstance(indicator.actual, Decimal) else None
        midyear = indicator.midyear if isinstance(indicator.midyear, Decimal) else None
        if target == 0:
            listed.append(
                f"目标值为 0，不以比例表示：{indicator.name}，{_target_lines(item)[0]}，"
                f"实际 {_quantity(actual, indicator.unit)}"
            )
            continue
        # The completion rule of the indicator table, so chart and table never disagree: a ≤
        # indicator that was overspent falls short of 100%, it does not over-achieve.
        actual_ratio = item.completion.value
        midyear_ratio = _completion_of(indicator.op, target, midyear, ev)
        if actual_ratio is None and midyear_ratio is None:
            listed.append(
                f"完成率无法计算：{indicator.name}，{_target_lines(item)[0]}，"
                f"实际 {_quantity(actual, indicator.unit)}"
            )
            continue
        rows.append(
            _CompletionRow(
                label="\n".join([_wrap(indicator.name, 20), *_target_lines(item)]),
                actual=actual_ratio,
                midyear=midyear_ratio,
                actual_text=_ratio_text(actual_ratio, actual, indicator.unit, dp),
                midyear_text=None
                if midyear is None or midyear_ratio is None
                else _ratio_text(midyear_ratio, midyear, indicator.unit, dp),
            )
        )
    return rows, listed


def _completion_of(op: str, target: Decimal, value: Decimal | None, ev: Evaluation) -> Decimal | None:
    """The completion rate of ``value`` against ``target`` under the evaluation's rulebook."""
    if value is None:
        return None
    try:
        completion, _, _, _ = score_quantity(op, target, value, HUNDRED, "", None, ev.rulebook)
    except ScoringError:
        return None
    return completion.value


def _ratio_text(ratio: Decimal | None, value: Decimal | None, unit: str, dp: int) -> str:
    """``99.43%（422.89万元）``: the share of target, then the value itself unless it reads the same."""
    shown, raw = fmt_pct(ratio, dp), _quantity(value, unit)
    return shown if raw == shown else f"{shown}（{raw}）"


def _target_lines(score: IndicatorScore) -> list[str]:
    """``目标 ≥ 16项``; a ≤ target adds 越低越好, an adjusted target its original value."""
    indicator = score.indicator
    lines = [f"目标 {OP_SYMBOL[indicator.op]} {_quantity(score.target_used, indicator.unit)}"]
    if direction(indicator.op) == "reverse":
        lines[0] += "，越低越好"
    if indicator.target_adjusted is not None:
        lines.append(f"（调整后；原 {_quantity(indicator.target, indicator.unit)}）")
    return lines


def indicator_completion(ev: Evaluation) -> ChartFigure | None:
    """Actual and mid-year values of quantitative indicators, as percent of the target scored against.

    100% is the target. Each bar is the completion rate under the rulebook, the figure the
    indicator table prints; a ≤ (reverse) indicator is marked 越低越好 and, when overspent, falls
    short of the 100% line. A value beyond 200% is drawn
    to the axis edge, broken, with its true value written. Qualitative (with their grade),
    not-applicable and zero-target indicators are listed under the chart. None with no indicators.

    >>> from evalkit import evaluate_path
    >>> from evalkit.report.charts.ticks import category_labels
    >>> fig = indicator_completion(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> any("越低越好" in label for label in category_labels(fig.axes[0]))
    True
    """
    rows, listed = _completion_rows(ev)
    if not rows and not listed:
        return None
    notes = [_caption(ev), *listed]
    if rows:
        notes.append(
            "完成率按评分规则计算，与绩效指标表一致；≤ 指标（越低越好）超出指标值时完成率低于 100%。"
            "括号内为原值。"
        )
    positions, total = _rows([max(0.62, 0.18 * (row.label.count("\n") + 1) + 0.16) for row in rows])
    values = [v for row in rows for v in (row.actual, row.midyear) if v is not None]
    broken = [v for v in values if v > _COMPLETION_AXIS_CAP]
    if broken:
        notes.append(
            f"» 超过 {fmt_pct(_COMPLETION_AXIS_CAP, 0)} 的条形截断于坐标轴右端，数值照写。"
        )
    fig, axes = _new_figure(
        "绩效指标完成情况（完成率）", [total + 0.45] if rows else [], notes
    )
    if not rows:
        return fig
    ax = axes[0]
    _style(ax)
    visible = float(max([HUNDRED, *(v for v in values if v <= _COMPLETION_AXIS_CAP)]))
    bar_end = visible * (1.1 if broken else 1.0)  # where a broken bar stops
    label_x = visible * 1.13  # the value column
    height = 0.24
    for row, pos in zip(rows, positions, strict=True):
        for offset, value, label, role in (
            (-height / 2, row.actual, row.actual_text, "actual"),
            (height / 2, row.midyear, row.midyear_text, "midyear"),
        ):
            if value is None or label is None:
                continue
            is_broken = value > _COMPLETION_AXIS_CAP
            length = bar_end if is_broken else max(float(value), 0.0)
            _barh(
                ax,
                pos + offset,
                length,
                height=height,
                color=PALETTE[role],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
            )
            if is_broken:  # a white slash marks the cut
                cut = visible * 1.04
                ax.plot(
                    [cut - visible * 0.01, cut + visible * 0.01],
                    [pos + offset + height * 0.75, pos + offset - height * 0.75],
                    color="white",
                    linewidth=2.5,
                )
                label += " »"
            ax.annotate(
                label,
                (label_x, pos + offset),
                va="center",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"] if role == "actual" else PALETTE["note"],
            )
    ax.axvline(100, color=PALETTE["target"], linewidth=1.3)
    _categories(ax, "y", positions, [row.label for row in rows], fontsize=_SMALL_SIZE)
    ax.set_ylim(total, 0)
    ax.set_xlim(0, label_x / 0.72)
    step = 25 if visible <= 150 else 50
    fixed_ticks(ax, "x", list(range(0, int(visible) + 1, step)))
    ax.spines["bottom"].set_bounds(0, max(bar_end, visible))
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
    ax.set_xlabel("完成率", fontsize=_LABEL_SIZE, loc="left")
    _legend(
        ax,
        [
            Patch(
                facecolor=PALETTE["actual"],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
                label="实际完成值",
            ),
            Patch(
                facecolor=PALETTE["midyear"],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
                label="年中监控值",
            ),
            Line2D([], [], color=PALETTE["target"], linewidth=1.3, label="年度指标值（100%）"),
        ],
    )
    return fig


