"""Builders for the self-evaluation workbooks the Excel tests read, made with openpyxl.

Each builder fills one worksheet the way a form of that layout looks: merged title and anchor
cells, 一级/二级 merged down their rows, the header row in that province's order and spelling.
The sample project is the same everywhere (a training project), so the expected scores are easy
to check by hand; :data:`EXPECTED` lists them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# One project, one year: execution 114 / 120 = 95% (9.5 of 10); one indicator missed
# (480 of 500 → 19.2 of 20); the rest met. Total 98.7, 优.
INDICATORS: list[dict[str, Any]] = [
    {"l1": "产出指标", "l2": "数量指标", "name": "培训人次", "op": "≥", "value": 500, "unit": "人次",
     "actual": 480, "weight": 20, "score": 19.2, "reason": "部分学员未能参训"},
    {"l1": "产出指标", "l2": "质量指标", "name": "培训合格率", "op": "≥", "value": 95, "unit": "%",
     "actual": "96%", "weight": 15, "score": 15},
    {"l1": "产出指标", "l2": "时效指标", "name": "按时完成率", "op": "=", "value": 100, "unit": "%",
     "actual": "100%", "weight": 5, "score": 5},
    {"l1": "产出指标", "l2": "成本指标", "name": "培训成本", "op": "≤", "value": 90, "unit": "万元",
     "actual": 85, "weight": 10, "score": 10},
    {"l1": "效益指标", "l2": "社会效益指标", "name": "参训人员能力提升", "op": "定性", "value": "达成预期指标",
     "unit": "", "actual": "达成预期指标", "weight": 30, "score": 30},
    {"l1": "满意度指标", "l2": "服务对象满意度指标", "name": "参训人员满意度", "op": "≥", "value": 90, "unit": "%",
     "actual": "93%", "weight": 10, "score": 10},
]
LEVEL1_POINTS = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
FUNDS = {"initial": 100, "final": 120, "actual": 114, "weight": 10, "rate": "95%", "score": 9.5}
SUBROWS = [("当年财政拨款", 100, 110, 105), ("上年结转资金", 0, 10, 9), ("其他资金", 0, 0, 0)]
PROJECT = "职业技能培训项目"
DEPARTMENT = "某市人力资源和社会保障局"
IMPLEMENTER = "某市职业技能培训中心"

#: Recomputed total and grade for each builder's sheet with default arguments.
EXPECTED = {
    "national": ("98.7", "优"),
    "sichuan": ("98.7", "优"),
    "xianjie": ("98.7", "优"),
    "hubei": ("98.36", "优"),
    "beijing": ("98.7", "优"),
    "chongqing": ("91.76", "优"),
}


def target_text(ind: dict[str, Any]) -> str:
    """``≥500人次``; a qualitative target is its text; ``target`` gives the text as typed."""
    if "target" in ind:
        return ind["target"]
    if ind["op"] == "定性":
        return ind["value"]
    return f"{ind['op']}{ind['value']}{ind['unit']}"


def put(ws: Worksheet, row: int, col: int, value: Any, *, to: tuple[int, int] | None = None) -> None:
    """Write a cell (text starting with ``=`` stays text), merging to ``to`` = (row, col)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if to is not None and to != (row, col):
        ws.merge_cells(start_row=row, start_column=col, end_row=to[0], end_column=to[1])


def merge_runs(ws: Worksheet, col: int, first_row: int, values: Sequence[Any]) -> None:
    """Write ``values`` down a column, merging runs of equal values (一级/二级 cells)."""
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            put(ws, first_row + start, col, values[start], to=(first_row + i - 1, col))
            start = i


