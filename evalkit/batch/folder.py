"""Audit a folder of published self-evaluations: import, score and audit each file, in parallel.

``evalkit audit-folder DIR --out OUT`` is for a finance bureau spot-checking its units, an auditor
or a researcher holding a few hundred published files. Every file is imported with the reader its
content calls for (:mod:`evalkit.inputs.readers`), scored under its rulebook and audited; the
result is

* ``OUT/results.csv`` and ``OUT/results.parquet``: one row per unit-year (or per file that could
  not be read): file, unit, year, printed and recomputed total and grade, counts of errors and
  warnings, extraction completeness and the extraction note;
* ``OUT/index.html``: the reports whose grade would change first, then those with errors, then
  the rest and the files that could not be read, each linking to its review page;
* ``OUT/reviews/<n>.html``: a review page per unit-year, the findings in plain Chinese with the
  recomputation, the indicator table as printed and as recomputed, and the extraction note;
* ``OUT/opinions/<key>/<year>/<unit>.review.html``: the unit-year's review opinion (复核意见), the
  same document ``evalkit build`` writes (:mod:`evalkit.report.document`), made from the imported
  params (kept beside it in ``OUT/opinions/<key>/params``).

Files are processed in a process pool (as the batch build does), and incrementally: the
manifest ``OUT/manifest.json`` keeps each file's content hash and its rows; a file whose bytes
and evalkit's code are unchanged is not read again.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import hashlib
import io
import json
import multiprocessing
import os
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit.errors import EvalkitError
from evalkit.inputs.yamlio import atomic_write_text

__all__ = ["FolderSummary", "audit_folder", "audit_file", "list_files", "neutralise"]

MANIFEST = "manifest.json"
_PACKAGE = Path(__file__).resolve().parent.parent
#: Columns of the results table, in order.
COLUMNS = (
    "file", "where", "status", "unit_id", "unit", "year", "kind", "reader",
    "printed_total", "printed_grade", "recomputed_total", "recomputed_grade", "grade_changes",
    "errors", "warnings", "infos", "complete", "unread", "note", "problem", "review", "opinion",
)
_FIGURES = ("printed_total", "recomputed_total")
_SKIP_NAMES = (".", "~$")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…) gets a leading ``'``."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def list_files(folder: Path, *, exclude: Path | None = None) -> list[Path]:
    """Every file under ``folder`` (sub-folders too), hidden and Office lock files left out, and
    nothing under ``exclude`` (the output folder, when it lies inside the input folder)."""
    skip = exclude.resolve() if exclude is not None else None
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(_SKIP_NAMES) for part in p.relative_to(folder).parts)
        and (skip is None or not p.resolve().is_relative_to(skip))
    )


def _code_hash() -> str:
    """evalkit's version and the code that reads, scores and audits (a change re-reads every file)."""
    digest = hashlib.sha256(__version__.encode())
    for sub in ("inputs", "core", "audit"):
        for path in sorted((_PACKAGE / sub).rglob("*")):
            if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _review(sheet, *, file: str, note: list[str], unread: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: ANN001
    """Score and audit one imported unit-year: its results row and the data of its review page."""
    from evalkit.audit import audit_evaluation, summarise
    from evalkit.core.models import UnitProfile, UnitYear
    from evalkit.core.rulebook import load_rulebook
    from evalkit.core.scoring import evaluate

    data = sheet.year_data
    printed = data.get("reported", {})
    row: dict[str, Any] = {
        "file": file, "where": sheet.where, "status": "已复核", "unit_id": sheet.unit_id,
        "unit": sheet.profile.get("name"), "year": data.get("year"), "kind": data.get("kind"),
        "printed_total": _text(printed.get("total")), "printed_grade": printed.get("grade"),
        "complete": not unread and not any(d.get("unknown") for d in data.get("indicators", [])) and not data.get("unknown"),
        "unread": "、".join(unread), "note": "；".join(note),
    }
    page: dict[str, Any] = {"findings": [], "indicators": [], "problem": None}
    try:
        evaluation = evaluate(UnitProfile.model_validate(sheet.profile), UnitYear.model_validate(data), load_rulebook(data["rulebook"]))
        findings = audit_evaluation(evaluation)
    except (EvalkitError, ArithmeticError, ValueError) as exc:
        row.update(status="无法评分", problem=str(exc).splitlines()[0], errors=0, warnings=0, infos=0)
        page["problem"] = row["problem"]
        return row, page
    counts = summarise(findings)
    graded = evaluation.graded
    row.update(
        recomputed_total=_text(evaluation.total.value) if evaluation.total.computable else None,
        recomputed_grade=evaluation.grade if graded else None,
        errors=counts.get("error", 0), warnings=counts.get("warning", 0), infos=counts.get("info", 0),
    )
    if not graded:  # something the total needs was not printed: a partial sum, not graded
        row.update(status="部分可算", problem=evaluation.total.missing or f"总分只能部分计算：{evaluation.total.partial}")
    row["grade_changes"] = graded and bool(printed.get("grade")) and printed.get("grade") != evaluation.grade
    page["findings"] = [f.as_dict() | {"label": f.severity_label} for f in findings]
    for scored in evaluation.indicators:
        reported = scored.indicator.reported
        page["indicators"].append({
            "name": scored.name,
            "target": f"{scored.indicator.op or ''} {scored.indicator.target if scored.indicator.target is not None else '未印出'}{scored.indicator.unit}",
            "actual": "未印出" if scored.indicator.actual is None else f"{scored.indicator.actual}{scored.indicator.unit}",
            "weight": _text(scored.indicator.weight),
            "printed_completion": _text(reported.completion) if reported else None,
            "completion": _text(scored.completion.value) if scored.completion is not None else None,
            "printed_score": _text(reported.score) if reported else None,
            "score": _text(scored.score.value) if scored.score is not None else None,
        })
    page["execution"] = {
        "printed_rate": _text(printed.get("execution_rate")), "rate": _text(evaluation.execution_rate.value),
        "printed_score": _text(printed.get("execution_score")), "score": _text(evaluation.execution_score.value),
    }
    return row, page


def _opinion(sheet, out: Path, display: str) -> str | None:  # noqa: ANN001
    """The unit-year's review opinion (复核意见, :mod:`evalkit.report.document`), written under
    ``out/opinions/<file key>/``; its path relative to ``out``, or ``None`` when it cannot be made."""
    try:
        from evalkit.report.document import write_documents
    except ImportError:  # an evalkit without the publication documents: the review page stands alone
        return None
    from evalkit.inputs.excel.importer import write_import

    folder = out / "opinions" / hashlib.sha256(display.encode("utf-8")).hexdigest()[:12]
    try:
        write_import(sheet, folder / "params", overwrite=True)
        written = write_documents(folder / "params", sheet.unit_id, sheet.year, folder, ("html",))
    except Exception:  # noqa: BLE001 - the review page still has every finding
        return None
    review = next((p for p in written if p.name.endswith(".review.html")), None)
    return review.relative_to(out).as_posix() if review else None


def audit_file(path: str, display: str, rulebook: str | None = None, out: str | None = None) -> list[dict[str, Any]]:
    """Import, score and audit one file: a results row (with its review data) per unit-year.

    With ``out``, each unit-year's review opinion document is written there too (``opinion``).
    Never raises for a bad file: a file that cannot be read is one row with status 无法读取.
    """
    from evalkit.inputs.readers.importing import import_file

    try:
        result = import_file(Path(path), display=display, rulebook=rulebook)
    except EvalkitError as exc:
        return [{"file": display, "status": "无法读取", "problem": str(exc).splitlines()[0], "complete": False}]
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a folder
        return [{"file": display, "status": "无法读取", "problem": f"内部错误 {type(exc).__name__}: {exc}（请报告此问题）", "complete": False}]
    rows = []
    for sheet in result.sheets:
        try:
            row, page = _review(sheet, file=display, note=result.note, unread=result.unread)
        except Exception as exc:  # noqa: BLE001 - one bad unit-year never stops a folder
            problem = f"内部错误 {type(exc).__name__}: {exc}（请报告此问题）"
            row, page = {"file": display, "where": sheet.where, "status": "无法评分", "problem": problem,
                         "complete": False}, {"findings": [], "indicators": [], "problem": problem}
        if out is not None and row.get("status") != "无法评分":
            row["opinion"] = _opinion(sheet, Path(out), display)
        rows.append(row | {"reader": result.reader, "_page": page})
    for exc in result.errors:
        rows.append({"file": display, "reader": result.reader, "status": "无法读取", "problem": str(exc).splitlines()[0],
                     "complete": False, "note": "；".join(result.note)})
    return rows


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class FolderSummary:
    rows: list[dict[str, Any]]
    read: int
    reused: int
    seconds: float

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.get("status") != "已复核")


