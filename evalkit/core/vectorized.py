"""Score a pandas DataFrame of many indicators at once.

The columns are those of :class:`~evalkit.core.models.Indicator`: ``op``, ``target``, ``actual``,
``weight`` and optionally ``target_adjusted``, ``unit``, ``deduction``, ``applicable`` (and, for
定性 rows, ``grade`` and ``score``). The arithmetic is the same exact ``Decimal`` arithmetic as the
per-item path (:func:`evalkit.core.scoring.score_quantity`), applied column-wise with numpy object
arrays and branch masks, so the results are identical to the last digit; a property test holds
the two paths together. Binary floats are converted through their text, never used to compute.

>>> import pandas as pd
>>> from evalkit.core.rulebook import load_rulebook
>>> df = pd.DataFrame({"op": [">=", "<="], "target": ["50", "90"], "actual": ["40", "99"], "weight": [8, 8]})
>>> out = score_frame(df, load_rulebook("national-default"))
>>> [str(x) for x in out["score"]]
['6.40', '7.27']
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pandas as pd

from evalkit.core.figures import PRECISION, round_half_up, to_decimal
from evalkit.core.models import Indicator
from evalkit.core.rulebook import Rulebook
from evalkit.core.scoring import score_indicator
from evalkit.errors import ScoringError

__all__ = ["score_frame"]

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)

_to_dec = np.frompyfunc(lambda x: None if x is None or (isinstance(x, float) and x != x) else to_decimal(x), 1, 1)
_round = np.frompyfunc(lambda x, dp: None if x is None else round_half_up(x, dp), 2, 1)


def _column(frame: pd.DataFrame, name: str, default: object) -> np.ndarray:
    if name in frame.columns:
        values = frame[name].to_numpy(dtype=object)
        return np.where(pd.isna(frame[name]).to_numpy(), default, values)
    return np.full(len(frame), default, dtype=object)


def score_frame(frame: pd.DataFrame, rulebook: Rulebook) -> pd.DataFrame:
    """Completion (percent), score and whether each target was met, for every row.

    Returns a DataFrame with the same index and columns ``completion``, ``score`` (Decimals,
    rounded as the rulebook says; ``None`` where there is none) and ``met``.
    """
    n = len(frame)
    rules = rulebook.indicators
    rate_dp, score_dp = rulebook.rounding.rate_dp, rulebook.rounding.score_dp
    op = _column(frame, "op", "")
    applicable = _column(frame, "applicable", True).astype(bool)
    quant = (op != "qualitative") & applicable

    completion = np.full(n, None, dtype=object)
    score = np.full(n, None, dtype=object)
    met = np.full(n, None, dtype=object)

    if quant.any():
        idx = np.flatnonzero(quant)
        target = _to_dec(_column(frame, "target", None)[idx])
        adjusted = _to_dec(_column(frame, "target_adjusted", None)[idx])
        t = np.where(adjusted == None, target, adjusted)  # noqa: E711 - elementwise on objects
        a = _to_dec(_column(frame, "actual", None)[idx])
        w = _to_dec(_column(frame, "weight", None)[idx])
        unit = _column(frame, "unit", "")[idx]
        deduction = _to_dec(_column(frame, "deduction", None)[idx])
        o = op[idx]
        if (a == None).any():  # noqa: E711
            row = frame.index[idx[np.flatnonzero(a == None)[0]]]  # noqa: E711
            raise ScoringError("实际完成值缺失", field=f"第 {row} 行")
        if (a < 0).any():
            if rules.negative_actual == "error":
                row = frame.index[idx[np.flatnonzero(a < 0)[0]]]
                raise ScoringError("实际完成值为负数", field=f"第 {row} 行")
            a = np.where(a < 0, ZERO, a)

        positive = (o == ">=") | (o == ">") | ((o == "=") & (rules.equal == "like_positive"))
        symmetric = (o == "=") & (rules.equal == "symmetric")
        reverse = (o == "<=") | (o == "<")
        ratio_rule = positive | (reverse & (rules.reverse != "deduct_per_pp"))
        bad = ratio_rule & (t < 0)
        if bad.any():
            row = frame.index[idx[np.flatnonzero(bad)[0]]]
            raise ScoringError("目标值为负数，无法按比例计分", field=f"第 {row} 行")

        with localcontext() as ctx:
            ctx.prec = PRECISION
            t_safe = np.where(t == 0, ONE, t)
            a_safe = np.where(a == 0, ONE, a)

            def for_score(r: np.ndarray) -> np.ndarray:
                if rulebook.rounding.score_from_rounded_rate:
                    return _round(r * HUNDRED, rate_dp) / HUNDRED
                return r

            # positive (and "=" scored like positive)
            pos_ratio = a / t_safe
            pos_met = np.where(t == 0, np.where(o == "=", a <= 0, True), a >= t)
            pos_raw = np.where(pos_met, w, np.where(t == 0, ZERO, w * for_score(pos_ratio)))
            pos_comp = np.where(t == 0, None, pos_ratio * HUNDRED)

            # "=" symmetric
            dev = np.abs(a - t) / t_safe
            sym_met = a == t
            sym_raw = np.where(t <= 0, np.where(sym_met, w, ZERO), w * np.maximum(ZERO, ONE - dev))
            sym_comp = np.where(t <= 0, None, (ONE - dev) * HUNDRED)

            # reverse
            rev_met = a <= t
            if rules.reverse == "ratio":
                rev_raw = np.where(rev_met, w, w * for_score(t / a_safe))
                rev_comp = np.where(a == 0, None, t / a_safe * HUNDRED)
            elif rules.reverse == "linear_to_zero_at_2x":
                share = (2 * t - a) / t_safe
                rev_raw = np.where(rev_met, w, w * np.maximum(ZERO, share))
                rev_comp = share * HUNDRED
            else:
                per_pp = rules.deduct_per_pp.weight_fraction_per_pp * w
                bad = reverse & ~rev_met & (unit != "%") & (t <= 0)
                if bad.any():
                    row = frame.index[idx[np.flatnonzero(bad)[0]]]
                    raise ScoringError("计量单位不是 % 且目标值不大于 0，无法按百分点扣分", field=f"第 {row} 行")
                excess = np.where(unit == "%", a - t, (a - t) / t_safe * HUNDRED)
                rev_raw = np.where(rev_met, w, np.maximum(ZERO, w - per_pp * excess))
                rev_comp = np.where((a == 0) | (t <= 0), None, t / a_safe * HUNDRED)
            if rules.reverse != "deduct_per_pp":
                rev_zero = t == 0
                rev_raw = np.where(rev_zero, np.where(rev_met, w, ZERO), rev_raw)
                rev_comp = np.where(rev_zero, None, rev_comp)

            raw = np.select([positive, symmetric, reverse], [pos_raw, sym_raw, rev_raw], default=None)
            comp = np.select([positive, symmetric, reverse], [pos_comp, sym_comp, rev_comp], default=None)
            hit = np.select([positive, symmetric, reverse], [pos_met, sym_met, rev_met], default=None)
            if (raw == None).any():  # noqa: E711
                row = frame.index[idx[np.flatnonzero(raw == None)[0]]]  # noqa: E711
                raise ScoringError("无法识别的比较方式", field=f"第 {row} 行")
            if rules.cap_at_weight:
                raw = np.where(raw > w, w, raw)
            has_ded = (deduction != None) & (deduction != 0)  # noqa: E711
            if has_ded.any():
                raw = np.where(has_ded, np.maximum(ZERO, raw - np.where(has_ded, deduction, ZERO)), raw)

        score[idx] = _round(raw, score_dp)
        completion[idx] = _round(comp, rate_dp)
        met[idx] = hit.astype(bool)

    qual = (op == "qualitative") & applicable
    for i in np.flatnonzero(qual):
        row = frame.iloc[i]
        data = {k: row[k] for k in frame.columns if k in Indicator.model_fields and not _missing(row[k])}
        data.setdefault("name", f"第 {frame.index[i]} 行")
        result = score_indicator(Indicator.model_validate(data), rulebook)
        score[i] = result.score.value if result.score else None
        met[i] = result.met
    return pd.DataFrame({"completion": completion, "score": score, "met": met}, index=frame.index)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
