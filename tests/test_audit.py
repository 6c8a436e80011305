"""The audit: the reference report's known problems, one small case per check, the explanations."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from evalkit.audit import (
    CHECKS,
    CODES,
    Finding,
    audit,
    audit_unit_year,
    explain,
    reproduces,
    summarise,
)
from evalkit.cli import main
from evalkit.core.models import UnitProfile, UnitYear
from evalkit.core.rulebook import load_rulebook
from evalkit.inputs.params import load_unit_year, resolve_path

from .conftest import REFERENCE, ROOT

NAT = load_rulebook("national-default")
PROFILE = UnitProfile(id="test-unit", name="测试单位")


@pytest.fixture(scope="module")
def reference_findings() -> list[Finding]:
    return audit_unit_year(load_unit_year(resolve_path(REFERENCE)[0]))


def _one(findings: list[Finding], code: str, indicator: str | None = None) -> Finding:
    matching = [f for f in findings if f.code == code and f.indicator == indicator]
    assert len(matching) == 1, [(f.code, f.indicator) for f in findings]
    return matching[0]


# --------------------------------------------------------------------------- the reference report


def test_reference_lists_exactly_its_known_problems(reference_findings):
    found = {(f.code, f.indicator) for f in reference_findings if f.severity != "info"}
    assert found == {
        ("E-COMPLETION-MISMATCH", "职工代表满意度"),
        ("E-COMPLETION-MISMATCH", "预算经费"),
        ("W-ADJUSTED-TARGET-UNSTATED", "预算经费"),
    }
    assert summarise(reference_findings) == {"error": 2, "warning": 1, "info": 0}


def test_reference_transposed_completion(reference_findings):
    f = _one(reference_findings, "E-COMPLETION-MISMATCH", "职工代表满意度")
    assert (f.severity, f.printed, f.recomputed) == ("error", "101.71%", "101.17%")
    assert f.explanation == "数字颠倒（101.17 → 101.71）"
    assert f.message.startswith("职工代表满意度：报告所列完成率 101.71%，按 96.11 ÷ 95 × 100% 重算为 101.17%，疑为数字颠倒")
    assert f.field == "indicators[7].reported.completion（报告所列完成率）"


def test_reference_budget_completion_is_actual_over_adjusted_target(reference_findings):
    f = _one(reference_findings, "E-COMPLETION-MISMATCH", "预算经费")
    assert (f.printed, f.recomputed) == ("99.43%", "100.57%")
    assert "425.3 ÷ 422.89" in f.message  # 目标值 ÷ 实际值, as a ≤ indicator is computed
    assert "实际值 ÷ 目标值" in f.explanation and "422.89 ÷ 425.3" in f.explanation
    assert "把反向（≤）指标当作正向（≥）指标" in f.explanation


def test_reference_unstated_adjusted_budget_target(reference_findings):
    f = _one(reference_findings, "W-ADJUSTED-TARGET-UNSTATED", "预算经费")
    assert (f.printed, f.recomputed) == ("≤ 304.1万元", "≤ 425.3万元")
    assert "原指标值 ≤ 304.1万元" in f.message
    assert "应得 8.63" in f.message and "总分 88.36（良）" in f.message and "91.73（优）" in f.message


@pytest.mark.parametrize(
    "field",
    [
        "reported.total", "reported.grade", "reported.execution_rate", "reported.execution_score",
        "reported.adjustment_rate", "reported.basic_execution_rate", "reported.project_execution_rate",
        *(f"indicators[{i}].reported.score" for i in range(8)),
        *(f"indicators[{i}].reported.completion" for i in (0, 3, 4, 5, 6)),
    ],
)
def test_reference_figures_that_are_right_raise_nothing(reference_findings, field):
    """0, 12, 9.79, 10, 10, 15, 15, 10; 9.94, 99.43, 39.86, 99.86, 97.93, 91.73, 优; 0, 100, 106.25, 116.67, 100."""
    assert not [f for f in reference_findings if f.field.startswith(field) and f.severity != "info"]


def test_reference_findings_serialise(reference_findings):
    data = json.loads(json.dumps([f.as_dict() for f in reference_findings], ensure_ascii=False))
    assert set(data[0]) == {"code", "severity", "field", "indicator", "printed", "recomputed", "message", "explanation"}


# --------------------------------------------------------------------------- comparing at printed precision


@pytest.mark.parametrize(
    "printed, exact, dp, expected",
    [
        ("10", "10.00", 2, True),  # trailing zeros dropped
        ("12", "12", 2, True),
        ("9.90", "9.9", 2, True),
        ("9", "8.62", 2, False),  # a rounded integer is not the 2-dp figure
        ("9", "8.62", 0, True),
        ("9.00", "8.62", 0, True),
        ("101.71", "101.1684", 2, False),
        ("101.17", "101.1684", 2, True),
        ("9.943", "9.9433", 2, True),  # more decimals than the rule: compared at its own
        ("9.95", "9.945", 2, True),  # half-up, not half-even
        ("9.94", "9.945", 2, False),
    ],
)
def test_reproduces(printed, exact, dp, expected):
    assert reproduces(D(printed), D(exact), dp) is expected


@pytest.mark.parametrize(
    "printed, exact, expected",
    [
        ("101.71", "101.1684", "数字颠倒（101.17 → 101.71）"),
        ("9", "8.62", "取整（四舍五入到整数）"),
        ("8.6", "8.62", "只保留一位小数"),
        ("8", "8.62", "截尾（直接舍去多余小数）而非四舍五入"),
        ("9.94", "9.947", "截尾（直接舍去多余小数）而非四舍五入"),
        ("9.5", "8.62", None),  # nothing reproduces it: no explanation is claimed
        ("8.26", "8.6", None),  # 8.60 → 8.26 swaps non-adjacent digits
    ],
)
def test_explain_rounding_slips(printed, exact, expected):
    assert explain(D(printed), D(exact), 2, []) == expected


# --------------------------------------------------------------------------- the corpus: one case per check

BASE: dict[str, Any] = {
    "year": 2023,
    "kind": "department",
    "budget": {
        "initial": "90",
        "adjustment": "10",
        "final": "100",
        "actual": "99.43",
        "basic": {
            "initial": "60",
            "final": "70",
            "actual": "69.5",
            "personnel": {"final": "60", "actual": "60"},
            "public": {"final": "10", "actual": "9.5"},
        },
        "project": {"initial": "30", "final": "30", "actual": "29.93"},
        "sources": [
            {"name": "当年财政拨款", "initial": "90", "final": "95", "actual": "94.43"},
            {"name": "上年结转资金", "initial": "0", "final": "5", "actual": "5"},
        ],
    },
    "projects": [
        {"name": "甲项目", "source": "本级财力", "budget": "20", "actual": "19.93"},
        {"name": "乙项目", "source": "转移支付", "budget": "10", "actual": "10"},
    ],
    "staffing": {"authorized": 13, "actual": 13, "in_service": 13, "retired": 2},
    "indicators": [
        {"name": "甲", "op": ">=", "target": "10", "unit": "项", "midyear": "5", "actual": "10", "weight": "45"},
        {"name": "乙", "op": "<=", "target": "100", "unit": "万元", "midyear": "50", "actual": "99", "weight": "45"},
    ],
}
"""Execution 99.43% → 9.94; 甲 and 乙 met → 45 each; total 99.94 (优); every sum adds up."""

REASON = "原因已说明"
PARTIAL = {"name": "乙", "op": "qualitative", "target": "明显提升", "actual": "部分达成", "weight": "45",
           "midyear": "推进中", "score": "30", "deviation_reason": REASON}
"""A qualitative indicator graded 部分达成: its band is [27, 36)."""


def make(changes: dict[str, Any] | None = None) -> UnitYear:
    """BASE with ``{"indicators.0.actual": "8"}``-style changes (``None`` removes a key)."""
    data = copy.deepcopy(BASE)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        key: Any = int(last) if isinstance(node, list) else last
        if value is None:
            node.pop(key, None)
        else:
            node[key] = value
    return UnitYear.model_validate(data)


def codes(changes: dict[str, Any] | None = None, rulebook=NAT) -> set[str]:
    changes = dict(changes or {})
    if "@rulebook" in changes:
        rulebook = load_rulebook(changes.pop("@rulebook"))
    return {f.code for f in audit(PROFILE, make(changes), rulebook)}


def test_base_case_is_clean():
    assert audit(PROFILE, make(), NAT) == []


MISSED = {"indicators.0.actual": "8", "indicators.0.deviation_reason": REASON}  # 甲 scores 36
#: Every score printed and right (9.94 + 45 + 45 = 99.94, as recomputed), the total added up wrong.
ADDITION_SLIP = {"reported": {"execution_score": "9.94", "total": "98.5"},
                 "indicators.0.reported": {"score": "45"}, "indicators.1.reported": {"score": "45"}}
HEBEI_RATE = {"budget": {"initial": "43.2", "final": "43.2", "actual": "37.24"}, "projects": []}  # 86.20%

CORPUS = [
    # code, changes that trigger it, changes that do not
    ("E-SCORING-FAILED", {"budget.final": "0"}, {}),
    ("E-SCORING-FAILED", {"indicators.1": {**PARTIAL, "actual": "见附件"}}, {"indicators.1": PARTIAL}),
    ("E-WEIGHTS-SUM", {"indicators.0.weight": "55"}, {"indicators.0.weight": "45"}),
    ("E-EXECUTION-RATE-MISMATCH", {"reported.execution_rate": "99.34"}, {"reported.execution_rate": "99.43"}),
    ("E-EXECUTION-SCORE-MISMATCH", {"reported.execution_score": "9.49"}, {"reported.execution_score": "9.94"}),
    ("E-ADJUSTMENT-RATE-MISMATCH", {"reported.adjustment_rate": "10"}, {"reported.adjustment_rate": "11.11"}),
    ("E-BASIC-RATE-MISMATCH", {"reported.basic_execution_rate": "99.92"}, {"reported.basic_execution_rate": "99.29"}),
    ("E-PROJECT-RATE-MISMATCH", {"reported.project_execution_rate": "97.77"}, {"reported.project_execution_rate": "99.77"}),
    ("E-TOTAL-MISMATCH", {"reported.total": "99.49"}, {"reported.total": "99.94"}),
    ("E-GRADE-MISMATCH", {"reported.grade": "良"}, {"reported.grade": "优"}),
    ("E-SCORE-ABOVE-WEIGHT", {"indicators.0.reported": {"score": "50"}}, {"indicators.0.reported": {"score": "45"}}),
    ("E-SCORE-ABOVE-WEIGHT", {"reported.execution_score": "12"}, {"reported.execution_score": "9.94"}),
    ("E-SCORE-ABOVE-WEIGHT", {"reported.total": "105"}, {"reported.total": "99.94"}),
    ("E-COMPLETION-MISMATCH", {"indicators.0.reported": {"completion": "99"}}, {"indicators.0.reported": {"completion": "100"}}),
    ("E-SCORE-MISMATCH", {**MISSED, "indicators.0.reported": {"score": "38"}}, {**MISSED, "indicators.0.reported": {"score": "36"}}),
    ("E-MISSED-TARGET-FULL-SCORE", {**MISSED, "indicators.0.reported": {"score": "45"}}, {**MISSED, "indicators.0.reported": {"score": "36.00"}}),
    ("E-MET-TARGET-DOCKED", {"indicators.0.reported": {"score": "40"}}, {"indicators.0.reported": {"score": "45"}}),
    ("E-MET-TARGET-DOCKED", {"indicators.0.reported": {"score": "40"}}, {"indicators.0.reported": {"score": "40"}, "indicators.0.deduction": "5"}),
    ("W-TARGET-MISMATCH", {"indicators.0.reported": {"target": "12"}}, {"indicators.0.reported": {"target": "10"}}),
    ("W-TARGET-MISMATCH", {"indicators.0.reported": {"target": "≥12项"}}, {"indicators.0.reported": {"target": "≥10项"}}),
    ("W-ADJUSTED-TARGET-UNSTATED", {"indicators.0.target_adjusted": "8", "indicators.0.reported": {"target": "10"}},
     {"indicators.0.target_adjusted": "8", "indicators.0.reported": {"target": "8"}}),
    ("W-ADJUSTED-TARGET-UNSTATED", {"indicators.0.target_adjusted": "8", "indicators.0.reported": {"score": "45"}},
     {"indicators.0.target_adjusted": "8"}),  # no report printed anything for it
    ("E-QUALITATIVE-OUT-OF-BAND", {"indicators.1": {**PARTIAL, "reported": {"score": "40"}}},
     {"indicators.1": {**PARTIAL, "reported": {"score": "30"}}}),
    ("E-QUALITATIVE-OUT-OF-BAND", {"indicators.1": {**PARTIAL, "score": "36"}}, {"indicators.1": {**PARTIAL, "score": "27"}}),
    ("W-DEVIATION-REASON-MISSING", {"indicators.0.actual": "8"}, MISSED),
    ("W-DEVIATION-REASON-MISSING", {"indicators.1": {**PARTIAL, "deviation_reason": None}}, {"indicators.1": PARTIAL}),
    ("W-OVER-COMPLETION-UNEXPLAINED", {"indicators.0.actual": "13"}, {"indicators.0.actual": "12.9"}),
    ("W-OVER-COMPLETION-UNEXPLAINED", {"indicators.0.actual": "13"}, {"indicators.0.actual": "13", "indicators.0.deviation_reason": REASON}),
    ("W-MIDYEAR-MISSING", {"indicators.0.midyear": None},
     {"indicators.0.midyear": None, "kind": "project", "project": {"name": "某项目"}}),
    ("E-BUDGET-ADJUSTMENT-SUM", {"budget.adjustment": "12"}, {"budget.adjustment": "10"}),
    ("E-BUDGET-PARTS-SUM", {"budget.project.initial": "31"}, {"budget.project.initial": "30"}),
    ("E-BASIC-PARTS-SUM", {"budget.basic.public.final": "11"}, {"budget.basic.public.final": "10"}),
    ("W-PROJECTS-SUM", {"projects.0.budget": "21"}, {"projects.0.budget": "20"}),
    ("E-SOURCES-SUM", {"budget.sources.0.final": "96"}, {"budget.sources.0.actual": "94.44"}),  # 0.01: rounding
    ("I-SUM-ROUNDING", {"budget.sources.0.actual": "94.44"}, {"budget.sources.0.actual": "94.43"}),
    ("E-TOTAL-NOT-SUM-OF-PARTS",  # 9.94 + 44 + 45 is neither 98.5 nor the recomputed 99.94
     {"reported": {"execution_score": "9.94", "total": "98.5"}, "indicators.0.reported": {"score": "44"}, "indicators.1.reported": {"score": "45"}},
     {"reported": {"execution_score": "9.94", "total": "99.94"}, "indicators.0.reported": {"score": "45"}, "indicators.1.reported": {"score": "45"}}),
    ("E-TOTAL-NOT-SUM-OF-PARTS",  # 乙 not printed: at most 9.94 + 45 + 45
     {"reported": {"execution_score": "9.94", "total": "99.95"}, "indicators.0.reported": {"score": "45"}},
     {"reported": {"execution_score": "9.94", "total": "99.94"}, "indicators.0.reported": {"score": "45"}}),
    ("E-STAFF-IN-SERVICE-ABOVE-ACTUAL", {"staffing.in_service": 14}, {"staffing.in_service": 12}),
    ("E-SPENDING-ABOVE-BUDGET", {"budget.actual": "100.5", "budget.sources": []}, {"budget.sources": []}),
    ("E-SPENDING-ABOVE-BUDGET", {"budget.project.actual": "31"}, {"budget.project.actual": "29.93"}),
    ("W-EXECUTION-BELOW-THRESHOLD-UNEXPLAINED", {**HEBEI_RATE, "@rulebook": "sichuan"},
     {**HEBEI_RATE, "@rulebook": "sichuan", "narrative": {"budget_execution": "年底集中采购未能支付"}}),
    ("W-EXECUTION-BELOW-THRESHOLD-UNEXPLAINED", {**HEBEI_RATE, "@rulebook": "sichuan"}, {**HEBEI_RATE}),
    ("E-SPENDING-ABOVE-BUDGET", {"projects.1.actual": "10.2"}, {"projects.1.actual": "9.8"}),
    ("I-TOTAL-NOT-CHECKED", {"indicators.0.unknown": ["actual"], "indicators.0.actual": None, "reported.total": "99"},
     {"indicators.0.unknown": ["actual"], "indicators.0.actual": None}),
    ("E-TOTAL-ABOVE-MAX-GRADED", {"reported": {"total": "100.5", "grade": "优"}}, {"reported": {"total": "100.5"}}),
    ("W-TARGET-SIGN-NOT-PRINTED", {"indicators.0": {**BASE["indicators"][0], "op": None, "target": "10项"}},
     {"indicators.0": {**BASE["indicators"][0], "op": None, "target": "≥10项"}}),
    ("W-STAFF-OVER-AUTHORIZED", {"staffing.actual": 14, "staffing.in_service": 14}, {"staffing.actual": 13}),
]


@pytest.mark.parametrize("code, trigger, clean", CORPUS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CORPUS)])
def test_check_triggers_and_stays_quiet(code, trigger, clean):
    assert code in codes(trigger)
    assert code not in codes(clean)


def test_corpus_covers_every_code():
    assert {code for code, _, _ in CORPUS} == set(CODES)


def test_every_code_is_documented():
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for code in CODES.values():
        assert f"`{code.code}`" in doc and code.severity in doc


def test_every_check_has_a_docstring():
    assert all(check.__doc__ for check in CHECKS)


# --------------------------------------------------------------------------- explanations


def _finding(changes: dict[str, Any], code: str, rulebook=NAT) -> Finding:
    found = [f for f in audit(PROFILE, make(changes), rulebook) if f.code == code]
    assert len(found) == 1, found
    return found[0]


HEBEI = {"budget": {"initial": "43.2", "final": "43.2", "actual": "37.24"}, "projects": []}
"""Scoring-rules §7.3 case 9: 37.24 ÷ 43.2 = 86.20%, score 8.62 (a Hebei form printed 9)."""


@pytest.mark.parametrize(
    "changes, code, needles",
    [
        ({**HEBEI, "reported.execution_score": "9"}, "E-EXECUTION-SCORE-MISMATCH", ["取整", "“得分取整”"]),
        ({**HEBEI, "reported.execution_score": "8"}, "E-EXECUTION-SCORE-MISMATCH", ["截尾"]),
        ({**HEBEI, "reported.execution_score": "8.6"}, "E-EXECUTION-SCORE-MISMATCH", ["一位小数", "“得分保留一位小数”"]),
        ({"reported.execution_rate": "110.48"}, "E-EXECUTION-RATE-MISMATCH", ["年初预算数", "99.43 ÷ 90"]),
        ({"reported.execution_rate": "99.34", "reported.execution_score": "9.93"}, "E-EXECUTION-SCORE-MISMATCH",
         ["按报告所列执行率 99.34% 计分"]),
        ({"reported.adjustment_rate": "10"}, "E-ADJUSTMENT-RATE-MISMATCH", ["年中调整数 ÷ 全年预算数"]),
        ({"reported.basic_execution_rate": "115.83"}, "E-BASIC-RATE-MISMATCH", ["基本支出实际支出 ÷ 基本支出年初预算数"]),
        ({**MISSED, "indicators.0.reported": {"score": "45"}}, "E-MISSED-TARGET-FULL-SCORE", ["填入了分值 45"]),
        ({"indicators.0.target_adjusted": "8", "indicators.0.actual": "9", "indicators.0.reported": {"score": "40.5"}},
         "E-MET-TARGET-DOCKED", ["按原指标值 10"]),
        ({"indicators.0.target": "8", "indicators.0.actual": "9", "indicators.0.reported": {"target": "10", "score": "40.5"}},
         "E-MET-TARGET-DOCKED", ["按报告所列指标值 10"]),
        ({"indicators.1.actual": "120", "indicators.1.deviation_reason": REASON, "indicators.1.reported": {"completion": "120"}},
         "E-COMPLETION-MISMATCH", ["实际值 ÷ 目标值", "120 ÷ 100", "把反向（≤）指标当作正向（≥）指标"]),
        ({"indicators.1.actual": "120", "indicators.1.deviation_reason": REASON, "indicators.1.reported": {"score": "45"}},
         "E-MISSED-TARGET-FULL-SCORE", ["把反向（≤）指标当作正向（≥）指标计分", "填入了分值 45"]),
        ({"indicators.1.actual": "120", "indicators.1.deviation_reason": REASON, "indicators.1.reported": {"score": "36"}},
         "E-SCORE-MISMATCH", ["“反向指标线性扣减（至 2 倍目标为零）”"]),
        ({"indicators.0": {**BASE["indicators"][0], "target": "80", "unit": "%", "actual": "70", "weight": "45",
                           "deviation_reason": REASON, "reported": {"score": "31.5"}}},
         "E-SCORE-MISMATCH", ["分值 × 实际值", "未除以目标值"]),
        ({**MISSED, "indicators.0.reported": {"completion": "80", "score": "36.5"}}, "E-SCORE-MISMATCH", []),
        ({**MISSED, "indicators.0.reported": {"completion": "81", "score": "36.45"}}, "E-SCORE-MISMATCH",
         ["按报告所列完成率 81% 计分"]),
        ({**MISSED, "reported": {"execution_score": "9.94", "total": "99.94"},
          "indicators.0.reported": {"score": "36"}, "indicators.1.reported": {"score": "45"}},
         "E-TOTAL-MISMATCH", ["合计时把“甲”按满分 45 计入"]),
        ({**MISSED, "reported": {"total": "89.94", "grade": "良"}}, "E-GRADE-MISMATCH", ["按报告所列总分 89.94 评定"]),
        (ADDITION_SLIP, "E-TOTAL-MISMATCH", ["加总有误", "报告所列各项得分之和为 99.94，与重算总分一致"]),
    ],
)
def test_explanations(changes, code, needles):
    f = _finding(changes, code)
    if needles:
        assert f.explanation and all(n in f.explanation for n in needles), f.explanation
        assert f"疑为{f.explanation}" in f.message
    else:
        assert f.explanation is None and "未找到能得出该数的算法" in f.message


def test_a_total_wrong_only_in_its_addition_is_one_finding():
    """Every printed score is right and they add up to the recomputed 99.94, but the report prints
    98.5: one slip, reported once (the total's mismatch, with its effect on the grade), not also
    as a total that is not the sum of its parts."""
    found = [f.code for f in audit(PROFILE, make(ADDITION_SLIP), NAT)]
    assert found == ["E-TOTAL-MISMATCH"]
    # above the maximum, the total is not compared with the recomputation: the parts check speaks
    above = {**ADDITION_SLIP, "reported": {"execution_score": "9.94", "total": "109.94"}}
    assert {f.code for f in audit(PROFILE, make(above), NAT)} == {"E-SCORE-ABOVE-WEIGHT", "E-TOTAL-NOT-SUM-OF-PARTS"}
    # 甲 scored 36 and printed so, but added as its full 45: the same slip, its cause named once
    counted_in_full = {**MISSED, "reported": {"execution_score": "9.94", "total": "99.94"},
                       "indicators.0.reported": {"score": "36"}, "indicators.1.reported": {"score": "45"}}
    totals = [f for f in audit(PROFILE, make(counted_in_full), NAT) if f.code.startswith("E-TOTAL")]
    assert [(f.code, f.explanation) for f in totals] == [("E-TOTAL-MISMATCH", "合计时把“甲”按满分 45 计入（所列得分为 36）")]


def test_an_integer_score_is_not_taken_for_the_two_decimal_one():
    assert "E-EXECUTION-SCORE-MISMATCH" in codes({**HEBEI, "reported.execution_score": "9"})
    assert "E-EXECUTION-SCORE-MISMATCH" not in codes({**HEBEI, "reported.execution_score": "8.62"})
    integer_rules = load_rulebook("integer-scores")
    assert "E-EXECUTION-SCORE-MISMATCH" not in codes({**HEBEI, "reported.execution_score": "9"}, integer_rules)


# --------------------------------------------------------------------------- when scoring fails


def test_weights_that_do_not_add_up_are_a_finding_and_the_rest_is_still_audited():
    findings = audit(PROFILE, make({"indicators.0.weight": "55", "reported.execution_rate": "99.34"}), NAT)
    weights = _one(findings, "E-WEIGHTS-SUM")
    assert "权重合计为 110" in weights.message and "应为 100" in weights.message
    assert weights.recomputed == "110"
    assert "E-EXECUTION-RATE-MISMATCH" in {f.code for f in findings}
    assert "E-SCORING-FAILED" not in {f.code for f in findings}


def test_zero_budget_still_audits_indicators():
    findings = audit(PROFILE, make({"budget.final": "0", "indicators.0.reported": {"completion": "99"}}), NAT)
    failed = _one(findings, "E-SCORING-FAILED")
    assert "全年预算数为 0" in failed.message and failed.field == "budget"
    assert "E-COMPLETION-MISMATCH" in {f.code for f in findings}


def test_an_unscorable_indicator_leaves_the_total_alone():
    changes = {"indicators.1": {**PARTIAL, "actual": "见附件"}, "reported": {"total": "1", "execution_rate": "99.34"}}
    found = {f.code for f in audit(PROFILE, make(changes), NAT)}
    assert "E-SCORING-FAILED" in found and "E-EXECUTION-RATE-MISMATCH" in found
    assert "E-TOTAL-MISMATCH" not in found


def test_out_of_band_input_score_is_reported_once_as_the_band_problem():
    findings = audit(PROFILE, make({"indicators.1": {**PARTIAL, "score": "40"}}), NAT)
    band = _one(findings, "E-QUALITATIVE-OUT-OF-BAND", "乙")
    assert "[27, 36)" in band.message and band.recomputed == "[27, 36)"
    assert "E-SCORING-FAILED" not in {f.code for f in findings}


def test_audit_is_pure_and_ordered():
    year = make({"reported.grade": "良", "indicators.0.midyear": None})
    before = year.model_dump()
    first, second = audit(PROFILE, year, NAT), audit(PROFILE, year, NAT)
    assert first == second and year.model_dump() == before
    assert [f.severity for f in first] == ["error", "warning"]


# --------------------------------------------------------------------------- the command


def test_cli_lists_the_reference_problems(capsys):
    assert main(["audit", str(REFERENCE)]) == 1
    out = capsys.readouterr().out
    assert "101.71%" in out and "W-ADJUSTED-TARGET-UNSTATED" in out and "99.43%" in out
    assert "复核 1 个单位年度：错误 2 项，警告 1 项，提示 0 项。" in out


def test_cli_no_fail_and_json(capsys):
    assert main(["audit", str(REFERENCE), "--json", "--no-fail"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"error": 2, "warning": 1, "info": 0}
    (unit_year,) = data["unit_years"]
    assert unit_year["unit_id"] == "xinshi-rd" and unit_year["year"] == 2023
    assert {f["code"] for f in unit_year["findings"]} == {"E-COMPLETION-MISMATCH", "W-ADJUSTED-TARGET-UNSTATED"}


def test_cli_unit_folder_and_bad_path(capsys, tmp_path: Path):
    assert main(["audit", str(REFERENCE.parent), "--no-fail"]) == 0
    assert "小计" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "nowhere")]) == 2
    assert "文件或目录不存在" in capsys.readouterr().err


def test_cli_weights_110_is_a_finding_not_a_crash(params_copy, capsys):
    path = params_copy / "xinshi-rd" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    weight: 8\n", "    weight: 18\n", 1), encoding="utf-8")
    assert main(["audit", str(path)]) == 1
    out = capsys.readouterr().out
    assert "E-WEIGHTS-SUM" in out and "权重合计为 110" in out


# --------------------------------------------------------------------------- the audit fits the form (issue 10)


def test_a_target_printed_with_no_sign_is_named_without_a_sign():
    unsigned = {"indicators.0": {**BASE["indicators"][0], "op": None, "target": "10项", "actual": "8",
                                 "deviation_reason": REASON, "reported": {"score": "45"}}}
    findings = audit(PROFILE, make(unsigned), NAT)
    sign = _one(findings, "W-TARGET-SIGN-NOT-PRINTED", "甲")
    assert "未印比较符号" in sign.message and "正向" in sign.message and "36" in sign.message
    assert sign.printed == "10项"
    for f in findings:  # no finding shows a sign the report did not print
        assert "≥ 10" not in f.message and "≥10" not in f.message, f.message
    full = _one(findings, "E-MISSED-TARGET-FULL-SCORE", "甲")
    assert "目标 10项 未完成" in full.message


def test_a_qualitative_score_inside_its_band_is_not_an_error():
    graded = {**PARTIAL, "score": None}
    assert codes({"indicators.1": {**graded, "reported": {"score": "30"}}}) == set()
    assert "E-QUALITATIVE-OUT-OF-BAND" in codes({"indicators.1": {**graded, "reported": {"score": "40"}}})


def test_no_midyear_warning_on_a_form_without_a_midyear_column():
    no_column = {"indicators.0.midyear": None, "indicators.1.midyear": None}
    assert "W-MIDYEAR-MISSING" not in codes(no_column)
    unprinted = {"indicators.0.midyear": None, "indicators.0.unknown": ["midyear"]}
    assert "W-MIDYEAR-MISSING" not in codes(unprinted)


def test_explanations_name_only_the_rulebooks_involved():
    f = _finding({**HEBEI, "reported.execution_score": "8.6"}, "E-EXECUTION-SCORE-MISMATCH")
    assert "“得分保留一位小数”" in f.message
    assert "北京海淀" not in f.message  # it also prints one decimal only because it extends nothing relevant
    titles = [t for t in f.message.split("“")[1:] if "”" in t]
    assert len(titles) <= 2, f.message


def test_the_threshold_is_rulebook_data():
    assert load_rulebook("sichuan").budget_execution.explain_below == D(90)
    assert NAT.budget_execution.explain_below is None


# --------------------------------------------------------------------------- incomplete evidence

INCOMPLETE = ROOT / "tests" / "fixtures" / "incomplete"


@pytest.mark.parametrize("unit", ["shili-cutoff", "shili-budget", "shili-hubei", "shili-unprinted"])
def test_incomplete_reports_audit_without_a_false_weight_sum_error(unit):
    (ref,) = resolve_path(INCOMPLETE / unit)
    findings = audit_unit_year(load_unit_year(ref))
    found = {f.code for f in findings}
    assert "E-WEIGHTS-SUM" not in found and "E-SCORING-FAILED" not in found
    assert "E-TOTAL-MISMATCH" not in found  # a partial total is never compared with a printed one


def test_a_cut_off_table_is_still_checked_where_it_can_be():
    year = make({"evidence": {"complete": False, "missing": "cut_off"}, "indicators.0.weight": "20",
                 "indicators.0.reported": {"completion": "99"}})
    found = {f.code for f in audit(PROFILE, year, NAT)}
    assert "E-WEIGHTS-SUM" not in found and "E-COMPLETION-MISMATCH" in found
    complete = make({"indicators.0.weight": "20"})
    assert "E-WEIGHTS-SUM" in {f.code for f in audit(PROFILE, complete, NAT)}


def test_rulebooks_that_differ_in_values_are_all_named():
    # 得分取整 (0 decimals) and 得分保留一位小数 (1) both reproduce 10 from 9.96; neither contains the other
    f = _finding({"budget": {"initial": "100", "final": "100", "actual": "99.6"}, "budget.sources": [],
                  "projects": [], "reported.execution_score": "10"}, "E-EXECUTION-SCORE-MISMATCH")
    assert "“得分取整”" in f.message and "“得分保留一位小数”" in f.message
    assert "北京海淀" not in f.message
