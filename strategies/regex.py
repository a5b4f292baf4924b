"""Strings that match a (translated) pattern and have a length within bounds.

`conformance.spec` patterns are Python `re` source with search semantics. We generate strings that *fully*
match the pattern (a subset of the strings that search-match it, and the realistic one), directly from the
pattern's tree (`strategies.regex_tree`), so that the length bounds of the schema steer generation instead
of filtering it: every node knows the range of lengths it can produce, and a sequence hands each element
the share of the length budget that keeps the total feasible. Zero-width checks (lookarounds, word
boundaries) are not generated: a final search with the compiled pattern keeps the strings they reject
out, and patterns where that would reject most strings draw from a probed pool instead (see `_probe`).
Patterns the tree cannot express (backreferences) fall back to `from_regex(..., fullmatch=True)`.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from strategies.charsets import Ranges, char_strategy, representatives
from strategies.regex_tree import (
    UNBOUNDED,
    Alt,
    Chars,
    Empty,
    Literal,
    Node,
    Repeat,
    Seq,
    Unsupported,
    has_checks,
    is_exact,
    parse,
    restrict,
)

# Extra repetitions past a repeat's minimum when nothing else bounds them: keeps examples small.
REPEAT_SOFT_MAX = 8


# -- generation ----------------------------------------------------------------------------------


def _fits(node: Node, low: int, high: int) -> bool:
    return node.low >= low and node.high <= high


@functools.lru_cache(maxsize=8192)
def _static(node: Node) -> st.SearchStrategy[str]:
    """Strings of NODE with its own (finite) bounds: no budget to share, so no composite needed."""
    if isinstance(node, Literal):
        return st.just(node.text)
    if isinstance(node, Empty):
        return st.just("")
    if isinstance(node, Chars):
        return char_strategy(node.ranges)
    if isinstance(node, Seq):
        return st.tuples(*(_static(i) for i in node.items if not isinstance(i, Empty))).map("".join)
    if isinstance(node, Alt):
        return st.one_of(*map(_static, node.options))
    if isinstance(node, Repeat):
        high = int(node.max_count)
        if isinstance(node.item, Chars):
            return st.text(char_strategy(node.item.ranges), min_size=node.min_count, max_size=high)
        return st.lists(_static(node.item), min_size=node.min_count, max_size=high).map("".join)
    raise TypeError(node)


@functools.lru_cache(maxsize=16384)
def _budgeted(node: Node, low: int, high: int) -> st.SearchStrategy[str]:
    """Strings of NODE whose length is within [low, high] (high finite)."""
    low, high = max(low, node.low), int(min(high, node.high))
    if low > high:
        return st.nothing()
    if _fits(node, low, high):
        return _static(node)
    if isinstance(node, Alt):
        return st.one_of(*(_budgeted(o, low, high) for o in node.options if o.low <= high and o.high >= low))
    if isinstance(node, Seq):
        return _sequence(node.items, low, high)
    if isinstance(node, Repeat):
        if isinstance(node.item, Chars):
            # The common case (`[...]*`, `.{1,64}`, `\S+`): a text strategy, which shrinks and runs fast.
            return st.text(char_strategy(node.item.ranges), min_size=max(low, node.min_count),
                           max_size=int(min(high, node.max_count)))
        return _repetitions(node, low, high)
    return st.nothing()  # fixed-width nodes that do not fit


def _sequence(items: tuple[Node, ...], low: int, high: int) -> st.SearchStrategy[str]:
    items = tuple(item for item in items if not isinstance(item, Empty))
    # Suffix sums tell each element how much the elements after it can still absorb.
    rest_low = [0] * (len(items) + 1)
    rest_high = [0.0] * (len(items) + 1)
    for index in range(len(items) - 1, -1, -1):
        rest_low[index] = rest_low[index + 1] + items[index].low
        rest_high[index] = rest_high[index + 1] + items[index].high
    return _draw_sequence(items, low, high, tuple(rest_low), tuple(rest_high))


# Decorated once here, not for every pattern node: st.composite reads its function's source each time.
@st.composite
def _draw_sequence(draw: st.DrawFn, items: tuple[Node, ...], low: int, high: int, rest_low: tuple[int, ...],
                   rest_high: tuple[float, ...]) -> str:
    parts: list[str] = []
    used = 0
    for index, item in enumerate(items):
        item_low = max(item.low, low - used - rest_high[index + 1])
        item_high = min(item.high, high - used - rest_low[index + 1])
        # Infeasible only when an earlier element's length left a gap no later one can fill.
        assume(item_low <= item_high)
        part = draw(_budgeted(item, int(max(item_low, 0)), int(item_high)))
        parts.append(part)
        used += len(part)
    return "".join(parts)


def _repetitions(node: Repeat, low: int, high: int) -> st.SearchStrategy[str]:
    item = node.item
    # Enough repetitions to reach LOW: at least one when LOW > 0, more when each is bounded.
    fewest = max(node.min_count, int(low > 0), math.ceil(low / item.high) if 0 < item.high < UNBOUNDED else 0)
    most = node.max_count
    if item.low > 0:
        most = min(most, high // item.low)
    most = min(most, fewest + REPEAT_SOFT_MAX)
    if fewest > most:
        return st.nothing()
    return _draw_repetitions(item, fewest, int(most), low, high)


@st.composite
def _draw_repetitions(draw: st.DrawFn, item: Node, fewest: int, most: int, low: int, high: int) -> str:
    count = draw(st.integers(fewest, most))
    return draw(_sequence((item,) * count, low, high)) if count else ""


# -- patterns with assertions generation ignores ---------------------------------------------------
# A lookaround or word boundary in the middle of a pattern can reject most generated strings, and a
# filter that rejects most draws fails Hypothesis's health check. Such patterns are probed once with a
# seeded random walk of the same tree: when most samples fail, the strategy draws from the samples that
# passed instead (a small but valid pool) rather than filtering.

PROBE_ATTEMPTS = 64
PROBE_MIN_ACCEPTANCE = 0.5


def _sample(node: Node, low: int, high: int, rng: random.Random) -> str | None:
    if isinstance(node, Empty):
        if node.body is not None and rng.random() < 0.5:
            # What Hypothesis's from_regex does with `(?=X)`: write an X here; later parts often re-read it.
            return _sample(node.body, 0, high, rng) or ""
        return ""
    low, high = max(low, node.low), int(min(high, node.high))
    if low > high:
        return None
    if isinstance(node, Literal):
        return node.text
    if isinstance(node, Chars):
        choices = representatives(node.ranges)
        if rng.random() < 0.5:
            return rng.choice(choices)
        first, last = rng.choice(node.ranges)
        return chr(rng.randint(first, last))
    if isinstance(node, Alt):
        options = [o for o in node.options if o.low <= high and o.high >= low]
        return _sample(rng.choice(options), low, high, rng) if options else None
    if isinstance(node, Seq):
        return _sample_sequence(list(node.items), low, high, rng)
    if isinstance(node, Repeat):
        fewest = max(node.min_count, int(low > 0))
        most = min(node.max_count, fewest + REPEAT_SOFT_MAX, high // node.item.low if node.item.low else high)
        if fewest > most:
            return None
        return _sample_sequence([node.item] * rng.randint(fewest, int(most)), low, high, rng)
    return None


def _sample_sequence(items: list[Node], low: int, high: int, rng: random.Random) -> str | None:
    parts: list[str] = []
    used = 0
    for index, item in enumerate(items):
        rest = items[index + 1:]
        item_low = max(item.low, low - used - sum(i.high for i in rest))
        item_high = min(item.high, high - used - sum(i.low for i in rest))
        if isinstance(item, Empty):  # a lookahead's content may use what the rest leaves free
            item_low, item_high = 0, high - used - sum(i.low for i in rest)
        part = _sample(item, int(max(item_low, 0)), int(item_high), rng) if item_low <= item_high else None
        if part is None:
            return None
        parts.append(part)
        used += len(part)
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _probe(strings: PatternStrings, low: int, high: int) -> tuple[float, tuple[str, ...]]:
    """(share of random samples the pattern accepts, the distinct accepted samples)."""
    assert strings.tree is not None
    rng = random.Random(f"{strings.source}/{low}/{high}")  # deterministic: same pool every run
    accepted: dict[str, None] = {}
    hits = 0
    for attempt in range(1, 8 * PROBE_ATTEMPTS + 1):
        sample = _sample(strings.tree, low, high, rng)
        if sample is not None and low <= len(sample) <= high and strings.compiled.search(sample):
            hits += 1
            accepted[sample] = None
        if attempt >= PROBE_ATTEMPTS and (hits / attempt >= PROBE_MIN_ACCEPTANCE or len(accepted) >= 16):
            return hits / attempt, tuple(accepted)
    return hits / (8 * PROBE_ATTEMPTS), tuple(accepted)


# -- exact lengths (boundaries, too-long strings) -------------------------------------------------


def _fill(node: Node, length: int, pick: Callable[[Ranges], str]) -> str | None:
    """A string of NODE exactly LENGTH long, built without Hypothesis (for lengths far past what a
    test case should draw char by char), or None when this greedy construction finds none."""
    if not node.low <= length <= node.high:
        return None
    if isinstance(node, Empty):
        return ""
    if isinstance(node, Literal):
        return node.text
    if isinstance(node, Chars):
        return pick(node.ranges)
    if isinstance(node, Alt):
        for option in node.options:
            found = _fill(option, length, pick)
            if found is not None:
                return found
        return None
    if isinstance(node, Seq):
        return _fill_sequence(list(node.items), length, pick)
    if isinstance(node, Repeat):
        item = node.item
        if length == 0:
            return "" if node.min_count == 0 else _fill_sequence([item] * node.min_count, 0, pick)
        if item.low == item.high and item.low > 0:
            count, remainder = divmod(length, item.low)
            if remainder or not node.min_count <= count <= node.max_count:
                return None
            unit = _fill(item, item.low, pick)
            return None if unit is None else unit * count
        count = max(node.min_count, math.ceil(length / item.high) if item.high not in (0, UNBOUNDED) else 1)
        count = int(min(count, node.max_count))
        return _fill_sequence([item] * count, length, pick)
    return None


def _fill_sequence(items: list[Node], length: int, pick: Callable[[Ranges], str]) -> str | None:
    # Give every element its minimum, then the surplus to the first elements that can take it.
    sizes = [item.low for item in items]
    surplus = length - sum(sizes)
    for index, item in enumerate(items):
        grow = int(min(surplus, item.high - item.low))
        sizes[index] += grow
        surplus -= grow
    if surplus:
        return None
    parts = [_fill(item, size, pick) for item, size in zip(items, sizes, strict=True)]
    return None if any(p is None for p in parts) else "".join(p for p in parts if p is not None)


# Characters tried, in order, to make a string the pattern rejects: printable first, then the rest.
_PROBES = " !#-./:@_~aZ0\u00e9\u03a9\u4e2d\U0001f600\t\n\x00"


@dataclass(frozen=True)
class PatternStrings:
    """Generation helpers for one pattern (see `pattern_strings`)."""

    source: str
    compiled: re.Pattern[str]
    tree: Node | None  # None: the generator cannot model the pattern; `from_regex` is used instead

    @property
    def shortest(self) -> int:
        return self.tree.low if self.tree is not None else 0

    def strategy(self, low: int, high: int) -> st.SearchStrategy[str]:
        """Strings of length [low, high] (high finite) that match the pattern."""
        matches = self.compiled.search
        if self.tree is None:
            return st.from_regex(self.compiled, fullmatch=True).filter(lambda s: low <= len(s) <= high)
        if has_checks(self.tree):
            acceptance, pool = _probe(self, low, high)
            if acceptance < PROBE_MIN_ACCEPTANCE:
                if pool:
                    return st.sampled_from(pool)
                # Hypothesis's own generator honours some lookaheads ours ignores (fsx's ARN pattern).
                return st.from_regex(self.compiled, fullmatch=True).filter(
                    lambda s: low <= len(s) <= high and matches(s) is not None)
        strategy = _budgeted(self.tree, low, high)
        if is_exact(self.tree):
            return strategy  # every string generated from the tree matches: no check needed
        return strategy.filter(lambda s: matches(s) is not None)

    def exact(self, length: int, variant: int = 0) -> str | None:
        """A deterministic string of exactly LENGTH that matches, or None if none was found."""
        if self.tree is None:
            return None

        def pick(ranges: Ranges) -> str:
            choices = representatives(ranges)
            return choices[variant % len(choices)]

        found = _fill(self.tree, length, pick)
        if found is None or self.compiled.search(found) is None:
            return None
        return found

    def rejected(self, low: int, high: float) -> tuple[str, ...]:
        """A few strings with a length in [low, high] that the pattern does NOT match (maybe none:
        an unanchored `[a-z]*` matches every string)."""
        return _rejected(self, low, high)


def _candidate_lengths(low: int, high: float) -> Iterator[int]:
    base = max(low, 1)
    for length in (base, base + 1, base + 4):
        if length <= high:
            yield length
    if low == 0:
        yield 0


@functools.lru_cache(maxsize=4096)
def _rejected(strings: PatternStrings, low: int, high: float) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for length in _candidate_lengths(low, high):
        candidates = [probe * length for probe in _PROBES]
        valid = strings.exact(length)
        if valid:
            # One character of a matching string replaced: catches anchored, positional patterns.
            for position in sorted({0, length // 2, length - 1}):
                candidates.extend(valid[:position] + probe + valid[position + 1:] for probe in _PROBES)
        for candidate in candidates:
            if strings.compiled.search(candidate) is None:
                found[candidate] = None
                if len(found) >= 8:
                    return tuple(found)
    return tuple(found)


@functools.lru_cache(maxsize=8192)
def pattern_strings(source: str, alphabet: Ranges | None = None) -> PatternStrings:
    """Generation helpers for the pattern SOURCE; with ALPHABET, generating only characters of it (for
    HTTP header values), or as without it when the pattern then cannot match at all."""
    compiled = re.compile(source)
    try:
        tree: Node | None = parse(source)
    except Unsupported:
        tree = None
    if tree is not None and alphabet is not None:
        narrowed = restrict(tree, alphabet)
        if narrowed.low <= narrowed.high:
            tree = narrowed
    return PatternStrings(source, compiled, tree)
