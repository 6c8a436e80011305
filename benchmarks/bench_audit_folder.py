"""Benchmark: `evalkit audit-folder` on a folder of generated published files with planted errors.

Builds ``--files`` published-style files from known truth (tests/published_builders.py: narrative
texts as .txt/.docx/PDF, the Excel forms as Word, HTML and PDF tables split across pages), every
``--every``-th with a planted error; runs ``evalkit audit-folder`` on them, then again (nothing
changed: the manifest skips every file). Prints the times and whether the summary lists every
planted error and nothing else. Asserts nothing. Run from the repository root:

    .venv/bin/python benchmarks/bench_audit_folder.py                  # 200 files, 2 processes
    .venv/bin/python benchmarks/bench_audit_folder.py --files 50 --jobs 1 --no-opinions
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-opinions", action="store_true", help="skip the review opinion documents")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests import published_builders as pb

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        start = time.perf_counter()
        planted = pb.published_folder(src, args.files, every=args.every)
        print(f"生成 {args.files} 个文件（植入错误 {len(planted)} 个）：{time.perf_counter() - start:.1f} 秒")
        evalkit = [sys.executable, "-m", "evalkit", "audit-folder", str(src), "--out", str(out), "--jobs", str(args.jobs), "--no-fail"]
        evalkit += ["--no-opinions"] if args.no_opinions else []
        for label in ("首次复核", "再次复核（无变化）"):
            start = time.perf_counter()
            subprocess.run(evalkit, check=True, stdout=subprocess.DEVNULL)
            print(f"{label}：{time.perf_counter() - start:.1f} 秒（{args.jobs} 个进程）")
        import pandas as pd

        table = pd.read_parquet(out / "results.parquet")
        flagged = set(table[(table.errors > 0) | table.grade_changes.fillna(False)].file)
        page = (out / "index.html").read_text(encoding="utf-8")
        listed = {name for name in planted if name in page.split("其余报告")[0]}
        print(f"汇总页列出植入错误 {len(listed)}/{len(planted)} 个；结果表中有错误的文件 {len(flagged)} 个，"
              f"其中非植入 {len(flagged - set(planted))} 个；无法读取 {int((table.status == '无法读取').sum())} 个")


if __name__ == "__main__":
    main()
