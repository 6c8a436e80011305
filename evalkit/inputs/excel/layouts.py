"""The Excel layouts evalkit reads, as data: anchor texts, header synonyms, layout markers.

Supporting a new province usually means adding data here, not code: a header spelling to
``FUNDS_FIELDS`` or ``INDICATOR_FIELDS``, an anchor to ``ANCHORS``, or a :class:`Layout` with the
texts that identify its form (``markers``), the kind of evaluation and the rulebook it implies.
See ``docs/excel.md``.

Texts are compared after :func:`normalise`: full-width characters folded to ASCII (``（`` → ``(``,
``：`` → ``:``), all white space removed.

>>> match_field("全年预算数（A）", FUNDS_FIELDS)
'budget_final'
>>> match_field("得分(20分×执行率)", FUNDS_FIELDS)
'score'
>>> match_field("得分（重算）", INDICATOR_FIELDS)
'ignore'
>>> detect_layout(["部门预算执行情况", "得分系数(%)", "执行率权重"]).name
'chongqing-dept'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Layout",
    "LAYOUTS",
    "ANCHORS",
    "FUNDS_FIELDS",
    "INDICATOR_FIELDS",
    "GOAL_LABELS",
    "INFO_LABELS",
    "FUND_TOTAL_LABELS",
    "NOT_APPLICABLE",
    "SKIP_SHEET_TITLES",
    "SKIP_SHEET_NAMES",
    "YEAR_PATTERNS",
    "SHEET_NAME_YEAR",
    "LEVEL_POINTS",
    "OPERATOR_VARIANTS",
    "IGNORE",
    "normalise",
    "match_field",
    "matches_any",
    "get_layout",
    "detect_layout",
]

#: The field name for columns that are recognised but not read (so that, e.g., ``得分(重算)``
#: is not taken for the printed ``得分``).
IGNORE = "ignore"


def normalise(text: object) -> str:
    """Cell text as compared with anchors and headers: NFKC-folded, no white space."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", folded)


# --------------------------------------------------------------------------- anchors

#: Texts that start a block. A cell starts the block when its normalised text starts with one.
ANCHORS: dict[str, tuple[str, ...]] = {
    "funds": (
        "项目资金",
        "部门预算执行情况",
        "预算执行情况",
        "资金情况",
        "资金投入情况",
        "年度预算执行情况",
    ),
    "goal": ("年度总体目标", "当年绩效目标", "项目基本情况"),
    # The national 部门整体 form's task table (任务名称 / 主要内容 …): not read, ends the funds block.
    "tasks": ("年度主要任务", "主要任务"),
    "indicators": ("绩效指标", "年度绩效指标", "年度绩效目标", "部门整体支出绩效指标"),
    # Rows that end the indicator block (the label column starts with one of these).
    "end": (
        "总分",
        "合计",
        "自评总分",
        "综合得分",
        "评价结论",
        "自评结论",
        "存在问题",
        "存在的问题",
        "主要问题",
        "改进措施",
        "备注",
        "注:",
        "说明",
        "填表说明",
        "填表人",
        "填报人",
        "审核人",
        "复核人",
        "填报日期",
        "单位(盖章)",
        "项目负责人",
        "财务负责人",
        "单位负责人",
        "联系人",
        "等级",
        "评价等级",
        "自评等级",
        "绩效等级",
        "评价结果",
        "评分提示",
    ),
    # Labels of the total-score row or cell.
    "total": ("总分", "合计", "自评总分", "综合得分", "总计"),
    # Labels of the grade cell.
    "grade": ("评价等级", "自评等级", "绩效等级", "等级", "评价结果"),
}

#: Rows of the funds block that hold the total (the others are 其中 sub-rows).
FUND_TOTAL_LABELS = ("年度资金总额", "资金总额", "总额", "合计", "总计", "预算资金总额")

#: How an actual value says "this indicator does not apply".
NOT_APPLICABLE = ("/", "／", "—", "-", "——", "--", "不适用", "N/A", "n/a")

#: Sheets whose first cell is one of these (a trailing colon aside), or whose title in the first
#: rows ends with ``填表说明`` / ``填报说明``, are not self-evaluation tables (e.g. the findings
#: sheet ``evalkit export-xlsx`` writes, instructions) and are skipped.
SKIP_SHEET_TITLES = ("复核发现", "填表说明", "填报说明", "说明")

#: Sheets named one of these (cover pages, contents, instructions) are skipped.
SKIP_SHEET_NAMES = ("封面", "目录", "填表说明", "填报说明", "说明", "复核发现")

#: How the year is written in the title area, tried in order: ``（2023年度）`` first, then
#: ``2023年项目支出…`` (but not a date such as ``2024年3月15日``).
YEAR_PATTERNS = (
    r"((?:19|20)\d{2})年度",
    r"((?:19|20)\d{2})年(?!\d{1,2}月)",
)

