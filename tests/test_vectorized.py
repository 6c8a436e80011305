"""The fixed-point vectorised path gives exactly the per-item Decimal results, row by row."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.core.fixedpoint import exact_quotient, rhu
from evalkit.core.models import Indicator
from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import score_indicator, score_quantity
from evalkit.core.vectorized import prepare, score_frame, score_prepared
from evalkit.errors import ScoringError

from .conftest import FIXTURES

SHIPPED = sorted(p.stem for p in (Path(__file__).parent.parent / "evalkit" / "core" / "rulebooks").glob("*.yaml"))
RULEBOOKS = [*SHIPPED, str(FIXTURES / "rulebooks" / "rounded-rate.yaml")]

amounts = st.decimals(min_value=-50, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
targets = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=30, places=1, allow_nan=False, allow_infinity=False)
fine = st.decimals(min_value=0, max_value=10, places=6, allow_nan=False, allow_infinity=False)
huge = st.decimals(min_value=10**9, max_value=10**17, places=2, allow_nan=False, allow_infinity=False)

row = st.fixed_dictionaries(
    {
        "op": st.sampled_from([">=", ">", "=", "<=", "<"]),
        "target": st.one_of(targets, fine, huge, st.just(D(0))),
        "actual": st.one_of(amounts, fine, huge, st.just(D(0))),
        "weight": st.one_of(weights, st.sampled_from([D(3), D(7), D("12.5"), D("0.125")])),
        "unit": st.sampled_from(["%", "万元", "次"]),
        "target_adjusted": st.one_of(st.none(), targets),
        "deduction": st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=2)),
    }
)


def _per_item(r, rb):
    t = r["target_adjusted"] if r["target_adjusted"] is not None else r["target"]
    try:
        completion, score, met, _ = score_quantity(r["op"], t, r["actual"], r["weight"], r["unit"], r["deduction"], rb)
    except ScoringError:
        return "error"
    return completion.value, score.value, met


def _check(rows, rb, **kwargs):
    expected = [_per_item(r, rb) for r in rows]
    frame = pd.DataFrame(rows)
    if "error" in expected:
        with pytest.raises(ScoringError):
            score_frame(frame, rb, **kwargs)
        return None
    out = score_frame(frame, rb, **kwargs)
    got = list(zip(out["completion"], out["score"], out["met"], strict=True))
    assert got == expected
    return out


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=25), rulebook=st.sampled_from(RULEBOOKS), wide=st.booleans())
def test_vectorised_equals_per_item(rows, rulebook, wide):
    _check(rows, load_rulebook(rulebook), wide=wide)


@pytest.mark.parametrize("rulebook", RULEBOOKS)
def test_rounding_boundaries_after_inexact_divisions(rulebook):
    """x.xx5 reached through a quotient the Decimal path rounds at 34 digits (1/24 × 3 = 0.125)."""
    rb = load_rulebook(rulebook)
    rows = []
    for op in (">=", ">", "=", "<=", "<"):
        for t, a, w in [
            (D(12), D(7), D("16.5")),  # 9.625 exactly, but 34-digit Decimal gives 9.62
            (D(14), D(5), D("1.75")),  # 0.625 → Decimal 0.62
            (D(5), D(14), D("12.25")),  # reverse: 4.375 → Decimal 4.37
            (D(24), D(1), D(3)),  # 3 × 1/24 = 0.125
            (D(12), D(1), D(3)),  # 3 × 1/12 = 0.25
            (D(1), D(24), D(3)),  # reverse: 3 × 1/24
            (D(3), D(1), D("1.5")),  # 0.5
            (D(7), D(3), D(7)),  # 3 exactly
            (D(100), D("87.35"), D(10)),  # 8.735, exact division
            (D(100), D("87.25"), D(2)),  # 1.745
            (D(6), D(5), D(3)),  # 2.5
            (D("0.000001"), D("0.000003"), D(9)),  # tiny target
            (D("0.000003"), D("0.000001"), D(9)),
            (D(0), D(0), D(5)),  # zero target
            (D(0), D(2), D(5)),
            (D("99999999999999.99"), D("1"), D(10)),  # huge amounts
            (D("12345678901234567.5"), D("12345678901234566.5"), D(10)),
        ]:
            for unit in ("%", "次"):
                rows.append({"op": op, "target": t, "actual": a, "weight": w, "unit": unit, "target_adjusted": None, "deduction": None})
    good = [r for r in rows if _per_item(r, rb) != "error"]
    out = _check(good, rb)
    assert out is not None and out.attrs["fallback"] >= 1  # the 17-digit amounts, at least
    _check(good, rb, wide=True)


def test_deductions_and_negative_actuals():
    rb = load_rulebook("national-default")
    rows = [
        {"op": ">=", "target": D(10), "actual": D(5), "weight": D(10), "unit": "", "target_adjusted": None, "deduction": D("0.005")},
        {"op": ">=", "target": D(10), "actual": D(-5), "weight": D(10), "unit": "", "target_adjusted": None, "deduction": D(20)},
        {"op": "<=", "target": D(3), "actual": D(7), "weight": D(10), "unit": "", "target_adjusted": D(5), "deduction": D("1.115")},
    ]
    _check(rows, rb)


def test_a_broken_fast_path_would_be_seen():
    """The integer rounding and the exactness test themselves (they must not be trivially true)."""
    q, boundary = rhu(np.array([1245, -1245, 1244]), np.array([100, 100, 100]))
    assert q.tolist() == [12, -12, 12] and boundary.tolist() == [False, False, False]
    q, boundary = rhu(np.array([125, -125]), np.array([10, 10]))
    assert q.tolist() == [13, -13] and boundary.tolist() == [True, True]
    assert exact_quotient(1, 8) and exact_quotient(3, 24) and not exact_quotient(1, 24) and not exact_quotient(1, 3)
    assert not exact_quotient(1, 2**120)


def test_floats_in_a_frame_are_read_through_their_text():
    rb = load_rulebook("national-default")
    out = score_frame(pd.DataFrame({"op": [">="], "target": [1.0], "actual": [0.9945], "weight": [10.0]}), rb)
    assert out["score"].iloc[0] == D("9.95")


def test_more_than_six_decimals_fall_back_and_are_counted():
    rb = load_rulebook("national-default")
    frame = pd.DataFrame({"op": [">=", ">="], "target": [D("3.0000001"), D(3)], "actual": [D(1), D(1)], "weight": [D(10), D(10)]})
    out = score_frame(frame, rb)
    assert out.attrs["fallback"] == 1
    assert out["score"].tolist() == [D("3.33"), D("3.33")]


QUAL = st.fixed_dictionaries(
    {
        "name": st.just("q"),
        "op": st.just("qualitative"),
        "target": st.just("达成预期指标"),
        "actual": st.sampled_from(["达成预期指标", "部分达成", "基本完成", "未完成", "效果明显", "一般"]),
        "weight": st.sampled_from([D(5), D(3), D("7.5"), D(0)]),
        "grade": st.sampled_from([None, "达成", "部分达成", "未达成"]),
        "score": st.one_of(st.none(), st.decimals(min_value=0, max_value=8, places=2)),
        "deduction": st.one_of(st.none(), st.sampled_from([D("0.5"), D(1)])),
        "applicable": st.booleans(),
    }
)


def _indicator_result(data, rb):
    try:
        result = score_indicator(Indicator.model_validate(data), rb)
    except ScoringError:
        return "error"
    return (result.score.value if result.score else None), result.met


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(QUAL, min_size=1, max_size=12), rulebook=st.sampled_from(RULEBOOKS))
def test_qualitative_and_not_applicable_rows(rows, rulebook):
    rb = load_rulebook(rulebook)
    expected = [_indicator_result(r, rb) for r in rows]
    prepared = prepare(pd.DataFrame(rows))
    out = score_prepared(prepared, rb)
    for i, want in enumerate(expected):
        if want == "error":
            assert out.error[i] is not None
            continue
        assert out.error[i] is None
        got = D(int(out.score[i])).scaleb(-out.score_dp) if out.has_score[i] else None
        met = None if out.met[i] < 0 else bool(out.met[i])
        assert (got, met) == want


def _arrow(values):
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(values, type=pa.decimal128(28, 6))))


def test_arrow_decimal_columns_of_the_results_table_are_read_exactly():
    rb = load_rulebook("national-default")
    frame = pd.DataFrame(
        {
            "op": [">=", "<=", ">="],
            "target": _arrow([D("50"), D("90"), D("1")]),
            "actual": _arrow([D("40"), D("99"), D("0.9945")]),
            "weight": _arrow([D(8), D(8), D(10)]),
        }
    )
    out = score_frame(frame, rb)
    assert out["score"].tolist() == [D("6.40"), D("7.27"), D("9.95")]
    assert out.attrs["fallback"] == 0
