"""``evalkit import``: published self-evaluations in any format (Word, PDF, HTML, text, Excel).

``import-xlsx`` (:mod:`evalkit.cli.excel`) stays for workbooks; ``import`` takes them too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.core.figures import fmt
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


def _err(message: object) -> None:
    print(f"错误：{message}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from evalkit.inputs.excel.importer import write_import
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
            key = (sheet.unit_id, sheet.year)
            if key in targets:
                _err(f"{sheet.where}: 与 {targets[key]} 是同一单位编号 {sheet.unit_id} 的同一年度 {sheet.year}，未导入")
                failed += 1
                continue
            targets[key] = sheet.where
            try:
                outcome = write_import(sheet, Path(args.out), overwrite=args.overwrite, dry_run=args.dry_run)
            except InputError as exc:
                _err(exc)
                failed += 1
                continue
            imported += 1
            printed = sheet.year_data.get("reported", {})
            score = "无法评分" if sheet.total is None else f"重算总分 {fmt(sheet.total, sheet.total_dp)}（{sheet.grade}）"
            if printed.get("total") is not None:
                score += f"，报告所列 {fmt(printed['total'])}" + (f"（{printed['grade']}）" if printed.get("grade") else "")
            verb = "将写入" if args.dry_run else "已导入"
            state = "" if outcome.written else "（内容相同，未改动）"
            print(f"  {verb} → {Path(args.out) / sheet.unit_id / f'{sheet.year}.yaml'}{state}（{score}）")
            for warning in (*sheet.warnings, *outcome.notes):
                print(f"  警告：{warning}")
    print(f"共导入 {imported} 个单位年度，失败 {failed} 个。")
    return 1 if failed or not imported else 0
