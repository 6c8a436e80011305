"""CPU per report of a build worker and its kernel, the kernel's split into charts and the rest.

One worker (this process) builds ``--reports`` synthetic unit-years through ``build_one`` with its
reused kernel, after two warm-up reports. Around each report: this process's CPU
(``time.process_time``), the kernel's (``psutil``, all its threads, and per thread), and the CPU of
``Report._chart`` inside the kernel (``time.thread_time`` around each call, read back after the
report). Prints each report and the medians; asserts nothing. CPU, not wall time: the machine is
shared. Start-up (worker imports, kernel launch, the kernel's first report) is printed first.

    .venv/bin/python benchmarks/bench_report_cpu.py [--units 12 --years 2 --seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Installed in the kernel after the warm-up: CPU of the report's charts, summed per process.
_CHART_TIMER = """\
import time as _t, evalkit.report.render as _render
_chart_cpu = [0.0]
def _timed(f):
    def chart(*a, **k):
        started = _t.thread_time()
        try:
            return f(*a, **k)
        finally:
            _chart_cpu[0] += _t.thread_time() - started
    return chart
_render.Report._chart = _timed(_render.Report._chart)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=12)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evalkit-report-cpu-"))
    params, out = work / "params", work / "out"
    subprocess.run([str(BIN / "evalkit"), "synth", "--units", str(args.units), "--years", str(args.years),
                    "--seed", str(args.seed), "--out", str(params)], check=True, capture_output=True)

    started = time.process_time()
    from jupyter_core.utils import run_sync

    from evalkit.batch.jobs import NOTEBOOK, Job
    from evalkit.batch.worker import BuildOptions, _renderer, build_one

    options = BuildOptions(notebook=str(NOTEBOOK))
    renderer = _renderer(options)
    km, kc = renderer.session.ensure()
    kernel = psutil.Process(km.provisioner.process.pid)

    def kernel_cpu() -> float:
        times = kernel.cpu_times()
        return times.user + times.system

    def kexec(code: str) -> str:
        renderer.session.ensure()
        out: list[str] = []
        reply = run_sync(renderer.session.kc.execute_interactive)(
            code, store_history=False, timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(out)

    print(f"start-up: worker imports and renderer {time.process_time() - started:.2f} s CPU, "
          f"kernel ready at {kernel_cpu():.2f} s CPU")
    years = sorted({int(p.stem) for p in params.glob("*/[0-9]*.yaml")})
    jobs = [Job(unit.name, year, str(params), str(out)) for year in years for unit in sorted(params.iterdir())
            if (unit / f"{year}.yaml").is_file()]
    for i, job in enumerate(jobs[:2]):
        k0, w0 = kernel_cpu(), time.process_time()
        assert build_one(job, options).status == "built"
        print(f"warm-up report {i + 1}: worker {time.process_time() - w0:.3f} s, kernel {kernel_cpu() - k0:.3f} s CPU")
    kexec(_CHART_TIMER)
    rows = []
    for job in jobs[2:]:
        renderer.session.ensure()  # the previous reset done
        threads0 = {t.id: t.user_time + t.system_time for t in kernel.threads()}
        charts0, k0, w0 = float(kexec("print(_chart_cpu[0])")), kernel_cpu(), time.process_time()
        assert build_one(job, options).status == "built"
        renderer.session.ensure()
        w1, k1, charts1 = time.process_time(), kernel_cpu(), float(kexec("print(_chart_cpu[0])"))
        threads1 = {t.id: t.user_time + t.system_time for t in kernel.threads()}
        other = sum(v - threads0.get(tid, 0.0) for tid, v in threads1.items() if tid != kernel.pid)
        rows.append((w1 - w0, k1 - k0, charts1 - charts0, k1 - k0 - (charts1 - charts0), other))
        print(f"{job.unit_id} {job.year}: worker {rows[-1][0]:.3f}  kernel {rows[-1][1]:.3f} "
              f"(charts {rows[-1][2]:.3f}, rest {rows[-1][3]:.3f}, of which other threads {other:.3f}) s CPU")
    med = [statistics.median(r[i] for r in rows) for i in range(5)]
    print(f"median of {len(rows)} reports, s CPU: worker {med[0]:.3f}, kernel {med[1]:.3f} (charts {med[2]:.3f}, "
          f"rest {med[3]:.3f}, of which the kernel's other threads {med[4]:.3f}); "
          f"worker + kernel {statistics.median(r[0] + r[1] for r in rows):.3f}")
    renderer.close()


if __name__ == "__main__":
    main()
