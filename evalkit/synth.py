"""Synthetic params for scale: many clearly fictional units, reproducible from a seed.

Every unit's name says 示例 and its id is a slug such as ``synth-00012``. A unit is either a
department (部门整体支出) or a project (项目支出) evaluator for all its years, so its indicator
names repeat and trend charts can match them. Each unit-year is built bottom-up so that its
budget adds up (initial + adjustment = final, basic + project = totals, personnel + public =
basic, projects = project spending, fund sources = totals), scored with :func:`evalkit.core.scoring.evaluate`,
and its ``reported`` blocks are filled with the recomputed figures. A share of unit-years
(``error_rate``) then gets one deliberate, realistic reporting error for the audit to find;
the error is named in a comment at the top of the year file.

All numbers are Decimal and every draw comes from the ``random.Random`` passed in, so the same
seed gives byte-identical files.

>>> import random
>>> profile, years = generate_unit(random.Random(1), 0, [2022, 2023])
>>> profile["id"], "示例" in profile["name"], sorted(years)
('synth-00001', True, [2022, 2023])
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from evalkit.core.figures import fmt, round_half_up
from evalkit.core.models import UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook, load_rulebook
from evalkit.core.scoring import Evaluation, evaluate, grade_for
from evalkit.errors import InputError
from evalkit.inputs.yamlio import atomic_write_text, dump_yaml

__all__ = [
    "KINDS",
    "RULEBOOK",
    "SynthUnit",
    "generate",
    "generate_unit",
    "unit_rng",
    "write_synthetic",
]

KINDS = ("department", "project")
#: The rulebook every synthetic unit-year names (weights are split to its totals).
RULEBOOK = "national-default"
ID_PREFIX = "synth-"
#: Threads that write files (each write ends in an fsync that waits on the disk).
_WRITERS = 8

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)

# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Spec:
    """An indicator template: name, comparison, unit and the range its target is drawn from."""

    name: str
    op: str  # ">=", "<=", "=" or "qualitative"
    unit: str = ""
    lo: Decimal = ZERO
    hi: Decimal = ZERO
    step: Decimal = ONE
    cumulative: bool = False  # counted up through the year: the mid-year value is a part of it
    text: str = ""  # the target of a qualitative indicator
    level1: str | None = None
    level2: str | None = None
    cap: Decimal | None = None  # the largest plausible value (100 for %, 365 for days in a year)

    @property
    def dp(self) -> int:
        exp = self.step.as_tuple().exponent
        return max(0, -exp) if isinstance(exp, int) else 0

    @property
    def ceiling(self) -> Decimal | None:
        return HUNDRED if self.unit == "%" else self.cap


def _s(
    name: str,
    op: str,
    unit: str,
    lo: str,
    hi: str,
    step: str = "1",
    cumulative: bool = False,
    cap: str | None = None,
) -> Spec:
    return Spec(
        name,
        op,
        unit,
        Decimal(lo),
        Decimal(hi),
        Decimal(step),
        cumulative,
        cap=None if cap is None else Decimal(cap),
    )


def _q(name: str, text: str) -> Spec:
    return Spec(name, "qualitative", text=text)


@dataclass(frozen=True)
class Bureau:
    name: str
    functions: str
    bodies: tuple[str, ...]
    indicators: tuple[Spec, ...]
    key_work: tuple[tuple[str, str, int, int], ...]  # item, unit, lo, hi
    project: str  # the flagship project a project-kind unit evaluates
    topic: str  # what the project's output indicators count


# The vocabulary is data: one row per template, easier to read unwrapped.
# fmt: off
_COMMON = (
    _s("政府采购执行率", "=", "%", "100", "100"),
    _s("预决算信息公开率", "=", "%", "100", "100"),
    _s("“三公”经费支出", "<=", "万元", "8", "60", "0.1", cumulative=True),
    _s("公用经费支出", "<=", "万元", "40", "400", "1", cumulative=True),
    _s("培训费下降率", ">=", "%", "3", "10"),
    _s("重点工作办结率", ">=", "%", "90", "98"),
    _s("项目支出预算执行率", ">=", "%", "85", "95"),
    _s("服务对象满意度", ">=", "%", "85", "95"),
    _s("召开专题工作会议次数", ">=", "次", "4", "24", cumulative=True),
    _s("开展业务培训人次", ">=", "人次", "100", "3000", "10", cumulative=True),
    _s("业务办理平均时限", "<=", "天", "3", "20"),
    _q("内部控制制度建设", "健全完善"),
    _q("预算绩效管理水平", "有效提升"),
)

_BUREAUS = (
    Bureau(
        "财政局", "负责本级财政预算编制、执行和决算，管理财政收支和政府采购，组织实施预算绩效管理。",
        ("办公室", "预算科", "国库科", "绩效管理科", "政府采购监督管理科"),
        (_s("预算绩效评价覆盖项目数", ">=", "项", "20", "120", cumulative=True),
         _s("财政资金直达拨付平均时限", "<=", "天", "3", "10"),
         _s("财会监督检查次数", ">=", "次", "4", "20", cumulative=True)),
        (("审核部门预算", "项", 40, 200), ("开展财会监督检查", "次", 4, 20), ("组织绩效评价", "项", 10, 80)),
        "预算管理一体化系统运维项目", "系统运维",
    ),
    Bureau(
        "水务局", "负责水资源统一管理和保护，组织实施农村供水、河湖管护和防汛抗旱工作。",
        ("办公室", "水资源科", "农村水利科", "河湖管理科", "防汛抗旱科"),
        (_s("农村供水工程维修养护处数", ">=", "项", "10", "80", cumulative=True),
         _s("河道巡查次数", ">=", "次", "24", "120", cumulative=True),
         _s("农村自来水普及率", ">=", "%", "90", "98", "0.5")),
        (("维修养护供水工程", "处", 10, 80), ("开展河道巡查", "次", 24, 120), ("组织防汛演练", "次", 1, 6)),
        "农村饮水安全巩固提升工程", "供水工程",
    ),
    Bureau(
        "教育局", "负责本地区各级各类教育的统筹规划和管理，组织实施教师队伍建设和学生资助工作。",
        ("办公室", "基础教育科", "学前教育科", "计划财务科", "人事科", "安全保卫科"),
        (_s("教师培训人次", ">=", "人次", "500", "5000", "10", cumulative=True),
         _s("义务教育巩固率", ">=", "%", "96", "99", "0.5"),
         _s("校舍维修改造项目数", ">=", "项", "5", "30", cumulative=True)),
        (("组织教师培训", "人次", 500, 5000), ("完成校舍维修改造", "项", 5, 30), ("资助困难学生", "人次", 200, 5000)),
        "学生资助项目", "学生资助",
    ),
    Bureau(
        "卫生健康委员会", "负责本地区卫生健康事业发展规划，组织实施基本公共卫生服务和疾病预防控制。",
        ("办公室", "医政医管科", "基层卫生科", "疾病预防控制科", "妇幼健康科"),
        (_s("家庭医生签约服务人次", ">=", "人次", "2000", "50000", "100", cumulative=True),
         _s("传染病报告及时率", ">=", "%", "95", "99", "0.5"),
         _s("医疗机构监督检查次数", ">=", "次", "12", "80", cumulative=True)),
        (("家庭医生签约服务", "人次", 2000, 50000), ("开展健康教育讲座", "次", 10, 120), ("监督检查医疗机构", "次", 12, 80)),
        "基本公共卫生服务项目", "公共卫生服务",
    ),
    Bureau(
        "交通运输局", "负责本地区公路、水路交通运输行业管理，组织农村公路建设与养护。",
        ("办公室", "综合规划科", "公路管理科", "运输管理科", "安全监督科"),
        (_s("农村公路养护项目数", ">=", "项", "5", "40", cumulative=True),
         _s("道路运输执法检查次数", ">=", "次", "20", "150", cumulative=True),
         _s("城乡公交线路准点率", ">=", "%", "90", "98", "0.5")),
        (("完成农村公路养护", "项", 5, 40), ("开展运输执法检查", "次", 20, 150), ("新开通公交线路", "条", 1, 8)),
        "农村公路养护工程", "公路养护",
    ),
    Bureau(
        "农业农村局", "负责本地区农业农村发展规划，组织实施高标准农田建设、农业技术推广和农产品质量安全监管。",
        ("办公室", "发展规划科", "农田建设管理科", "科技教育科", "农产品质量安全监管科"),
        (_s("农业技术培训人次", ">=", "人次", "300", "6000", "10", cumulative=True),
         _s("高标准农田建设项目数", ">=", "项", "3", "20", cumulative=True),
         _s("农产品质量安全抽检合格率", ">=", "%", "96", "99", "0.5")),
        (("开展农业技术培训", "人次", 300, 6000), ("建设高标准农田项目", "项", 3, 20), ("农产品质量抽检", "批次", 100, 1200)),
        "高标准农田建设项目", "农田建设",
    ),
    Bureau(
        "民政局", "负责社会救助、养老服务、社会事务和基层政权建设等工作。",
        ("办公室", "社会救助科", "养老服务科", "社会事务科", "基层政权建设科"),
        (_s("社会救助审批平均时限", "<=", "天", "5", "20"),
         _s("养老服务机构检查次数", ">=", "次", "6", "48", cumulative=True),
         _s("困难群众救助资金发放及时率", "=", "%", "100", "100")),
        (("审批社会救助申请", "人次", 200, 6000), ("检查养老服务机构", "次", 6, 48), ("开展临时救助", "人次", 50, 1500)),
        "居家养老服务补贴项目", "居家养老服务",
    ),
    Bureau(
        "文化和旅游局", "负责本地区公共文化服务体系建设、文物保护和旅游市场管理。",
        ("办公室", "公共服务科", "文物保护科", "产业发展科", "市场管理科"),
        (_s("公益文化活动场次", ">=", "次", "20", "300", cumulative=True),
         _s("文化惠民服务人次", ">=", "人次", "5000", "200000", "1000", cumulative=True),
         _s("文物安全巡查次数", ">=", "次", "12", "60", cumulative=True)),
        (("举办公益文化活动", "场", 20, 300), ("开展文物安全巡查", "次", 12, 60), ("开展旅游市场检查", "次", 6, 40)),
        "公共文化服务体系建设项目", "公共文化服务",
    ),
    Bureau(
        "生态环境局", "负责本地区生态环境保护、污染防治和环境执法监督。",
        ("办公室", "大气环境科", "水生态环境科", "执法监督科", "监测科"),
        (_s("环境执法检查次数", ">=", "次", "50", "400", cumulative=True),
         _s("空气质量优良天数", ">=", "天", "250", "330", cumulative=True, cap="365"),
         _s("突发环境事件处置及时率", "=", "%", "100", "100")),
        (("开展环境执法检查", "次", 50, 400), ("办理信访投诉", "件", 30, 600), ("开展环境监测", "次", 12, 120)),
        "大气污染防治项目", "污染治理",
    ),
    Bureau(
        "市场监督管理局", "负责市场综合监督管理、食品药品安全监管和特种设备安全监察。",
        ("办公室", "登记注册科", "食品安全监管科", "特种设备安全监察科", "执法稽查科"),
        (_s("食品安全抽检批次", ">=", "次", "200", "3000", "10", cumulative=True),
         _s("投诉举报办结平均时限", "<=", "天", "5", "15"),
         _s("特种设备定期检验率", ">=", "%", "95", "99", "0.5")),
        (("完成食品安全抽检", "批次", 200, 3000), ("办结投诉举报", "件", 100, 5000), ("检查特种设备", "台", 100, 2000)),
        "食品安全抽检监测项目", "食品抽检",
    ),
    Bureau(
        "人力资源和社会保障局", "负责就业创业、社会保险、人事人才和劳动关系等工作。",
        ("办公室", "就业促进科", "职业能力建设科", "社会保险科", "劳动关系科"),
        (_s("职业技能培训人次", ">=", "人次", "500", "10000", "10", cumulative=True),
         _s("劳动争议案件结案率", ">=", "%", "90", "98", "0.5"),
         _s("劳动保障监察次数", ">=", "次", "12", "80", cumulative=True)),
        (("开展职业技能培训", "人次", 500, 10000), ("新增城镇就业", "人", 500, 12000), ("办结劳动争议案件", "件", 50, 800)),
        "职业技能提升行动项目", "技能培训",
    ),
    Bureau(
        "住房和城乡建设局", "负责城乡建设规划实施、住房保障、建筑市场和工程质量安全监管。",
        ("办公室", "住房保障科", "城市建设科", "建筑市场监管科", "质量安全监督站"),
        (_s("老旧小区改造项目数", ">=", "项", "3", "30", cumulative=True),
         _s("建筑工地安全检查次数", ">=", "次", "24", "200", cumulative=True),
         _s("工程质量验收合格率", "=", "%", "100", "100")),
        (("改造老旧小区", "个", 3, 30), ("检查建筑工地", "次", 24, 200), ("发放住房保障补贴", "户", 50, 2000)),
        "老旧小区改造项目", "小区改造",
    ),
    Bureau(
        "司法局", "负责法治建设、普法宣传、人民调解、法律援助和社区矫正工作。",
        ("办公室", "法治督察科", "普法与依法治理科", "人民参与和促进法治科", "公共法律服务科"),
        (_s("法律援助服务人次", ">=", "人次", "100", "2000", "10", cumulative=True),
         _s("人民调解成功率", ">=", "%", "92", "99", "0.5"),
         _s("普法宣传活动次数", ">=", "次", "12", "120", cumulative=True)),
        (("办理法律援助案件", "件", 50, 1000), ("调解矛盾纠纷", "件", 100, 3000), ("开展普法宣传", "次", 12, 120)),
        "法律援助项目", "法律援助",
    ),
    Bureau(
        "应急管理局", "负责应急管理、安全生产综合监管和防灾减灾救灾工作。",
        ("办公室", "应急指挥科", "安全生产综合协调科", "危险化学品监管科", "防灾减灾救灾科"),
        (_s("安全生产执法检查次数", ">=", "次", "40", "400", cumulative=True),
         _s("应急演练次数", ">=", "次", "2", "12", cumulative=True),
         _s("重大隐患整改率", "=", "%", "100", "100")),
        (("开展安全生产执法检查", "次", 40, 400), ("组织应急演练", "次", 2, 12), ("排查整改隐患", "处", 50, 1500)),
        "应急物资储备项目", "应急物资储备",
    ),
)

_COUNTY_WORDS = ("东", "西", "南", "北", "青山", "清河", "白沙", "石门", "长宁", "平安", "新安", "永和",
                 "望江", "临川", "云溪", "松林", "金川", "河口", "安平", "桃源")
_FUNDING = ("财政全额拨款行政单位", "财政全额拨款行政单位", "财政全额拨款事业单位", "财政差额拨款事业单位")
_CN_DIGITS = "零一二三四五六七八九十"

_MISS_REASONS = (
    "受项目前期手续办理滞后影响，部分工作未能按计划完成。",
    "年中人员调整，相关工作推进不及预期。",
    "上级资金下达较晚，项目实施进度滞后。",
    "招标采购环节耗时较长，部分任务结转至下年度。",
    "年度指标值设定偏高，未充分考虑实际工作条件。",
    "部分工作与上级专项行动合并开展，未单独计数。",
)
_MISS_MEASURES = (
    "提前开展项目前期工作，按月跟踪实施进度。",
    "加强年中绩效运行监控，发现偏差及时纠偏。",
    "依据近三年实际完成情况科学测算指标值。",
    "明确责任科室和完成时限，纳入年度考核。",
)
_OVER_REASONS = (
    "实际完成情况超计划较大，年度指标值设定偏低。",
    "年中新增上级交办任务，工作量超出年初预期。",
)
_OVER_MEASURES = ("下年度依据实际工作量合理设定指标值。", "年中监控发现偏差较大时按程序调整指标值。")
_ADJUST_REASONS = ("年中预算调整，经批准调整年度指标值。", "上级任务变化，按程序调整年度指标值。")
_NA_REASON = "本年度未发生相关业务，该指标不适用。"
#: The project's cost ceiling: its target is the final budget, its actual the spending.
_COST_CEILING = "项目成本控制数"
_QUAL_MIDYEAR = ("稳步推进", "按计划推进", "进展顺利", "部分推进")
#: The share of mid-year values left empty (监控未填报), for the audit to notice.
_MIDYEAR_MISSING = 0.08
_QUAL_ACTUAL = {
    "达成": ("达成", "达成年度指标", "已完成", "效果明显"),
    "部分达成": ("部分达成", "基本完成", "基本达成"),
    "未达成": ("未达成", "未完成"),
}
_PROBLEMS = (
    "绩效指标的明确性、可衡量性还需进一步提升，部分指标值缺乏测算依据。",
    "项目前期准备不充分，部分项目支出进度偏慢。",
    "绩效运行监控结果运用不足，发现偏差后纠偏不及时。",
    "预算编制精细化程度不高，年中调整幅度偏大。",
    "绩效自评数据复核不够严谨。",
)
_MEASURES = (
    "强化年初预算编制，提高预算编制的科学性和准确性。",
    "建立项目储备库，提前完成项目论证和招标准备。",
    "按月通报预算执行进度，对滞后项目及时督办。",
    "完善绩效指标体系，统一指标口径和计量单位。",
)
_SUGGESTIONS = (
    "加强绩效管理业务培训，提高工作人员绩效意识。",
    "将绩效评价结果与下年度预算安排挂钩。",
    "借助第三方专业机构力量，提升绩效评价质量。",
    "自评报告安排专人交叉复核数据，确保完成率、得分与总分一致。",
)
_MANAGEMENT = (
    ("管理制度健全性", "已建立预算管理、财务管理、政府采购和合同管理等内部控制制度，执行情况良好。"),
    ("资金使用合规性", "资金拨付履行审批程序，专款专用，未发现截留、挤占、挪用情况。"),
    ("项目实施进度", "按季度跟踪项目实施进度，对执行滞后的项目及时督办。"),
)
# fmt: on

#: Names for a department's projects, after the bureau's topic.
_PROJECT_NAMES = {
    b.name: tuple(
        f"{b.topic}{suffix}"
        for suffix in ("专项资金", "补助经费", "运行维护经费", "能力提升项目", "设备购置经费")
    )
    for b in _BUREAUS
}


# --------------------------------------------------------------------------- small helpers


def _clean(value: Decimal) -> Decimal:
    """Drop trailing zeros (``93.40`` → ``93.4``, ``100.00`` → ``100``) without exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(ONE)
    return value.normalize()