#: A year in the sheet name (``2023年``, ``2023年度``, ``2023``), the last place looked.
SHEET_NAME_YEAR = r"(?<!\d)((?:19|20)\d{2})(?!\d)"

#: Operator spellings folded before a target is parsed (at its start, when a number follows);
#: the rest (≥ ≧ ＞ 大于 不少于 不低于 不超过 以上 以内 …) are known to :mod:`evalkit.core.targets`.
OPERATOR_VARIANTS = {
    "═": "=",
    "〓": "=",
    "＝＝": "=",
    "≥=": "≥",
    "=>": "≥",
    "≤=": "≤",
    "=<": "≤",
    "⩾": "≥",
    "⩽": "≤",
    "达到": "≥",
    "达": "≥",
    "不少于": "≥",
    "不低于": "≥",
    "不高于": "≤",
    "不超过": "≤",
    "不多于": "≤",
    "控制在": "≤",
}

#: Points declared after a 一级 label: ``产出指标（50分）``, ``效益指标 (30)``.
LEVEL_POINTS = r"\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$"

# --------------------------------------------------------------------------- header synonyms

#: Columns of the funds block (项目资金 / 预算执行情况), per scoring-rules §4.4.
FUNDS_FIELDS: dict[str, tuple[str, ...]] = {
    "budget_initial": ("年初预算数", "年初预算", "年初预算金额"),
    "budget_final": (
        "全年预算数",
        "调整后预算数",
        "调整后预算",
        "全年(调整)预算数",
        "预算数",
        "全年预算",
        "全年预算金额",
    ),
    "executed": ("全年执行数", "预算执行数", "执行数", "实际支出", "全年实际支出"),
    "exec_rate": ("执行率", "预算执行率", "报告执行率"),
    "weight": ("分值", "权重", "执行率权重"),
    "score": ("得分", "执行率得分", "报告得分"),
    "reason": ("原因", "偏差原因", "未完成原因"),
    IGNORE: ("执行率(重算)", "得分(重算)", "得分计算方法", "序号"),
}

#: Columns of the indicator block (绩效指标), per scoring-rules §4.4.
INDICATOR_FIELDS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级", "一级指标名称"),
    "level2": ("二级指标", "二级", "二级指标名称"),
    "name": ("三级指标", "三级", "指标名称", "绩效指标名称", "三级指标名称"),
    "nature": ("指标性质", "指标方向", "比较方式"),
    "target": (
        "年度指标值",
        "指标值",
        "年初指标值",
        "年初目标值",
        "年度目标值",
        "目标值",
        "预期指标值",
        "预期目标值",
    ),
    "target_adjusted": ("调整指标值", "全年(调整)指标值", "调整后指标值"),
    # Written by export-xlsx when a report printed a target other than the one scored against.
    "reported_target": ("报告指标值", "报告所列指标值"),
    "unit": ("计量单位", "度量单位", "单位"),
    "actual": (
        "实际完成值",
        "全年实际值",
        "完成值",
        "全年完成值",
        "实际值",
        "全年实际完成值",
        "实际完成情况",
    ),
    "weight": ("分值", "权重", "指标权重", "指标分值"),
    "score": ("得分", "指标得分", "报告得分", "自评得分", "评分"),
    "score_coeff": ("得分系数",),
    "completion": ("完成率", "完成比例", "指标完成率", "报告完成率"),
    "deduction": ("扣减分数", "扣分"),
    "midyear": ("年中监控值", "年中完成值"),
    "deviation_reason": (
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "未完成原因及拟采取的改进措施",
        "偏差大或目标未完成原因分析",
        "偏差原因及改进措施",
        "偏差原因及整改措施",
        "偏差原因分析及整改措施",
        "未完成原因及改进措施",
        "偏差原因分析",
        "偏差原因",
        "原因分析",
        "原因",
    ),
    "improvement": ("改进措施", "改进措施及结果应用方案"),
    IGNORE: ("得分(重算)", "完成率(重算)", "得分计算方法", "是否核心指标", "序号", "备注"),
}

#: Fields a header row must have to be the indicator header.
INDICATOR_REQUIRED = ("name", "target", "actual", "weight")

#: Labels of the sheet's header area; the value is the next cell to the right (or below).
INFO_LABELS: dict[str, tuple[str, ...]] = {
    "project_name": ("项目名称",),
    "department": ("主管部门", "主管部门及代码", "主管单位"),
    "implementer": ("实施单位", "项目实施单位", "项目单位"),
    "unit_name": ("单位名称", "部门名称", "部门(单位)名称", "单位(部门)名称", "预算单位", "填报单位"),
    "unit_id": ("单位编号",),
    "rulebook": ("评分规则",),
    "year": ("评价年度", "年度", "预算年度"),
}

