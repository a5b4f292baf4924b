"""Translate AWS model string patterns into Python ``re`` syntax with the same meaning.

botocore's ``shapes[X]["pattern"]`` strings come from Smithy ``@pattern`` traits.  Smithy calls
them ECMA-262 regexes, but the models are authored and validated with ``java.util.regex`` and
use Java-only syntax (``\\p{Alnum}``, ``\\z``, ``&&`` class intersections, surrogate-pair
``\\u`` escapes, mid-pattern ``(?i)``), and AWS services mostly enforce them with Java.  The
reference semantics here are therefore those of ``java.util.regex.Pattern`` (JDK 9+, default
flags).  ``translate_pattern`` keeps the pattern's meaning under ``re.search`` (Smithy's reading: no
anchors are added, the pattern's own are translated like any other construct); AWS services match
the whole value, and ``whole_value_pattern`` (what the derived schemas hold) says so.

The translator is a small recursive-descent parser over the Java syntax that emits Python
syntax.  Everything that denotes a set of characters (``[...]``, ``.``, ``\\d``, ``\\p{L}``,
...) is evaluated to explicit code-point ranges, because Python's ``re`` has no property
classes, no class intersection and Unicode-aware ``\\d``/``\\w``/``\\s`` where Java's are
ASCII-only.  Invisible or combining non-ASCII characters in the output are written as
``\\uXXXX``/``\\UXXXXXXXX`` escapes; visible ones (letters, digits, symbols, punctuation)
as themselves.

Known, deliberate differences (see ``translate_pattern`` for the rule list):

* Unicode data comes from this Python's ``unicodedata`` (Unicode 14.0 on 3.11), not from the
  JVM's; characters assigned between the two versions may be classified differently.
* Java matches case-insensitively (``(?i)``, ASCII-only unless ``(?iu)``) with its own
  case tables; Python's ``(?ai)`` / ``(?ui)`` folding is used instead.
* A backreference to a group that is not opened before it never matches here; Java can
  match it inside a repetition after the group captured in an earlier iteration.
* ``\\b``/``\\B`` use ASCII word characters, like ``\\w`` and like JDK 19+ and ECMA-262;
  JDK 18 and older also counted non-ASCII letters and digits as word characters.
* Possessive quantifiers and atomic groups are passed through: they need Python 3.11+.
* Script and block properties (``\\p{IsLatin}``, ``\\p{InGreek}``), ``java*`` properties,
  ``\\X``, ``\\G``, ``\\b{g}`` and the flags ``x``, ``U``, ``c`` are not translated: they raise
  ``PatternTranslationError``.  So do lookbehinds whose width Python cannot fix.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from conformance.spec.codepoints import (
    MAX_CODE_POINT,
    Ranges,
    complement,
    difference,
    intersect,
    normalize,
    union,
)

__all__ = ["PatternTranslationError", "compile_pattern", "translate_pattern", "whole_value_pattern"]


class PatternTranslationError(ValueError):
    """The pattern is not valid Java regex syntax, or Python ``re`` cannot express it."""


_EMPTY: Final[Ranges] = ()
_EVERYTHING: Final[Ranges] = ((0, MAX_CODE_POINT),)
_JAVA_MAX_REPEAT: Final = 0x7FFFFFFF


# --------------------------------------------------------------------------- code-point sets


def _ranges(*pairs: tuple[int, int]) -> Ranges:
    return normalize(pairs)


# --------------------------------------------------------------------------- Unicode tables


@functools.lru_cache(maxsize=1)
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """Maximal runs of code points sharing a general category; built once (~0.2 s)."""
    runs: list[tuple[int, int, str]] = []
    start, current = 0, unicodedata.category("\0")
    for code_point in range(1, MAX_CODE_POINT + 1):
        category = unicodedata.category(chr(code_point))
        if category != current:
            runs.append((start, code_point - 1, current))
            start, current = code_point, category
    runs.append((start, MAX_CODE_POINT, current))
    return tuple(runs)


@functools.cache
def _categories(names: frozenset[str]) -> Ranges:
    return normalize((low, high) for low, high, category in _category_runs() if category in names)


def _category(*names: str) -> Ranges:
    return _categories(frozenset(names))


# Unicode 14.0 binary properties that unicodedata does not expose, stored as the code points
# they add to a general-category base (derived from PropList.txt / DerivedCoreProperties.txt).
# Alphabetic = L + Nl + these; Lowercase = Ll + these; Uppercase = Lu + these.
_ALPHABETIC_EXTRA: Final = """
345 5B0-5BD 5BF 5C1-5C2 5C4-5C5 5C7 610-61A 64B-657 659-65F 670 6D6-6DC 6E1-6E4 6E7-6E8 6ED 711
730-73F 7A6-7B0 816-817 81B-823 825-827 829-82C 8D4-8DF 8E3-8E9 8F0-903 93A-93B 93E-94C 94E-94F
955-957 962-963 981-983 9BE-9C4 9C7-9C8 9CB-9CC 9D7 9E2-9E3 A01-A03 A3E-A42 A47-A48 A4B-A4C A51
A70-A71 A75 A81-A83 ABE-AC5 AC7-AC9 ACB-ACC AE2-AE3 AFA-AFC B01-B03 B3E-B44 B47-B48 B4B-B4C
B56-B57 B62-B63 B82 BBE-BC2 BC6-BC8 BCA-BCC BD7 C00-C03 C3E-C44 C46-C48 C4A-C4C C55-C56 C62-C63
C81-C83 CBE-CC4 CC6-CC8 CCA-CCC CD5-CD6 CE2-CE3 D00-D03 D3E-D44 D46-D48 D4A-D4C D57 D62-D63
D81-D83 DCF-DD4 DD6 DD8-DDF DF2-DF3 E31 E34-E3A E4D EB1 EB4-EB9 EBB-EBC ECD F71-F81 F8D-F97
F99-FBC 102B-1036 1038 103B-103E 1056-1059 105E-1060 1062-1064 1067-106D 1071-1074 1082-108D
108F 109A-109D 1712-1713 1732-1733 1752-1753 1772-1773 17B6-17C8 1885-1886 18A9 1920-192B
1930-1938 1A17-1A1B 1A55-1A5E 1A61-1A74 1ABF-1AC0 1ACC-1ACE 1B00-1B04 1B35-1B43 1B80-1B82
1BA1-1BA9 1BAC-1BAD 1BE7-1BF1 1C24-1C36 1DE7-1DF4 24B6-24E9 2DE0-2DFF A674-A67B A69E-A69F A802
A80B A823-A827 A880-A881 A8B4-A8C3 A8C5 A8FF A926-A92A A947-A952 A980-A983 A9B4-A9BF A9E5
AA29-AA36 AA43 AA4C-AA4D AA7B-AA7D AAB0 AAB2-AAB4 AAB7-AAB8 AABE AAEB-AAEF AAF5 ABE3-ABEA FB1E
10376-1037A 10A01-10A03 10A05-10A06 10A0C-10A0F 10D24-10D27 10EAB-10EAC 11000-11002 11038-11045
11073-11074 11082 110B0-110B8 110C2 11100-11102 11127-11132 11145-11146 11180-11182 111B3-111BF
111CE-111CF 1122C-11234 11237 1123E 112DF-112E8 11300-11303 1133E-11344 11347-11348 1134B-1134C
11357 11362-11363 11435-11441 11443-11445 114B0-114C1 115AF-115B5 115B8-115BE 115DC-115DD
11630-1163E 11640 116AB-116B5 1171D-1172A 1182C-11838 11930-11935 11937-11938 1193B-1193C 11940
11942 119D1-119D7 119DA-119DF 119E4 11A01-11A0A 11A35-11A39 11A3B-11A3E 11A51-11A5B 11A8A-11A97
11C2F-11C36 11C38-11C3E 11C92-11CA7 11CA9-11CB6 11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D41 11D43
11D47 11D8A-11D8E 11D90-11D91 11D93-11D96 11EF3-11EF6 16F4F 16F51-16F87 16F8F-16F92 16FF0-16FF1
1BC9E 1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E947 1F130-1F149 1F150-1F169
1F170-1F189
"""
_LOWERCASE_EXTRA: Final = """
AA BA 2B0-2B8 2C0-2C1 2E0-2E4 345 37A 1D2C-1D6A 1D78 1D9B-1DBF 2071 207F 2090-209C 2170-217F
24D0-24E9 2C7C-2C7D A69C-A69D A770 A7F8-A7F9 AB5C-AB5F 10780 10783-10785 10787-107B0 107B2-107BA
"""
_UPPERCASE_EXTRA: Final = "2160-216F 24B6-24CF 1F130-1F149 1F150-1F169 1F170-1F189"
_IDEOGRAPHIC: Final = """
3006-3007 3021-3029 3038-303A 3400-4DBF 4E00-9FFF F900-FA6D FA70-FAD9 16FE4 17000-187F7
18800-18CD5 18D00-18D08 1B170-1B2FB 20000-2A6DF 2A700-2B738 2B740-2B81D 2B820-2CEA1 2CEB0-2EBE0
2F800-2FA1D 30000-3134A
"""


@functools.cache
def _hex_table(text: str) -> Ranges:
    pairs: list[tuple[int, int]] = []
    for item in text.split():
        low, _, high = item.partition("-")
        pairs.append((int(low, 16), int(high or low, 16)))
    return normalize(pairs)


def _letters() -> Ranges:
    return _category("Lu", "Ll", "Lt", "Lm", "Lo")


def _alphabetic() -> Ranges:
    return union(_letters(), _category("Nl"), _hex_table(_ALPHABETIC_EXTRA))


def _lowercase() -> Ranges:
    return union(_category("Ll"), _hex_table(_LOWERCASE_EXTRA))


def _uppercase() -> Ranges:
    return union(_category("Lu"), _hex_table(_UPPERCASE_EXTRA))


def _any_case() -> Ranges:
    # Java widens every case property to all cased letters under CASE_INSENSITIVE.
    return union(_lowercase(), _uppercase(), _category("Lt"))


def _white_space() -> Ranges:
    return union(_category("Zs", "Zl", "Zp"), _ranges((0x09, 0x0D), (0x85, 0x85)))


def _graph() -> Ranges:
    return complement(_category("Zs", "Zl", "Zp", "Cc", "Cs", "Cn"))


def _blank() -> Ranges:
    return union(_category("Zs"), _ranges((0x09, 0x09)))


def _hex_digit() -> Ranges:
    return union(_category("Nd"), _hex_table("30-39 41-46 61-66 FF10-FF19 FF21-FF26 FF41-FF46"))


def _noncharacters() -> Ranges:
    planes = ((plane << 16 | 0xFFFE, plane << 16 | 0xFFFF) for plane in range(17))
    return normalize(itertools.chain([(0xFDD0, 0xFDEF)], planes))


def _word() -> Ranges:
    return union(_alphabetic(), _category("Mn", "Me", "Mc", "Nd", "Pc"), _ranges((0x200C, 0x200D)))


def _case_property(plain: Callable[[], Ranges]) -> Callable[[bool], Ranges]:
    return lambda ignore_case: _any_case() if ignore_case else plain()


def _fixed(build: Callable[[], Ranges]) -> Callable[[bool], Ranges]:
    return lambda _ignore_case: build()


# java.util.regex.CharPredicates.forUnicodeProperty: names after "Is", upper-cased.  The
# Unicode (not ASCII) POSIX variants are reached only through this "Is" spelling.
_UNICODE_PROPERTIES: Final[dict[str, Callable[[bool], Ranges]]] = {
    "ALPHABETIC": _fixed(_alphabetic),
    "ALPHA": _fixed(_alphabetic),
    "ASSIGNED": _fixed(lambda: complement(_category("Cn"))),
    "CONTROL": _fixed(lambda: _category("Cc")),
    "CNTRL": _fixed(lambda: _category("Cc")),
    "HEXDIGIT": _fixed(_hex_digit),
    "HEX_DIGIT": _fixed(_hex_digit),
    "XDIGIT": _fixed(_hex_digit),
    "IDEOGRAPHIC": _fixed(lambda: _hex_table(_IDEOGRAPHIC)),
    "JOINCONTROL": _fixed(lambda: _ranges((0x200C, 0x200D))),
    "JOIN_CONTROL": _fixed(lambda: _ranges((0x200C, 0x200D))),
    "LETTER": _fixed(_letters),
    "LOWERCASE": _case_property(_lowercase),
    "LOWER": _case_property(_lowercase),
    "UPPERCASE": _case_property(_uppercase),
    "UPPER": _case_property(_uppercase),
    "TITLECASE": _case_property(lambda: _category("Lt")),
    "NONCHARACTERCODEPOINT": _fixed(_noncharacters),
    "NONCHARACTER_CODE_POINT": _fixed(_noncharacters),
    "PUNCTUATION": _fixed(lambda: _category("Pd", "Ps", "Pe", "Pc", "Po", "Pi", "Pf")),
    "PUNCT": _fixed(lambda: _category("Pd", "Ps", "Pe", "Pc", "Po", "Pi", "Pf")),
    "WHITESPACE": _fixed(_white_space),
    "WHITE_SPACE": _fixed(_white_space),
    "SPACE": _fixed(_white_space),
    "WORD": _fixed(_word),
    "ALNUM": _fixed(lambda: union(_alphabetic(), _category("Nd"))),
    "DIGIT": _fixed(lambda: _category("Nd")),
    "BLANK": _fixed(_blank),
    "GRAPH": _fixed(_graph),
    "PRINT": _fixed(lambda: difference(union(_graph(), _blank()), _category("Cc"))),
}

_GENERAL_CATEGORIES: Final = frozenset(
    [
        "Cc", "Cf", "Cn", "Co", "Cs", "Ll", "Lm", "Lo", "Lt", "Lu", "Mc", "Me", "Mn", "Nd", "Nl",
        "No", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So", "Zl", "Zp", "Zs",
    ]
)

# Java's one- and two-letter category groups.  Note that Java's C includes unassigned (Cn).
_CATEGORY_GROUPS: Final[dict[str, frozenset[str]]] = {
    "L": frozenset({"Lu", "Ll", "Lt", "Lm", "Lo"}),
    "M": frozenset({"Mn", "Me", "Mc"}),
    "N": frozenset({"Nd", "Nl", "No"}),
    "Z": frozenset({"Zs", "Zl", "Zp"}),
    "C": frozenset({"Cc", "Cf", "Co", "Cs", "Cn"}),
    "P": frozenset({"Pd", "Ps", "Pe", "Pc", "Po", "Pi", "Pf"}),
    "S": frozenset({"Sm", "Sc", "Sk", "So"}),
    "LC": frozenset({"Lu", "Ll", "Lt"}),
    "LD": frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"}),
}

# Java's POSIX names are ASCII-only by default (no UNICODE_CHARACTER_CLASS flag).
_ASCII_ALPHA: Final = _ranges((0x41, 0x5A), (0x61, 0x7A))
_ASCII_CLASSES: Final[dict[str, Ranges]] = {
    "L1": _ranges((0x00, 0xFF)),
    "all": _EVERYTHING,
    "ASCII": _ranges((0x00, 0x7F)),
    "Alnum": _ranges((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "Alpha": _ASCII_ALPHA,
    "Blank": _ranges((0x09, 0x09), (0x20, 0x20)),
    "Cntrl": _ranges((0x00, 0x1F), (0x7F, 0x7F)),
    "Digit": _ranges((0x30, 0x39)),
    "Graph": _ranges((0x21, 0x7E)),
    "Lower": _ranges((0x61, 0x7A)),
    "Print": _ranges((0x20, 0x7E)),
    "Punct": _ranges((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "Space": _ranges((0x09, 0x0D), (0x20, 0x20)),
    "Upper": _ranges((0x41, 0x5A)),
    "XDigit": _ranges((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}

# Java's predefined classes are ASCII-only; Python's are Unicode-aware in str patterns.
_ESCAPE_CLASSES: Final[dict[str, Ranges]] = {
    "d": _ranges((0x30, 0x39)),
    "w": _ranges((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "s": _ranges((0x09, 0x0D), (0x20, 0x20)),
    "h": _ranges(
        (0x09, 0x09), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E),
        (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
    ),
    # Java 8+ \v is vertical whitespace, not ECMA's lone U+000B.
    "v": _ranges((0x0A, 0x0D), (0x85, 0x85), (0x2028, 0x2029)),
}


def _general_property(name: str, ignore_case: bool) -> Ranges | None:
    """CharPredicates.forProperty: categories, Java groups and the ASCII POSIX classes."""
    if ignore_case and name in ("Lu", "Ll", "Lt"):
        return _category("Lu", "Ll", "Lt")
    if name in _GENERAL_CATEGORIES:
        return _category(name)
    if name in _CATEGORY_GROUPS:
        return _categories(_CATEGORY_GROUPS[name])
    if ignore_case and name in ("Lower", "Upper"):
        return _ASCII_ALPHA
    return _ASCII_CLASSES.get(name)


@functools.cache
def _java_property(name: str, ignore_case: bool) -> Ranges | None:
    """The set named by ``\\p{name}``, resolved in the order Pattern.family() uses."""
    key, equals, value = name.partition("=")
    if equals:
        if key.lower() in ("gc", "general_category"):
            return _general_property(value, ignore_case)
        return None  # script= and block= need data unicodedata does not have
    if name.startswith("In"):
        return None  # Unicode blocks: not available from unicodedata
    if name.startswith("Is"):
        unicode_property = _UNICODE_PROPERTIES.get(name[2:].upper())
        if unicode_property is not None:
            return unicode_property(ignore_case)
        return _general_property(name[2:], ignore_case)
    return _general_property(name, ignore_case)


# --------------------------------------------------------------------------- emitting Python


_CLASS_SPECIAL: Final = frozenset("\\]^-[&~|")  # `&& ~~ || --` and `[` warn in Python sets
_LITERAL_SPECIAL: Final = frozenset("\\.^$*+?{}[]|()")
_NAMED_CONTROLS: Final = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_VISIBLE_CATEGORIES: Final = frozenset("LNSP")
_ANY_CHAR: Final = "(?s:.)"  # a listed \\x00-\\U0010ffff is slow to compile and to generate from
_NO_CHAR: Final = "(?!)"


def _char_code(code_point: int, special: frozenset[str]) -> str:
    """One code point as Python pattern text.

    Visible BMP characters (letters, digits, symbols, punctuation) are written as themselves:
    Unicode classes get ~2x shorter and Python's re parses them ~1/3 faster.  Anything
    invisible or combining (marks, spaces, controls, format, unassigned, private use,
    surrogates), astral characters (often missing from fonts) and U+FFFD (reads as a decoding
    error) are escaped so the pattern text stays unambiguous."""
    if code_point in _NAMED_CONTROLS:
        return _NAMED_CONTROLS[code_point]
    if code_point >= 0x80:
        char = chr(code_point)
        if code_point < 0xFFFD and unicodedata.category(char)[0] in _VISIBLE_CATEGORIES:
            return char
        return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"
    char = chr(code_point)
    if char in special:
        return "\\" + char
    return char if char.isprintable() else f"\\x{code_point:02x}"


def _literal(code_point: int) -> str:
    return _char_code(code_point, _LITERAL_SPECIAL)


def _range_code(low: int, high: int) -> str:
    first = _char_code(low, _CLASS_SPECIAL)
    if high == low:
        return first
    separator = "" if high == low + 1 else "-"
    return first + separator + _char_code(high, _CLASS_SPECIAL)


def _size(ranges: Ranges) -> int:
    return sum(high - low + 1 for low, high in ranges)


@functools.cache
def _emit_class(ranges: Ranges, negated: bool, folds_case: bool) -> str:
    """A Python atom for the set (or its complement when ``negated``).

    Without case folding ``[S]`` and ``[^complement(S)]`` mean the same, so the form listing fewer
    code points is written: Python's re compiler and Hypothesis's ``from_regex`` walk every listed
    code point, which makes a listed ``\\x00-\\U0010ffff`` cost seconds.  Under case folding Python
    folds the listed set before negating it, as Java does, so the pattern's own polarity is kept."""
    if not folds_case:
        if negated:
            ranges, negated = complement(ranges), False
        others = complement(ranges)
        if _size(others) < _size(ranges):
            ranges, negated = others, True
    if ranges == _EVERYTHING:
        return _NO_CHAR if negated else _ANY_CHAR
    if not ranges:
        return _ANY_CHAR if negated else _NO_CHAR
    if not negated and len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _literal(ranges[0][0])
    body = "".join(_range_code(low, high) for low, high in ranges)
    return f"[^{body}]" if negated else f"[{body}]"


