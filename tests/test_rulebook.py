"""Rulebooks are data: shipped variants load, users extend them, bad ones are clear errors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from evalkit.core.rulebook import available_rulebooks, load_rulebook
from evalkit.errors import RulebookError
from evalkit.inputs.params import evaluate_path

from .conftest import REFERENCE


def test_shipped_rulebooks_cover_the_variants():
    names = set(available_rulebooks())
    assert {"national-default", "reverse-linear", "reverse-deduct", "execution-interval",
            "hubei-2021", "qualitative-80-50", "integer-scores", "one-decimal",
            "grades-85-70-60", "sichuan", "beijing-haidian-2016"} <= names
    assert load_rulebook("reverse-linear").indicators.reverse == "linear_to_zero_at_2x"
    assert load_rulebook("hubei-2021").budget_execution.weight == D(20)
    assert load_rulebook("qualitative-80-50").qualitative.bands["部分达成"] == (D("0.5"), D("0.8"))


def test_user_rulebook_extends_a_shipped_one(tmp_path):
    path = tmp_path / "county.yaml"
    path.write_text("name: county\ntitle: 某县规则\nextends: national-default\n"
                    "indicators:\n  reverse: linear_to_zero_at_2x\n", encoding="utf-8")
    rb = load_rulebook(path)
    assert rb.indicators.reverse == "linear_to_zero_at_2x"
    assert rb.indicators.over_completion_flag == D("1.3")  # inherited key by key
    e = evaluate_path(REFERENCE, rulebook=str(path))
    assert e.rulebook.name == "county"


def test_unknown_rule_name_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntitle: 错\nextends: national-default\nindicators:\n  reverse: magic\n", encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert info.value.field == "indicators.reverse"
    assert "magic" in info.value.message and "ratio" in info.value.message


def test_malformed_rulebook_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [broken\n", encoding="utf-8")
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    assert "YAML" in str(info.value) and str(path) in str(info.value)


def test_missing_section_and_unknown_setting(tmp_path):
    path = tmp_path / "partial.yaml"
    path.write_text("name: p\ntitle: 缺项\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="缺少该项"):
        load_rulebook(path)
    path.write_text("name: p\ntitle: t\nextends: national-default\nroundng: {}\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="未知的设置项"):
        load_rulebook(path)


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="循环"):
        load_rulebook(tmp_path / "a.yaml")


def test_unknown_rulebook_name_lists_known_ones():
    with pytest.raises(RulebookError, match="national-default"):
        load_rulebook("atlantis")


def test_an_edited_rulebook_or_the_one_it_extends_is_read_again(tmp_path):
    """Rulebooks are cached per file; editing the file, or a rulebook it extends, is seen at the
    next load (an analyst editing the province's rules in a notebook rescored with the old ones)."""
    province, county = tmp_path / "province.yaml", tmp_path / "county.yaml"
    province.write_text("name: province\ntitle: 省规则\nextends: national-default\n"
                        "budget_execution:\n  explain_below: 90\n", encoding="utf-8")
    county.write_text("name: county\ntitle: 县规则\nextends: province.yaml\n", encoding="utf-8")
    assert load_rulebook(county).budget_execution.explain_below == D(90)
    assert load_rulebook(county) is load_rulebook(county)  # unchanged files: the cached one
    province.write_text(province.read_text(encoding="utf-8").replace("90", "85"), encoding="utf-8")
    assert load_rulebook(county).budget_execution.explain_below == D(85)
    county.write_text(county.read_text(encoding="utf-8") + "budget_execution:\n  explain_below: 80\n",
                      encoding="utf-8")
    assert load_rulebook(county).budget_execution.explain_below == D(80)


def test_execution_threshold_is_data(tmp_path):
    assert load_rulebook("sichuan").budget_execution.explain_below == D(90)
    assert load_rulebook("national-default").budget_execution.explain_below is None
    path = tmp_path / "county.yaml"
    path.write_text("name: county\ntitle: 某县规则\nextends: national-default\n"
                    "budget_execution:\n  explain_below: 120\n", encoding="utf-8")
    with pytest.raises(RulebookError, match="explain_below"):
        load_rulebook(path)
