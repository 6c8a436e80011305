"""CPU of each chart of a report: making the figure and drawing it to PNG (``to_png``).

``time.process_time()`` around the chart function and around ``to_png``, best of ``--rounds`` warm
rounds in one process after a first round (which also writes the PNGs to ``--out`` for comparing
pictures). Units: the reference unit (``params/xinshi-rd`` 2023), the demo unit with its history
(``params/demo-edu`` 2021–2024) and, when given, synthetic units (``--synth``, a folder written by
``evalkit synth``; their last year, with the earlier years as history). Prints per chart and per
report; asserts nothing. Run from the repository root:

    .venv/bin/evalkit synth --units 3 --years 3 --out /tmp/c3/p --seed 7
    .venv/bin/python benchmarks/bench_charts.py --synth /tmp/c3/p --rounds 5 --out /tmp/charts-new

``--formats`` compares the report's PNG with SVG (size and CPU per chart; see docs/performance.md).

For an A/B comparison, run it alternately against an export of the other commit placed first on the
path (``git archive <commit> evalkit | tar -x -C /tmp/base``, then ``PYTHONPATH=/tmp/base``).
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

NAMES = ["budget_bridge", "spending_composition", "projects_budget_actual", "indicator_completion",
         "indicator_scores", "trends"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synth", type=Path, help="a folder written by `evalkit synth`")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write each chart's PNG here (first round)")
    parser.add_argument("--distinct", action="store_true",
                        help="as a batch kernel sees them: each unit's charts drawn once, after the "
                        "first --warm units; prints the mean per chart and per report")
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--formats", action="store_true",
                        help="each chart as the report's PNG and as SVG (text as glyph outlines, and as "
                        "<text>): size in the page and CPU per chart, means over the units' last years")
    args = parser.parse_args()
    if args.distinct:
        return distinct(args)
    if args.formats:
        return formats(args)

    import evalkit
    from evalkit import evaluate_path
    from evalkit.report import charts

    units = {"xinshi-rd": [Path("params/xinshi-rd/2023.yaml")],
             "demo-edu": sorted(Path("params/demo-edu").glob("20*.yaml"))}
    if args.synth is not None:
        for folder in sorted(p for p in args.synth.iterdir() if p.is_dir()):
            units[folder.name] = sorted(folder.glob("20*.yaml"))
    histories = {name: [evaluate_path(path) for path in paths] for name, paths in units.items()}
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for round_ in range(args.rounds + 1):
        for unit, history in histories.items():
            for name in NAMES:
                if name == "trends" and len(history) < 2:
                    continue
                gc.collect()
                started = time.process_time()
                fig = getattr(charts, name)(history if name == "trends" else history[-1])
                made = time.process_time()
                if fig is None:
                    continue
                png = charts.to_png(fig)
                drawn = time.process_time()
                del fig
                if round_ == 0:
                    if args.out is not None:
                        (args.out / f"{unit}-{name}.png").write_bytes(png)
                    continue
                make, draw = best.get((unit, name), (float("inf"), float("inf")))
                best[(unit, name)] = (min(make, made - started), min(draw, drawn - made))
    print(f"evalkit from {Path(evalkit.__file__).parent}; best of {args.rounds} rounds, ms of CPU")
    print(f"{'unit':12} {'chart':24} {'make':>6} {'draw+png':>9} {'total':>7}")
    reports: dict[str, float] = {}
    for (unit, name), (make, draw) in best.items():
        print(f"{unit:12} {name:24} {make * 1e3:6.1f} {draw * 1e3:9.1f} {(make + draw) * 1e3:7.1f}")
        reports[unit] = reports.get(unit, 0.0) + make + draw
    for unit, total in reports.items():
        print(f"{unit:12} {'report (all charts)':24} {'':6} {'':9} {total * 1e3:7.1f}")


def distinct(args: argparse.Namespace) -> None:
    """Every unit's charts once: the per-process caches (text metrics, layouts, glyphs) hold what
    earlier reports left, as in a batch kernel, not this report's own texts from a previous round."""
    import evalkit
    from evalkit import evaluate_path
    from evalkit.report import charts

    folders = sorted(p for p in args.synth.iterdir() if p.is_dir())
    totals: dict[str, list[float]] = {}
    reports = []
    making = []  # per report: the chart functions only (making the figures), without to_png
    for i, folder in enumerate(folders):
        history = [evaluate_path(path) for path in sorted(folder.glob("20*.yaml"))]
        report = made = 0.0
        for name in NAMES:
            gc.collect()
            started = time.process_time()
            fig = getattr(charts, name)(history if name == "trends" else history[-1])
            made += time.process_time() - started
            if fig is None:
                continue
            charts.to_png(fig)
            spent = time.process_time() - started
            del fig
            report += spent
            if i >= args.warm:
                totals.setdefault(name, []).append(spent)
        if i >= args.warm:
            reports.append(report)
            making.append(made)
    print(f"evalkit from {Path(evalkit.__file__).parent}; {len(reports)} distinct reports after {args.warm}")
    for name, spent in totals.items():
        print(f"{name:24} mean {sum(spent) / len(spent) * 1e3:6.1f} ms ({len(spent)} charts)")
    print(f"{'report (all charts)':24} mean {sum(reports) / len(reports) * 1e3:6.1f} ms, "
          f"median {sorted(reports)[len(reports) // 2] * 1e3:6.1f} ms; making the figures "
          f"mean {sum(making) / len(making) * 1e3:6.1f} ms")


