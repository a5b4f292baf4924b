"""The parse tree of a (translated) pattern, simplified for generation.

Python's parser (`re._parser`, the one Hypothesis's own `from_regex` reads) gives the syntax; we keep what
generation needs: literals, character sets (as code-point ranges), sequences, alternations, repeats, and
zero-width nodes classified as anchors (`^`, `$` and the translator's spelling of Java's `$`), harmless
assertions, or checks generation cannot honour (other lookarounds, word boundaries). Each node knows the
shortest and longest string it can produce. Anchors in the middle of a pattern (".*(^arn:...)") are
resolved here: what comes before a `^` must be empty, what follows a `$` too.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from strategies.charsets import Ranges, complement, intersect, normalize, without_surrogates

# The stdlib's regex parser (typeshed has no stubs for these private modules, hence Any).
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

UNBOUNDED = math.inf


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
        return starts_anchored(next((i for i in node.items if not _is_check(i)), node.items[0]))
    if isinstance(node, Alt):
        return bool(node.options) and all(map(starts_anchored, node.options))
    return False


def ends_anchored(node: Node) -> bool:
    if isinstance(node, Empty):
        return node.kind == "end"
    if isinstance(node, Seq):
        return ends_anchored(next((i for i in reversed(node.items) if not _is_check(i)), node.items[-1]))
    if isinstance(node, Alt):
        return bool(node.options) and all(map(ends_anchored, node.options))
    return False


def has_checks(node: Node) -> bool:
    """Whether NODE holds a zero-width assertion that generation ignores (so the final search may reject)."""
    return _any_empty(node, lambda empty: empty.kind == "check")


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
    return _any_empty(node, lambda empty: empty.kind != "plain")


def _any_empty(node: Node, test: Callable[[Empty], bool]) -> bool:
    """Whether some Empty node (an assertion, an anchor or nothing at all) anywhere in NODE passes TEST."""
    if isinstance(node, Empty):
        return test(node)
    if isinstance(node, Seq):
        return any(_any_empty(item, test) for item in node.items)
    if isinstance(node, Alt):
        return any(_any_empty(option, test) for option in node.options)
    if isinstance(node, Repeat):
        return _any_empty(node.item, test)
    return False


def _is_check(node: Node) -> bool:
    return isinstance(node, Empty) and node.kind == "check"


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
        # What may be empty is made empty; assertions stay: they still test the start of the input.
        kept = [item for item in flat[:first] if _is_check(item)]
        flat = kept + flat[first:]
        last = None if last is None else last - first + len(kept)
    if last is not None:
        if last < 0 or any(item.low > 0 for item in flat[last + 1:]):
            return _impossible()
        flat = flat[:last + 1] + [item for item in flat[last + 1:] if _is_check(item)]
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
    ends = bool(body) and body[-1][0] is _c.AT and str(body[-1][1]) in _ENDS
    # `(?=(?:\r\n|[\n\r...])?\Z)`, the translation of Java's `$`: an optional line end, then the end.
    line_end = all(item[0] is _c.MAX_REPEAT and item[1][0] == 0 and item[1][1] == 1 for item in body[:-1])
    if op is _c.ASSERT and direction == 1 and ends and line_end:
        return "end"
    if op is _c.ASSERT_NOT and len(body) == 2 and body[0][0] is _c.ASSERT and body[1] == (_c.LITERAL, 10):
        return "plain"  # `(?!(?<=\r)\n)`: no match inside "\r\n"; generation never splits one
    return "check"


def parse(source: str) -> Node:
    """The generation tree of SOURCE; raises Unsupported for constructs it does not model."""
    tree = _parser.parse(source)
    return _Converter().convert(tree, int(tree.state.flags))


def restrict(node: Node, alphabet: Ranges) -> Node:
    """NODE generating only characters of ALPHABET (an impossible node when it then cannot match)."""
    if isinstance(node, Chars):
        return _chars(intersect(node.ranges, alphabet))
    if isinstance(node, Literal):
        inside = all(any(low <= ord(c) <= high for low, high in alphabet) for c in node.text)
        return node if inside else _impossible()
    if isinstance(node, Seq):
        return _seq([restrict(item, alphabet) for item in node.items])
    if isinstance(node, Alt):
        return _alt([restrict(option, alphabet) for option in node.options])
    if isinstance(node, Repeat):
        return _repeat(node.min_count, node.max_count, restrict(node.item, alphabet))
    return node