# --------------------------------------------------------------------------- flags and anchors


@dataclass(frozen=True)
class _Flags:
    ignore_case: bool = False
    unicode_case: bool = False
    dotall: bool = False
    multiline: bool = False
    unix_lines: bool = False

    @property
    def case_mode(self) -> str:
        if not self.ignore_case:
            return "none"
        return "unicode" if self.unicode_case else "ascii"


# Python scoped groups reproducing Java's case modes; Java's plain (?i) folds ASCII only.
_CASE_SCOPES: Final = {"none": "(?-i:", "ascii": "(?ai:", "unicode": "(?ui:"}
_FLAG_FIELDS: Final = {
    "i": "ignore_case", "u": "unicode_case", "s": "dotall", "m": "multiline", "d": "unix_lines",
}

# Java line terminators; Python's `.`, `^`, `$` only know "\n".
_LINE_TERMINATORS: Final = _ranges((0x0A, 0x0A), (0x0D, 0x0D), (0x85, 0x85), (0x2028, 0x2029))
_UNIX_TERMINATORS: Final = _ranges((0x0A, 0x0A))

# Java `$`: end of input, or before a final line terminator ("\r\n" counts as one, and
# there is no match between its "\r" and "\n").  Each entry is one atom so quantifiers apply.
_DOLLAR: Final = {
    (False, False): "(?:(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?\\Z)(?!(?<=\\r)\\n))",
    (True, False): "(?:(?=[\\r\\u0085\\u2028\\u2029]|\\Z)|(?<!\\r)(?=\\n))",
    (False, True): "(?=\\n?\\Z)",
    (True, True): "(?=\\n|\\Z)",
}
# Java multiline `^` never matches at the very end of input, even after a line terminator.
_CARET: Final = {
    (False, False): "^",
    (True, False): "(?:(?!\\Z)(?:\\A|(?<=[\\n\\u0085\\u2028\\u2029])|(?<=\\r)(?!\\n)))",
    (False, True): "^",
    (True, True): "(?:(?!\\Z)(?:\\A|(?<=\\n)))",
}
_ANCHORS: Final = frozenset(
    [*_DOLLAR.values(), *_CARET.values(), "\\A", "\\Z", "(?a:\\b)", "(?a:\\B)"]
)
_EMPTY_ATOM: Final = "(?:)"
_LINEBREAK: Final = "(?:\\r\\n|(?!\\r\\n)[\\n\\x0b\\x0c\\r\\u0085\\u2028\\u2029])"  # \R is atomic

