"""``evalkit import-xlsx`` and ``evalkit export-xlsx``: self-evaluation tables in Excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evalkit.core.figures import fmt
from evalkit.errors import InputError
from evalkit.labels import KIND_TITLES


def register(sub: argparse._SubParsersAction) -> None:
    from evalkit.inputs.excel.layouts import LAYOUTS

    layouts = "；".join(f"{lay.name}：{lay.title}" for lay in LAYOUTS)
    p = sub.add_parser(
        "import-xlsx",
        help="从 Excel 自评表导入参数文件（import self-evaluation workbooks）",
        description=(
            "读取预算管理一体化系统导出或手工填写的绩效自评表（.xlsx、旧版 .xls 或 .ods），每个工作表生成一个单位年度："
            "<输出目录>/<单位编号>/unit.yaml 与 <年度>.yaml。按标题文字定位各区块，按表头识别列的顺序，"
            "合并单元格自动向下填充；表中所列得分、总分记为 reported，供复核对照。"
            "读不准的地方（金额单位不一致、两列同名、百分数写法不明、比较符无法识别、合并的分值跨指标）"
            "宁可不读，列出每个有问题的单元格；隐藏的行列不读取并提示。"
            "某个工作表读不了时报告文件、工作表与单元格，其余工作表照常导入；有失败时退出码为 1。"
            f"支持的表格样式：{layouts}。"
        ),
        epilog="例：evalkit import-xlsx 自评表.xlsx --out params/    evalkit import-xlsx a.xlsx b.xlsx --overwrite",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="一个或多个工作簿（.xlsx、.xls、.ods）")
    p.add_argument("--out", default="params", metavar="DIR", help="参数目录（默认 params）")
    p.add_argument("--overwrite", action="store_true",
                   help="覆盖已存在且内容不同的参数文件（默认不覆盖）；表格没有的内容（项目、重点工作、文字部分等）保留，并列出将丢弃的栏目")
    p.add_argument("--year", type=int, metavar="YYYY", help="年度（标题中没有“（2023年度）”时使用；指定时优先）")
    p.add_argument("--unit-id", metavar="ID", help="单位编号（只导入一个工作表时可用；默认按项目名称与实施单位生成）")
    p.add_argument("--layout", choices=[lay.name for lay in LAYOUTS], metavar="NAME",
                   help="指定表格样式（默认自动识别）：" + "、".join(lay.name for lay in LAYOUTS))
    p.add_argument("--rulebook", metavar="NAME|FILE", help="评分规则（默认按表格样式选择）")
    p.add_argument("--dry-run", action="store_true", help="只检查与汇总，不写文件")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export-xlsx",
        help="把评分结果导出为 Excel 自评表（export results to a workbook）",
        description=(
            "按全国通用项目支出绩效自评表的格式，每个单位年度一个工作表：项目资金、绩效指标、总分，"
            "重算得分与报告所列得分并列；另有“复核发现”工作表。已设置列宽、合并表头、数字格式、"
            "A4 横向打印与打印标题行。"
        ),
        epilog="例：evalkit export-xlsx params --out outputs/自评结果.xlsx",
    )
    p.add_argument("paths", nargs="*", default=["params"], metavar="PATH",
                   help="年度文件、单位文件夹或参数目录（默认 params）")
    p.add_argument("--out", default="outputs/results.xlsx", metavar="FILE",
                   help="输出的 .xlsx 文件（默认 outputs/results.xlsx）")
    p.add_argument("--rulebook", metavar="NAME|FILE", help="评分规则（默认取各年度文件中的 rulebook）")
    p.set_defaults(func=cmd_export)


def _err(message: object) -> None:
    print(f"错误：{message}", file=sys.stderr)


def write_sheet(sheet, args: argparse.Namespace, targets: dict[tuple[str, int], str]):
    """Write one imported unit-year to ``args.out``; ``None`` (with the reason printed) when not written.

    A second sheet for a unit and year already written in this run is refused, not overwritten.
    Shared by ``import-xlsx`` and ``import``.
    """
    from evalkit.inputs.excel.importer import write_import

    key = (sheet.unit_id, sheet.year)
    if key in targets:
        _err(f"{sheet.where}: 与 {targets[key]} 是同一单位编号 {sheet.unit_id} 的同一年度 {sheet.year}，未导入")
        return None
    targets[key] = sheet.where
    try:
        return write_import(sheet, Path(args.out), overwrite=args.overwrite, dry_run=args.dry_run)
    except InputError as exc:
        _err(exc)
        return None


def score_summary(sheet, printed_in: str) -> str:
    """``重算总分 91.73（优），表中 91.73（优）``: the recomputed total beside the printed one."""
    printed = sheet.year_data.get("reported", {})
    score = "无法评分" if sheet.total is None else f"重算总分 {fmt(sheet.total, sheet.total_dp)}（{sheet.grade}）"
    if printed.get("total") is not None:
        score += f"，{printed_in} {fmt(printed['total'])}" + (f"（{printed['grade']}）" if printed.get("grade") else "")
    return score


def _check_out_dir(out: Path) -> None:
    """A bad ``--out`` is one line before any work: a file, or a folder that cannot be made or written."""
    import os

    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} 不是文件夹（是一个文件）；请给出参数目录")
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise InputError(f"--out {out} 无法创建：{probe} 不是文件夹")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"--out {out} 无法写入：没有 {probe} 的写权限")


def cmd_import(args: argparse.Namespace) -> int:
    from evalkit.inputs.excel.importer import import_workbook, with_unit_id
    from evalkit.inputs.excel.layouts import get_layout

    layout = get_layout(args.layout) if args.layout else None
    if args.rulebook:
        from evalkit.core.rulebook import load_rulebook

        load_rulebook(args.rulebook)  # a bad name is an input error before any file is read
    _check_out_dir(Path(args.out))  # before any work
    sheets, failed, notes = [], 0, []
    for raw in args.files:
        try:
            result = import_workbook(
                Path(raw),
                display=raw,
                layout=layout,
                year=args.year,
                rulebook=args.rulebook,
                params_dir=Path(args.out),
            )
        except InputError as exc:
            _err(exc)
            failed += 1
            continue
        for exc in result.errors:
            _err(exc)
        failed += result.failed
        sheets.extend(result.sheets)
        notes.extend(result.notes)
    if args.unit_id:
        if len(sheets) != 1:
            raise InputError(f"--unit-id 只能用于只导入一个工作表的情况，这里有 {len(sheets)} 个工作表可导入")
        sheets = [with_unit_id(sheets[0], args.unit_id)]
    imported = warnings = 0
    targets: dict[tuple[str, int], str] = {}
    for sheet in sheets:
        outcome = write_sheet(sheet, args, targets)
        if outcome is None:
            failed += 1
            continue
        imported += 1
        verb = "将写入" if args.dry_run else "已导入"
        year_file = Path(args.out) / sheet.unit_id / f"{sheet.year}.yaml"
        kind = KIND_TITLES.get(sheet.kind, sheet.kind)
        score = score_summary(sheet, "表中")
        state = "" if outcome.written else "（内容相同，未改动）"
        print(
            f"{verb} {sheet.where} → {year_file}{state}"
            f"（{kind}，样式 {sheet.layout.name}，规则 {sheet.year_data['rulebook']}；{score}）"
        )
        for warning in (*sheet.warnings, *outcome.notes):
            print(f"  警告：{warning}")
        warnings += len(sheet.warnings) + len(outcome.notes)
    for note in notes:
        print(f"  说明：{note}")
    print(f"共导入 {imported} 个工作表，失败 {failed} 个，警告 {warnings} 条。")
    if warnings:
        print("提示：有警告的单位年度请用 evalkit validate 检查。")
    return 1 if failed or not imported else 0


def cmd_export(args: argparse.Namespace) -> int:
    from evalkit.inputs.params import load_unit_year, resolve_path
    from evalkit.inputs.yamlio import ensure_output_file
    from evalkit.publish.workbook import export_workbook

    ensure_output_file(args.out)  # a folder, a read-only place: one line before any work
    loaded, failed = [], 0
    for raw in args.paths:
        try:
            refs = resolve_path(Path(raw))
        except InputError as exc:
            _err(exc)
            failed += 1
            continue
        for ref in refs:
            try:
                item = load_unit_year(ref, rulebook=args.rulebook)
                item.evaluate()
            except InputError as exc:
                _err(exc)
                failed += 1
                continue
            loaded.append(item)
    if not loaded:
        _err("没有可导出的单位年度")
        return 2 if not failed else 1
    summary = export_workbook(loaded, Path(args.out), rulebook=args.rulebook)
    print(f"已写入 {args.out}：{len(loaded)} 个单位年度，复核发现 {summary.findings} 条。")
    if summary.note:
        print(f"  说明：{summary.note}")
    if failed:
        print(f"另有 {failed} 个无法导出（见上）。")
    return 1 if failed else 0
