"""Batch builds: plan by content hash, run in parallel (processes or Dask), publish the site.

The shape follows the notes in ``docs/scale-out.md``:

* **plan** (parent, cheap): every unit-year gets a key, the SHA-256 of everything its report
  depends on: its unit profile, its year file and the unit's earlier year files (the trend
  charts), a custom rulebook file, the report notebook and evalkit's own code and rulebooks.
  A unit-year whose sidecar record (``outputs/<year>/<unit>.json``) carries the same key and a
  built report is skipped without parsing any YAML.
* **run** (workers): :func:`build_batch` scores and audits the unit-year, runs the notebook in a
  kernel the worker keeps alive (:class:`~evalkit.batch.jobs.Renderer`), writes the HTML, the executed
  notebook and the sidecar record, each through a temporary file renamed into place. A failure
  is recorded for that unit-year only.
* **publish** (parent): ``outputs/index.html``, ``outputs/results.parquet`` / ``.csv`` and
  ``outputs/manifest.json`` from the sidecars.

An interrupted build (Ctrl-C, kill -9) leaves finished reports and their records in place and no
half-written file; the next run builds what is missing.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evalkit import __version__
from evalkit.batch.jobs import Job, JobResult, Renderer, first_line, output_paths
from evalkit.errors import InputError
from evalkit.inputs.params import UnitYearRef, discover, load_unit_year
from evalkit.inputs.yamlio import atomic_write_text

__all__ = [
    "BuildOptions",
    "BuildSummary",
    "code_fingerprint",
    "plan",
    "build_one",
    "build_batch",
    "run_build",
]

_PACKAGE = Path(__file__).resolve().parent.parent  # the evalkit package
_RULEBOOK_LINE = re.compile(r"^(?:rulebook|extends):\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class BuildOptions:
    """How reports are built; picklable so it travels to workers."""

    notebook: str
    timeout: float = 600.0
    fresh_kernel: bool = False
    css_href: str | None = None


@dataclass
class BuildSummary:
    built: list[JobResult]
    skipped: list[JobResult]
    failed: list[JobResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.failed


# --------------------------------------------------------------------------- plan


def code_fingerprint(notebook: Path) -> str:
    """Hash of evalkit's version, its code, templates and rulebooks, and the report notebook."""
    digest = hashlib.sha256(__version__.encode())
    files = sorted(
        p for p in _PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".j2", ".json", ".css")
        and "__pycache__" not in p.parts
    )
    for path in [*files, notebook]:
        digest.update(str(path.relative_to(path.parent.parent) if path == notebook else path.relative_to(_PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _custom_rulebook_files(text: str, base: Path, seen: set[Path] | None = None) -> list[Path]:
    """Rulebook files a year file (or rulebook) names by path, following ``extends``."""
    seen = seen if seen is not None else set()
    out = []
    for value in _RULEBOOK_LINE.findall(text):
        value = value.strip()
        if not ("/" in value or value.endswith((".yaml", ".yml"))):
            continue  # a shipped rulebook: covered by the code fingerprint
        path = (base / value).resolve()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        out.append(path)
        out += _custom_rulebook_files(path.read_text(encoding="utf-8", errors="replace"), path.parent, seen)
    return out


def _unit_year_key(code: str, ref: UnitYearRef, earlier: Sequence[UnitYearRef], rulebook: str | None) -> str:
    digest = hashlib.sha256(code.encode())
    digest.update(f"rulebook-override:{rulebook or ''}".encode())
    profile = ref.profile_path
    digest.update(profile.read_bytes() if profile.is_file() else b"<no profile>")
    for other in [*earlier, ref]:
        data = other.path.read_bytes()
        digest.update(other.path.name.encode())
        digest.update(data)
    text = ref.path.read_text(encoding="utf-8", errors="replace")
    for path in _custom_rulebook_files(text, ref.path.parent):
        digest.update(path.read_bytes())
    if rulebook and ("/" in rulebook or rulebook.endswith((".yaml", ".yml"))):
        path = Path(rulebook)
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _is_current(out_dir: Path, ref: UnitYearRef, key: str) -> bool:
    from evalkit.publish.records import record_path

    path = record_path(out_dir, ref.unit_id, ref.year)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    html, _ = output_paths(out_dir, ref.unit_id, ref.year)
    return record.get("key") == key and record.get("status") == "built" and html.is_file()


def plan(
    params_dir: Path,
    out_dir: Path,
    *,
    unit: str | None = None,
    year: int | None = None,
    rulebook: str | None = None,
    force: bool = False,
    notebook: Path,
) -> tuple[list[Job], list[JobResult], list[UnitYearRef]]:
    """Jobs to run, unit-years already up to date, and every unit-year under ``params_dir``."""
    params_dir, out_dir = Path(params_dir).resolve(), Path(out_dir).resolve()
    everything = discover(params_dir)
    selected = discover(params_dir, unit=unit, year=year) if (unit or year) else everything
    code = code_fingerprint(notebook)
    by_unit: dict[str, list[UnitYearRef]] = {}
    for ref in everything:
        by_unit.setdefault(ref.unit_id, []).append(ref)
    jobs, skipped = [], []
    for ref in selected:
        earlier = [r for r in by_unit[ref.unit_id] if r.year < ref.year]
        key = _unit_year_key(code, ref, earlier, rulebook)
        if not force and _is_current(out_dir, ref, key):
            skipped.append(JobResult(ref.unit_id, ref.year, "skipped", key=key))
            continue
        jobs.append(Job(ref.unit_id, ref.year, str(params_dir), str(out_dir), rulebook, key=key))
    return jobs, skipped, everything


# --------------------------------------------------------------------------- run (workers)

_RENDERER: Renderer | None = None
_RENDERER_OPTIONS: BuildOptions | None = None


def _renderer(options: BuildOptions) -> Renderer:
    """This process's renderer (kernel kept alive across jobs), made on first use."""
    global _RENDERER, _RENDERER_OPTIONS
    if _RENDERER is None or _RENDERER_OPTIONS != options:
        if _RENDERER is not None:
            _RENDERER.close()
        from evalkit.report.fonts import use_cjk_font

        use_cjk_font()
        _RENDERER = Renderer(options.notebook, timeout=options.timeout, css_href=options.css_href,
                             fresh_kernel=options.fresh_kernel)
        _RENDERER_OPTIONS = options
        import atexit
        from multiprocessing import util

        atexit.register(_RENDERER.close)
        util.Finalize(None, _RENDERER.close, exitpriority=10)
    return _RENDERER


def build_one(job: Job, options: BuildOptions) -> JobResult:
    """Score, audit and render one unit-year; never raises for a problem of that unit-year."""
    from evalkit.audit import audit_unit_year
    from evalkit.publish.records import unit_year_record, write_record
    from evalkit.report.narrative import report_title

    started = time.perf_counter()
    out_dir = Path(job.out_dir)
    ref = UnitYearRef(job.unit_id, job.year, Path(job.params_dir) / job.unit_id / f"{job.year}.yaml")
    try:
        ref = next((r for r in discover(Path(job.params_dir), unit=job.unit_id) if r.year == job.year), ref)
        loaded = load_unit_year(ref, rulebook=job.rulebook)
        evaluation = loaded.evaluate()
        findings = audit_unit_year(loaded)
    except Exception as exc:  # noqa: BLE001 - bad input, or a bug, fails this unit-year, not the batch
        error = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {first_line(str(exc))}"
        write_record(out_dir, unit_year_record(ref, None, [], key=job.key, status="failed", error=error))
        return JobResult(job.unit_id, job.year, "failed", time.perf_counter() - started, error=error, key=job.key)

    result = _renderer(options).render(replace(job, title=report_title(evaluation)))
    html = None
    if result.status == "built":
        html = f"{job.year}/{job.unit_id}.html"
    record = unit_year_record(loaded, evaluation, findings, key=job.key, status=result.status,
                              error=result.error, html=html)
    write_record(out_dir, record)
    return replace(result, seconds=time.perf_counter() - started)


def build_batch(jobs: Sequence[Job], options: BuildOptions) -> list[JobResult]:
    """Build several unit-years in this process (one Dask task, or one local call)."""
    return [build_one(job, options) for job in jobs]


def _batches(jobs: Sequence[Job], size: int) -> list[list[Job]]:
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]


def _run_local(jobs: list[Job], options: BuildOptions, workers: int, report: Callable[[JobResult], None]) -> None:
    """A process pool whose workers each keep one kernel; a dead worker fails only its job."""
    if workers <= 1:
        for job in jobs:
            report(build_one(job, options))
        return
    pending = list(jobs)
    attempts: dict[tuple[str, int], int] = {}
    context = multiprocessing.get_context("spawn")
    while pending:
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context) as pool:
            futures = {pool.submit(build_one, job, options): job for job in pending}
            pending = []
            broken = False
            for future in cf.as_completed(futures):
                job = futures[future]
                try:
                    report(future.result())
                except cf.process.BrokenProcessPool:
                    broken = True
                    ident = (job.unit_id, job.year)
                    attempts[ident] = attempts.get(ident, 0) + 1
                    if attempts[ident] >= 2:
                        report(JobResult(job.unit_id, job.year, "failed", error="工作进程意外退出（已重试）", key=job.key))
                    else:
                        pending.append(job)
                except Exception as exc:  # noqa: BLE001
                    report(JobResult(job.unit_id, job.year, "failed", error=f"{type(exc).__name__}: {first_line(str(exc))}", key=job.key))
            if broken:
                pool.shutdown(cancel_futures=True)


def _run_dask(jobs: list[Job], options: BuildOptions, scheduler: str | None, batch_size: int,
              report: Callable[[JobResult], None], client: Any = None) -> None:
    """Run batches of jobs as Dask tasks; the workers write to the shared outputs folder."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise InputError("使用 --executor dask 需要安装可选依赖：pip install 'evalkit[dask]'") from exc
    own = client is None
    if own:
        if not scheduler:
            raise InputError("--executor dask 需要 --scheduler 地址（如 tcp://10.0.0.5:8786）")
        client = Client(scheduler)
    try:
        futures = client.map(build_batch, _batches(jobs, batch_size), options=options, pure=False, retries=1)
        for future, results in as_completed(futures, with_results=True, raise_errors=False):
            if future.status == "error":
                error = f"Dask 任务失败：{first_line(str(future.exception()))}"
                for job in _batches(jobs, batch_size)[futures.index(future)]:
                    report(JobResult(job.unit_id, job.year, "failed", error=error, key=job.key))
                continue
            for result in results:
                report(result)
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------- publish


def publish(out_dir: Path, refs: Iterable[UnitYearRef], *, shared_css: bool = False) -> dict[str, Any]:
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


# --------------------------------------------------------------------------- the whole build


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
                self.bar.write(f"失败：{result.unit_id} {result.year}：{result.error}")
        elif not self.quiet:
            status = {"built": "完成", "failed": "失败"}.get(result.status, result.status)
            extra = f"：{result.error}" if result.error else f"（{result.seconds:.1f} 秒）"
            print(f"[{self.done}/{self.total}] {status} {result.unit_id} {result.year}{extra}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
) -> BuildSummary:
    """Plan, run and publish a build; returns what was built, skipped and failed."""
    from evalkit.batch.jobs import NOTEBOOK

    started = time.perf_counter()
    notebook = Path(notebook or NOTEBOOK).resolve()
    if not notebook.is_file():
        raise InputError("找不到报告模板笔记本", file=str(notebook))
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir)
    todo, skipped, everything = plan(params_dir, out_dir, unit=unit, year=year, rulebook=rulebook, force=force, notebook=notebook)
    options = BuildOptions(notebook=str(notebook), timeout=timeout, fresh_kernel=fresh_kernel,
                           css_href="../assets/report.css" if shared_css else None)
    built: list[JobResult] = []
    failed: list[JobResult] = []
    progress = _Progress(len(todo), quiet)

    def report(result: JobResult) -> None:
        (built if result.status == "built" else failed).append(result)
        progress.update(result)

    try:
        if todo:
            if executor == "dask":
                _run_dask(todo, options, scheduler, batch_size, report, client=dask_client)
            else:
                _run_local(todo, options, jobs or os.cpu_count() or 1, report)
    finally:
        progress.close()
        publish(out_dir, everything, shared_css=shared_css)
    return BuildSummary(built, skipped, failed, time.perf_counter() - started)
