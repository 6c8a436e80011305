"""Questions across many unit-years, asked of the results table (``evalkit.results(outputs)``).

``notebooks/explore.ipynb`` is a sequence of these calls: which units lead and trail, how the
grades are spread, which indicators lose points most often, how budgets were executed, where the
printed scores were wrong, and one unit's history. Each function takes the tidy table of
:mod:`evalkit.publish.records` and returns a DataFrame with Chinese column names (to read, in JupyterLab
or Excel) or a chart (a :class:`~evalkit.report.charts.ChartFigure`, shown as a PNG in a notebook).

Figures stay exact decimals; a table shows each with as many decimals as its values need
(``91.73``, not ``91.730000``). Unit-years that could not be scored are counted in
:func:`overview` and :func:`grade_distribution` and left out of everything that needs a score.

>>> from evalkit.inputs.params import discover, load_unit_year
>>> from evalkit.publish.records import results_frame, unit_year_record
>>> records = []
>>> for ref in discover("params"):
...     loaded = load_unit_year(ref)
...     records.append(unit_year_record(loaded, loaded.evaluate(), []))
>>> df = results_frame(records)
>>> league_table(df)[["年度", "名次", "单位编号", "综合得分"]].head(3).values.tolist()
[[2024, 1, 'demo-edu', Decimal('96.60')], [2023, 1, 'demo-edu', Decimal('97.40')], [2023, 2, 'xinshi-rd', Decimal('91.73')]]
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from evalkit.core.figures import decimals_of, fmt
from evalkit.errors import InputError
from evalkit.interactive.display import Table
from evalkit.interactive.story import caveats, province_results, synthetic_province
from evalkit.interactive.whatif import WhatIf, edit_rulebook, rescore
from evalkit.labels import GRADES, KIND_LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from evalkit.report.charts import ChartFigure

__all__ = [
    "GRADES",
    "caveats",
    "province_results",
    "synthetic_province",
    "default_kind",
    "overview",
    "default_unit",
    "league_table",
    "grade_distribution",
    "grade_chart",
    "most_missed",
    "execution_rates",
    "execution_rate_chart",
    "reported_vs_recomputed",
    "reported_vs_recomputed_chart",
    "unit_history",
    "indicator_history",
    "unit_history_chart",
    "rescore",
    "edit_rulebook",
    "WhatIf",
]

FAILED = "未评分"
#: Execution-rate bands (percent, lower bound inclusive), from the top.
RATE_BANDS = (
    (Decimal(99), "≥99%"),
    (Decimal(95), "95%–99%"),
    (Decimal(90), "90%–95%"),
    (Decimal(80), "80%–90%"),
    (Decimal(0), "<80%"),
)
#: Grade colours of the report's stylesheet (--good, --ok, --mid, --bad).
GRADE_COLOURS = {
    "优": "#1b7f3b",
    "良": "#0b5394",
    "中": "#b26a00",
    "差": "#b3261e",
    FAILED: "#9aa5b1",
}

_UNIT_YEAR = [
    "year", "unit_id", "unit_name", "kind", "status", "total", "grade", "execution_rate",
    "execution_score", "reported_total", "reported_grade", "rulebook", "findings_error",
    "findings_warning", "error", "html",
]  # fmt: skip


# --------------------------------------------------------------------------- helpers


def _tight(series: pd.Series) -> pd.Series:
    """A decimal column with as many decimals as its values need (exact: the cast refuses a loss)."""
    dtype = getattr(series.dtype, "pyarrow_dtype", None)
    if dtype is None or not pa.types.is_decimal(dtype):
        return series
    scale = max((decimals_of(v.normalize()) for v in series.dropna()), default=0)
    scale = min(scale, dtype.scale)
    return series.astype(pd.ArrowDtype(pa.decimal128(dtype.precision - dtype.scale + scale, scale)))


def _tidy(frame: pd.DataFrame, source: pd.DataFrame | None = None) -> Table:
    """Every decimal column tightened, a fresh 0-based index; a :class:`Table` (shown with
    exact figures, ``—`` for missing values, Chinese words, links to the reports of ``source``)."""
    frame = Table(frame.reset_index(drop=True))
    for name in frame.columns:
        frame[name] = _tight(frame[name])
    if source is not None and "outputs_dir" in source.attrs:
        frame.attrs["outputs_dir"] = source.attrs["outputs_dir"]
    return frame


def default_kind(df: pd.DataFrame, unit_id: str) -> str:
    """The evaluation kind with most scored years for a unit (department on a tie): a unit's
    department and project evaluations are never put in one series."""
    units = _scored(df)
    kinds = units.loc[units["unit_id"] == unit_id, "kind"].dropna()
    if kinds.empty:
        return "department"
    counts = kinds.value_counts()
    return str(sorted(counts.index, key=lambda k: (-counts[k], k != "department", k))[0])


def _unit_years(df: pd.DataFrame) -> pd.DataFrame:
    """One row per unit-year (its first row), in year and unit order."""
    first = df.drop_duplicates(["year", "unit_id"])[[c for c in _UNIT_YEAR if c in df.columns]]
    return first.sort_values(["year", "unit_id"]).reset_index(drop=True)


def _scored(df: pd.DataFrame) -> pd.DataFrame:
    units = _unit_years(df)
    return units[units["total"].notna()].reset_index(drop=True)


def _kind_label(kind: pd.Series) -> pd.Series:
    return kind.map(lambda k: KIND_LABELS.get(k, k) if isinstance(k, str) else "—").astype(
        "string[pyarrow]"
    )


def _worst_items(df: pd.DataFrame) -> pd.DataFrame:
    """Per unit-year, the item that lost most points, written ``教师培训人次（−3.5）``."""
    items = df[df["row_kind"].isin(["execution", "indicator"]) & (df["lost"] > 0)]
    items = items.sort_values(["lost", "position"], ascending=[False, True]).drop_duplicates(
        ["year", "unit_id"]
    )
    text = [
        f"{name}（−{fmt(lost, 6)}）"
        for name, lost in zip(items["indicator"], items["lost"], strict=True)
    ]
    return pd.DataFrame(
        {"year": items["year"].to_numpy(), "unit_id": items["unit_id"].to_numpy(), "worst": text}
    )


def default_unit(df: pd.DataFrame, unit_id: str = "") -> str:
    """``unit_id`` if given, else the unit with the most scored years (the first by id on a tie).

    >>> default_unit(pd.DataFrame({"year": [2023, 2023, 2024], "unit_id": ["b", "a", "b"],
    ...                            "total": [1, 1, 1]}))
    'b'
    """
    if unit_id:
        return unit_id
    scored = df[df["total"].notna()].drop_duplicates(["year", "unit_id"])
    if scored.empty:
        raise InputError("结果表中没有已评分的单位年度", field="unit_id")
    counts = scored.groupby("unit_id").size()
    return str(sorted(counts.index, key=lambda u: (-counts[u], u))[0])


# --------------------------------------------------------------------------- tables


def overview(df: pd.DataFrame) -> pd.DataFrame:
    """How much there is: unit-years, units, years, how many scored and how many failed."""
    units = _unit_years(df)
    years = sorted(units["year"].unique().tolist())
    scored = units["total"].notna()
    rows = [
        ("单位年度", len(units)),
        ("单位", units["unit_id"].nunique()),
        ("年度", f"{years[0]}—{years[-1]}（{len(years)} 个）" if years else "—"),
        ("已评分", int(scored.sum())),
        ("报告生成失败或未能评分", int((units["status"] == "failed").sum())),
        ("复核错误合计", int(units["findings_error"].sum())),
    ]
    return Table(pd.DataFrame(rows, columns=["项目", "数量"]).astype("string[pyarrow]"))


def league_table(df: pd.DataFrame) -> pd.DataFrame:
    """Every scored unit-year ranked within its year and evaluation kind by total (latest year
    first; department evaluations before project ones, never ranked together).

    Columns: 年度, 评价类型, 名次 (equal totals share a place), 单位名称, 单位编号, 综合得分, 等级,
    预算执行率, 失分最多的项目 (the item that lost most points), 复核错误, 报告 (the HTML report,
    a link in JupyterLab).
    """
    units = _scored(df)
    units["kind"] = units["kind"].fillna("department")
    ranks = units.groupby(["year", "kind"])["total"].transform(
        lambda t: t.rank(ascending=False, method="min")
    )
    units["rank"] = ranks.astype("int64")
    units = units.merge(_worst_items(df), on=["year", "unit_id"], how="left")
    units = units.sort_values(
        ["year", "kind", "rank", "unit_id"], ascending=[False, True, True, True]
    )
    table = pd.DataFrame(
        {
            "年度": units["year"],
            "评价类型": _kind_label(units["kind"]),
            "名次": units["rank"],
            "单位名称": units["unit_name"],
            "单位编号": units["unit_id"],
            "综合得分": units["total"],
            "等级": units["grade"],
            "预算执行率": units["execution_rate"],
            "失分最多的项目": units["worst"].fillna("—").astype("string[pyarrow]"),
            "复核错误": units["findings_error"],
            "报告": units["html"] if "html" in units else None,
        }
    )
    return _tidy(table, df)


def grade_distribution(df: pd.DataFrame) -> pd.DataFrame:
    """Unit-years per year and grade (``未评分``: scoring failed), with a 合计 row and column.

    A unit-year whose report failed to build but which was scored keeps its grade here.
    """
    units = _unit_years(df)
    grade = units["grade"].fillna(FAILED)
    other = sorted(set(grade) - {*GRADES, FAILED})  # 部分得分 / 无法计算 (incomplete reports) are counted too
    table = pd.crosstab(units["year"], grade).reindex(columns=[*GRADES, *other, FAILED], fill_value=0)
    table["合计"] = table.sum(axis=1)
    table.loc["合计"] = table.sum(axis=0)
    table.index = table.index.map(str)
    table.index.name = "年度"
    table.columns.name = "等级"
    return Table(table.astype("int64"))


def most_missed(df: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Indicators that most often scored below their weight, across all scored unit-years.

    Columns: 指标, 适用次数 (unit-years where it applied), 失分次数, 失分比例 (%), 累计失分,
    平均完成率 (%). Sorted by how often, then how many points; the budget execution row is left
    out (see :func:`execution_rates`).
    """
    items = df[(df["row_kind"] == "indicator") & df["score"].notna()]
    if items.empty:
        return pd.DataFrame(
            columns=["指标", "适用次数", "失分次数", "失分比例", "累计失分", "平均完成率"]
        )
    missed = items["lost"] > 0
    grouped = items.assign(missed=missed.astype("int64")).groupby("indicator", sort=False)
    table = pd.DataFrame(
        {
            "适用次数": grouped.size(),
            "失分次数": grouped["missed"].sum(),
            "累计失分": grouped["lost"].sum(),
            "平均完成率": grouped["completion"].mean(),
        }
    )
    table = table[table["失分次数"] > 0]
    share = [
        fmt(Decimal(int(m)) * 100 / Decimal(int(n)), 1)
        for m, n in zip(table["失分次数"], table["适用次数"], strict=True)
    ]
    table.insert(
        2,
        "失分比例",
        pd.array([Decimal(s) for s in share], dtype=pd.ArrowDtype(pa.decimal128(5, 1))),
    )
    table["平均完成率"] = table["平均完成率"].map(
        lambda v: None if pd.isna(v) else Decimal(fmt(v, 2))
    )
    table["平均完成率"] = table["平均完成率"].astype(pd.ArrowDtype(pa.decimal128(12, 2)))
    table = table.sort_values(["失分次数", "累计失分"], ascending=False).head(top)
    table = table.rename_axis("指标").reset_index()
    table["指标"] = table["指标"].astype("string[pyarrow]")
    return _tidy(table, df)


