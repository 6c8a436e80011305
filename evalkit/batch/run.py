"""A whole build: plan by content hash, run in parallel (processes or Dask), publish the site.

The rooms follow the flow (see ``docs/scale-out.md``):

* :mod:`evalkit.batch.plan` (parent, cheap): keys and discovery → jobs; never raises for one
  unit-year's problem;
* :mod:`evalkit.batch.executors`: a local process pool, or Dask;
* :mod:`evalkit.batch.worker`: per-worker renderer state and :func:`~evalkit.batch.worker.build_one`;
* :func:`publish_site` (parent): ``outputs/index.html``, ``outputs/results.parquet`` / ``.csv``
  and ``outputs/manifest.json`` from the sidecars.

An interrupted build (Ctrl-C, kill -9) leaves finished reports and their records in place and no
half-written file; the next run builds what is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit.batch.executors import run_dask, run_local
from evalkit.batch.jobs import JobResult
from evalkit.batch.plan import code_fingerprint, plan
from evalkit.batch.worker import BuildOptions, build_batch, build_one
from evalkit.errors import InputError, one_line
from evalkit.inputs.params import Problem, UnitYearRef
from evalkit.inputs.yamlio import atomic_write_text, ensure_output_dir

__all__ = [
    "BuildOptions",
    "BuildSummary",
    "code_fingerprint",
    "plan",
    "build_one",
    "build_batch",
    "publish_site",
    "run_build",
]


@dataclass
class BuildSummary:
    """What a build did. ``interrupted`` lists the unit-years in flight when Ctrl-C came."""

    built: list[JobResult]
    skipped: list[JobResult]
    failed: list[JobResult]
    seconds: float
    interrupted: list[JobResult] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    stopped: bool = False  # Ctrl-C
    publish_error: str | None = None  # index and results table could not be written

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stopped and not self.publish_error

    @property
    def disk_full(self) -> bool:
        return any(r.disk_full for r in self.failed)


def publish_site(out_dir: Path, refs: Iterable[UnitYearRef], *, shared_css: bool = False) -> dict[str, Any]:
    """Write index.html, results.parquet/.csv and manifest.json from the sidecar records."""
    from evalkit.publish.records import read_records, write_results
    from evalkit.publish.site import write_index
    from evalkit.report.render import stylesheet

    wanted = {(r.unit_id, r.year) for r in refs}
    records = [r for r in read_records(out_dir) if (r.get("unit_id"), r.get("year")) in wanted]
    combined = hashlib.sha256(
        json.dumps(sorted((r["unit_id"], r["year"], r.get("key"), r.get("status")) for r in records)).encode()
    ).hexdigest()
    manifest_path = out_dir / "manifest.json"
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    outputs = [out_dir / "index.html", out_dir / "results.parquet", out_dir / "results.csv"]
    if previous.get("combined") == combined and all(p.is_file() for p in outputs):
        return previous
    if shared_css:
        atomic_write_text(out_dir / "assets" / "report.css", stylesheet())
    write_results(out_dir, records)
    write_index(out_dir, records)
    manifest = {
        "evalkit": __version__,
        "combined": combined,
        "unit_years": {f"{r['year']}/{r['unit_id']}": {"key": r.get("key"), "status": r.get("status")} for r in records},
    }
    atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files an interrupted build left behind (their targets were never replaced)."""
    for pattern in (".*.tmp", "*/.*.tmp", "assets/.*.tmp"):
        for path in out_dir.glob(pattern):
            path.unlink(missing_ok=True)


class _Progress:
    """A tqdm bar on a terminal, plain log lines otherwise, nothing with --quiet."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.done, self.quiet = total, 0, quiet
        self.bar = None
        if not quiet and total and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="份", desc="生成报告", dynamic_ncols=True)

    def update(self, result: JobResult) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            if result.status == "failed":
                self.bar.write(one_line(f"失败：{result.unit_id} {result.year}：{result.error}"))
        elif not self.quiet:
            status = {"built": "完成", "failed": "失败", "interrupted": "中断"}.get(result.status, result.status)
            extra = f"：{result.error}" if result.error else f"（{result.seconds:.1f} 秒）"
            print(one_line(f"[{self.done}/{self.total}] {status} {result.unit_id} {result.year}{extra}"), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _import_for_publishing() -> None:
    """Import what :func:`publish_site` needs (pandas and pyarrow for the results table: about
    0.25 s) in a thread while the workers build, not after the last report. Only when the
    kernels run in other processes: an inline build starts its kernel from this process, and a
    fork while another thread imports is not safe."""

    def imports() -> None:
        try:
            import pandas  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except Exception:  # noqa: BLE001 - publish_site imports them again and says what failed
            pass

    threading.Thread(target=imports, name="evalkit-publish-imports", daemon=True).start()


def run_build(
    params_dir: Path,
    out_dir: Path,
    *,
    unit: str | None = None,
    year: int | None = None,
    rulebook: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    batch_size: int = 50,
    timeout: float = 600.0,
    fresh_kernel: bool = False,
    shared_css: bool = False,
    quiet: bool = False,
    notebook: Path | None = None,
    dask_client: Any = None,
    formats: tuple[str, ...] = ("html",),
) -> BuildSummary:
    """Plan, run and publish a build; returns what was built, skipped and failed."""
    from evalkit.batch.jobs import NOTEBOOK

    started = time.perf_counter()
    if jobs is not None and (isinstance(jobs, bool) or int(jobs) < 1):
        raise InputError(f"并行进程数应为正整数，实际为 {jobs}", field="--jobs")
    if batch_size < 1:
        raise InputError(f"每批单位年度数应为正整数，实际为 {batch_size}", field="--batch-size")
    if not timeout > 0:
        raise InputError(f"超时秒数应大于 0，实际为 {timeout}", field="--timeout")
    notebook = Path(notebook or NOTEBOOK).resolve()
    if not notebook.is_file():
        raise InputError("找不到报告模板笔记本", file=str(notebook))
    out_dir = ensure_output_dir(out_dir)  # a file, read-only or unwritable: one line, before any work
    _remove_stale_temporaries(out_dir)
    todo = plan(params_dir, out_dir, unit=unit, year=year, rulebook=rulebook, force=force, notebook=notebook,
                formats=tuple(formats))
    options = BuildOptions(notebook=str(notebook), timeout=timeout, fresh_kernel=fresh_kernel,
                           css_href="../assets/report.css" if shared_css else None, formats=tuple(formats))
    summary = BuildSummary([], todo.skipped, list(todo.failed), 0.0, warnings=todo.warnings)
    progress = _Progress(len(todo.jobs), quiet)

    def report(result: JobResult) -> None:
        if result.status == "built":
            summary.built.append(result)
        elif result.status == "interrupted":
            summary.interrupted.append(result)
        else:
            summary.failed.append(result)
        progress.update(result)

    workers = jobs or os.cpu_count() or 1
    if todo.jobs and (executor == "dask" or workers > 1):
        _import_for_publishing()
    try:
        if todo.jobs:
            if executor == "dask":
                run_dask(todo.jobs, options, scheduler, batch_size, report, client=dask_client)
            else:
                run_local(todo.jobs, options, workers, report)
    except KeyboardInterrupt:
        summary.stopped = True
    finally:
        progress.close()
    try:
        publish_site(out_dir, todo.everything, shared_css=shared_css)
    except OSError as exc:  # a full disk: the summary still reaches the user
        summary.publish_error = f"无法写入索引与结果表（{exc.strerror or exc}）：{out_dir}"
    summary.seconds = time.perf_counter() - started
    return summary
