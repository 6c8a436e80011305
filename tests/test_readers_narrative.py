"""The reference template's narrative: the reference report round-trips to params/xinshi-rd/2023.yaml."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from evalkit.audit import audit_unit_year
from evalkit.cli import main
from evalkit.inputs.params import discover, load_unit_year, resolve_path
from evalkit.inputs.readers.importing import import_file
from evalkit.inputs.readers.narrative import join_lines, parse_narrative
from evalkit.inputs.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "reference_report_2023.txt"
TRANSCRIBED = ROOT / "params" / "xinshi-rd" / "2023.yaml"

#: What the transcriber added or composed that the text does not print in the template's sentences.
TRANSCRIBER_YEAR_ADDITIONS = {"key_work", "projects", "narrative"}
#: reported.project_execution_rate was taken from indicator 3's actual (the text prints no such rate).
TRANSCRIBER_REPORTED_ADDITIONS = {"project_execution_rate"}
#: Indicator fields that differ, and why.
TRANSCRIBER_INDICATOR_DIFFERENCES = {
    # The transcriber moved “预算调增 121.2万元” from the sentence into the reason.
    ("预算经费", "deviation_reason"): ("预算调增 121.2 万元，偏差较小。", "偏差较小。"),
    # The text prints no completion rate for this indicator: the parse says so, the YAML is silent.
    ("项目支出预算执行率", "unknown"): (None, ["completion"]),
}


def _parse():
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    return parse_narrative(lines, file=REFERENCE.name)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def test_reference_text_gives_the_transcribed_indicators_budget_and_reported_figures():
    parsed = _parse()
    expected = _plain(load_yaml(TRANSCRIBED).data)
    got = _plain(parsed.year_data)
    assert not parsed.problems
    assert got["year"] == 2023 and got["kind"] == "department"
    assert got["budget"] == expected["budget"]
    expected_reported = {k: v for k, v in expected["reported"].items() if k not in TRANSCRIBER_REPORTED_ADDITIONS}
    assert got["reported"] == expected_reported
    assert [i["name"] for i in got["indicators"]] == [i["name"] for i in expected["indicators"]]
    for mine, theirs in zip(got["indicators"], expected["indicators"], strict=True):
        for key in sorted(set(mine) | set(theirs)):
            difference = TRANSCRIBER_INDICATOR_DIFFERENCES.get((mine["name"], key))
            if difference is not None:
                assert (theirs.get(key), mine.get(key)) == difference
            else:
                assert mine.get(key) == theirs.get(key), (mine["name"], key)
    extra = set(expected) - set(got)
    assert extra == TRANSCRIBER_YEAR_ADDITIONS
    # The transcriber's source names the published report; the parse names the file it read.
    assert got["source"] == REFERENCE.name
    # The execution weight is not printed; 100 − 90 (the indicator weights) is the rulebook's 10.
    assert "execution_weight" not in got and "unknown" not in got


def test_reference_text_profile_names_the_unit_and_staff():
    parsed = _parse()
    profile = load_yaml(TRANSCRIBED.parent / "unit.yaml").data
    assert parsed.profile["name"] == profile["name"]
    assert parsed.profile["staffing"] == profile["staffing"]


def test_audit_of_the_parsed_text_finds_the_same_three_things(tmp_path):
    result = import_file(REFERENCE, display=REFERENCE.name)
    assert len(result.sheets) == 1 and not result.errors
    assert main(["import", str(REFERENCE), "--out", str(tmp_path)]) == 0
    [ref] = discover(tmp_path)
    parsed_findings = audit_unit_year(load_unit_year(ref))
    [original] = resolve_path(TRANSCRIBED)
    original_findings = audit_unit_year(load_unit_year(original))
    assert len(original_findings) == 3
    assert [(f.code, f.message) for f in parsed_findings] == [(f.code, f.message) for f in original_findings]


def test_join_lines_keeps_headings_and_joins_wrapped_sentences():
    text = join_lines(["（一）指标一：", "", "培训费下降率：该指标预期指标值为大于等于 5%，年中", "监控实际完成值为 68.23", "%。"])
    assert text.splitlines() == ["(一)指标一:", "培训费下降率:该指标预期指标值为大于等于 5%,年中监控实际完成值为 68.23%。"]


@pytest.mark.parametrize(
    "sentence, field, value",
    [
        ("该指标预期指标值为≥95%", "op", ">="),
        ("该指标预期指标值为不低于95%", "op", ">="),
        ("该指标预期指标值为大于等于95％", "target", Decimal(95)),
        ("该指标预期指标值为小于等于 90\n万元", "unit", "万元"),
        ("该指标预期指标值为９５%", "target", Decimal(95)),
    ],
)
def test_typist_variations_of_the_target(sentence, field, value):
    lines = ["某单位2023年度部门整体支出绩效自评报告", "第一项 满意度：" + sentence.split("\n")[0]]
    lines += sentence.split("\n")[1:]
    lines += ["，年中监控实际完成值为 96%，本次评价满意度为 96%，该指标完成率为 101.05%。该指标权重分值为 10分，自评得分 10分。"]
    parsed = parse_narrative(lines, file="t.txt")
    [indicator] = parsed.year_data["indicators"]
    assert indicator["name"] == "满意度"
    assert indicator[field] == value
    assert indicator["weight"] == 10 and indicator["reported"]["score"] == 10


def test_missing_clauses_are_unknown_not_zero():
    lines = [
        "某单位2023年度部门整体支出绩效自评报告",
        "满意度：该指标预期指标值为≥95%，本次评价满意度为 96%，该指标权重分值为 10分。",
    ]
    parsed = parse_narrative(lines, file="t.txt")
    [indicator] = parsed.year_data["indicators"]
    assert indicator["unknown"] == ["midyear", "completion", "score"]
    assert "midyear" not in indicator and "reported" not in indicator
    assert {"budget.initial", "reported.total", "reported.grade"} <= set(parsed.year_data["unknown"])
