"""The worker's notebook stack, imported without optional modules it never uses.

A build worker runs papermill and nbconvert in its own process and keeps a kernel as a child.
Two of their imports pull in large optional modules the worker has no use for:

* ``papermill.iorw`` imports ``pyarrow.fs`` for ``hdfs://`` notebook paths, and pyarrow imports
  numpy: about 45 MiB in every worker. The worker hands papermill a notebook object and no path.
* ``jsonschema`` (through ``nbformat``) imports the checkers of string formats it finds installed
  (lark for RFC 3987, arrow for ISO 8601 durations, webcolors, …): about 15 MiB. nbformat
  validates notebooks without format checking.

:func:`import_notebook_stack` imports nbformat and papermill with those modules treated as absent
(``sys.modules[name] = None``, which makes ``import name`` raise ``ImportError``, so the libraries
take their own "not installed" branch), then lifts the block: later imports of the same modules
in this process work as usual. A module already imported is never touched. Nothing changes in the
kernel, which imports what the notebook needs.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator

__all__ = ["import_notebook_stack", "absent"]

#: Optional imports of ``papermill.iorw`` (remote notebook stores) a worker never uses.
PAPERMILL_UNUSED = ("pyarrow.fs",)
#: Format checkers ``jsonschema._format`` imports when installed; nbformat checks no formats.
JSONSCHEMA_UNUSED = (
    "fqdn",
    "rfc3987",
    "rfc3986_validator",
    "rfc3987_syntax",
    "rfc3339_validator",
    "webcolors",
    "jsonpointer",
    "uri_template",
    "isoduration",
)


@contextlib.contextmanager
def absent(names: Iterable[str]) -> Iterator[None]:
    """While inside, ``import name`` raises ``ImportError`` for each of ``names`` not yet imported.

    >>> with absent(["evalkit_no_such_module"]):
    ...     try:
    ...         import evalkit_no_such_module
    ...     except ImportError:
    ...         print("absent")
    absent
    """
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def import_notebook_stack() -> None:
    """Import nbformat and papermill for a worker, without the optional modules above."""
    if "nbformat" not in sys.modules:
        with absent(JSONSCHEMA_UNUSED):
            import nbformat  # noqa: F401
    if "papermill.iorw" not in sys.modules:
        with absent(PAPERMILL_UNUSED):
            import papermill.iorw  # noqa: F401
