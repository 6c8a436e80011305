"""``evalkit synth``: write synthetic params (clearly fictional 示例 units) for scale tests."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from evalkit.synth import write_synthetic

#: From this many units on, progress is shown (a bar on a terminal, plain lines otherwise).
PROGRESS_FROM = 50


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为 {value}")
    return value


def _share(text: str) -> float:
    """A fraction between 0 and 1 (a probability, never a printed figure)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为 0 到 1 之间的小数，实际为“{text}”") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"应为 0 到 1 之间的小数，实际为 {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth",
        help="生成虚构的示例参数，用于规模测试（synthetic params）",
        description=(
            "生成 N 个虚构单位（名称均含“示例”，编号如 synth-00001）、每个 K 个年度的参数文件，"
            "含部门整体与项目支出两类自评、多种指标、未完成与超额完成、调整指标值，"
            "并按比例在报告所列数值中故意放入一处常见错误，供复核功能测试。同一种子生成的文件逐字节相同。"
        ),
        epilog="示例：evalkit synth --units 500 --years 3 --out /tmp/synth --seed 7",
    )
    p.add_argument("--units", type=_positive, required=True, metavar="N", help="单位数")
    p.add_argument(
        "--years", type=_positive, default=3, metavar="K", help="每个单位的年度数（默认 3）"
    )
    p.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="输出目录（应为空目录或不存在）"
    )
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）；相同种子生成相同文件")
    p.add_argument(
        "--start-year", type=int, default=2021, metavar="YEAR", help="第一个年度（默认 2021）"
    )
    p.add_argument(
        "--project-share",
        type=_share,
        default=0.25,
        metavar="P",
        help="项目支出自评所占比例，0–1（默认 0.25；按单位抽取，同一单位各年类型相同）",
    )
    p.add_argument(
        "--error-rate",
        type=_share,
        default=0.1,
        metavar="P",
        help="含一处故意报告错误的单位年度比例，0–1（默认 0.1）",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="允许写入非空目录，覆盖同名文件（不删除其他文件）",
    )
    p.set_defaults(func=cmd_synth)


def _progress(units: int) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback and its closer: tqdm on a terminal, a line per 10% otherwise."""
    if units < PROGRESS_FROM:
        return None, lambda: None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=units, unit="个单位", desc="生成", file=sys.stderr)
        return (lambda done, total: bar.update(1)), bar.close
    step = max(1, units // 10)

    def line(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            print(f"已生成 {done}/{total} 个单位", file=sys.stderr, flush=True)

    return line, lambda: None


def cmd_synth(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    callback, close = _progress(args.units)
    try:
        files = write_synthetic(
            args.out,
            args.units,
            args.years,
            args.seed,
            start_year=args.start_year,
            project_share=args.project_share,
            error_rate=args.error_rate,
            overwrite=args.overwrite,
            progress=callback,
        )
    finally:
        close()
    seconds = time.perf_counter() - started
    unit_years = len(files) - args.units
    print(
        f"已在 {args.out} 生成 {args.units} 个虚构单位、{unit_years} 个单位年度"
        f"（seed={args.seed}），用时 {seconds:.1f} 秒。"
    )
    return 0
