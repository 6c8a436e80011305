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

from .. import __version__
from ..errors import EvalkitError

#: Command modules listed first, in this order, in ``--help``; any other module in this package
#: that defines ``register(subparsers)`` follows, alphabetically.
FIRST = ("core", "build", "audit")


def command_modules() -> list[str]:
    """Every module of this package with a ``register`` function: one module per command group."""
    names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    ordered = [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)
    return [f"{__name__}.{n}" for n in ordered]

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="预算绩效自评：评分、复核与报告生成（budget performance self-evaluation）。",
        epilog="每个子命令都有 --help，例如：evalkit score --help",
    )
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return int(args.func(args) or 0)
    except EvalkitError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
