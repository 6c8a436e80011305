"""Profile one report end to end: in the kernel (the notebook's own work) and in the worker.

Kernel: the report notebook's cells run in an in-process IPython shell with every display format a
kernel sends (HTML, PNG…), after one warm-up report, under ``cProfile``. Worker: ``build_one``
(score, audit, run the notebook in its reused kernel, convert to HTML, write) for one report after
two warm-up reports, under ``cProfile``; the kernel's own work shows there as waiting.

Prints the top functions by cumulative time; asserts nothing. Run from the repository root:

    .venv/bin/python benchmarks/profile_report.py [--unit xinshi-rd --year 2023] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"


def _stats(profile: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def kernel_profile(params: Path, unit: str, year: int, top: int) -> tuple[float, str, dict[str, float]]:
    """The notebook's cells in an in-process shell with a kernel's display formats."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    formatter = shell.display_formatter
    formatter.active_types = list(formatter.format_types)  # HTML, PNG… as a kernel sends them
    shell.displayhook.write_output_prompt = lambda: None
    shell.displayhook.write_format_data = lambda *a, **k: None
    cells = [c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells if c.cell_type == "code"]
    params_cell = f"unit_id = {unit!r}\nyear = {year}\nparams_dir = {str(params)!r}\nrulebook = ''"

    def run() -> dict[str, float]:
        timings = {}
        for source in [params_cell, *cells[1:]]:
            started = time.perf_counter()
            result = shell.run_cell(source, store_history=False, silent=False)
            result.raise_error()
            timings[source.splitlines()[-1][:40]] = time.perf_counter() - started
        return timings

    run()  # warm-up: imports, font registration
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    timings = run()
    profile.disable()
    return time.perf_counter() - started, _stats(profile, top), timings


def worker_profile(params: Path, unit: str, year: int, top: int) -> tuple[float, str]:
    """``build_one`` for one report in this process, after two warm-up reports."""
    from evalkit.batch.jobs import Job
    from evalkit.batch.run import BuildOptions, build_one

    out = Path(tempfile.mkdtemp(prefix="evalkit-profile-"))
    options = BuildOptions(notebook=str(NOTEBOOK))
    job = Job(unit, year, str(params), str(out))
    for _ in range(2):
        build_one(job, options)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    result = build_one(job, options)
    profile.disable()
    assert result.status == "built", result.error
    return time.perf_counter() - started, _stats(profile, top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default=str(ROOT / "params"))
    parser.add_argument("--unit", default="xinshi-rd")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    params = Path(args.params).resolve()
    seconds, text, cells = kernel_profile(params, args.unit, args.year, args.top)
    print(f"== in the kernel: {seconds:.2f} s for the notebook's cells (profiled; warm kernel)")
    for cell, t in cells.items():
        print(f"   {t:6.3f} s  {cell}")
    print(text)
    seconds, text = worker_profile(params, args.unit, args.year, args.top)
    print(f"== in the worker: {seconds:.2f} s for build_one (profiled; warm kernel and exporter)")
    print(text)


if __name__ == "__main__":
    main()
