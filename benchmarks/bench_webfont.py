"""Benchmark: CPU of a new page's web-font cut, fontTools' subsetter (before) against the direct writer (after).

Both cut the same character sets from the same once-per-machine base (``noto-sc-base-<key>.ttf``,
made first if missing) and give the same bytes (checked here, and in ``tests/test_webfont.py``).
The two are run alternately, round after round; the best round and the median are printed, as CPU
time (``time.process_time``) per cut. Also: what the first cut costs in a fresh process (imports,
reading and parsing the base), and the memory the parsed base keeps and a cut peaks at
(``tracemalloc``). Prints figures; asserts nothing. Run from the repository root:

    .venv/bin/python benchmarks/bench_webfont.py
    .venv/bin/python benchmarks/bench_webfont.py --html /tmp/out   # the pages of a build (their own texts)

The character sets: with ``--html``, the text of every ``*.html`` page under the folder (as
``font_face_css`` sees it, roughly: tags and data URIs removed); otherwise ``--sets`` made-up pages,
half of about 340 characters (a report) and half of about 220 (a review opinion): ASCII digits and
punctuation plus hanzi drawn at random from GB 2312.
"""

from __future__ import annotations

import argparse
import html
import io
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalkit.report import fontcut, webfont  # noqa: E402

_TAGS = re.compile(r"<[^>]+>")
_DATA = re.compile(r"data:[^\"')]+")


def page_sets(folder: Path | None, count: int, seed: int) -> list[str]:
    if folder is not None:
        texts = []
        for page in sorted(folder.rglob("*.html")):
            text = page.read_text(encoding="utf-8")
            text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
            texts.append(html.unescape(_TAGS.sub(" ", _DATA.sub("", text))))
    else:
        rng = random.Random(seed)
        hanzi = [c for c in webfont.base_characters() if ord(c) >= 0x4E00]
        common = list("0123456789.%，。、；：（）“”《》—-+ ")
        texts = ["".join(common) + "".join(rng.sample(hanzi, 320 if i % 2 else 200)) for i in range(count)]
    return ["".join(sorted(set(t) - set("\n\r\t"))) for t in texts]


def before(base: bytes, wanted: str) -> bytes:
    return webfont._subset(io.BytesIO(base), None, wanted, "woff", from_base=True)


def first_cut_in_a_fresh_process(direct: bool) -> float:
    """CPU seconds of the first cut in a new process (evalkit imported before the clock starts)."""
    cut = ("webfont.cut(webfont._parsed_base(), '预算执行率 99.43%')" if direct else
           "webfont._subset(io.BytesIO(webfont._base_font()[0]), None, '预算执行率 99.43%', 'woff', from_base=True)")
    code = ("import io, time; import evalkit.report.webfont as webfont; t = time.process_time(); "
            f"{cut}; print(time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="a build's output folder: cut its pages' character sets")
    parser.add_argument("--sets", type=int, default=40, help="made-up pages (without --html)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    base_bytes, available = webfont._base_font()  # made once per machine if missing (about 10 s)
    sets = [s for s in page_sets(args.html, args.sets, args.seed) if set(s) <= available]
    print(f"{len(sets)} character sets, {statistics.mean(map(len, sets)):.0f} characters on average; "
          f"fontTools {__import__('fontTools').version}")
    parsed = fontcut.Base(base_bytes)
    mismatched = sum(fontcut.cut(parsed, s) != before(base_bytes, s) for s in sets)  # also warms both up
    print(f"cuts differing from fontTools' bytes: {mismatched}")

    rounds: dict[str, list[float]] = {"fontTools subsetter (before)": [], "direct writer (after)": []}
    for _ in range(args.rounds):
        for name, run in (("fontTools subsetter (before)", lambda s: before(base_bytes, s)),
                          ("direct writer (after)", lambda s: fontcut.cut(parsed, s))):
            started = time.process_time()
            for wanted in sets:
                run(wanted)
            rounds[name].append((time.process_time() - started) / len(sets))
    for name, times in rounds.items():
        print(f"{name:30s} CPU per cut: best {1e3 * min(times):6.2f} ms, median {1e3 * statistics.median(times):6.2f} ms")

    for direct, name in ((False, "fontTools subsetter (before)"), (True, "direct writer (after)")):
        firsts = [first_cut_in_a_fresh_process(direct) for _ in range(3)]
        print(f"{name:30s} first cut in a fresh process: best {1e3 * min(firsts):6.1f} ms of CPU")

    tracemalloc.start()
    kept = fontcut.Base(base_bytes)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    for wanted in sets[:10]:
        fontcut.cut(kept, wanted)
    cut_peak = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.reset_peak()
    for wanted in sets[:10]:
        before(base_bytes, wanted)
    old_peak = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.stop()
    print(f"parsed base kept per process: {held / 1024:.0f} KiB (beside the base's {len(base_bytes) / 2**20:.1f} MiB "
          f"of bytes, kept before too); peak of a cut: {cut_peak / 1024:.0f} KiB after, {old_peak / 1024:.0f} KiB before")


if __name__ == "__main__":
    main()
