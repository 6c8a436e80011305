"""Benchmark: `evalkit build` against the naive loop people write by hand, on the same machine.

The naive loop, per report and serially: the ``papermill`` CLI, then
``jupyter nbconvert --to html --no-input``. evalkit: ``evalkit build --jobs N`` over the same
notebook and a synthetic set. Also: peak memory per worker (worker process + its kernel) and the
time of a no-op rebuild (nothing changed) of ``--noop`` unit-years. Each side starts with compiled
bytecode and an empty page-font cache (only the once-per-machine base cut), see ``prepare``.

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


#: The environment every measured command runs in (see :func:`cold_font_cache`).
ENV = dict(os.environ)
#: The folder holding the once-per-machine base cut, made by :func:`prepare`.
_BASE_CACHE: Path | None = None


def run(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, **kwargs)
    return time.perf_counter() - started


def prepare(work: Path) -> None:
    """Make both sides start alike: bytecode compiled, and no page font cut from an earlier run.

    The web font of each page is cut once per character set and cached on disk; a run after an
    earlier one with the same synthetic seed would find every cut made. Each measured part gets
    an empty cache holding only the base cut (made once per machine, about 10 s), so a first
    build pays for its pages' fonts, as a first build on a working machine does. Bytecode is
    compiled once (``PYTHONDONTWRITEBYTECODE`` machines would otherwise compile evalkit in every
    process the naive loop starts).
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(ROOT / "evalkit")], check=True,
                   stdout=subprocess.DEVNULL)
    base = work / "font-base"
    base.mkdir()
    env = {**os.environ, "EVALKIT_CACHE_DIR": str(base)}
    subprocess.run([sys.executable, "-c", "from evalkit.report.webfont import font_face_css; font_face_css('评')"],
                   check=True, env=env)
    global _BASE_CACHE
    _BASE_CACHE = base


def cold_font_cache(work: Path, name: str) -> None:
    """Point the measured commands at a new page cache that holds only the base cut (not the
    page cut :func:`prepare` made on the way)."""
    assert _BASE_CACHE is not None, "prepare() first"
    cache = work / f"font-cache-{name}"
    cache.mkdir()
    for base in _BASE_CACHE.glob("noto-sc-base-*"):
        shutil.copy2(base, cache / base.name)
    ENV["EVALKIT_CACHE_DIR"] = str(cache)


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


def _mib(n: float) -> float:
    return n / 2**20


