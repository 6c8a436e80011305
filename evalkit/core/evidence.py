"""Incomplete evidence in the params format: unprinted cells, an incomplete source, block weights.

A published report is often incomplete: a table cut off after page one, a cell not printed, only
the funds block shown, or points given to whole 一级/二级 blocks (Hubei). The year file says so
explicitly, and scoring then computes what can be computed (see :mod:`evalkit.core.blocks`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import model_validator

from evalkit.core.modelbase import F, StrictModel

if TYPE_CHECKING:
    from evalkit.core.models import Indicator

__all__ = ["INDICATOR_UNKNOWN_FIELDS", "YEAR_UNKNOWN_FIELDS", "Evidence", "Block", "year_problems", "value_at", "group_name"]

#: Indicator cells a source may leave unprinted (``unknown: [...]``), with their Chinese names.
INDICATOR_UNKNOWN_FIELDS = {
    "target": "年度指标值",
    "midyear": "年中监控值",
    "actual": "实际完成值",
    "weight": "分值",
    "completion": "报告所列完成率",
    "score": "报告所列得分",
    "deviation_reason": "偏差原因",
    "improvement": "改进措施",
}

#: Year-level fields a source may leave unprinted (top-level ``unknown: [...]``), by dotted path.
YEAR_UNKNOWN_FIELDS = {
    "execution_weight": "预算执行率分值",
    "budget.initial": "年初预算数",
    "budget.adjustment": "年中调整数",
    "budget.basic": "基本支出",
    "budget.project": "项目支出",
    "reported.total": "报告所列总分",
    "reported.grade": "报告所列等级",
    "reported.execution_rate": "报告所列预算执行率",
    "reported.execution_score": "报告所列执行率得分",
    "reported.adjustment_rate": "报告所列预算调整率",
}


class Evidence(StrictModel):
    """How complete the source was: ``evidence: {complete: false, missing: cut_off, note: ...}``."""

    complete: bool = F("来源完整", "False when the table typed from was incomplete", True)
    missing: Literal["cut_off", "blocks_only"] | None = F(
        "缺失情形",
        "cut_off: the indicator table was cut off (weights will not sum to the form's total); "
        "blocks_only: only some blocks were printed (e.g. only the funds block)",
        None,
    )
    note: str | None = F("说明", "What is missing, e.g. 第2页以后的指标未印出", None)

    @model_validator(mode="after")
    def _check(self) -> Evidence:
        if self.complete and self.missing is not None:
            raise ValueError("missing（缺失情形）: 填写了缺失情形，complete 应为 false")
        if not self.complete and self.missing is None:
            raise ValueError("missing（缺失情形）: complete 为 false 时请说明缺失情形：cut_off 或 blocks_only")
        return self


class Block(StrictModel):
    """A weighted block of indicators (湖北等按一级/二级指标给分值的表样).

    ``share: equal`` splits the block's points, less any weights given on its indicators, equally
    among its indicators that have no weight of their own.
    """

    level1: str = F("一级指标", "First-level group the weight belongs to, e.g. 产出指标", min_length=1)
    level2: str | None = F("二级指标", "Second-level group, e.g. 数量指标; omit for a whole 一级 block", None)
    weight: Decimal = F("分值", "Points of the block", ge=0)
    share: Literal["equal"] = F(
        "分配方式", "How indicators without their own weight share the block's points: equal (平均分配)", "equal"
    )

    @property
    def label(self) -> str:
        return self.level1 + (f"—{self.level2}" if self.level2 else "")

    def holds(self, indicator: Indicator) -> bool:
        """True when ``indicator`` lies in this block (its 一级 and, if the block names one, 二级)."""
        return group_name(indicator.level1) == group_name(self.level1) and (
            self.level2 is None or group_name(indicator.level2) == group_name(self.level2)
        )


    def holds_block(self, other: Block) -> bool:
        """True when this 二级 block lies inside the 一级 block ``other``."""
        return self.level2 is not None and other.level2 is None and group_name(self.level1) == group_name(other.level1)


def group_name(name: str | None) -> str:
    """A block name without its printed points: ``产出指标（50分）`` → ``产出指标``."""
    return re.split(r"[（(]", name or "", maxsplit=1)[0].strip()




def year_problems(data: Any) -> list[str]:
    """The cross-field problems of a year file, every one, as ``field（名）: problem`` lines.

    Works on the raw mapping too (tolerating malformed parts), so that a file whose fields also
    have errors still gets its cross-field problems listed in the same run.
    """
    if not isinstance(data, dict):
        return []
    problems = []
    if data.get("kind") == "project" and not data.get("project"):
        problems.append("project（被评价项目）: 项目支出自评需要填写被评价项目（project.name）")
    indicators = [i for i in _list(data.get("indicators")) if isinstance(i, dict)]
    names = [str(i.get("name")) for i in indicators if i.get("name")]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        problems.append(f"indicators（绩效指标）: 指标名称重复：{'、'.join(dupes)}")
    for path in _list(data.get("unknown")):
        if path not in YEAR_UNKNOWN_FIELDS:
            problems.append(f"unknown（未印出的年度字段）: 不认识“{path}”；可写：{'、'.join(YEAR_UNKNOWN_FIELDS)}")
        elif value_at(data, str(path)) is not None:
            problems.append(
                f"unknown（未印出的年度字段）: “{path}”（{YEAR_UNKNOWN_FIELDS[path]}）列为未印出，却又填写了数值；请二选一"
            )
    blocks = [b for b in _list(data.get("blocks")) if isinstance(b, dict)]
    labels = [(group_name(b.get("level1")), group_name(b.get("level2"))) for b in blocks]
    for l1, l2 in sorted({x for x in labels if labels.count(x) > 1}):
        problems.append(f"blocks（分块分值）: 分块“{l1}{'—' + l2 if l2 else ''}”重复")
    for index, raw in enumerate(_list(data.get("indicators"))):
        if not isinstance(raw, dict) or raw.get("weight") is not None or "weight" in _list(raw.get("unknown")):
            continue
        if raw.get("applicable") is False:
            continue
        l1, l2 = group_name(raw.get("level1")), group_name(raw.get("level2"))
        if not any(b[0] == l1 and b[1] in ("", l2) for b in labels):
            problems.append(
                f"indicators[{index}].weight（分值）: 指标“{raw.get('name')}”缺少分值；如报告未印出，请写 "
                "unknown: [weight]；如按分块给分，请在 blocks 中写出其一级/二级指标的分值"
            )
    return problems


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def value_at(data: Any, path: str) -> object:
    current = data
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else getattr(current, part, None)
        if current is None:
            return None
    return current