_INLINE_FLAGS: Final = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_COUNTED: Final = re.compile(r"\{([0-9]+)(?:(,)([0-9]*))?\}")  # Java: ASCII digits only
_GROUP_NAME: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_OCTAL: Final = frozenset("01234567")
_ASCII_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_CLASS_ESCAPES: Final = frozenset("dDwWsShHvVpP")


def _quote_char(char: str) -> str:
    if char.isdigit() and char.isascii():
        return f"\\x3{char}"  # a bare digit could extend a preceding escape such as \1 or \0
    if char.isascii() and not char.isalpha():
        return "\\" + char
    return char


def _remove_quoting(pattern: str) -> str:
    """Rewrite ``\\Q...\\E`` into escaped literals first, as Java's RemoveQEQuoting does."""
    if "\\Q" not in pattern:
        return pattern
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] != "\\" or index + 1 >= len(pattern):
            out.append(pattern[index])
            index += 1
        elif pattern[index + 1] != "Q":
            out.append(pattern[index : index + 2])
            index += 2
        else:
            end = pattern.find("\\E", index + 2)
            stop = len(pattern) if end < 0 else end
            out.extend(_quote_char(char) for char in pattern[index + 2 : stop])
            index = stop + 2
    return "".join(out)


# --------------------------------------------------------------------------- the parser


