"""The report's prose, generated from the figures in the register of the reference report.

Each function returns plain text (never HTML): the report escapes it where it reaches the page.
Figures are written with :mod:`evalkit.core.figures` (``304.1 万元``, ``99.43%``), so the narrative and
the tables always print the same digits.

>>> chinese_numeral(1), chinese_numeral(10), chinese_numeral(12), chinese_numeral(20)
('一', '十', '十二', '二十')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from evalkit.core.figures import fmt, fmt_money
from evalkit.core.models import Project
from evalkit.core.scoring import Evaluation, IndicatorScore
from evalkit.core.targets import OP_WORDS

__all__ = [
    "tidy",
    "money",
    "with_suffix",
    "is_reason",
    "deduction",
    "chinese_numeral",
    "report_title",
    "Outline",
    "outline",
    "budget_initial",
    "budget_adjustment",
    "budget_execution",
    "funds_usage",
    "basic_spending",
    "projects_overview",
    "project_groups",
    "performance_intro",
    "indicator_paragraph",
    "conclusion",
    "staffing_sentence",
    "profile_sentence",
    "key_work_counts",
    "lost_points_summary",
]

_DIGITS = "零一二三四五六七八九"

# One spacing rule, as official documents write: no space between Chinese and a figure, none
# between a figure and its unit ("年初预算数为304.1万元", "扣8分").
_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_BEFORE_FIGURE = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+(?=[-+]?\d)")
_SPACE_AFTER_FIGURE = re.compile(rf"(?<=[\d%])[ \u00a0]+(?=[{_CJK}%])")
# Reasons that explain nothing: left out rather than printed as "偏差原因：偏差较小。"
_NON_REASONS = re.compile(r"^(无|没有|无偏差|偏差较小|偏差不大|偏差很小|基本无偏差|正常|不适用|/|—|-)?[。.]?$")
_AIM_VERBS = ("改善", "提高", "提升", "维护", "保障", "促进", "加强", "推动", "保证", "确保", "满足")


def tidy(text: str) -> str:
    """Apply the spacing rule to generated text: ``我单位 2023年 … 304.1 万元`` → ``我单位2023年 … 304.1万元``.

    >>> tidy("我单位 2023年全年预算数为 425.3 万元，扣 8 分")
    '我单位2023年全年预算数为425.3万元，扣8分'
    """
    return _SPACE_AFTER_FIGURE.sub("", _SPACE_BEFORE_FIGURE.sub("", text))


def _tidied(func):  # noqa: ANN001, ANN202 - a decorator keeping the builder's signature
    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = func(*args, **kwargs)
        if isinstance(result, str):
            return tidy(result)
        if isinstance(result, list):
            return [tuple(tidy(x) for x in item) if isinstance(item, tuple) else tidy(item) for item in result]
        return result

    return wrapper


def money(value: Decimal | None) -> str:
    """The one money format: ``304.1万元`` (万元, at most two decimals, no space)."""
    return f"{fmt_money(value)}万元"


def with_suffix(name: str, suffix: str) -> str:
    """``name`` followed by ``suffix`` unless it already ends with it (no "提升项目项目").

    >>> with_suffix("校园安全设施提升项目", "项目"), with_suffix("驻社区补助", "项目")
    ('校园安全设施提升项目', '驻社区补助项目')
    """
    return name if name.endswith(suffix) else name + suffix


def is_reason(text: str | None) -> bool:
    """Whether a deviation reason says something ("偏差较小。" and "无" do not)."""
    return bool(text and not _NON_REASONS.match(text.strip()))


def chinese_numeral(n: int) -> str:
    """1–99 in Chinese numerals, as section numbers are written (一, 十二, 二十)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def _wan(value: Decimal | None) -> str:
    return money(value)


