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


VARIANT = """某街道办事处2023年度部门整体支出绩效自评报告
我单位年初预算数为 1,250.5 万元，年中调整数为-50.5万元，调整后全年预算数为1200万元，全年实际支出资金 1188 万元，预算执行率为 99%。
三、绩效分析
预算执行率得分 9.9 分。
第一项 群众满意度，该指标预期指标值为≥90%，年中监控实际完成值为 85%，本次评价群众满意度为 92%，该指标完成率为 102.22%。该指标权重分值为 30 分，自评得分 30 分。
第二项 社会效益：该指标预期指标值为有效提升，年中监控实际完成值为基本达成，本次评价社会效益为达成预期指标，该指标完成率为 100%。该指标权重分值为 30 分，自评得分 30 分。
第三项 办件数量：该指标预期指标值为 500件，年中监控实际完成值为 200件，本次评价办件数量为 520件，该指标完成率为 104%。该指标权重分值为 30 分，自评得分 30 分。
四、评价结论
本单位 2023 年度部门整体支出绩效自评得分为 99.9 分，评价等级为“优秀”。
"""


def test_other_typists_wordings():
    parsed = parse_narrative(VARIANT.splitlines(), file="街道.txt")
    data = parsed.year_data
    assert data["budget"] == {"initial": Decimal("1250.5"), "adjustment": Decimal("-50.5"), "final": Decimal(1200), "actual": Decimal(1188)}
    assert data["reported"] == {"execution_rate": Decimal(99), "execution_score": Decimal("9.9"), "total": Decimal("99.9"), "grade": "优"}
    first, qualitative, bare = data["indicators"]
    assert (first["name"], first["op"], first["target"], first["actual"]) == ("群众满意度", ">=", Decimal(90), Decimal(92))
    assert (qualitative["op"], qualitative["target"], qualitative["actual"]) == ("qualitative", "有效提升", "达成预期指标")
    # A target printed with no sign is read as ≥ and marked so (the audit says it was not printed).
    assert (bare["op"], bare["op_printed"], bare["unit"]) == (">=", False, "件")
    assert "unknown" not in data  # the execution weight is the rest of 100: 10


def test_unit_name_not_printed_is_taken_from_the_file_name_and_said_so():
    lines = VARIANT.splitlines()[1:]
    parsed = parse_narrative(lines, file="/x/某某局2023年度部门整体支出绩效自评报告.txt")
    assert parsed.profile["name"] == "某某局"
    assert any("文件名" in note for note in parsed.notes)


def test_digits_in_a_retyped_name_and_thousands_separators_are_not_misread():
    lines = [
        "某单位2023年度部门整体支出绩效自评报告",
        "培训人次：该指标预期指标值为大于等于 1,200 人次，年中监控实际完成值为 600 人次，"
        "本次评价2023年度培训人次为 1,250 人次，该指标完成率为 104.17%。该指标权重分值为 10分，自评得分 10分。",
        "办件量：该指标预期指标值为≥ 300件，本次评价2024年办件，该指标完成率为 100%。该指标权重分值为 10分，自评得分 10分。",
    ]
    parsed = parse_narrative(lines, file="t.txt")
    first, second = parsed.year_data["indicators"]
    assert (first["target"], first["midyear"], first["actual"]) == (Decimal(1200), Decimal(600), Decimal(1250))
    # No number after 为: the actual is not read (never 2024), and the parse says so.
    assert "actual" not in second and "actual" in second["unknown"]
    assert any("办件量" in p for p in parsed.problems)


def test_a_clause_with_two_numbers_is_not_read_as_its_first():
    """``12 000人次`` (a number a typist broke with a space), a range, two values: the first number
    was read (12 for 12,000) without a word. Such a figure is left unread and named; a note in
    brackets after the figure does not count."""
    lines = [
        "某单位2023年度部门整体支出绩效自评报告",
        "培训人次：该指标预期指标值为大于等于 10,000 人次，年中监控实际完成值为 6 000人次，"
        "本次评价培训人次为 12 000人次，该指标完成率为 120%。该指标权重分值为 10分，自评得分 10分。",
        "满意度：该指标预期指标值为≥90%，本次评价满意度为 95%-98%，该指标完成率为 105.56%（按 95 计）。"
        "该指标权重分值为 10分，自评得分 10分。",
    ]
    parsed = parse_narrative(lines, file="t.txt")
    first, second = parsed.year_data["indicators"]
    assert first["target"] == Decimal(10000)
    assert "actual" not in first and "midyear" not in first and {"actual", "midyear"} <= set(first["unknown"])
    assert "actual" not in second and second["reported"]["completion"] == Decimal("105.56")
    assert any("“12 000人次”中有不止一个数" in p for p in parsed.problems), parsed.problems
    assert any("“95%-98%”中有不止一个数" in p for p in parsed.problems), parsed.problems
    # the same in a target: 大于等于 12 000 人次 was read as ≥ 12 with the unit “000 人次”
    # the same rule for the target as for the figures
    for target in ("大于等于 12 000 人次", "≥ 95%至98%", "大于等于 10次 12次"):
        broken = [lines[0], lines[1].replace("大于等于 10,000 人次", target)]
        [indicator] = parse_narrative(broken, file="t.txt").year_data["indicators"][:1]
        assert "target" not in indicator and "target" in indicator["unknown"], target


def test_an_amount_broken_by_a_space_is_not_read_and_is_said():
    """年初预算数为 1 250.5 万元: not 1, not 250.5; left unread (unknown) and named in a problem."""
    lines = VARIANT.splitlines()
    lines[1] = lines[1].replace("1,250.5 万元", "1 250.5 万元").replace("1188 万元", "1 188 万元")
    parsed = parse_narrative(lines, file="街道.txt")
    budget = parsed.year_data["budget"]
    assert "initial" not in budget and "actual" not in budget and budget["final"] == Decimal(1200)
    assert "budget.initial" in parsed.year_data["unknown"]
    assert any("年初预算数“1 250.5 万元”中的数字被空格隔开" in p for p in parsed.problems), parsed.problems
    assert any("实际支出“1 188 万元”" in p for p in parsed.problems), parsed.problems
