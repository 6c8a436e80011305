"""Score many indicators at once, exactly, in fixed-point integer arithmetic.

Every figure is carried as an integer scaled by a power of ten (amounts and rates at the decimals
they were written with, weights and deductions at theirs), every rule is a ratio of such integers,
and half-up rounding (四舍五入) is integer division: ``round(n / d) = (2|n| + d) // 2d`` with the
sign put back. No binary float takes part in any computation.

The per-item path (:mod:`evalkit.core.scoring`) computes the same quotients in ``Decimal`` with 34
significant digits. The two agree on every row: a quotient of integers that fit in 64 bits is never
closer than ``1/(2d)`` to a rounding boundary unless it lies exactly on one, far more than the
34-digit error; a row that lies exactly on a boundary (``x.xx5``) after a division the ``Decimal``
path could not do exactly, a row whose figures do not fit (more than six decimals, amounts of
10¹⁵ and more) and a row of a kind this module does not model are scored by the per-item path
instead, one by one, and counted in :attr:`FixedScores.fallback`. Rows whose products could
overflow 64 bits are computed with Python integers (numpy object arrays): slower, still exact.

:func:`prepare` turns a table into integer columns once; :func:`score_prepared` scores them under
a rulebook (the part a what-if repeats); :func:`score_frame` does both and returns ``Decimal``
columns, for a DataFrame with the columns of :class:`~evalkit.core.models.Indicator` (``op``,
``target``, ``actual``, ``weight``; optionally ``target_adjusted``, ``unit``, ``deduction``,
``applicable``, and for 定性 rows ``grade`` and ``score``).

>>> import pandas as pd
>>> from evalkit.core.rulebook import load_rulebook
>>> df = pd.DataFrame({"op": [">=", "<="], "target": ["50", "90"], "actual": ["40", "99"], "weight": [8, 8]})
>>> out = score_frame(df, load_rulebook("national-default"))
>>> [str(x) for x in out["score"]]
['6.40', '7.27']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from evalkit.core.figures import fmt
from evalkit.core.fixedpoint import LIMIT, MAX_DP, exact_quotient, fraction_of, rhu, scaled_column
from evalkit.core.models import Indicator
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import qualitative_band, score_indicator
from evalkit.errors import ScoringError

__all__ = ["Prepared", "FixedScores", "prepare", "score_prepared", "score_frame", "OP_CODES"]

#: Comparison codes as small integers (``-1`` for anything else).
OP_CODES = {">=": 0, ">": 1, "=": 2, "<=": 3, "<": 4, "qualitative": 5}
_GE, _GT, _EQ, _LE, _LT, _QUAL = range(6)
#: Amounts at or above this (scaled) go to the per-item path ("huge amounts").
_HUGE = 10**15


@dataclass
class Prepared:
    """A table's indicators as integer columns, made once and scored under any rulebook."""

    frame: pd.DataFrame
    op: np.ndarray
    applicable: np.ndarray
    s: int  # decimals of target / actual
    sw: int  # decimals of weight / deduction / assessed score
    target: np.ndarray  # the target scored against (adjusted when there is one)
    actual: np.ndarray
    weight: np.ndarray
    deduction: np.ndarray
    assessed: np.ndarray
    has_assessed: np.ndarray
    pct: np.ndarray
    grade: np.ndarray  # 定性: grade written, else None
    texts: tuple[pd.Series | None, pd.Series | None]  # 定性: target and actual texts
    missing_actual: np.ndarray
    unfit: np.ndarray  # rows the integer path cannot represent: per-item path
    _grade_cache: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.op)


@dataclass
class FixedScores:
    """Scores as integers: ``score`` in units of ``10^-score_dp``, ``completion`` of ``10^-rate_dp``."""

    score: np.ndarray
    has_score: np.ndarray
    completion: np.ndarray
    has_completion: np.ndarray
    met: np.ndarray  # 1 met, 0 not met, -1 none (not applicable)
    error: np.ndarray  # Chinese message where the row cannot be scored, else None
    score_dp: int
    rate_dp: int
    fallback: int = 0  # rows scored by the per-item Decimal path
    wide: int = 0  # rows computed with Python integers (64 bits could overflow)


# --------------------------------------------------------------------------- preparing


def _column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame.columns else None


