"""The scoring engine: the reference report, the test vectors of scoring-rules §7.3, rounding, grades."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evalkit.core.figures import round_half_up
from evalkit.core.models import Indicator
from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import evaluate, grade_for, score_indicator, score_quantity
from evalkit.errors import ScoringError
from evalkit.inputs.params import evaluate_path, load_unit_year, resolve_path

from .conftest import REFERENCE

NAT = load_rulebook("national-default")


def test_reference_reproduces_every_printed_score():
    e = evaluate_path(REFERENCE)
    assert e.execution_rate.value == D("99.43")
    assert e.execution_score.value == D("9.94")
    assert [s.score.value for s in e.indicators] == [
        D(x) for x in ("0", "12", "9.79", "10", "10", "15", "15", "10")
    ]
    assert e.total.value == D("91.73") and e.grade == "优"
    budget = e.indicators[1]
    assert budget.indicator.target_adjusted == D("425.3")
    assert budget.indicator.target_adjusted == D("304.1") + D("121.2")
    assert budget.target_used == D("425.3")
    assert e.adjustment_rate.value == D("39.86")
    assert e.basic_execution_rate.value == D("99.86")
    assert e.project_execution_rate.value == D("97.93")


def test_reference_without_adjusted_target_is_good_not_excellent():
    loaded = load_unit_year(resolve_path(REFERENCE)[0])
    indicators = list(loaded.year.indicators)
    indicators[1] = indicators[1].model_copy(update={"target_adjusted": None})
    year = loaded.year.model_copy(update={"indicators": indicators})
    e = evaluate(loaded.profile, year, NAT)
    assert e.indicators[1].score.value == D("8.63")
    assert e.total.value == D("88.36") and e.grade == "良"


def test_every_figure_explains_itself():
    e = evaluate_path(REFERENCE)
    s = e.indicators[2].score
    assert s.formula == "得分 = 分值 × 实际值 ÷ 目标值"
    assert "10 × 97.93 ÷ 100" in s.working
    assert s.inputs["实际值"] == D("97.93")
    assert e.total.explain().endswith("→ 91.73")


def test_a_met_target_states_the_comparison_that_was_made():
    """The formula says what was computed: "=" is scored like "≥" under the national rules (the
    working prints 100 ≥ 100), so the formula must not say "实际值 = 目标值"; ">" and "<" are met
    at equality too."""
    for op, actual, formula in (("=", "100", "实际值 ≥ 目标值，得满分（“等于”指标按正向指标计分）"),
                                ("=", "101", "实际值 ≥ 目标值，得满分（“等于”指标按正向指标计分）"),
                                (">", "95", "实际值 ≥ 目标值，得满分"),
                                ("<", "5", "实际值 ≤ 目标值，得满分")):
        target = "100" if op == "=" else actual
        score = score_quantity(op, D(target), D(actual), D(10), "", None, NAT)[1]
        assert (score.formula, score.value) == (formula, D(10)), op
        assert ("≥" if op in "=>" else "≤") in score.working


def _q(op, t, a, w, rb="national-default", unit="", deduction=None):
    completion, score, met, flags = score_quantity(
        op, D(t), D(a), D(w), unit, None if deduction is None else D(deduction), load_rulebook(rb)
    )
    return score.value, flags


@pytest.mark.parametrize(
    "case, op, t, a, w, unit, rulebook, expected",
    [
        (1, ">=", "50", "40", "8", "个", "national-default", "6.40"),
        (2, ">=", "50", "80", "8", "个", "national-default", "8.00"),
        (3, "<=", "90", "99", "8", "万元", "national-default", "7.27"),
        (3, "<=", "90", "99", "8", "万元", "reverse-linear", "7.20"),
        (4, "<=", "90", "200", "8", "万元", "national-default", "3.60"),
        (4, "<=", "90", "200", "8", "万元", "reverse-linear", "0.00"),
        (5, "<=", "0", "0", "5", "次", "national-default", "5.00"),
        (5, "<=", "0", "1", "5", "次", "national-default", "0.00"),
        (6, "=", "100", "98", "10", "%", "national-default", "9.80"),
    ],
)
def test_vectors_of_scoring_rules_7_3(case, op, t, a, w, unit, rulebook, expected):
    assert _q(op, t, a, w, rulebook, unit)[0] == D(expected)


def test_vector_2_flags_over_completion():
    _, flags = _q(">=", "50", "80", "8")
    assert any("160%" in f and "偏低" in f for f in flags)


def _qual(grade, score, w="10", rb="national-default"):
    ind = Indicator(name="服务质量", op="qualitative", target="达成年度指标", actual="见说明",
                    weight=D(w), grade=grade, score=None if score is None else D(score))
    return score_indicator(ind, load_rulebook(rb))


def test_vector_7_partial_score_inside_band_accepted():
    assert _qual("部分达成", "7.5").score.value == D("7.50")


def test_vector_8_achieved_score_below_band_rejected():
    with pytest.raises(ScoringError, match=r"\[8, 10\]"):
        _qual("达成", "7.5")


def test_qualitative_bands_80_50_variant():
    assert _qual("部分达成", "5.5", rb="qualitative-80-50").score.value == D("5.50")
    with pytest.raises(ScoringError):
        _qual("部分达成", "5.5")


def test_qualitative_without_score_uses_band_midpoint_with_flag():
    result = _qual("部分达成", None)
    assert result.score.value == D("7.00")
    assert any("中点" in f for f in result.flags)


def test_qualitative_grade_read_from_actual_text():
    ind = Indicator(name="群众满意", op="qualitative", target="达成预期指标", actual="达成预期指标", weight=D(5))
    assert score_indicator(ind, NAT).score.value == D("5.00")


def test_unreadable_qualitative_actual_is_an_error():
    ind = Indicator(name="群众满意", op="qualitative", target="达成预期指标", actual="见附件", weight=D(5))
    with pytest.raises(ScoringError, match="grade"):
        score_indicator(ind, NAT)


def _year_with(budget_final, actual, weight="10", rb="national-default"):
    from evalkit.core.models import UnitYear
    from evalkit.core.scoring import score_budget_execution

    year = UnitYear.model_validate({
        "year": 2023, "kind": "department",
        "budget": {"initial": budget_final, "final": budget_final, "actual": actual},
        "indicators": [{"name": "x", "op": ">=", "target": 1, "actual": 1, "weight": 90}],
    })
    return score_budget_execution(year, load_rulebook(rb), D(weight))


def test_vector_9_execution_proportional():
    rate, score = _year_with("43.2", "37.24")
    assert rate.value == D("86.20") and score.value == D("8.62")


def test_vector_9_integer_rulebook_shows_9():
    _, score = _year_with("43.2", "37.24", rb="integer-scores")
    assert score.value == D("9")


def test_vector_10_execution_capped():
    rate, score = _year_with("100", "105")
    assert rate.value == D("105.00") and score.value == D("10.00")


def test_vector_11_zero_budget_is_an_error():
    with pytest.raises(ScoringError, match="为 0"):
        _year_with("0", "0")


def test_vector_13_hubei_twenty_points():
    _, score = _year_with("285.84", "285.84", weight="20", rb="hubei-2021")
    assert score.value == D("20.00")


def test_execution_interval_table():
    _, score = _year_with("100", "93")
    assert score.value == D("9.30")
    _, score = _year_with("100", "93", rb="execution-interval")
    assert score.value == D("6.00")  # 93% falls in [90, 95): 60% of 10


@pytest.mark.parametrize(
    "total, grade",
    [("89.995", "优"), ("90", "优"), ("89.994", "良"), ("79.99", "中"), ("80", "良"), ("60", "中"), ("59.99", "差"), ("100", "优")],
)
def test_grade_boundaries(total, grade):
    assert grade_for(D(total), NAT) == grade


def test_grade_on_exact_total():
    assert grade_for(D("84.999"), load_rulebook("grades-85-70-60")) == "良"
    assert grade_for(D("85"), load_rulebook("grades-85-70-60")) == "优"


def test_half_up_where_python_round_differs():
    assert round(D("9.945"), 2) == D("9.94")  # round() on Decimal is banker's rounding
    assert round_half_up(D("9.945"), 2) == D("9.95")
    assert round(2.675, 2) == 2.67  # a binary float cannot hold 2.675
    assert round_half_up(D("2.675"), 2) == D("2.68")
    assert round_half_up(D("0.125"), 2) == D("0.13")
    assert _q(">=", "1", "0.9945", "10")[0] == D("9.95")


def test_score_capped_at_weight_and_deduction_floors_at_zero():
    assert _q(">=", "10", "30", "5")[0] == D("5.00")
    assert _q(">=", "10", "5", "5", deduction="4")[0] == D("0.00")


def test_zero_targets():
    assert _q(">=", "0", "3", "5")[0] == D("5.00")
    assert _q("=", "0", "0", "5")[0] == D("5.00")
    assert _q("=", "0", "2", "5")[0] == D("0.00")


def test_negative_actual_coerced_to_zero_with_flag():
    value, flags = _q(">=", "10", "-3", "5")
    assert value == D("0.00") and any("负数" in f for f in flags)


def test_reverse_deduct_per_percentage_point():
    # ≤ 5% with 7.5%: 2.5 pp over, 1/10 of the weight (0.8) per pp → 8 − 2 = 6
    assert _q("<=", "5", "7.5", "8", "reverse-deduct", unit="%")[0] == D("6.00")
    # a money target: 10% over the target counts as 10 pp → 0
    assert _q("<=", "100", "110", "8", "reverse-deduct", unit="万元")[0] == D("0.00")


def test_not_applicable_indicator_renormalises_total():
    loaded = load_unit_year(resolve_path(REFERENCE)[0])
    indicators = list(loaded.year.indicators)
    indicators[0] = indicators[0].model_copy(update={"applicable": False, "actual": None})
    year = loaded.year.model_copy(update={"indicators": indicators})
    e = evaluate(loaded.profile, year, NAT)
    # 91.73 points earned of 92 applicable → 91.73 × 100 / 92 = 99.71
    assert e.indicators[0].score is None
    assert e.total.value == D("99.71")


def test_weights_must_sum_to_the_rulebook_total():
    loaded = load_unit_year(resolve_path(REFERENCE)[0])
    indicators = list(loaded.year.indicators)
    indicators[0] = indicators[0].model_copy(update={"weight": D(18)})
    year = loaded.year.model_copy(update={"indicators": indicators})
    with pytest.raises(ScoringError, match="权重合计为 110"):
        evaluate(loaded.profile, year, NAT)
