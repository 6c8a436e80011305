"""Where the jobs run: a local process pool, or a Dask cluster.

Both call :func:`~evalkit.batch.worker.build_one` (or :func:`~evalkit.batch.worker.build_batch`)
and hand every :class:`~evalkit.batch.jobs.JobResult` to ``report`` as it arrives.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from evalkit.batch.hygiene import worker_initializer
from evalkit.batch.jobs import Job, JobResult, first_line, not_started
from evalkit.batch.worker import BuildOptions, abandon_renderer, build_batch, build_one
from evalkit.errors import InputError

__all__ = ["run_local", "run_dask"]


def _batches(jobs: Sequence[Job], size: int) -> list[list[Job]]:
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]


def interrupted(job: Job) -> JobResult:
    """A job that was running when the build was interrupted (Ctrl-C)."""
    return JobResult(job.unit_id, job.year, "interrupted", error="未完成：构建被中断（Ctrl-C）", key=job.key)


def _run_inline(jobs: list[Job], options: BuildOptions, report: Callable[[JobResult], None]) -> None:
    disk_full = False
    for job in jobs:
        if disk_full:
            report(not_started(job))
            continue
        try:
            result = build_one(job, options)
        except KeyboardInterrupt:
            abandon_renderer()
            report(interrupted(job))
            raise
        except Exception as exc:  # noqa: BLE001 - as in a worker: a bug in one job fails that job only
            result = JobResult(job.unit_id, job.year, "failed", error=f"{type(exc).__name__}: {first_line(str(exc))}", key=job.key)
        disk_full = result.disk_full
        report(result)


def _stop_workers(pool: cf.ProcessPoolExecutor) -> None:
    """Terminate the pool's workers now (their kernels die with them: evalkit.batch.hygiene)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    for process in processes:
        try:
            process.join(5)
        except (OSError, ValueError, AssertionError):
            pass


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """While workers start: hide a main script that is not a file from multiprocessing.

    A spawned worker first runs the parent's main script again, found by its ``__file__``. A
    script fed on standard input (``python - < build.py``) is ``<stdin>``, which no worker can
    open, so every worker died and every job failed. Workers need nothing from the main script
    (they run evalkit's own functions); without a ``__file__`` they skip it, as they do for
    Jupyter and ``python -c``.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None or path is None or os.path.isfile(path):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def run_local(jobs: list[Job], options: BuildOptions, workers: int, report: Callable[[JobResult], None]) -> None:
    """A process pool whose workers each keep one kernel; a dead worker fails only its job.

    Workers die with the build (:func:`~evalkit.batch.hygiene.worker_initializer`). Once a job
    finds the output disk full, jobs not yet started are reported as not started. On Ctrl-C the
    workers are stopped, the jobs that were running are reported as interrupted, and
    ``KeyboardInterrupt`` goes on to the caller.
    """
    if workers <= 1:
        _run_inline(jobs, options, report)
        return
    pending = list(jobs)
    attempts: dict[tuple[str, int], int] = {}
    context = multiprocessing.get_context("spawn")
    disk_full = False
    while pending:
        pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context,
                                      initializer=worker_initializer)
        with _main_script_hidden():  # the workers start as jobs are submitted
            futures = {pool.submit(build_one, job, options): job for job in pending}
        pending = []
        broken = False
        try:
            for future in cf.as_completed(futures):
                job = futures[future]
                if future.cancelled():
                    report(not_started(job))
                    continue
                try:
                    result = future.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    ident = (job.unit_id, job.year)
                    attempts[ident] = attempts.get(ident, 0) + 1
                    if attempts[ident] >= 2 or disk_full:
                        report(JobResult(job.unit_id, job.year, "failed", error="工作进程意外退出（已重试）", key=job.key))
                    else:
                        pending.append(job)
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug in one job fails that job only
                    report(JobResult(job.unit_id, job.year, "failed", error=f"{type(exc).__name__}: {first_line(str(exc))}", key=job.key))
                    continue
                report(result)
                if result.disk_full and not disk_full:
                    disk_full = True
                    for other in futures:
                        other.cancel()  # what has not started yet never starts
        except KeyboardInterrupt:
            for future, job in futures.items():
                if not future.done():
                    report(interrupted(job))  # running, or queued to a worker: not finished
            _stop_workers(pool)
            raise
        if broken:
            _stop_workers(pool)
        else:
            # Every job is done: the workers stop their kernels and exit while the caller
            # publishes the site (about 0.25 s each, one after the other before). The pool's
            # own thread still joins them, and Python waits for it before it exits.
            pool.shutdown(wait=False)


def run_dask(jobs: list[Job], options: BuildOptions, scheduler: str | None, batch_size: int,
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
    futures: list[Any] = []
    done: set[Any] = set()
    try:
        futures = client.map(build_batch, _batches(jobs, batch_size), options=options, pure=False, retries=1)
        for future, results in as_completed(futures, with_results=True, raise_errors=False):
            done.add(future)
            if future.status == "error":
                error = f"Dask 任务失败：{first_line(str(future.exception()))}"
                for job in _batches(jobs, batch_size)[futures.index(future)]:
                    report(JobResult(job.unit_id, job.year, "failed", error=error, key=job.key))
                continue
            for result in results:
                report(result)
            if any(r.disk_full for r in results):
                for other in futures:
                    if not other.done():
                        other.cancel()
                        for job in _batches(jobs, batch_size)[futures.index(other)]:
                            report(not_started(job))
    except KeyboardInterrupt:
        pending = [f for f in futures if f not in done]
        client.cancel(pending)
        for future in pending:
            for job in _batches(jobs, batch_size)[futures.index(future)]:
                report(interrupted(job))
        raise
    finally:
        if own:
            client.close()
