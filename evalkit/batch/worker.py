"""The worker side of a build: per-process renderer state and :func:`build_one`.

:func:`build_one` scores and audits a unit-year, runs the notebook in a kernel the worker keeps
alive (:class:`~evalkit.batch.jobs.Renderer`), writes the HTML, the executed notebook and the
sidecar record, each through a temporary file renamed into place. A failure is recorded for that
unit-year only.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evalkit.batch.jobs import Job, JobResult, Renderer, first_line, not_started, output_paths
from evalkit.errors import InputError
from evalkit.inputs.params import UnitYearRef, discover, load_unit_year

__all__ = ["BuildOptions", "build_one", "build_batch", "abandon_renderer"]


@dataclass(frozen=True)
class BuildOptions:
    """How reports are built; picklable so it travels to workers."""

    notebook: str
    timeout: float = 600.0
    fresh_kernel: bool = False
    css_href: str | None = None
    formats: tuple[str, ...] = ("html",)


_RENDERER: Renderer | None = None
_RENDERER_OPTIONS: BuildOptions | None = None


def _renderer(options: BuildOptions) -> Renderer:
    """This process's renderer (kernel kept alive across jobs), made on first use."""
    global _RENDERER, _RENDERER_OPTIONS
    if _RENDERER is None or _RENDERER_OPTIONS != options:
        if _RENDERER is not None:
            _RENDERER.close()
        from evalkit.batch.kernels import KernelSession

        session = KernelSession()
        session.start()  # the kernel starts (about 0.25 s of CPU) while this process imports
        # No charts are drawn here (the kernel draws them and registers the CJK font there), so
        # the worker never imports matplotlib: about 25 MiB less per worker.
        from evalkit.batch.lean import import_notebook_stack

        try:
            import_notebook_stack()  # without pyarrow and jsonschema's format checkers: 60 MiB less
            _RENDERER = Renderer(options.notebook, timeout=options.timeout, css_href=options.css_href,
                                 fresh_kernel=options.fresh_kernel, session=session)
        except BaseException:  # Ctrl-C or a bad notebook: the launched kernel goes too
            session.shutdown()
            raise
        _RENDERER_OPTIONS = options
        import atexit
        from multiprocessing import util

        atexit.register(_RENDERER.close)
        util.Finalize(None, _RENDERER.close, exitpriority=10)
    return _RENDERER


def abandon_renderer() -> None:
    """After Ctrl-C in this process: stop the kernel now, and keep the interrupted notebook's
    dying asyncio task ("Task exception was never retrieved: DeadKernelError") off the terminal."""
    global _RENDERER, _RENDERER_OPTIONS
    logging.getLogger("asyncio").disabled = True
    if _RENDERER is not None:
        _RENDERER.close()
    _RENDERER = _RENDERER_OPTIONS = None


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
        try:
            write_record(out_dir, unit_year_record(ref, None, [], key=job.key, status="failed", error=error))
        except OSError as write_error:
            if write_error.errno not in _DISK_FULL:
                raise
            return _disk_full(job, write_error, started, {p for p in _unit_year_files(job) if p.exists()})
        return JobResult(job.unit_id, job.year, "failed", time.perf_counter() - started, error=error, key=job.key)

    existed = {path for path in _unit_year_files(job) if path.exists()}
    try:
        result = _renderer(options).render(replace(job, title=report_title(evaluation)))
        if result.status == "built":  # the review opinion, and PDF / Word when asked for
            from evalkit.report.document import write_job_documents

            result = write_job_documents(result, job, options.formats, options.css_href, (loaded, evaluation, findings))
        record = unit_year_record(loaded, evaluation, findings, key=job.key, status=result.status,
                                  error=result.error, html=f"{job.year}/{job.unit_id}.html" if result.status == "built" else None)
        if result.status == "built":
            record["outputs"] = _output_digests(out_dir, job)
        write_record(out_dir, record)
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        return _disk_full(job, exc, started, existed)
    return replace(result, seconds=time.perf_counter() - started)


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _output_digests(out_dir: Path, job: Job) -> dict[str, dict[str, object]]:
    """Size, modification time and SHA-256 of the report and the executed notebook (rebuild check)."""
    from evalkit.batch.plan import file_digest

    out = {}
    for path in output_paths(out_dir, job.unit_id, job.year):
        info = path.stat()
        out[path.name] = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": file_digest(path)}
    return out


def _unit_year_files(job: Job) -> tuple[Path, ...]:
    from evalkit.publish.records import record_path

    return (*output_paths(job.out_dir, job.unit_id, job.year), record_path(job.out_dir, job.unit_id, job.year))


def _disk_full(job: Job, exc: OSError, started: float, existed: set[Path] = frozenset()) -> JobResult:
    """The disk filled while this unit-year was written.

    Every file is written to a temporary name and renamed, so none is half-written. What this job
    created is removed (a new unit-year leaves nothing); an earlier report stays, and its record,
    whose key and hashes no longer match, makes the next build redo it.
    """
    for path in _unit_year_files(job):
        if path not in existed:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
    error = f"输出磁盘已满（{exc.strerror or exc}），该单位年度未写入：{job.out_dir}"
    return JobResult(job.unit_id, job.year, "failed", time.perf_counter() - started, error=error,
                     key=job.key, disk_full=True)


def build_batch(jobs: Sequence[Job], options: BuildOptions) -> list[JobResult]:
    """Build several unit-years in this process (one Dask task, or one local call).

    Once the output disk is full, the rest of the batch is not started.
    """
    results: list[JobResult] = []
    disk_full = False
    for job in jobs:
        results.append(not_started(job) if disk_full else build_one(job, options))
        disk_full = disk_full or results[-1].disk_full
    return results
