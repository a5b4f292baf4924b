"""Sets of code points (sorted, disjoint ranges) and the Hypothesis strategy for one character of a set.

`characters()` draws from an interval set internally, which is fast and shrinks well, but its public
arguments only describe a set as [min, max] minus some characters or as a list of included characters.
Every set can be written one of those two ways with at most half of the code space spelled out, so we pick
the shorter one (once per distinct set: translated patterns reuse the same classes heavily).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hypothesis import strategies as st

Ranges = tuple[tuple[int, int], ...]

MAX_CODE_POINT = 0x10FFFF
SURROGATES: Ranges = ((0xD800, 0xDFFF),)


def normalize(pairs: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(pairs):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return tuple(merged)


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
    found: list[tuple[int, int]] = []
    for low, high in left:
        for first, last in right:
            if first <= high and last >= low:
                found.append((max(low, first), min(high, last)))
    return normalize(found)


def without_surrogates(ranges: Ranges) -> Ranges:
    """RANGES less U+D800..U+DFFF: a lone surrogate cannot be encoded in UTF-8, so no JSON carries one."""
    kept: list[tuple[int, int]] = []
    for low, high in ranges:
        if low < 0xD800:
            kept.append((low, min(high, 0xD7FF)))
        if high > 0xDFFF:
            kept.append((max(low, 0xE000), high))
    return tuple(kept)


def size(ranges: Ranges) -> int:
    return sum(high - low + 1 for low, high in ranges)


def _spell(ranges: Ranges) -> str:
    return "".join(chr(code) for low, high in ranges for code in range(low, high + 1))


@functools.lru_cache(maxsize=4096)
def char_strategy(ranges: Ranges) -> st.SearchStrategy[str]:
    """One character of RANGES (which must hold no surrogate and not be empty)."""
    low, high = ranges[0][0], ranges[-1][1]
    gaps = without_surrogates(complement(ranges, low, high))
    if size(ranges) <= size(gaps):
        return st.characters(categories=(), include_characters=_spell(ranges))
    # codec="utf-8" keeps the surrogates inside [low, high] out (characters() allows them by default).
    return st.characters(codec="utf-8", min_codepoint=low, max_codepoint=high, exclude_characters=_spell(gaps))


@functools.lru_cache(maxsize=4096)
def representatives(ranges: Ranges) -> tuple[str, ...]:
    """A few members of RANGES for deterministic strings: a letter or digit first when there is one, then
    the smallest printable member, then a non-ASCII one (lengths count code points, not bytes)."""
    preferred = [c for c in "aA0" if any(low <= ord(c) <= high for low, high in ranges)]
    printable = next((chr(code) for low, high in ranges for code in range(low, min(high, low + 512) + 1)
                      if chr(code).isprintable()), None)
    wide = next((chr(code) for low, high in ranges if high >= 0x80
                 for code in range(max(low, 0x80), min(high, max(low, 0x80) + 512) + 1)
                 if chr(code).isprintable()), None)
    found = [*preferred, printable, wide, chr(ranges[0][0])]
    return tuple(dict.fromkeys(c for c in found if c is not None))
