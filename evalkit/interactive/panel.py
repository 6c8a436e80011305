"""What-if on one unit-year: change a target, an actual or a weight and see the new score.

:func:`what_if` is the computation (usable anywhere: ``view.what_if("预算经费", actual="430")``);
:class:`WhatIfPanel` puts it behind ipywidgets (the ``lab`` extra): pick an item, edit its
target, actual or weight, and the comparison below updates at once. Nothing is written: the
year file stays as it is, and the audit of printed figures stays the original's.

>>> from evalkit.interactive.api import load
>>> view = load("xinshi-rd", 2023)
>>> what_if(view, "培训费下降率", actual="5").delta
Decimal('8.00')
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from evalkit.core.figures import fmt, parse_number
from evalkit.core.scoring import evaluate
from evalkit.errors import InputError

if TYPE_CHECKING:
    from evalkit.interactive.api import UnitYearView
    from evalkit.interactive.compare import Comparison

__all__ = ["EXECUTION", "WhatIfPanel", "what_if"]

#: The item name of the budget execution row (only its weight can be changed here).
EXECUTION = "预算执行率"


def _number(text: str | Decimal | int, field: str) -> Decimal:
    if isinstance(text, Decimal | int):
        return Decimal(text)
    try:
        value, _unit = parse_number(str(text))
    except ValueError as exc:
        raise InputError(str(exc), field=field) from None
    return value


def what_if(
    view: UnitYearView,
    item: str,
    *,
    target: str | Decimal | None = None,
    actual: str | Decimal | None = None,
    weight: str | Decimal | None = None,
) -> Comparison:
    """``view`` with one item changed, compared with ``view``. Text for a 定性 indicator's target
    or actual is taken as it is; numbers may be typed as analysts do (``"1,234.5"``, ``"99%"``).

    Raises :class:`~evalkit.errors.InputError` for an unknown item or a value that is not a
    number, and :class:`~evalkit.errors.ScoringError` when the changed inputs cannot be scored
    (weights no longer adding up to the rulebook's total, for instance).
    """
    from evalkit.interactive.api import UnitYearView
    from evalkit.interactive.compare import Comparison

    base = view.baseline or view
    loaded = view.loaded
    year = loaded.year
    changed: list[str] = []
    if item == EXECUTION:
        if target is not None or actual is not None:
            raise InputError("预算执行率只能修改分值（weight）", field=item)
        if weight is not None:
            value = _number(weight, f"{item}.分值")
            year = year.model_copy(update={"execution_weight": value})
            changed.append(f"分值改为 {fmt(value, 6)}")
    else:
        names = [ind.name for ind in year.indicators]
        if item not in names:
            raise InputError(f"没有名为“{item}”的指标；可选：{'、'.join([EXECUTION, *names])}", field="item")
        index = names.index(item)
        indicator = year.indicators[index]
        update: dict[str, Any] = {}
        for field, label, text in (("target", "指标值", target), ("actual", "实际完成值", actual)):
            if text is None:
                continue
            if indicator.is_qualitative:
                update[field] = str(text)
                changed.append(f"{label}改为“{text}”")
            else:
                update[field] = _number(text, f"{item}.{label}")
                changed.append(f"{label}改为 {fmt(update[field], 6)}{indicator.unit}")
        if weight is not None:
            update["weight"] = _number(weight, f"{item}.分值")
            changed.append(f"分值改为 {fmt(update['weight'], 6)}")
        indicators = list(year.indicators)
        indicators[index] = indicator.model_copy(update=update)
        year = year.model_copy(update={"indicators": indicators})
    what = f"“{item}”" + ("、".join(changed) if changed else "未作修改")
    evaluation = evaluate(loaded.profile, year, loaded.rulebook)
    alternative = UnitYearView(
        dataclasses.replace(loaded, year=year), evaluation, view.rulebook_override, base, what
    )
    return Comparison(view, alternative, what)


class WhatIfPanel:
    """The ipywidgets panel of :meth:`UnitYearView.what_if_panel
    <evalkit.interactive.api.UnitYearView.what_if_panel>` (``.widget`` is what a cell shows)."""

    def __init__(self, view: UnitYearView) -> None:
        try:
            import ipywidgets as w
        except ImportError:
            raise InputError(
                "假设分析面板需要 ipywidgets：pip install 'evalkit[lab]'（或 make setup）",
                field="ipywidgets",
            ) from None
        self.view = view
        ev = view.evaluation
        self.items = [EXECUTION, *(s.name for s in ev.indicators)]
        layout = w.Layout(width="16em")
        style = {"description_width": "6em"}
        self.item = w.Dropdown(options=self.items, description="指标", layout=w.Layout(width="30em"), style=style)
        self.target = w.Text(description="指标值", layout=layout, style=style, continuous_update=False)
        self.actual = w.Text(description="实际完成值", layout=layout, style=style, continuous_update=False)
        self.weight = w.Text(description="分值", layout=layout, style=style, continuous_update=False)
        self.reset = w.Button(description="恢复原值")
        self.result = w.HTML()
        self._filling = False
        self.item.observe(lambda _change: self._fill(), names="value")
        for box in (self.target, self.actual, self.weight):
            box.observe(lambda _change: self.update(), names="value")
        self.reset.on_click(lambda _button: self._fill())
        self.widget = w.VBox(
            [
                w.HTML(
                    "<b>假设分析</b>：修改一个指标的指标值、实际完成值或分值，下方即显示新的得分与变化"
                    "（不改动年度文件）。"
                ),
                self.item,
                w.HBox([self.target, self.actual, self.weight, self.reset]),
                self.result,
            ]
        )
        self._fill()

    def _original(self) -> tuple[str, str, str]:
        name = self.item.value
        ev = self.view.evaluation

        def text(value: Any) -> str:
            if value is None:
                return ""
            return str(value) if isinstance(value, str) else fmt(value, 6)

        if name == EXECUTION:
            return "", "", text(ev.execution_weight)
        indicator = next(s.indicator for s in ev.indicators if s.name == name)
        return text(indicator.target), text(indicator.actual), text(indicator.weight)

    def _fill(self) -> None:
        target, actual, weight = self._original()
        self._filling = True
        try:
            self.target.value, self.actual.value, self.weight.value = target, actual, weight
            self.target.disabled = self.actual.disabled = self.item.value == EXECUTION
        finally:
            self._filling = False
        self.update()

    def update(self) -> None:
        """Recompute from the fields (only what differs from the original is changed)."""
        if self._filling:
            return
        original = self._original()
        values = (self.target.value, self.actual.value, self.weight.value)
        changes = {
            key: value.strip()
            for key, value, before in zip(("target", "actual", "weight"), values, original, strict=True)
            if value.strip() != before
        }
        changes = {key: value for key, value in changes.items() if value}
        if not changes:
            self.result.value = "<p>（尚未修改：得分与原评分相同）</p>"
            return
        try:
            comparison = what_if(self.view, self.item.value, **changes)
        except InputError as exc:
            self.result.value = (
                '<p style="color:#ffffff;background-color:#b3261e;padding:0.2em 0.5em">'
                f"{escape(str(exc))}</p>"
            )
            return
        self.result.value = comparison._repr_html_()
