"""Benchmark: the two documents of the reference unit-year in each format, step by step.

Prints seconds and sizes; asserts nothing. Run from the repository root:

    .venv/bin/python benchmarks/bench_documents.py            # params/xinshi-rd/2023
    .venv/bin/python benchmarks/bench_documents.py demo-edu 2022
"""

from __future__ import annotations

import sys
import time

from evalkit.report.document import report_document, review_document
from evalkit.report.docx import docx_bytes
from evalkit.report.pdf import pdf_bytes
from evalkit.report.render import Report


def _timed(label: str, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    size = f"{len(result) / 1024:8.0f} KB" if isinstance(result, (bytes, str)) else ""
    print(f"{label:<34}{time.perf_counter() - started:7.2f} s {size}")
    return result


def main() -> None:
    unit, year = (sys.argv[1], int(sys.argv[2])) if len(sys.argv) > 2 else ("xinshi-rd", 2023)
    for kind, make in (("自评报告", report_document), ("复核意见", review_document)):
        report = _timed(f"{kind}：载入、评分、复核", Report.load, "params", unit, year)
        document = _timed(f"{kind}：HTML 正文（含图表）", make, report)
        page = _timed(f"{kind}：HTML 页面（含字体子集）", document.page)
        _timed(f"{kind}：PDF（WeasyPrint）", pdf_bytes, page, title=document.title)
        _timed(f"{kind}：Word（python-docx）", docx_bytes, document)


if __name__ == "__main__":
    main()
