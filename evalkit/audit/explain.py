"""Explaining a printed figure: the slips and other rulebooks that reproduce it exactly.

>>> reproduces(Decimal("10"), Decimal("10.00"), 2), reproduces(Decimal("9"), Decimal("8.62"), 2)
(True, False)
>>> explain(Decimal("101.71"), Decimal("101.1684"), 2, [])
'数字颠倒（101.17 → 101.71）'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

from evalkit.audit.findings import HUNDRED
from evalkit.core.figures import PRECISION, Figure, decimals_of, fmt, round_half_up, truncate
from evalkit.core.models import Indicator, UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook, available_rulebooks, load_rulebook
from evalkit.core.scoring import Evaluation, IndicatorScore, evaluate, score_indicator
from evalkit.errors import ScoringError

# --------------------------------------------------------------------------- numbers


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return numerator / denominator


def _percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _divide(numerator, denominator) * HUNDRED


def _written(value: Decimal) -> str:
    """A number as it was written: ``Decimal('304.1')`` → ``304.1``."""
    return fmt(value, decimals_of(value))


def _shown(value: Decimal, unit: str = "") -> str:
    """A printed figure exactly as printed, trailing zeros kept: ``9.90``, ``101.71%``."""
    return f"{fmt(value, decimals_of(value), keep_zeros=True)}{unit}"


_RESULT = re.compile(r" = -?[\d.]+%?")


def _how(figure: Figure) -> str:
    """A figure's computation with its inputs put in: ``96.11 ÷ 95 × 100%``."""
    if figure.working and not figure.working.startswith("="):
        return _RESULT.sub("", figure.working)
    text = figure.formula.split(" = ", 1)[-1]
    for name in sorted(figure.inputs, key=len, reverse=True):
        value = figure.inputs[name]
        if isinstance(value, Decimal):
            text = text.replace(name, _written(value))
    return text


def _formula(figure: Figure) -> str:
    """The general formula's right-hand side: ``实际值 ÷ 目标值 × 100%``."""
    return figure.formula.split(" = ", 1)[-1]


# --------------------------------------------------------------------------- explaining a figure


@dataclass(frozen=True)
class Candidate:
    """Another way the report may have computed a figure: ``exact`` written with ``dp`` decimals.

    ``rulebook`` names the shipped rulebook the candidate comes from, so that several rulebooks
    giving the same figure are named together.
    """

    label: str
    exact: Decimal | None
    dp: int
    rulebook: str | None = None
    #: The rules (dotted paths) in which that rulebook differs from the one in use.
    changes: frozenset[str] = frozenset()


def reproduces(printed: Decimal, exact: Decimal, dp: int) -> bool:
    """True when ``printed`` is ``exact`` rounded half-up to ``dp`` decimals.

    Trailing zeros may be dropped (``10`` for 10.00) or added (``9.00`` for 9); a figure printed
    with more than ``dp`` decimals is compared at its own precision.

    >>> reproduces(Decimal("9"), Decimal("8.62"), 0), reproduces(Decimal("9.943"), Decimal("9.9433"), 2)
    (True, True)
    """
    if printed == round_half_up(exact, dp):
        return True
    shown = decimals_of(printed)
    return shown > dp and printed == round_half_up(exact, shown)


def _transposed(recomputed: str, printed: str) -> bool:
    """True when ``printed`` is ``recomputed`` with two adjacent digits swapped."""
    if len(recomputed) != len(printed):
        return False
    diffs = [i for i, (a, b) in enumerate(zip(recomputed, printed, strict=True)) if a != b]
    if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
        return False
    i, j = diffs
    return (
        recomputed[i].isdigit()
        and recomputed[j].isdigit()
        and (recomputed[i], recomputed[j]) == (printed[j], printed[i])
    )


def _slips(printed: Decimal, exact: Decimal, dp: int) -> list[Candidate]:
    """The rounding slips any figure may show: integers, one decimal, truncation."""
    shown = decimals_of(printed)
    slips = []
    if dp > 0:
        slips.append(Candidate("取整（四舍五入到整数）", exact, 0))
    if dp > 1:
        slips.append(Candidate("只保留一位小数", exact, 1))
    cut = truncate(exact, shown)
    if cut != round_half_up(exact, shown):
        slips.append(Candidate("截尾（直接舍去多余小数）而非四舍五入", cut, shown))
    return slips