class _Parser:
    """Recursive descent over Java regex syntax, emitting Python ``re`` syntax."""

    def __init__(self, pattern: str) -> None:
        self.original = pattern
        self.src = _remove_quoting(pattern)
        self.pos = 0
        self.groups_opened = 0
        self.group_names: set[str] = set()
        # Lookbehind width and backreferences are the only output Python may still reject.
        self.needs_compile_check = False

    def error(self, message: str) -> PatternTranslationError:
        return PatternTranslationError(f"{message} at index {self.pos} of pattern {self.original!r}")

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.src[index : index + 1]  # "" past the end

    def accept(self, text: str) -> bool:
        if self.src.startswith(text, self.pos):
            self.pos += len(text)
            return True
        return False

    def parse(self) -> str:
        flags = _Flags()
        text, _ = self.alternation(flags, flags.case_mode)
        if self.pos < len(self.src):
            raise self.error("unmatched ')'")
        if self.needs_compile_check:
            try:
                re.compile(text)
            except re.error as exc:
                raise self.error(f"Python re cannot express this ({exc})") from exc
        return text

    # ---- structure

    def alternation(self, flags: _Flags, scope: str) -> tuple[str, _Flags]:
        """Branches share flags: a (?i) in one branch stays on for the following ones (Java)."""
        branches: list[str] = []
        while True:
            branch, flags = self.sequence(flags, scope)
            branches.append(branch)
            if not self.accept("|"):
                return "|".join(branches), flags

    def sequence(self, flags: _Flags, scope: str) -> tuple[str, _Flags]:
        """Atoms up to `|` or `)`; ``scope`` is the case mode the emitted text runs under."""
        if flags.case_mode != scope:
            # Python only allows global flags at the start, so scope the rest of the branch.
            inner, end_flags = self.sequence(flags, flags.case_mode)
            return _CASE_SCOPES[flags.case_mode] + inner + ")", end_flags
        items: list[str] = []
        while self.peek() not in ("", "|", ")"):
            inline = self.inline_flags(flags) if self.peek() == "(" else None
            if inline is not None:
                rest, flags = self.sequence(inline, scope)
                items.append(rest)
                break
            items.append(self.quantified(self.atom(flags)))
        return "".join(items), flags

    def inline_flags(self, flags: _Flags) -> _Flags | None:
        """Consume a flags-only group such as ``(?i)`` or ``(?s-i)``; None if there is none."""
        match = _INLINE_FLAGS.match(self.src, self.pos)
        if match is None or match.group(3) != ")":
            return None
        self.pos = match.end()
        return self.apply_flags(flags, match.group(1), match.group(2) or "")

    def apply_flags(self, flags: _Flags, on: str, off: str) -> _Flags:
        changes: dict[str, bool] = {}
        for letters, value in ((on, True), (off, False)):
            for letter in letters:
                if letter not in _FLAG_FIELDS:
                    raise self.error(f"unsupported inline flag {letter!r}")
                changes[_FLAG_FIELDS[letter]] = value
        return replace(flags, **changes)

    def quantified(self, atom: str) -> str:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.pos += 1
            quantifier, minimum = char, int(char == "+")
        elif char == "{":
            quantifier, minimum = self.counted()
        else:
            return atom
        if self.peek() in ("?", "+"):  # lazy / possessive
            quantifier += self.peek()
            self.pos += 1
        if atom == _EMPTY_ATOM:
            return ""
        if atom in _ANCHORS:
            # Java accepts quantified anchors (`${2,64}`): repeating an assertion at one position
            # asserts it once, and a repetition that may run zero times asserts nothing.
            return atom if minimum else ""
        return atom + quantifier

    def counted(self) -> tuple[str, int]:
        match = _COUNTED.match(self.src, self.pos)
        if match is None:
            raise self.error("illegal repetition")
        low, comma, high = match.groups()
        if int(low) > _JAVA_MAX_REPEAT or (high and int(high) > _JAVA_MAX_REPEAT):
            raise self.error("repetition count too large")
        if high and int(high) < int(low):
            raise self.error("illegal repetition range")
        self.pos = match.end()
        return "{" + low + (comma or "") + (high or "") + "}", int(low)

    def atom(self, flags: _Flags) -> str:
        char = self.peek()
        if char == "(":
            return self.group(flags)
        if char == "\\":
            return self.escape_atom(flags)
        if char in ("*", "+", "?"):
            raise self.error(f"dangling meta character {char!r}")
        if char == "{":
            return _EMPTY_ATOM  # Java applies a counted closure with nothing before it to ""
        self.pos += 1
        if char == "[":
            ranges, negated = self.bracket(flags)
            return _emit_class(ranges, negated, flags.ignore_case)
        if char == ".":
            terminators = _EMPTY if flags.dotall else self.terminators(flags)
            return _emit_class(terminators, True, flags.ignore_case)
        if char == "^":
            return _CARET[flags.multiline, flags.unix_lines]
        if char == "$":
            return _DOLLAR[flags.multiline, flags.unix_lines]
        return _literal(ord(char))

    @staticmethod
    def terminators(flags: _Flags) -> Ranges:
        return _UNIX_TERMINATORS if flags.unix_lines else _LINE_TERMINATORS

    def group(self, flags: _Flags) -> str:
        opener, inner_flags = self.group_opener(flags)
        body, _ = self.alternation(inner_flags, flags.case_mode)
        if not self.accept(")"):
            raise self.error("unclosed group")
        return opener + body + ")"  # flags set inside end with the group, as in Java

    def group_opener(self, flags: _Flags) -> tuple[str, _Flags]:
        self.pos += 1
        if not self.accept("?"):
            self.groups_opened += 1
            return "(", flags
        for head in ("=", "!", ">", "<=", "<!"):
            if self.accept(head):
                self.needs_compile_check |= head.startswith("<")
                return "(?" + head, flags
        if self.accept("<"):
            return self.named_group_opener(), flags
        match = _INLINE_FLAGS.match(self.src, self.pos - 2)
        if match is None:
            raise self.error("unknown group type")
        self.pos = match.end()
        return "(?:", self.apply_flags(flags, match.group(1), match.group(2) or "")

    def named_group_opener(self) -> str:
        match = _GROUP_NAME.match(self.src, self.pos)
        if match is None or not self.src.startswith(">", match.end()):
            raise self.error("bad named group")
        name = match.group()
        if name in self.group_names:
            raise self.error(f"duplicate group name {name!r}")
        self.group_names.add(name)
        self.groups_opened += 1
        self.pos = match.end() + 1
        return f"(?P<{name}>"

    # ---- escapes

    def escape_atom(self, flags: _Flags) -> str:
        letter = self.peek(1)
        if letter in _CLASS_ESCAPES:
            ranges, negated = self.class_escape(flags)
            return _emit_class(ranges, negated, flags.ignore_case)
        simple = {"A": "\\A", "z": "\\Z", "Z": _DOLLAR[False, flags.unix_lines], "R": _LINEBREAK}
        if letter in simple:
            self.pos += 2
            return simple[letter]
        if letter in ("b", "B"):
            if self.peek(2) == "{":
                raise self.error("\\b{...} boundaries are not supported")
            self.pos += 2
            return f"(?a:\\{letter})"  # Java's (JDK 19+) and ECMA's \b use ASCII word chars
        if letter == "k":
            return self.named_backreference()
        if letter and letter in "123456789":
            return self.backreference()
        if letter in ("G", "X"):
            raise self.error(f"\\{letter} has no Python equivalent")
        return _literal(self.char_escape(in_class=False))

    def backreference(self) -> str:
        """Java reads further digits only while they still name an opened group."""
        number = int(self.peek(1))
        self.pos += 2
        while self.peek().isdigit() and self.peek().isascii():
            candidate = number * 10 + int(self.peek())
            if candidate > self.groups_opened:
                break
            number = candidate
            self.pos += 1
        if number > self.groups_opened:
            return "(?!)"  # the group has not captured (and may not exist): Java fails here
        if number > 99:
            raise self.error("Python supports backreferences up to \\99")
        self.needs_compile_check = True
        return f"(?:\\{number})"  # the group keeps a following literal digit out of the number

    def named_backreference(self) -> str:
        self.pos += 2
        match = _GROUP_NAME.match(self.src, self.pos + 1)
        if self.peek() != "<" or match is None or not self.src.startswith(">", match.end()):
            raise self.error("bad named backreference")
        if match.group() not in self.group_names:
            raise self.error(f"named group {match.group()!r} does not exist")
        self.pos = match.end() + 1
        self.needs_compile_check = True
        return f"(?P={match.group()})"

    def class_escape(self, flags: _Flags) -> tuple[Ranges, bool]:
        """``\\d \\w \\s \\h \\v \\p{..}`` and negations, as (set, negated)."""
        letter = self.peek(1)
        self.pos += 2
        if letter not in ("p", "P"):
            return _ESCAPE_CLASSES[letter.lower()], letter.isupper()
        name = self.property_name()
        ranges = _java_property(name, flags.ignore_case)
        if ranges is None:
            raise self.error(f"unsupported character property \\{letter}{{{name}}}")
        return ranges, letter == "P"

    def property_name(self) -> str:
        if not self.accept("{"):
            name = self.peek()
            if not name:
                raise self.error("incomplete \\p escape")
            self.pos += 1
            return name
        end = self.src.find("}", self.pos)
        if end <= self.pos:
            raise self.error("unclosed or empty character family")
        name = self.src[self.pos : end]
        self.pos = end + 1
        return name

    def char_escape(self, in_class: bool) -> int:
        """An escape denoting one code point; ``pos`` is at the backslash."""
        letter = self.peek(1)
        if not letter:
            raise self.error("trailing backslash")
        self.pos += 2
        simple = {"t": 0x09, "n": 0x0A, "r": 0x0D, "f": 0x0C, "a": 0x07, "e": 0x1B}
        if letter in simple:
            return simple[letter]
        readers: dict[str, Callable[[], int]] = {
            "0": self.octal, "x": self.hex_escape, "u": self.unicode_escape,
            "c": self.control_escape, "N": self.named_char,
        }
        if letter in readers:
            return readers[letter]()
        if letter in _ASCII_ALNUM:
            where = " in a character class" if in_class else ""
            raise self.error(f"illegal/unsupported escape \\{letter}{where}")
        return ord(letter)  # any other escaped character stands for itself

    def octal(self) -> int:
        digits = ""
        while len(digits) < 3 and self.peek() in _OCTAL and self.peek():
            if len(digits) == 2 and digits[0] > "3":
                break  # Java takes a third digit only when the value stays <= 0377
            digits += self.peek()
            self.pos += 1
        if not digits:
            raise self.error("illegal octal escape")
        return int(digits, 8)

    def hex_escape(self) -> int:
        if self.accept("{"):
            end = self.src.find("}", self.pos)
            digits = self.src[self.pos : end] if end >= 0 else ""
            if not digits or any(char not in _HEX for char in digits):
                raise self.error("illegal hexadecimal escape")
            self.pos = end + 1
            value = int(digits, 16)
            if value > MAX_CODE_POINT:
                raise self.error("hexadecimal code point is too big")
            return value
        return self.hex_digits(2)

    def hex_digits(self, count: int) -> int:
        digits = self.src[self.pos : self.pos + count]
        if len(digits) != count or any(char not in _HEX for char in digits):
            raise self.error("illegal hexadecimal/unicode escape")
        self.pos += count
        return int(digits, 16)

    def unicode_escape(self) -> int:
        """``\\uXXXX``; a high surrogate followed by a ``\\u`` low surrogate is one code point."""
        value = self.hex_digits(4)
        if 0xD800 <= value <= 0xDBFF and self.src.startswith("\\u", self.pos):
            saved = self.pos
            self.pos += 2
            low = self.hex_digits(4) if len(self.src) >= self.pos + 4 else -1
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            self.pos = saved
        return value

    def control_escape(self) -> int:
        char = self.peek()
        if not char:
            raise self.error("illegal control escape")
        self.pos += 1
        return ord(char) ^ 64  # Java's rule; ECMA differs only for lower-case letters

    def named_char(self) -> int:
        end = self.src.find("}", self.pos)
        if not self.accept("{") or end < 0:
            raise self.error("bad \\N{name} escape")
        name = self.src[self.pos : end]
        self.pos = end + 1
        try:
            return ord(unicodedata.lookup(name.strip()))
        except KeyError as exc:
            raise self.error(f"unknown character name {name!r}") from exc

    # ---- character classes

    def bracket(self, flags: _Flags) -> tuple[Ranges, bool]:
        """A ``[...]`` class after its ``[``: (set, negated).  ``^`` negates the whole class
        including nested classes and intersections, as in JDK 9+."""
        negated = self.accept("^")
        result = self.class_union(flags, leading=True)
        while self.accept("&&"):
            right = self.class_union(flags, leading=False)
            if result is None:
                result = right
            elif right is not None:
                result = intersect(result, right)
        if not self.accept("]"):
            raise self.error("unclosed character class")
        if result is None:
            raise self.error("bad class syntax")
        return result, negated

    def class_union(self, flags: _Flags, leading: bool) -> Ranges | None:
        """Items up to ``]`` or ``&&``.  A ``]`` before any item is a literal (Java)."""
        parts: list[Ranges] = []
        while True:
            char = self.peek()
            if not char:
                raise self.error("unclosed character class")
            if (char == "]" and (parts or not leading)) or self.src.startswith("&&", self.pos):
                return union(*parts) if parts else None
            if char == "[":
                self.pos += 1
                inner, negated = self.bracket(flags)
                parts.append(complement(inner) if negated else inner)
            else:
                parts.append(self.class_item(flags))

    def class_item(self, flags: _Flags) -> Ranges:
        """A character, a range ``a-z``, or a class escape.  After a class escape such as
        ``\\w`` a ``-`` cannot start a range, so Java reads it as a literal."""
        if self.peek() == "\\" and self.peek(1) in _CLASS_ESCAPES:
            ranges, negated = self.class_escape(flags)
            return complement(ranges) if negated else ranges
        low = self.class_char()
        if self.peek() == "-" and self.peek(1) not in ("", "]", "["):
            self.pos += 1
            if self.peek() == "\\" and self.peek(1) in _CLASS_ESCAPES:
                raise self.error("illegal character range")
            high = self.class_char()
            if high < low:
                raise self.error("illegal character range")
            return ((low, high),)
        return ((low, low),)

    def class_char(self) -> int:
        if self.peek() == "\\":
            return self.char_escape(in_class=True)
        char = self.peek()
        self.pos += 1
        return ord(char)


