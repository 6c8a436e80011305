"""Every command has a Chinese --help; argument mistakes are one Chinese line and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
def test_every_command_has_help(command):
    proc = _run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("用法：") and "显示本帮助并退出" in proc.stdout


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
