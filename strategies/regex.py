"""Strings that match a (translated) pattern and have a length within bounds.

`conformance.spec` patterns are Python `re` source with search semantics. We generate strings that *fully*
match the pattern (a subset of the strings that search-match it, and the realistic one), directly from the
pattern's parse tree, so that the length bounds of the schema steer generation instead of filtering it:
every node knows the range of lengths it can produce and a sequence hands each element the share of the
length budget that keeps the total feasible. Zero-width nodes (anchors, lookarounds) are skipped when
generating; a final check with the compiled pattern keeps the (rare) strings they would reject out.

Python's parser (`re._parser`) is the one Hypothesis's own `from_regex` reads;
patterns it cannot express here (backreferences) fall back to `from_regex(..., fullmatch=True)`.
"""

from __future__ import annotations

import functools
import importlib
import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from strategies.charsets import Ranges, char_strategy, complement, normalize, representatives, without_surrogates

# The stdlib's regex parser (typeshed has no stubs for these private modules, hence Any).
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

UNBOUNDED = math.inf
# Extra repetitions past a repeat's minimum when nothing else bounds them: keeps examples small.
REPEAT_SOFT_MAX = 8


class Unsupported(Exception):
    """The parse tree holds a construct the generator does not model (backreferences)."""


# -- the parse tree, simplified -------------------------------------------------------------------
# Nodes compare by identity (eq=False): trees are built once per pattern and cached, and strategies are
# cached per (node, budget), so hashing by identity is both correct and cheap.


@dataclass(eq=False, frozen=True)
class Node:
    low: int  # shortest string the node produces
    high: float  # longest (UNBOUNDED for unbounded repeats)


@dataclass(eq=False, frozen=True)
class Empty(Node):
    """Zero-width: an anchor ("start", "end"), a harmless assertion ("plain"), or a lookaround or word
    boundary the generator cannot honour ("check": left to the final search)."""

    kind: str = "plain"
    body: Node | None = None  # a positive lookahead's pattern: the probe may generate it as content


@dataclass(eq=False, frozen=True)
class Literal(Node):
    text: str


@dataclass(eq=False, frozen=True)
class Chars(Node):
    ranges: Ranges


@dataclass(eq=False, frozen=True)
class Seq(Node):
    items: tuple[Node, ...]


@dataclass(eq=False, frozen=True)
class Alt(Node):
    options: tuple[Node, ...]


@dataclass(eq=False, frozen=True)
class Repeat(Node):
    min_count: int
    max_count: float
    item: Node


def _literal(text: str) -> Literal:
    return Literal(len(text), len(text), text)


def _chars(ranges: Ranges) -> Node:
    ranges = without_surrogates(ranges)
    if not ranges:
        # A class of surrogates only: nothing we can generate (and nothing valid JSON can carry).
        return _impossible()
    return Chars(1, 1, ranges)


def _impossible() -> Node:
    return Alt(0, -1, ())


def starts_anchored(node: Node) -> bool:
    """Whether every string of NODE must sit at the start of the input (it begins with `^`)."""
    if isinstance(node, Empty):
        return node.kind == "start"
    if isinstance(node, Seq):
        return starts_anchored(node.items[0])
    if isinstance(node, Alt):
        return bool(node.options) and all(map(starts_anchored, node.options))
    return False


def ends_anchored(node: Node) -> bool:
    if isinstance(node, Empty):
        return node.kind == "end"
    if isinstance(node, Seq):
        return ends_anchored(node.items[-1])
    if isinstance(node, Alt):
        return bool(node.options) and all(map(ends_anchored, node.options))
    return False


def has_checks(node: Node) -> bool:
    """Whether NODE holds a zero-width assertion that generation ignores (so the final search may reject)."""
    if isinstance(node, Empty):
        return node.kind == "check"
    if isinstance(node, Seq):
        return any(map(has_checks, node.items))
    if isinstance(node, Alt):
        return any(map(has_checks, node.options))
    if isinstance(node, Repeat):
        return has_checks(node.item)
    return False