def as_text(value: Any) -> Any:
    """A number stored as text the way analysts type it: ``"1,234.50"``, full-width digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:,.2f}" if value >= 1000 else f"{value}"
        # One weight in full-width digits, as a Chinese input method types them.
        return text.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if value == 15 else text
    return value


# --------------------------------------------------------------------------- national


def national(
    ws: Worksheet,
    *,
    title: str = "项目支出绩效自评表",
    year: str | None = "（2023年度）",
    project: str = PROJECT,
    indicators: list[dict[str, Any]] | None = None,
    funds: dict[str, Any] | None = None,
    subrows: list[tuple[str, Any, Any, Any]] | None = None,
    yuan: bool = False,
    numbers_as_text: bool = False,
    zero_total: bool = False,
    blank_rows: bool = False,
    merge_levels: bool = True,
    level_points: dict[str, int] | None = None,
    headers: dict[str, str] | None = None,
    total: Any = 98.7,
    drop_header: bool = False,
    level_labels: dict[str, str] | None = None,
    total_row: bool = True,
    signatures: bool = False,
) -> Worksheet:
    """The national 项目支出绩效自评表 (财预〔2020〕10号 annex; Anhui and Hebei forms)."""
    indicators = INDICATORS if indicators is None else indicators
    funds = dict(FUNDS if funds is None else funds)
    subrows = SUBROWS if subrows is None else subrows
    level_points = LEVEL1_POINTS if level_points is None else level_points
    h = {name: name for name in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分",
                                 "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                 "偏差原因分析及改进措施")}
    h.update(headers or {})
    scale = 10000 if yuan else 1
    conv = as_text if numbers_as_text else (lambda v: v)

    def money(v: Any) -> Any:
        return conv(v * scale) if isinstance(v, int | float) else v

    put(ws, 1, 1, title, to=(1, 9))
    if year:
        put(ws, 2, 1, year, to=(2, 9))
    put(ws, 3, 1, "项目名称")
    put(ws, 3, 2, project, to=(3, 9))
    put(ws, 4, 1, "主管部门")
    put(ws, 4, 2, DEPARTMENT, to=(4, 4))
    put(ws, 4, 5, "实施单位")
    put(ws, 4, 6, IMPLEMENTER, to=(4, 9))
    top = 5
    put(ws, top, 1, "项目资金（元）" if yuan else "项目资金（万元）", to=(top + len(subrows) + 1, 1))
    for i, key in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        put(ws, top, 3 + i, h[key])
    total_amounts = [0, 0, 0] if zero_total else [funds["initial"], funds["final"], funds["actual"]]
    put(ws, top + 1, 2, "年度资金总额")
    for i, v in enumerate(total_amounts):
        put(ws, top + 1, 3 + i, money(v))
    put(ws, top + 1, 6, conv(funds["weight"]))
    put(ws, top + 1, 7, funds["rate"])
    put(ws, top + 1, 8, conv(funds["score"]))
    for j, (name, *amounts) in enumerate(subrows):
        put(ws, top + 2 + j, 2, ("其中：" if j == 0 else "") + name)
        for i, v in enumerate(amounts):
            put(ws, top + 2 + j, 3 + i, money(v))
        put(ws, top + 2 + j, 6, "—")
        put(ws, top + 2 + j, 8, "—")
    row = top + len(subrows) + 2
    put(ws, row, 1, "年度总体目标", to=(row + 1, 1))
    put(ws, row, 2, "预期目标", to=(row, 5))
    put(ws, row, 6, "实际完成情况", to=(row, 9))
    put(ws, row + 1, 2, "全年培训 500 人次，合格率不低于 95%", to=(row + 1, 5))
    put(ws, row + 1, 6, "培训 480 人次，合格率 96%", to=(row + 1, 9))
    row += 2
    header_row = row
    body: list[dict[str, Any] | None] = []
    for i, ind in enumerate(indicators):
        body.append(ind)
        if blank_rows and i in (1, 3):
            body.append(None)
    end = header_row + len(body) + (0 if drop_header else 0)
    put(ws, header_row, 1, "绩效指标", to=(end, 1))
    if not drop_header:
        for i, key in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                                 "偏差原因分析及改进措施")):
            put(ws, header_row, 2 + i, h[key])
    first = header_row + 1
    labels = {k: f"{k}（{v}分）" for k, v in level_points.items()} | (level_labels or {})
    l1 = [labels.get(b["l1"], b["l1"]) if b else None for b in body]
    l2 = [b["l2"] if b else None for b in body]
    if merge_levels and not blank_rows:
        merge_runs(ws, 2, first, l1)
        merge_runs(ws, 3, first, l2)
    else:
        for i, (a, b) in enumerate(zip(l1, l2, strict=True)):
            if i == 0 or a != l1[i - 1]:
                put(ws, first + i, 2, a)
            if i == 0 or b != l2[i - 1]:
                put(ws, first + i, 3, b)
    for i, ind in enumerate(body):
        if ind is None:
            continue
        r = first + i
        put(ws, r, 4, ind["name"])
        put(ws, r, 5, target_text(ind))
        actual = ind["actual"]
        if yuan and ind["unit"] == "万元" and isinstance(actual, int | float):
            actual = f"{actual * 10000}元"
        put(ws, r, 6, conv(actual))
        put(ws, r, 7, conv(ind["weight"]))
        put(ws, r, 8, conv(ind.get("score")))
        put(ws, r, 9, ind.get("reason"))
    row = first + len(body)
    if total_row:
        put(ws, row, 1, "总分", to=(row, 6))
        put(ws, row, 7, 100)
        put(ws, row, 8, conv(total))
        row += 1
    if signatures:
        # Signature lines as typed under the table, starting in the middle (the 三级 column).
        put(ws, row, 4, "审核人：赵六")
        put(ws, row, 7, "填报日期：2024年3月15日")
        put(ws, row + 1, 4, "财务负责人：李四")
    return ws


# --------------------------------------------------------------------------- Sichuan


def sichuan(ws: Worksheet) -> Worksheet:
    """Sichuan 部门预算项目支出绩效自评表 (510000_0013zp): 指标性质 and 度量单位 columns."""
    put(ws, 1, 1, "部门预算项目支出绩效自评表", to=(1, 11))
    put(ws, 2, 1, "（2023年度）", to=(2, 9))
    put(ws, 2, 10, "表号：510000_0013zp", to=(2, 11))
    put(ws, 3, 1, "项目名称")
    put(ws, 3, 2, PROJECT, to=(3, 11))
    put(ws, 4, 1, "主管部门")
    put(ws, 4, 2, DEPARTMENT, to=(4, 5))
    put(ws, 4, 6, "实施单位")
    put(ws, 4, 7, IMPLEMENTER, to=(4, 11))
    put(ws, 5, 1, "项目年度目标")
    put(ws, 5, 2, "全年培训 500 人次", to=(5, 11))
    put(ws, 6, 1, "年度目标完成情况")
    put(ws, 6, 2, "培训 480 人次", to=(6, 11))
    put(ws, 7, 1, "预算执行情况（10分）", to=(12, 1))
    for i, text in enumerate(("年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因")):
        put(ws, 7, 3 + i, text)
    rows = [("总额", 100, 120, 114), ("其中：财政资金", 100, 110, 105), ("财政专户管理资金", 0, 0, 0),
            ("单位资金", 0, 10, 9), ("其他资金", 0, 0, 0)]
    for j, (name, *amounts) in enumerate(rows):
        put(ws, 8 + j, 2, name)
        for i, v in enumerate(amounts):
            put(ws, 8 + j, 3 + i, v)
    put(ws, 8, 6, 0.95)
    ws.cell(row=8, column=6).number_format = "0.00%"
    put(ws, 8, 7, 10)
    put(ws, 8, 8, 9.5)
    put(ws, 8, 9, "部分培训推迟至次年")
    put(ws, 13, 1, "绩效指标（90分）", to=(13 + len(INDICATORS), 1))
    for i, text in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值",
                              "权重", "得分", "未完成原因分析")):
        put(ws, 13, 2 + i, text)
    merge_runs(ws, 2, 14, [ind["l1"] for ind in INDICATORS])
    merge_runs(ws, 3, 14, [ind["l2"] for ind in INDICATORS])
    for i, ind in enumerate(INDICATORS):
        r = 14 + i
        put(ws, r, 4, ind["name"])
        put(ws, r, 5, ind["op"])
        put(ws, r, 6, ind["value"])
        put(ws, r, 7, ind["unit"] or None)
        actual = ind["actual"]
        put(ws, r, 8, float(actual.rstrip("%")) if isinstance(actual, str) and actual.endswith("%") else actual)
        put(ws, r, 9, ind["weight"])
        put(ws, r, 10, ind["score"])
        put(ws, r, 11, ind.get("reason"))
    r = 14 + len(INDICATORS)
    put(ws, r, 1, "合计", to=(r, 8))
    put(ws, r, 9, 100)
    put(ws, r, 10, 98.7)
    put(ws, r + 1, 1, "评价结论")
    put(ws, r + 1, 2, "优", to=(r + 1, 11))
    return ws


# --------------------------------------------------------------------------- Sichuan 衔接资金


def xianjie(ws: Worksheet) -> Worksheet:
    """Sichuan 衔接资金 form (中江县 2022): 分值 before 年度指标值, 全年实际值."""
    put(ws, 1, 1, "2023年度财政衔接推进乡村振兴补助资金项目绩效目标自评表", to=(1, 9))
    put(ws, 2, 1, "项目名称")
    put(ws, 2, 2, PROJECT, to=(2, 9))
    put(ws, 3, 1, "主管部门")
    put(ws, 3, 2, DEPARTMENT, to=(3, 4))
    put(ws, 3, 5, "实施单位")
    put(ws, 3, 6, IMPLEMENTER, to=(3, 9))
    put(ws, 4, 1, "资金情况（万元）", to=(5, 2))
    for i, text in enumerate(("全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分")):
        put(ws, 4, 3 + i, text)
    for i, v in enumerate((120, 114, 10, "95.00%", 9.5)):
        put(ws, 5, 3 + i, v)
    put(ws, 6, 1, "绩效指标", to=(6, 9))
    for i, text in enumerate(("一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
                              "未完成原因及拟采取的改进措施")):
        put(ws, 7, 1 + i, text)
    merge_runs(ws, 1, 8, [f"{ind['l1']}（{LEVEL1_POINTS[ind['l1']]}分）" for ind in INDICATORS])
    merge_runs(ws, 2, 8, [ind["l2"] for ind in INDICATORS])
    for i, ind in enumerate(INDICATORS):
        r = 8 + i
        put(ws, r, 3, ind["name"])
        put(ws, r, 4, ind["weight"])
        put(ws, r, 5, target_text(ind))
        put(ws, r, 6, ind["actual"])
        put(ws, r, 7, ind["score"])
        put(ws, r, 8, ind.get("reason"))
    r = 8 + len(INDICATORS)
    put(ws, r, 1, "总分", to=(r, 3))
    put(ws, r, 4, 100)
    put(ws, r, 7, 98.7)
    return ws


# --------------------------------------------------------------------------- Hubei

HUBEI_WEIGHTS = {"培训人次": 16, "培训合格率": 12, "按时完成率": 4, "培训成本": 8, "参训人员能力提升": 30,
                 "参训人员满意度": 10}


def hubei(ws: Worksheet) -> Worksheet:
    """Hubei 项目支出绩效目标自评表: execution worth 20 (20 × 执行率), indicators 80."""
    put(ws, 1, 1, "2023年度项目支出绩效目标自评表", to=(1, 10))
    put(ws, 2, 1, "单位名称")
    put(ws, 2, 2, IMPLEMENTER, to=(2, 5))
    put(ws, 2, 6, "填报日期")
    put(ws, 2, 7, "2024年3月15日", to=(2, 10))
    put(ws, 3, 1, "项目名称")
    put(ws, 3, 2, PROJECT, to=(3, 10))
    put(ws, 4, 1, "预算执行情况（万元）（20分）", to=(5, 2))
    for i, text in enumerate(("预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分×执行率）")):
        put(ws, 4, 3 + i, text)
    for i, v in enumerate((120, 114, "95%", 19)):
        put(ws, 5, 3 + i, v)
    put(ws, 6, 1, "年度绩效目标（80分）", to=(6 + len(INDICATORS), 1))
    for i, text in enumerate(("一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "分值", "得分",
                              "偏差大或目标未完成原因分析", "改进措施及结果应用方案")):
        put(ws, 6, 2 + i, text)
    merge_runs(ws, 2, 7, [ind["l1"] for ind in INDICATORS])
    merge_runs(ws, 3, 7, [ind["l2"] for ind in INDICATORS])
    for i, ind in enumerate(INDICATORS):
        r = 7 + i
        weight = HUBEI_WEIGHTS[ind["name"]]
        put(ws, r, 4, ind["name"])
        put(ws, r, 5, target_text(ind))
        put(ws, r, 6, ind["actual"])
        put(ws, r, 7, weight)
        put(ws, r, 8, 15.36 if ind["name"] == "培训人次" else weight)
        put(ws, r, 9, ind.get("reason"))
        put(ws, r, 10, "加强宣传" if ind.get("reason") else None)
    r = 7 + len(INDICATORS)
    put(ws, r, 1, "总分", to=(r, 6))
    put(ws, r, 7, 100)
    put(ws, r, 8, 98.36)
    return ws


# --------------------------------------------------------------------------- Beijing 海淀


def beijing(ws: Worksheet) -> Worksheet:
    """Beijing 海淀 2016: 年初预算数 as denominator, 分值 before the target, 得分计算方法."""
    put(ws, 1, 1, "项目支出绩效自评表（2023年度）", to=(1, 9))
    put(ws, 2, 1, "项目名称")
    put(ws, 2, 2, PROJECT, to=(2, 9))
    put(ws, 3, 1, "主管部门")
    put(ws, 3, 2, DEPARTMENT, to=(3, 4))
    put(ws, 3, 5, "实施单位")
    put(ws, 3, 6, IMPLEMENTER, to=(3, 9))
    put(ws, 4, 1, "项目资金（万元）", to=(5, 1))
    for i, text in enumerate(("年初预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分", "得分计算方法")):
        put(ws, 4, 3 + i, text)
    put(ws, 5, 2, "年度资金总额")
    for i, v in enumerate((120, 114, 10, "95%", 9.5, "执行率×分值")):
        put(ws, 5, 3 + i, v)
    put(ws, 6, 1, "年度绩效指标", to=(6 + len(INDICATORS), 1))
    for i, text in enumerate(("一级指标", "二级指标", "三级指标", "分值", "年度指标值（A）", "全年实际值（B）",
                              "得分计算方法", "得分", "未完成原因分析")):
        put(ws, 6, 2 + i, text)
    merge_runs(ws, 2, 7, [ind["l1"] for ind in INDICATORS])
    merge_runs(ws, 3, 7, [ind["l2"] for ind in INDICATORS])
    for i, ind in enumerate(INDICATORS):
        r = 7 + i
        put(ws, r, 4, ind["name"])
        put(ws, r, 5, ind["weight"])
        put(ws, r, 6, target_text(ind))
        put(ws, r, 7, ind["actual"])
        put(ws, r, 8, "B/A×分值")
        put(ws, r, 9, ind["score"])
        put(ws, r, 10, ind.get("reason"))
    r = 7 + len(INDICATORS)
    put(ws, r, 1, "总分", to=(r, 4))
    put(ws, r, 5, 100)
    put(ws, r, 9, 98.7)
    return ws


# --------------------------------------------------------------------------- Chongqing

CHONGQING_INDICATORS = [
    # name, unit, nature, initial target, adjusted target, actual, coefficient, weight, score
    ("财政供养人员控制率", "%", "定量", "≤100", None, 95, 100, 10, 10),
    ("“三公”经费变动率", "%", "定量", "≤0", None, 0, 100, 10, 10),
    ("预算完成率", "%", "定量", "≥95", "≥90", 76, 84.44, 20, None),
    ("政府采购执行率", "%", "定量", 100, None, 72.74, 100, 10, 10),
    ("文化活动场次", "场", "定量", 120, None, 130, 100, 20, 20),
    ("管理制度健全性", None, "定性", "健全", None, "健全", 100, 10, 10),
    ("群众满意度", "%", "定量", "≥90", None, 92, 100, 10, 10),
]
CHONGQING_UNIT = "重庆市某区文化和旅游发展委员会"


def chongqing(ws: Worksheet, *, coeff_fraction: bool = False) -> Worksheet:
    """Chongqing 部门整体支出绩效自评表: 得分系数 × 指标权重 = 指标得分; 年初/调整指标值.

    ``coeff_fraction`` writes 得分系数 as 1 / 0.8444 under a header without (%).
    """
    put(ws, 1, 1, "2023年度部门整体支出绩效自评表", to=(1, 10))
    put(ws, 2, 1, "主管部门")
    put(ws, 2, 2, CHONGQING_UNIT, to=(2, 4))
    put(ws, 2, 5, "财政处室")
    put(ws, 2, 6, "行政政法科")
    put(ws, 2, 7, "自评总分")
    put(ws, 2, 8, 94.49)
    put(ws, 3, 1, "部门联系人")
    put(ws, 3, 2, "张三", to=(3, 4))
    put(ws, 3, 5, "联系电话")
    put(ws, 3, 6, "023-12345678")
    put(ws, 4, 1, "部门预算执行情况（万元）", to=(5, 1))
    for i, text in enumerate(("年初预算数", "全年(调整)预算数", "全年执行数", "执行率(%)", "执行率权重", "执行率得分")):
        put(ws, 4, 2 + i, text)
    for i, v in enumerate((800, 1000, 760, 76, 10, 7.6)):
        put(ws, 5, 2 + i, v)
    put(ws, 6, 1, "当年绩效目标", to=(7, 1))
    for i, text in enumerate(("年初绩效目标", "全年(调整)绩效目标", "全年目标实际完成情况")):
        put(ws, 6, 2 + 2 * i, text, to=(6, 3 + 2 * i))
        put(ws, 7, 2 + 2 * i, f"目标说明{i + 1}", to=(7, 3 + 2 * i))
    put(ws, 8, 1, "绩效指标", to=(8, 10))
    for i, text in enumerate(("指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值",
                              "得分系数" if coeff_fraction else "得分系数(%)", "指标权重(分)", "指标得分(分)",
                              "是否核心指标")):
        put(ws, 9, 1 + i, text)
    for j, row in enumerate(CHONGQING_INDICATORS):
        for i, v in enumerate(row):
            put(ws, 10 + j, 1 + i, v / 100 if coeff_fraction and i == 6 else v)
        put(ws, 10 + j, 10, "是" if j < 3 else "否")
    return ws


# --------------------------------------------------------------------------- broken sheets


def no_indicator_block(ws: Worksheet) -> Worksheet:
    """A sheet with a title and a funds block but no indicator block."""
    national(ws)
    for merged in list(ws.merged_cells.ranges):
        if merged.max_row >= 12:
            ws.unmerge_cells(str(merged))
    for row in range(12, ws.max_row + 1):
        for col in range(1, 10):
            ws.cell(row=row, column=col).value = None
    return ws


def cover_page(ws: Worksheet) -> Worksheet:
    """A report's cover sheet: a title, the unit and a date, no table."""
    put(ws, 3, 2, "2023年度项目支出绩效自评报告", to=(3, 8))
    put(ws, 8, 3, f"单位名称：{IMPLEMENTER}")
    put(ws, 9, 3, "填报日期：2024年3月")
    return ws