def execution_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Scored unit-years per year by budget execution rate band, with the median rate."""
    units = _scored(df)
    bands = [label for _, label in RATE_BANDS]

    def band(rate: Decimal) -> str:
        return next(label for low, label in RATE_BANDS if rate >= low)

    units["band"] = units["execution_rate"].map(band)
    table = pd.crosstab(units["year"], units["band"]).reindex(columns=bands, fill_value=0)
    table["合计"] = table.sum(axis=1)
    medians = {
        year: median(rates.dropna().tolist())
        for year, rates in units.groupby("year")["execution_rate"]
    }
    table["中位数（%）"] = [fmt(medians[year], 2) for year in table.index]
    table.index = table.index.map(str)
    table.index.name = "年度"
    table.columns.name = "预算执行率"
    return Table(table)


def reported_vs_recomputed(df: pd.DataFrame) -> pd.DataFrame:
    """Unit-years whose printed total or grade differs from the recomputed one.

    Columns: 年度, 单位名称, 单位编号, 报告所列总分, 重算总分, 差额 (recomputed − printed),
    报告所列等级, 重算等级, 等级改变, 复核错误. Grade changes first, then the largest gaps.
    """
    units = _scored(df)
    printed = units["reported_total"].notna() | units["reported_grade"].notna()
    differs = (units["reported_total"] != units["total"]).fillna(False) | (
        units["reported_grade"] != units["grade"]
    ).fillna(False)
    units = units[printed & differs].copy()
    units["gap"] = units["total"] - units["reported_total"]
    units["grade_changed"] = (
        (units["reported_grade"] != units["grade"]).fillna(False).astype("bool")
    )
    units["abs_gap"] = units["gap"].abs()
    units = units.sort_values(
        ["grade_changed", "abs_gap", "year", "unit_id"], ascending=[False, False, True, True]
    )
    table = pd.DataFrame(
        {
            "年度": units["year"],
            "单位名称": units["unit_name"],
            "单位编号": units["unit_id"],
            "报告所列总分": units["reported_total"],
            "重算总分": units["total"],
            "差额": units["gap"],
            "报告所列等级": units["reported_grade"],
            "重算等级": units["grade"],
            "等级改变": units["grade_changed"],
            "复核错误": units["findings_error"],
            "报告": units["html"] if "html" in units else None,
        }
    )
    return _tidy(table, df)


def unit_history(df: pd.DataFrame, unit_id: str = "", kind: str = "") -> Table:
    """One unit across its years of one evaluation kind (``kind``: ``department`` or ``project``,
    default :func:`default_kind`): total and its change, grade, execution rate, printed total,
    audit counts and the item that lost most points. ``unit_id`` defaults to :func:`default_unit`.
    A unit's years of the other kind are left out (see :func:`caveats`).
    """
    unit_id = default_unit(df, unit_id)
    kind = kind or default_kind(df, unit_id)
    units = _unit_years(df)
    units = units[(units["unit_id"] == unit_id) & (units["kind"].fillna(kind) == kind)].merge(
        _worst_items(df), on=["year", "unit_id"], how="left"
    )
    if units.empty:
        raise InputError(f"结果表中没有单位“{unit_id}”的{KIND_LABELS.get(kind, kind)}评价", field="unit_id")
    table = pd.DataFrame(
        {
            "年度": units["year"],
            "单位名称": units["unit_name"],
            "综合得分": units["total"],
            "较上年": units["total"].diff(),
            "等级": units["grade"],
            "预算执行率": units["execution_rate"],
            "报告所列总分": units["reported_total"],
            "复核错误": units["findings_error"],
            "复核警告": units["findings_warning"],
            "失分最多的项目": units["worst"].fillna("—").astype("string[pyarrow]"),
            "状态": units["status"],
            "报告": units["html"] if "html" in units else None,
        }
    )
    return _tidy(table, df)


def indicator_history(df: pd.DataFrame, unit_id: str = "", kind: str = "") -> Table:
    """One unit's scores item by item (rows) and year (columns) within one evaluation kind (as
    :func:`unit_history`), with the latest weight and the change from the year before (较上年).
    Items are in the latest year's order."""
    unit_id = default_unit(df, unit_id)
    kind = kind or default_kind(df, unit_id)
    items = df[
        (df["unit_id"] == unit_id)
        & df["row_kind"].isin(["execution", "indicator"])
        & (df["kind"].fillna(kind) == kind)
    ]
    if items.empty:
        raise InputError(f"结果表中没有单位“{unit_id}”的评分", field="unit_id")
    years = sorted(items["year"].unique().tolist())
    order = items.sort_values(["year", "position"], ascending=[False, True]).drop_duplicates(
        "indicator"
    )
    table = pd.DataFrame(
        {"项目": order["indicator"].astype("string[pyarrow]"), "分值": order["weight"]}
    )
    for year in years:
        scores = items[items["year"] == year].set_index("indicator")["score"]
        table[f"{year}年得分"] = table["项目"].map(scores).astype(items["score"].dtype)
    if len(years) >= 2:
        table["较上年"] = table[f"{years[-1]}年得分"] - table[f"{years[-2]}年得分"]
    return _tidy(table, df)


