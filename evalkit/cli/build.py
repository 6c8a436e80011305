"""``evalkit build``: reports for every unit-year, in parallel, incrementally; the site index."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--jobs 0`` and ``--jobs -3`` are refused)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，实际为“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为整数且至少为 1，实际为 {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正数，实际为“{text}”") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"应为正数，实际为 {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="生成 HTML 报告、索引页与结果表（build reports）",
        description=(
            "对参数目录中的每个单位年度运行报告笔记本（papermill），转换为离线 HTML，写入 "
            "<输出目录>/<年度>/<单位编号>.html（自评报告）与 <单位编号>.review.html（复核意见），--format 加 pdf、docx 时另生成同名的 .pdf 与 .docx；并生成 index.html、results.parquet 与 results.csv。"
            "输入、评分规则、笔记本或 evalkit 版本未变的单位年度不会重复生成。"
        ),
    )
    p.add_argument("--params", default="params", metavar="DIR", help="参数目录（默认 params）")
    p.add_argument("--out", default="outputs", metavar="DIR", help="输出目录（默认 outputs）")
    p.add_argument("--unit", metavar="ID", help="只生成该单位")
    p.add_argument("--year", type=int, metavar="Y", help="只生成该年度")
    p.add_argument("--rulebook", metavar="NAME|FILE", help="用此评分规则代替年度文件中的规则")
    p.add_argument("--force", action="store_true", help="全部重新生成，不跳过未变化的单位年度")
    p.add_argument("--jobs", "-j", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                   help="并行进程数（默认 CPU 核数）")
    p.add_argument("--timeout", type=positive_float, default=600, metavar="SECONDS",
                   help="单份报告的超时秒数（默认 600）")
    p.add_argument("--fresh-kernel", action="store_true",
                   help="每份报告使用新的内核（更隔离，更慢；默认每个进程复用一个内核并在报告间清空变量）")
    p.add_argument("--shared-css", action="store_true",
                   help="报告引用 assets/report.css，而不是各自内嵌样式")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local：本机进程池（默认）；dask：提交到 Dask 集群")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask 调度器地址，如 tcp://10.0.0.5:8786")
    p.add_argument("--batch-size", type=positive_int, default=50, metavar="N",
                   help="Dask 模式下每个任务包含的单位年度数（默认 50）")
    p.add_argument("--format", default="html", metavar="FORMATS",
                   help="输出格式，逗号分隔：html、pdf、docx（默认 html）；每个单位年度生成自评报告与复核意见两份文件")
    p.add_argument("--notebook", metavar="FILE", help="报告模板笔记本（默认 notebooks/report.ipynb）")
    p.add_argument("--quiet", "-q", action="store_true", help="不显示进度，只输出汇总")
    p.set_defaults(func=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    from evalkit.batch.run import run_build
    from evalkit.report.document import parse_formats

    formats = parse_formats(args.format)

    summary = run_build(
        Path(args.params),
        Path(args.out),
        unit=args.unit,
        year=args.year,
        rulebook=args.rulebook,
        force=args.force,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        batch_size=args.batch_size,
        timeout=args.timeout,
        fresh_kernel=args.fresh_kernel,
        shared_css=args.shared_css,
        quiet=args.quiet,
        notebook=Path(args.notebook) if args.notebook else None,
        formats=formats,
    )
    from evalkit.errors import one_line

    for problem in summary.warnings:
        print(f"  注意：{one_line(problem)}", file=sys.stderr)
    if summary.stopped:
        print(f"已中断：新生成 {len(summary.built)} 份，未完成 {len(summary.interrupted)} 份，"
              f"失败 {len(summary.failed)} 份；已完成的报告已保留，再次运行将继续。输出目录：{args.out}",
              file=sys.stderr)
        return 130
    print(
        f"完成：新生成 {len(summary.built)} 份，跳过（未变化）{len(summary.skipped)} 份，"
        f"失败 {len(summary.failed)} 份，用时 {summary.seconds:.1f} 秒。输出目录：{args.out}"
    )
    if summary.disk_full:
        unpublished = "；索引与结果表未能更新" if summary.publish_error else ""
        print(f"错误：输出磁盘已满，构建已停止开始新的单位年度{unpublished}；请腾出空间后重新运行：{args.out}",
              file=sys.stderr)
    elif summary.publish_error:
        print(f"错误：{summary.publish_error}", file=sys.stderr)
    for result in summary.failed:
        year = f" {result.year}" if result.year else ""  # 0: a folder-level problem
        print(f"  失败：{one_line(result.unit_id)}{year}：{one_line(result.error)}", file=sys.stderr)
    return 0 if summary.ok else 1
