"""The scored unit-year: :class:`IndicatorScore` and :class:`Evaluation`, and their JSON form.

A figure that cannot be computed (an unprinted cell, an unknown weight) is a
:class:`~evalkit.core.figures.Figure` with no value and a Chinese reason (``missing``); its text
is ``无法计算（原因）``. A total made of only some of its parts is labelled partial
(``total_status == "partial"``, text ``62.5（部分得分）``) and is not graded (:data:`NO_GRADE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from evalkit.core.figures import Figure
from evalkit.core.models import Indicator, Staffing, UnitProfile, UnitYear
from evalkit.core.rulebook import Rulebook
from evalkit.labels import NO_GRADE

__all__ = ["IndicatorScore", "Evaluation", "json_number", "NO_GRADE", "TotalStatus"]

ZERO = Decimal(0)


TotalStatus = Literal["complete", "partial", "not_computable"]


def json_number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON: an int when whole, else a float whose text is the same digits.

    Figures have far fewer than 15 significant digits, so ``repr(float)`` gives back exactly the
    decimal text (``Decimal('9.94')`` → ``9.94``).
    """
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(frozen=True)
class IndicatorScore:
    """The scored indicator: its completion rate, score and any flags.

    ``weight_used`` is the weight scored with: the indicator's own, its share of a block, or
    None when unknown. ``score`` is None for a not-applicable indicator, and a figure with no
    value and a reason (``score.missing``) when it cannot be computed.
    """

    indicator: Indicator
    target_used: Decimal | str | None
    completion: Figure
    score: Figure | None
    met: bool | None
    grade: str | None = None
    flags: tuple[str, ...] = ()
    weight_used: Decimal | None = None
    weight_note: str = ""

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def weight(self) -> Decimal | None:
        return self.weight_used

    @property
    def applicable(self) -> bool:
        return self.indicator.applicable

    @property
    def computable(self) -> bool:
        """False when the indicator applies but its score cannot be computed."""
        return self.score is None or self.score.value is not None

    @property
    def lost(self) -> Decimal:
        """Points lost against the weight (0 for a not-applicable or not-computable indicator)."""
        if self.score is None or self.score.value is None or self.weight_used is None:
            return ZERO
        return self.weight_used - self.score.value


@dataclass(frozen=True)
class Evaluation:
    """A scored unit-year: everything a report or an audit needs, each figure explained.

    ``total_status`` says whether the total is ``complete``, a ``partial`` sum (``missing``
    lists what it leaves out) or ``not_computable``; only a complete total is graded.
    """

    unit: UnitProfile
    year: UnitYear
    rulebook: Rulebook
    execution_rate: Figure
    execution_weight: Decimal | None
    execution_score: Figure
    indicators: tuple[IndicatorScore, ...]
    total: Figure
    grade: str
    adjustment_rate: Figure | None = None
    basic_execution_rate: Figure | None = None
    project_execution_rate: Figure | None = None
    notes: tuple[str, ...] = field(default=())
    total_status: TotalStatus = "complete"
    missing: tuple[str, ...] = ()

    @property
    def unit_id(self) -> str:
        return self.unit.id

    @property
    def kind_label(self) -> str:
        return "部门整体支出" if self.year.kind == "department" else "项目支出"

    @property
    def staffing(self) -> Staffing | None:
        return self.year.staffing or self.unit.staffing

    @property
    def graded(self) -> bool:
        """True when the total is complete and so has a grade."""
        return self.total_status == "complete"

    @property
    def weight_total(self) -> Decimal | None:
        """Execution weight plus every indicator's weight; None when some weight is unknown."""
        weights = [self.execution_weight, *(s.weight for s in self.indicators)]
        if any(w is None for w in weights):
            return None
        return sum((w for w in weights if w is not None), ZERO)

    def as_dict(self) -> dict[str, object]:
        """The JSON form printed by ``evalkit score --json`` (Decimals as JSON numbers)."""
        reported = self.year.reported
        out: dict[str, object] = {
            "unit_id": self.unit.id,
            "unit_name": self.unit.name,
            "year": self.year.year,
            "kind": self.year.kind,
            "rulebook": self.rulebook.name,
            "total": json_number(self.total.value),
            "total_status": self.total_status,
            "grade": self.grade if self.graded else None,
            "missing": list(self.missing),
            "budget_execution": {
                "rate": json_number(self.execution_rate.value),
                "weight": json_number(self.execution_weight),
                "score": json_number(self.execution_score.value),
                "not_computable": self.execution_score.missing or None,
                "explain": self.execution_score.explain(),
            },
            "indicators": [
                {
                    "name": s.name,
                    "level1": s.indicator.level1,
                    "level2": s.indicator.level2,
                    "op": s.indicator.op,
                    "target": s.indicator.target
                    if isinstance(s.indicator.target, str)
                    else json_number(s.indicator.target),
                    "target_adjusted": json_number(s.indicator.target_adjusted),
                    "unit": s.indicator.unit,
                    "actual": s.indicator.actual
                    if isinstance(s.indicator.actual, str)
                    else json_number(s.indicator.actual),
                    "completion": json_number(s.completion.value),
                    "weight": json_number(s.weight),
                    "weight_note": s.weight_note or None,
                    "score": None if s.score is None else json_number(s.score.value),
                    "not_computable": None if s.score is None else s.score.missing or None,
                    "applicable": s.applicable,
                    "grade": s.grade,
                    "flags": list(s.flags),
                    "explain": None if s.score is None else s.score.explain(),
                }
                for s in self.indicators
            ],
            "total_explain": self.total.explain(),
            "notes": list(self.notes),
        }
        if reported is not None and (reported.total is not None or reported.grade is not None):
            out["reported"] = {
                "total": json_number(reported.total),
                "grade": reported.grade,
            }
        return out
