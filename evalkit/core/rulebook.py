"""Rulebooks: the scoring rules as data.

A rulebook is a YAML file. The shipped ones live in ``evalkit/rulebooks/``; a user selects one
by name (``hubei-2021``) or gives a path to their own file, per unit-year (``rulebook:`` in the
year file) or on the command line (``--rulebook``). A rulebook may ``extends:`` another and
override only what differs; the merge is deep, key by key.

>>> rb = load_rulebook("national-default")
>>> rb.budget_execution.weight, rb.indicators.reverse
(Decimal('10'), 'ratio')
"""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evalkit.errors import InputError, RulebookError
from evalkit.inputs.yamlio import LoadedYaml, load_yaml

__all__ = [
    "Rulebook",
    "GradeBand",
    "load_rulebook",
    "available_rulebooks",
    "rulebook_source",
    "POSITIVE_RULES",
    "EQUAL_RULES",
    "REVERSE_RULES",
    "EXECUTION_RULES",
]

POSITIVE_RULES = ("ratio",)
EQUAL_RULES = ("like_positive", "symmetric")
REVERSE_RULES = ("ratio", "linear_to_zero_at_2x", "deduct_per_pp")
EXECUTION_RULES = ("proportional", "interval")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Strict):
    """A row of an interval table: from ``min`` percent (inclusive), ``fraction`` of the weight."""

    min: Decimal = Field(description="区间下限（%，含）/ lower bound in percent, inclusive")
    fraction: Decimal = Field(ge=0, le=1, description="得分占分值的比例 / share of the weight")


class BudgetExecutionRules(_Strict):
    """预算执行率: how the execution rate is computed and scored."""

    weight: Decimal = Field(ge=0, description="预算执行率分值 / weight of budget execution")
    denominator: Literal["final", "initial", "initial_plus_adjustment"] = Field(
        "final", description="执行率分母：全年预算数 / 年初预算数 / 年初+调整"
    )
    scorer: Literal["proportional", "interval"] = Field(
        "proportional", description="proportional: 分值 × 执行率（封顶）; interval: 区间表"
    )
    cap: bool = Field(True, description="得分不超过分值 / cap at the weight")
    intervals: list[Interval] = Field([], description="区间表，按下限从高到低 / interval table")
    explain_below: Decimal | None = Field(
        None,
        ge=0,
        le=100,
        description="执行率（%）低于此值须书面说明原因（如四川 90）；null 表示不要求 / "
        "an execution rate below this needs a written reason",
    )

    @model_validator(mode="after")
    def _intervals(self) -> BudgetExecutionRules:
        if self.scorer == "interval" and not self.intervals:
            raise ValueError("scorer 为 interval 时必须给出 intervals 区间表")
        mins = [i.min for i in self.intervals]
        if mins != sorted(mins, reverse=True):
            raise ValueError("intervals 区间表应按下限从高到低排列")
        return self


class DeductPerPoint(_Strict):
    """反向指标按百分点扣分: every percentage point above the target costs points."""

    weight_fraction_per_pp: Decimal = Field(
        Decimal("0.1"), ge=0, description="每超 1 个百分点扣分值的比例（默认 1/10）"
    )


class IndicatorRules(_Strict):
    """How quantitative indicators are scored."""

    positive: Literal["ratio"] = Field("ratio", description="正向（≥ >）未完成：分值 × 实际值 ÷ 目标值")
    equal: Literal["like_positive", "symmetric"] = Field(
        "like_positive", description="等于（=）：like_positive 同正向；symmetric 按偏离度双向扣分"
    )
    reverse: Literal["ratio", "linear_to_zero_at_2x", "deduct_per_pp"] = Field(
        "ratio",
        description="反向（≤ <）未完成：ratio 目标÷实际；linear_to_zero_at_2x 线性至 2 倍目标为零；deduct_per_pp 按百分点扣分",
    )
    deduct_per_pp: DeductPerPoint = DeductPerPoint()
    negative_actual: Literal["coerce_zero", "error"] = Field(
        "coerce_zero", description="实际值为负：按 0 计，或报错"
    )
    cap_at_weight: bool = Field(True, description="得分不超过分值")
    over_completion_flag: Decimal | None = Field(
        Decimal("1.3"), description="实际值达到目标的该倍数时提示“目标可能偏低”（None 关闭）"
    )
    not_applicable: Literal["renormalise", "exclude"] = Field(
        "renormalise",
        description="不适用指标：renormalise 按适用指标得分折算为百分制；exclude 直接剔除不折算",
    )


