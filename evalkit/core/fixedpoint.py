"""Fixed-point helpers for the vectorised scorer: exact integer columns and half-up division.

A figure with at most :data:`MAX_DP` decimals is held as an integer scaled by ``10^dp``. Arrays
are ``int64`` where every value fits, else rows are marked ``bad`` (and scored by the per-item
path). Nothing here uses a binary float.

>>> import numpy as np
>>> q, boundary = rhu(np.array([8725, -8725, 8724]), np.array([1000, 1000, 1000]))
>>> q.tolist(), boundary.tolist()
([9, -9, 9], [False, False, False])
>>> rhu(np.array([125]), np.array([10]))[0].tolist()  # 12.5 → 13
[13]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from evalkit.core.figures import to_decimal

__all__ = ["MAX_DP", "LIMIT", "Scaled", "scaled_column", "rhu", "exact_quotient", "fraction_of"]

#: The finest decimals a figure may have on the integer path (the results table keeps six).
MAX_DP = 6
#: Products are kept below this on the int64 path.
LIMIT = 2**62
_INT64_SAFE = 10**18


@dataclass
class Scaled:
    """A column as integers: ``values / 10^dp``; ``null`` where empty, ``bad`` where unreadable."""

    values: np.ndarray
    null: np.ndarray
    bad: np.ndarray
    dp: int

    def at(self, dp: int) -> Scaled:
        """The same column at ``dp`` decimals (``dp`` ≥ ``self.dp``); too-large rows become bad."""
        if dp == self.dp:
            return self
        factor = 10 ** (dp - self.dp)
        too_big = np.abs(self.values) > _INT64_SAFE // factor
        values = np.where(too_big, 0, self.values) * factor
        return Scaled(values, self.null, self.bad | too_big, dp)


def _arrow_decimal(series: pd.Series) -> Scaled | None:
    """Read an Arrow ``decimal128`` column straight from its buffer (its unscaled integers)."""
    import pyarrow as pa

    dtype = series.dtype
    if not isinstance(dtype, pd.ArrowDtype) or not pa.types.is_decimal128(dtype.pyarrow_dtype):
        return None
    array = pa.array(series.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    words = words[2 * array.offset : 2 * (array.offset + len(array))].reshape(-1, 2)
    lo, hi = words[:, 0], words[:, 1]
    null = array.is_null().to_numpy(zero_copy_only=False)
    bad = (hi != (lo >> 63)) & ~null  # does not fit in 64 bits
    values = np.where(null | bad, 0, lo)
    scale = dtype.pyarrow_dtype.scale
    if scale > MAX_DP:
        return None
    # the fewest decimals the values need
    dp = scale
    while dp > 0 and not (values % 10 ** (scale - dp + 1)).any():
        dp -= 1
    return Scaled(values // 10 ** (scale - dp), null, bad, dp)


def scaled_column(series: pd.Series | None, n: int, *, skip: np.ndarray | None = None) -> Scaled:
    """A column of numbers (Decimal, int, str such as ``"95%"``, float via its text) as integers.

    Rows in ``skip`` (e.g. 定性 rows, whose target is text) are treated as empty.
    """
    empty = np.zeros(n, dtype=bool)
    if series is None:
        return Scaled(np.zeros(n, dtype=np.int64), ~empty, empty.copy(), 0)
    fast = _arrow_decimal(series)
    if fast is not None:
        if skip is not None:
            fast.null = fast.null | skip
            fast.bad = fast.bad & ~skip
            fast.values = np.where(skip, 0, fast.values)
        return fast
    raw = series.to_numpy(dtype=object)
    numbers: list[Decimal | None] = [None] * n
    null, bad = empty.copy(), empty.copy()
    dp = 0
    for i, value in enumerate(raw):
        if (skip is not None and skip[i]) or value is None or value is pd.NA or (isinstance(value, float) and value != value):
            null[i] = True
            continue
        try:
            number = to_decimal(value)
        except (TypeError, ValueError, InvalidOperation):
            bad[i] = True
            continue
        exp = number.as_tuple().exponent
        if not number.is_finite() or not isinstance(exp, int) or -exp > MAX_DP or number.adjusted() >= 18:
            bad[i] = True
            continue
        numbers[i] = number
        dp = max(dp, -exp)
    values = np.zeros(n, dtype=np.int64)
    for i, number in enumerate(numbers):
        if number is not None:
            scaled = int(number.scaleb(dp))
            if abs(scaled) >= _INT64_SAFE:
                bad[i] = True
            else:
                values[i] = scaled
    return Scaled(values, null, bad, dp)


def rhu(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``num / den`` rounded half-up (away from zero), and where it lay exactly on a half.

    ``den`` must be positive. Works on int64 arrays and on object arrays of Python ints.
    """
    a = np.abs(num)
    q = (2 * a + den) // (2 * den)
    boundary = 2 * (a % den) == den
    return np.where(num < 0, -q, q), boundary


def exact_quotient(n: int, d: int) -> bool:
    """True when the Decimal path computes ``n / d`` exactly (a terminating quotient of ≤ 34 digits)."""
    n, d = abs(int(n)), abs(int(d))
    if n == 0:
        return True
    g = math.gcd(n, d)
    n, d = n // g, d // g
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return False
    k = max(twos, fives)
    return n * 2 ** (k - twos) * 5 ** (k - fives) < 10**34


def fraction_of(value: Decimal) -> tuple[int, int]:
    """A finite Decimal as ``(numerator, denominator)`` with a power-of-ten denominator."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    num = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exp >= 0:
        return num * 10**exp, 1
    return num, 10**-exp