def instructions(ws: Worksheet) -> Worksheet:
    """A 填表说明 sheet whose first cell ends with a colon."""
    put(ws, 1, 1, "填表说明：")
    put(ws, 2, 1, "1. 年度指标值填写年初设定的绩效目标值。")
    return ws


BUILDERS: dict[str, Callable[[Worksheet], Worksheet]] = {
    "national": national,
    "sichuan": sichuan,
    "xianjie": xianjie,
    "hubei": hubei,
    "beijing": beijing,
    "chongqing": chongqing,
}


def workbook(*sheets: tuple[str, Callable[..., Worksheet]] | tuple[str, Callable[..., Worksheet], dict]) -> Workbook:
    """A workbook with one sheet per (title, builder[, kwargs])."""
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        title, builder = spec[0], spec[1]
        kwargs = spec[2] if len(spec) > 2 else {}
        builder(wb.create_sheet(title), **kwargs)
    return wb


def save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def write_layout(tmp_path: Path, name: str, **kwargs: Any) -> Path:
    """``<tmp>/<name>.xlsx`` with one sheet built by ``BUILDERS[name]``."""
    return save(workbook(("自评表", BUILDERS[name], kwargs)), tmp_path / f"{name}.xlsx")


# --------------------------------------------------------------------------- broken files


def not_a_workbook(path: Path) -> Path:
    path.write_text("项目名称,年度指标值\n培训,≥95%\n", encoding="utf-8")
    return path


def corrupt_workbook(path: Path) -> Path:
    """A real .xlsx cut in half: the zip's directory is gone."""
    buffer = io.BytesIO()
    workbook(("自评表", national)).save(buffer)
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 2])
    return path


def broken_part_workbook(path: Path) -> Path:
    """A valid zip whose workbook part is not XML."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    return path


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def encrypted_workbook(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 file with an EncryptedPackage."""
    body = bytearray(4096)
    stream = "EncryptedPackage".encode("utf-16-le")
    body[1024 : 1024 + len(stream)] = stream
    path.write_bytes(_OLE2 + bytes(body))
    return path


def legacy_xls(path: Path) -> Path:
    """An old binary .xls: OLE2 with no encryption stream."""
    path.write_bytes(_OLE2 + bytes(4096))
    return path