class QualitativeRules(_Strict):
    """定性指标: score bands as shares of the weight, and how actual texts are read."""

    bands: dict[Literal["达成", "部分达成", "未达成"], tuple[Decimal, Decimal]] = Field(
        description="各完成等级的得分区间（占分值比例，下限含、上限不含，达成含上限）"
    )
    default_fraction: dict[Literal["达成", "部分达成", "未达成"], Decimal | None] = Field(
        description="未评定得分时的默认比例；null 表示取区间中点并提示"
    )
    achieved_phrases: list[str] = Field(description="视为“达成”的实际完成值写法")
    partial_phrases: list[str] = Field(description="视为“部分达成”的写法")
    missed_phrases: list[str] = Field(description="视为“未达成”的写法")

    @model_validator(mode="after")
    def _bands(self) -> QualitativeRules:
        for grade in ("达成", "部分达成", "未达成"):
            if grade not in self.bands:
                raise ValueError(f"bands 缺少“{grade}”的得分区间")
            lo, hi = self.bands[grade]
            if not (0 <= lo <= hi <= 1):
                raise ValueError(f"bands 中“{grade}”的区间 [{lo}, {hi}] 应在 0 到 1 之间且下限不大于上限")
        return self


class Rounding(_Strict):
    """Decimals (四舍五入, half-up) for each kind of figure."""

    rate_dp: int = Field(2, ge=0, le=6, description="比率（%）保留小数位")
    score_dp: int = Field(2, ge=0, le=6, description="指标得分保留小数位")
    execution_score_dp: int | None = Field(None, ge=0, le=6, description="执行率得分小数位（默认同 score_dp）")
    total_dp: int = Field(2, ge=0, le=6, description="总分保留小数位")
    score_from_rounded_rate: bool = Field(
        False, description="先把完成率四舍五入到 rate_dp 位再乘分值（部分地区做法）"
    )


class GradeBand(_Strict):
    min: Decimal = Field(description="等级下限（含）")
    grade: str = Field(description="等级名称")


class Grades(_Strict):
    bands: list[GradeBand] = Field(description="等级区间，按下限从高到低")
    grade_on: Literal["displayed", "integer_rounded", "exact"] = Field(
        "displayed", description="按显示的总分、取整后的总分或未舍入总分定等级"
    )

    @model_validator(mode="after")
    def _order(self) -> Grades:
        mins = [b.min for b in self.bands]
        if not mins or mins != sorted(mins, reverse=True):
            raise ValueError("grades.bands 应按下限从高到低排列且至少一档")
        if mins[-1] > 0:
            raise ValueError("grades.bands 最低一档的下限应为 0")
        return self


class Rulebook(_Strict):
    """A complete, validated rulebook."""

    name: str = Field(description="规则名称（唯一）")
    title: str = Field(description="中文标题")
    description: str = Field("", description="说明与依据")
    sources: list[str] = Field([], description="依据文件")
    total_weight: Decimal = Field(Decimal(100), gt=0, description="满分")
    weight_tolerance: Decimal = Field(Decimal("0"), ge=0, description="权重合计允许的误差")
    budget_execution: BudgetExecutionRules
    indicators: IndicatorRules = IndicatorRules()
    qualitative: QualitativeRules
    level1_weights: dict[str, Decimal] = Field({}, description="项目支出一级指标分值（如 产出 50）")
    missing_satisfaction_to: str | None = Field(
        None, description="无满意度指标时其分值并入的一级指标"
    )
    rounding: Rounding = Rounding()
    grades: Grades


