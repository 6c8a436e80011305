"""Indicator weights: an indicator's own 分值, its share of a weighted block, or unknown.

Hubei-style forms give points to a whole 一级 or 二级 block (``blocks:`` in the year file); the
indicators inside share them by the form's rule. ``share: equal`` splits the block's points, less
the weights its indicators carry themselves, equally among the indicators that have none.

A weight is never guessed: when the table was cut off (``evidence.missing: cut_off``) a block's
points cannot be shared, because some of its indicators may be missing; when the source did not
print an indicator's weight and no block gives it, the weight is unknown.

>>> from evalkit.core.models import UnitYear
>>> year = UnitYear(year=2023, kind="department", budget={"final": 1, "actual": 1},
...     blocks=[{"level1": "产出指标", "weight": 30}],
...     indicators=[{"name": n, "level1": "产出指标", "target": "≥ 1", "actual": 1} for n in "甲乙丙"])
>>> [str(w.value) for w in indicator_weights(year)]
['10', '10', '10']
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from evalkit.core.figures import PRECISION, fmt
from evalkit.core.models import Block, Indicator, UnitYear
from evalkit.core.rulebook import Rulebook
from evalkit.errors import ScoringError

__all__ = ["Weight", "indicator_weights", "check_blocks"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class Weight:
    """An indicator's weight as scored: ``value`` (None when unknown), how it was found, or why not."""

    value: Decimal | None
    how: str = ""
    missing: str = ""


def _members(year: UnitYear, block: Block) -> list[int]:
    return [i for i, ind in enumerate(year.indicators) if year.block_of(ind) is block]


def _inner(year: UnitYear, block: Block) -> Decimal:
    """Points of the 二级 blocks inside a 一级 block (its own indicators share the rest)."""
    if block.level2 is not None:
        return ZERO
    return sum((b.weight for b in year.blocks if b.level2 is not None and b.holds_block(block)), ZERO)


def indicator_weights(year: UnitYear) -> list[Weight]:
    """The weight each indicator is scored with, in order."""
    out: list[Weight] = []
    for indicator in year.indicators:
        out.append(_weight_of(year, indicator))
    return out


def _weight_of(year: UnitYear, indicator: Indicator) -> Weight:
    if indicator.weight is not None:
        return Weight(indicator.weight)
    block = year.block_of(indicator)
    if block is None:
        return Weight(None, missing="分值未印出")
    if year.evidence.missing == "cut_off":
        return Weight(None, missing=f"表格不完整，无法把分块“{block.label}”的 {fmt(block.weight)} 分分配到各指标")
    members = [year.indicators[i] for i in _members(year, block)]
    own = sum((m.weight for m in members if m.weight is not None), ZERO)
    sharing = [m for m in members if m.weight is None]
    inner = _inner(year, block)
    rest = block.weight - own - inner
    if rest < 0:
        return Weight(None, missing=f"分块“{block.label}”中各指标自带分值之和 {fmt(own)} 超过分块分值 {fmt(block.weight)}")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        value = rest / len(sharing)
    how = f"分块“{block.label}”{fmt(block.weight)} 分"
    if own or inner:
        how += f"（减去各指标自带分值与二级分块分值 {fmt(own + inner)}）"
    how += f"由 {len(sharing)} 个指标平均分配，每个 {fmt(value, 4)} 分"
    return Weight(value, how=how)


def check_blocks(year: UnitYear, rulebook: Rulebook | None = None) -> list[ScoringError]:
    """The problems of blocks that cannot hold together on a complete table, one error each.

    An incomplete table (``evidence.complete: false``) is not checked, since its blocks may have
    lost indicators.
    """
    if not year.complete or (rulebook is not None and not rulebook.weight_tolerance.is_finite()):
        return []  # an audit relaxes the weight checks to report them itself
    problems = []
    for index, block in enumerate(year.blocks):
        members = [year.indicators[i] for i in _members(year, block)]
        where = f"blocks[{index}]（{block.label}）"
        inner = _inner(year, block)
        if not members and not inner:
            problems.append(f"{where}: 分块“{block.label}”没有对应的指标（一级/二级指标名称是否一致？）")
            continue
        own = sum((m.weight for m in members if m.weight is not None), ZERO) + inner
        if all(m.weight is not None for m in members) and own != block.weight:
            problems.append(f"{where}: 分块“{block.label}”的指标分值合计 {fmt(own)}，与分块分值 {fmt(block.weight)} 不符")
        elif own > block.weight:
            problems.append(f"{where}: 分块“{block.label}”中各指标自带分值之和 {fmt(own)} 超过分块分值 {fmt(block.weight)}")
    out = []
    for problem in problems:
        field, _, message = problem.partition(": ")
        out.append(ScoringError(message, field=field))
    return out
