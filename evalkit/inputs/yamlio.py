"""Reading YAML safely, with exact decimals and line numbers; writing files atomically.

Floats in params and rulebooks become ``Decimal`` straight from their text (``304.1`` stays
``Decimal('304.1')``), and every mapping key keeps its line so an error can say where it is.
Only ``yaml.SafeLoader`` constructs are allowed: no Python objects from input files.

Input files are not trusted (``docs/security.md``): only regular files are read (no FIFO, device
or symlink leaving the params folder), and the limits of :mod:`evalkit.inputs.limits` hold —
file size, nesting depth, node count, text length, digits in a number; anchors and aliases
(``&a`` / ``*a``) and duplicate keys are errors naming their lines.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from evalkit.errors import InputError
from evalkit.inputs.limits import Limits, current

__all__ = ["LoadedYaml", "load_yaml", "loads_yaml", "read_input_bytes", "ensure_output_dir", "ensure_output_file", "atomic_write", "atomic_write_text", "dump_yaml"]


#: Mapping keys whose text value is a name (limited to ``max_name_chars``).
NAME_KEYS = frozenset({"name", "short_name", "unit_name", "project_name", "level1", "level2", "level3"})
_NUMBER = re.compile(r"^[+-]?(?:[0-9][0-9_,]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?([0-9]+))?\s*%?$")
_RADIX = re.compile(r"^[+-]?0[xXoObB][0-9a-fA-F_]+$")


def _number_problem(text: str, limits: Limits) -> str | None:
    """Why a number-looking scalar is too long (digits or exponent), or None."""
    text = text.strip()
    match = _NUMBER.match(text)
    if match is None and not _RADIX.match(text):
        return None
    if match:
        mantissa = text.split("e")[0].split("E")[0]
        digits = sum(ch.isdigit() for ch in mantissa)
    else:  # 0x…, 0o…, 0b…
        digits = sum(ch not in "+-_" for ch in text) - 2
    if digits > limits.max_digits:
        return f"数字位数过多（{digits} 位，上限 {limits.max_digits} 位）"
    exponent = match.group(1) if match else None
    if exponent is not None and (len(exponent) > 3 or int(exponent) > limits.max_digits):
        return f"数字的指数过大（{text[:40]}，上限 {limits.max_digits}）"
    return None


class _Guards:
    """The checks made while composing, node by node, before anything is constructed: no anchor
    or alias (unless allowed), depth, node count, text length, digits, no key twice in a mapping.
    Mixed in before PyYAML's ``Composer``, whichever parser produces the events."""

    limits: Limits
    _depth: int
    _nodes: int

    def _start_guards(self, limits: Limits | None) -> None:
        self.limits = limits or current()
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if not self.limits.allow_aliases:
            if isinstance(event, yaml.AliasEvent):
                raise InputError(f"不允许使用 YAML 锚点与别名（*{event.anchor}）：请直接写出内容", line=line)
            if getattr(event, "anchor", None):
                raise InputError(f"不允许使用 YAML 锚点与别名（&{event.anchor}）：请直接写出内容", line=line)
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise InputError(f"内容过多（超过 {self.limits.max_nodes} 个节点）", line=line)
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth:
                raise InputError(f"嵌套层数过深（超过 {self.limits.max_depth} 层）", line=line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_scalar_node(self, anchor: Any) -> Any:
        node = super().compose_scalar_node(anchor)
        value, line = node.value, node.start_mark.line + 1
        if len(value) > self.limits.max_text_chars:
            raise InputError(f"文本过长（{len(value)} 个字符，上限 {self.limits.max_text_chars}）", line=line)
        problem = _number_problem(value, self.limits)  # quoted too: "123…" is read as a number later
        if problem:
            raise InputError(problem, line=line)
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        node = super().compose_mapping_node(anchor)
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key: the constructor refuses it with its line
            line = key_node.start_mark.line + 1
            key = (key_node.tag, key_node.value)
            if key in seen and key_node.value != "<<":
                raise InputError(f"键“{key_node.value}”重复（第 {seen[key]} 行与第 {line} 行）", line=line)
            seen[key] = line
            if (key_node.value in NAME_KEYS and isinstance(value_node, yaml.ScalarNode)
                    and len(value_node.value) > self.limits.max_name_chars):
                raise InputError(
                    f"名称过长（{len(value_node.value)} 个字符，上限 {self.limits.max_name_chars}）",
                    line=value_node.start_mark.line + 1,
                )
        return node


class _DecimalLoader(_Guards, yaml.SafeLoader):
    """SafeLoader whose floats are Decimals and whose dates stay strings, under :class:`Limits`:
    PyYAML in pure Python, whose error messages :data:`_PROBLEMS_ZH` translates."""

    def __init__(self, stream: str, limits: Limits | None = None) -> None:
        super().__init__(stream)
        self._start_guards(limits)


_CParser = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # libyaml, when PyYAML has it

if _CParser is not None:

    class _FastDecimalLoader(_Guards, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor,
                             yaml.resolver.Resolver):
        """The same loader with libyaml scanning and parsing (several times faster): the events
        come from C, the composition (with every guard) and the construction are the same Python
        code. Used only for documents that load; any YAML error is reported by
        :class:`_DecimalLoader`, so the messages are PyYAML's."""

        def __init__(self, stream: str, limits: Limits | None = None) -> None:
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start_guards(limits)

        def dispose(self) -> None:
            pass

    _LOADERS: tuple[type, ...] = (_FastDecimalLoader, _DecimalLoader)
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADERS = (_DecimalLoader,)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node).replace("_", "")
    lowered = text.lower()
    if lowered in (".nan", ".inf", "+.inf", "-.inf"):
        raise InputError("不接受 NaN 或无穷大", line=node.start_mark.line + 1)
    try:
        return Decimal(text)
    except InvalidOperation:  # YAML 1.1 sixty-based floats such as 1:30.5
        raise InputError(f"无法识别的数字（{text[:40]}）：请写成十进制数", line=node.start_mark.line + 1) from None


