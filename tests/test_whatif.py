"""Rulebook what-ifs: the rescored totals and grades are those of the Decimal path, unit by unit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from evalkit.core.figures import round_half_up
from evalkit.core.rulebook import load_rulebook
from evalkit.core.scoring import evaluate
from evalkit.errors import RulebookError, ScoringError
from evalkit.inputs.params import discover, load_unit_year
from evalkit.interactive.explore import edit_rulebook, rescore
from evalkit.interactive.whatif import NOT_RESCORED
from evalkit.publish.records import results_frame, unit_year_record
from evalkit.synth import write_synthetic

from .conftest import FIXTURES, PARAMS

SHIPPED = sorted(p.stem for p in (Path(__file__).parent.parent / "evalkit" / "core" / "rulebooks").glob("*.yaml"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> list:
    out = tmp_path_factory.mktemp("whatif")
    write_synthetic(out, 25, 2, seed=5, error_rate=0.2, project_share=0.4)
    return [load_unit_year(ref) for ref in [*discover(PARAMS), *discover(out)]]


@pytest.fixture(scope="module")
def table(loaded) -> pd.DataFrame:
    return results_frame([unit_year_record(item, item.evaluate(), []) for item in loaded])


def _expected(item, rb):
    try:
        ev = evaluate(item.profile, item.year, rb)
    except ScoringError:
        return None
    return ev.total.value, ev.grade


def _compare(impact, loaded, rb):
    got = impact.units.set_index(["单位编号", "年度"])
    for item in loaded:
        row = got.loc[(item.ref.unit_id, item.ref.year)]
        want = _expected(item, rb)
        if want is None:
            assert row["新等级"] == NOT_RESCORED and row["说明"]
        else:
            assert (row["新综合得分"], row["新等级"]) == want, item.ref


@pytest.mark.parametrize("name", [*SHIPPED, str(FIXTURES / "rulebooks" / "rounded-rate.yaml")])
def test_rescored_totals_and_grades_equal_the_decimal_path(loaded, table, name):
    rb = load_rulebook(name)
    impact = rescore(table, rb, reweight=False)
    _compare(impact, loaded, rb)
    assert len(impact.units) == len(loaded)


def test_rescoring_under_the_same_rulebook_changes_nothing(table):
    impact = rescore(table, "national-default")
    assert (impact.units["新等级"] != NOT_RESCORED).all()
    assert (impact.units["得分变化"] == 0).all()
    assert (impact.units["原等级"] == impact.units["新等级"]).all()
    assert impact.changed().empty
    matrix = impact.transition()
    assert matrix.loc["合计", "合计"] == len(impact.units)


def test_edited_rulebooks_equal_the_decimal_path(loaded, table):
    for changes in (
        {"grades": {"bands": [{"min": 95, "grade": "优"}, {"min": 85, "grade": "良"}, {"min": 70, "grade": "中"}, {"min": 0, "grade": "差"}]}},
        {"indicators": {"reverse": "deduct_per_pp", "deduct_per_pp": {"weight_fraction_per_pp": "0.25"}}},
        {"rounding": {"score_dp": 3, "total_dp": 1}, "grades": {"grade_on": "exact"}},
        {"budget_execution": {"scorer": "interval", "intervals": [{"min": 98, "fraction": 1}, {"min": 90, "fraction": "0.5"}, {"min": 0, "fraction": 0}]}},
        {"qualitative": {"default_fraction": {"达成": "0.9"}}},
    ):
        rb = edit_rulebook("national-default", changes)
        _compare(rescore(table, rb, reweight=False), loaded, rb)


def _reweighted(item, rb):
    """The year with its indicator weights scaled to fill what budget execution leaves."""
    year = item.year
    if year.execution_weight is not None:
        return year
    want = rb.total_weight - rb.budget_execution.weight
    total = sum(i.weight for i in year.indicators)
    if total + rb.budget_execution.weight == rb.total_weight:
        return year
    new = [round_half_up(i.weight * want / total, 2) for i in year.indicators]
    largest = max(range(len(new)), key=lambda k: (year.indicators[k].weight, -k))
    new[largest] += want - sum(new)
    indicators = [
        i.model_copy(update={"weight": w, "score": None if i.score is None else round_half_up(i.score * want / total, 2)})
        for i, w in zip(year.indicators, new, strict=True)
    ]
    return year.model_copy(update={"indicators": indicators})


def test_execution_weight_20_reweights_the_indicators(loaded, table):
    rb = edit_rulebook("national-default", {"budget_execution": {"weight": 20}})
    impact = rescore(table, rb)
    assert impact.reweighted > 0
    got = impact.units.set_index(["单位编号", "年度"])
    for item in loaded:
        row = got.loc[(item.ref.unit_id, item.ref.year)]
        try:
            ev = evaluate(item.profile, _reweighted(item, rb), rb)
        except ScoringError:
            assert row["新等级"] == NOT_RESCORED
            continue
        assert (row["新综合得分"], row["新等级"]) == (ev.total.value, ev.grade), item.ref
    # without re-weighting, the weights no longer add up: said, not guessed
    strict = rescore(table, rb, reweight=False)
    assert (strict.units["新等级"] == NOT_RESCORED).any()
    assert strict.not_rescored["说明"].str.contains("权重合计").all()


def test_views_are_in_chinese_and_consistent(table):
    impact = rescore(table, "grades-85-70-60")
    matrix = impact.transition()
    assert matrix.index.name == "原等级" and matrix.columns.name == "新等级"
    assert matrix.loc["合计", "合计"] == len(impact.units)
    changed = impact.changed()
    assert (changed["原等级"] != changed["新等级"]).all()
    assert impact.score_changes()["单位年度数"].sum() == len(impact.rescored)
    summary = impact.summary()
    assert summary.loc["等级变化", "值"] == len(changed)
    assert "改用评分规则" in impact._repr_html_()
    fig = impact.chart()
    assert fig._repr_png_()[0].startswith(b"\x89PNG")


def test_a_table_without_the_rescoring_inputs_is_not_guessed(table):
    old = table.drop(columns=["budget_final", "budget_actual"])
    impact = rescore(old, "national-default")
    assert (impact.units["新等级"] == NOT_RESCORED).all()
    assert impact.units["说明"].str.contains("重新构建").all()


def test_edit_rulebook_names_the_bad_setting():
    with pytest.raises(RulebookError) as info:
        edit_rulebook("national-default", {"indicators": {"reverse": "nonsense"}})
    assert "indicators.reverse" in str(info.value)


def test_scores_are_decimals_never_floats(table):
    impact = rescore(table, "one-decimal")
    assert all(isinstance(v, Decimal) for v in impact.rescored["新综合得分"])
    assert all(isinstance(v, Decimal) for v in impact.rescored["得分变化"])


def test_grade_on_the_exact_total_just_below_a_band(loaded, table):
    """A total shown as the band's lower limit but exactly below it: grade_on exact says so."""
    probe = edit_rulebook("national-default", {"rounding": {"score_dp": 3, "total_dp": 1}})
    item, exact = next(
        (item, ev.total.exact)
        for item in loaded
        if (ev := evaluate(item.profile, item.year, probe)) and round_half_up(ev.total.exact, 1) > ev.total.exact
    )
    edge = round_half_up(exact, 1)
    for grade_on in ("exact", "displayed", "integer_rounded"):
        rb = edit_rulebook(probe, {"grades": {"grade_on": grade_on, "bands": [{"min": edge, "grade": "优"}, {"min": 0, "grade": "差"}]}})
        _compare(rescore(table, rb, reweight=False), loaded, rb)
    rb = edit_rulebook(probe, {"grades": {"grade_on": "exact", "bands": [{"min": edge, "grade": "优"}, {"min": 0, "grade": "差"}]}})
    row = rescore(table, rb).units.set_index(["单位编号", "年度"]).loc[(item.ref.unit_id, item.ref.year)]
    assert row["新综合得分"] == edge and row["新等级"] == "差"


def test_row_order_of_the_table_does_not_matter(loaded, table):
    shuffled = table.sample(frac=1, random_state=3)
    a = rescore(table, "reverse-linear").units
    b = rescore(shuffled, "reverse-linear").units
    pd.testing.assert_frame_equal(a, b)


def test_incomplete_and_block_weighted_unit_years_are_listed_not_guessed():
    folder = Path(__file__).parent / "fixtures" / "incomplete"
    records = []
    for ref in discover(folder):
        item = load_unit_year(ref)
        records.append(unit_year_record(item, item.evaluate(), []))
    impact = rescore(results_frame(records), "national-default")
    assert len(impact.units) == len(records) > 0
    assert (impact.units["新等级"] == NOT_RESCORED).all()
    assert impact.units["说明"].str.contains("不重算").all()
