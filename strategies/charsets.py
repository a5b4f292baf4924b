"""Sets of code points (sorted, disjoint ranges) and the Hypothesis strategy for one character of a set.

`characters()` draws from an interval set internally, which is fast and shrinks well, but its public
arguments only describe a set as [min, max] minus some characters or as a list of included characters.
Every set can be written one of those two ways with at most half of the code space spelled out, so we pick
the shorter one (once per distinct set: translated patterns reuse the same classes heavily).
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

# The set algebra is conformance.spec's, shared with the pattern translator; re-exported for this package.
from conformance.spec.codepoints import Ranges, complement, difference, intersect, normalize

__all__ = ["SURROGATES", "Ranges", "char_strategy", "complement", "difference", "intersect", "normalize",
           "representatives", "size", "without_surrogates"]

SURROGATES: Ranges = ((0xD800, 0xDFFF),)


def without_surrogates(ranges: Ranges) -> Ranges:
    """RANGES less U+D800..U+DFFF: a lone surrogate cannot be encoded in UTF-8, so no JSON carries one."""
    return difference(ranges, SURROGATES)


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
