"""Loading params: every kind of bad input is one clear line naming the file and the field."""

from __future__ import annotations

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
