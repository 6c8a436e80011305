"""Where a batch kernel's CPU goes, sampled: py-spy attached to the kernel of one build worker.

One worker (this process) builds ``--reports`` synthetic unit-years through ``build_one`` with its
reused kernel, after three warm-up reports, while ``py-spy record --nonblocking`` samples the
kernel process (Python frames; a C call counts in the Python function that made it). Samples whose innermost frame is a wait (``poll``, ``read``, ``epoll_wait``, sleeping) are
dropped; the rest are the kernel's CPU. Prints the share of those samples spent inside each of the
functions that matter (inclusive), and the largest leaves; asserts nothing. Unlike ``cProfile``
(``benchmarks/profile_report.py``), sampling does not inflate Python-heavy code, and it sees every
thread.

py-spy is not a dependency of evalkit; install it anywhere, for example::

    python3 -m venv /tmp/pyspy && /tmp/pyspy/bin/pip install py-spy
    .venv/bin/python benchmarks/sample_kernel.py --py-spy /tmp/pyspy/bin/py-spy [--reports 30]

Attaching to another process needs ptrace permission (root, or ``kernel.yama.ptrace_scope=0``).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent

#: Leaves that mean the thread was waiting, not running.
WAITS = ("read", "poll", "epoll_wait", "clock_nanosleep", "select", "futex", "pthread_cond_wait",
         "pthread_cond_timedwait", "sem_wait", "lseek64", "nanosleep", "recv", "accept")

#: Functions whose inclusive share is printed, in this order.
SHOWN = [
    "InteractiveShell.run_code", "Report._chart", "to_png", "Figure.draw", "_StackLayout.execute",
    "ValueTicks.update", "_fit_texts", "Text.draw", "_ChartRenderer.draw_text",
    "_ChartRenderer.get_text_width_height_descent", "Image.quantize", "Image.save", "_new_figure",
    "FigureBase.add_axes", "_collect_if_cheap", "Report.load", "Kernel.dispatch_shell",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy executable")
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--rate", type=int, default=250, help="samples a second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--native", action="store_true",
                        help="C frames too (py-spy then stops the kernel for every sample: it runs "
                        "several times slower, and the shares of short C calls grow)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evalkit-sample-"))
    params, out, raw = work / "params", work / "out", work / "kernel.txt"
    units = (args.reports + 3 + 1) // 2
    subprocess.run([str(BIN / "evalkit"), "synth", "--units", str(units), "--years", "2", "--seed", str(args.seed),
                    "--out", str(params)], check=True, capture_output=True)

    from evalkit.batch.jobs import NOTEBOOK, Job
    from evalkit.batch.worker import BuildOptions, _renderer, build_one

    options = BuildOptions(notebook=str(NOTEBOOK))
    renderer = _renderer(options)
    km, _ = renderer.session.ensure()
    jobs = [Job(unit.name, year, str(params), str(out)) for year in (2021, 2022) for unit in sorted(params.iterdir())
            if (unit / f"{year}.yaml").is_file()][: args.reports + 3]
    for job in jobs[:3]:
        build_one(job, options)
    mode = ["--native"] if args.native else ["--nonblocking"]
    spy = subprocess.Popen([args.py_spy, "record", "--pid", str(km.provisioner.process.pid), *mode,
                            "--rate", str(args.rate), "--format", "raw", "-o", str(raw)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # attached
    started = time.perf_counter()
    for job in jobs[3:]:
        assert build_one(job, options).status == "built"
    seconds = time.perf_counter() - started
    spy.send_signal(2)
    _, err = spy.communicate(timeout=60)
    renderer.close()
    if not raw.is_file():
        sys.exit(f"py-spy wrote nothing: {err.decode(errors='replace')[-500:]}")

    inclusive: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    running = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [frame.split(" (")[0] for frame in stack.split(";")]
        if frames[-1].split(".")[-1] in WAITS or frames[-1].startswith("0x"):  # 0x…: libc waits
            continue
        running += int(count)
        leaves[frames[-1]] += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
    print(f"{len(jobs) - 3} reports in {seconds:.1f} s; {running} running samples of the kernel "
          f"(about {running / args.rate / (len(jobs) - 3) * 1000:.0f} ms of CPU a report at {args.rate} Hz)")
    for name in SHOWN:
        print(f"{inclusive[name] / running * 100:5.1f} %  {name}")
    print("largest leaves:")
    for name, count in leaves.most_common(12):
        print(f"{count / running * 100:5.1f} %  {name[:100]}")


if __name__ == "__main__":
    main()
