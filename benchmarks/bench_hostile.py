"""Benchmark: CPU seconds and peak memory of every hostile params input (``tests/hostile/cases.py``).

Each case runs ``evalkit validate`` in-process, one after the other, in a subprocess limited to
768 MiB of address space (as in ``tests/hostile/test_bounded.py``). Prints one line per case: CPU
seconds spent on it, the process's peak resident memory so far, and the error line. Asserts
nothing (timings belong here, not in tests). Run from the repository root:

    .venv/bin/python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = r"""
import contextlib, io, json, resource, shutil, sys
from pathlib import Path
from evalkit.cli import main
from tests.conftest import PARAMS
from tests.hostile.cases import CASES

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

work = Path(sys.argv[1])
for case in CASES:
    params = work / case.name / "params"
    shutil.copytree(PARAMS / "xinshi-rd", params / "xinshi-rd")
    case.make(params / "xinshi-rd" / "2023.yaml")
    err = io.StringIO()
    before = cpu()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", str(params / "xinshi-rd")])
    print(json.dumps({"case": case.name, "cpu": cpu() - before, "code": code,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "error": err.getvalue().strip().split(": ")[-1]}, ensure_ascii=False), flush=True)
"""


def main() -> None:
    limit = 768 * 1024**2

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryDirectory() as work:
        proc = subprocess.run([sys.executable, "-c", RUNNER, work], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=bound)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    print(f"{'case':30} {'CPU s':>6} {'peak MiB':>9}  exit  error")
    for row in rows:
        print(f"{row['case']:30} {row['cpu']:6.2f} {row['peak_mib']:9.0f}  {row['code']:>4}  {row['error'][:60]}")
    print(f"{len(rows)} cases, {sum(r['cpu'] for r in rows):.2f} CPU seconds in all; runner exit {proc.returncode}")
    if proc.returncode:
        print(proc.stderr[-2000:])


if __name__ == "__main__":
    main()