def _run(todo: list[tuple[str, str]], jobs: int, rulebook: str | None, out: str | None) -> dict[str, list[dict[str, Any]]]:
    if jobs <= 1 or len(todo) <= 1:
        return {display: audit_file(path, display, rulebook, out) for path, display in todo}
    results: dict[str, list[dict[str, Any]]] = {}
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
        futures = {pool.submit(audit_file, path, display, rulebook, out): display for path, display in todo}
        for future in cf.as_completed(futures):
            display = futures[future]
            try:
                results[display] = future.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails its file only
                results[display] = [{"file": display, "status": "无法读取", "problem": f"处理进程失败：{type(exc).__name__}: {exc}", "complete": False}]
    return results


def audit_folder(
    folder: Path | str,
    out: Path | str,
    *,
    jobs: int | None = None,
    force: bool = False,
    rulebook: str | None = None,
    opinions: bool = True,
) -> FolderSummary:
    """Audit every file under ``folder`` into ``out`` (see the module text); returns the rows.

    ``opinions=False`` skips the review opinion documents (about half the time per file).
    """
    from evalkit.batch.folder_page import write_pages

    start = time.perf_counter()
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise EvalkitError(f"{folder}: 不是文件夹")
    manifest_path = out / MANIFEST
    code = _code_hash()
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() and not force else {}
    except (OSError, ValueError):
        manifest = {}
    if manifest.get("code") != code or manifest.get("rulebook") != rulebook or manifest.get("opinions", True) != opinions:
        manifest = {}
    known = manifest.get("files", {})
    files, todo, results = {}, [], {}
    for path in list_files(folder, exclude=out):
        display = path.relative_to(folder).as_posix()
        digest = _hash(path)
        files[display] = digest
        entry = known.get(display)
        if entry and entry.get("sha256") == digest:
            results[display] = entry["rows"]
        else:
            todo.append((str(path), display))
    results.update(_run(todo, jobs or os.cpu_count() or 1, rulebook, str(out) if opinions else None))
    rows = [dict.fromkeys(COLUMNS) | row for display in sorted(results) for row in results[display]]
    for number, row in enumerate(rows, start=1):
        row["review"] = f"reviews/{number}.html"
    write_pages(out, rows)
    write_table(out, rows)
    manifest = {"code": code, "rulebook": rulebook, "opinions": opinions, "files": {d: {"sha256": files[d], "rows": results[d]} for d in sorted(files)}}
    atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1, default=str))
    return FolderSummary(rows=rows, read=len(todo), reused=len(files) - len(todo), seconds=time.perf_counter() - start)


def write_table(out: Path, rows: list[dict[str, Any]]) -> None:
    """``results.csv`` (UTF-8 with BOM for Excel; formula-like text neutralised) and ``results.parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise("" if row.get(c) is None else row.get(c)) for c in COLUMNS])
    atomic_write_text(out / "results.csv", "\ufeff" + buffer.getvalue())
    types = {c: pa.string() for c in COLUMNS}
    types.update({c: pa.decimal128(28, 6) for c in _FIGURES})
    types.update({"year": pa.int32(), "errors": pa.int32(), "warnings": pa.int32(), "infos": pa.int32(),
                  "grade_changes": pa.bool_(), "complete": pa.bool_()})
    schema = pa.schema([(c, types[c]) for c in COLUMNS])

    def cell(name: str, value: Any) -> Any:
        if value is None or value == "":
            return None if name not in ("note", "unread") else value
        if name in _FIGURES:
            return Decimal(value).quantize(Decimal("0.000001"))
        return value if types[name] != pa.string() else str(value)

    table = pa.Table.from_pylist([{c: cell(c, r.get(c)) for c in COLUMNS} for r in rows], schema=schema)
    tmp = out / ".results.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, out / "results.parquet")