def is_exact(tree: Node) -> bool:
    """Whether every string generated from TREE matches the pattern: no assertion was ignored, and the only
    anchors left are at the very start and end (a `^` inside one branch of an alternation is not)."""
    items = list(tree.items) if isinstance(tree, Seq) else [tree]
    if items and isinstance(items[0], Empty) and items[0].kind == "start":
        items = items[1:]
    if items and isinstance(items[-1], Empty) and items[-1].kind == "end":
        items = items[:-1]
    return not any(map(_has_zero_width, items))


def _has_zero_width(node: Node) -> bool:
    if isinstance(node, Empty):
        return node.kind != "plain"
    if isinstance(node, Seq):
        return any(map(_has_zero_width, node.items))
    if isinstance(node, Alt):
        return any(map(_has_zero_width, node.options))
    if isinstance(node, Repeat):
        return _has_zero_width(node.item)
    return False


def _seq(items: list[Node]) -> Node:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, Seq) else [item])
    # `^` in the middle (".*(^arn:...)") forces what precedes it to be empty, `$` what follows it.
    first = max((i for i, item in enumerate(flat) if starts_anchored(item)), default=None)
    last = min((i for i, item in enumerate(flat) if ends_anchored(item)), default=None)
    if first is not None:
        if any(item.low > 0 for item in flat[:first]):
            return _impossible()
        flat = flat[first:]
        last = None if last is None else last - first
    if last is not None:
        if last < 0 or any(item.low > 0 for item in flat[last + 1:]):
            return _impossible()
        flat = flat[:last + 1]
    # Merge adjacent literals and drop harmless zero-width nodes: fewer draws, same language.
    merged: list[Node] = []
    for item in flat:
        if isinstance(item, Empty) and item.kind == "plain":
            continue
        if isinstance(item, Literal) and merged and isinstance(merged[-1], Literal):
            merged[-1] = _literal(merged[-1].text + item.text)
        else:
            merged.append(item)
    if not merged:
        return Empty(0, 0)
    if len(merged) == 1:
        return merged[0]
    return Seq(sum(i.low for i in merged), sum(i.high for i in merged), tuple(merged))


def _alt(options: list[Node]) -> Node:
    live = [o for o in options if o.high >= o.low]
    if not live:
        return _impossible()
    if len(live) == 1:
        return live[0]
    return Alt(min(o.low for o in live), max(o.high for o in live), tuple(live))


def _repeat(low: int, high: float, item: Node) -> Node:
    if item.high < item.low:  # the item cannot match: only zero repetitions can
        return Empty(0, 0) if low == 0 else item
    if high == 1 and low == 1:
        return item
    if item.high == 0:
        return Empty(0, 0)
    return Repeat(low * item.low, high * item.high if high != UNBOUNDED else UNBOUNDED, low, high, item)


@functools.lru_cache(maxsize=64)
def _category_ranges(category: str, ascii_only: bool) -> Ranges:
    """The code points a `\\d \\w \\s`-style category matches in a str pattern (scanned once)."""
    escape = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w",
              "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_NOT_WORD": r"\W",
              "CATEGORY_LINEBREAK": r"\n", "CATEGORY_NOT_LINEBREAK": r"[^\n]"}.get(category)
    if escape is None:
        raise Unsupported(category)
    everything = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    flags = re.ASCII if ascii_only else 0
    found = []
    for match in re.finditer(f"(?:{escape})+", everything, flags):
        first, last = ord(match.group()[0]), ord(match.group()[-1])
        found.append((first, last))
    return normalize(found)


def _case_variants(ranges: Ranges) -> Ranges:
    """RANGES plus the other case of each character in it (for negated classes under IGNORECASE)."""
    extra: list[tuple[int, int]] = []
    for low, high in ranges:
        if high - low > 4096:
            raise Unsupported("case-folded negated class too large to fold")
        for code in range(low, high + 1):
            for variant in {chr(code).lower(), chr(code).upper(), chr(code).swapcase()}:
                if len(variant) == 1:
                    extra.append((ord(variant), ord(variant)))
    return normalize([*ranges, *extra])


