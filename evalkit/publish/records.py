"""The results table: one tidy row per scored item per unit-year, for pandas, Excel and the index.

A batch writes one *record* per unit-year next to its report (``outputs/<year>/<unit-id>.json``,
see :func:`unit_year_record` and :func:`write_record`), then gathers them into
``outputs/results.parquet`` and ``outputs/results.csv`` (:func:`write_results`). Records are
plain JSON with every figure as a decimal string (``"9.94"``), so no digit is lost on the way.

Rows of the table (:func:`results_frame`), column ``row_kind``:

* ``"execution"`` — the budget execution rate (预算执行率) as its own scored row, the first row of
  each unit-year, as in the report's indicator table: ``indicator`` is ``预算执行率``, ``op`` ``=``,
  ``target`` 100 (%), ``actual`` and ``completion`` the execution rate, and its weight and score;
* ``"indicator"`` — one row per performance indicator, in the order of the year file;
* ``"failed"`` — one row for a unit-year that could not be scored (its ``status`` and ``error``
  say why; every figure is empty). A unit-year that was scored but whose report failed to build
  keeps its scored rows, with ``status`` ``"failed"`` and the ``error``.

Every figure column is exact: ``decimal128(28, 6)`` in Arrow (``pd.ArrowDtype``), never a binary
float; six decimals is the finest a rulebook rounds to, and an input written with more is rounded
half-up to six. Text columns are Arrow strings. A 定性 (qualitative) indicator's target and actual
are text, so they go to ``target_text`` / ``actual_text`` and ``target`` / ``actual`` stay
numeric. The CSV carries the same columns, UTF-8 with a BOM so Excel shows the Chinese, and every
figure written as its exact decimal text (``9.94``, ``100``).

Called, this module is :func:`evalkit.interactive.api.results` (``evalkit.results("outputs")``): the package
exports a function of that name, and a submodule of the same name would otherwise replace it.

>>> from evalkit.inputs.params import discover, load_unit_year
>>> loaded = load_unit_year(discover("params", unit="xinshi-rd", year=2023)[0])
>>> record = unit_year_record(loaded, loaded.evaluate(), [], html="2023/xinshi-rd.html")
>>> record["total"], record["grade"], record["execution_score"]
('91.73', '优', '9.94')
>>> frame = results_frame([record])
>>> frame.loc[0, ["row_kind", "indicator", "score"]].tolist()
['execution', '预算执行率', Decimal('9.940000')]
>>> len(frame), str(frame["score"].dtype)
(9, 'decimal128(28, 6)[pyarrow]')
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.audit import Finding, summarise
from evalkit.core.figures import round_half_up, to_decimal
from evalkit.core.models import is_valid_unit_id
from evalkit.inputs.params import LoadedUnitYear, UnitYearRef
from evalkit.inputs.yamlio import atomic_write
from evalkit.labels import UNGRADED_LABELS

if TYPE_CHECKING:  # pandas and pyarrow are imported when a table is made, not with the module
    import pandas as pd
    import pyarrow as pa

    from evalkit.core.scoring import Evaluation

__all__ = [
    "SCHEMA_VERSION",
    "COLUMNS",
    "RESULTS_PARQUET",
    "RESULTS_CSV",
    "RecordWarning",
    "unit_year_record",
    "record_path",
    "write_record",
    "read_records",
    "results_frame",
    "write_results",
    "neutralise_formula",
    "read_results",
]

#: Version of the record format; bump it when a key changes meaning.
SCHEMA_VERSION = 1
RESULTS_PARQUET = "results.parquet"
RESULTS_CSV = "results.csv"
#: Figures keep six decimals: the finest ``rounding`` a rulebook allows.
DECIMAL_PLACES = 6
EXECUTION_ITEM = "预算执行率"

#: Columns of the table: name, kind (``decimal``, ``string``, ``int``, ``bool``) and meaning.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("year", "int", "年度"),
    ("unit_id", "string", "单位编号"),
    ("unit_name", "string", "单位名称"),
    ("kind", "string", "评价类型：department 部门整体 / project 项目"),
    ("status", "string", "报告状态：built 已生成 / failed 失败"),
    ("row_kind", "string", "行类型：execution 预算执行率 / indicator 绩效指标 / failed 未能评分"),
    ("position", "int", "在本单位年度指标表中的序号（预算执行率为 0）"),
    ("indicator", "string", "指标名称"),
    ("level1", "string", "一级指标"),
    ("level2", "string", "二级指标"),
    ("op", "string", "比较方式：>= > = <= < qualitative"),
    ("target", "decimal", "年度指标值（定量）"),
    ("target_adjusted", "decimal", "调整指标值"),
    ("target_text", "string", "年度指标值（定性，文字）"),
    ("unit", "string", "计量单位"),
    ("actual", "decimal", "实际完成值（定量）"),
    ("actual_text", "string", "实际完成值（定性，文字）"),
    ("completion", "decimal", "完成率（%）"),
    ("weight", "decimal", "分值"),
    ("score", "decimal", "得分"),
    ("lost", "decimal", "失分 = 分值 − 得分"),
    ("applicable", "bool", "是否适用"),
    ("indicator_grade", "string", "定性指标完成等级：达成 / 部分达成 / 未达成"),
    ("total", "decimal", "综合得分"),
    ("grade", "string", "评价等级（重算）"),
    ("execution_rate", "decimal", "预算执行率（%）"),
    ("execution_weight", "decimal", "预算执行率分值"),
    ("execution_score", "decimal", "预算执行率得分"),
    ("reported_total", "decimal", "报告所列总分"),
    ("reported_grade", "string", "报告所列等级"),
    ("rulebook", "string", "评分规则"),
    ("findings_error", "int", "复核发现：错误数"),
    ("findings_warning", "int", "复核发现：警告数"),
    ("findings_info", "int", "复核发现：提示数"),
    ("error", "string", "失败原因"),
    ("html", "string", "报告路径（相对输出目录）"),
    ("key", "string", "构建指纹"),
    # inputs for rescoring under another rulebook (evalkit.interactive.whatif)
    ("budget_initial", "decimal", "年初预算数（万元）"),
    ("budget_adjustment", "decimal", "年中调整数（万元）"),
    ("budget_final", "decimal", "全年预算数（万元）"),
    ("budget_actual", "decimal", "实际支出（万元）"),
    ("execution_weight_set", "decimal", "年度文件写明的预算执行率分值（空 = 按评分规则）"),
    ("deduction", "decimal", "扣减分数"),
    ("assessed_score", "decimal", "定性指标评定得分（填写的）"),
    ("grade_set", "string", "定性完成等级（填写的）"),
    ("weight_set", "decimal", "指标自身分值（空 = 由板块分配或未印出）"),
)

_UNIT_YEAR_KEYS = (
    "year", "unit_id", "unit_name", "kind", "status", "total", "grade", "execution_rate",
    "execution_weight", "execution_score", "reported_total", "reported_grade", "rulebook",
    "error", "html", "key", "budget_initial", "budget_adjustment", "budget_final", "budget_actual",
    "execution_weight_set",
)  # fmt: skip


class RecordWarning(UserWarning):
    """A sidecar record that cannot be read; it is left out."""


# --------------------------------------------------------------------------- records


def _text(value: Decimal | None) -> str | None:
    """A Decimal as plain decimal text (never ``1E+2``), keeping its digits."""
    return None if value is None else f"{value:f}"


def _number_or_text(value: Decimal | str | None) -> str | None:
    return value if value is None or isinstance(value, str) else _text(value)


def unit_year_record(
    loaded: LoadedUnitYear | UnitYearRef,
    evaluation: Evaluation | None,
    findings: Sequence[Finding],
    *,
    key: str = "",
    status: str = "built",
    error: str | None = None,
    html: str | None = None,
) -> dict[str, Any]:
    """The JSON-ready record of one unit-year: who, how it scored, what the audit found.

    Parameters
    ----------
    loaded:
        The loaded unit-year; a :class:`~evalkit.inputs.params.UnitYearRef` when loading itself failed
        (the record then has only the unit id and year).
    evaluation:
        Its evaluation, or ``None`` when scoring failed: every figure is then ``None``, there are
        no indicators, and a ``status`` left at ``"built"`` becomes ``"failed"``.
    findings:
        The audit's findings (:func:`evalkit.audit.audit_unit_year`); only their counts by
        severity are kept.
    key, status, error:
        The batch's content key, ``"built"`` / ``"failed"``, and the error when it failed.
    html:
        The report's path relative to the outputs folder (``"2023/xinshi-rd.html"``), or ``None``.

    Returns
    -------
    dict
        ``{"schema": 1, "unit_id", "year", "key", "status", "error", "html", "unit_name", "kind",
        "rulebook", "total", "grade", "execution_rate", "execution_weight", "execution_score",
        "reported_total", "reported_grade", "findings": {"error", "warning", "info"},
        "indicators": [{"indicator", "level1", "level2", "op", "target", "target_adjusted",
        "unit", "actual", "completion", "weight", "score", "applicable", "grade"}]}``, every
        figure a decimal string (a 定性 indicator's ``target`` / ``actual`` are its texts);
        also the inputs rescoring under another rulebook needs (:mod:`evalkit.interactive.whatif`):
        ``budget_initial``, ``budget_adjustment``, ``budget_final``, ``budget_actual``,
        ``execution_weight_set`` and per indicator ``deduction``, ``assessed_score``, ``grade_set``,
        ``weight_set`` (its own weight; empty when a block's share or not printed).

    Examples
    --------
    >>> from evalkit.inputs.params import discover, load_unit_year
    >>> loaded = load_unit_year(discover("params", unit="xinshi-rd")[0])
    >>> record = unit_year_record(loaded, loaded.evaluate(), [])
    >>> record["indicators"][7]["indicator"], record["indicators"][7]["completion"]
    ('职工代表满意度', '101.17')
    >>> unit_year_record(loaded, None, [], error="权重合计不是 100")["status"]
    'failed'
    """
    if isinstance(loaded, UnitYearRef):
        ref, profile, year, rulebook = loaded, None, None, None
    else:
        ref, profile, year, rulebook = loaded.ref, loaded.profile, loaded.year, loaded.rulebook.name
    reported = year.reported if year is not None else None
    if evaluation is None and status == "built":
        status = "failed"
    if html is not None:
        html = str(html).replace("\\", "/")
    counts = summarise(findings)
    ev = evaluation
    if ev is not None:
        rulebook = ev.rulebook.name
    return {
        "schema": SCHEMA_VERSION,
        "unit_id": ref.unit_id,
        "year": ref.year,
        "key": key,
        "status": status,
        "error": error,
        "html": html,
        "unit_name": profile.name if profile is not None else None,
        "kind": year.kind if year is not None else None,
        "rulebook": rulebook,
        # A partial or not-computable total is no total: it is left out of sums and averages, and
        # the grade column says why (部分得分 / 无法计算).
        "total": None if ev is None or not ev.graded else _text(ev.total.value),
        "grade": None if ev is None else ev.grade if ev.graded else UNGRADED_LABELS[ev.total_status],
        "execution_rate": None if ev is None else _text(ev.execution_rate.value),
        "execution_weight": None if ev is None else _text(ev.execution_weight),
        "execution_score": None if ev is None else _text(ev.execution_score.value),
        "reported_total": None if reported is None else _text(reported.total),
        "reported_grade": None if reported is None else reported.grade,
        "findings": counts,
        **_budget_inputs(year),
        "indicators": []
        if ev is None
        else [
            {
                "indicator": s.name,
                "level1": s.indicator.level1,
                "level2": s.indicator.level2,
                "op": s.indicator.op,
                "target": _number_or_text(s.indicator.target),
                "target_adjusted": _text(s.indicator.target_adjusted),
                "unit": s.indicator.unit,
                "actual": _number_or_text(s.indicator.actual),
                "completion": _text(s.completion.value),
                "weight": _text(s.weight),
                "score": None if s.score is None else _text(s.score.value),
                "applicable": s.applicable,
                "grade": s.grade,
                "deduction": _text(s.indicator.deduction),
                "assessed_score": _text(s.indicator.score),
                "grade_set": s.indicator.grade,
                "weight_set": _text(s.indicator.weight),
            }
            for s in ev.indicators
        ],
    }


def _budget_inputs(year: Any) -> dict[str, str | None]:
    """What rescoring under another rulebook needs of the year file (evalkit.interactive.whatif)."""
    budget = None if year is None else year.budget
    return {
        "budget_initial": None if budget is None else _text(budget.initial),
        "budget_adjustment": None if budget is None else _text(budget.adjustment_amount),
        "budget_final": None if budget is None else _text(budget.final),
        "budget_actual": None if budget is None else _text(budget.actual),
        "execution_weight_set": None if year is None else _text(year.execution_weight),
    }


def record_path(out_dir: Path | str, unit_id: str, year: int) -> Path:
    """Where a unit-year's record lives: ``<out_dir>/<year>/<unit-id>.json``.

    >>> record_path("outputs", "xinshi-rd", 2023).as_posix()
    'outputs/2023/xinshi-rd.json'
    """
    if not is_valid_unit_id(str(unit_id)):
        raise ValueError(f"单位编号“{unit_id}”不合法，不能用作文件名")
    return Path(out_dir) / str(int(year)) / f"{unit_id}.json"


def write_record(out_dir: Path | str, record: Mapping[str, Any]) -> Path:
    """Write a record next to its report (atomically) and return the path."""
    path = record_path(out_dir, record["unit_id"], record["year"])
    with atomic_write(path) as handle:
        json.dump(record, handle, ensure_ascii=False, indent=1, default=_json_default)
        handle.write("\n")
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _text(value)
    raise TypeError(f"{type(value).__name__} 不能写入 JSON")


def read_records(out_dir: Path | str) -> list[dict[str, Any]]:
    """Every record under ``out_dir`` (``<year>/<unit-id>.json``), sorted by year and unit id.

    A file that is not valid JSON, or not a record of a known schema, is left out with a
    :class:`RecordWarning` naming it; the rest are returned.
    """
    out_dir = Path(out_dir)
    records = []
    for path in sorted(out_dir.glob("[0-9][0-9][0-9][0-9]/*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warnings.warn(f"跳过无法读取的结果记录 {path}：{exc}", RecordWarning, stacklevel=2)
            continue
        if not isinstance(record, dict) or record.get("schema") != SCHEMA_VERSION:
            warnings.warn(
                f"跳过格式不符的结果记录 {path}（schema 应为 {SCHEMA_VERSION}）",
                RecordWarning,
                stacklevel=2,
            )
            continue
        if not isinstance(record.get("unit_id"), str) or not isinstance(record.get("year"), int):
            warnings.warn(f"跳过缺少单位编号或年度的结果记录 {path}", RecordWarning, stacklevel=2)
            continue
        records.append(record)
    records.sort(key=lambda r: (r["year"], r["unit_id"]))
    return records


# --------------------------------------------------------------------------- the table


def _decimal(value: Any) -> Decimal | None:
    """A figure for a decimal128 column: None stays None, anything else exact to six places."""
    if value is None or value == "":
        return None
    try:
        number = to_decimal(value) if not isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite():
        return None
    return round_half_up(number, DECIMAL_PLACES)


def _arrow_schema() -> pa.Schema:
    import pyarrow as pa

    types_ = {
        "decimal": pa.decimal128(28, DECIMAL_PLACES),
        "string": pa.string(),
        "int": pa.int32(),
        "bool": pa.bool_(),
    }
    return pa.schema(
        [
            pa.field(name, types_[kind], metadata={"description": meaning})
            for name, kind, meaning in COLUMNS
        ],
        metadata={"evalkit.records.schema": str(SCHEMA_VERSION)},
    )


def _rows(record: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """The table rows of one record."""
    counts = record.get("findings") or {}
    base = {k: record.get(k) for k in _UNIT_YEAR_KEYS}
    base.update(
        findings_error=int(counts.get("error", 0)),
        findings_warning=int(counts.get("warning", 0)),
        findings_info=int(counts.get("info", 0)),
    )
    if record.get("total") is None and not record.get("indicators"):
        yield {**base, "row_kind": "failed", "status": base["status"] or "failed"}
        return
    rate, weight, score = (
        _decimal(record.get(k)) for k in ("execution_rate", "execution_weight", "execution_score")
    )
    yield {
        **base,
        "row_kind": "execution",
        "position": 0,
        "indicator": EXECUTION_ITEM,
        "op": "=",
        "target": Decimal(100),
        "unit": "%",
        "actual": rate,
        "completion": rate,
        "weight": weight,
        "score": score,
        "lost": None if weight is None or score is None else weight - score,
        "applicable": True,
    }
    for position, item in enumerate(record.get("indicators") or [], start=1):
        qualitative = item.get("op") == "qualitative"
        weight, score = _decimal(item.get("weight")), _decimal(item.get("score"))
        target, actual = item.get("target"), item.get("actual")
        yield {
            **base,
            "row_kind": "indicator",
            "position": position,
            "indicator": item.get("indicator"),
            "level1": item.get("level1"),
            "level2": item.get("level2"),
            "op": item.get("op"),
            "target": None if qualitative else _decimal(target),
            "target_adjusted": _decimal(item.get("target_adjusted")),
            "target_text": None if target is None else str(target) if qualitative else None,
            "unit": item.get("unit"),
            "actual": None if qualitative else _decimal(actual),
            "actual_text": None if actual is None else str(actual) if qualitative else None,
            "completion": _decimal(item.get("completion")),
            "weight": weight,
            "score": score,
            "lost": None if weight is None or score is None else weight - score,
            "applicable": item.get("applicable"),
            "indicator_grade": item.get("grade"),
            "deduction": _decimal(item.get("deduction")),
            "assessed_score": _decimal(item.get("assessed_score")),
            "grade_set": item.get("grade_set"),
            "weight_set": _decimal(item.get("weight_set")),
        }


def _table(records: Iterable[Mapping[str, Any]]) -> pa.Table:
    import pyarrow as pa

    schema = _arrow_schema()
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    decimals = {name for name, kind, _ in COLUMNS if kind == "decimal"}
    ordered = sorted(records, key=lambda r: (int(r.get("year") or 0), str(r.get("unit_id") or "")))
    for record in ordered:
        for row in _rows(record):
            for name, values in columns.items():
                value = row.get(name)
                values.append(_decimal(value) if name in decimals else value)
    return pa.table(
        {name: pa.array(values, type=schema.field(name).type) for name, values in columns.items()},
        schema=schema,
    )


def results_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The tidy table of ``records``: one row per scored item per unit-year (see the module doc).

    Rows are sorted by year and unit id and, within a unit-year, in the report's order: budget
    execution first, then the indicators.

    Examples
    --------
    >>> from evalkit.inputs.params import discover, load_unit_year
    >>> loaded = load_unit_year(discover("params", unit="xinshi-rd")[0])
    >>> frame = results_frame([unit_year_record(loaded, loaded.evaluate(), [])])
    >>> row = frame[frame["indicator"] == "预算经费"].iloc[0]
    >>> row["target"], row["target_adjusted"], row["score"], row["lost"]
    (Decimal('304.100000'), Decimal('425.300000'), Decimal('12.000000'), Decimal('0.000000'))
    """
    import pandas as pd

    return _table(records).to_pandas(types_mapper=pd.ArrowDtype)


#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert with a leading ``'``.

    Only text is changed; numbers (a negative figure included) are written as numbers.

    >>> print(neutralise_formula('=HYPERLINK("http://x","y")'), neutralise_formula("@SUM(A1)"))
    '=HYPERLINK("http://x","y") '@SUM(A1)
    >>> neutralise_formula("甲单位"), neutralise_formula(-5)
    ('甲单位', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    """A figure as its exact decimal text without padding zeros (``9.940000`` → ``9.94``)."""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return value


def write_results(out_dir: Path | str, records: Iterable[Mapping[str, Any]]) -> tuple[Path, Path]:
    """Write ``results.parquet`` and ``results.csv`` into ``out_dir``, each atomically.

    The CSV is UTF-8 with a BOM (Excel then reads the Chinese), figures as exact decimal text,
    and text that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR) prefixed with ``'``
    (:func:`neutralise_formula`); the Parquet file keeps every text exactly. Returns the two paths.
    """
    import pyarrow.parquet as pq

    out_dir = Path(out_dir)
    table = _table(records)
    parquet_path, csv_path = out_dir / RESULTS_PARQUET, out_dir / RESULTS_CSV
    with atomic_write(parquet_path, "wb") as handle:
        pq.write_table(table, handle, compression="zstd")
    frame = table.to_pandas(types_mapper=_object_mapper)
    for name, kind, _ in COLUMNS:
        if kind == "decimal":
            frame[name] = frame[name].map(_csv_cell)
        elif kind == "string":
            frame[name] = frame[name].map(neutralise_formula)
    with atomic_write(csv_path, encoding="utf-8-sig", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\r\n")
    return parquet_path, csv_path


def _object_mapper(arrow_type: Any) -> Any:
    """Keep Decimals as Decimal objects (and ints as nullable ints) when making the CSV."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def read_results(out_dir: Path | str) -> pd.DataFrame:
    """``results.parquet`` from ``out_dir`` as a DataFrame with the same Arrow dtypes."""
    import pandas as pd
    import pyarrow.parquet as pq

    return pq.read_table(Path(out_dir) / RESULTS_PARQUET).to_pandas(types_mapper=pd.ArrowDtype)