def translate_pattern(pattern: str) -> str:
    """Python `re` source with the same meaning as the AWS (ECMA-262/Java) pattern; raises
    PatternTranslationError if it cannot.

    Rules (Java semantics, search/unanchored matching preserved):

    * ``\\p{..}``/``\\P{..}`` (categories, Java groups L M N Z C P S LC LD, L1, all, ASCII
      POSIX names, ``Is``-prefixed Unicode properties, ``gc=``) become explicit code-point
      classes computed from ``unicodedata``; inside a class ``\\P{..}`` is its complement.
    * ``\\d \\w \\s \\h \\v`` (and negations) are Java's ASCII/horizontal/vertical sets.
    * ``[...]`` classes are evaluated as sets: nested classes are unions, ``&&`` intersects,
      a ``-`` after a class escape (``[\\w- ]``) or before ``]`` is literal, a leading ``]``
      is literal, ``^`` negates the whole class.
    * ``\\uD83D\\uDE00`` surrogate-pair escapes are one astral code point (also as range ends).
    * ``\\x{h..h}``, ``\\0ooo`` octal, ``\\cX``, ``\\e``, ``\\a``, ``\\N{NAME}`` become literals;
      ``\\Q..\\E`` quotes.
    * ``.`` excludes Java's line terminators (``\\n \\r \\u0085 \\u2028 \\u2029``) unless ``s``.
    * ``$`` and ``\\Z`` match at the end or before a final line terminator (any of Java's,
      ``\\r\\n`` as one); ``\\z`` becomes ``\\Z``; ``\\b``/``\\B`` use ASCII word characters.
    * Inline flags ``i s m u d`` anywhere in the pattern apply to the rest of the enclosing
      group (all later branches included), emitted as scoped ``(?ai:..)``/``(?-i:..)`` groups.
    * ``(?m)`` ``^``/``$`` use Java's line terminators; ``\\R`` is Java's linebreak matcher.
    * ``(?<name>..)`` becomes ``(?P<name>..)``, ``\\k<name>`` becomes ``(?P=name)``; numbered
      backreferences take as many digits as name an already opened group, as in Java.
    * A counted quantifier with no atom (``x{11}{0,1011}``, ``{2}`` at the start) repeats the
      empty string and is dropped; a quantified anchor (``${2,64}``) is the anchor itself, or
      nothing when the minimum is 0, as in Java.
    """
    return _translate(pattern)


