"""Budget and spending charts: the budget bridge, spending composition, projects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from evalkit.core.figures import fmt_money, fmt_pct, percent_of
from evalkit.core.models import Project
from evalkit.core.scoring import Evaluation
from evalkit.report.charts.base import (
    _LABEL_SIZE,
    _SMALL_SIZE,
    PALETTE,
    SOURCE_COLOURS,
    ZERO,
    ChartFigure,
    _bar,
    _barh,
    _caption,
    _categories,
    _legend,
    _new_figure,
    _rows,
    _signed,
    _style,
    _tint,
    _wrap,
)

# --------------------------------------------------------------------------- budget


def budget_bridge(ev: Evaluation) -> ChartFigure:
    """The budget path as a bridge: 年初预算 → 年中调整 (±) → 全年预算 → 实际支出, with the execution rate.

    Without an initial budget only 全年预算 and 实际支出 are drawn; a cut is drawn downwards in
    vermillion. The execution rate printed is the evaluation's own figure (under its rulebook's
    denominator), with its formula as a footnote.

    >>> from evalkit import evaluate_path
    >>> from evalkit.report.charts.ticks import category_labels
    >>> fig = budget_bridge(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> category_labels(fig.axes[0])
    ['年初预算', '年中调整', '全年预算', '实际支出']
    """
    budget = ev.year.budget
    bars: list[tuple[str, Decimal, Decimal, str]] = []  # label, from, to, role
    notes = [_caption(ev), ev.execution_rate.formula]
    adjustment = budget.adjustment_amount
    if budget.initial is not None:
        bars.append(("年初预算", ZERO, budget.initial, "budget"))
        if adjustment is not None:
            end = budget.initial + adjustment
            bars.append(
                ("年中调整", budget.initial, end, "increase" if adjustment >= 0 else "decrease")
            )
            if end != budget.final:
                notes.append(
                    f"注：年初预算 + 年中调整 = {fmt_money(end)}，与全年预算 {fmt_money(budget.final)}"
                    f" 相差 {fmt_money(budget.final - end)}，请核对。"
                )
        if ev.adjustment_rate is not None:
            notes.append(ev.adjustment_rate.formula)
    elif adjustment is not None:
        notes.append(f"年中调整{_signed(adjustment)}万元；未填写年初预算，调整过程未画出。")
    bars.append(("全年预算", ZERO, budget.final, "budget"))
    bars.append(("实际支出", ZERO, budget.actual, "actual"))

    fig, (ax,) = _new_figure("预算调整与执行（万元）", (3.9,), notes)
    _style(ax, value_axis="y")
    width = 0.56
    for x, (_, start, end, role) in enumerate(bars):
        low, high = min(start, end), max(start, end)
        change = role in ("increase", "decrease")
        _bar(
            ax,
            x,
            float(high - low),
            bottom=float(low),
            width=width,
            color=PALETTE[role],
            edgecolor=PALETTE["text"],
            linewidth=0.6,
            hatch="//" if change else None,
        )
        text = _signed(end - start) if change else fmt_money(end)
        if change and ev.adjustment_rate is not None:
            text += f"\n调整率 {ev.adjustment_rate.text()}"
        # The actual bar's label goes above the dashed outline of what was not spent.
        label_at = max(high, budget.final) if role == "actual" else high
        ax.annotate(
            text,
            (x, float(label_at)),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=_LABEL_SIZE,
            color=PALETTE["text"],
        )
        if x + 1 < len(bars):  # connector at the level the next bar starts from (or reaches)
            ax.plot(
                [x + width / 2, x + 1 - width / 2],
                [float(end)] * 2,
                color=PALETTE["note"],
                linestyle="--",
                linewidth=0.8,
            )

    actual_x = len(bars) - 1
    unspent = budget.final - budget.actual
    if unspent > 0:
        _bar(
            ax,
            actual_x,
            float(unspent),
            bottom=float(budget.actual),
            width=width,
            fill=False,
            edgecolor=PALETTE["note"],
            linestyle="--",
            linewidth=0.8,
        )
    gap = f"未执行 {fmt_money(unspent)}" if unspent >= 0 else f"超出全年预算 {fmt_money(-unspent)}"
    ax.annotate(
        f"预算执行率 {ev.execution_rate.text()}\n{gap}",
        (actual_x, float(max(budget.final, budget.actual))),
        xytext=(0, 24),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=_LABEL_SIZE,
        color=PALETTE["actual"],
        bbox={
            "boxstyle": "round,pad=0.35",
            "facecolor": "white",
            "edgecolor": PALETTE["actual"],
            "linewidth": 0.8,
        },
    )
    top = max(max(float(start), float(end)) for _, start, end, _ in bars)
    _categories(ax, "x", range(len(bars)), [label for label, *_ in bars])
    ax.set_ylabel("金额（万元）", fontsize=_LABEL_SIZE)
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)
    pad = max(0.0, (4 - len(bars)) / 2)  # two bars keep the width they have among four
    ax.set_xlim(-0.6 - pad, len(bars) - 0.4 + pad)
    return fig


@dataclass(frozen=True)
class _AmountRow:
    label: str
    final: Decimal | None
    actual: Decimal | None
    rate: str | None  # execution rate as printed


def _amount_rows(ev: Evaluation) -> tuple[list[_AmountRow], list[_AmountRow]]:
    """Rows for (basic vs project, personnel vs public), each labelled with its share."""
    budget = ev.year.budget
    dp = ev.rulebook.rounding.rate_dp
    parts: list[_AmountRow] = []
    for name, line, rate in (
        ("基本支出", budget.basic, ev.basic_execution_rate),
        ("项目支出", budget.project, ev.project_execution_rate),
    ):
        if line is None or (line.final is None and line.actual is None):
            continue
        share = percent_of(line.final, budget.final, dp)
        label = name if share is None else f"{name}\n占全年预算 {fmt_pct(share, dp)}"
        parts.append(
            _AmountRow(label, line.final, line.actual, None if rate is None else rate.text())
        )
    within_basic: list[_AmountRow] = []
    basic = budget.basic
    if basic is not None:
        for name, part in (("人员经费", basic.personnel), ("公用经费", basic.public)):
            if part is None or (part.final is None and part.actual is None):
                continue
            share = percent_of(part.final, basic.final, dp)
            label = name if share is None else f"{name}\n占基本支出 {fmt_pct(share, dp)}"
            rate = percent_of(part.actual, part.final, dp)
            within_basic.append(
                _AmountRow(
                    label, part.final, part.actual, None if rate is None else fmt_pct(rate, dp)
                )
            )
    return parts, within_basic


def _draw_amount_rows(ax: Axes, rows: Sequence[_AmountRow], limit: float) -> None:
    """全年预算 (light) above 实际支出 (dark) for each row; one centred bar when a panel has only one."""
    has_final = any(row.final is not None for row in rows)
    has_actual = any(row.actual is not None for row in rows)
    height = 0.34 if has_final and has_actual else 0.5
    offsets = (-height / 2, height / 2) if has_final and has_actual else (0.0, 0.0)
    for y, row in enumerate(rows):
        for offset, value, role in (
            (offsets[0], row.final, "budget"),
            (offsets[1], row.actual, "actual"),
        ):
            if value is None:
                continue
            _barh(
                ax,
                y + offset,
                float(value),
                height=height,
                color=PALETTE[role],
                edgecolor=PALETTE["text"],
                linewidth=0.4,
            )
            text = fmt_money(value)
            if role == "actual" and row.rate is not None:
                text += f"（执行率 {row.rate}）"
            ax.annotate(
                text,
                (float(value), y + offset),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=_SMALL_SIZE,
                color=PALETTE["text"],
            )
    _categories(ax, "y", range(len(rows)), [row.label for row in rows])
    ax.set_xlim(0, limit)
    ax.set_ylim(len(rows) - 0.45, -0.55)
    _style(ax)


def spending_composition(ev: Evaluation) -> ChartFigure | None:
    """Basic vs project spending (全年预算 and 实际支出), and 人员经费 vs 公用经费 within basic.

    Draws whichever of the two panels has figures, each row labelled with its share; None when
    neither has any.

    >>> from evalkit import evaluate_path
    >>> fig = spending_composition(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    ['基本支出与项目支出', '基本支出构成（人员经费与公用经费）']
    """
    parts, within_basic = _amount_rows(ev)
    panels = [
        (title, rows)
        for title, rows in (
            ("基本支出与项目支出", parts),
            ("基本支出构成（人员经费与公用经费）", within_basic),
        )
        if rows
    ]
    if not panels:
        return None
    fig, axes = _new_figure(
        "支出结构（万元）", [0.5 + 0.72 * len(rows) for _, rows in panels], [_caption(ev)]
    )
    values = [
        float(v)
        for _, rows in panels
        for row in rows
        for v in (row.final, row.actual)
        if v is not None
    ]
    limit = max(values) * 1.45 if max(values) > 0 else 1.0
    for ax, (title, rows) in zip(axes, panels, strict=True):
        _draw_amount_rows(ax, rows, limit)
        ax.set_title(title, fontsize=_LABEL_SIZE + 1, loc="left", color=PALETTE["text"])
    axes[-1].set_xlabel("金额（万元）", fontsize=_LABEL_SIZE)
    roles = [("budget", "全年预算", "final"), ("actual", "实际支出", "actual")]
    shown = [
        (role, label)
        for role, label, field in roles
        if any(getattr(row, field) is not None for _, rows in panels for row in rows)
    ]
    _legend(
        axes[0],
        [
            Patch(facecolor=PALETTE[role], edgecolor=PALETTE["text"], linewidth=0.4, label=label)
            for role, label in shown
        ],
    )
    return fig


# --------------------------------------------------------------------------- projects


def projects_budget_actual(ev: Evaluation) -> ChartFigure | None:
    """Each project's budget (wide light bar) and amount executed (narrow dark bar), by funding source.

    Projects are grouped under 转移支付 / 本级财力 / 其他 headings with their subtotals, each
    source in its colour; long names are wrapped. None when the unit-year lists no projects.

    >>> from evalkit import evaluate_path
    >>> from evalkit.report.charts.ticks import category_labels
    >>> fig = projects_budget_actual(evaluate_path("params/xinshi-rd/2023.yaml"))
    >>> category_labels(fig.axes[0])[:2]
    ['转移支付：1 项\\n预算 13，执行 11.05', '基层人大补助经费']
    """
    projects = ev.year.projects
    if not projects:
        return None
    dp = ev.rulebook.rounding.rate_dp
    rows: list[tuple[str, str, Project | None]] = []  # label, source, project (None: a heading)
    for source in SOURCE_COLOURS:
        members = [p for p in projects if p.source == source]
        if not members:
            continue
        budget = sum((p.budget for p in members), ZERO)
        actual = sum((p.actual for p in members), ZERO)
        rows.append(
            (
                f"{source}：{len(members)} 项\n预算 {fmt_money(budget)}，执行 {fmt_money(actual)}",
                source,
                None,
            )
        )
        rows.extend((_wrap(p.name, 18), source, p) for p in members)
    positions, total = _rows(
        [
            0.5 if project is None else max(0.48, 0.2 * (label.count("\n") + 1) + 0.12)
            for label, _, project in rows
        ]
    )
    fig, (ax,) = _new_figure(
        "项目预算与执行（万元）",
        (total + 0.45,),
        [_caption(ev), "条形末端数字：预算金额 → 执行金额（执行率 = 执行金额 ÷ 预算金额）"],
    )
    _style(ax)
    for (_, source, project), pos in zip(rows, positions, strict=True):
        if project is None:
            continue
        colour = SOURCE_COLOURS[source]
        _barh(
            ax,
            pos,
            float(project.budget),
            height=0.3,
            color=_tint(colour),
            edgecolor=colour,
            linewidth=0.6,
        )
        _barh(ax, pos, float(project.actual), height=0.12, color=colour)
        rate = percent_of(project.actual, project.budget, dp)
        text = f"{fmt_money(project.budget)} → {fmt_money(project.actual)}"
        if rate is not None:
            text += f"（{fmt_pct(rate, dp)}）"
        ax.annotate(
            text,
            (float(max(project.budget, project.actual)), pos),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=_SMALL_SIZE,
            color=PALETTE["text"],
        )
    _categories(
        ax,
        "y",
        positions,
        [label for label, *_ in rows],
        fontsize=[_LABEL_SIZE if project else _SMALL_SIZE for _, _, project in rows],
        colors=[PALETTE["text"] if project else SOURCE_COLOURS[source] for _, source, project in rows],
    )
    ax.set_ylim(total, 0)
    largest = float(max(max(p.budget, p.actual) for p in projects))
    ax.set_xlim(0, largest * 1.4 if largest > 0 else 1.0)
    ax.set_xlabel("金额（万元）", fontsize=_LABEL_SIZE)
    grey = PALETTE["note"]
    _legend(
        ax,
        [
            Patch(facecolor=_tint(grey), edgecolor=grey, label="预算金额（宽浅色条）"),
            Patch(color=grey, label="执行金额（窄深色条）"),
        ],
    )
    return fig