class _Converter:
    """Turns `re._parser` output into Nodes, tracking the flags in force."""

    def convert(self, items: Any, flags: int) -> Node:
        return _seq([self.node(op, arg, flags) for op, arg in items])

    def node(self, op: Any, arg: Any, flags: int) -> Node:
        ignore_case = bool(flags & re.IGNORECASE)
        if op is _c.LITERAL:
            return _literal(chr(arg))
        if op is _c.NOT_LITERAL:
            excluded = normalize([(arg, arg)])
            if ignore_case:
                excluded = _case_variants(excluded)
            return _chars(complement(excluded))
        if op is _c.ANY:
            return _chars(((0, 0x10FFFF),) if flags & re.DOTALL else complement(((10, 10),)))
        if op is _c.IN:
            return _chars(self.char_set(arg, flags))
        if op is _c.BRANCH:
            return _alt([self.convert(branch, flags) for branch in arg[1]])
        if op is _c.SUBPATTERN:
            _group, add_flags, del_flags, body = arg
            return self.convert(body, (flags | add_flags) & ~del_flags)
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, high, body = arg
            bound = UNBOUNDED if high is _c.MAXREPEAT else int(high)
            return _repeat(int(low), bound, self.convert(body, flags))
        if op is getattr(_c, "ATOMIC_GROUP", None):
            return self.convert(arg, flags)
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            kind = _zero_width_kind(op, arg)
            lookahead = op is _c.ASSERT and arg[0] == 1 and kind == "check"
            return Empty(0, 0, kind, self.convert(arg[1], flags) if lookahead else None)
        raise Unsupported(str(op))

    def char_set(self, items: Any, flags: int) -> Ranges:
        negate = False
        pairs: list[tuple[int, int]] = []
        ascii_only = bool(flags & re.ASCII)
        for op, arg in items:
            if op is _c.NEGATE:
                negate = True
            elif op is _c.LITERAL:
                pairs.append((arg, arg))
            elif op is _c.RANGE:
                pairs.append((arg[0], arg[1]))
            elif op is _c.CATEGORY:
                pairs.extend(_category_ranges(str(arg), ascii_only))
            else:
                raise Unsupported(str(op))
        ranges = normalize(pairs)
        if negate:
            # Under IGNORECASE a negated class also rejects the other case of what it lists.
            return complement(_case_variants(ranges) if flags & re.IGNORECASE else ranges)
        return ranges


_STARTS = ("AT_BEGINNING", "AT_BEGINNING_STRING")
_ENDS = ("AT_END", "AT_END_STRING")


def _zero_width_kind(op: Any, arg: Any) -> str:
    if op is _c.AT:
        return "start" if str(arg) in _STARTS else "end" if str(arg) in _ENDS else "check"
    direction, body = arg
    if op is _c.ASSERT and direction == 1 and body and body[-1][0] is _c.AT and str(body[-1][1]) in _ENDS:
        return "end"  # `(?=\r?\n?\Z)`: the translation of Java's `$`
    if op is _c.ASSERT_NOT and len(body) == 2 and body[0][0] is _c.ASSERT and body[1] == (_c.LITERAL, 10):
        return "plain"  # `(?!(?<=\r)\n)`: no match inside "\r\n"; generation never splits one
    return "check"


def parse(source: str) -> Node:
    """The generation tree of SOURCE; raises Unsupported for constructs it does not model."""
    tree = _parser.parse(source)
    return _Converter().convert(tree, int(tree.state.flags))


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

    @st.composite
    def sequence(draw: st.DrawFn) -> str:
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

    return sequence()


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

    @st.composite
    def repetitions(draw: st.DrawFn) -> str:
        count = draw(st.integers(fewest, int(most)))
        return draw(_sequence((item,) * count, low, high)) if count else ""

    return repetitions()


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
def pattern_strings(source: str) -> PatternStrings:
    compiled = re.compile(source)
    try:
        tree: Node | None = parse(source)
    except Unsupported:
        tree = None
    return PatternStrings(source, compiled, tree)
