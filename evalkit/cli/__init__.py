"""The ``evalkit`` command line: one module per group of commands, registered here.

Every command has ``--help``; input problems print one Chinese line naming the file and field
and exit 2; a run in which anything failed exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from evalkit import __version__
from evalkit.errors import EvalkitError, one_line

#: Command modules listed first, in this order, in ``--help``; any other module in this package
#: that defines ``register(subparsers)`` follows, alphabetically.
FIRST = ("core", "build", "audit")


def command_modules() -> list[str]:
    """Every module of this package with a ``register`` function: one module per command group."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    ordered = [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)
    return [f"{__name__}.{n}" for n in ordered]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2

# argparse's own words, as an analyst should read them.
_ARGPARSE_ZH = (
    ("the following arguments are required", "缺少必需的参数"),
    ("unrecognized arguments", "无法识别的参数"),
    ("invalid choice", "无效的选项"),
    ("choose from", "可选"),
    ("invalid int value", "应为整数"),
    ("invalid float value", "应为数字"),
    ("expected one argument", "需要一个值"),
    ("not allowed with argument", "不能与此参数同时使用"),
    ("argument ", "参数 "),
)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, help line and errors are in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "用法：", 1)

    def error(self, message: str):
        for english, chinese in _ARGPARSE_ZH:
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"错误：{message}（用 {self.prog} --help 查看说明）\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="evalkit",
        description="预算绩效自评：评分、复核与报告生成（budget performance self-evaluation）。",
        epilog="每个子命令都有 --help，例如：evalkit score --help",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}", help="显示版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="<命令>", title="命令", parser_class=ChineseArgumentParser)
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors are one Chinese line on stderr, never a traceback for input or I/O."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_INPUT
        return int(args.func(args) or 0)
    except EvalkitError as exc:
        for line in str(exc).splitlines() or [""]:  # several problems: one line each
            print(f"错误：{one_line(line)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a vanished folder: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"错误：{one_line(where)}{one_line(exc.strerror or exc)}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