def _objects(series: pd.Series | None, n: int, default: object) -> np.ndarray:
    """A column as an object array, empty cells as ``default`` (by its distinct values: fast)."""
    if series is None:
        return np.full(n, default, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[: len(uniques)] = list(uniques)
    table[-1] = default
    return table[codes]


def _flags(series: pd.Series | None, n: int, default: bool) -> np.ndarray:
    if series is None:
        return np.full(n, default, dtype=bool)
    return _objects(series, n, default).astype(bool)


def prepare(frame: pd.DataFrame) -> Prepared:
    """Read a table's figures into integer columns (exactly; see the module doc)."""
    n = len(frame)
    codes, uniques = pd.factorize(frame["op"] if "op" in frame.columns else pd.Series([""] * n))
    lookup = np.array([OP_CODES.get(u, -1) for u in uniques] + [-1], dtype=np.int8)
    op = lookup[codes]
    applicable = _flags(_column(frame, "applicable"), n, True)
    qual = op == _QUAL
    quant_mask = ~qual
    target_col = _column(frame, "target")
    adjusted_col = _column(frame, "target_adjusted")
    tgt = scaled_column(target_col, n, skip=qual)
    adj = scaled_column(adjusted_col, n, skip=qual)
    act = scaled_column(_column(frame, "actual"), n, skip=qual)
    s = max(tgt.dp, adj.dp, act.dp)
    tgt, adj, act = tgt.at(s), adj.at(s), act.at(s)
    target = np.where(adj.null, tgt.values, adj.values)
    target_null = adj.null & tgt.null
    wgt = scaled_column(_column(frame, "weight"), n)
    ded = scaled_column(_column(frame, "deduction"), n)
    ass = scaled_column(_column(frame, "score"), n, skip=quant_mask)
    sw = max(wgt.dp, ded.dp, ass.dp)
    wgt, ded, ass = wgt.at(sw), ded.at(sw), ass.at(sw)
    pct = _objects(_column(frame, "unit"), n, "") == "%"
    unfit = (op < 0) | tgt.bad | adj.bad | act.bad | wgt.bad | ded.bad | ass.bad | wgt.null
    unfit |= quant_mask & target_null & applicable
    big = (np.abs(target) >= _HUGE) | (np.abs(act.values) >= _HUGE) | (wgt.values >= _HUGE)
    big |= (ded.values >= _HUGE) | (np.abs(ass.values) >= _HUGE)
    unfit |= big & applicable
    unfit |= applicable & (wgt.values < 0)
    grade_col = _column(frame, "grade")
    if grade_col is None:
        grade_col = _column(frame, "indicator_grade")
    grade = _objects(grade_col, n, None)
    t_text = _column(frame, "target_text") if "target_text" in frame.columns else target_col
    a_text = _column(frame, "actual_text") if "actual_text" in frame.columns else _column(frame, "actual")
    return Prepared(
        frame=frame,
        op=op,
        applicable=applicable,
        s=s,
        sw=sw,
        target=target,
        actual=act.values,
        weight=wgt.values,
        deduction=np.where(ded.null, 0, ded.values),
        assessed=ass.values,
        has_assessed=~ass.null & qual,
        pct=pct,
        grade=grade,
        texts=(t_text, a_text),
        missing_actual=act.null & quant_mask & applicable,
        unfit=unfit,
    )


# --------------------------------------------------------------------------- the kernel


def _safe_rows(p: Prepared, k: np.ndarray) -> np.ndarray:
    """Rows whose largest product stays below 2^62 when multiplied by ``k`` (per row)."""
    m = np.maximum(np.abs(p.target), np.abs(p.actual))
    w = np.maximum(np.maximum(p.weight, p.deduction), np.abs(p.assessed))
    m1, w1 = np.maximum(m, 1), np.maximum(w, 1)
    # m * w * k < LIMIT and m * k < LIMIT, checked without overflowing
    return (m1 <= LIMIT // k // w1) & (w1 <= LIMIT // k)


def _quantitative(p, idx, rb: Rulebook, obj: bool) -> dict[str, np.ndarray]:
    """Score the quantitative rows ``idx`` (all fit); integer arrays, or Python ints if ``obj``."""
    rules = rb.indicators
    dp, rate_dp = rb.rounding.score_dp, rb.rounding.rate_dp
    cast = (lambda a: a.astype(object)) if obj else (lambda a: a)
    op = p.op[idx]
    A, T = cast(p.actual[idx]), cast(p.target[idx])
    W, Dd = cast(p.weight[idx]), cast(p.deduction[idx])
    pct = p.pct[idx]
    S, SW, P, R = 10**p.s, 10**p.sw, 10**dp, 10**rate_dp
    one = np.ones(len(idx), dtype=object if obj else np.int64)
    zero = one * 0
    A = np.where(A < 0, zero, A)  # coerced (errors were raised before)
    kind_pos = (op == _GE) | (op == _GT) | ((op == _EQ) & (rules.equal == "like_positive"))
    kind_sym = (op == _EQ) & (rules.equal == "symmetric")
    kind_rev = (op == _LE) | (op == _LT)
    rounded_rate = rb.rounding.score_from_rounded_rate

    num = W.copy()  # raw score = num / den (met rows: the weight)
    den = one * SW
    comp_n, comp_d = zero.copy(), one.copy()  # completion = comp_n / comp_d percent
    has_comp = np.zeros(len(idx), dtype=bool)
    met = np.zeros(len(idx), dtype=bool)
    # divisions the Decimal path makes, by what they feed: checked on boundary rows only
    divisions: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {"score": [], "completion": [], "rate": []}
    rate_boundary = np.zeros(len(idx), dtype=bool)

    def divide(mask, n_, d_, feeds="completion"):
        divisions[feeds].append((mask, n_, d_))

    def ratio_num(mask, n_, d_):
        """The ratio n_/d_ as used for a score: exact, or rounded to the rate's decimals first."""
        nonlocal rate_boundary
        if not rounded_rate:
            return n_, d_
        q, boundary = rhu(n_ * 100 * R, np.where(mask, d_, one))
        rate_boundary = rate_boundary | (mask & boundary)
        divide(mask, n_, d_, "rate")
        return q, one * (100 * R)

    # positive, and "=" scored like positive
    t_zero = T == 0
    m = kind_pos & t_zero
    met = np.where(m, np.where(op == _EQ, A <= 0, True), met)
    num = np.where(m & (op == _EQ) & (A > 0), zero, num)
    m = kind_pos & ~t_zero
    met = np.where(m, A >= T, met)
    comp_n, comp_d, has_comp = np.where(m, A * 100, comp_n), np.where(m, T, comp_d), has_comp | m
    divide(m, A, T)
    short = m & (A < T)
    divide(short, A, T, "score")
    rn, rd = ratio_num(short, A, T)
    num, den = np.where(short, W * rn, num), np.where(short, SW * rd, den)

    # "=" symmetric
    m = kind_sym
    met = np.where(m, A == T, met)
    pos_t = T > 0
    mm = m & ~pos_t
    num = np.where(mm & (A != T), zero, num)
    mm = m & pos_t
    share = T - np.abs(A - T)
    comp_n, comp_d, has_comp = np.where(mm, share * 100, comp_n), np.where(mm, T, comp_d), has_comp | mm
    divide(mm, np.abs(A - T), T)
    divide(mm, np.abs(A - T), T, "score")
    num = np.where(mm, W * np.maximum(share, zero), num)
    den = np.where(mm, SW * T, den)

    # reverse
    m = kind_rev
    met = np.where(m, A <= T, met)
    if rules.reverse != "deduct_per_pp":
        mm = m & t_zero
        num = np.where(mm & (A > T), zero, num)
        mm = m & ~t_zero
        if rules.reverse == "ratio":
            c = mm & (A != 0)
            comp_n, comp_d, has_comp = np.where(c, T * 100, comp_n), np.where(c, A, comp_d), has_comp | c
            divide(c, T, A)
            short = mm & (A > T)
            divide(short, T, A, "score")
            rn, rd = ratio_num(short, T, A)
            num, den = np.where(short, W * rn, num), np.where(short, SW * rd, den)
        else:  # linear_to_zero_at_2x
            share = 2 * T - A
            comp_n, comp_d, has_comp = np.where(mm, share * 100, comp_n), np.where(mm, T, comp_d), has_comp | mm
            divide(mm, share, T)
            short = mm & (A > T)
            divide(short, share, T, "score")
            num = np.where(short, W * np.maximum(share, zero), num)
            den = np.where(short, SW * T, den)
    else:
        c = m & (A != 0) & (T > 0)
        comp_n, comp_d, has_comp = np.where(c, T * 100, comp_n), np.where(c, A, comp_d), has_comp | c
        divide(c, T, A)
        fn, fd = fraction_of(rules.deduct_per_pp.weight_fraction_per_pp)
        short = m & (A > T)
        # w − f·w·excess, excess = (a − t) [% units] or (a − t)/t × 100
        pp = short & pct
        num = np.where(pp, np.maximum(W * fd * S - fn * W * (A - T), zero), num)
        den = np.where(pp, SW * fd * S, den)
        rel = short & ~pct
        divide(rel, A - T, T, "score")
        num = np.where(rel, np.maximum(W * fd * T - fn * W * (A - T) * 100, zero), num)
        den = np.where(rel, SW * fd * np.where(rel, T, one), den)

    if rules.cap_at_weight:
        over = num * SW > W * den
        num, den = np.where(over, W, num), np.where(over, SW, den)
    has_ded = Dd != 0
    num = np.where(has_ded, np.maximum(num * SW - Dd * den, zero), num)
    den = np.where(has_ded, den * SW, den)
    score, boundary = rhu(num * P, den)
    comp, c_boundary = rhu(comp_n * R, np.where(has_comp, comp_d, one))
    redo = np.zeros(len(idx), dtype=bool)

    def inexact(i: int, feeds: str) -> bool:
        return any(mask[i] and not exact_quotient(n_[i], d_[i]) for mask, n_, d_ in divisions[feeds])

    for i in np.flatnonzero(boundary | (c_boundary & has_comp) | rate_boundary):
        redo[i] = (
            (boundary[i] and inexact(i, "score"))
            or (c_boundary[i] and has_comp[i] and inexact(i, "completion"))
            or (rate_boundary[i] and inexact(i, "rate"))
        )
    return {"score": score, "completion": comp, "has_completion": has_comp, "met": met, "redo": redo}


def _grades(p: Prepared, idx: np.ndarray, rb: Rulebook) -> np.ndarray:
    """The 完成等级 of 定性 rows: as written, else read from the texts (once per distinct text)."""
    from evalkit.core.scoring import qualitative_grade

    cache = p._grade_cache.setdefault(id(rb.qualitative), {})
    grades = p.grade[idx].copy()
    unread = np.flatnonzero(grades == None)  # noqa: E711 - elementwise on objects
    texts = [_objects(None if t is None else t.iloc[idx[unread]], len(unread), "") for t in p.texts]
    for k, j in enumerate(unread):
        key = (str(texts[0][k]), str(texts[1][k]))
        if key not in cache:
            try:
                probe = Indicator(name="x", op="qualitative", target=key[0] or "-", actual=key[1] or "-", weight=0)
                cache[key] = qualitative_grade(probe, rb)
            except (ScoringError, ValueError):
                cache[key] = None
        grades[j] = cache[key]
    return grades


def _qualitative(p: Prepared, idx: np.ndarray, rb: Rulebook, out: FixedScores) -> np.ndarray:
    """Score the 定性 rows ``idx``; returns the rows that go to the per-item path."""
    rules = rb.qualitative
    P, SW = 10**rb.rounding.score_dp, 10**p.sw
    grades = _grades(p, idx, rb)
    redo = [idx[grades == None]]  # noqa: E711 - the per-item path gives the message
    for grade, (lo, hi) in rules.bands.items():
        rows = idx[grades == grade]
        if not len(rows):
            continue
        W, Dd, S = p.weight[rows], p.deduction[rows], p.assessed[rows]
        assessed = p.has_assessed[rows]
        (ln, ld), (hn, hd) = fraction_of(lo), fraction_of(hi)
        fraction = rules.default_fraction.get(grade)
        fn, fd = fraction_of((lo + hi) / 2 if fraction is None else fraction)
        biggest = max(int(W.max()), int(Dd.max()), int(S.max()), 1) * max(ln, ld, hn, hd, fn, fd, 1) * P * SW * SW * 8
        dtype = np.int64 if biggest < LIMIT else object
        W, Dd, S = W.astype(dtype), Dd.astype(dtype), S.astype(dtype)
        low, _ = rhu(W * (ln * P), np.full(len(rows), ld * SW, dtype=dtype))
        high, _ = rhu(W * (hn * P), np.full(len(rows), hd * SW, dtype=dtype))
        inside = (low * SW <= S * P) & ((S * P <= high * SW) if hi == 1 else (S * P < high * SW))
        for i in rows[assessed & ~inside]:  # the per-item path's message, without its cost
            s_i = Decimal(int(p.assessed[i])).scaleb(-p.sw)
            band = qualitative_band(grade, Decimal(int(p.weight[i])).scaleb(-p.sw), rb)
            out.error[i] = f"定性指标评为“{grade}”，得分应在 {band.text()} 之间，实际填写 {fmt(s_i, MAX_DP)}"
        num = np.where(assessed, S, W * fn)
        den = np.where(assessed, SW, SW * fd)
        has_ded = Dd != 0
        num = np.where(has_ded, np.maximum(num * SW - Dd * den, 0), num)
        den = np.where(has_ded, den * SW, den)
        value, _ = rhu(num * P, den)
        ok = ~assessed | inside
        out.score[rows[ok]] = value[ok]
        out.has_score[rows[ok]] = True
        out.met[rows[ok]] = 1 if grade == "达成" else 0
    return np.concatenate(redo).astype(np.int64)


def _per_item(p: Prepared, rows: np.ndarray, rb: Rulebook, out: FixedScores) -> None:
    """The Decimal per-item path for ``rows`` (counted as fallback)."""
    frame = p.frame
    names = set(Indicator.model_fields)
    if not len(rows):
        return
    records = frame.iloc[rows].astype(object).to_dict("records")
    for i, row in zip(rows, records, strict=True):
        data = {k: row[k] for k in frame.columns if k in names and not _missing(row[k])}
        if "grade" not in data and "indicator_grade" in frame.columns and not _missing(row["indicator_grade"]):
            data["grade"] = row["indicator_grade"]
        if data.get("op") == "qualitative":
            for key, text in (("target", "target_text"), ("actual", "actual_text")):
                if text in frame.columns and not _missing(row[text]):
                    data[key] = row[text]
        data["name"] = f"第 {frame.index[int(i)]} 行"
        if not p.unfit[i]:  # the weight as prepared (a what-if may have re-weighted it)
            data["weight"] = Decimal(int(p.weight[i])).scaleb(-p.sw)
        try:
            result = score_indicator(Indicator.model_validate(data), rb)
        except ScoringError as exc:
            out.error[i] = exc.message
            continue
        except ValueError as exc:
            out.error[i] = str(exc).splitlines()[-1] if str(exc) else "无法读取该行"
            continue
        out.fallback += 1
        if result.score is not None and result.score.value is not None:
            _put(out, "score", i, int(result.score.value.scaleb(out.score_dp)))
            out.has_score[i] = True
        if result.completion.value is not None:
            _put(out, "completion", i, int(result.completion.value.scaleb(out.rate_dp)))
            out.has_completion[i] = True
        out.met[i] = -1 if result.met is None else int(result.met)


_INT64_MAX = 2**63 - 1


def _put(out: FixedScores, name: str, idx, values) -> None:
    """Store integers, widening the column to Python ints when a value does not fit in int64."""
    column = getattr(out, name)
    if isinstance(values, int):
        wide = abs(values) > _INT64_MAX
    else:
        wide = values.dtype == object and bool(np.any(np.abs(values) > _INT64_MAX))
    if column.dtype != object and wide:
        column = column.astype(object)
        setattr(out, name, column)
    column[idx] = values


def score_prepared(p: Prepared, rb: Rulebook, *, wide: bool = False) -> FixedScores:
    """Score prepared rows under ``rb``; ``wide`` forces Python integers (for tests)."""
    n = len(p)
    rules = rb.indicators
    out = FixedScores(
        score=np.zeros(n, dtype=object if wide else np.int64),
        has_score=np.zeros(n, dtype=bool),
        completion=np.zeros(n, dtype=object if wide else np.int64),
        has_completion=np.zeros(n, dtype=bool),
        met=np.full(n, -1, dtype=np.int8),
        error=np.full(n, None, dtype=object),
        score_dp=rb.rounding.score_dp,
        rate_dp=rb.rounding.rate_dp,
    )
    live = p.applicable
    quant = live & (p.op >= 0) & (p.op != _QUAL) & ~p.unfit
    out.error[quant & p.missing_actual] = "实际完成值缺失"
    quant &= ~p.missing_actual
    negative = quant & (p.actual < 0)
    if rules.negative_actual == "error":
        out.error[negative] = "实际完成值为负数"
        quant &= ~negative
    ratio_rule = (p.op <= _EQ) & ((p.op != _EQ) | (rules.equal == "like_positive"))
    ratio_rule |= (p.op >= _LE) & (rules.reverse != "deduct_per_pp")
    bad = quant & ratio_rule & (p.target < 0)
    out.error[bad] = "目标值为负数，无法按比例计分"
    quant &= ~bad
    if rules.reverse == "deduct_per_pp":
        bad = quant & (p.op >= _LE) & (p.op != _QUAL) & (p.actual > p.target) & ~p.pct & (p.target <= 0)
        out.error[bad] = "计量单位不是 % 且目标值不大于 0，无法按百分点扣分"
        quant &= ~bad
    dp, rate_dp = rb.rounding.score_dp, rb.rounding.rate_dp
    fn, fd = fraction_of(rules.deduct_per_pp.weight_fraction_per_pp)
    k = 8 * 10 ** (dp + 2 * p.sw + rate_dp + 2) * max(fn, fd, 1) * (10**p.s if rules.reverse == "deduct_per_pp" else 1)
    if rb.rounding.score_from_rounded_rate:
        k *= 100 * 10**rate_dp
    safe = _safe_rows(p, k) if k < LIMIT and not wide else np.zeros(n, dtype=bool)
    redo = np.zeros(n, dtype=bool)
    for mask, obj in ((quant & safe, False), (quant & ~safe, True)):
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        res = _quantitative(p, idx, rb, obj)
        _put(out, "score", idx, res["score"])
        out.has_score[idx] = True
        _put(out, "completion", idx, np.where(res["has_completion"], res["completion"], 0))
        out.has_completion[idx] = res["has_completion"]
        out.met[idx] = res["met"].astype(np.int8)
        redo[idx] = res["redo"]
        if obj:
            out.wide += len(idx)
    qual = live & (p.op == _QUAL) & ~p.unfit
    redo[_qualitative(p, np.flatnonzero(qual), rb, out)] = True
    redo |= live & p.unfit
    rows = np.flatnonzero(redo)
    out.has_score[rows] = False
    out.has_completion[rows] = False
    out.met[rows] = -1
    _per_item(p, rows, rb, out)
    return out


# --------------------------------------------------------------------------- Decimal columns


def _decimals(values: np.ndarray, present: np.ndarray, dp: int) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    for i in np.flatnonzero(present):
        out[i] = Decimal(int(values[i])).scaleb(-dp)
    return out


def score_frame(frame: pd.DataFrame, rulebook: Rulebook, *, wide: bool = False) -> pd.DataFrame:
    """Completion (percent), score and whether each target was met, for every row.

    Returns a DataFrame with the same index and columns ``completion``, ``score`` (Decimals,
    rounded as the rulebook says; ``None`` where there is none) and ``met``. Raises
    :class:`ScoringError` naming the first row that cannot be scored. The count of rows scored by
    the per-item path is in ``result.attrs["fallback"]``.
    """
    prepared = prepare(frame)
    out = score_prepared(prepared, rulebook, wide=wide)
    errors = np.flatnonzero(out.error != None)  # noqa: E711 - elementwise on objects
    if len(errors):
        first = errors[0]
        raise ScoringError(str(out.error[first]), field=f"第 {frame.index[first]} 行")
    met = np.array([None if m < 0 else bool(m) for m in out.met], dtype=object)
    result = pd.DataFrame(
        {
            "completion": _decimals(out.completion, out.has_completion, out.rate_dp),
            "score": _decimals(out.score, out.has_score, out.score_dp),
            "met": met,
        },
        index=frame.index,
    )
    result.attrs["fallback"] = out.fallback
    result.attrs["wide"] = out.wide
    return result


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

