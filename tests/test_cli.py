"""Every command has a Chinese --help; argument mistakes are one Chinese line and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from evalkit.cli import main

from .conftest import REFERENCE

COMMANDS = ["validate", "score", "schema", "rulebooks", "build", "audit", "import-xlsx", "export-xlsx", "synth"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evalkit.cli", *args], capture_output=True, text=True)


def test_top_level_help_lists_every_command():
    proc = _run("--help")
    assert proc.returncode == 0 and proc.stdout.startswith("用法：")
    for command in COMMANDS:
        assert command in proc.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    # in this process (the top-level help above runs the real ``python -m evalkit.cli``)
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith("用法：") and "显示本帮助并退出" in out


def test_argument_mistakes_are_chinese_and_exit_2():
    proc = _run("score")
    assert proc.returncode == 2
    assert "错误：缺少必需的参数" in proc.stderr and "Traceback" not in proc.stderr
    proc = _run("build", "--jobs", "x")
    assert proc.returncode == 2 and "应为整数" in proc.stderr


def test_score_json_for_the_reference():
    import json

    proc = _run("score", str(REFERENCE), "--json")
    data = json.loads(proc.stdout)
    assert (data["total"], data["grade"]) == (91.73, "优")
    assert data["budget_execution"] == {**data["budget_execution"], "rate": 99.43, "weight": 10, "score": 9.94}
    assert data["indicators"][1]["target_adjusted"] == 425.3
    assert data["reported"] == {"total": 91.73, "grade": "优"}
    assert {"unit_id", "unit_name", "year", "kind", "rulebook"} <= set(data)


# --------------------------------------------------------------------------- every problem at once (issue 10)

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from .conftest import ROOT  # noqa: E402

INCOMPLETE = ROOT / "tests" / "fixtures" / "incomplete"


def _twenty_problems(params: Path) -> Path:
    """A year file with 20 problems: a negative actual, an unknown year-level name, 18 missing actuals."""
    unit = params / "bad-unit"
    unit.mkdir(parents=True)
    (unit / "unit.yaml").write_text("id: bad-unit\nname: 示例单位\n", encoding="utf-8")
    rows = "".join(f"  - {{name: 指标{n}, target: \"≥ 3\", weight: 5}}\n" for n in range(18))
    path = unit / "2023.yaml"
    path.write_text("year: 2023\nkind: department\nbudget: {final: 100, actual: -90}\nunknown: [colour]\n"
                    "indicators:\n" + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "score", "audit"])
def test_a_file_with_twenty_problems_gets_twenty_lines(tmp_path, command):
    path = _twenty_problems(tmp_path / "params")
    proc = _run(command, str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("错误：")]
    assert len(lines) == 20, proc.stderr
    assert all(str(path) in line for line in lines)
    assert f"{path}:3: budget.actual（实际支出）" in lines[0]
    assert "Traceback" not in proc.stderr


def test_audit_goes_on_after_a_bad_file_and_fails(tmp_path):
    params = tmp_path / "params"
    _twenty_problems(params)
    shutil.copytree(INCOMPLETE / "shili-hubei", params / "shili-hubei")
    proc = _run("audit", str(params))
    assert proc.returncode == 2
    assert "示例市商务局" in proc.stdout and "复核 1 个单位年度" in proc.stdout
    assert "另有 1 个文件无法读取" in proc.stdout
    assert len([line for line in proc.stderr.splitlines() if line.startswith("错误：")]) == 20


def test_scoring_problems_are_all_listed(tmp_path):
    params = tmp_path / "params"
    shutil.copytree(INCOMPLETE / "shili-hubei", params / "shili-hubei")
    path = params / "shili-hubei" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("{level1: 效益指标, weight: 30}", "{level1: 效益指标, weight: 35}")
    text = text.replace("{level1: 满意度指标, weight: 10}", "{level1: 满意度指标, weight: 10}\n  - {level1: 社会指标, weight: 5}")
    path.write_text(text, encoding="utf-8")
    proc = _run("validate", str(path))
    lines = [line for line in proc.stderr.splitlines() if line.startswith("错误：")]
    assert proc.returncode == 2 and len(lines) == 2, proc.stderr
    assert any("权重合计为 105" in line for line in lines)
    assert any("社会指标" in line and "没有对应的指标" in line for line in lines)


def test_score_labels_a_partial_total_and_unknown_figures():
    proc = _run("score", str(INCOMPLETE / "shili-unprinted" / "2023.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert "无法计算（实际完成值未印出）" in proc.stdout and "分值 未印出" in proc.stdout
    assert "（部分得分）" in proc.stdout and "等级 无法评定" in proc.stdout
    assert "无法与部分得分比较" in proc.stdout
    proc = _run("score", "--json", str(INCOMPLETE / "shili-budget" / "2022.yaml"))
    data = __import__("json").loads(proc.stdout)
    assert data["total"] is None and data["total_status"] == "not_computable" and data["grade"] is None
    assert data["budget_execution"]["weight"] is None and data["budget_execution"]["rate"] == 96.98


def test_validate_reports_folders_and_files_it_cannot_use(params_copy, capsys):
    """A stray file is noted, a bad folder name and two files for one year are errors; the rest is checked."""
    (params_copy / "xinshi-rd" / "notes.txt").write_text("草稿", encoding="utf-8")
    year = params_copy / "xinshi-rd" / "2023.yaml"
    (params_copy / "xinshi-rd" / "2023.yml").write_bytes(year.read_bytes())
    bad = params_copy / "demo edu"
    bad.mkdir()
    for name in ("unit.yaml", "2023.yaml"):
        (bad / name).write_bytes((params_copy / "demo-edu" / name).read_bytes())

    assert main(["validate", str(params_copy)]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert any(line.startswith("注意：") and "notes.txt" in line for line in lines)
    assert any(line.startswith("错误：") and "demo edu" in line and "单位编号" in line for line in lines)
    assert any(line.startswith("错误：") and "2023.yml" in line for line in lines)
    assert "通过：" in out and "demo-edu/2021.yaml" in out  # the good unit-years are still checked
    assert "Traceback" not in err