for _loader in _LOADERS:
    _loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
    # Dates such as 2023-12-31 stay text: a unit-year is keyed by its integer year, not a date.
    _loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


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


#: PyYAML's commonest complaints, as an analyst should read them.
_PROBLEMS_ZH = (
    (re.compile(r"could not determine a constructor for the tag '([^']*)'"), "不支持的标签 {0}：参数文件不接受 !!python 等标签"),
    (re.compile(r"found unhashable key"), "键不能是列表或映射"),
    (re.compile(r"but found another document"), "一个文件只能有一个 YAML 文档（发现了第二个 ---）"),
    (re.compile(r"found character '\\t' that cannot start any token"), "含有制表符（请用空格缩进）"),
    (re.compile(r"found duplicate anchor"), "锚点重复"),
)


def _chinese_problem(problem: str) -> str:
    for pattern, chinese in _PROBLEMS_ZH:
        match = pattern.search(problem)
        if match:
            return chinese.format(*match.groups())
    return problem


_PYYAML_ONLY = ("\t", "?", "\ufeff")
_GLUED_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _load(loader_class: type, text: str, limits: Limits) -> tuple[Any, Any]:
    loader = loader_class(text, limits)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def loads_yaml(text: str, *, source: str = "<text>", limits: Limits | None = None) -> LoadedYaml:
    """Parse YAML text; a syntax error or an exceeded limit becomes an :class:`InputError`."""
    limits = limits or current()
    if len(text) > limits.max_file_bytes:
        raise InputError(f"内容过大（{len(text)} 个字符，上限 {limits.max_file_bytes}）", file=source)
    try:
        # libyaml reads a tab inside a plain scalar, a "?" key in a flow collection, a BOM inside
        # the text and a comment glued to a block scalar's header (|-#), where PyYAML refuses
        # them: such texts go to PyYAML, so what loads and what fails is PyYAML's (a differential
        # fuzz of mutated params files found no other case).
        fast = (len(_LOADERS) > 1 and not any(char in text for char in _PYYAML_ONLY)
                and not _GLUED_COMMENT.search(text))
        try:
            node, data = _load(_LOADERS[0] if fast else _DecimalLoader, text, limits)
        except (yaml.YAMLError, UnicodeError):  # libyaml's message, or text it cannot encode
            if not fast:
                raise
            node, data = _load(_DecimalLoader, text, limits)  # PyYAML's own message and line
    except InputError as exc:
        raise InputError(exc.message, file=source, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = _chinese_problem(" ".join(str(exc.problem or exc.context or "格式错误").split()))  # one line
        raise InputError(f"YAML 格式错误（{problem}）", file=source, line=line) from None
    except yaml.reader.ReaderError as exc:  # a control character or NUL byte
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise InputError(f"含有不允许的控制字符（#x{exc.character:04x}）", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 格式错误（{' '.join(str(exc).split())}）", file=source) from None
    lines: dict[tuple[object, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return LoadedYaml(data, lines)


def read_input_bytes(path: Path | str, *, root: Path | str | None = None, limits: Limits | None = None) -> bytes:
    """The bytes of an input file, refusing what is not a plain file of bounded size.

    A FIFO, a device, a socket or a folder is refused without blocking (the file is opened
    non-blocking and checked with ``fstat``); with ``root``, a path that resolves (through a
    symlink) outside ``root`` is refused; more than ``max_file_bytes`` is refused before it is read.
    """
    path = Path(path)
    limits = limits or current()
    if root is not None:
        real = Path(os.path.realpath(path))  # never raises, even for a symlink loop
        if not real.is_relative_to(os.path.realpath(root)):
            raise InputError(f"文件指向参数目录之外（{real}），不予读取", file=str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("文件不存在", file=str(path)) from None
    except OSError as exc:
        reason = "符号链接循环" if exc.errno == errno.ELOOP else "权限不足" if exc.errno == errno.EACCES else (
            exc.strerror or str(exc))
        raise InputError(f"无法读取文件（{reason}）", file=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "命名管道（FIFO）" if stat.S_ISFIFO(info.st_mode) else "设备文件" if (
                stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)) else "目录" if stat.S_ISDIR(
                info.st_mode) else "特殊文件"
            raise InputError(f"不是普通文件（{kind}），不予读取", file=str(path))
        if info.st_size > limits.max_file_bytes:
            raise InputError(f"文件过大（{info.st_size} 字节，上限 {limits.max_file_bytes} 字节）", file=str(path))
        chunks, size = [], 0
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError as exc:
                raise InputError(f"无法读取文件（{exc.strerror or exc}）", file=str(path)) from None
            if not chunk:
                break
            size += len(chunk)
            if size > limits.max_file_bytes:  # grew while being read
                raise InputError(f"文件过大（超过 {limits.max_file_bytes} 字节）", file=str(path))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_yaml(path: Path | str, *, root: Path | str | None = None) -> LoadedYaml:
    """Read a UTF-8 YAML file (a BOM is tolerated) under the limits; see :func:`read_input_bytes`."""
    path = Path(path)
    limits = current()
    data = read_input_bytes(path, root=root, limits=limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码的文本（请另存为 UTF-8）", file=str(path)) from None
    return loads_yaml(text, source=str(path), limits=limits)


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


def _writable_problem(folder: Path) -> str | None:
    """Why nothing can be written into ``folder`` (tried with a temporary file), or None."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".evalkit-probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(tmp)
    return None


def ensure_output_dir(path: Path | str) -> Path:
    """The outputs folder, made if missing; a one-line :class:`InputError` if it cannot be written.

    Checked before any work starts: a path that is a file, under a file, on a read-only file
    system or without permission is refused with the reason.
    """
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError("输出位置已存在且不是文件夹", file=str(path), field="--out")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"无法创建输出文件夹（{exc.strerror or exc}）", file=str(path), field="--out") from None
    problem = _writable_problem(path)
    if problem:
        raise InputError(f"输出文件夹不可写（{problem}）", file=str(path), field="--out")
    return path.resolve()


def ensure_output_file(path: Path | str) -> Path:
    """An output file's path, checked like :func:`ensure_output_dir` (its folder made if missing)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InputError("输出位置是文件夹，应为文件名", file=str(path), field="--out")
    if path.exists() and not path.is_file():
        raise InputError("输出位置不是普通文件", file=str(path), field="--out")
    ensure_output_dir(path.parent if str(path.parent) else Path("."))
    return path


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_write(path) as handle:
        handle.write(text)
