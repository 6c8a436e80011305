"""Benchmark: the exact vectorised scorer (indicators a second) and the 100k-unit-year what-if.

The table is made in memory, never written as YAML: ``--distinct`` synthetic unit-years
(:mod:`evalkit.synth`, scored by the Decimal path and turned into records) are repeated up to
``--unit-years`` with new unit ids, and every repetition's actual values are shifted by a few
hundredths (exact decimal arithmetic), so no two copies score alike. Prints figures; asserts
nothing. Run from the repository root:

    .venv/bin/python benchmarks/bench_scoring.py                       # 100,000 unit-years
    .venv/bin/python benchmarks/bench_scoring.py --unit-years 20000    # quicker
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def synthetic_table(unit_years: int, distinct: int = 200, seed: int = 3) -> pd.DataFrame:
    """A results table of ``unit_years`` unit-years (see the module doc)."""
    from evalkit.inputs.params import discover, load_unit_year
    from evalkit.publish.records import results_frame, unit_year_record
    from evalkit.synth import write_synthetic

    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic(Path(tmp), max(1, distinct // 2), 2, seed=seed, error_rate=0.2, project_share=0.4)
        records = []
        for ref in discover(tmp):
            loaded = load_unit_year(ref)
            records.append(unit_year_record(loaded, loaded.evaluate(), []))
    base = pa.Table.from_pandas(results_frame(records), preserve_index=False)
    copies = -(-unit_years // len(records))
    per_copy = base.num_rows
    table = pa.concat_tables([base] * copies)
    copy = np.repeat(np.arange(copies), per_copy)
    ids = pc.binary_join_element_wise(table["unit_id"], pa.array([f"-{c}" for c in copy]), "")
    shift = pa.array([Decimal(int(c % 37)).scaleb(-2) for c in range(copies)], type=pa.decimal128(28, 6))
    actual = pc.add(table["actual"], pc.take(shift, pa.array(copy)))
    actual = pc.cast(actual, pa.decimal128(28, 6))
    table = table.set_column(table.schema.get_field_index("unit_id"), "unit_id", ids)
    table = table.set_column(table.schema.get_field_index("actual"), "actual", actual)
    frame = table.combine_chunks().to_pandas(types_mapper=pd.ArrowDtype)  # one chunk, as read from parquet
    keep = frame.groupby(["year", "unit_id"], sort=False).ngroup() < unit_years
    return frame[keep.to_numpy()].reset_index(drop=True)


def indicators_per_second(table: pd.DataFrame, rulebooks: list[str], repeat: int = 3) -> dict[str, object]:
    """Prepare once, then score under each rulebook; the best of ``repeat`` runs each."""
    from evalkit.core.rulebook import load_rulebook
    from evalkit.core.vectorized import prepare, score_prepared

    rows = table[table["row_kind"] == "indicator"]
    frame = pd.DataFrame(
        {
            "op": rows["op"], "target": rows["target"], "target_adjusted": rows["target_adjusted"],
            "actual": rows["actual"], "weight": rows["weight"], "unit": rows["unit"],
            "applicable": rows["applicable"], "deduction": rows["deduction"], "score": rows["assessed_score"],
            "grade": rows["grade_set"], "target_text": rows["target_text"], "actual_text": rows["actual_text"],
        }
    ).reset_index(drop=True)  # fmt: skip
    started = time.perf_counter()
    prepared = prepare(frame)
    prepare_s = time.perf_counter() - started
    out: dict[str, object] = {"indicators": len(frame), "prepare_seconds": round(prepare_s, 3)}
    for name in rulebooks:
        rb = load_rulebook(name)
        best, cpu, fallback = float("inf"), float("inf"), 0
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            scores = score_prepared(prepared, rb)
            best = min(best, time.perf_counter() - started)
            cpu = min(cpu, time.process_time() - cpu_started)
            fallback = scores.fallback
        out[name] = {"per_second": int(len(frame) / best), "seconds": round(best, 3), "cpu_seconds": round(cpu, 3),
                     "fallback": fallback}
    return out


def whatif_seconds(table: pd.DataFrame, rulebooks: list[object], repeat: int = 3) -> dict[str, object]:
    """Wall time of :func:`evalkit.interactive.whatif.rescore` over the whole table (best of ``repeat``)."""
    from evalkit.interactive.whatif import rescore

    out: dict[str, object] = {}
    for rb in rulebooks:
        best, cpu, impact = float("inf"), float("inf"), None
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            impact = rescore(table, rb)
            best = min(best, time.perf_counter() - started)
            cpu = min(cpu, time.process_time() - cpu_started)
        assert impact is not None
        name = rb if isinstance(rb, str) else rb.name
        out[str(name)] = {
            "seconds": round(best, 2),
            "cpu_seconds": round(cpu, 2),
            "rescored": len(impact.rescored),
            "changed": len(impact.changed()),
            "not_rescored": len(impact.not_rescored),
            "fallback_indicators": impact.fallback_indicators,
            "fallback_totals": impact.fallback_totals,
        }
    return out


def run(unit_years: int, distinct: int, repeat: int) -> dict[str, object]:
    from evalkit.interactive.whatif import edit_rulebook

    started = time.perf_counter()
    table = synthetic_table(unit_years, distinct)
    build_s = time.perf_counter() - started
    n_units = int((table["row_kind"] == "execution").sum())
    n_ind = int((table["row_kind"] == "indicator").sum())
    print("vectorised scorer and what-if (target >= 1,000,000 indicators/s; what-if <= 3 s for 100,000 unit-years)")
    print(f"synthetic table: {n_units:,} unit-years, {n_ind:,} indicators, {len(table):,} rows (made in {build_s:.1f} s)")
    speed = indicators_per_second(table, ["national-default", "reverse-deduct", "integer-scores"], repeat)
    print(f"vectorised scorer: prepare (once per table) {speed['prepare_seconds']:.2f} s for {speed['indicators']:,} indicators")
    for name, fig in speed.items():
        if isinstance(fig, dict):
            print(f"  {name}: {fig['per_second']:,} indicators/s ({fig['seconds']:.3f} s wall, {fig['cpu_seconds']:.3f} s CPU; "
                  f"per-item fallback {fig['fallback']:,} rows)")
    edited = edit_rulebook("national-default", {"budget_execution": {"weight": 20}})
    whatif = whatif_seconds(table, ["hubei-2021", "grades-85-70-60", edited], repeat)
    for name, fig in whatif.items():
        print(
            f"what-if {name}: {fig['seconds']:.2f} s ({fig['cpu_seconds']:.2f} s CPU) for {n_units:,} unit-years "
            f"(rescored {fig['rescored']:,}, grade changed {fig['changed']:,}, not rescorable {fig['not_rescored']:,}, "
            f"fallback: {fig['fallback_indicators']:,} indicators, {fig['fallback_totals']:,} totals)"
        )
    return {"unit_years": n_units, "indicators": n_ind, "vectorised": speed, "whatif": whatif}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unit-years", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=200, help="distinct synthetic unit-years repeated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(args.unit_years, args.distinct, args.repeat)


if __name__ == "__main__":
    main()
