"""``evalkit import``: published self-evaluations in any format (Word, PDF, HTML, text, Excel).

``import-xlsx`` (:mod:`evalkit.cli.excel`) stays for workbooks; ``import`` takes them too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="从已发布的自评报告或自评表导入参数文件：Word、PDF、网页、文本、Excel（import published files）",
        description=(
            "按文件内容（而非扩展名）识别格式：Word .docx、有文字层的 PDF、网页 HTML、Excel .xlsx、"
            "文本 .txt。表格按与 Excel 相同的方式读取（合并单元格、跨页表格拼接、重复表头去除）；"
            "没有自评表时按参照报告的文字格式（“该指标预期指标值为…自评得分…分”）读取。"
            "每个值都记住出处（单元格，或页与行）；读不出的单元格记为未印出（unknown），不作猜测；"
            "每个文件输出一段提取说明。扫描件（没有文字层）与字体乱码的 PDF 会被拒绝并说明原因。"
            "有失败时退出码为 1。"
        ),
        epilog="例：evalkit import 报告.docx 自评表.pdf 公开页面.html --out params/",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="一个或多个文件")
    p.add_argument("--out", default="params", metavar="DIR", help="参数目录（默认 params）")
    p.add_argument("--overwrite", action="store_true", help="覆盖已存在且内容不同的参数文件（默认不覆盖）")
    p.add_argument("--year", type=int, metavar="YYYY", help="年度（文件中没有年度时使用；指定时优先）")
    p.add_argument("--rulebook", metavar="NAME|FILE", help="评分规则（默认按表格样式选择）")
    p.add_argument("--dry-run", action="store_true", help="只检查与汇总，不写文件")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "audit-folder",
        help="批量复核一个文件夹中已发布的自评报告（audit a folder of published files）",
        description=(
            "导入文件夹（含子文件夹）中的每个文件（Word、PDF、网页、文本、Excel），按评分规则重算并复核，"
            "写出：结果表 results.csv / results.parquet（文件、单位、年度、报告所列与重算的总分和等级、"
            "错误与警告数、提取是否完整），汇总页 index.html（等级会改变的报告在前，其次是有错误的报告，"
            "每个都链接到复核意见页 reviews/<n>.html）。多进程并行；增量：内容未变的文件不再读取"
            "（manifest.json 记录内容哈希）。有无法读取的文件或有“错误”级问题时退出码为 1。"
        ),
        epilog="例：evalkit audit-folder 公开报告/ --out 复核结果/ --jobs 2",
    )
    p.add_argument("folder", metavar="DIR", help="存放已发布报告的文件夹")
    p.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认 CPU 核数）")
    p.add_argument("--force", action="store_true", help="全部重新读取（忽略 manifest）")
    p.add_argument("--rulebook", metavar="NAME|FILE", help="评分规则（默认按各文件的表格样式选择）")
    p.add_argument("--no-opinions", action="store_true",
                   help="不生成正式的复核意见文件（只写复核过程页，约快一半）")
    p.add_argument("--no-fail", action="store_true", help="有“错误”级问题时也以 0 退出")
    p.set_defaults(func=cmd_audit_folder)


def _err(message: object) -> None:
    print(f"错误：{message}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from evalkit.cli.excel import score_summary, write_sheet
    from evalkit.inputs.readers.importing import import_file

    if args.rulebook:
        from evalkit.core.rulebook import load_rulebook

        load_rulebook(args.rulebook)
    imported = failed = 0
    targets: dict[tuple[str, int], str] = {}
    for raw in args.files:
        try:
            result = import_file(Path(raw), display=raw, year=args.year, rulebook=args.rulebook)
        except InputError as exc:
            _err(exc)
            failed += 1
            continue
        print(f"{raw}（{result.reader}）")
        for line in result.note:
            print(f"  提取：{line}")
        for exc in result.errors:
            _err(exc)
        failed += len(result.errors)
        for sheet in result.sheets:
            outcome = write_sheet(sheet, args, targets)
            if outcome is None:
                failed += 1
                continue
            imported += 1
            score = score_summary(sheet, "报告所列")
            verb = "将写入" if args.dry_run else "已导入"
            state = "" if outcome.written else "（内容相同，未改动）"
            print(f"  {verb} → {Path(args.out) / sheet.unit_id / f'{sheet.year}.yaml'}{state}（{score}）")
            for warning in (*sheet.warnings, *outcome.notes):
                print(f"  警告：{warning}")
    print(f"共导入 {imported} 个单位年度，失败 {failed} 个。")
    return 1 if failed or not imported else 0


def cmd_audit_folder(args: argparse.Namespace) -> int:
    from evalkit.batch.folder import audit_folder

    if args.rulebook:
        from evalkit.core.rulebook import load_rulebook

        load_rulebook(args.rulebook)
    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs 应为正整数")
    summary = audit_folder(
        Path(args.folder), Path(args.out), jobs=args.jobs, force=args.force, rulebook=args.rulebook,
        opinions=not args.no_opinions,
    )
    rows = summary.rows
    changes = [r for r in rows if r.get("grade_changes")]
    errors = sum(r.get("errors") or 0 for r in rows)
    print(
        f"复核 {len({r['file'] for r in rows})} 个文件（新读取 {summary.read} 个，未变化沿用 {summary.reused} 个），"
        f"{sum(1 for r in rows if r.get('status') != '无法读取')} 个单位年度：等级会改变 {len(changes)} 个，"
        f"错误 {errors} 项，无法读取 {sum(1 for r in rows if r.get('status') == '无法读取')} 个；用时 {summary.seconds:.1f} 秒。"
    )
    for row in changes:
        print(f"  等级会改变：{row['file']}：报告所列 {row['printed_total']}（{row['printed_grade']}），重算 {row['recomputed_total']}（{row['recomputed_grade']}）")
    for row in rows:
        if row.get("status") == "无法读取":
            print(f"  无法读取：{row['file']}：{row.get('problem')}")
    print(f"汇总页：{Path(args.out) / 'index.html'}；结果表：{Path(args.out) / 'results.csv'}")
    failed = any(r.get("status") == "无法读取" for r in rows)
    return 1 if failed or (errors and not args.no_fail) else 0