def explain(
    printed: Decimal, exact: Decimal, dp: int, candidates: Iterable[Candidate]
) -> str | None:
    """The slips that reproduce ``printed`` exactly, joined; ``None`` when none does.

    ``exact`` and ``dp`` are the recomputed figure; ``candidates`` are the other ways the report
    may have computed it. Only a candidate that gives the printed figure at its precision counts.

    >>> explain(Decimal("9"), Decimal("8.62"), 2, [])
    '取整（四舍五入到整数）'
    >>> explain(Decimal("8"), Decimal("8.62"), 2, [])
    '截尾（直接舍去多余小数）而非四舍五入'
    """
    labels: list[str] = []
    rulebooks: list[Candidate] = []
    shown = decimals_of(printed)
    recomputed_text = fmt(exact, shown, keep_zeros=True)
    printed_text = fmt(printed, shown, keep_zeros=True)
    if _transposed(recomputed_text, printed_text):
        labels.append(f"数字颠倒（{recomputed_text} → {printed_text}）")
    for candidate in (*_slips(printed, exact, dp), *candidates):
        # Exactly the candidate's figure: ``reproduces`` would also accept 8.6 as 9 "at its precision".
        if candidate.exact is None or printed != round_half_up(candidate.exact, candidate.dp):
            continue
        if candidate.rulebook is not None:
            if all(c.rulebook != candidate.rulebook for c in rulebooks):
                rulebooks.append(candidate)
        elif candidate.label not in labels:
            labels.append(candidate.label)
    involved = _involved(rulebooks)
    if involved:
        labels.append("按评分规则" + "或".join(f"“{title}”" for title in involved) + "计算")
    return "；或".join(labels) or None


def _involved(candidates: list[Candidate]) -> list[str]:
    """The rulebooks whose own rules make the difference: a rulebook that reproduces the figure
    only because it shares the rules of another one that does (and changes more) is left out."""
    return [
        c.rulebook
        for c in candidates
        if c.rulebook is not None
        and not any(o is not c and o.changes and o.changes < c.changes for o in candidates)
    ]


def rule_changes(current: Rulebook, other: Rulebook) -> frozenset[str]:
    """The rules in which ``other`` differs from ``current``, as ``path=value`` of ``other``.

    A rulebook whose changes include all of another's (same rules, same values) and more only
    reproduces a figure because of what it shares with the other: it is not named.
    """
    mine, theirs = _rules_of(current), _rules_of(other)
    ignore = ("name", "title", "description", "sources", "extends")
    return frozenset(
        f"{k}={theirs.get(k)}"
        for k in set(mine) | set(theirs)
        if k.split(".")[0] not in ignore and mine.get(k) != theirs.get(k)
    )


#: Each rulebook's rules as flat ``path → value`` (rulebooks are frozen; the object is kept so
#: that its id is not reused while cached).
_RULES: dict[int, tuple[Rulebook, dict[str, object]]] = {}


def _rules_of(rulebook: Rulebook) -> dict[str, object]:
    cached = _RULES.get(id(rulebook))
    if cached is None or cached[0] is not rulebook:
        if len(_RULES) > 256:
            _RULES.clear()
        cached = _RULES[id(rulebook)] = (rulebook, _leaves(rulebook.model_dump()))
    return cached[1]


def _leaves(data: object, prefix: str = "") -> dict[str, object]:
    if isinstance(data, dict):
        out: dict[str, object] = {}
        for key, value in data.items():
            out.update(_leaves(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): repr(data)}


@dataclass(frozen=True)
class _Mismatch:
    printed: str
    recomputed: str
    how: str
    explanation: str | None

    def said(self, what: str, subject: str | None = None) -> str:
        """``职工代表满意度：报告所列完成率 101.71%，按 96.11 ÷ 95 × 100% 重算为 101.17%，疑为…``"""
        head = f"{subject}：" if subject else ""
        tail = f"疑为{self.explanation}" if self.explanation else "未找到能得出该数的算法"
        return f"{head}报告所列{what} {self.printed}，按 {self.how} 重算为 {self.recomputed}，{tail}"


def _compare(
    printed: Decimal,
    figure: Figure,
    candidates: Callable[[], Iterable[Candidate]],
) -> _Mismatch | None:
    """A mismatch between a printed figure and its recomputation, explained when possible."""
    assert figure.exact is not None
    if reproduces(printed, figure.exact, figure.dp):
        return None
    return _Mismatch(
        printed=_shown(printed, figure.unit),
        recomputed=figure.text(),
        how=_how(figure),
        explanation=explain(printed, figure.exact, figure.dp, candidates()),
    )


@lru_cache(maxsize=1)
def _shipped_rulebooks() -> tuple[Rulebook, ...]:
    return tuple(load_rulebook(name) for name in available_rulebooks())


def _other_rulebooks(rulebook: Rulebook) -> Iterator[Rulebook]:
    """The shipped rulebooks other than ``rulebook``: each is a candidate explanation."""
    return (rb for rb in _shipped_rulebooks() if rb.name != rulebook.name)


def _ignoring_weights(rulebook: Rulebook) -> Rulebook:
    """``rulebook`` with the weight-sum check switched off: the audit reports that one itself."""
    return rulebook.model_copy(update={"weight_tolerance": Decimal("Infinity")})


def _try_evaluate(profile: UnitProfile, year: UnitYear, rulebook: Rulebook) -> Evaluation | None:
    try:
        return evaluate(profile, year, _ignoring_weights(rulebook))
    except ScoringError:
        return None


def _try_score(indicator: Indicator, rulebook: Rulebook) -> IndicatorScore | None:
    try:
        return score_indicator(indicator, rulebook)
    except ScoringError:
        return None

