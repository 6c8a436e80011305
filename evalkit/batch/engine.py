"""The papermill engine ``evalkit-session``: runs a notebook in a kernel it is handed.

Registered through papermill's public registry (``papermill_engines.register``) by
:func:`ensure_registered`, once per process, when a renderer is made. (Not an entry point:
papermill imports entry points while ``papermill.engines`` itself is being imported, and this
module subclasses a class of that module, so the import would be circular.)
"""

from __future__ import annotations

import logging

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillException
from papermill.utils import merge_kwargs, remove_args

__all__ = ["ENGINE_NAME", "SessionEngine", "ensure_registered"]

ENGINE_NAME = "evalkit-session"
log = logging.getLogger("evalkit.batch.jobs")
log.addHandler(logging.NullHandler())  # failures reach the user through JobResult, not stray log lines
log.propagate = False


class SessionEngine(NBClientEngine):
    """nbclient's engine, but the kernel comes from a :class:`~evalkit.batch.kernels.KernelSession`."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        session = kwargs.pop("kernel_session")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=log,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        km, kc = session.ensure()
        client = PapermillNotebookClient(nb_man, km=km, **final)
        client.kc = kc  # the session's client: nbclient neither makes nor closes one
        return client.execute()


def ensure_registered() -> None:
    """Register the engine unless papermill already has it (from the entry point)."""
    try:
        papermill_engines.get_engine(ENGINE_NAME)
    except PapermillException:
        papermill_engines.register(ENGINE_NAME, SessionEngine)
