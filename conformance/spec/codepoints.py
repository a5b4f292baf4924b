"""Sets of Unicode code points as sorted, disjoint, non-adjacent inclusive (low, high) ranges.

One algebra for the pattern translator (`conformance.spec.patterns`, which evaluates every character class
to explicit ranges) and for generation (`strategies.charsets`, which draws characters from them).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Final

Ranges = tuple[tuple[int, int], ...]

MAX_CODE_POINT: Final = 0x10FFFF


def normalize(pairs: Iterable[tuple[int, int]]) -> Ranges:
    """PAIRS (in any order, overlapping or adjacent) as sorted, disjoint, non-adjacent ranges."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(pairs):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


def union(*sets: Ranges) -> Ranges:
    if len(sets) == 1:
        return sets[0]
    return normalize(itertools.chain.from_iterable(sets))


def complement(ranges: Ranges, low: int = 0, high: int = MAX_CODE_POINT) -> Ranges:
    """The code points of [low, high] not in RANGES."""
    gaps: list[tuple[int, int]] = []
    start = low
    for first, last in ranges:
        if last < low or first > high:
            continue
        if first > start:
            gaps.append((start, first - 1))
        start = max(start, last + 1)
    if start <= high:
        gaps.append((start, high))
    return tuple(gaps)


def intersect(left: Ranges, right: Ranges) -> Ranges:
    """The code points in both LEFT and RIGHT."""
    return complement(union(complement(left), complement(right)))


def difference(left: Ranges, right: Ranges) -> Ranges:
    """The code points of LEFT not in RIGHT."""
    return intersect(left, complement(right))
