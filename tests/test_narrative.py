"""The generated prose reproduces the reference report's own sentences, figure for figure."""

from __future__ import annotations

import dataclasses
import re

import pytest

from evalkit.inputs.params import evaluate_path
from evalkit.report import narrative

from .conftest import FIXTURES, REFERENCE

SEED = re.sub(r"\s+", "", (FIXTURES / "reference_report_2023.txt").read_text(encoding="utf-8"))
EV = evaluate_path(REFERENCE)


def _in_seed(sentence: str) -> bool:
    return re.sub(r"\s+", "", sentence) in SEED


@pytest.mark.parametrize(
    "make",
    [
        narrative.budget_initial,
        narrative.budget_adjustment,
        narrative.budget_execution,
        narrative.basic_spending,
        narrative.projects_overview,
        narrative.performance_intro,
        narrative.conclusion,
    ],
)
def test_sentence_is_the_reference_reports_own(make):
    sentence = make(EV)
    assert sentence and _in_seed(sentence), sentence


def test_project_groups_match_the_reference():
    """The reference's figures, without its machine wording: no 分别为 before one project, no
    达到…效益 around an effect that is a sentence of its own."""
    groups = narrative.project_groups(EV)
    assert [h for h, _ in groups] == ["转移支付项目", "本级财力项目"]
    transfer, own = (text for _, text in groups)
    assert transfer == (
        "本年转移支付资金共计1个项目，预算金额为13万元，执行金额为11.05万元：为基层人大补助经费项目，"
        "预算金额为13万元，执行金额为11.05万元，改善各基层人大工作环境。"
    )
    assert own.startswith("共计2个项目，预算金额为80.99万元，执行金额为80.99万元：分别为驻社区补助项目")
    assert "主要成效：提高人民参政议政的参与率，提升人民的参与感" in own and "效益" not in own


@pytest.mark.parametrize("index", [0, 6])
def test_indicator_paragraphs_match_the_reference(index):
    text = narrative.indicator_paragraph(EV.indicators[index])
    assert _in_seed(text), text


def test_adjusted_target_is_stated_in_the_paragraph():
    text = narrative.indicator_paragraph(EV.indicators[1])
    assert "小于等于304.1万元" in text and "年中调整指标值为425.3万元" in text
    assert "该指标完成率为100.57%" in text and "自评得分12分" in text


def test_outline_and_title():
    assert narrative.report_title(EV) == "乌鲁木齐市新市区人民代表大会常务委员会2023年度部门整体支出绩效自评报告"
    assert narrative.outline(EV).performance == "三、部门单位整体支出绩效分析"


def test_lost_points_are_listed_largest_first():
    assert narrative.lost_points_summary(EV) == "失分主要在：培训费下降率（扣8分）、项目支出预算执行率（扣0.21分）、预算执行率（扣0.06分）。"


def test_chinese_numerals():
    assert [narrative.chinese_numeral(n) for n in (1, 8, 10, 11, 19, 20, 21, 99)] == [
        "一", "八", "十", "十一", "十九", "二十", "二十一", "九十九"]


def test_not_applicable_qualitative_indicator_says_so():
    from evalkit.core.models import Indicator
    from evalkit.core.rulebook import load_rulebook
    from evalkit.core.scoring import score_indicator

    ind = Indicator(name="文化品牌影响力", op="qualitative", target="提升", applicable=False, weight=10)
    text = narrative.indicator_paragraph(score_indicator(ind, load_rulebook("national-default")))
    assert text == "文化品牌影响力：该指标预期指标值为“提升”。该指标本年度不适用，不参与评分。"


def test_bodies_summary_with_its_own_quotes_is_not_quoted_again():
    unit = EV.unit.model_copy(update={"bodies_summary": "两部“一室”"})
    ev = dataclasses.replace(EV, unit=unit)
    assert "下设两部“一室”，分别是" in narrative.profile_sentence(ev)
    assert "下设“四委一室”，分别是" in narrative.profile_sentence(EV)


def test_project_evaluation_speaks_for_the_project():
    from .conftest import PARAMS

    project = evaluate_path(PARAMS / "demo-edu" / "2024.yaml")
    assert project.year.kind == "project"
    assert narrative.budget_execution(project).startswith("全年预算数为")
    assert narrative.performance_intro(project).startswith("本项目2024年全年预算金额为")
    assert "我单位" not in narrative.performance_intro(project)
