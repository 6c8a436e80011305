"""One synthetic unit: its profile and its years, built bottom-up so that the budget adds up."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from evalkit.core.figures import round_half_up
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import Evaluation
from evalkit.synth.helpers import (
    _apportion,
    _bodies_summary,
    _clean,
    _draw,
    _factor,
    _money,
    _q_round,
)
from evalkit.synth.vocabulary import (
    _ADJUST_REASONS,
    _BUREAUS,
    _COMMON,
    _COST_CEILING,
    _COUNTY_WORDS,
    _FUNDING,
    _MANAGEMENT,
    _MEASURES,
    _MIDYEAR_MISSING,
    _MISS_MEASURES,
    _MISS_REASONS,
    _NA_REASON,
    _OVER_MEASURES,
    _OVER_REASONS,
    _PROBLEMS,
    _PROJECT_NAMES,
    _QUAL_ACTUAL,
    _QUAL_MIDYEAR,
    _SUGGESTIONS,
    ID_PREFIX,
    ONE,
    RULEBOOK,
    ZERO,
    Bureau,
    Spec,
    _q,
    _s,
)

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


