"""Benchmark: `evalkit build` against the naive loop people write by hand, on the same machine.

The naive loop, per report and serially: the ``papermill`` CLI, then
``jupyter nbconvert --to html --no-input``. evalkit: ``evalkit build --jobs N`` over the same
notebook and a synthetic set. Also: peak memory per worker (worker process + its kernel) and the
time of a no-op rebuild (nothing changed) of ``--noop`` unit-years.

Also, from ``benchmarks/bench_scoring.py``: the exact vectorised scorer in indicators a second and
the rulebook what-if over ``--whatif`` synthetic unit-years (made in memory). The machine's load
average is printed at the start and the end: other work on a 2-core machine shows in every figure.

Prints figures; asserts nothing (timings belong here, not in tests). Run from the repository root:

    .venv/bin/python benchmarks/bench_build.py                      # everything, issue-14 sizes
    .venv/bin/python benchmarks/bench_build.py --quick              # minutes, small sizes
    .venv/bin/python benchmarks/bench_build.py --parts scoring      # only the scorer and what-if
    .venv/bin/python benchmarks/bench_build.py --parts build,noop --units 30 --noop 200
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scoring  # noqa: E402 - the sibling script

PARTS = ("build", "noop", "scoring")

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"


def run(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def synth(out: Path, units: int, years: int, seed: int) -> list[tuple[str, int]]:
    run([str(BIN / "evalkit"), "synth", "--units", str(units), "--years", str(years), "--out", str(out),
         "--seed", str(seed), "--overwrite"])
    pairs = []
    for unit in sorted(p for p in out.iterdir() if p.is_dir()):
        for year in sorted(unit.glob("[0-9][0-9][0-9][0-9].yaml")):
            pairs.append((unit.name, int(year.stem)))
    return pairs


def naive_loop(params: Path, pairs: list[tuple[str, int]], work: Path) -> float:
    """Seconds per report for papermill CLI + nbconvert CLI, one after the other."""
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for unit, year in pairs:
        executed = work / f"{unit}-{year}.ipynb"
        run([str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-r", "unit_id", unit, "-p", "year", str(year),
             "-r", "params_dir", str(params), "-r", "rulebook", "", "--no-progress-bar", "-k", "python3"])
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return (time.perf_counter() - started) / len(pairs)


class PeakMemory(threading.Thread):
    """Samples the build's process tree: the largest worker + kernel RSS seen, in MiB."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_worker = 0.0
        self.peak_total = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                children = self.root.children()
                total = self.root.memory_info().rss
                for child in children:
                    tree = [child, *child.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree if p.is_running())
                    total += rss
                    if "ipykernel" not in " ".join(child.cmdline()):
                        self.peak_worker = max(self.peak_worker, rss / 2**20)
                self.peak_total = max(self.peak_total, total / 2**20)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            self.stop.wait(0.2)


def evalkit_build(params: Path, out: Path, jobs: int, extra: list[str] = ()) -> tuple[float, PeakMemory]:
    cmd = [str(BIN / "evalkit"), "build", "--params", str(params), "--out", str(out), "--jobs", str(jobs), "-q", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monitor = PeakMemory(proc.pid)
    monitor.start()
    proc.wait()
    monitor.stop.set()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"evalkit build failed: {cmd}")
    return time.perf_counter() - started, monitor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated: build (naive loop vs evalkit build, memory), noop (1,000-unit-year "
                             "first build and no-op rebuild), scoring (vectorised scorer, what-if)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--units", type=int, default=40, help="synthetic units for the throughput run")
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--naive", type=int, default=6, help="reports the naive loop builds (it is slow)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--noop", type=int, default=1000, help="unit-years for the first build and no-op rebuild")
    parser.add_argument("--whatif", type=int, default=100_000, help="unit-years the what-if rescores")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    if args.quick:
        args.units, args.naive, args.noop, args.whatif = 10, 2, 40, 10_000

    work = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    figures: dict[str, object] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                  "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    try:
        if "build" in parts:
            params = work / "params"
            pairs = synth(params, args.units, args.years, args.seed)
            n = len(pairs)
            naive_each = naive_loop(params, pairs[: args.naive], work / "naive")
            elapsed, memory = evalkit_build(params, work / "out", args.jobs)
            ours_each = elapsed / n
            figures.update(
                naive_seconds_per_report=round(naive_each, 3),
                naive_reports=args.naive,
                evalkit_reports=n,
                evalkit_jobs=args.jobs,
                evalkit_wall_seconds=round(elapsed, 2),
                evalkit_seconds_per_report=round(ours_each, 3),
                throughput_ratio=round(naive_each / ours_each, 2),
                peak_rss_per_worker_mib=round(memory.peak_worker, 1),
                peak_rss_total_mib=round(memory.peak_total, 1),
            )
            print(f"naive loop (papermill CLI + nbconvert CLI): {naive_each:.2f} s/report over {args.naive} reports")
            print(f"evalkit build --jobs {args.jobs}: {elapsed:.1f} s for {n} reports = {ours_each:.3f} s/report")
            print(f"throughput ratio: {naive_each / ours_each:.1f}x (target >= 20x)")
            print(f"peak RSS per worker (worker + kernel): {memory.peak_worker:.0f} MiB (target <= 250 MiB); "
                  f"whole build: {memory.peak_total:.0f} MiB")

        if "noop" in parts and args.noop:
            noop_params = work / "noop-params"
            noop_pairs = synth(noop_params, max(1, args.noop // args.years), args.years, args.seed + 1)
            build_seconds, _ = evalkit_build(noop_params, work / "noop-out", args.jobs)
            times = [evalkit_build(noop_params, work / "noop-out", args.jobs)[0] for _ in range(3)]
            built = len(list((work / "noop-out").glob("*/*.html")))
            figures.update(noop_unit_years=len(noop_pairs), noop_reports_built=built,
                           noop_first_build_seconds=round(build_seconds, 1),
                           noop_rebuild_seconds_min=round(min(times), 3),
                           noop_rebuild_seconds_all=[round(t, 3) for t in times])
            print(f"first build of {len(noop_pairs)} unit-years: {build_seconds:.0f} s ({built} reports) (target <= 250 s for 1,000)")
            print(f"no-op rebuild of {len(noop_pairs)} unit-years (whole CLI run): "
                  f"{min(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})")

        if "scoring" in parts:
            figures["scoring"] = bench_scoring.run(args.whatif, 200, 3)
        figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
