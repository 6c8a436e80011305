"""``evalkit validate``, ``score``, ``schema`` and ``rulebooks``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evalkit.core.figures import fmt
from evalkit.core.rulebook import available_rulebooks
from evalkit.core.scoring import Evaluation
from evalkit.errors import InputError, problems_of
from evalkit.inputs.params import PROFILE_FILE, load_unit_year, resolve_path, scan


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="检查参数文件是否完整、正确（validate params）",
        description="检查参数文件：字段、数字、单位、权重合计、评分规则。每个问题一行，指出文件与字段。",
    )
    p.add_argument("paths", nargs="*", default=["params"], metavar="PATH",
                   help="年度文件、单位文件夹或参数目录（默认 params）")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "score",
        help="计算一个单位年度的得分与等级（score one unit-year）",
        description="按评分规则计算完成率、各指标得分、预算执行率得分、总分与等级。",
    )
    p.add_argument("path", metavar="PATH", help="年度文件，例如 params/xinshi-rd/2023.yaml")
    p.add_argument("--rulebook", metavar="NAME|FILE",
                   help="评分规则名称或规则文件路径（默认取年度文件中的 rulebook）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "schema",
        help="输出参数文件的 JSON Schema（for editors）",
        description="输出年度文件（默认）或单位文件的 JSON Schema，供编辑器在输入 YAML 时校验。",
    )
    p.add_argument("--profile", action="store_true", help="输出单位文件 unit.yaml 的 Schema")
    p.add_argument("--markdown", action="store_true",
                   help="改为输出全部字段的 Markdown 说明（即 docs/params.md 的生成部分）")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("rulebooks", help="列出内置评分规则（list rulebooks）",
                       description="列出随 evalkit 提供的评分规则名称与标题。")
    p.set_defaults(func=cmd_rulebooks)


def cmd_validate(args: argparse.Namespace) -> int:
    problems = checked = 0
    for raw in args.paths:
        try:
            refs, found = _discover_for_validate(Path(raw))
        except InputError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            problems += 1
            continue
        for problem in found:  # bad folder names, two files for one year, stray files: never silent
            if problem.fatal:
                print(f"错误：{problem}", file=sys.stderr)
                problems += 1
            else:
                print(f"注意：{problem}", file=sys.stderr)
        for ref in refs:
            checked += 1
            try:
                evaluation = load_unit_year(ref).evaluate()
            except InputError as exc:
                print_problems(exc)
                problems += 1
            else:
                extra = "" if evaluation.graded else f"（{_status_text(evaluation)}）"
                print(f"通过：{ref.path}{extra}")
    print(f"共检查 {checked} 个单位年度，{problems} 个有问题。")
    return 0 if problems == 0 and checked else 2


def _discover_for_validate(path: Path) -> tuple[list, list]:
    """The unit-years at ``path`` and, for a folder, every problem found on the way (:func:`scan`)."""
    if path.is_dir() and not path.is_symlink():
        if (path / PROFILE_FILE).exists():
            found = scan(path.parent, unit=path.name)
        else:
            found = scan(path)
        return found.refs, found.problems
    return resolve_path(path), []


def print_problems(exc: InputError) -> None:
    """Every problem an error carries, one ``错误：file:line: field: problem`` line each."""
    for problem in problems_of(exc):
        print(f"错误：{problem}", file=sys.stderr)


def _status_text(e: Evaluation) -> str:
    if e.total_status == "not_computable":
        return f"总分无法计算：{'；'.join(e.missing)}"
    return f"部分得分，未计入：{'；'.join(e.missing)}"


def cmd_score(args: argparse.Namespace) -> int:
    refs = resolve_path(Path(args.path))
    if len(refs) != 1:
        raise InputError(f"score 需要一个年度文件，这里有 {len(refs)} 个", file=args.path)
    evaluation = load_unit_year(refs[0], rulebook=args.rulebook).evaluate()
    if args.json:
        print(json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=2))
        return 0
    e = evaluation
    print(f"{e.unit.name}  {e.year.year} 年度{e.kind_label}绩效自评（规则：{e.rulebook.title}）")
    weight = fmt(e.execution_weight) if e.execution_weight is not None else "未印出"
    print(f"  预算执行率 {e.execution_rate.text()}，分值 {weight}，得分 {e.execution_score.text()}")
    for s in e.indicators:
        score = "不适用" if s.score is None else s.score.text()
        weight = fmt(s.weight) if s.weight is not None else "未印出"
        print(f"  {s.name}：完成率 {s.completion.text()}，分值 {weight}，得分 {score}")
        for flag in s.flags:
            print(f"      · {flag}")
    print(f"  总分 {e.total.text()}，等级 {e.grade}")
    if not e.graded:
        print(f"  {_status_text(e)}")
    rep = e.year.reported
    if rep is not None and rep.total is not None and e.graded and rep.total != e.total.value:
        print(f"  报告所列总分 {fmt(rep.total)}（{rep.grade or '—'}），与重算结果不同")
    elif rep is not None and rep.total is not None and not e.graded:
        print(f"  报告所列总分 {fmt(rep.total)}（{rep.grade or '—'}）无法与部分得分比较")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from evalkit.core.models import UnitProfile, UnitYear

    if args.markdown:
        from evalkit.inputs.schema_doc import params_reference

        print(params_reference(), end="")
        return 0
    model = UnitProfile if args.profile else UnitYear
    print(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))
    return 0


def cmd_rulebooks(args: argparse.Namespace) -> int:
    for name, title in available_rulebooks().items():
        print(f"{name:24} {title}")
    return 0