def _hwm(proc: psutil.Process) -> int:
    """The process's peak RSS so far (``VmHWM``, bytes; 0 where /proc has none): no sample can miss it."""
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakMemory(threading.Thread):
    """Samples the build's process tree every 0.2 s; peaks in MiB.

    A worker is a pool process with its kernel (the kernel is the worker's child); with
    ``--jobs 1`` (``inline``) the build process itself is the worker. Processes are told apart by
    their command line, so a child between ``fork`` and ``exec`` (a copy of its parent for a few
    milliseconds) counts only in the whole build. The build process is not a worker when there are
    pool workers: after them it writes the records table and the index (pandas, pyarrow). For each worker the sum over its
    processes is taken at each sample, in three measures (psutil ``memory_full_info``, from
    ``/proc/<pid>/smaps_rollup``):

    * **RSS**: resident pages, shared ones (the same libraries mapped by the worker, its kernel
      and the other workers) counted in full in every process: the sum over-counts;
    * **PSS**: each shared page divided among the processes that map it: sums to the machine's
      real use, so the per-worker PSS is what one more worker costs;
    * **USS**: pages only this process maps (freed if it exits).

    Sampling can miss a peak between two samples; ``VmHWM`` (each process's own peak RSS, kept by
    Linux) cannot, so the sum of the worker's and its kernel's ``VmHWM`` is also given (an upper
    bound of the RSS peak: the two processes need not peak at the same moment).
    """

    def __init__(self, pid: int, *, inline: bool = False) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.inline = inline
        self.peak_worker = 0.0  # RSS, worker + kernel (the figure earlier runs printed)
        self.peak_worker_pss = 0.0
        self.peak_worker_uss = 0.0
        self.peak_total = 0.0  # RSS, whole build
        self.peak_total_pss = 0.0
        # Alone: the worker process and the kernel process, RSS and PSS.
        self.peak_worker_process = self.peak_worker_process_pss = 0.0
        self.peak_kernel = self.peak_kernel_pss = 0.0
        self.hwm: dict[int, tuple[str, int, int]] = {}  # pid -> (role, worker pid, VmHWM bytes)
        self.samples = 0
        self.stop = threading.Event()

    def _sample(self) -> None:
        everything = [self.root, *self.root.children(recursive=True)]
        info = {proc.pid: proc.memory_full_info() for proc in everything}
        # --jobs 1: the build process is the worker, its children the kernels
        workers = [self.root] if self.inline else [c for c in self.root.children() if _role(c) == "worker"]
        for worker in workers:
            tree = [worker, *(c for c in worker.children(recursive=True) if _role(c) == "kernel")]
            for proc in tree:
                role = "worker" if proc is worker else "kernel"
                self.hwm[proc.pid] = (role, worker.pid, max(self.hwm.get(proc.pid, ("", 0, 0))[2], _hwm(proc)))
                mine = info.get(proc.pid) or proc.memory_full_info()
                if role == "worker":
                    self.peak_worker_process = max(self.peak_worker_process, _mib(mine.rss))
                    self.peak_worker_process_pss = max(self.peak_worker_process_pss, _mib(mine.pss))
                else:
                    self.peak_kernel = max(self.peak_kernel, _mib(mine.rss))
                    self.peak_kernel_pss = max(self.peak_kernel_pss, _mib(mine.pss))
            rows = [info.get(proc.pid) or proc.memory_full_info() for proc in tree]
            self.peak_worker = max(self.peak_worker, _mib(sum(r.rss for r in rows)))
            self.peak_worker_pss = max(self.peak_worker_pss, _mib(sum(r.pss for r in rows)))
            self.peak_worker_uss = max(self.peak_worker_uss, _mib(sum(r.uss for r in rows)))
        self.peak_total = max(self.peak_total, _mib(sum(r.rss for r in info.values())))
        self.peak_total_pss = max(self.peak_total_pss, _mib(sum(r.pss for r in info.values())))
        self.samples += 1

    @property
    def peak_worker_hwm(self) -> float:
        """The largest (worker VmHWM + its largest kernel VmHWM), MiB."""
        best = 0
        for pid, (role, _, hwm) in self.hwm.items():
            if role == "worker":
                kernels = [h for r, w, h in self.hwm.values() if r == "kernel" and w == pid]
                best = max(best, hwm + max(kernels, default=0))
        return _mib(best)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._sample()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                pass  # a process ended while it was read: the next sample has the rest
            self.stop.wait(0.2)

    def figures(self) -> dict[str, float]:
        return {
            "peak_rss_per_worker_mib": round(self.peak_worker, 1),
            "peak_pss_per_worker_mib": round(self.peak_worker_pss, 1),
            "peak_uss_per_worker_mib": round(self.peak_worker_uss, 1),
            "peak_hwm_per_worker_mib": round(self.peak_worker_hwm, 1),
            "peak_rss_worker_process_mib": round(self.peak_worker_process, 1),
            "peak_pss_worker_process_mib": round(self.peak_worker_process_pss, 1),
            "peak_rss_kernel_mib": round(self.peak_kernel, 1),
            "peak_pss_kernel_mib": round(self.peak_kernel_pss, 1),
            "peak_rss_total_mib": round(self.peak_total, 1),
            "peak_pss_total_mib": round(self.peak_total_pss, 1),
            "memory_samples": self.samples,
        }

    def lines(self) -> list[str]:
        return [
            f"peak memory per worker (worker + kernel, sampled every 0.2 s): PSS {self.peak_worker_pss:.0f} MiB "
            f"(target <= 250 MiB, judged on PSS), RSS {self.peak_worker:.0f} MiB, USS {self.peak_worker_uss:.0f} MiB; "
            f"whole build: PSS {self.peak_total_pss:.0f} MiB, RSS {self.peak_total:.0f} MiB",
            f"  worker process alone: RSS {self.peak_worker_process:.0f} MiB, PSS {self.peak_worker_process_pss:.0f} MiB; "
            f"kernel alone: RSS {self.peak_kernel:.0f} MiB, PSS {self.peak_kernel_pss:.0f} MiB; "
            f"worker + kernel peak RSS as Linux kept it (VmHWM, summed): {self.peak_worker_hwm:.0f} MiB",
        ]


def _role(proc: psutil.Process) -> str:
    """``kernel``, ``worker`` (a spawned pool process) or ``other`` (multiprocessing's resource
    tracker, a process between ``fork`` and ``exec``)."""
    cmdline = " ".join(proc.cmdline())
    if "ipykernel" in cmdline:
        return "kernel"
    if "multiprocessing.spawn" in cmdline:
        return "worker"
    return "other"


def evalkit_build(params: Path, out: Path, jobs: int, extra: list[str] = ()) -> tuple[float, PeakMemory]:
    cmd = [str(BIN / "evalkit"), "build", "--params", str(params), "--out", str(out), "--jobs", str(jobs), "-q", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    monitor = PeakMemory(proc.pid, inline=jobs <= 1)
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
        prepare(work)
        if "build" in parts:
            params = work / "params"
            pairs = synth(params, args.units, args.years, args.seed)
            n = len(pairs)
            cold_font_cache(work, "naive")
            naive_each = naive_loop(params, pairs[: args.naive], work / "naive")
            cold_font_cache(work, "build")
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
                **memory.figures(),
            )
            print(f"naive loop (papermill CLI + nbconvert CLI): {naive_each:.2f} s/report over {args.naive} reports")
            print(f"evalkit build --jobs {args.jobs}: {elapsed:.1f} s for {n} reports = {ours_each:.3f} s/report")
            print(f"throughput ratio: {naive_each / ours_each:.1f}x (target >= 20x)")
            print("\n".join(memory.lines()))

        if "noop" in parts and args.noop:
            noop_params = work / "noop-params"
            noop_pairs = synth(noop_params, max(1, args.noop // args.years), args.years, args.seed + 1)
            cold_font_cache(work, "noop")
            build_seconds, _ = evalkit_build(noop_params, work / "noop-out", args.jobs)
            times = [evalkit_build(noop_params, work / "noop-out", args.jobs)[0] for _ in range(3)]
            built = len([p for p in (work / "noop-out").glob("*/*.html") if not p.name.endswith(".review.html")])
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
