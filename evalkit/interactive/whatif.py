"""Rulebook what-ifs: every unit-year of a results table rescored under another rulebook.

An analyst asks: what happens to each unit's grade if the province moves to rulebook B, or
changes the execution weight from 10 to 20? :func:`rescore` answers from the results table
(``evalkit.results(outputs)``, :mod:`evalkit.publish.records`), without reading a YAML file: the
table carries each indicator's inputs and the year's budget. The indicators are scored by the
exact fixed-point scorer (:mod:`evalkit.core.vectorized`); the execution rate, total and grade
are computed in the same integer arithmetic, and a unit-year whose total the ``Decimal`` path
could round differently (a renormalised total exactly on a boundary) is computed by it. The
result, a :class:`WhatIf`, shows the grade transition matrix (优→良 …), the units whose grade
changes and the distribution of score changes, in Chinese.

A rulebook is a name, a path, or a :class:`~evalkit.core.rulebook.Rulebook` edited in the
notebook with :func:`edit_rulebook`. When B gives budget execution another weight than the table
was scored with (and the year file did not fix it), the indicator weights are scaled to fill the
rest (``reweight=True``, the default): each to two decimals more than needed at most, half-up, and
the rounding remainder put on the unit's largest indicator, as a finance bureau would re-weight a
form (a 定性 indicator's assessed score is scaled alike). A unit-year that cannot be rescored (weights that do not add up, a budget figure the new
rule needs but the table lacks, a 定性 score outside B's band…) is listed with the reason.

>>> from evalkit.inputs.params import discover, load_unit_year
>>> from evalkit.publish.records import results_frame, unit_year_record
>>> records = []
>>> for ref in discover("params"):
...     loaded = load_unit_year(ref)
...     records.append(unit_year_record(loaded, loaded.evaluate(), []))
>>> impact = rescore(results_frame(records), "integer-scores")
>>> row = impact.units.set_index(["单位编号", "年度"]).loc[("xinshi-rd", 2023)]
>>> row[["原综合得分", "新综合得分", "新等级"]].tolist()
[Decimal('91.73'), Decimal('92'), '优']
>>> edited = edit_rulebook("national-default", {"budget_execution": {"weight": 20}})
>>> str(edited.budget_execution.weight), edited.name
('20', 'national-default（修改）')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evalkit.core.execution import score_budget_execution
from evalkit.core.figures import PRECISION, fmt, round_half_up
from evalkit.core.fixedpoint import exact_quotient, fraction_of, rhu, scaled_column
from evalkit.core.rulebook import Rulebook, _deep_merge, load_rulebook
from evalkit.core.scoring import grade_for
from evalkit.core.vectorized import _objects, prepare, score_prepared
from evalkit.errors import RulebookError
from evalkit.labels import NO_GRADE, UNGRADED_LABELS

if TYPE_CHECKING:
    from evalkit.report.charts import ChartFigure

__all__ = ["WhatIf", "rescore", "edit_rulebook", "NOT_RESCORED", "CHANGE_BANDS"]

NOT_RESCORED = "无法重算"
#: Bands of the score change (new − old), from the largest fall; lower bound inclusive.
CHANGE_BANDS = (
    (None, Decimal(-5), "下降 5 分以上"),
    (Decimal(-5), Decimal(-2), "下降 2–5 分"),
    (Decimal(-2), Decimal("-0.5"), "下降 0.5–2 分"),
    (Decimal("-0.5"), Decimal("0.5"), "变化不足 0.5 分"),
    (Decimal("0.5"), Decimal(2), "上升 0.5–2 分"),
    (Decimal(2), Decimal(5), "上升 2–5 分"),
    (Decimal(5), None, "上升 5 分以上"),
)
_INPUTS = ("budget_final", "budget_actual")
_BUDGET = ("budget_actual", "budget_final", "budget_initial", "budget_adjustment")
_COLUMNS = (
    "year", "unit_id", "unit_name", "rulebook", "total", "grade", "row_kind", "position", "indicator",
    "op", "target", "target_adjusted", "target_text", "unit", "actual", "actual_text", "weight",
    "applicable", "deduction", "assessed_score", "grade_set", "budget_initial", "budget_adjustment",
    "budget_final", "budget_actual", "execution_weight_set", "weight_set",
)  # fmt: skip


def edit_rulebook(base: str | Path | Rulebook, changes: dict[str, Any], *, name: str | None = None) -> Rulebook:
    """``base`` with ``changes`` merged in key by key, validated like a rulebook file.

    ``edit_rulebook("national-default", {"budget_execution": {"weight": 20}})``. Raises
    :class:`RulebookError` naming the setting at fault.
    """
    rb = base if isinstance(base, Rulebook) else load_rulebook(base)
    data = _deep_merge(rb.model_dump(), changes)
    data["name"] = name or f"{rb.name}（修改）"
    if "title" not in changes:
        data["title"] = f"{rb.title}（修改）"
    try:
        return Rulebook.model_validate(data)
    except ValueError as exc:
        err = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
        loc = ".".join(str(p) for p in err["loc"])
        raise RulebookError(str(err["msg"]).removeprefix("Value error, "), field=loc) from None


@dataclass
class WhatIf:
    """The impact of rescoring under another rulebook (see the module doc)."""

    rulebook: Rulebook
    units: pd.DataFrame  # one row per unit-year
    indicators_scored: int
    fallback_indicators: int
    fallback_totals: int
    reweighted: int

    @property
    def rescored(self) -> pd.DataFrame:
        return self.units[self.units["新等级"] != NOT_RESCORED]

    @property
    def not_rescored(self) -> pd.DataFrame:
        """Unit-years that could not be rescored, with the reason (说明)."""
        return self.units[self.units["新等级"] == NOT_RESCORED]

    def transition(self) -> pd.DataFrame:
        """Unit-years by old grade (rows) and new grade (columns), with totals (合计)."""
        old = [g.grade for g in load_grades(self.units)]
        new = [b.grade for b in self.rulebook.grades.bands]
        rows = list(dict.fromkeys([*old, *self.units["原等级"].dropna().unique()]))
        cols = list(dict.fromkeys([*new, *self.units["新等级"].unique()]))
        table = pd.crosstab(self.units["原等级"], self.units["新等级"]).reindex(index=rows, columns=cols, fill_value=0)
        table = table.loc[:, (table.sum() > 0) | table.columns.isin(new)]
        table.index.name, table.columns.name = "原等级", "新等级"
        table["合计"] = table.sum(axis=1)
        table.loc["合计"] = table.sum(axis=0)
        return table

    def changed(self) -> pd.DataFrame:
        """Unit-years whose grade changes, largest change first."""
        rows = self.rescored[self.rescored["原等级"] != self.rescored["新等级"]]
        order = rows["得分变化"].map(abs).sort_values(ascending=False, kind="stable").index
        return rows.loc[order].reset_index(drop=True)

    def score_changes(self) -> pd.DataFrame:
        """How many unit-years fall in each band of score change (新 − 原)."""
        changes = self.rescored["得分变化"].tolist()
        counts = []
        for low, high, label in CHANGE_BANDS:
            n = sum(1 for c in changes if (low is None or c >= low) and (high is None or c < high))
            counts.append((label, n))
        return pd.DataFrame(counts, columns=["得分变化", "单位年度数"]).set_index("得分变化")

    def summary(self) -> pd.DataFrame:
        """Counts and the mean, median and extremes of the score change, as exact decimals."""
        changes = sorted(self.rescored["得分变化"].tolist())
        n = len(changes)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            mean = round_half_up(sum(changes, Decimal(0)) / n, 2) if n else None
            median = None if not n else changes[n // 2] if n % 2 else (changes[n // 2 - 1] + changes[n // 2]) / 2
        rows = [
            ("新评分规则", self.rulebook.title),
            ("单位年度数", len(self.units)),
            ("已重算", n),
            ("无法重算", len(self.not_rescored)),
            ("等级变化", len(self.changed())),
            ("等级上升", int(sum(1 for _, r in self.changed().iterrows() if _rank(self, r["新等级"]) < _rank(self, r["原等级"])))),
            ("指标分值按比例调整的单位年度", self.reweighted),
            ("得分变化：平均", mean),
            ("得分变化：中位数", median),
            ("得分变化：最小", changes[0] if n else None),
            ("得分变化：最大", changes[-1] if n else None),
            ("逐项按 Decimal 计算的指标", self.fallback_indicators),
            ("按 Decimal 计算总分的单位年度", self.fallback_totals),
        ]
        return pd.DataFrame(rows, columns=["项目", "值"]).set_index("项目")

    def chart(self) -> ChartFigure:
        """The transition matrix as a heat map beside the distribution of score changes."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from evalkit.report.charts import ChartFigure
        from evalkit.report.fonts import use_cjk_font

        use_cjk_font()
        fig = ChartFigure(figsize=(10, 4), dpi=100, layout="constrained")
        FigureCanvasAgg(fig)
        fig.suptitle(f"改用“{self.rulebook.title}”后的等级变化与得分变化", fontsize=13)
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
        table = self.transition().drop(index="合计", columns="合计")
        counts = table.to_numpy(dtype=np.int64)
        left.imshow(counts, cmap="Blues")
        left.set_xticks(range(len(table.columns)), table.columns)
        left.set_yticks(range(len(table.index)), table.index)
        left.set_xlabel("新等级")
        left.set_ylabel("原等级")
        top = counts.max() if counts.size else 0
        for (i, j), value in np.ndenumerate(counts):
            left.text(j, i, str(value), ha="center", va="center", fontsize=10,
                      color="white" if top and value > top / 2 else "#222222")
        bands = self.score_changes()
        right.bar(range(len(bands)), bands["单位年度数"].tolist(), color="#0b5394", width=0.7)
        right.set_xticks(range(len(bands)), bands.index, rotation=30, ha="right", fontsize=8)
        right.set_ylabel("单位年度数")
        right.spines[["top", "right"]].set_visible(False)
        for x, value in enumerate(bands["单位年度数"].tolist()):
            right.annotate(str(value), (x, value), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
        return fig

    def _repr_html_(self) -> str:
        from html import escape

        head = (
            f"<p>改用评分规则“{escape(self.rulebook.title)}”：{len(self.units)} 个单位年度，"
            f"已重算 {len(self.rescored)} 个，等级变化 {len(self.changed())} 个，"
            f"无法重算 {len(self.not_rescored)} 个。</p>"
        )
        return head + self.transition().to_html()


def load_grades(units: pd.DataFrame) -> list[Any]:
    """The grade bands of the rulebook most of ``units`` were scored under (for the row order)."""
    names = units["原评分规则"].dropna()
    if names.empty:
        return []
    try:
        return list(load_rulebook(str(names.mode().iloc[0])).grades.bands)
    except RulebookError:
        return []


def _rank(impact: WhatIf, grade: str) -> int:
    order = [b.grade for b in impact.rulebook.grades.bands]
    return order.index(grade) if grade in order else len(order)


# --------------------------------------------------------------------------- rescoring


class _Units:
    """Unit-year columns of the table, read at its execution rows (one per unit-year) by position."""

    def __init__(self, table: pd.DataFrame, rows: np.ndarray) -> None:
        self.table, self.rows, self.n = table, rows, len(rows)
        self._cache: dict[tuple[str, int | None], tuple[np.ndarray, np.ndarray, int]] = {}

    def scaled(self, name: str, dp: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
        """Column ``name`` as Python-int objects at ``dp`` decimals, its empty rows, and the dp."""
        if (name, dp) in self._cache:
            return self._cache[(name, dp)]
        column = self.table[name] if name in self.table.columns else None
        col = scaled_column(column, len(self.table))
        if dp is not None:
            col = col.at(dp)
        rows = self.rows
        self._cache[(name, dp)] = out = (col.values[rows].astype(object), (col.null | col.bad)[rows], col.dp)
        return out

    def objects(self, name: str) -> np.ndarray:
        return _objects(self.table[name], len(self.table), None)[self.rows]


def _execution(units: _Units, weight: np.ndarray, sw: int, rb: Rulebook) -> dict[str, Any]:
    """Execution rate and score of every unit-year (integers; ``error`` and ``redo`` per row)."""
    rules, n = rb.budget_execution, units.n
    dp = max(units.scaled(c)[2] for c in _BUDGET)
    actual, a_null, _ = units.scaled("budget_actual", dp)
    error = np.full(n, None, dtype=object)
    if rules.denominator == "final":
        den, d_null, _ = units.scaled("budget_final", dp)
        label = "全年预算数"
    elif rules.denominator == "initial":
        den, d_null, _ = units.scaled("budget_initial", dp)
        label = "年初预算数"
    else:
        initial, i_null, _ = units.scaled("budget_initial", dp)
        adj, j_null, _ = units.scaled("budget_adjustment", dp)
        den, d_null = initial + adj, i_null | j_null
        label = "年初预算数 + 年中调整数"
    error[d_null] = f"评分规则要求以{label}为执行率分母，但结果表中没有"
    error[~d_null & (den == 0)] = f"{label}为 0，无法计算预算执行率"
    error[a_null] = "结果表中没有实际支出，无法计算预算执行率"
    ok = error == None  # noqa: E711 - elementwise on objects
    den = np.where(ok, den, 1)
    actual = np.where(ok, actual, 0)
    rate_dp = rb.rounding.rate_dp
    R = 10**rate_dp
    rate, rate_edge = rhu(actual * 100 * R, den)
    e_dp = rb.rounding.execution_score_dp
    e_dp = rb.rounding.score_dp if e_dp is None else e_dp
    SW = 10**sw
    if rules.scorer == "proportional":
        if rb.rounding.score_from_rounded_rate:
            num, d = weight * rate, np.full(n, SW * 100 * R, dtype=object)
            capped = rate > 100 * R
        else:
            num, d = weight * actual, SW * den
            capped = actual > den
        if rules.cap:
            num, d = np.where(capped, weight, num), np.where(capped, SW, d)
    else:
        num, d = np.zeros(n, dtype=object), np.full(n, SW, dtype=object)
        done = np.zeros(n, dtype=bool)
        for band in rules.intervals:
            mn, md = fraction_of(band.min)
            fn, fd = fraction_of(band.fraction)
            hit = ~done & (rate * md >= mn * R)
            num, d = np.where(hit, weight * fn, num), np.where(hit, SW * fd, d)
            done |= hit
    score, edge = rhu(num * 10**e_dp, d)
    redo = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ok & (edge | rate_edge)):
        redo[i] = not exact_quotient(actual[i], den[i])
    return {"rate": rate, "score": score, "dp": e_dp, "error": error, "redo": redo, "budget_dp": dp}


def _execution_decimal(units: _Units, i: int, dp: int, rb: Rulebook, weight: Decimal) -> Decimal:
    """The Decimal path (:func:`score_budget_execution`) for unit-year ``i``: its score."""
    def get(name: str) -> Decimal | None:
        values, null, _ = units.scaled(name, dp)
        return None if null[i] else Decimal(int(values[i])).scaleb(-dp)

    budget = SimpleNamespace(
        final=get("budget_final"), initial=get("budget_initial"),
        adjustment_amount=get("budget_adjustment"), actual=get("budget_actual"),
    )  # fmt: skip
    _, score = score_budget_execution(SimpleNamespace(budget=budget), rb, weight)  # type: ignore[arg-type]
    return score.value


def _grouped(table: pd.DataFrame) -> bool:
    """True when each unit-year's rows are together, its execution row first."""
    if not len(table):
        return True
    is_exec = _objects(table["row_kind"], len(table), None) == "execution"
    if not is_exec[0]:
        return False
    group = np.cumsum(is_exec) - 1
    first = np.flatnonzero(is_exec)
    year = _objects(table["year"], len(table), None)
    unit, _ = pd.factorize(table["unit_id"])
    return bool((year == year[first][group]).all() and (unit == unit[first][group]).all() and len(set(zip(year[first], unit[first], strict=True))) == len(first))


def _groups(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``values`` per unit-year code (codes sorted), exactly (integers, never floats)."""
    out = np.zeros(n, dtype=object)
    if not len(codes):
        return out
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sums = np.add.reduceat(values, starts)
    out[codes[starts]] = sums
    return out


def rescore(results: pd.DataFrame, rulebook: str | Path | Rulebook, *, reweight: bool = True) -> WhatIf:
    """Rescore every scored unit-year of ``results`` under ``rulebook`` (see the module doc)."""
    rb = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    wanted = [c for c in _COLUMNS if c in results.columns]
    scored = results["row_kind"].isin(["execution", "indicator"]).to_numpy()
    table = results[wanted] if scored.all() else results.loc[scored, wanted]
    if not _grouped(table):  # a results table is: each unit-year's rows together, execution first
        keys = pd.DataFrame({"y": table["year"].to_numpy(), "u": table["unit_id"].to_numpy(dtype=object), "p": table["position"].to_numpy()})
        table = table.iloc[keys.sort_values(["y", "u", "p"], kind="stable").index.to_numpy()]
    table = table.reset_index(drop=True)
    is_exec = _objects(table["row_kind"], len(table), None) == "execution"
    codes = np.cumsum(is_exec) - 1
    units = _Units(table, np.flatnonzero(is_exec))
    n = units.n
    error = np.full(n, None, dtype=object)
    missing = [c for c in _INPUTS if c not in table.columns]
    if missing:
        error[:] = "结果表缺少重算所需的输入列（请用新版 evalkit 重新构建）"

    # a partial or not computable original (unprinted figures) stays so under any rulebook, and
    # weights shared out by blocks are kept in the table rounded: neither is rescored
    incomplete = np.isin(units.objects("grade"), [NO_GRADE, *UNGRADED_LABELS.values()])
    error[incomplete & (error == None)] = "原结果为部分得分或无法计算（来源未印出部分数字），不重算"  # noqa: E711
    if "weight_set" in table.columns:
        shared = _groups(codes, (~is_exec & (table["weight_set"].isna().to_numpy()) & table["weight"].notna().to_numpy()).astype(np.int64), n)
        error[(shared > 0) & (error == None)] = "指标分值由板块分配（结果表只存六位小数），不重算"  # noqa: E711

    # every row is prepared (no copy of the table); execution rows take no part as indicators
    frame = pd.DataFrame(
        {
            "op": table["op"], "target": table["target"], "target_adjusted": table["target_adjusted"],
            "actual": table["actual"], "weight": table["weight"], "unit": table["unit"],
            "applicable": _objects(table["applicable"], len(table), True).astype(bool) & ~is_exec,
            "deduction": table.get("deduction"), "score": table.get("assessed_score"), "grade": table.get("grade_set"),
            "target_text": table["target_text"], "actual_text": table["actual_text"],
        }
    )  # fmt: skip
    prepared = prepare(frame)
    prepared.unfit &= ~is_exec
    sw = prepared.sw

    # execution weight: as the year file fixed it, else the new rulebook's
    wn, wd = fraction_of(rb.budget_execution.weight)
    tn, td = fraction_of(rb.total_weight)
    tol_n, tol_d = fraction_of(rb.weight_tolerance)
    set_dp = units.scaled("execution_weight_set")[2]
    sw = max(sw, 2 if reweight else 0, len(str(wd)) - 1, len(str(td)) - 1, len(str(tol_d)) - 1, set_dp)
    if sw != prepared.sw:
        factor = 10 ** (sw - prepared.sw)
        prepared.weight, prepared.deduction, prepared.assessed = (
            prepared.weight * factor, prepared.deduction * factor, prepared.assessed * factor
        )
        prepared.sw = sw
    SW = 10**sw
    set_w, set_null, _ = units.scaled("execution_weight_set", sw)
    exec_w = np.where(set_null, wn * SW // wd, set_w).astype(object)
    total_w = tn * SW // td
    weights = np.where(is_exec, 0, prepared.weight)
    ind_sum = _groups(codes, weights, n)
    off = np.abs(ind_sum + exec_w - total_w) * tol_d > tol_n * SW
    reweighted = np.zeros(n, dtype=bool)
    if reweight:
        fix = off & set_null & (ind_sum > 0) & (total_w > exec_w)
        if fix.any():
            weights, reweighted = _reweight(weights, codes, ind_sum, total_w - exec_w, fix, prepared)
            ind_sum = _groups(codes, weights, n)
            off = np.abs(ind_sum + exec_w - total_w) * tol_d > tol_n * SW
    for i in np.flatnonzero(off & (error == None)):  # noqa: E711
        error[i] = (
            f"权重合计为 {fmt(Decimal(int(ind_sum[i] + exec_w[i])).scaleb(-sw), 6)}"
            f"（预算执行率 {fmt(Decimal(int(exec_w[i])).scaleb(-sw), 6)}），按新评分规则应为 {fmt(rb.total_weight, 6)}"
        )

    scores = score_prepared(prepared, rb)
    names = _objects(table["indicator"], len(table), "")
    for j in np.flatnonzero(scores.error != None):  # noqa: E711
        u = codes[j]
        if error[u] is None:
            error[u] = f"指标“{names[j]}”：{scores.error[j]}"
    dp = scores.score_dp
    ind_scores = _groups(codes, np.where(scores.has_score, scores.score, 0), n)
    na = _groups(codes, np.where(prepared.applicable | is_exec, 0, weights), n)

    ex = _execution(units, exec_w, sw, rb) if not missing else None
    if ex is not None:
        error = np.where(error == None, ex["error"], error)  # noqa: E711
    e_dp = rb.rounding.execution_score_dp
    e_dp = dp if e_dp is None else e_dp
    exec_score = ex["score"] if ex is not None else np.zeros(n, dtype=object)
    fallback_totals = 0
    if ex is not None:
        for i in np.flatnonzero(ex["redo"] & (error == None)):  # noqa: E711
            value = _execution_decimal(units, i, ex["budget_dp"], rb, Decimal(int(exec_w[i])).scaleb(-sw))
            exec_score[i] = int(value.scaleb(e_dp))
            fallback_totals += 1

    # total: the sum of the rounded parts, renormalised when indicators do not apply
    top = max(dp, e_dp)
    raw = exec_score * 10 ** (top - e_dp) + ind_scores * 10 ** (top - dp)
    total_dp = rb.rounding.total_dp
    renorm = (na != 0) & (rb.indicators.not_applicable == "renormalise")
    den = np.where(renorm, 10**top * (total_w - na), 10**top)
    num = np.where(renorm, raw * total_w, raw)
    ok = error == None  # noqa: E711
    bad_den = ok & (den <= 0)
    error[bad_den] = "不适用指标的分值不小于满分，无法折算"
    ok &= ~bad_den
    den = np.where(ok, den, 1)
    shown, _ = rhu(num * 10**total_dp, den)
    basis = {"displayed": (shown, 10**total_dp), "integer_rounded": (rhu(num, den)[0], 1)}
    grades = np.full(n, NOT_RESCORED, dtype=object)
    g_on = rb.grades.grade_on
    decided = ~ok
    for band in rb.grades.bands:
        mn, md = fraction_of(band.min)
        if g_on == "exact":
            hit = num * md >= mn * den
        else:
            value, scale = basis[g_on]
            hit = value * md >= mn * scale
        grades = np.where(~decided & hit, band.grade, grades)
        decided |= hit
    grades = np.where(~decided, rb.grades.bands[-1].grade, grades)
    totals = np.full(n, None, dtype=object)
    by_decimal = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ok):
        if renorm[i] and not exact_quotient(total_w, total_w - na[i]):
            with localcontext() as ctx:  # the Decimal path's own rounding of the scale
                ctx.prec = PRECISION
                weight_total = Decimal(int(total_w)).scaleb(-sw)
                exact = Decimal(int(raw[i])).scaleb(-top) * (weight_total / (weight_total - Decimal(int(na[i])).scaleb(-sw)))
            totals[i] = round_half_up(exact, total_dp)
            grades[i] = grade_for(exact, rb)
            by_decimal[i] = True
            fallback_totals += 1
        else:
            totals[i] = Decimal(int(shown[i])).scaleb(-total_dp)
    old, old_null, old_dp = units.scaled("total")
    top = max(old_dp, total_dp)
    new_int = np.where(ok, shown, 0) * 10 ** (top - total_dp)
    change = new_int - old * 10 ** (top - old_dp)
    has_change = ok & ~old_null
    notes = np.where(ok, np.where(reweighted, "指标分值已按比例调整", ""), error)
    old_column = _decimal_column(old, ~old_null, old_dp)
    change_column = _decimal_column(change, has_change & ~by_decimal, top)
    for i in np.flatnonzero(has_change & by_decimal):
        change_column[i] = totals[i] - old_column[i]
    out = pd.DataFrame(
        {
            "年度": units.objects("year").astype(np.int64),
            "单位编号": units.objects("unit_id"),
            "单位名称": units.objects("unit_name"),
            "原评分规则": units.objects("rulebook"),
            "原综合得分": old_column,
            "原等级": units.objects("grade"),
            "新综合得分": totals,
            "新等级": np.where(ok, grades, NOT_RESCORED),
            "得分变化": change_column,
            "说明": notes,
        }
    )
    failed = results.loc[~scored]
    if len(failed):  # unit-years that were not scored in the first place: listed, not rescored
        errors = failed["error"].astype(object).map(lambda e: "" if e is None or e is pd.NA else f"：{e}")
        out = pd.concat([out, pd.DataFrame({
            "年度": failed["year"].astype("int64").to_numpy(), "单位编号": failed["unit_id"].astype(object).to_numpy(),
            "单位名称": failed["unit_name"].astype(object).to_numpy(), "原评分规则": failed["rulebook"].astype(object).to_numpy(),
            "原综合得分": None, "原等级": None, "新综合得分": None, "新等级": NOT_RESCORED, "得分变化": None,
            "说明": ("原结果没有综合得分，不重算" + errors).to_numpy(),
        })], ignore_index=True)  # fmt: skip
    return WhatIf(
        rulebook=rb,
        units=out,
        indicators_scored=int((~is_exec).sum()),
        fallback_indicators=scores.fallback,
        fallback_totals=fallback_totals,
        reweighted=int(reweighted.sum()),
    )


def _decimal_column(values: np.ndarray, present: np.ndarray, dp: int) -> np.ndarray:
    """Integers at ``dp`` decimals as Decimals (None where absent)."""
    out = np.full(len(values), None, dtype=object)
    for i in np.flatnonzero(present):
        out[i] = Decimal(int(values[i])).scaleb(-dp)
    return out


def _reweight(
    weights: np.ndarray, codes: np.ndarray, sums: np.ndarray, want: np.ndarray, fix: np.ndarray, prepared: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Scale the indicator weights of the unit-years in ``fix`` so they add up to ``want``.

    Each weight × want ÷ sum, half-up at the weights' decimals (at least two); the remainder goes
    to the unit's largest indicator (the first of equals). A 定性 indicator's assessed score is
    scaled by the same ratio (half-up, same decimals). Updates ``prepared`` in place.
    """
    rows = fix[codes]
    ratio_den = np.where(rows, sums[codes], 1)
    scaled, _ = rhu(weights * want[codes], ratio_den)
    assessed = rows & prepared.has_assessed
    if assessed.any():
        new_scores, _ = rhu(prepared.assessed * want[codes], ratio_den)
        prepared.assessed = np.where(assessed, new_scores, prepared.assessed).astype(np.int64)
    new = np.where(rows, scaled, weights).astype(object)
    got = _groups(codes, new, len(sums))
    # the largest indicator of each unit-year takes the remainder
    order = np.lexsort((np.arange(len(codes)), -weights.astype(np.int64), codes))
    firsts = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
    for j in firsts:
        u = codes[j]
        if fix[u]:
            new[j] += want[u] - got[u]
    prepared.weight = new.astype(np.int64)
    return new, fix.copy()