def _money(cents: int) -> Decimal:
    """An amount in 万元 from a whole number of hundredths."""
    return _clean(Decimal(cents) / HUNDRED)


def _draw(rng: random.Random, lo: Decimal, hi: Decimal, step: Decimal) -> Decimal:
    """A value on the grid lo, lo + step, … hi."""
    steps = int((hi - lo) / step)
    return _clean(lo + step * rng.randint(0, steps))


def _factor(rng: random.Random, lo: int, hi: int) -> Decimal:
    """A factor between lo/1000 and hi/1000."""
    return Decimal(rng.randint(lo, hi)) / 1000


def _q_round(value: Decimal, dp: int, *, up: bool = False) -> Decimal:
    if up:
        return _clean(value.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_CEILING))
    return _clean(round_half_up(value, dp))


def _apportion(total: int, shares: Sequence[int], minimum: int) -> list[int]:
    """``total`` split in proportion to ``shares``, each part at least ``minimum``.

    The remainder is settled one at a time on the largest shares first.

    >>> _apportion(10, [1, 1, 2], 2)
    [2, 2, 6]
    """
    parts = [max(minimum, total * s // sum(shares)) for s in shares]
    order = sorted(range(len(shares)), key=lambda j: (-shares[j], j))
    i = 0
    while sum(parts) != total:
        k = order[i % len(parts)]
        if sum(parts) < total:
            parts[k] += 1
        elif parts[k] > minimum:
            parts[k] -= 1
        i += 1
    return parts


def _bodies_summary(bodies: Sequence[str]) -> str | None:
    """``四科一室`` from the list of internal bodies (only for the 科 + 办公室 pattern)."""
    sections = [b for b in bodies if b.endswith("科")]
    if "办公室" not in bodies or not 0 < len(sections) <= 10 or len(sections) + 1 != len(bodies):
        return None
    return f"{_CN_DIGITS[len(sections)]}科一室"


# --------------------------------------------------------------------------- one unit


@dataclass
class _IndicatorState:
    """An indicator followed across a unit's years: its template, base target and importance."""

    spec: Spec
    target: Decimal | None
    importance: int


@dataclass
class SynthUnit:
    """One generated unit: its profile, its year files and the deliberate error of each year."""

    profile: dict[str, Any]
    years: dict[int, dict[str, Any]]
    errors: dict[int, str] = field(default_factory=dict)


def _region(rng: random.Random, index: int) -> str:
    pattern = rng.randint(0, 3)
    if pattern == 0:
        return f"示例市第{index % 40 + 1}区"
    if pattern == 1:
        return f"示例{rng.choice(_COUNTY_WORDS)}县"
    if pattern == 2:
        return f"示例{rng.choice(_COUNTY_WORDS)}市"
    return rng.choice(("示例县", "示例新区", "示例市"))


def _profile(rng: random.Random, index: int, region: str, bureau: Bureau) -> dict[str, Any]:
    bodies = list(bureau.bodies[: rng.randint(4, len(bureau.bodies))])
    authorized = rng.randint(8, 120)
    actual = authorized - rng.randint(0, max(1, authorized // 10))
    return {
        "id": f"{ID_PREFIX}{index + 1:05d}",
        "name": f"{region}{bureau.name}",
        "region": f"示例省{region}",
        "department": f"{region}人民政府",
        "functions": bureau.functions,
        "bodies": bodies,
        "bodies_summary": _bodies_summary(bodies),
        "funding_type": rng.choice(_FUNDING),
        "staffing": {
            "authorized": authorized,
            "actual": actual,
            "in_service": actual,
            "retired": rng.randint(0, actual // 2),
            "veteran_retired": 0,
            "change": 0,
        },
    }


def _project_specs(bureau: Bureau) -> dict[str, list[Spec]]:
    """The project-kind indicator pool, by 一级指标, named after the bureau's project topic."""
    t = bureau.topic

    def lv(spec: Spec, level1: str, level2: str) -> Spec:
        return replace(spec, level1=level1, level2=level2)

    out, ben, sat = "产出指标", "效益指标", "满意度指标"
    return {
        out: [
            lv(_s(f"{t}完成数量", ">=", "项", "5", "60", cumulative=True), out, "数量指标"),
            lv(
                _s(f"{t}受益人次", ">=", "人次", "500", "50000", "100", cumulative=True),
                out,
                "数量指标",
            ),
            lv(_s(f"开展{t}督导检查次数", ">=", "次", "4", "24", cumulative=True), out, "数量指标"),
            lv(_s(f"{t}验收合格率", "=", "%", "100", "100"), out, "质量指标"),
            lv(_s("资金拨付及时率", ">=", "%", "90", "98"), out, "时效指标"),
            lv(_s("项目平均完成时限", "<=", "天", "90", "300", "10"), out, "时效指标"),
            lv(_s(_COST_CEILING, "<=", "万元", "0", "0", "0.01", cumulative=True), out, "成本指标"),
        ],
        ben: [
            lv(_s(f"{t}覆盖率", ">=", "%", "80", "98"), ben, "社会效益指标"),
            lv(_s("群众政策知晓率", ">=", "%", "80", "95"), ben, "社会效益指标"),
            lv(
                _s("带动社会资金投入", ">=", "万元", "50", "2000", "10", cumulative=True),
                ben,
                "经济效益指标",
            ),
            lv(_q("长效管理机制建设", "健全完善"), ben, "可持续影响指标"),
        ],
        sat: [lv(_s("服务对象满意度", ">=", "%", "85", "95"), sat, "服务对象满意度指标")],
    }


class _UnitBuilder:
    """Builds one unit's years: its state (indicators, budget scale, diligence) evolves per year."""

    def __init__(self, rng: random.Random, index: int, kind: str, rulebook: Rulebook) -> None:
        self.rng = rng
        self.kind = kind
        self.rulebook = rulebook
        self.bureau = rng.choice(_BUREAUS)
        self.region = _region(rng, index)
        self.profile = _profile(rng, index, self.region, self.bureau)
        self.scale = rng.randint(300, 20000) * 100  # cents of 万元: the unit's budget size
        self.diligence = rng.randint(55, 92)  # percent chance a quantitative target is met
        self.staff = self.profile["staffing"]["actual"]
        self.states = self._choose_indicators()

    # -- indicators -----------------------------------------------------------------

    def _state(self, spec: Spec) -> _IndicatorState:
        target = None if spec.op == "qualitative" else _draw(self.rng, spec.lo, spec.hi, spec.step)
        return _IndicatorState(spec, target, self.rng.randint(2, 6))

    def _choose_indicators(self) -> list[_IndicatorState]:
        rng = self.rng
        if self.kind == "department":
            pool = list(_COMMON) + list(self.bureau.indicators)
            count = rng.randint(5, 12)
            picked = sorted(rng.sample(range(len(pool)), count))
            self.spare = [pool[i] for i in range(len(pool)) if i not in picked]
            return [self._state(pool[i]) for i in picked]
        groups = _project_specs(self.bureau)
        out_pool = groups["产出指标"]
        chosen = [out_pool[rng.choice((0, 1, 2))], out_pool[3], out_pool[rng.choice((4, 5))]]
        if rng.random() < 0.6:
            chosen.append(out_pool[6])
        if rng.random() < 0.4:
            extra = [s for s in out_pool[:3] if s not in chosen]
            chosen.insert(1, rng.choice(extra))
        benefit = rng.sample(groups["效益指标"], rng.randint(2, 3))
        chosen += sorted(benefit, key=groups["效益指标"].index)
        if rng.random() < 0.9:  # otherwise 满意度's weight moves to 效益 (rulebook rule)
            chosen += groups["满意度指标"]
        self.spare = []
        return [self._state(s) for s in chosen]

    def _evolve_indicators(self) -> None:
        """Between years: targets creep up, and now and then one indicator is replaced."""
        rng = self.rng
        for state in self.states:
            spec = state.spec
            if (
                state.target is not None
                and spec.cumulative
                and spec.unit != "万元"
                and rng.random() < 0.4
            ):
                grown = state.target * _factor(rng, 1000, 1150)
                state.target = _q_round(grown, spec.dp)
        if self.spare and rng.random() < 0.15:
            i = rng.randrange(len(self.states))
            new = self.spare.pop(rng.randrange(len(self.spare)))
            self.spare.append(self.states[i].spec)
            self.states[i] = self._state(new)

    def _weight_list(self) -> list[Decimal]:
        rb = self.rulebook
        available = rb.total_weight - rb.budget_execution.weight
        if self.kind == "department":
            return self._weighted(available, self.states)
        level1 = dict(rb.level1_weights)
        present = {s.spec.level1 for s in self.states}
        if "满意度指标" not in present and rb.missing_satisfaction_to in level1:
            level1[rb.missing_satisfaction_to] += level1.pop("满意度指标", ZERO)
        weights: dict[int, Decimal] = {}
        for name, total in level1.items():
            members = [i for i, s in enumerate(self.states) if s.spec.level1 == name]
            if members:
                for i, w in zip(
                    members, self._weighted(total, [self.states[i] for i in members]), strict=True
                ):
                    weights[i] = w
        return [weights[i] for i in range(len(self.states))]

    def _weighted(self, total: Decimal, states: Sequence[_IndicatorState]) -> list[Decimal]:
        """Weights in proportion to each indicator's importance, in whole or half points (≥ 2)."""
        unit = Decimal("0.5") if self.rng.random() < 0.5 else ONE
        units, minimum = int(total / unit), int(Decimal(2) / unit)
        if units < len(states) * minimum:  # many indicators on few points: half points, ≥ 0.5
            unit, units, minimum = Decimal("0.5"), int(total * 2), 1
        shares = _apportion(units, [s.importance for s in states], minimum)
        return [_clean(unit * n) for n in shares]

    def _indicator(
        self, state: _IndicatorState, weight: Decimal, budget: dict[str, Any], allow_na: bool
    ) -> dict[str, Any]:
        rng, spec = self.rng, state.spec
        out: dict[str, Any] = {"name": spec.name}
        if spec.level1:
            out["level1"], out["level2"] = spec.level1, spec.level2
        if spec.op == "qualitative":
            return self._qualitative(out, spec, weight)
        out["op"] = spec.op
        target = state.target
        assert target is not None
        if spec.name == _COST_CEILING:  # the project's own cost ceiling: its final budget
            target = _q_round(budget["final"], 0, up=True)
        out["target"] = target
        if spec.unit:
            out["unit"] = spec.unit
        if allow_na and rng.random() < 0.02:
            out["weight"] = weight
            out["applicable"] = False
            out["deviation_reason"] = _NA_REASON
            return out
        scoring_target = target
        adjusted = self._adjusted(spec, target)
        if adjusted is not None:
            out["target_adjusted"] = scoring_target = adjusted
        if spec.name == _COST_CEILING:
            actual, outcome = budget["actual"], "met"
        else:
            actual, outcome = self._actual(spec, scoring_target)
        midyear = self._midyear(spec, actual)
        if midyear is not None:
            out["midyear"] = midyear
        out["actual"] = actual
        out["weight"] = weight
        if outcome == "over" and rng.random() < 0.25:
            out["deduction"] = min(weight, Decimal(rng.choice(("0.5", "1"))))
        reasons: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        if outcome == "miss":
            reasons = (_MISS_REASONS, _MISS_MEASURES)
        elif outcome == "over":
            reasons = (_OVER_REASONS, _OVER_MEASURES)
        if adjusted is not None:
            out["deviation_reason"] = rng.choice(_ADJUST_REASONS)
        elif reasons and rng.random() < 0.85:  # otherwise deliberately left out, for the audit
            out["deviation_reason"] = rng.choice(reasons[0])
            out["improvement"] = rng.choice(reasons[1])
        return out

    def _qualitative(self, out: dict[str, Any], spec: Spec, weight: Decimal) -> dict[str, Any]:
        rng = self.rng
        roll = rng.randint(1, 100)
        grade = "达成" if roll <= self.diligence else ("部分达成" if roll <= 96 else "未达成")
        out.update(op="定性", target=spec.text)
        if rng.random() >= _MIDYEAR_MISSING:
            out["midyear"] = rng.choice(_QUAL_MIDYEAR)
        out.update(actual=rng.choice(_QUAL_ACTUAL[grade]), grade=grade)
        lo, hi = {"达成": (850, 1000), "部分达成": (620, 780), "未达成": (200, 550)}[grade]
        if grade != "达成" or rng.random() < 0.5:
            out["score"] = self._band_score(weight * _factor(rng, lo, hi), grade, weight)
        out["weight"] = weight
        if grade != "达成" and rng.random() < 0.85:
            out["deviation_reason"] = rng.choice(_MISS_REASONS)
            out["improvement"] = rng.choice(_MISS_MEASURES)
        return out

    def _band_score(self, exact: Decimal, grade: str, weight: Decimal) -> Decimal:
        """The score to one decimal when that stays inside the grade's band, else to two."""
        lo_f, hi_f = self.rulebook.qualitative.bands[grade]
        lo, hi = round_half_up(lo_f * weight, 2), round_half_up(hi_f * weight, 2)
        for dp in (1, 2):
            score = _q_round(exact, dp)
            if lo <= score and (score < hi or (hi_f == 1 and score <= hi)):
                return score
        return lo

    def _adjusted(self, spec: Spec, target: Decimal) -> Decimal | None:
        """Now and then a target changed mid-year (调整指标值): lowered for ≥, raised for ≤."""
        rng = self.rng
        if spec.op == "=" or spec.name == _COST_CEILING or rng.random() >= 0.08:
            return None
        if spec.op == ">=":
            value = _q_round(target * _factor(rng, 800, 950), spec.dp)
            return value if ZERO < value < target else None
        value = _q_round(target * _factor(rng, 1050, 1300), spec.dp, up=True)
        return value if value > target else None

    def _actual(self, spec: Spec, target: Decimal) -> tuple[Decimal, str]:
        """The year-end value and whether it met, missed or overshot (≥ 130%) the target."""
        rng, dp = self.rng, spec.dp
        smallest = Decimal(1).scaleb(-dp)
        met = rng.randint(1, 100) <= self.diligence
        if spec.op == "=":
            if met:
                return target, "met"
            return min(target - smallest, _q_round(target * _factor(rng, 850, 995), dp)), "miss"
        if spec.op == "<=":
            if met:
                return max(ZERO, _q_round(target * _factor(rng, 600, 1000), dp)), "met"
            return max(target + smallest, _q_round(target * _factor(rng, 1020, 1400), dp)), "miss"
        ceiling = spec.ceiling
        if met:
            over = _q_round(target * _factor(rng, 1300, 1800), dp, up=True)
            if (ceiling is None or over <= ceiling) and rng.random() < 0.12:
                return over, "over"
            high = (
                target * Decimal("1.15")
                if ceiling is None
                else min(ceiling, target * Decimal("1.15"))
            )
            high = max(target, high)
            return _draw(rng, target, high, smallest) if high > target else target, "met"
        low = _factor(rng, 550, 990) if rng.random() < 0.9 else ZERO
        return max(ZERO, min(target - smallest, _q_round(target * low, dp))), "miss"

    def _midyear(self, spec: Spec, actual: Decimal) -> Decimal | None:
        """The mid-year monitoring value; now and then missing (监控未填报)."""
        rng = self.rng
        if rng.random() < _MIDYEAR_MISSING:
            return None
        if spec.cumulative:
            return _q_round(actual * _factor(rng, 300, 650), spec.dp)
        value = _q_round(actual * _factor(rng, 940, 1030), spec.dp)
        return value if spec.ceiling is None else min(value, spec.ceiling)

    # -- budgets --------------------------------------------------------------------

    def _department_budget(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        total = self.scale
        basic = total * rng.randint(45, 80) // 100
        personnel = basic * rng.randint(80, 95) // 100
        public = basic - personnel
        project = total - basic
        sizes = _apportion(project, [rng.randint(2, 6) for _ in range(rng.randint(2, 5))], 100)
        names = rng.sample(_PROJECT_NAMES[self.bureau.name], len(sizes))
        sources = ["转移支付", "本级财力"] + [
            rng.choice(("转移支付", "本级财力", "本级财力", "其他")) for _ in sizes[2:]
        ]
        projects = []
        project_actual = 0
        for name, size, source in zip(names, sizes, sources, strict=True):
            rate = 1000 if rng.random() < 0.5 else rng.randint(700, 999)
            spent = size * rate // 1000
            project_actual += spent
            projects.append(
                {
                    "name": name,
                    "source": source,
                    "budget": _money(size),
                    "actual": _money(spent),
                    "effect": f"{name.removesuffix('资金').removesuffix('经费')}按计划实施，资金使用规范",
                }
            )
        personnel_actual = personnel - personnel * rng.randint(0, 5) // 1000
        public_actual = public - public * rng.randint(0, 40) // 1000
        basic_initial = max(0, basic - basic * rng.randint(-2, 6) // 100)
        project_initial = max(0, project - project * rng.randint(-10, 40) // 100)
        initial = basic_initial + project_initial
        budget = {
            "initial": _money(initial),
            "adjustment": _money(total - initial),
            "final": _money(total),
            "actual": _money(personnel_actual + public_actual + project_actual),
            "basic": {
                "initial": _money(basic_initial),
                "final": _money(basic),
                "actual": _money(personnel_actual + public_actual),
                "personnel": {"final": _money(personnel), "actual": _money(personnel_actual)},
                "public": {"final": _money(public), "actual": _money(public_actual)},
            },
            "project": {
                "initial": _money(project_initial),
                "final": _money(project),
                "actual": _money(project_actual),
            },
        }
        return budget, projects

    def _project_budget(self) -> dict[str, Any]:
        rng = self.rng
        size = max(5000, self.scale // rng.randint(4, 20))
        rows = []
        current = size * rng.randint(70, 100) // 100
        carry = size - current if rng.random() < 0.6 else 0
        other = size * rng.randint(2, 8) // 100 if rng.random() < 0.3 else 0
        for name, final, initial in (
            ("当年财政拨款", current, current * rng.randint(90, 110) // 100),
            ("上年结转资金", carry, carry if rng.random() < 0.5 else 0),
            ("其他资金", other, other),
        ):
            rate = 1000 if rng.random() < 0.4 else rng.randint(750, 999)
            rows.append((name, initial, final, final * rate // 1000))
        initial = sum(r[1] for r in rows)
        final = sum(r[2] for r in rows)
        return {
            "initial": _money(initial),
            "adjustment": _money(final - initial),
            "final": _money(final),
            "actual": _money(sum(r[3] for r in rows)),
            "sources": [
                {"name": n, "initial": _money(i), "final": _money(f), "actual": _money(a)}
                for n, i, f, a in rows
            ],
        }

    # -- a year ---------------------------------------------------------------------

    def year(self, year: int, first: bool) -> dict[str, Any]:
        rng = self.rng
        if not first:
            self.scale = self.scale * rng.randint(95, 112) // 100
            self.diligence = min(97, max(40, self.diligence + rng.randint(-12, 12)))
            self._evolve_indicators()
        out: dict[str, Any] = {
            "year": year,
            "kind": self.kind,
            "rulebook": RULEBOOK,
            "source": "evalkit synth 生成的虚构示例数据，非真实报告",
        }
        projects: list[dict[str, Any]] = []
        if self.kind == "project":
            out["project"] = self._project_info()
            budget = self._project_budget()
        else:
            budget, projects = self._department_budget()
            out["staffing"] = self._staffing()
            out["key_work"] = self._key_work()
        weights = self._weight_list()
        na_left = 1 if len(self.states) >= 6 else 0
        indicators = []
        for state, weight in zip(self.states, weights, strict=True):
            item = self._indicator(state, weight, budget, allow_na=na_left > 0)
            if item.get("applicable") is False:
                na_left -= 1
            indicators.append(item)
        out["budget"] = budget
        if projects:
            out["projects"] = projects
        out["indicators"] = indicators
        return out

    def _project_info(self) -> dict[str, Any]:
        name = f"{self.region}{self.bureau.project}"
        return {
            "name": name,
            "department": self.profile["name"],
            "implementer": self.profile["name"],
            "goal": f"按计划实施{self.bureau.topic}，资金足额到位、规范使用，服务对象满意度稳步提高。",
            "outcome": f"{self.bureau.topic}任务基本完成，详见各项绩效指标完成情况。",
        }

    def _staffing(self) -> dict[str, Any]:
        rng = self.rng
        authorized = self.profile["staffing"]["authorized"]
        before = self.staff
        self.staff = max(1, min(authorized, before + rng.randint(-2, 2)))
        return {
            "authorized": authorized,
            "actual": self.staff,
            "in_service": self.staff,
            "retired": self.profile["staffing"]["retired"],
            "veteran_retired": 0,
            "change": self.staff - before,
        }

    def _key_work(self) -> dict[str, Any]:
        rng = self.rng
        items = rng.sample(self.bureau.key_work, rng.randint(2, len(self.bureau.key_work)))
        counts = []
        for item, unit, lo, hi in items:
            count: dict[str, Any] = {"item": item, "value": rng.randint(lo, hi), "unit": unit}
            if rng.random() < 0.1:
                count["approximate"] = True
            counts.append(count)
        text = "，".join(
            f"{c['item']}{c['value']}{'余' if c.get('approximate') else ''}{c['unit']}"
            for c in counts
        )
        return {"summary": f"全年{text}，各项重点工作有序推进。", "counts": counts}


def _narrative(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> dict[str, Any]:
    rate = ev.execution_rate.text()
    out: dict[str, Any] = {}
    if ev.adjustment_rate is not None:
        out["budget_adjustment"] = (
            f"年中预算调整率 {ev.adjustment_rate.text()}，调整事项均履行了审批程序。"
        )
    out["budget_execution"] = f"全年预算执行率 {rate}，资金支出方向合理，支出流程规范。"
    if year["kind"] == "department":
        out["basic_spending"] = (
            "基本支出严格按照财务管理制度执行，人员经费据实列支，公用经费按定额管理。"
        )
    out["project_management"] = [
        {"title": t, "text": x} for t, x in rng.sample(_MANAGEMENT, rng.randint(1, 2))
    ]
    out["problems"] = "".join(rng.sample(_PROBLEMS, 2))
    out["measures"] = "".join(rng.sample(_MEASURES, 2))
    out["suggestions"] = "".join(rng.sample(_SUGGESTIONS, 2))
    return out


# --------------------------------------------------------------------------- reported figures


def _reported(year: dict[str, Any], ev: Evaluation) -> None:
    """Fill the ``reported`` blocks with the recomputed figures, as a correct report prints them."""
    for item, scored in zip(year["indicators"], ev.indicators, strict=True):
        if not scored.applicable:
            continue
        rep: dict[str, Any] = {}
        if scored.indicator.target_adjusted is not None:
            rep["target"] = _clean(scored.indicator.target_adjusted)
        if scored.completion.value is not None:
            rep["completion"] = _clean(scored.completion.value)
        if scored.score is not None and scored.score.value is not None:
            rep["score"] = _clean(scored.score.value)
        item["reported"] = rep
    figures = {
        "total": ev.total.value,
        "grade": ev.grade,
        "execution_rate": ev.execution_rate.value,
        "execution_score": ev.execution_score.value,
        "adjustment_rate": None if ev.adjustment_rate is None else ev.adjustment_rate.value,
        "basic_execution_rate": None
        if ev.basic_execution_rate is None
        else ev.basic_execution_rate.value,
        "project_execution_rate": None
        if ev.project_execution_rate is None
        else ev.project_execution_rate.value,
    }
    year["reported"] = {
        k: _clean(v) if isinstance(v, Decimal) else v for k, v in figures.items() if v is not None
    }


def _printed_total(year: dict[str, Any], ev: Evaluation) -> Decimal:
    """The total a report gets by adding its own printed parts (as the engine adds the true ones)."""
    rb = ev.rulebook
    raw = year["reported"]["execution_score"] + sum(
        (i["reported"]["score"] for i in year["indicators"] if "score" in i.get("reported", {})),
        ZERO,
    )
    na = sum((s.weight for s in ev.indicators if not s.applicable), ZERO)
    if na and rb.indicators.not_applicable == "renormalise":
        raw = raw * rb.total_weight / (rb.total_weight - na)
    return round_half_up(raw, rb.rounding.total_dp)


def _set_total(year: dict[str, Any], ev: Evaluation, total: Decimal) -> None:
    year["reported"]["total"] = _clean(total)
    year["reported"]["grade"] = grade_for(total, ev.rulebook)


def _transposed(value: Decimal) -> Decimal | None:
    """``101.17`` → ``101.71``: the rightmost pair of different adjacent digits swapped."""
    text = f"{round_half_up(value, 2):f}"
    for i in range(len(text) - 2, -1, -1):
        a, b = text[i], text[i + 1]
        if a.isdigit() and b.isdigit() and a != b and not (i == 0 and b == "0"):
            return Decimal(text[:i] + b + a + text[i + 2 :])
    return None


def _err_transposed(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    options = [
        (i, s)
        for i, s in zip(year["indicators"], ev.indicators, strict=True)
        if s.completion.value is not None and _transposed(s.completion.value) is not None
    ]
    if not options:
        return None
    item, scored = rng.choice(options)
    wrong = _transposed(scored.completion.value)
    item["reported"]["completion"] = wrong
    return f"指标“{scored.name}”完成率应为 {fmt(scored.completion.value)}%，报告误印为 {fmt(wrong)}%（数字颠倒）"


def _err_integer_execution(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    exact = ev.execution_score.value
    whole = round_half_up(exact, 0)
    if whole == exact:
        return None
    year["reported"]["execution_score"] = _clean(whole)
    _set_total(year, ev, _printed_total(year, ev))
    return (
        f"预算执行率得分应为 {fmt(exact)}，报告取整为 {fmt(whole)}，"
        f"总分随之印为 {fmt(year['reported']['total'])}"
    )


def _err_weight_as_score(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    options = [
        (i, s)
        for i, s in zip(year["indicators"], ev.indicators, strict=True)
        if s.score is not None and s.score.value is not None and s.score.value < s.weight
    ]
    if not options:
        return None
    item, scored = rng.choice(options)
    item["reported"]["score"] = _clean(scored.weight)
    _set_total(year, ev, _printed_total(year, ev))
    return (
        f"指标“{scored.name}”得分应为 {fmt(scored.score.value)}，报告把分值 {fmt(scored.weight)} 填作得分，"
        f"总分随之印为 {fmt(year['reported']['total'])}"
    )


def _err_total(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    delta = Decimal(rng.randint(10, 150)) / HUNDRED
    total = ev.total.value + delta if ev.total.value + delta <= HUNDRED else ev.total.value - delta
    _set_total(year, ev, total)
    return f"总分应为 {fmt(ev.total.value)}，报告所列总分 {fmt(total)} 与各项得分之和不符"


def _err_grade(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str | None:
    grades = [b.grade for b in ev.rulebook.grades.bands]
    i = grades.index(ev.grade)
    wrong = grades[i - 1] if i > 0 else grades[i + 1]
    year["reported"]["grade"] = wrong
    return f"总分 {fmt(ev.total.value)} 对应等级“{ev.grade}”，报告所列等级为“{wrong}”"


_ERRORS: tuple[Callable[[random.Random, dict[str, Any], Evaluation], str | None], ...] = (
    _err_transposed,
    _err_integer_execution,
    _err_weight_as_score,
    _err_total,
    _err_grade,
)


def _inject_error(rng: random.Random, year: dict[str, Any], ev: Evaluation) -> str:
    """Put one realistic reporting error into ``year['reported']``; say what it is."""
    order = list(_ERRORS)
    rng.shuffle(order)
    for make in order:
        description = make(rng, year, ev)
        if description:
            return description
    raise AssertionError("unreachable: a wrong grade always applies")  # pragma: no cover


# --------------------------------------------------------------------------- public API


def _plain(value: Any) -> Any:
    """A copy without ``None`` values, each Decimal a fresh object.

    PyYAML writes an object met twice in one document as an anchor and alias (``&id001``); a
    target reused as the actual value would come out that way.
    """
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return Decimal(f"{value:f}")
    return value


def generate(
    rng: random.Random,
    index: int,
    years: Sequence[int],
    *,
    project_share: float = 0.25,
    error_rate: float = 0.1,
    kinds: Sequence[str] = KINDS,
) -> SynthUnit:
    """One unit with its years, scored, and the deliberate error (if any) of each year.

    ``project_share`` is the chance that the unit is a project evaluator (when ``kinds`` allows
    both); ``error_rate`` the chance that each unit-year carries one reporting error.
    """
    rulebook = load_rulebook(RULEBOOK)
    if "department" not in kinds:
        kind = "project"
    elif "project" not in kinds:
        kind = "department"
    else:
        kind = "project" if rng.random() < project_share else "department"
    builder = _UnitBuilder(rng, index, kind, rulebook)
    profile = _plain(builder.profile)
    unit_model = UnitProfile.model_validate(profile)
    out: dict[int, dict[str, Any]] = {}
    errors: dict[int, str] = {}
    for n, year in enumerate(years):
        data = builder.year(year, first=n == 0)
        ev = evaluate(unit_model, UnitYear.model_validate(data), rulebook)
        data["narrative"] = _narrative(rng, data, ev)
        _reported(data, ev)
        if rng.random() < error_rate:
            errors[year] = _inject_error(rng, data, ev)
        out[year] = _plain(data)
    return SynthUnit(profile=profile, years=out, errors=errors)


def generate_unit(
    rng: random.Random, index: int, years: Sequence[int], **options: Any
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """``(profile, {year: year_file})`` for unit number ``index`` (0-based), as plain dicts.

    Options are those of :func:`generate`.
    """
    unit = generate(rng, index, years, **options)
    return unit.profile, unit.years


def unit_rng(seed: int, index: int) -> random.Random:
    """The generator for unit ``index``: each unit has its own, so unit 7 is the same in a run
    of 10 units or of 10,000 (string seeds are hashed with SHA-512: stable across runs)."""
    return random.Random(f"evalkit-synth:{seed}:{index}")


def _header(lines: Sequence[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def write_synthetic(
    out_dir: Path | str,
    units: int,
    years: int,
    seed: int = 0,
    *,
    start_year: int = 2021,
    kinds: Sequence[str] = KINDS,
    project_share: float = 0.25,
    error_rate: float = 0.1,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write ``units`` fictional units of ``years`` years each under ``out_dir``; the files written.

    Refuses (:class:`InputError`) a non-empty ``out_dir`` unless ``overwrite`` (files of the same
    name are replaced; nothing else is deleted). ``progress(done, total)`` is called per unit.
    """
    out = Path(out_dir)
    if units < 1 or years < 1:
        raise InputError("单位数和年度数都应至少为 1")
    if not 2000 <= start_year or start_year + years - 1 > 2100:
        raise InputError(f"年度应在 2000–2100 之间，实际为 {start_year}–{start_year + years - 1}")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise InputError(
            f"评价类型应为 {'、'.join(KINDS)} 之一，实际为 {'、'.join(unknown) or '（无）'}"
        )
    for name, share in (("project_share", project_share), ("error_rate", error_rate)):
        if not 0 <= share <= 1:
            raise InputError(f"{name} 应在 0 到 1 之间，实际为 {share}")
    if out.exists() and not out.is_dir():
        raise InputError("输出路径已存在且不是目录", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError("输出目录不为空；如需覆盖同名文件，请加 --overwrite", file=str(out))
    year_list = list(range(start_year, start_year + years))
    note = f"虚构示例数据（fictional synthetic data）：由 evalkit synth 生成（seed={seed}），单位与数字均为编造。"
    written: list[Path] = []
    # Texts are made here, in order; only the writing goes to threads, to overlap the fsync of
    # each atomic write (it waits on the disk and releases the GIL). Pending writes are bounded.
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        for index in range(units):
            unit = generate(
                unit_rng(seed, index),
                index,
                year_list,
                project_share=project_share,
                error_rate=error_rate,
                kinds=kinds,
            )
            folder = out / unit.profile["id"]
            files = [(folder / "unit.yaml", _header([note]) + dump_yaml(unit.profile))]
            for year, data in unit.years.items():
                lines = [note]
                if year in unit.errors:
                    lines.append(f"故意的报告错误（供复核测试）：{unit.errors[year]}")
                files.append((folder / f"{year}.yaml", _header(lines) + dump_yaml(data)))
            for path, text in files:
                pending.append(pool.submit(atomic_write_text, path, text))
                written.append(path)
            while len(pending) > 4 * _WRITERS:
                pending.popleft().result()
            if progress is not None:
                progress(index + 1, units)
        while pending:
            pending.popleft().result()
    return written