def whole_value_pattern(pattern: str) -> str:
    """Python `re` source that a value matches (with `re.search`, as JSON Schema's `pattern` applies) exactly
    when the AWS pattern matches the WHOLE value, as AWS services apply their patterns (Java's
    `Pattern.matches`): DynamoDB refuses the table name `"smart-dcb-messages"` (quotes included) for
    `[a-zA-Z0-9_.-]+` (aws-cli issue 790), CloudFormation the stack name `serverlessTest.-dev` for
    `[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*` (serverless issue 2036), though each holds a match.
    The translation is wrapped, not changed: ``\\A(?:...)\\Z``."""
    return _whole_value(pattern)


@functools.lru_cache(maxsize=16384)
def _whole_value(pattern: str) -> str:
    return rf"\A(?:{_translate(pattern)})\Z"


@functools.lru_cache(maxsize=16384)
def _translate(pattern: str) -> str:
    # Models reuse patterns heavily (botocore 1.44: 10,093 uses, 4,994 distinct strings).
    return _Parser(pattern).parse()


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``re.compile(translate_pattern(pattern))``, cached per AWS pattern string."""
    try:
        return re.compile(translate_pattern(pattern))
    except re.error as exc:
        raise PatternTranslationError(f"{pattern!r}: {exc}") from exc