def formats(args: argparse.Namespace) -> None:
    """PNG (the report's: 256 colours, base64 in the page) against matplotlib's SVG, with the text
    as glyph outlines (``svg.fonttype: path``, drawn as the PNG is) or as ``<text>`` elements in
    the chart font (``none``: sharp and small, but drawn by whatever font the reader's browser
    finds under that name). Sizes as the page would carry them, and gzip-compressed as a web
    server would send them; CPU with ``time.process_time``, one warm round."""
    import base64
    import gzip
    import io

    import matplotlib

    from evalkit import evaluate_path
    from evalkit.report import charts
    from evalkit.report.charts.text import plain_figure, plain_text

    units = [sorted(Path("params/demo-edu").glob("20*.yaml")), [Path("params/xinshi-rd/2023.yaml")]]
    if args.synth is not None:
        units += [sorted(p.glob("20*.yaml")) for p in sorted(args.synth.iterdir()) if p.is_dir()]
    size: dict[str, int] = {}
    cpu: dict[str, float] = {}
    count = 0
    for round_ in range(2):
        for paths in units:
            history = [evaluate_path(path) for path in paths]
            for name in NAMES:
                if name == "trends" and len(history) < 2:
                    continue
                fig = getattr(charts, name)(history if name == "trends" else history[-1])
                if fig is None:
                    continue
                count += round_
                started = time.process_time()
                page = base64.b64encode(charts.to_png(fig))
                outputs = {"png": (time.process_time() - started, page)}
                plain_figure(fig)
                for fonttype in ("path", "none"):
                    buffer = io.BytesIO()
                    started = time.process_time()
                    with matplotlib.rc_context({"svg.fonttype": fonttype, "svg.hashsalt": "evalkit"}), plain_text():
                        fig.savefig(buffer, format="svg", metadata={"Date": None})
                    outputs[f"svg ({fonttype})"] = (time.process_time() - started, buffer.getvalue())
                for kind, (spent, data) in outputs.items():
                    if round_:
                        size[kind] = size.get(kind, 0) + len(data)
                        size[f"{kind} gzip"] = size.get(f"{kind} gzip", 0) + len(gzip.compress(data))
                        cpu[kind] = cpu.get(kind, 0.0) + spent
                del fig
                gc.collect()
    print(f"{count} charts, mean per chart (PNG as base64 in the page)")
    for kind in cpu:
        print(f"{kind:11} {size[kind] / count / 1024:6.1f} KiB ({size[f'{kind} gzip'] / count / 1024:5.1f} KiB "
              f"gzipped), {cpu[kind] / count * 1e3:5.1f} ms of CPU")


if __name__ == "__main__":
    main()
