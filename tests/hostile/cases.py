"""Hostile params inputs, as data: each writes one bad year file (or profile) into a unit folder.

Every case names what the one-line error must contain. The same cases run in-process
(``test_inputs.py``) and, under CPU and memory limits, in a subprocess (``test_bounded.py``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PARAMS

YEAR = (PARAMS / "xinshi-rd" / "2023.yaml").read_text(encoding="utf-8")
PROFILE = (PARAMS / "xinshi-rd" / "unit.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]  # given the year file's path (in a copy of xinshi-rd)
    expect: tuple[str, ...]
    file: str = "2023.yaml"  # the file the error must name


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _year(old: str, new: str) -> Callable[[Path], None]:
    assert old in YEAR, old
    return _text(YEAR.replace(old, new, 1))


def _profile(old: str, new: str) -> Callable[[Path], None]:
    assert old in PROFILE, old
    return lambda path: (path.parent / "unit.yaml").write_text(PROFILE.replace(old, new, 1), encoding="utf-8")


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.unlink()
    os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero's numbers, inside params


def _symlink(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.unlink()
        path.symlink_to(target)
    return make


def _loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.with_name("loop.yaml"))
    path.with_name("loop.yaml").symlink_to(path)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)  # 9^10 items once expanded; about 700 bytes
DIGITS = "9" * 400

CASES: list[Case] = [
    # anchors, aliases, merge keys
    Case("alias-bomb", _text(YEAR + BOMB), ("锚点与别名", "2023.yaml:172")),
    Case("anchor", _year("kind: department", "kind: &k department\nkind_again: *k"), ("锚点与别名",)),
    Case("merge-key-alias", _year("budget:\n", "base: &b {initial: 1}\nbudget:\n  <<: *b\n"), ("锚点与别名",)),
    # duplicate keys
    Case("duplicate-top-key", _year("kind: department", "kind: department\nyear: 2023"), ("重复", "第 4 行", "第 6 行")),
    Case("duplicate-budget-actual", _year("  actual: 422.89", "  actual: 422.89\n  actual: 1"), ("“actual”重复",)),
    Case("duplicate-in-indicator", _year("    actual: 96.11", "    actual: 96.11\n    actual: 1"), ("“actual”重复",)),
    Case("duplicate-profile-key", _profile("short_name:", "name: 另一个名称\nshort_name:"), ("“name”重复",), "unit.yaml"),
    # nesting and size
    Case("deep-flow-lists", _text("year: 2023\nx: " + "[" * 50_000 + "]" * 50_000 + "\n"), ("嵌套层数过深",)),
    Case("deep-block-mappings", _text("year: 2023\n" + "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n"), ("嵌套层数过深",)),
    Case("deep-flow-mappings", _text("year: 2023\nx: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"), ("嵌套层数过深",)),
    Case("too-many-nodes", _text("year: 2023\nx: [" + "1," * 60_000 + "1]\n"), ("内容过多",)),
    Case("file-too-large", _text(YEAR + "#" + "x" * (6 * 1024 * 1024) + "\n"), ("文件过大",)),
    # numbers
    Case("400-digit-amount", _year("  actual: 422.89", f"  actual: {DIGITS}"), ("数字位数过多", "400")),
    Case("400-digit-quoted-amount", _year("  actual: 422.89", f'  actual: "{DIGITS}"'), ("数字位数过多",)),
    Case("long-fraction", _year("  actual: 422.89", "  actual: 0." + "0" * 40 + "1"), ("数字位数过多",)),
    Case("huge-exponent", _year("  actual: 422.89", "  actual: 1e999999999"), ("指数过大",)),
    Case("negative-huge-exponent", _year("  actual: 422.89", "  actual: 1e-99999"), ("指数过大",)),
    Case("huge-hex", _year("  actual: 422.89", "  actual: 0x" + "f" * 60), ("数字位数过多",)),
    Case("grouped-huge-number", _year("  actual: 422.89", "  actual: " + "999_" * 20 + "9"), ("数字位数过多",)),
    Case("nan", _year("  actual: 422.89", "  actual: .nan"), ("NaN",)),
    Case("infinity", _year("  actual: 422.89", "  actual: -.inf"), ("无穷大",)),
    # text length
    Case("megabyte-unit-name", _profile("name: 乌鲁木齐", "name: " + "名" * 1_000_000 + "乌鲁木齐"), ("文本过长",), "unit.yaml"),
    Case("long-unit-name", _profile("name: 乌鲁木齐", "name: " + "名" * 300 + "乌鲁木齐"), ("名称过长",), "unit.yaml"),
    Case("long-indicator-name", _year("  - name: ", "  - name: " + "指" * 500), ("名称过长",)),
    Case("long-reason", _year("budget:\n", "deviation_note: " + "因" * 30_000 + "\nbudget:\n"), ("文本过长",)),
    # not a plain file
    Case("fifo", _fifo, ("命名管道",)),
    Case("device-inside-params", _device, ("设备文件",)),
    Case("symlink-to-dev-zero", _symlink("/dev/zero"), ("参数目录之外",)),
    Case("symlink-outside-params", _symlink("/etc/hostname"), ("参数目录之外",)),
    Case("symlink-loop", _loop, ("无法读取",)),
    Case("folder-named-like-a-year", _folder, ("不是普通文件",)),
    Case("dangling-symlink", _symlink("missing-2023.yaml"), ("不存在",)),
    Case("profile-is-a-fifo", lambda path: _fifo(path.parent / "unit.yaml"), ("命名管道",), "unit.yaml"),
    Case("profile-links-outside", lambda path: _symlink("/etc/passwd")(path.parent / "unit.yaml"), ("参数目录之外",), "unit.yaml"),
    # encodings and bytes
    Case("gbk-encoded", _bytes(YEAR.encode("gbk")), ("UTF-8",)),
    Case("utf16", _bytes(YEAR.encode("utf-16")), ("UTF-8",)),
    Case("nul-bytes", _bytes(YEAR.encode() + b"\0\0\0garbage"), ("控制字符", "#x0000")),
    Case("control-character-in-name", _year("  - name: ", "  - name: \x07\x1b[31m"), ("控制字符", "2023.yaml:46")),
    Case("random-binary", _bytes(bytes(range(256)) * 64), ("UTF-8",)),
    # YAML shapes
    Case("python-object-tag", _year("kind: department", "kind: !!python/object/apply:os.system ['true']"), ("不支持的标签", "2023.yaml:5")),
    Case("python-name-tag", _year("kind: department", "kind: !!python/name:os.system"), ("不支持的标签",)),
    Case("binary-tag", _year("kind: department", "kind: !!binary aGVsbG8="), ("kind",)),
    Case("unknown-tag", _year("kind: department", "kind: !evil department"), ("不支持的标签 !evil",)),
    Case("top-level-list", _text("- year: 2023\n"), ("键值映射",)),
    Case("empty-file", _text(""), ("键值映射",)),
    Case("comment-only", _text("# nothing\n"), ("键值映射",)),
    Case("two-documents", _text(YEAR + "\n---\n" + YEAR), ("只能有一个 YAML 文档",)),
    Case("tab-indentation", _year("  actual: 422.89", "\tactual: 422.89"), ("制表符", "2023.yaml:34")),
    Case("unterminated-quote", _year("kind: department", 'kind: "department'), ("YAML 格式错误",)),
    Case("list-as-key", _year("kind: department", "? [a, b]\n: 1\nkind: department"), ("键不能是列表或映射",)),
    Case("year-mismatch", _year("year: 2023", "year: 2024"), ("与文件名",)),
    Case("profile-id-mismatch", _profile("id: xinshi-rd", "id: ../../etc"), ("单位编号",), "unit.yaml"),
    Case("budget-as-text", _year("  actual: 422.89", "  actual: 四百二十二"), ("budget.actual",)),
]
