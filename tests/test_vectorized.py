"""The vectorised DataFrame path gives exactly the per-item results (property test)."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.core.models import Indicator
from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import score_indicator, score_quantity
from evalkit.core.vectorized import score_frame
from evalkit.errors import ScoringError

from .conftest import FIXTURES

RULEBOOKS = [
    "national-default", "reverse-linear", "reverse-deduct", "integer-scores", "one-decimal",
    "equal-symmetric", str(FIXTURES / "rulebooks" / "rounded-rate.yaml"),
]

amounts = st.decimals(min_value=-50, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
targets = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=30, places=1, allow_nan=False, allow_infinity=False)

row = st.fixed_dictionaries(
    {
        "op": st.sampled_from([">=", ">", "=", "<=", "<"]),
        "target": targets,
        "actual": amounts,
        "weight": weights,
        "unit": st.sampled_from(["%", "万元", "次"]),
        "target_adjusted": st.one_of(st.none(), targets),
        "deduction": st.one_of(st.none(), st.decimals(min_value=0, max_value=5, places=1)),
    }
)


def _per_item(r, rb):
    t = r["target_adjusted"] if r["target_adjusted"] is not None else r["target"]
    try:
        completion, score, met, _ = score_quantity(r["op"], t, r["actual"], r["weight"], r["unit"], r["deduction"], rb)
    except ScoringError:
        return "error"
    return completion.value, score.value, met


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=25), rulebook=st.sampled_from(RULEBOOKS))
def test_vectorised_equals_per_item(rows, rulebook):
    rb = load_rulebook(rulebook)
    expected = [_per_item(r, rb) for r in rows]
    frame = pd.DataFrame(rows)
    if "error" in expected:
        with pytest.raises(ScoringError):
            score_frame(frame, rb)
        return
    out = score_frame(frame, rb)
    got = list(zip(out["completion"], out["score"], out["met"], strict=True))
    assert got == expected


def test_floats_in_a_frame_are_read_through_their_text():
    rb = load_rulebook("national-default")
    out = score_frame(pd.DataFrame({"op": [">="], "target": [1.0], "actual": [0.9945], "weight": [10.0]}), rb)
    assert out["score"].iloc[0] == D("9.95")


def test_qualitative_and_not_applicable_rows():
    rb = load_rulebook("national-default")
    frame = pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            "op": ["qualitative", ">=", ">="],
            "target": ["达成预期指标", "10", "10"],
            "actual": ["达成预期指标", "5", None],
            "weight": [D(5), D(4), D(3)],
            "applicable": [True, True, False],
        }
    )
    out = score_frame(frame, rb)
    per_item = score_indicator(Indicator(name="a", op="qualitative", target="达成预期指标", actual="达成预期指标", weight=D(5)), rb)
    assert out["score"].tolist() == [per_item.score.value, D("2.00"), None]
