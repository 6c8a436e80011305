"""Building one report: papermill runs the notebook, nbconvert turns it into an offline HTML page.

A :class:`Renderer` lives once per worker process. It keeps the template notebook in memory, one
reused ``HTMLExporter`` and one :class:`~evalkit.batch.kernels.KernelSession`, so the per-report cost is
running the cells, not starting Python, importing pandas and matplotlib and loading fonts again.
Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from evalkit import __version__
from evalkit.inputs.yamlio import atomic_write_text

__all__ = ["Job", "JobResult", "Renderer", "NOTEBOOK", "NOT_STARTED", "not_started", "output_paths", "first_line"]

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "report.ipynb"  # shipped in the wheel


@dataclass(frozen=True)
class Job:
    """One unit-year to build. Paths are absolute strings so a job can travel to a Dask worker."""

    unit_id: str
    year: int
    params_dir: str
    out_dir: str
    rulebook: str | None = None
    title: str = ""
    key: str = ""


@dataclass(frozen=True)
class JobResult:
    """What happened to a job; small and picklable."""

    unit_id: str
    year: int
    status: Literal["built", "failed", "skipped", "interrupted"]
    seconds: float = 0.0
    html: str | None = None
    error: str | None = None
    cell: int | None = None
    key: str = ""
    #: The output disk is full: the build starts no further unit-year.
    disk_full: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def output_paths(out_dir: Path | str, unit_id: str, year: int) -> tuple[Path, Path]:
    """``outputs/<year>/<unit-id>.html`` and the executed notebook next to it."""
    folder = Path(out_dir) / str(year)
    return folder / f"{unit_id}.html", folder / f"{unit_id}.ipynb"


NOT_STARTED = "未生成：输出磁盘已满，构建已停止开始新的单位年度"


def not_started(job: Job) -> JobResult:
    """A job the build did not start because the output disk is full."""
    return JobResult(job.unit_id, job.year, "failed", error=NOT_STARTED, key=job.key)


def first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip()


def make_exporter():
    """The HTML exporter: evalkit's offline template, inputs and prompts hidden, ``lang="zh"``."""
    from traitlets.config import Config

    from evalkit.batch.exporter import ReportExporter
    from evalkit.report.render import template_dir

    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(template_dir())]
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove", "parameters", "injected-parameters"}
    config.HTMLExporter.language_code = "zh"
    # validate the notebook once after the preprocessors, not after each of the twelve
    config.Exporter.optimistic_validation = True
    return ReportExporter(config=config, template_name="evalkit_report")


def _prepared_template(notebook: str) -> Any:
    """The template as papermill prepares a notebook it reads (tags and ``papermill`` metadata on
    every cell, earlier error markers removed), once per renderer; warns, as papermill does, of a
    parameter the template does not define."""
    from papermill.execute import remove_error_markers
    from papermill.inspection import inspect_notebook
    from papermill.iorw import load_notebook_node
    from papermill.log import logger

    template = remove_error_markers(load_notebook_node(notebook))
    defined = set(inspect_notebook(notebook))  # papermill's public inference (reads the file again, once)
    for name in _PARAMETERS:
        if name not in defined:
            logger.warning(f"Passed unknown parameter: {name}")
    return template


#: The parameters every report notebook is given.
_PARAMETERS = ("unit_id", "year", "params_dir", "rulebook")


