"""``evalkit audit``: recompute every figure a published report printed and list what is wrong."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evalkit.audit import SEVERITIES, SEVERITY_LABELS, Finding, audit_unit_year, summarise
from evalkit.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK
from evalkit.cli.core import print_problems
from evalkit.errors import InputError, problems_of
from evalkit.inputs.params import LoadedUnitYear, load_unit_year, resolve_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="复核已发布报告中的数字与输入（audit a published report）",
        description=(
            "按评分规则重算报告所列的每个数字（完成率、指标得分、预算执行率及其得分、预算调整率、"
            "总分、等级），检查输入是否自洽（预算合计、分值合计、人员），并列出政策问题（未说明偏差"
            "原因、未写明调整指标值等）。有“错误”级问题时退出码为 1，输入有误时为 2。"
        ),
        epilog="例如：evalkit audit params/xinshi-rd/2023.yaml；问题代码见 docs/audit.md",
    )
    p.add_argument("paths", nargs="*", default=["params"], metavar="PATH",
                   help="年度文件、单位文件夹或参数目录（默认 params）")
    p.add_argument("--rulebook", metavar="NAME|FILE",
                   help="评分规则名称或规则文件路径（默认取年度文件中的 rulebook）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--no-fail", action="store_true", help="有“错误”级问题时也以 0 退出")
    p.set_defaults(func=cmd_audit)


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{SEVERITY_LABELS[s]} {counts[s]} 项" for s in SEVERITIES)


def _heading(loaded: LoadedUnitYear) -> str:
    year = loaded.year
    what = f"“{year.project.name}”项目支出" if year.project is not None else "部门整体支出"
    return (
        f"{loaded.profile.name} {year.year} 年度{what}绩效自评"
        f"（{loaded.ref.path}；规则：{loaded.rulebook.title}）"
    )


def _print_human(results: list[tuple[LoadedUnitYear, list[Finding]]]) -> None:
    for loaded, findings in results:
        print(_heading(loaded))
        if not findings:
            print("  未发现问题。")
        for f in findings:
            print(f"  [{f.severity_label}] {f.code}  {f.message}")
        print(f"  小计：{_counts(summarise(findings))}")
        print()
    everything = [f for _, findings in results for f in findings]
    print(f"复核 {len(results)} 个单位年度：{_counts(summarise(everything))}。")


def _as_json(results: list[tuple[LoadedUnitYear, list[Finding]]]) -> dict[str, object]:
    everything = [f for _, findings in results for f in findings]
    return {
        "unit_years": [
            {
                "unit_id": loaded.profile.id,
                "unit_name": loaded.profile.name,
                "year": loaded.year.year,
                "path": str(loaded.ref.path),
                "rulebook": loaded.rulebook.name,
                "summary": summarise(findings),
                "findings": [f.as_dict() for f in findings],
            }
            for loaded, findings in results
        ],
        "summary": summarise(everything),
    }


def cmd_audit(args: argparse.Namespace) -> int:
    """Audit every unit-year; a file that cannot be loaded is listed with all its problems and
    the audit goes on to the next one (exit 2 when any file failed)."""
    results: list[tuple[LoadedUnitYear, list[Finding]]] = []
    failed: list[tuple[str, InputError]] = []
    for raw in args.paths:
        try:
            refs = resolve_path(Path(raw))
        except InputError as exc:
            failed.append((raw, exc))
            continue
        for ref in refs:
            try:
                loaded = load_unit_year(ref, rulebook=args.rulebook)
            except InputError as exc:
                failed.append((str(ref.path), exc))
                continue
            results.append((loaded, audit_unit_year(loaded)))
    for _, exc in failed:
        print_problems(exc)
    if args.json:
        out = _as_json(results)
        out["failed"] = [
            {"path": path, "problems": [str(p) for p in problems_of(exc)]} for path, exc in failed
        ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print_human(results)
        if failed:
            print(f"另有 {len(failed)} 个文件无法读取，未复核（问题见上）。")
    if failed:
        return EXIT_INPUT
    errors = sum(summarise(findings)["error"] for _, findings in results)
    return EXIT_FAILED if errors and not args.no_fail else EXIT_OK
