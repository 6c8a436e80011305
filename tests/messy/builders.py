"""Builders of messy self-evaluation sheets, each returning the sheet and the truth.

One national-style form (or the national 部门整体 form) with switches for the quirks clerks
produce: the money unit stated in the title, anchor or header; hidden or duplicated columns and
hidden rows; percentages formatted ``%`` or typed as fractions; operator variants; two- and
three-row headers; the year low in the title or in full-width or Chinese digits; a 分值 merged
over a 二级 group, or points on the 一级 labels only; a grade in one cell; no execution weight;
unprinted cells. The truth is what the importer must produce (amounts in 万元, percentages in
percent), written down from the builder's own data, never from the importer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from .sheet import Sheet

D = Decimal
PROJECT = "职业技能培训项目"
DEPARTMENT = "某市人力资源和社会保障局"
IMPLEMENTER = "某市职业技能培训中心"


@dataclass(frozen=True)
class Ind:
    """An indicator row: what the sheet shows (``*_cell``) and what it means."""

    l1: str
    l2: str
    name: str
    target_cell: Any
    op: str
    target: Any
    unit: str
    actual_cell: Any
    actual: Any
    weight: Decimal | None
    score: Decimal | None
    actual_fmt: str | None = None
    target_fmt: str | None = None
    hidden: bool = False
    op_printed: bool = True
    placeholder: bool = False  # a row with only a name (“……”): no indicator


def indicators() -> list[Ind]:
    return [
        Ind("产出指标", "数量指标", "培训人次", "≥500人次", ">=", D(500), "人次", 480, D(480), D(20), D("19.2")),
        Ind("产出指标", "质量指标", "培训合格率", "≥95%", ">=", D(95), "%", "96%", D(96), D(15), D(15)),
        Ind("产出指标", "时效指标", "按时完成率", "=100%", "=", D(100), "%", "100%", D(100), D(5), D(5)),
        Ind("产出指标", "成本指标", "培训成本", "≤90万元", "<=", D(90), "万元", 85, D(85), D(10), D(10)),
        Ind("效益指标", "社会效益指标", "参训人员能力提升", "达成预期指标", "qualitative", "达成预期指标", "",
            "达成预期指标", "达成预期指标", D(30), D(30)),
        Ind("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", ">=", D(90), "%", "93%", D(93), D(10), D(10)),
    ]


#: (name, initial, final, actual) in 万元: the total row, then the 其中 rows.
FUNDS = ("年度资金总额", D(100), D(120), D(114))
SOURCES = [("当年财政拨款", D(100), D(110), D(105)), ("上年结转资金", D(0), D(10), D(9))]
SPLIT = [("基本支出", D(40), D(45), D(44)), ("项目支出", D(60), D(75), D(70))]
_UNIT_FACTOR = {"万元": D(1), "元": D(10000), "千元": D(10)}


@dataclass
class Spec:
    """The switches; defaults give a clean national project sheet."""

    offset: int = 0
    year_text: str = "（2023年度）"
    unit_where: str | None = None  # "title", "title-cell" (in the title's own cell), "anchor" or "header"
    unit: str = "万元"  # the unit the amounts are written in
    unit_text: str = ""  # the statement, e.g. "单位：元"
    conflict_unit: bool = False  # the anchor says 万元 while the title says the unit above
    funds_weight: bool = True
    header_rows: int = 1
    extra_col: str | None = None  # "hidden" or "visible": a second 实际完成值 column (last year's)
    inds: list[Ind] = field(default_factory=indicators)
    merged_weight: tuple[str, ...] = ()  # names sharing one merged 分值 / 得分 cell
    level_points: bool = False  # no 分值 column; points on the 一级 labels
    level2_points: bool = False  # no 分值 column; points on the 二级 labels (湖北-style)
    unit_col: bool = False  # a 计量单位 column after 三级指标
    grade_cell: str | None = None  # e.g. "自评等级：优" below the total row
    dept: bool = False
    total: Decimal = D("98.7")
    extra_info: tuple[tuple[str, str], ...] = ()  # more label rows (评分规则 …)


def _money(value: Decimal, unit: str) -> Any:
    written = value * _UNIT_FACTOR[unit]
    return int(written) if written == written.to_integral_value() else float(written)


def build(spec: Spec) -> Sheet:
    """The sheet the spec describes."""
    ws = Sheet()
    r = 1 + spec.offset
    last = 9
    title = "部门整体支出绩效自评表" if spec.dept else "项目支出绩效自评表"
    if spec.unit_where == "title-cell":
        title += f"（{spec.unit_text}）"
    ws.put(r, 1, title, to=(r, last))
    ws.put(r + 1, 1, spec.year_text, to=(r + 1, last - 2))
    if spec.unit_where == "title":
        ws.put(r + 1, last - 1, spec.unit_text, to=(r + 1, last))
    r += 2
    if spec.dept:
        ws.put(r, 1, "部门（单位）名称")
        ws.put(r, 2, DEPARTMENT, to=(r, last))
        r += 1
    else:
        ws.put(r, 1, "项目名称")
        ws.put(r, 2, PROJECT, to=(r, last))
        ws.put(r + 1, 1, "主管部门")
        ws.put(r + 1, 2, DEPARTMENT, to=(r + 1, 5))
        ws.put(r + 1, 7, "实施单位")
        ws.put(r + 1, 8, IMPLEMENTER, to=(r + 1, last))
        r += 2
    for label, value in spec.extra_info:
        ws.put(r, 1, label)
        ws.put(r, 2, value, to=(r, last))
        r += 1
    r = _funds(ws, spec, r)
    if spec.dept:
        ws.put(r, 1, "年度主要任务", to=(r + 2, 1))
        for c, text in enumerate(("任务名称", "主要内容", "预算数", "执行数"), start=2):
            ws.put(r, c, text)
        ws.put(r + 1, 2, "就业培训")
        ws.put(r + 1, 3, "组织职业技能培训")
        ws.put(r + 1, 4, 60)
        ws.put(r + 1, 5, 58)
        ws.put(r + 2, 2, "日常运转")
        ws.put(r + 2, 3, "保障机关运转")
        r += 3
    r = _indicators(ws, spec, r)
    return ws


def _funds(ws: Sheet, spec: Spec, r: int) -> int:
    rows = [FUNDS, *[(f"其中：{n}" if i == 0 else n, a, b, c) for i, (n, a, b, c) in enumerate(SOURCES)]]
    if spec.dept:
        rows += [("按支出性质分：基本支出", *SPLIT[0][1:]), SPLIT[1]]
    anchor = "年度预算执行情况（万元）" if spec.dept else "项目资金（万元）"
    if spec.unit_where in ("title", "title-cell", "header"):
        anchor = "项目资金"  # the unit is stated elsewhere
    if spec.unit_where == "anchor":
        anchor = f"项目资金（{spec.unit_text}）"
    if spec.conflict_unit:
        anchor = "项目资金（万元）"
    ws.put(r, 1, anchor, to=(r + len(rows), 1))
    heads = ["年初预算数", "全年预算数", "全年执行数"]
    if spec.unit_where == "header":
        heads = [f"{h}（{spec.unit_text}）" for h in heads]
    heads += (["分值"] if spec.funds_weight else []) + ["执行率", "得分"]
    # The funds block keeps clear of the indicator table's extra (last year's) column, as a
    # clerk's sheet must for that column to be hidden.
    skip = 6 if spec.extra_col else 0
    at = [c for c in range(4, 4 + len(heads) + 1) if c != skip][: len(heads)]
    for c, text in zip(at, heads, strict=True):
        ws.put(r, c, text)
    for i, (name, initial, final, actual) in enumerate(rows, start=1):
        ws.put(r + i, 2, name, to=(r + i, 3))
        for c, value in zip(at, (initial, final, actual), strict=False):
            ws.put(r + i, c, _money(value, spec.unit))
    k = 3
    if spec.funds_weight:
        ws.put(r + 1, at[k], 10)
        k += 1
    ws.put(r + 1, at[k], 0.95, fmt="0.00%")
    ws.put(r + 1, at[k + 1], 9.5)
    return r + len(rows) + 1


def _columns(spec: Spec) -> list[tuple[str, str]]:
    cols = [("一级指标", "l1"), ("二级指标", "l2"), ("三级指标", "name")]
    cols += [("计量单位", "unit")] if spec.unit_col else []
    cols += [("年度指标值", "target")]
    if spec.extra_col:
        cols.append(("实际完成值", "last_year"))
    cols.append(("实际完成值", "actual"))
    if not (spec.level_points or spec.level2_points):
        cols.append(("分值", "weight"))
    cols += [("得分", "score"), ("偏差原因分析及改进措施", "reason")]
    return cols


def _indicators(ws: Sheet, spec: Spec, r: int) -> int:
    cols = _columns(spec)
    where = {key: 2 + i for i, (_, key) in enumerate(cols)}
    first = r + spec.header_rows
    n = len(spec.inds)
    ws.put(r, 1, "绩效指标", to=(first + n - 1, 1))
    h = r
    if spec.header_rows == 3:
        ws.put(h, 2, "绩效指标完成情况", to=(h, 1 + len(cols)))
        h += 1
    if spec.header_rows >= 2:
        for i, (text, key) in enumerate(cols):
            c = 2 + i
            if key in ("target", "actual", "last_year"):
                continue
            ws.put(h, c, text, to=(h + 1, c))
        span = [where["target"], where["actual"]] if not spec.extra_col else [where["target"], where["actual"]]
        ws.put(h, span[0], "指标值", to=(h, span[-1]))
        ws.put(h + 1, where["target"], "年度指标值")
        if spec.extra_col:
            ws.put(h + 1, where["last_year"], "实际完成值")
        ws.put(h + 1, where["actual"], "实际完成值")
    else:
        for i, (text, _) in enumerate(cols):
            ws.put(h, 2 + i, text)
    if spec.extra_col == "hidden":
        ws.hidden_cols.add(where["last_year"])
    row = first
    l1_runs: dict[str, list[int]] = {}
    for ind in spec.inds:
        l1_runs.setdefault(ind.l1, []).append(row)
        ws.put(row, where["l2"], f"{ind.l2}（{ind.weight}分）" if spec.level2_points else ind.l2)
        ws.put(row, where["name"], ind.name)
        if spec.unit_col:
            ws.put(row, where["unit"], ind.unit or None)
        ws.put(row, where["target"], ind.target_cell, fmt=ind.target_fmt)
        ws.put(row, where["actual"], ind.actual_cell, fmt=ind.actual_fmt)
        if spec.extra_col:
            ws.put(row, where["last_year"], 1, fmt=None)
        if not (spec.level_points or spec.level2_points) and ind.name not in spec.merged_weight[1:]:
            ws.put(row, where["weight"], ind.weight)
            ws.put(row, where["score"], ind.score)
        elif spec.level_points or spec.level2_points:
            ws.put(row, where["score"], ind.score)
        if ind.hidden:
            ws.hidden_rows.add(row)
        row += 1
    points = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for l1, rows in l1_runs.items():
        label = f"{l1}（{points[l1]}分）" if spec.level_points else l1
        ws.put(rows[0], where["l1"], label, to=(rows[-1], where["l1"]))
    if spec.merged_weight:
        names = [i.name for i in spec.inds]
        top = first + names.index(spec.merged_weight[0])
        bottom = first + names.index(spec.merged_weight[-1])
        group = [i for i in spec.inds if i.name in spec.merged_weight]
        ws.put(top, where["weight"], float(sum(i.weight for i in group)), to=(bottom, where["weight"]))
        ws.put(top, where["score"], float(sum(i.score for i in group)), to=(bottom, where["score"]))
    ws.put(row, 2, "总分", to=(row, where["target"]))
    if "weight" in where:
        ws.put(row, where["weight"], 100)
    ws.put(row, where["score"], float(spec.total))
    if spec.grade_cell:
        ws.put(row + 1, 2, spec.grade_cell, to=(row + 1, 1 + len(cols)))
        row += 1
    return row + 1


# --------------------------------------------------------------------------- the truth


def truth_indicator(ind: Ind, spec: Spec) -> dict[str, Any]:
    d: dict[str, Any] = {"name": ind.name, "level1": ind.l1, "level2": ind.l2, "op": ind.op, "target": ind.target}
    if not ind.op_printed:
        d["op_printed"] = False
    if ind.op != "qualitative" and ind.unit:
        d["unit"] = ind.unit
    unknown = []
    if ind.actual is None:
        unknown.append("actual")
    else:
        d["actual"] = ind.actual
    reported: dict[str, Any] = {"target": ind.target}
    in_block = spec.level_points or spec.level2_points or ind.name in spec.merged_weight
    if not in_block:
        d["weight"] = ind.weight
    if ind.score is not None and ind.name not in spec.merged_weight:
        reported["score"] = ind.score
        if ind.op == "qualitative":
            d["score"] = ind.score
    d["reported"] = reported
    if unknown:
        d["unknown"] = unknown
    return d


def truth(spec: Spec) -> dict[str, Any]:
    """The year data (and unit name) the importer must produce for ``spec``."""
    budget: dict[str, Any] = {"initial": FUNDS[1], "final": FUNDS[2], "actual": FUNDS[3]}
    budget["sources"] = [{"name": n, "initial": a, "final": b, "actual": c} for n, a, b, c in SOURCES]
    if spec.dept:
        for (_, a, b, c), key in zip(SPLIT, ("basic", "project"), strict=True):
            budget[key] = {"initial": a, "final": b, "actual": c}
    out: dict[str, Any] = {
        "year": 2023,
        "kind": "department" if spec.dept else "project",
        "budget": budget,
        "indicators": [truth_indicator(i, spec) for i in spec.inds if not i.hidden and not i.placeholder],
        "reported": {"total": spec.total, "execution_rate": D(95), "execution_score": D("9.5")},
        "unit_name": DEPARTMENT if spec.dept else IMPLEMENTER,
    }
    if spec.grade_cell:
        out["reported"]["grade"] = spec.grade_cell.split("：")[-1][0]
    if not spec.funds_weight:
        out["unknown"] = ["execution_weight"]
    blocks = []
    if spec.merged_weight:
        group = [i for i in spec.inds if i.name in spec.merged_weight]
        blocks.append({"level1": group[0].l1, "level2": group[0].l2, "weight": sum(i.weight for i in group), "share": "equal"})
    if spec.level_points:
        blocks += [{"level1": l1, "weight": D(p), "share": "equal"} for l1, p in (("产出指标", 50), ("效益指标", 30), ("满意度指标", 10))]
    if spec.level2_points:
        blocks += [{"level1": i.l1, "level2": i.l2, "weight": i.weight, "share": "equal"} for i in spec.inds]
    if blocks:
        out["blocks"] = blocks
    if not spec.dept:
        out["project"] = {"name": PROJECT, "department": DEPARTMENT, "implementer": IMPLEMENTER}
    return out


def with_ind(spec: Spec, name: str, **changes: Any) -> Spec:
    """``spec`` with indicator ``name`` changed."""
    return replace(spec, inds=[replace(i, **changes) if i.name == name else i for i in spec.inds])
