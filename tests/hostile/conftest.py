"""Helpers of the hostile corpus: run commands in-process, check one-line errors, bound subprocesses."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from evalkit.cli import main
from tests.conftest import FIXTURES, PARAMS, ROOT

TINY = FIXTURES / "notebooks" / "tiny.ipynb"
#: CPU seconds and address space a hostile subprocess may use.
CPU_SECONDS = 60
MEMORY_BYTES = 2 * 1024**3


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, and the bytes' hash of regular files (never read others)."""
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            info = os.lstat(path)
            digest = None
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            out[str(path.relative_to(folder))] = (stat.S_IFMT(info.st_mode), digest)
    return out


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``evalkit <args>`` in this process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *parts: str) -> str:
    """stderr is exactly one Chinese error line containing ``parts``, and no traceback.

    ``注意：`` lines (a stray file in the unit folder, which ``validate`` notes) are not errors.
    """
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("注意：")]
    assert len(lines) == 1, lines
    assert lines[0].startswith("错误："), lines[0]
    for part in parts:
        assert part in lines[0], (part, lines[0])
    assert len(lines[0]) < 400, lines[0]
    return lines[0]


def limited(cpu: int = CPU_SECONDS, memory: int = MEMORY_BYTES) -> Callable[[], None]:
    """A ``preexec_fn`` bounding CPU time (SIGXCPU, then SIGKILL) and address space.

    Ctrl-C is restored to its default too: a suite started in the background of a shell without job
    control inherits SIGINT ignored, and the build would then never see the Ctrl-C it is sent.
    """

    def apply() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def evalkit_process(args: Sequence[str], *, marker: str, cpu: int = CPU_SECONDS, **kwargs) -> subprocess.Popen:
    """``python -m evalkit.cli <args>`` under resource limits, its processes marked in the environment."""
    env = {**os.environ, "EVALKIT_TEST_MARKER": marker, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "evalkit.cli", *args], env=env, preexec_fn=limited(cpu),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def marked_processes(marker: str) -> list[int]:
    """Pids of live processes whose environment carries ``marker`` (workers, kernels, the build)."""
    needle = f"EVALKIT_TEST_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a bounded loop, not an assertion on time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def marker() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def unit_params(tmp_path: Path) -> Path:
    """A params folder holding a copy of the reference unit ``xinshi-rd``."""
    params = tmp_path / "params"
    params.mkdir()
    shutil.copytree(PARAMS / "xinshi-rd", params / "xinshi-rd")
    return params


def clone_unit(params: Path, new_id: str, source: str = "xinshi-rd") -> Path:
    shutil.copytree(params / source, params / new_id)
    profile = params / new_id / "unit.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(f"id: {source}", f"id: {new_id}", 1), encoding="utf-8")
    return params / new_id


__all__ = [
    "TINY", "snapshot", "run", "assert_one_line_error", "limited", "evalkit_process", "marked_processes",
    "wait_until", "clone_unit",
]