def _value(value: Decimal | str | None, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return _quoted(value)
    return f"{fmt(value, 2)}{unit}"


def _quoted(text: str) -> str:
    """Text in Chinese quotes, unless it already carries its own (“两部”一室 stays as written)."""
    return text if "“" in text or "”" in text else f"“{text}”"


def report_title(ev: Evaluation) -> str:
    """``乌鲁木齐市…常务委员会2023年度部门整体支出绩效自评报告``."""
    if ev.year.kind == "project" and ev.year.project is not None:
        return f"{ev.year.project.name}{ev.year.year}年度项目支出绩效自评报告"
    return f"{ev.unit.name}{ev.year.year}年度部门整体支出绩效自评报告"


@dataclass(frozen=True)
class Outline:
    """The numbered headings of the report, which differ between the two kinds."""

    profile: str
    spending: str
    performance: str
    conclusion: str
    problems: str
    measures: str


def outline(ev: Evaluation) -> Outline:
    if ev.year.kind == "project":
        return Outline(
            "一、项目基本情况",
            "二、项目资金使用及管理情况",
            "三、项目绩效目标实现情况",
            "四、评价结论",
            "五、存在的主要问题及原因分析",
            "六、改进措施和建议",
        )
    return Outline(
        "一、基本概况",
        "二、部门单位整体支出管理及使用情况",
        "三、部门单位整体支出绩效分析",
        "四、评价结论",
        "五、存在的主要问题及原因分析",
        "六、改进措施和建议",
    )


@_tidied
def profile_sentence(ev: Evaluation) -> str:
    """Who the unit is: name, funding type and internal bodies."""
    unit = ev.unit
    parts = [unit.name]
    if unit.funding_type:
        parts.append(f"，属于{unit.funding_type}")
    if unit.bodies:
        summary = _quoted(unit.bodies_summary) if unit.bodies_summary else f"{len(unit.bodies)}个内设机构"
        parts.append(f"，下设{summary}，分别是：{'、'.join(unit.bodies)}")
    return "".join(parts) + "。"


@_tidied
def staffing_sentence(ev: Evaluation) -> str | None:
    """编制人数 13 人，实有人数 13 人，其中：在职 13 人…"""
    s = ev.staffing
    if s is None:
        return None
    items = []
    if s.authorized is not None:
        items.append(f"编制人数 {s.authorized} 人")
    if s.actual is not None:
        items.append(f"实有人数 {s.actual} 人")
    detail = []
    for label, value in (("在职", s.in_service), ("退休", s.retired), ("离休", s.veteran_retired)):
        if value is not None:
            detail.append(f"{label} {value} 人")
    if s.change is not None:
        detail.append(f"增加 {s.change} 人" if s.change > 0 else f"减少 {-s.change} 人" if s.change < 0 else "增加或减少 0 人")
    text = "人员构成：" + "，".join(items)
    if detail:
        text += "，其中：" + "；".join(detail)
    return text + "。"


@_tidied
def key_work_counts(ev: Evaluation) -> list[tuple[str, str]]:
    """Key work counts as (item, "7 次") pairs for a table."""
    if ev.year.key_work is None:
        return []
    return [
        (c.item, f"{fmt(c.value, 2)}{'余' if c.approximate else ''}{c.unit or ''}")
        for c in ev.year.key_work.counts
    ]


def _subject(ev: Evaluation) -> str:
    """Who the budget sentences speak for: 我单位 (department) or 本项目 (a project evaluation)."""
    return "本项目" if ev.year.kind == "project" else "我单位"


@_tidied
def budget_initial(ev: Evaluation) -> str | None:
    b = ev.year.budget
    if b.initial is None:
        return None
    text = f"{_subject(ev)}年初预算数为 {_wan(b.initial)}"
    parts = []
    if b.basic is not None and b.basic.initial is not None:
        parts.append(f"基本支出年初预算数为 {_wan(b.basic.initial)}")
    if b.project is not None and b.project.initial is not None:
        parts.append(f"项目支出年初预算数为 {_wan(b.project.initial)}")
    if parts:
        text += "，其中：" + "、".join(parts)
    return text + "。"


@_tidied
def budget_adjustment(ev: Evaluation) -> str | None:
    b = ev.year.budget
    adj = b.adjustment_amount
    if b.initial is None or adj is None:
        return None
    verb = "年中调整数" if adj >= 0 else "年中调减"
    amount = adj if adj >= 0 else -adj
    text = f"{_subject(ev)}年初批复预算数 {_wan(b.initial)}，{verb} {_wan(amount)}，调整后全年预算数 {_wan(b.final)}"
    if ev.adjustment_rate is not None:
        text += f"，预算调整率 {ev.adjustment_rate.text()}"
    return text + "。"


@_tidied
def budget_execution(ev: Evaluation) -> str:
    b = ev.year.budget
    return f"全年预算数为 {_wan(b.final)}，全年实际支出资金 {_wan(b.actual)}，预算执行率为 {ev.execution_rate.text()}。"


@_tidied
def funds_usage(ev: Evaluation) -> str:
    b = ev.year.budget
    text = f"{_subject(ev)} {ev.year.year}年全年预算支出金额共计 {_wan(b.actual)}"
    parts = []
    if b.basic is not None and b.basic.actual is not None:
        parts.append(f"基本支出为 {_wan(b.basic.actual)}")
    if b.project is not None and b.project.actual is not None:
        parts.append(f"项目支出 {_wan(b.project.actual)}")
    if parts:
        text += "，其中：" + "；".join(parts)
    return text + "。"


@_tidied
def basic_spending(ev: Evaluation) -> str | None:
    basic = ev.year.budget.basic
    if basic is None or basic.final is None:
        return None
    text = f"{ev.year.year}年本单位基本支出全年预算总额 {_wan(basic.final)}"
    parts = []
    if basic.personnel is not None and basic.personnel.final is not None:
        parts.append(f"人员经费 {_wan(basic.personnel.final)}")
    if basic.public is not None and basic.public.final is not None:
        parts.append(f"公用经费 {_wan(basic.public.final)}")
    if parts:
        text += "，其中：" + "，".join(parts)
    text += "。"
    if basic.actual is not None:
        text += f"实际支出 {_wan(basic.actual)}"
        if ev.basic_execution_rate is not None:
            text += f"，基本支出预算执行率 {ev.basic_execution_rate.text()}"
        text += "。"
    return text


@_tidied
def projects_overview(ev: Evaluation) -> str | None:
    projects = ev.year.projects
    if not projects:
        return None
    budget = sum((p.budget for p in projects), Decimal(0))
    actual = sum((p.actual for p in projects), Decimal(0))
    return (
        f"{ev.year.year}年本单位共有 {len(projects)}个项目，项目总金额为 {_wan(budget)}，"
        f"执行金额为 {_wan(actual)}。"
    )


def _project_clause(p: Project) -> str:
    text = f"{with_suffix(p.name, '项目')}，预算金额为 {_wan(p.budget)}，执行金额为 {_wan(p.actual)}"
    effect = (p.effect or "").strip().rstrip("。；;")
    if effect:
        if effect.startswith(_AIM_VERBS) and not re.search(r"[，,；;\d]", effect):
            text += f"，{effect}"  # an aim ("改善各基层人大工作环境") reads on by itself
        else:
            text += f"，主要成效：{effect}"
    return text


@_tidied
def project_groups(ev: Evaluation) -> list[tuple[str, str]]:
    """One (heading, paragraph) per funding source, in the order 转移支付, 本级财力, 其他."""
    out = []
    for source, heading in (("转移支付", "转移支付项目"), ("本级财力", "本级财力项目"), ("其他", "其他资金项目")):
        group = [p for p in ev.year.projects if p.source == source]
        if not group:
            continue
        budget = sum((p.budget for p in group), Decimal(0))
        actual = sum((p.actual for p in group), Decimal(0))
        lead = "本年转移支付资金共计" if source == "转移支付" else "共计"
        listing = "分别为" if len(group) > 1 else "为"
        text = (
            f"{lead} {len(group)}个项目，预算金额为 {_wan(budget)}，执行金额为 {_wan(actual)}："
            f"{listing}{'；'.join(_project_clause(p) for p in group)}。"
        )
        out.append((heading, text))
    return out


@_tidied
def performance_intro(ev: Evaluation) -> str:
    b = ev.year.budget
    return (
        f"{_subject(ev)} {ev.year.year} 年全年预算金额为 {_wan(b.final)}，执行金额为 {_wan(b.actual)}，"
        f"执行率为 {ev.execution_rate.text()}，得 {ev.execution_score.text()}分。"
    )


@_tidied
def indicator_paragraph(s: IndicatorScore) -> str:
    """One paragraph per indicator: target, mid-year value, actual, completion, reasons, score."""
    ind = s.indicator
    unit = ind.unit
    if ind.is_qualitative:
        text = f"{ind.name}：该指标预期指标值为{_value(ind.target, '')}"
        if ind.midyear is not None:
            text += f"，年中监控完成情况为{_value(ind.midyear, '')}"
        if not ind.applicable:
            return text + "。该指标本年度不适用，不参与评分。"
        text += f"，本次评价实际完成情况为{_value(ind.actual, '')}，评定为“{s.grade}”"
    else:
        target = "未印出" if ind.target is None else f"{OP_WORDS.get(ind.op or '', '')} {_value(ind.target, unit)}"
        text = f"{ind.name}：该指标预期指标值为{target}"
        if ind.target_adjusted is not None:
            text += f"，年中调整指标值为 {_value(ind.target_adjusted, unit)}"
        if ind.midyear is not None:
            text += f"，年中监控实际完成值为 {_value(ind.midyear, unit)}"
        if not ind.applicable:
            return text + "。该指标本年度不适用，不参与评分。"
        text += f"，本次评价{ind.name}为 {_value(ind.actual, unit)}"
        if s.completion.value is not None:
            text += f"，该指标完成率为 {s.completion.text()}"
    if is_reason(ind.deviation_reason):
        assert ind.deviation_reason is not None
        text += f"，偏差原因：{ind.deviation_reason.strip().rstrip('。')}"
    text += "。"
    if is_reason(ind.improvement):
        assert ind.improvement is not None
        text += f"改进措施：{ind.improvement.strip().rstrip('。')}。"
    if s.score is not None and s.score.value is None:
        weight = "未印出" if s.weight is None else f"{fmt(s.weight, 2)}分"
        text += f"该指标权重分值{weight}，得分无法计算（{s.score.missing}）。"
    elif s.score is not None:
        text += f"该指标权重分值为 {fmt(s.weight, 2)}分，自评得分 {s.score.text()}分。"
    return text


@_tidied
def conclusion(ev: Evaluation) -> str:
    kind = "部门整体支出" if ev.year.kind == "department" else "项目支出"
    missing = "；".join(ev.missing)
    if ev.total_status == "not_computable":
        return f"{ev.year.year}年度{kind}绩效自评综合得分无法计算（{missing}），不评定等级。"
    if ev.total_status == "partial":
        return (
            f"{ev.year.year}年度{kind}绩效自评可计算部分的得分为 {fmt(ev.total.value, ev.total.dp)}分"
            f"（部分得分，未计入：{missing}），不评定等级。"
        )
    return f"{ev.year.year}年度{kind}绩效自评综合得分 {ev.total.text()}分，评价结果为“{ev.grade}”。"


def deduction(lost: Decimal) -> str:
    """The one deduction wording: ``扣8分``, ``扣0.06分``."""
    return f"扣{fmt(lost, 2)}分"


@_tidied
def lost_points_summary(ev: Evaluation) -> str | None:
    """Where points were lost, largest first: a sentence for the conclusion."""
    losses: list[tuple[Decimal, str]] = []
    exec_lost = Decimal(0)
    if ev.execution_weight is not None and ev.execution_score.value is not None:
        exec_lost = ev.execution_weight - ev.execution_score.value
    if exec_lost > 0:
        losses.append((exec_lost, "预算执行率"))
    losses += [(s.lost, s.name) for s in ev.indicators if s.lost > 0]
    if not losses:
        return "各项指标均获满分。" if ev.graded else "可计算的各项均获满分。"
    losses.sort(key=lambda pair: (-pair[0], pair[1]))
    items = "、".join(f"{name}（{deduction(lost)}）" for lost, name in losses)
    return f"失分主要在：{items}。"

