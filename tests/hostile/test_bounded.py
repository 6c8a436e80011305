"""Every hostile input under resource limits in a subprocess: bounded CPU, bounded memory, one line.

The limits are the kernel's, not a wall clock: ``RLIMIT_AS`` caps the address space (the alias
bomb used to pass 4.5 GB), and the runner caps each case's CPU seconds with ``RLIMIT_CPU``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

from .cases import CASES, Case
from .conftest import assert_one_line_error, limited

MEMORY = 768 * 1024**2  # address space of the whole run, interpreter and libraries included


@pytest.fixture(scope="module")
def bounded_results(tmp_path_factory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("bounded")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.hostile.bounded_runner", str(work)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        preexec_fn=limited(cpu=120, memory=MEMORY), timeout=None,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    started = [line["start"] for line in lines if "start" in line]
    assert proc.returncode == 0, (f"runner died (exit {proc.returncode}) in case {started[-1] if started else '?'}",
                                  proc.stderr[-2000:])
    return {line["case"]: line for line in lines if "case" in line}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_bounded(case: Case, bounded_results):
    result = bounded_results[case.name]
    assert result["code"] == 2
    assert_one_line_error(result["stderr"], case.file, *case.expect)
    assert result["peak_kib"] * 1024 < MEMORY
