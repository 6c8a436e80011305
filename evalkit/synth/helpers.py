"""Small exact helpers for drawing synthetic figures (Decimal, no floats)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from evalkit.core.figures import round_half_up
from evalkit.synth.vocabulary import _CN_DIGITS, HUNDRED, ONE

# --------------------------------------------------------------------------- small helpers


def _clean(value: Decimal) -> Decimal:
    """Drop trailing zeros (``93.40`` → ``93.4``, ``100.00`` → ``100``) without exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(ONE)
    return value.normalize()


def _money(cents: int) -> Decimal:
    """An amount in 万元 from a whole number of hundredths."""
    return _clean(Decimal(cents) / HUNDRED)


def _draw(rng: random.Random, lo: Decimal, hi: Decimal, step: Decimal) -> Decimal:
    """A value on the grid lo, lo + step, … hi."""
    steps = int((hi - lo) / step)
    return _clean(lo + step * rng.randint(0, steps))


def _factor(rng: random.Random, lo: int, hi: int) -> Decimal:
    """A factor between lo/1000 and hi/1000."""
    return Decimal(rng.randint(lo, hi)) / 1000


def _q_round(value: Decimal, dp: int, *, up: bool = False) -> Decimal:
    if up:
        return _clean(value.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_CEILING))
    return _clean(round_half_up(value, dp))


def _apportion(total: int, shares: Sequence[int], minimum: int) -> list[int]:
    """``total`` split in proportion to ``shares``, each part at least ``minimum``.

    The remainder is settled one at a time on the largest shares first.

    >>> _apportion(10, [1, 1, 2], 2)
    [2, 2, 6]
    """
    parts = [max(minimum, total * s // sum(shares)) for s in shares]
    order = sorted(range(len(shares)), key=lambda j: (-shares[j], j))
    i = 0
    while sum(parts) != total:
        k = order[i % len(parts)]
        if sum(parts) < total:
            parts[k] += 1
        elif parts[k] > minimum:
            parts[k] -= 1
        i += 1
    return parts


def _bodies_summary(bodies: Sequence[str]) -> str | None:
    """``四科一室`` from the list of internal bodies (only for the 科 + 办公室 pattern)."""
    sections = [b for b in bodies if b.endswith("科")]
    if "办公室" not in bodies or not 0 < len(sections) <= 10 or len(sections) + 1 != len(bodies):
        return None
    return f"{_CN_DIGITS[len(sections)]}科一室"


