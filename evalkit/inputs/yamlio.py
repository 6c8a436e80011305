"""Reading YAML safely, with exact decimals and line numbers; writing files atomically.

Floats in params and rulebooks become ``Decimal`` straight from their text (``304.1`` stays
``Decimal('304.1')``), and every mapping key keeps its line so an error can say where it is.
Only ``yaml.SafeLoader`` constructs are allowed: no Python objects from input files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from evalkit.errors import InputError

__all__ = ["LoadedYaml", "load_yaml", "loads_yaml", "atomic_write", "atomic_write_text", "dump_yaml"]


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader whose floats are Decimals and whose dates stay strings."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node).replace("_", "")
    lowered = text.lower()
    if lowered in (".nan", ".inf", "+.inf", "-.inf"):
        raise InputError("不接受 NaN 或无穷大", line=node.start_mark.line + 1)
    return Decimal(text)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
# Dates such as 2023-12-31 stay text: a unit-year is keyed by its integer year, not a date.
_DecimalLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class LoadedYaml:
    """The data of a YAML document and the line of each field path (``indicators.2.actual``)."""

    def __init__(self, data: Any, lines: dict[tuple[object, ...], int]) -> None:
        self.data = data
        self.lines = lines

    def line_of(self, path: tuple[object, ...]) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _index_lines(node: yaml.Node, path: tuple[object, ...], out: dict) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[path + (key,)] = key_node.start_mark.line + 1
            _index_lines(value_node, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _index_lines(child, path + (i,), out)


def loads_yaml(text: str, *, source: str = "<text>") -> LoadedYaml:
    """Parse YAML text; a syntax error becomes an :class:`InputError` with its line."""
    try:
        loader = _DecimalLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except InputError as exc:
        raise InputError(exc.message, file=source, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "格式错误"
        raise InputError(f"YAML 格式错误（{problem}）", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 格式错误（{exc}）", file=source) from None
    lines: dict[tuple[object, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return LoadedYaml(data, lines)


def load_yaml(path: Path | str) -> LoadedYaml:
    """Read a UTF-8 YAML file (a BOM is tolerated)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("文件不存在", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码的文本（请另存为 UTF-8）", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"无法读取文件（{exc.strerror}）", file=str(path)) from None
    return loads_yaml(text, source=str(path))


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = f"{value:f}"
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml when present: ~4× faster
    def ignore_aliases(self, data: Any) -> bool:
        return True  # params files are read by people: never write &id001 anchors


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: Any) -> str:
    """YAML text with Chinese kept readable and Decimals written exactly."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


@contextmanager
def atomic_write(path: Path | str, mode: str = "w", **kwargs: Any) -> Iterator[Any]:
    """Write ``path`` through a temporary file in the same folder, renamed into place at the end.

    An interrupted write (exception, Ctrl-C, kill -9) leaves the old file, or none, never a half.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp creates 0600 files; published reports must be readable like any other file.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_write(path) as handle:
        handle.write(text)
