"""Run every hostile input case under a per-case CPU limit; one JSON line per case on stdout.

Started by ``test_bounded.py`` in a subprocess whose address space is limited (``RLIMIT_AS``).
Before each case the soft ``RLIMIT_CPU`` is set to the CPU time used so far plus a few seconds,
so a case that runs away is killed by SIGXCPU (the test then sees which case was last started).
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import shutil
import sys
from pathlib import Path

from evalkit.cli import main
from tests.conftest import PARAMS
from tests.hostile.cases import CASES

CASE_CPU_SECONDS = 10


def run_all(work: Path) -> None:
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    for case in CASES:
        params = work / case.name / "params"
        shutil.copytree(PARAMS / "xinshi-rd", params / "xinshi-rd")
        case.make(params / "xinshi-rd" / "2023.yaml")
        print(json.dumps({"start": case.name}), flush=True)
        used = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
        soft = int(used) + CASE_CPU_SECONDS
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(["validate", str(params / "xinshi-rd")])
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"case": case.name, "code": code, "stderr": err.getvalue(), "peak_kib": peak_kib},
                         ensure_ascii=False), flush=True)


if __name__ == "__main__":
    run_all(Path(sys.argv[1]))
