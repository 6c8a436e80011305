"""Output faults: a wrong or unwritable --out is one line before any work; a full disk fails cleanly."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import TINY, assert_one_line_error, clone_unit, run, snapshot


@pytest.fixture
def mount_tmpfs(tmp_path) -> Iterator:
    """Mount small tmpfs file systems under tmp_path (root needed; skipped with the reason otherwise)."""
    mounted: list[Path] = []

    def mount(name: str, size: str, *, read_only: bool = False) -> Path:
        point = tmp_path / name
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"此环境不能挂载 tmpfs（需要 root 与 mount 权限）：{proc.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _build(capsys, params: Path, out: Path | str, *extra: str):
    return run(capsys, "build", "--params", str(params), "--out", str(out), "--notebook", str(TINY), "-q", *extra)


def test_out_naming_a_file_is_one_line_before_any_work(unit_params, tmp_path, capsys):
    target = tmp_path / "outputs"
    target.write_text("not a folder", encoding="utf-8")
    code, out, err = _build(capsys, unit_params, target)
    assert code == 2 and out == ""
    assert_one_line_error(err, str(target), "--out", "不是文件夹")
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_out_below_a_file_is_one_line(unit_params, tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    code, _, err = _build(capsys, unit_params, target / "outputs")
    assert code == 2
    assert_one_line_error(err, "--out", "无法创建输出文件夹")


def test_read_only_out_is_one_line(unit_params, mount_tmpfs, capsys):
    read_only = mount_tmpfs("ro", "64k", read_only=True)
    code, _, err = _build(capsys, unit_params, read_only)
    assert code == 2
    assert_one_line_error(err, str(read_only), "不可写")
    code, _, err = _build(capsys, unit_params, read_only / "outputs")
    assert code == 2
    assert_one_line_error(err, "无法创建输出文件夹")


def test_export_xlsx_out_that_is_a_folder_or_read_only(unit_params, mount_tmpfs, tmp_path, capsys):
    folder = tmp_path / "results.xlsx"
    folder.mkdir()
    code, _, err = run(capsys, "export-xlsx", str(unit_params), "--out", str(folder))
    assert code == 2
    assert_one_line_error(err, "--out", "是文件夹")
    read_only = mount_tmpfs("ro", "64k", read_only=True)
    code, _, err = run(capsys, "export-xlsx", str(unit_params), "--out", str(read_only / "results.xlsx"))
    assert code == 2
    assert_one_line_error(err, "不可写")
    assert not list(read_only.iterdir())


def _fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_full_disk_fails_the_unit_stops_the_build_and_leaves_nothing_partial(unit_params, mount_tmpfs, capsys):
    for i in range(2):
        clone_unit(unit_params, f"unit-{i}")
    disk = mount_tmpfs("disk", "256k")
    out = disk / "outputs"
    out.mkdir()
    filler = _fill(disk)
    before = snapshot(unit_params)

    code, stdout, stderr = _build(capsys, unit_params, out, "--jobs", "1")
    assert code == 1 and "Traceback" not in stderr
    assert "新生成 0 份" in stdout and "失败 3 份" in stdout
    lines = stderr.splitlines()
    errors = [line for line in lines if line.startswith("错误：")]
    assert len(errors) == 1 and "输出磁盘已满，构建已停止开始新的单位年度" in errors[0]  # one clear message
    failures = [line for line in lines if line.startswith("  失败：")]
    assert len(failures) == 3
    assert "输出磁盘已满" in failures[0] and all("未生成：输出磁盘已满" in line for line in failures[1:])
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == []  # no report, record or temporary
    assert snapshot(unit_params) == before

    os.unlink(filler)  # space again: the rerun builds everything
    code, stdout, stderr = _build(capsys, unit_params, out, "--jobs", "1")
    assert code == 0, stderr
    assert "新生成 3 份" in stdout
    assert len(list(out.glob("2023/*.html"))) == 3 and (out / "index.html").is_file()


def test_disk_full_midway_keeps_finished_reports(unit_params, mount_tmpfs, capsys):
    clone_unit(unit_params, "unit-0")
    disk = mount_tmpfs("disk", "512k")
    out = disk / "outputs"
    code, _, _ = _build(capsys, unit_params, out, "--jobs", "1", "--unit", "unit-0")
    assert code == 0
    finished = (out / "2023" / "unit-0.html").read_bytes()
    record = (out / "2023" / "unit-0.json").read_bytes()
    _fill(disk)
    code, stdout, stderr = _build(capsys, unit_params, out, "--jobs", "1", "--force")
    assert code == 1 and "Traceback" not in stderr and "输出磁盘已满" in stderr
    assert not list(out.rglob("*.tmp"))
    assert (out / "2023" / "unit-0.html").read_bytes() == finished  # the earlier report is kept whole
    assert (out / "2023" / "unit-0.json").read_bytes() == record
    assert not list(out.glob("2023/xinshi-rd.*"))  # never started