# --------------------------------------------------------------------------- charts


def _figure(title: str, height: float = 3.6) -> tuple[ChartFigure, Axes]:
    """A chart in the report's look: 8 in wide, the CJK font, quiet axes; shown in a notebook
    as a 2× PNG on a transparent background (:class:`~evalkit.interactive.display.LabFigure`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from evalkit.interactive.display import LabFigure
    from evalkit.report.fonts import use_cjk_font

    use_cjk_font()
    fig = LabFigure(figsize=(8, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(title, fontsize=13)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _grade_lines(df: pd.DataFrame) -> list[tuple[float, str]]:
    """The grade boundaries (above 0) of the rulebook most unit-years in ``df`` were scored under;
    none when that rulebook is a user's file that cannot be found by name."""
    from evalkit.core.rulebook import load_rulebook

    names = df["rulebook"].dropna()
    if names.empty:
        return []
    try:
        rulebook = load_rulebook(str(names.mode().iloc[0]))
    except InputError:
        return []
    return [(float(band.min), band.grade) for band in rulebook.grades.bands if band.min > 0]


def _floats(series: pd.Series) -> list[float]:
    """Positions for marks only; every number written on a chart comes from the decimals."""
    return [float(v) for v in series]


def grade_chart(df: pd.DataFrame) -> ChartFigure:
    """Stacked bars: unit-years per grade, one bar per year."""
    table = grade_distribution(df).drop(index="合计", columns="合计")
    fig, ax = _figure("各年度评价等级分布（单位年度数）")
    bottom = [0] * len(table)
    for grade in table.columns:
        counts = table[grade].tolist()
        if not any(counts):
            continue
        ax.bar(
            table.index, counts, bottom=bottom, color=GRADE_COLOURS[grade], label=grade, width=0.6
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for x, total in zip(table.index, bottom, strict=True):
        ax.annotate(
            str(total),
            (x, total),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_ylabel("单位年度数")
    ax.legend(frameon=False, ncols=len(table.columns), loc="lower right", bbox_to_anchor=(1, 1.0))
    return fig


def execution_rate_chart(df: pd.DataFrame) -> ChartFigure:
    """Histogram of the budget execution rates of all scored unit-years, one bar per percentage
    point; rates below 50% are drawn in the first bar, above 100% in the last."""
    rates = _floats(_scored(df)["execution_rate"])
    fig, ax = _figure(f"预算执行率分布（{len(rates)} 个单位年度）")
    start = max(50, min([90, *(int(r) for r in rates)]))
    ax.hist(
        [min(max(r, start), 100.0) for r in rates],
        bins=list(range(start, 101)),
        color="#0072B2",
        edgecolor="white",
    )
    ax.set_xlim(start, 100)
    ax.set_xlabel("预算执行率（%）")
    ax.set_ylabel("单位年度数")
    return fig


def reported_vs_recomputed_chart(df: pd.DataFrame) -> ChartFigure:
    """Printed total (x) against recomputed total (y) for every unit-year that printed one; on
    the diagonal they agree, red marks a changed grade."""
    units = _scored(df)
    units = units[units["reported_total"].notna()]
    changed = (units["reported_grade"] != units["grade"]).fillna(False).tolist()
    x, y = _floats(units["reported_total"]), _floats(units["total"])
    fig, ax = _figure("报告所列总分与重算总分", height=5.2)
    same = [i for i, c in enumerate(changed) if not c]
    moved = [i for i, c in enumerate(changed) if c]
    ax.scatter(
        [x[i] for i in same],
        [y[i] for i in same],
        s=14,
        color="#0072B2",
        alpha=0.6,
        label="等级未变",
    )
    ax.scatter(
        [x[i] for i in moved],
        [y[i] for i in moved],
        s=28,
        color="#D55E00",
        marker="D",
        label="等级改变",
    )
    values = x + y
    low = min([60.0, *values]) - 2  # the grade lines 90/80/60 (or the rulebook's) stay in view
    ax.plot([low, 100], [low, 100], color="#555555", linewidth=0.8, linestyle="--")
    for bound, _ in _grade_lines(units):
        if bound > low:
            ax.axhline(bound, color="#BBBBBB", linewidth=0.6)
            ax.axvline(bound, color="#BBBBBB", linewidth=0.6)
    ax.set_xlim(low, 101)
    ax.set_ylim(low, 101)
    ax.set_xlabel("报告所列总分")
    ax.set_ylabel("按评分规则重算的总分")
    ax.legend(frameon=False, loc="upper left")
    return fig


def unit_history_chart(df: pd.DataFrame, unit_id: str = "", kind: str = "") -> ChartFigure:
    """One unit's total (with its grade) and budget execution rate by year, with the grade lines,
    for one evaluation kind (as :func:`unit_history`)."""
    history = unit_history(df, unit_id, kind)
    scored = history[history["综合得分"].notna()]
    name = scored["单位名称"].iloc[0] if len(scored) else default_unit(df, unit_id)
    kind = kind or default_kind(df, default_unit(df, unit_id))
    fig, ax = _figure(f"{name}：历年综合得分与预算执行率（{KIND_LABELS.get(kind, kind)}评价）")
    years = scored["年度"].tolist()
    totals, rates = scored["综合得分"].tolist(), scored["预算执行率"].tolist()
    series = (
        (
            "综合得分",
            totals,
            [f"{fmt(v, 6)} {g}" for v, g in zip(totals, scored["等级"], strict=True)],
            "#0072B2",
            "o",
            -15,
        ),
        ("预算执行率", rates, [f"{fmt(v, 6)}%" for v in rates], "#D55E00", "s", 7),
    )
    for label, values, texts, colour, marker, offset in series:
        ax.plot(years, [float(v) for v in values], color=colour, marker=marker, label=label)
        for year, value, text in zip(years, values, texts, strict=True):
            ax.annotate(
                text,
                (year, float(value)),
                xytext=(0, offset),
                textcoords="offset points",
                ha="center",
                fontsize=9,
                color=colour,
            )
    low = max(0.0, min([float(v) for v in [*totals, *rates]] or [60.0]) - 10)
    for bound, grade in _grade_lines(df[df["unit_id"] == default_unit(df, unit_id)]):
        if bound > low:
            ax.axhline(bound, color="#BBBBBB", linewidth=0.7, linestyle=":")
            ax.annotate(
                f"{grade} ≥ {bound:g}",
                (1, bound),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=8,
                color="#777777",
            )
    ax.set_xticks(years, [f"{y}年" for y in years])
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
    ax.set_ylim(low, 106)
    ax.legend(frameon=False, loc="lower left")
    return fig
