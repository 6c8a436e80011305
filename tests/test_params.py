"""Loading params: every kind of bad input is one clear line naming the file and the field."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.errors import InputError
from evalkit.inputs.params import discover, evaluate_path, load_unit_year, resolve_path

from .conftest import PARAMS


def _edit(params: Path, old: str, new: str, year: str = "2023") -> Path:
    path = params / "xinshi-rd" / f"{year}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        evaluate_path(path)
    return info.value


def test_missing_field_names_file_field_and_line(params_copy):
    path = _edit(params_copy, "  final: 425.3\n", "")
    err = _error(path)
    assert err.file == str(path)
    assert err.field == "budget.final（全年预算数）"
    assert "缺少必填字段" in err.message
    assert err.line is not None and "\n" not in str(err)


def test_text_where_a_number_belongs(params_copy):
    path = _edit(params_copy, "actual: 422.89", "actual: 四百二十二")
    err = _error(path)
    assert err.field == "budget.actual（实际支出）"
    assert "四百二十二" in err.message


def test_negative_budget(params_copy):
    path = _edit(params_copy, "  initial: 304.1", "  initial: -304.1")
    err = _error(path)
    assert err.field == "budget.initial（年初预算数）"
    assert "不能为负数" in err.message


def test_money_in_yuan_is_converted(params_copy):
    path = _edit(params_copy, "  actual: 422.89", "  actual: 4,228,900元")
    e = evaluate_path(path)
    assert str(e.execution_rate.value) == "99.43"


def test_weights_not_summing_to_total(params_copy):
    path = _edit(params_copy, "    weight: 8\n", "    weight: 18\n")
    err = _error(path)
    assert err.file == str(path)
    assert "权重合计为 110" in err.message and "应为 100" in err.message


def test_missing_actual_is_an_error_not_a_full_score(params_copy):
    path = _edit(params_copy, "    actual: 96.11\n", "")
    err = _error(path)
    assert "实际完成值缺失" in err.message
    assert "indicators[7]" in err.field


def test_unit_mismatch_is_an_error(params_copy):
    path = _edit(params_copy, "    actual: 96.11\n", "    actual: 96.11万元\n")
    err = _error(path)
    assert "不一致" in err.message


def test_unknown_unit_id(params_copy):
    with pytest.raises(InputError, match="未知的单位编号“nobody”"):
        discover(params_copy, unit="nobody")


@pytest.mark.parametrize("bad", ["../etc", "a/b", "..", "X Y", "单位"])
def test_unit_id_that_could_escape_its_folder(params_copy, bad):
    with pytest.raises(InputError, match="单位编号"):
        discover(params_copy, unit=bad)


def test_profile_id_must_match_folder_and_be_a_slug(params_copy):
    profile = params_copy / "xinshi-rd" / "unit.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("id: xinshi-rd", "id: ../evil"), encoding="utf-8")
    err = _error(params_copy / "xinshi-rd" / "2023.yaml")
    assert err.field.startswith("id")


def test_malformed_yaml(params_copy):
    path = _edit(params_copy, "indicators:\n", "indicators: [\n")
    err = _error(path)
    assert "YAML 格式错误" in err.message and err.line


def test_unknown_field_is_reported(params_copy):
    path = _edit(params_copy, "    weight: 8\n", "    weight: 8\n    wieght: 8\n")
    err = _error(path)
    assert "未知字段" in err.message and "wieght" in err.field


def test_year_must_match_file_name(params_copy):
    path = _edit(params_copy, "year: 2023", "year: 2022")
    assert "文件名" in _error(path).message


def test_yaml_is_loaded_safely(params_copy):
    path = _edit(params_copy, "source:", "evil: !!python/object/apply:os.system ['echo pwned']\nsource:")
    err = _error(path)
    assert "YAML" in err.message


def test_discover_lists_every_unit_year():
    refs = discover(PARAMS)
    assert ("xinshi-rd", 2023) in {(r.unit_id, r.year) for r in refs}


def test_target_written_with_its_comparison(params_copy):
    path = _edit(params_copy, '    op: ">="\n    target: 95\n', '    target: "≥95%"\n')
    e = evaluate_path(path)
    assert e.indicators[7].indicator.op == ">=" and e.indicators[7].indicator.unit == "%"
    assert e.total.value == evaluate_path(PARAMS / "xinshi-rd" / "2023.yaml").total.value


def test_rulebook_override_and_unknown_rulebook(params_copy):
    ref = resolve_path(params_copy / "xinshi-rd" / "2023.yaml")[0]
    assert load_unit_year(ref, rulebook="hubei-2021").rulebook.budget_execution.weight == 20
    path = _edit(params_copy, "rulebook: national-default", "rulebook: atlantis")
    err = _error(path)
    assert "未知的评分规则“atlantis”" in err.message and err.file == str(path)


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ("  final: 425.3\n", "", "budget.final"),
        ("actual: 422.89", "actual: abc", "budget.actual"),
        ("  initial: 304.1", "  initial: -1", "不能为负数"),
        ("    weight: 8\n", "    weight: 18\n", "权重合计"),
        ("indicators:\n", "indicators: [\n", "YAML"),
    ],
)
def test_cli_bad_input_is_one_line_without_traceback(params_copy, old, new, needle):
    path = _edit(params_copy, old, new)
    proc = subprocess.run(
        [sys.executable, "-m", "evalkit.cli", "score", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and needle in lines[0]


def test_cli_unknown_unit_and_bad_id(params_copy):
    for unit in ("nobody", "../x"):
        proc = subprocess.run(
            [sys.executable, "-m", "evalkit.cli", "score", str(params_copy / unit / "2023.yaml")],
            capture_output=True, text=True,
        )
        assert proc.returncode == 2 and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- incomplete evidence (issue 10)

from evalkit.core.models import Indicator, UnitYear  # noqa: E402
from evalkit.errors import InputErrors, problems_of  # noqa: E402
from evalkit.inputs.params import load_year_file  # noqa: E402

_BUDGET = {"final": 100, "actual": 90}


def test_unknown_cells_are_allowed_and_must_be_empty():
    i = Indicator(name="信息公开率", target="= 100%", actual=100, weight=15, unknown=["midyear"])
    assert i.is_unknown("midyear") and not i.is_unknown("actual")
    i = Indicator(name="满意度", target="≥ 90%", weight=10, unknown=["actual"])
    assert i.actual is None
    with pytest.raises(ValueError, match="列为未印出，却又填写了数值"):
        Indicator(name="满意度", target="≥ 90%", actual=95, weight=10, unknown=["actual"])
    with pytest.raises(ValueError, match="unknown"):
        Indicator(name="满意度", target="≥ 90%", actual=95, weight=10, unknown=["colour"])


def test_missing_cell_not_declared_unknown_is_still_an_error():
    with pytest.raises(ValueError, match="unknown: \\[actual\\]"):
        Indicator(name="满意度", target="≥ 90%", weight=10)
    with pytest.raises(ValueError, match="缺少年度指标值"):
        Indicator(name="满意度", actual=90, weight=10)
    unknown_target = Indicator(name="满意度", actual=90, weight=10, unknown=["target"])
    assert unknown_target.op is None and unknown_target.target is None


def test_the_model_remembers_whether_the_sign_was_printed():
    assert Indicator(name="a", target="95%", actual=90, weight=10).op_printed is False
    assert Indicator(name="a", target="≥95%", actual=90, weight=10).op_printed is True
    assert Indicator(name="a", target="95%以上", actual=90, weight=10).op_printed is True
    assert Indicator(name="a", op=">=", target=95, actual=90, weight=10).op_printed is True


def test_evidence_block_and_year_level_unknowns():
    y = UnitYear(
        year=2023, kind="department", budget=_BUDGET, indicators=[],
        evidence={"complete": False, "missing": "blocks_only", "note": "只公开了资金部分"},
        unknown=["execution_weight", "reported.total"],
    )
    assert not y.complete and y.evidence.missing == "blocks_only"
    assert y.is_unknown("execution_weight") and y.execution_weight is None
    assert UnitYear(year=2023, kind="department", budget=_BUDGET, indicators=[]).complete  # budget-only, complete default
    with pytest.raises(ValueError, match="cut_off 或 blocks_only"):
        UnitYear(year=2023, kind="department", budget=_BUDGET, indicators=[], evidence={"complete": False})
    with pytest.raises(ValueError, match="execution_weight"):
        UnitYear(year=2023, kind="department", budget=_BUDGET, indicators=[], execution_weight=10, unknown=["execution_weight"])
    with pytest.raises(ValueError, match="不认识“budget.colour”"):
        UnitYear(year=2023, kind="department", budget=_BUDGET, indicators=[], unknown=["budget.colour"])


def test_block_weights_let_indicators_omit_weight():
    y = UnitYear(
        year=2023, kind="project", project={"name": "示例项目"}, rulebook="hubei-2021", budget=_BUDGET,
        blocks=[{"level1": "产出指标", "level2": "数量指标", "weight": 20}],
        indicators=[
            {"name": "培训人次", "level1": "产出指标", "level2": "数量指标", "target": "≥ 100", "actual": 120},
            {"name": "培训场次", "level1": "产出指标（50分）", "level2": "数量指标", "target": "≥ 4", "actual": 4},
        ],
    )
    assert y.block_of(y.indicators[0]) is y.blocks[0] and y.block_of(y.indicators[1]) is y.blocks[0]
    with pytest.raises(ValueError, match="缺少分值"):
        UnitYear(
            year=2023, kind="department", budget=_BUDGET,
            blocks=[{"level1": "产出指标", "level2": "质量指标", "weight": 20}],
            indicators=[{"name": "x", "level1": "产出指标", "level2": "数量指标", "target": "≥ 1", "actual": 1}],
        )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2023.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_in_a_file_at_once_with_lines(tmp_path):
    rows = "".join(f"  - {{name: 指标{n}, target: \"≥ 3\", weight: 5}}\n" for n in range(18))
    path = _write(
        tmp_path,
        "year: 2023\nkind: department\nbudget: {final: 100, actual: -90}\nunknown: [colour]\nindicators:\n" + rows,
    )
    with pytest.raises(InputErrors) as info:
        load_year_file(path)
    problems = problems_of(info.value)
    assert len(problems) == 20
    assert len(str(info.value).splitlines()) == 20
    assert problems[0].field == "budget.actual（实际支出）" and problems[0].line == 3
    assert problems[1].field.startswith("unknown") and problems[1].line == 4
    assert [p.line for p in problems[2:]] == list(range(6, 24))
    assert all(p.file == str(path) and "indicators[" in p.field for p in problems[2:])


def test_the_incomplete_evidence_examples_in_the_docs_score_as_they_say():
    from decimal import Decimal

    import yaml

    from evalkit.core.models import UnitProfile
    from evalkit.core.rulebook import load_rulebook
    from evalkit.core.scoring import evaluate

    from .conftest import ROOT

    text = (ROOT / "docs" / "params.md").read_text(encoding="utf-8")
    section = text.split("## 七、报告不完整时", 1)[1].split("## 八、", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 4
    profile = UnitProfile(id="demo", name="示例单位")
    results = []
    for block in blocks:
        year = UnitYear.model_validate(yaml.safe_load(block))
        e = evaluate(profile, year, load_rulebook(year.rulebook))
        results.append((e.total_status, e.total.value))
        claimed = re.search(r"总分 = [^\n]*?= ([\d.]+)", block)
        if claimed:
            assert e.total.value == Decimal(claimed.group(1)), block
    assert [status for status, _ in results] == ["partial", "partial", "partial", "complete"]
    assert results[2][1] == Decimal("9.70")


def test_a_bad_profile_does_not_hide_the_year_files_problems(params_copy):
    (params_copy / "xinshi-rd" / "unit.yaml").write_text("id: xinshi-rd\n", encoding="utf-8")
    path = _edit(params_copy, "  final: 425.3\n", "")
    (ref,) = resolve_path(path)
    with pytest.raises(InputErrors) as info:
        load_unit_year(ref)
    fields = [p.field for p in problems_of(info.value)]
    assert any(f and f.startswith("name") for f in fields) and "budget.final（全年预算数）" in fields


def test_several_problems_survive_a_process_boundary():
    import pickle

    from evalkit.core.scoring import ScoringErrors
    from evalkit.errors import InputError, ScoringError

    for error in (InputErrors([InputError("甲", file="a.yaml", field="x", line=3), InputError("乙", field="y")]),
                  ScoringErrors([ScoringError("丙", field="z"), ScoringError("丁")])):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert [p.line for p in problems_of(again)] == [p.line for p in problems_of(error)]


def test_a_missing_indicators_key_is_an_error_not_a_budget_only_evaluation():
    with pytest.raises(ValueError, match="indicators"):
        UnitYear(year=2023, kind="department", budget=_BUDGET)
    assert UnitYear(year=2023, kind="department", budget=_BUDGET, indicators=[]).indicators == []

