"""Time `import_workbook` on the messy corpus (.xlsx and .xls) and on a crafted workbook with
one over-long cell. Prints; asserts nothing.

    .venv/bin/python benchmarks/bench_excel_import.py
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evalkit.inputs.excel.importer import import_workbook  # noqa: E402
from evalkit.inputs.excel.reader import MAX_CELL_CHARS  # noqa: E402
from tests.messy.builders import Spec, build  # noqa: E402
from tests.messy.sheet import with_long_cell, write_xls, write_xlsx  # noqa: E402
from tests.messy.test_messy_corpus import CASES  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for suffix, writer in (("xlsx", write_xlsx), ("xls", write_xls)):
            paths = [writer([build(spec)], root / f"{case}.{suffix}") for case, (spec, _) in CASES.items()]
            start = time.perf_counter()
            imported = failed = 0
            for path in paths:
                result = import_workbook(path)
                imported += len(result.sheets)
                failed += result.failed
            took = time.perf_counter() - start
            print(f"{suffix}: {len(paths)} workbooks in {took:.2f} s ({took / len(paths) * 1000:.0f} ms each); "
                  f"{imported} imported, {failed} refused")
        sheet = build(Spec())
        sheet.cells[(3, 2)] = "HUGE-CELL"
        made = write_xlsx([sheet], root / "made.xlsx")
        huge = with_long_cell(made, root / "huge.xlsx", "HUGE-CELL", "项目" * (MAX_CELL_CHARS * 50))
        start = time.perf_counter()
        try:
            import_workbook(huge)
        except Exception as exc:  # noqa: BLE001 - printed
            message = str(exc)
        else:
            message = "imported"
        took = time.perf_counter() - start
        size = huge.stat().st_size // 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"huge cell ({size} KB file): {took:.2f} s, peak RSS {peak} MB: {message[:90]}")


if __name__ == "__main__":
    main()
