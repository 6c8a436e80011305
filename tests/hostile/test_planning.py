"""Planning never raises: each bad folder or file fails its own unit-year (file and reason), the rest is built."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.batch.plan import plan

from .cases import DIGITS, YEAR
from .conftest import TINY, clone_unit, run


def _bad_id(name: str) -> Callable[[Path], tuple[str, int | None]]:
    def make(params: Path) -> tuple[str, int | None]:
        clone_unit(params, name)
        return name, 2023
    return make


def _duplicate_year(params: Path):
    unit = clone_unit(params, "unit-dup")
    shutil.copy(unit / "2023.yaml", unit / "2023.yml")
    return "unit-dup", 2023


def _fifo_year(params: Path):
    unit = clone_unit(params, "unit-fifo")
    (unit / "2023.yaml").unlink()
    os.mkfifo(unit / "2023.yaml")
    return "unit-fifo", 2023


def _zero_year(params: Path):
    unit = clone_unit(params, "unit-zero")
    (unit / "2023.yaml").unlink()
    (unit / "2023.yaml").symlink_to("/dev/zero")
    return "unit-zero", 2023


def _outside_folder(params: Path):
    elsewhere = params.parent / "elsewhere"
    shutil.copytree(params / "xinshi-rd", elsewhere)
    (elsewhere / "unit.yaml").write_text((elsewhere / "unit.yaml").read_text(encoding="utf-8").replace("id: xinshi-rd", "id: unit-link"), encoding="utf-8")
    (params / "unit-link").symlink_to(elsewhere, target_is_directory=True)
    return "unit-link", 2023


def _unreadable_earlier_year(params: Path):
    unit = clone_unit(params, "unit-early")
    os.mkfifo(unit / "2022.yaml")  # an earlier year feeds the trend charts: 2023 cannot be keyed
    return "unit-early", 2022


PROBLEMS = {
    "chinese-folder-name": (_bad_id("示例单位"), "不是合法的单位编号"),
    "folder-name-with-space": (_bad_id("demo edu"), "不是合法的单位编号"),
    "upper-case-folder-name": (_bad_id("Demo"), "不是合法的单位编号"),
    "terminal-escape-in-folder-name": (_bad_id("evil\x1b[2J\x1b]0;owned\x07"), "不是合法的单位编号"),
    "two-files-for-one-year": (_duplicate_year, "2023.yaml与2023.yml 是同一年度的两个文件"),
    "fifo-year-file": (_fifo_year, "命名管道"),
    "year-file-links-to-dev-zero": (_zero_year, "参数目录之外"),
    "unit-folder-links-outside": (_outside_folder, "参数目录之外"),
    "earlier-year-is-a-fifo": (_unreadable_earlier_year, "命名管道"),
}


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_planning_turns_a_bad_unit_year_into_its_failure(name, unit_params, tmp_path):
    make, reason = PROBLEMS[name]
    unit_id, year = make(unit_params)
    result = plan(unit_params, tmp_path / "out", notebook=TINY)  # never raises
    assert [(j.unit_id, j.year) for j in result.jobs] == [("xinshi-rd", 2023)]
    failed = {(r.unit_id, r.year): r.error for r in result.failed}
    assert (unit_id, year) in failed, failed
    assert reason in failed[(unit_id, year)] and str(unit_params) in failed[(unit_id, year)]


def test_stray_files_and_folders_are_reported_not_skipped_silently(unit_params, tmp_path):
    unit = unit_params / "xinshi-rd"
    (unit / "notes.txt").write_text("备注", encoding="utf-8")
    (unit / "2023.yaml.bak").write_text(YEAR, encoding="utf-8")
    orphan = unit_params / "no-profile"
    orphan.mkdir()
    (orphan / "2023.yaml").write_text(YEAR, encoding="utf-8")
    result = plan(unit_params, tmp_path / "out", notebook=TINY)
    assert not result.failed and len(result.jobs) == 1
    warned = {p.file.name: p.reason for p in result.warnings}
    assert set(warned) == {"notes.txt", "2023.yaml.bak", "no-profile"}
    assert "不是年度文件" in warned["2023.yaml.bak"] and "缺少 unit.yaml" in warned["no-profile"]


def test_a_build_with_every_bad_folder_builds_the_good_unit(unit_params, tmp_path, capsys):
    for make, _ in PROBLEMS.values():
        make(unit_params)
    broken = clone_unit(unit_params, "unit-digits")
    (broken / "2023.yaml").write_text(YEAR.replace("  actual: 422.89", f"  actual: {DIGITS}", 1), encoding="utf-8")
    (unit_params / "xinshi-rd" / "readme.md").write_text("说明", encoding="utf-8")
    formula = clone_unit(unit_params, "unit-formula")  # a name that is a formula and markup: built, inert
    hostile_name = '=HYPERLINK("http://evil.example","<script>alert(1)</script>")'
    profile = formula / "unit.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "name: 乌鲁木齐市新市区人民代表大会常务委员会", f"name: '{hostile_name}'", 1), encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "build", "--params", str(unit_params), "--out", str(out),
                               "--notebook", str(TINY), "--jobs", "1", "-q")
    assert code == 1 and "Traceback" not in stderr
    assert "\x1b" not in stderr and "\\x1b[2J" in stderr  # a hostile name cannot drive the terminal
    expected = len(PROBLEMS) + 2  # unit-early fails twice: its FIFO 2022 and, through the trend, 2023
    assert "新生成 2 份" in stdout and f"失败 {expected} 份" in stdout
    assert (out / "2023" / "xinshi-rd.html").is_file()
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {row["unit_name"] for row in csv.DictReader(handle) if row["unit_id"] == "unit-formula"}
    assert names == {"'" + hostile_name}  # Excel will not run it
    assert "<script>alert(1)</script>" not in (out / "index.html").read_text(encoding="utf-8")
    failures = [line for line in stderr.splitlines() if line.startswith("  失败：")]
    assert len(failures) == expected
    assert any("unit-digits 2023" in line and "数字位数过多" in line for line in failures)
    assert any("注意" in line and "readme.md" in line for line in stderr.splitlines())
    assert not list(out.rglob("*.tmp"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "unit-digits" in index and "示例单位" not in index  # a bad folder name never becomes a file name