def _execute(template: Any, notebook: str, parameters: dict[str, Any], session: Any, timeout: float) -> Any:
    """``papermill.execute_notebook`` for a template already read: inject the parameters, run the
    cells in the session's kernel (:mod:`evalkit.batch.engine`), raise
    :class:`~papermill.exceptions.PapermillExecutionError` for a cell that failed.

    papermill's own entry point, handed a notebook object, serialises it to JSON and parses it
    back (and validates it) before it starts, and serialises the executed notebook again to write it to
    "no path" at the end: with nbconvert's validation after each preprocessor, about a sixth of
    the worker's CPU per report (0.051 → 0.043 s measured), for nothing.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors
    from papermill.parameterize import parameterize_notebook

    from evalkit.batch.engine import ENGINE_NAME

    nb = parameterize_notebook(copy.deepcopy(template), parameters, kernel_name="python3", engine_name=ENGINE_NAME)
    nb = prepare_notebook_metadata(nb, notebook, None)
    nb = papermill_engines.execute_notebook_with_engine(
        ENGINE_NAME,
        nb,
        input_path=notebook,
        output_path=None,
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        start_timeout=120,
        stdout_file=None,
        stderr_file=None,
        execution_timeout=timeout,
        kernel_session=session,
        record_timing=False,
    )
    raise_for_execution_errors(nb, None)
    return nb


class Renderer:
    """Builds reports in this process: one kernel, one exporter, the template read once."""

    def __init__(
        self,
        notebook: Path | str = NOTEBOOK,
        *,
        timeout: float = 600,
        css_href: str | None = None,
        fresh_kernel: bool = False,
        session: Any = None,
    ) -> None:
        from evalkit.batch.engine import ensure_registered
        from evalkit.batch.kernels import KernelSession
        from evalkit.report.render import stylesheet

        ensure_registered()
        self.notebook = str(notebook)
        self.template = _prepared_template(self.notebook)
        self._parameters_index = next(
            (i for i, c in enumerate(self.template.cells) if "parameters" in c.metadata.get("tags", [])), -1
        )
        self.exporter = make_exporter()
        self.session = session or KernelSession()  # a worker's, launched before its imports
        self.timeout = timeout
        self.fresh_kernel = fresh_kernel
        self.resources = {"evalkit": {"version": __version__, "css": stylesheet(), "css_href": css_href}}

    def close(self) -> None:
        self.session.shutdown()

    def render(self, job: Job) -> JobResult:
        """Run the notebook for ``job`` and write its HTML and executed notebook."""
        import nbformat
        from papermill.exceptions import PapermillExecutionError

        started = time.perf_counter()
        html_path, nb_path = output_paths(job.out_dir, job.unit_id, job.year)
        parameters = {
            "unit_id": job.unit_id,
            "year": int(job.year),
            "params_dir": str(job.params_dir),
            "rulebook": job.rulebook or "",
        }
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            self.session.kill()

        watchdog = threading.Timer(self.timeout, on_timeout)
        watchdog.daemon = True
        watchdog.start()
        try:
            nb = _execute(self.template, self.notebook, parameters, self.session, self.timeout)
        except PapermillExecutionError as exc:
            self.session.shutdown()  # a failed notebook never shares a kernel with the next one
            # papermill counts the injected parameters cell; report the template's own numbering.
            index = exc.cell_index - 1 if exc.cell_index > self._parameters_index else exc.cell_index
            source = first_line(self.template.cells[index].source) if index < len(self.template.cells) else ""
            error = f"第 {index + 1} 个单元格（{source[:40]}）出错：{exc.ename}: {first_line(exc.evalue)}"
            return JobResult(job.unit_id, job.year, "failed", time.perf_counter() - started,
                             error=error, cell=index + 1, key=job.key)
        except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout fails this job only
            self.session.shutdown()
            if timed_out.is_set():
                error = f"超时：超过 {self.timeout:g} 秒未完成，已终止内核"
            elif type(exc).__name__ == "DeadKernelError":
                error = "内核意外退出（可能内存不足或被终止）：DeadKernelError"
            else:
                error = f"{type(exc).__name__}: {first_line(str(exc)) or '内核异常退出'}"
            return JobResult(job.unit_id, job.year, "failed", time.perf_counter() - started, error=error, key=job.key)
        finally:
            watchdog.cancel()

        if self.fresh_kernel:
            self.session.shutdown()
        else:
            self.session.reset()
        nb.metadata["title"] = job.title or f"{job.unit_id} {job.year}"
        body, _ = self.exporter.from_notebook_node(nb, resources=copy.deepcopy(self.resources))
        # nbformat.writes without its validation pass (nbclient validated every output as it came)
        atomic_write_text(nb_path, nbformat.v4.writes_json(nb))
        atomic_write_text(html_path, body)
        stale = nb_path.with_suffix(".error.ipynb")
        stale.unlink(missing_ok=True)
        return JobResult(job.unit_id, job.year, "built", time.perf_counter() - started, html=str(html_path), key=job.key)