def _builtin_dir() -> Path:
    return Path(str(resources.files("evalkit.core") / "rulebooks"))


def available_rulebooks() -> dict[str, str]:
    """Names and titles of the shipped rulebooks."""
    out = {}
    for path in sorted(_builtin_dir().glob("*.yaml")):
        out[path.stem] = load_rulebook(path.stem).title
    return out


def rulebook_source(name_or_path: str | Path, *, base_dir: Path | None = None) -> Path:
    """The file a rulebook name or path refers to.

    A value with a path separator or a ``.yaml``/``.yml`` suffix is a path (relative to
    ``base_dir`` when given); anything else is the name of a shipped rulebook.
    """
    text = str(name_or_path)
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml")):
        path = Path(text)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise RulebookError(f"找不到评分规则文件“{text}”")
        return path
    path = _builtin_dir() / f"{text}.yaml"
    if not path.is_file():
        known = "、".join(sorted(p.stem for p in _builtin_dir().glob("*.yaml")))
        raise RulebookError(f"未知的评分规则“{text}”；可用的有：{known}；也可给出规则文件路径")
    return path


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _raw(path: Path, read: list[tuple[str, int, int]], chain: tuple[Path, ...] = ()) -> dict:
    """The rulebook's settings with those it extends merged in; ``read`` gets the stamp of every
    file read, taken before reading it (a file changed meanwhile then looks changed)."""
    if path in chain:
        raise RulebookError("评分规则的 extends 形成循环", file=str(path))
    read.append(_stamp(path))
    try:
        loaded: LoadedYaml = load_yaml(path)
    except RulebookError:
        raise
    except InputError as exc:
        raise RulebookError(exc.message, file=exc.file, line=exc.line) from None
    data = loaded.data
    if not isinstance(data, dict):
        raise RulebookError("评分规则文件应为键值映射（mapping）", file=str(path))
    parent = data.pop("extends", None)
    if parent:
        base = _raw(rulebook_source(parent, base_dir=path.parent), read, chain + (path,))
        data = _deep_merge(base, data)
    return data


def _stamp(path: Path) -> tuple[str, int, int]:
    """What says a file is unchanged, as Python's own bytecode cache does: its modification time
    (nanoseconds) and size."""
    try:
        info = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


#: Validated rulebooks by file: the stamps of every file each was read from (the file and those it
#: extends, so an edited base rulebook is read again too) and the rulebook. Emptied when full.
_LOADED: dict[Path, tuple[tuple[tuple[str, int, int], ...], Rulebook]] = {}
_LOADED_MAX = 64


def _validated(path: Path) -> tuple[tuple[tuple[str, int, int], ...], Rulebook]:
    read: list[tuple[str, int, int]] = []
    data = _raw(path, read)
    try:
        return tuple(read), Rulebook.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            msg = f"未知的规则“{err['input']}”，可选：{err['ctx']['expected']}"
        elif err["type"] == "missing":
            msg = "缺少该项"
        elif err["type"] == "extra_forbidden":
            msg = "未知的设置项（拼写错误？）"
        raise RulebookError(msg, file=str(path), field=loc) from None


def load_rulebook(name_or_path: str | Path, *, base_dir: Path | None = None) -> Rulebook:
    """Load a rulebook by name or path; the result is validated and cached.

    Raises :class:`RulebookError` with the file and setting at fault.
    """
    path = rulebook_source(name_or_path, base_dir=base_dir).resolve()
    found = _LOADED.get(path)
    if found is not None and all(_stamp(Path(stamp[0])) == stamp for stamp in found[0]):
        return found[1]
    if len(_LOADED) >= _LOADED_MAX:
        _LOADED.clear()
    _LOADED[path] = found = _validated(path)
    return found[1]


