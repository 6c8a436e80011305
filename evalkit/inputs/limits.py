"""Limits on what evalkit reads: one place, data with defaults, each a one-line error when exceeded.

Params files, rulebooks and workbooks come from people and other programs; they are not trusted
(see ``docs/security.md``). Every reader checks its input against :func:`current`:

>>> current().max_file_bytes
5242880
>>> with override(max_depth=5):
...     current().max_depth
5
>>> current().max_depth
32

A limit can also be changed for one run (and the worker processes and kernels it starts) through
an environment variable ``EVALKIT_LIMIT_<NAME>``, e.g. ``EVALKIT_LIMIT_MAX_FILE_BYTES=20000000``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from evalkit.errors import EvalkitError, one_line

__all__ = ["Limits", "LimitsError", "DEFAULTS", "current", "override", "ENV_PREFIX"]

ENV_PREFIX = "EVALKIT_LIMIT_"


class LimitsError(EvalkitError):
    """A limit set to something that is not a limit (an environment variable): a setup error of
    the whole run, not a problem of one input file, so no reader collects it as one."""

    def __init__(self, variable: str, raw: str) -> None:
        super().__init__(one_line(f"{variable}: 应为正整数，实际为“{raw}”"))


@dataclass(frozen=True)
class Limits:
    """What a params file, a rulebook or a name may be at most."""

    #: Bytes in one params or rulebook file (the reference year file is about 3 KB).
    max_file_bytes: int = 5 * 1024 * 1024
    #: Nesting depth of a YAML document (mappings and lists inside each other).
    max_depth: int = 32
    #: Nodes (mappings, lists and values) in one YAML document (the reference year file has ~400).
    max_nodes: int = 50_000
    #: Characters in a name: a unit, project, indicator or fund name, a short name.
    max_name_chars: int = 200
    #: Characters in any other text value (a deviation reason, an improvement measure).
    max_text_chars: int = 20_000
    #: Digits (before and after the decimal point) in a number.
    max_digits: int = 24
    #: YAML anchors and aliases (``&a`` / ``*a``) are refused: params files never need them.
    allow_aliases: bool = False


DEFAULTS = Limits()
_override: Limits | None = None


def _from_environment() -> Limits:
    changes: dict[str, object] = {}
    for field in fields(Limits):
        raw = os.environ.get(ENV_PREFIX + field.name.upper())
        if raw is None:
            continue
        if field.type in ("bool", bool):
            changes[field.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            continue
        try:
            value = int(raw)
        except ValueError:
            raise LimitsError(ENV_PREFIX + field.name.upper(), raw) from None
        if value <= 0:
            raise LimitsError(ENV_PREFIX + field.name.upper(), raw)
        changes[field.name] = value
    return replace(DEFAULTS, **changes) if changes else DEFAULTS


def current() -> Limits:
    """The limits in force: :func:`override` if active, else the environment, else the defaults."""
    return _override if _override is not None else _from_environment()


@contextmanager
def override(**changes: object) -> Iterator[Limits]:
    """Use other limits inside a ``with`` block (this process only)."""
    global _override
    previous = _override
    _override = replace(current(), **changes)
    try:
        yield _override
    finally:
        _override = previous