#: Labels of the goal block (年度总体目标); the value is below or to the right of the label.
GOAL_LABELS: dict[str, tuple[str, ...]] = {
    "goal": ("预期目标", "年初绩效目标", "项目年度目标", "年度目标", "年度总体目标"),
    "outcome": (
        "实际完成情况",
        "年度目标完成情况",
        "全年目标实际完成情况",
        "目标完成情况",
    ),
}

# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    """One Excel form: what identifies it and what an import of it becomes.

    ``markers`` are texts found (as substrings of normalised cells) on this form and rarely on
    others; the layout with the most markers present wins. ``kind`` is the evaluation kind unless
    the title says otherwise (``部门整体`` → department); ``rulebook`` is the default rulebook for
    unit-years imported from it.
    """

    name: str
    title: str
    kind: Literal["project", "department"]
    rulebook: str
    markers: tuple[str, ...]
    source: str = ""


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        name="chongqing-dept",
        title="重庆式部门整体支出绩效自评表（得分系数）",
        kind="department",
        rulebook="national-default",
        markers=(
            "得分系数",
            "执行率权重",
            "执行率得分",
            "是否核心指标",
            "全年(调整)预算数",
            "年初指标值",
            "调整指标值",
            "部门预算执行情况",
            "全年完成值",
            "全年(调整)绩效目标",
        ),
        source="scoring-rules §2.2, §4.3 (S16)",
    ),
    Layout(
        name="sichuan",
        title="四川 部门预算项目支出绩效自评表（510000_0013zp）",
        kind="project",
        rulebook="sichuan",
        markers=(
            "510000_0013zp",
            "部门预算项目支出绩效自评表",
            "指标性质",
            "调整后预算数",
            "预算执行数",
            "财政专户管理资金",
            "度量单位",
            "预算执行情况(10分)",
            "绩效指标(90分)",
        ),
        source="scoring-rules §4.2 (S8, S9)",
    ),
    Layout(
        name="hubei",
        title="湖北 项目支出绩效目标自评表（预算执行率 20 分）",
        kind="project",
        rulebook="hubei-2021",
        markers=(
            "得分(20分×执行率)",
            "得分(20分*执行率)",
            "得分(20分x执行率)",
            "年度绩效目标(80分)",
            "年初目标值",
            "偏差大或目标未完成原因分析",
            "改进措施及结果应用方案",
            "(万元)(20分)",
        ),
        source="scoring-rules §4.2, §5 (S10, S11)",
    ),
    Layout(
        name="beijing-haidian",
        title="北京海淀 2016 项目支出绩效自评表（年初预算为分母）",
        kind="project",
        rulebook="beijing-haidian-2016",
        markers=("得分计算方法", "年初预算数(A)", "全年实际值(B)"),
        source="scoring-rules §4.2, §5 (S5)",
    ),
    Layout(
        name="national",
        title="全国通用 项目支出绩效自评表（财预〔2020〕10号附件；安徽、河北、四川衔接资金等）",
        kind="project",
        rulebook="national-default",
        markers=("年度资金总额", "当年财政拨款", "上年结转资金", "偏差原因分析及改进措施"),
        source="scoring-rules §4.1, §4.2 (S2, S6, S7)",
    ),
)

#: Used when no layout's markers are present.
DEFAULT_LAYOUT = "national"


def get_layout(name: str) -> Layout:
    """The layout called ``name``; ``KeyError`` lists the known names."""
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(f"未知的表格样式“{name}”；可用的有：{'、'.join(lay.name for lay in LAYOUTS)}")


def detect_layout(texts: Iterable[str]) -> Layout:
    """The layout whose markers occur most often among ``texts`` (national when none do)."""
    blob = "\n".join(normalise(t) for t in texts)
    best, best_count = get_layout(DEFAULT_LAYOUT), 0
    for layout in LAYOUTS:
        count = sum(1 for marker in layout.markers if normalise(marker) in blob)
        if count > best_count:
            best, best_count = layout, count
    return best


_TRAILING_PARENS = re.compile(r"\([^()]*\)$")


def _synonym_index(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(s): field for field, synonyms in table.items() for s in synonyms}


def match_field(header: object, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The canonical field a header cell names, or ``None``.

    An exact match wins; otherwise trailing parentheses are dropped one by one
    (``执行率(B/A)`` → ``执行率``, ``指标权重(分)`` → ``指标权重``) and the text is tried again.
    """
    index = _synonym_index(table)
    text = normalise(header).rstrip(":")
    while text:
        if text in index:
            return index[text]
        shorter = _TRAILING_PARENS.sub("", text)
        if shorter == text:
            return None
        text = shorter
    return None


def matches_any(text: object, options: Iterable[str], *, prefix: bool = True) -> bool:
    """True when ``text`` equals (or, with ``prefix``, starts with) one of ``options``."""
    cleaned = normalise(text)
    if not cleaned:
        return False
    for option in options:
        opt = normalise(option)
        if cleaned == opt or (prefix and cleaned.startswith(opt)):
            return True
    return False
