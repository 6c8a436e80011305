"""Process hygiene: kill -9 of the build leaves no worker or kernel; Ctrl-C stops cleanly; bad --jobs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from evalkit.batch.run import run_build
from evalkit.errors import InputError

from .conftest import (
    TINY,
    clone_unit,
    evalkit_process,
    marked_processes,
    wait_until,
)

SETTLE = 10  # seconds a killed build's workers and kernels have to disappear


@pytest.mark.parametrize("option, value", [
    ("--jobs", "0"), ("--jobs", "-3"), ("--jobs", "x"), ("--batch-size", "0"), ("--timeout", "0"),
    ("--timeout", "-5"), ("--timeout", "nan"),
])
def test_bad_numbers_are_refused_in_one_line(option, value, unit_params, tmp_path, capsys):
    from evalkit.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["build", "--params", str(unit_params), "--out", str(tmp_path / "out"), option, value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("错误：参数 " + option)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kwargs, field", [({"jobs": 0}, "--jobs"), ({"jobs": -3}, "--jobs"),
                                           ({"batch_size": 0}, "--batch-size"), ({"timeout": 0}, "--timeout")])
def test_bad_numbers_are_refused_by_the_api(kwargs, field, unit_params, tmp_path):
    with pytest.raises(InputError) as error:
        run_build(unit_params, tmp_path / "out", notebook=TINY, quiet=True, **kwargs)
    assert field in str(error.value)
    assert not (tmp_path / "out").exists()


def _slow_params(params: Path) -> list[Path]:
    for i in range(2):
        clone_unit(params, f"a-{i}")
    return [clone_unit(params, f"slow-{i}") for i in range(3)]  # tiny.ipynb sleeps 60 s for slow-*


def _build_args(params: Path, out: Path, jobs: int) -> list[str]:
    return ["build", "--params", str(params), "--out", str(out), "--notebook", str(TINY), "--jobs", str(jobs)]


@pytest.mark.slow
def test_kill_9_of_the_build_leaves_no_worker_or_kernel(unit_params, tmp_path, marker):
    slow = _slow_params(unit_params)
    out = tmp_path / "out"
    proc = evalkit_process(_build_args(unit_params, out, 2), marker=marker)
    try:
        assert wait_until(lambda: len(list(out.glob("2023/a-?.json"))) == 2, 240), proc.stderr  # two unit-years finished
        # the parent, two workers and their kernels, now running slow-0 and slow-1
        assert wait_until(lambda: len(marked_processes(marker)) >= 5, 60), marked_processes(marker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not marked_processes(marker), SETTLE), marked_processes(marker)
    finally:
        for pid in marked_processes(marker):
            os.kill(pid, signal.SIGKILL)
    for folder in slow:
        shutil.rmtree(folder)
    resumed = run_build(unit_params, out, jobs=1, quiet=True, notebook=TINY)  # resuming is planning: inline
    assert not resumed.failed
    assert {r.unit_id for r in resumed.skipped} >= {"a-0", "a-1"}
    assert len(resumed.built) + len(resumed.skipped) == 3
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [2, 1])
def test_ctrl_c_stops_with_one_line_and_a_summary(jobs, unit_params, tmp_path, marker):
    _slow_params(unit_params)
    out = tmp_path / "out"
    proc = evalkit_process(_build_args(unit_params, out, jobs), marker=marker, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)  # progress lines
    reader.start()
    try:
        # both quick units reported done; with --jobs 2 the workers are now on slow-0 and slow-1
        assert wait_until(lambda: sum(" 完成 a-" in line for line in lines) == 2, 240), lines
        assert wait_until(lambda: len(marked_processes(marker)) >= (5 if jobs == 2 else 2), 60)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        proc.wait(timeout=120)
        reader.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = "".join(lines)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    summary = [line for line in stderr.splitlines() if line.startswith("已中断：")]
    assert len(summary) == 1 and "新生成 2 份" in summary[0], stderr
    assert "超时" not in stderr
    assert any(" 中断 slow-" in line for line in stderr.splitlines()), stderr  # in flight: interrupted, not timeouts
    assert wait_until(lambda: not marked_processes(marker), SETTLE), marked_processes(marker)
    assert not list(out.rglob("*.tmp"))
    assert (out / "index.html").is_file()  # the finished reports are published


def test_a_worker_refuses_to_outlive_its_parent():
    """``die_with_parent`` really arms the parent-death signal (Linux): a grandchild dies with its parent."""
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG 只在 Linux 上有")
    code = (
        "import os, signal, subprocess, sys, time\n"
        "from evalkit.batch.hygiene import kernel_preexec\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], preexec_fn=kernel_preexec)\n"
        "print(child.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    grandchild = int(proc.stdout.split()[0])

    def gone() -> bool:
        try:
            state = Path(f"/proc/{grandchild}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        return state == "Z"

    assert wait_until(gone, SETTLE)
