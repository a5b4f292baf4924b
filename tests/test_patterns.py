"""Tests for conformance.spec.patterns: AWS model patterns (Java regex) as Python ``re``."""

from __future__ import annotations

import collections
import functools
import re
import unicodedata
import warnings
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.spec.patterns import PatternTranslationError, compile_pattern, translate_pattern
from tests.botocore_models import fast_loader

# --------------------------------------------------------------------------- the botocore corpus


@functools.lru_cache(maxsize=1)
def botocore_patterns() -> dict[str, list[str]]:
    """Every string-shape pattern of every botocore service model -> ["service.Shape", ...]."""
    loader = fast_loader()
    uses: dict[str, list[str]] = collections.defaultdict(list)
    for service in loader.list_available_services("service-2"):
        model = loader.load_service_model(service, "service-2")
        for shape_name, shape in model["shapes"].items():
            if shape.get("type") == "string" and "pattern" in shape:
                uses[shape["pattern"]].append(f"{service}.{shape_name}")
    return dict(uses)


def _raw_failure_reasons(patterns: dict[str, list[str]]) -> collections.Counter[str]:
    """How many pattern uses Python's ``re`` rejects as written, grouped by error message."""
    reasons: collections.Counter[str] = collections.Counter()
    for pattern, uses in patterns.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                re.compile(pattern)
        except re.error as exc:
            reasons[re.sub(r" at position \d+", "", exc.msg)] += len(uses)
    return reasons


def test_every_botocore_pattern_translates_and_compiles() -> None:
    patterns = botocore_patterns()
    uses = sum(len(shapes) for shapes in patterns.values())
    raw_failures = _raw_failure_reasons(patterns)
    translated: dict[str, str] = {}
    failures: dict[str, str] = {}
    for pattern, shapes in patterns.items():
        try:
            translated[pattern] = translate_pattern(pattern)
        except PatternTranslationError as exc:
            failures[shapes[0]] = str(exc)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FutureWarning "possible nested set" etc. count too
        for pattern in translated:
            compile_pattern(pattern)

    summary = "; ".join(f"{count} x {reason}" for reason, count in raw_failures.most_common())
    print(f"\n{uses} pattern uses ({len(patterns)} distinct); re rejects {sum(raw_failures.values())}"
          f" as written ({summary}); {len(failures)} failures")
    assert not failures
    assert sum(raw_failures.values()) > 0  # the corpus still exercises the translation


def test_output_is_free_of_invisible_raw_characters() -> None:
    """Marks, spaces, controls, format and unassigned characters are always escaped."""
    for pattern in ("[\\P{L}]", "\\P{C}", "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF]"):
        for char in translate_pattern(pattern):
            assert char.isascii() or unicodedata.category(char)[0] in "LNSP", (pattern, char)


# --------------------------------------------------------------------------- translation rules


class Case(NamedTuple):
    """``pattern`` must fully match every string in ``full`` and no string in ``not_full``;
    ``search`` / ``no_search`` check the unanchored (Smithy) meaning."""

    pattern: str
    full: tuple[str, ...] = ()
    not_full: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    no_search: tuple[str, ...] = ()


GLUE = "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*"

CASES: dict[str, Case] = {
    # UTF-16 surrogate pairs: \uD800\uDC00-\uDBFF\uDFFF is every astral code point.
    "glue.CatalogIdString: surrogate-pair range": Case(
        GLUE, full=("abc😀", "日本\t", "\U0010ffff", ""), not_full=("a\nb", "\x00", "\ufffe", "\ud800"),
    ),
    "surrogate pair outside a class is one character": Case(
        "^\\uD83D\\uDE00$", full=("😀",), not_full=("\ud83d\ude00", "😁"),
    ),
    "lone surrogate escape stays a single code unit": Case("[\\uD800-\\uDBFF]", full=("\ud83d",)),
    # \p{..} / \P{..} as explicit code-point classes.
    "synthetic: [\\p{L}]+": Case("[\\p{L}]+", full=("é", "日本", "Ωmega"), not_full=("1", "_", "e\u0301")),
    "synthetic: \\P{L}": Case("\\P{L}", full=("1", " ", "\u0301"), not_full=("a", "日")),
    "acm.TagKey: \\p{L}\\p{Z}\\p{N} in a class": Case(
        "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)", full=("Key 1", "é\u3000٣", "a-b@c"), not_full=("a#b", "a\tb"),
    ),
    "bedrock-agent-runtime.DocumentAclGroupIdString: ^\\P{C}*$ (Java C includes unassigned)": Case(
        "^\\P{C}*$", full=("abc", "日本 語", ""), not_full=("a\x00b", "\u0378", "\u200b", "\ue000"),
    ),
    "codeartifact.PolicyDocument: \\P{C} inside a class": Case(
        "[\\P{C}\\s]+", full=("{\n\t\"a\": 1\r\n}", "é"), not_full=("\x00", "\u200b"),
    ),
    "codeartifact.PackageGroupPattern: \\p{IsWhitespace} negated": Case(
        "[^\\p{C}\\p{IsWhitespace}]+", full=("/npm/a*",), not_full=("a b", "a\u2003b", "a\u0085b"),
    ),
    "quicksight.SpaceDescription: Java \\v is vertical whitespace": Case(
        "[\\P{C}\\n\\r\\t\\f\\v\\p{Cf}]*", full=("x\x0by", "\x85", "\u200b", "\u2028"), not_full=("\x00",),
    ),
    "healthlake.BoundedLengthString: [\\P{M}\\p{M}] is everything": Case(
        "[\\P{M}\\p{M}]{1,5000}", full=("a\u0301", "\n", "\x00"), not_full=("",),
    ),
    "cleanrooms.SnowflakeAccountIdentifier: \\p{Pc}\\p{Pd}\\p{Zs}": Case(
        "[\\p{L}\\p{M}\\p{N}\\p{Pc}\\p{Pd}\\p{Zs}.]+", full=("a_b-c d.e", "a\u203fb", "x\u2014y"),
        not_full=("a/b", "a\tb"),
    ),
    "quicksight.OAuthClientApplicationId: \\p{Cc}": Case(
        "[^/][^\\p{Cc}]*", full=("app\u200bid",), not_full=("a\x7fb", "/ab"),
    ),
    "es.GUID: \\p{XDigit} is ASCII": Case(
        "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}",
        full=("0123abcd-ABCD-0000-ffff-0123456789ab",), not_full=("0123abcd-ABCD-0000-ffff-0123456789a٣",),
    ),
    "application-autoscaling.PolicyName: \\p{Print} is ASCII": Case(
        "\\p{Print}+", full=("my policy~",), not_full=("é", "a\tb"),
    ),
    "iot.AuditDescription: \\p{Graph}": Case("[\\p{Graph}\\x20]*", full=("a b!",), not_full=("a\tb", "é")),
    "iot.VerificationStateDescription: \\p{Cntrl} negated": Case(
        "[^\\p{Cntrl}]*", full=("é ok",), not_full=("a\x1fb", "\x7f"),
    ),
    "comprehend.KmsKeyId: \\p{ASCII}": Case("^\\p{ASCII}+$", full=("\x00~\x7f",), not_full=("é",)),
    "migration-hub-refactor-spaces.ErrorMessage: \\p{Alnum}\\p{Punct}\\p{Blank}": Case(
        "^[\\p{Alnum}\\p{Punct}\\p{Blank}]*$", full=("Err: bad\tvalue!",), not_full=("é", "a\nb\n"),
    ),
    "iot.ReasonCode: \\p{Upper}\\p{Digit}": Case("[\\p{Upper}\\p{Digit}_]+", full=("AB_1",), not_full=("Ab", "Ä")),
    "ds.TrustPassword: \\p{LD} (letter or decimal digit)": Case(
        "^(\\p{LD}|\\p{Punct}| )+$", full=("pässwörd 1!", "٣"), not_full=("a\tb", "½"),
    ),
    "dlm.StatusMessage: \\p{all}": Case("[\\p{all}]*", full=("\x00\n\U0010ffff",)),
    "synthetic (workspaces-thin-client.EnvironmentName, anchored): \\p{IsAlphabetic}": Case(
        "^[0-9\\p{IsAlphabetic}+:,.@'\" -][0-9\\p{IsAlphabetic}+=:,.@'\" -]*$",
        full=("Env 1", "Ⓐbc", "नमस्ते"[:2] + "\u093e", "Ⅻ"), not_full=("a_b", "a\u0301"),
    ),
    "workspaces-thin-client.DeviceName: a leading '$|' alternative matches any value": Case(
        "$|^[0-9\\p{IsAlphabetic}+:,.@'\" -]*", search=("anything_!",),
    ),
    "synthetic: \\p{Lu} vs (?i)\\p{Lu} (Java widens case categories)": Case(
        "\\p{Lu}(?i)\\p{Lu}", full=("AÉ", "Aé", "Aa"), not_full=("aA", "A1"),
    ),
    "synthetic: \\pL single-letter form and \\p{IsL}, \\p{gc=Nd}": Case(
        "\\pL\\p{IsL}\\p{gc=Nd}", full=("aé٣",), not_full=("a1x",),
    ),
    # Java's predefined classes are ASCII-only.
    "account.AccountId: \\d is ASCII": Case("\\d{12}", full=("123456789012",), not_full=("12345678901٣",)),
    "synthetic: \\w \\s \\W \\S \\D": Case(
        "\\w\\s\\W\\S\\D", full=("a é\u00a0x", "_\t-xx"), not_full=("é x-x", "a\u00a0x-x", "a -x1"),
    ),
    "auditmanager.ActionPlanInstructions: [\\w\\W\\s\\S] is everything": Case(
        "^[\\w\\W\\s\\S]*$", full=("é\n\x00",),
    ),
    "synthetic: \\h horizontal whitespace": Case("a\\hb", full=("a b", "a\u3000b"), not_full=("a\nb",)),
    "synthetic: \\R linebreak is atomic": Case("a\\Rb", full=("a\r\nb", "a\u2028b"), not_full=("a\r\n\nb",)),
    # '-' after a class escape is a literal; '-' escapes and ranges otherwise behave as in Java.
    "quicksight.ActionConnectorName: [\\w- ]": Case(
        "[A-Za-z0-9](?:[\\w- ]*[A-Za-z0-9])?", full=("a-b c", "a_-_ b"), not_full=("a.b", "a-é"),
    ),
    "auditmanager.CreatedBy: [\\s-_()\\[\\]]": Case(
        "^[a-zA-Z0-9\\s-_()\\[\\]]+$", full=("a-b_c (x) [y]",), not_full=("a.b", "a^b"),
    ),
    "ssm.CloudConnectorIamRoleArn: [\\w-\\/.@+=,]": Case(
        "^arn:aws[a-z0-9-]*:iam::\\d{12}:role\\/[\\w-\\/.@+=,]{1,1017}$",
        full=("arn:aws:iam::123456789012:role/a-b/c.d@e+f=g,h",), not_full=("arn:aws:iam::123456789012:role/a b",),
    ),
    "config.QueryArn (fragment): [a-zA-Z\\d-_/]": Case("[a-zA-Z\\d-_/]+", full=("a-_/1",), not_full=("a.b",)),
    # Escapes.
    "iot-managed-integrations.Capabilities: \\x{0022}": Case(
        "[a-zA-Z0-9\\s'\\x{0022},.:\\\\\\/{$}\\[\\]=_\\-\\+]+", full=('"a": "b"', "{$}"), not_full=("a;b",),
    ),
    "synthetic: \\x{1F600} astral hex escape": Case("\\x{1F600}+", full=("😀😀",), not_full=("\\x{1F600}",)),
    "lambda.CollectionName: \\x2e": Case(
        "(^(?!(system\\x2e)))(^[_a-zA-Z0-9])([^$]*)", full=("mycoll", "systemx"), not_full=("system.x",),
    ),
    "mgh.ProgressUpdateStream: octal \\000-\\037": Case(
        "[^/:|\\000-\\037]+", full=("stream name",), not_full=("a\x1fb", "a\x00b", "a/b"),
    ),
    "acm.CertificateBody (fragment): \\u000D?\\u000A": Case("-{5}BEGIN\\u000D?\\u000A", search=("-----BEGIN\r\n",)),
    "synthetic: \\t \\n \\cA \\e \\a \\0101 \\N{...}": Case(
        "\\t\\n\\cA\\e\\a\\0101\\N{LATIN SMALL LETTER E WITH ACUTE}", full=("\t\n\x01\x1b\x07Aé",),
    ),
    "synthetic: escaped punctuation is literal": Case("\\.\\*\\$\\{\\}\\[\\]\\|\\(\\)\\-\\/", full=(".*${}[]|()-/",)),
    "synthetic: \\Q..\\E quoting, also as a range end": Case("\\Qa.b[1]\\E[\\Qa\\E-c]", full=("a.b[1]b",),
                                                              not_full=("axb[1]b",)),
    # Anchors and line terminators.
    "datasync.Endpoint: \\A .. \\z (absolute end)": Case(
        "\\A(25[0-5]|2[0-4]\\d|[0-1]?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|[0-1]?\\d?\\d)){3}\\z",
        search=("10.0.0.1",), no_search=("10.0.0.1\n", "x10.0.0.1"),
    ),
    "synthetic: Java \\Z and $ allow one final line terminator": Case(
        "^a\\Z", search=("a", "a\n", "a\r\n", "a\r", "a\u2028", "a\u0085"), no_search=("a\n\n", "a\nb"),
    ),
    "synthetic: $ never matches between \\r and \\n": Case("^a\\r$", search=("a\r", "a\r\r\n"), no_search=("a\r\n",)),
    "chime-sdk-voice.ClientRequestId: ${2,64} quantified anchor": Case(
        "^[-_a-zA-Z0-9]*${2,64}$", full=("abc-1_",), not_full=("a b",), search=("abc\n",),
    ),
    "rbin.RuleArn: {11}{0,1011} repeats the empty string": Case(
        "^arn:\\S+:rbin:[a-z\\-0-9]{0,63}:[0-9]{12}:rule/[0-9a-zA-Z]{11}{0,1011}$",
        search=("arn:aws:rbin:us-east-1:123456789012:rule/abcdefghijk",),
        no_search=("arn:aws:rbin:us-east-1:123456789012:rule/abcdefghijkl",),
    ),
    "synthetic: . excludes every Java line terminator": Case(
        "^.$", full=("a", "\t", "😀"), not_full=("\n", "\r", "\u0085", "\u2028", "\u2029"),
    ),
    "amplify.AccessToken: (?s) makes . match everything": Case("(?s).+", full=("a\nb\r\u2028",)),
    "synthetic: (?m) ^ and $ at Java line terminators": Case(
        "(?m)^b$", search=("a\nb\nc", "a\rb\r\nc", "a\u2028b"), no_search=("ab", "a\r\nbc"),
    ),
    "synthetic: (?d) UNIX_LINES: only \\n is a line terminator": Case(
        "(?d)^.$", search=("\r", "\u2028", "a\n"), no_search=("\n", "a\r\n"),
    ),
    "bedrock-agent.AgentAliasId: \\b": Case("(\\bTSTALIASID\\b|[0-9a-zA-Z]+)", full=("TSTALIASID",)),
    "synthetic: \\b uses ASCII word characters (JDK 19+, ECMA)": Case(
        "\\bTSTALIASID\\b", search=("éTSTALIASID", "x TSTALIASID."), no_search=("xTSTALIASID", "TSTALIASID_"),
    ),
    "synthetic: \\B": Case("a\\Bb", full=("ab",)),
    # Inline flags.
    "budgets.BudgetName: mid-pattern (?i) covers only the rest of its group": Case(
        "^(?![^:\\\\]*/action/|(?i).*<script>.*</script>.*)[^:\\\\]+$",
        full=("Monthly budget", "a/ACTION/b"), not_full=("a/action/b", "x<SCRIPT>y</Script>", "a:b"),
    ),
    "synthetic: (?i) stays on for later branches and ends with its group": Case(
        "(?:x(?i)y|z)w", full=("xYw", "Zw"), not_full=("xYW", "ZW", "Xyw"),
    ),
    "synthetic: (?i) folds ASCII only, (?iu) folds Unicode": Case(
        "(?i)é(?u)é", full=("éÉ",), not_full=("Éé",),
    ),
    "synthetic: (?-i) and scoped (?i:..)": Case("(?i)a(?-i)b(?i:c)d", full=("Abcd", "AbCd"), not_full=("ABcd", "AbcD")),
    "synthetic: (?s) scoped": Case("(?s:.).", full=("\na",), not_full=("a\n",)),
    # Classes: nesting, intersection, negation.
    "autoscaling-plans.ScalingPlanName: && intersection": Case(
        "[\\p{Print}&&[^|:/]]+", full=("plan-1 ok",), not_full=("a|b", "a:b", "a/b", "é"),
    ),
    "synthetic: && without brackets and chained": Case("[a-z&&def&&[^e]]+", full=("df",), not_full=("e", "a")),
    "synthetic: nested union and whole-class negation (JDK 9+)": Case(
        "[a[b-c]][^a[b]]", full=("bz", "cc"), not_full=("ba", "bb", "dz"),
    ),
    "synthetic: leading ] is literal, trailing - is literal": Case("[]a-]+", full=("]-a",), not_full=("b",)),
    "synthetic: POSIX bracket in Java is a nested class of its characters": Case(
        "[[:alpha:]]+", full=(":alph",), not_full=("b",),
    ),
    # Groups, references, quantifiers.
    "chime-sdk-meetings.TenantId: backreference in a lookahead": Case(
        "^(?!.*?(.)\\1{3})[-_!@#$a-zA-Z0-9]*$", full=("aaab",), not_full=("aaaa",),
    ),
    "synthetic: \\1 followed by a digit stays group 1": Case("(a)\\10", full=("aa0",)),
    "synthetic: reference to a group not yet opened never matches": Case("\\2(a)(b)|c", full=("c",),
                                                                           not_full=("ab",)),
    "synthetic: named group and \\k<name>": Case("(?<tag>[a-z]+)-\\k<tag>", full=("ab-ab",), not_full=("ab-ba",)),
    "appstream.ProcessImageName: lookbehind": Case(
        "^[\\p{L}0-9_](?:[\\p{L}0-9._ ()+-]*[\\p{L}0-9._()+-])?(?<!\\.[eE][xX][eE])\\.[eE][xX][eE]$",
        full=("app.exe", "My App (1).EXE"), not_full=("app.exe.exe", ".exe"),
    ),
    "synthetic: lazy, possessive, atomic": Case(
        "a+?b(?>c|cd)d|x*+x", full=("abcd", "aaabcd"), not_full=("abcdd", "xx"), search=("abcd",),
    ),
    "synthetic: literal ] and } outside a class": Case("a]}", full=("a]}",)),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_translation_rule(case: Case) -> None:
    compiled = compile_pattern(case.pattern)
    for text in case.full:
        assert compiled.fullmatch(text), f"{compiled.pattern!r} should fully match {text!r}"
    for text in case.not_full:
        assert not compiled.fullmatch(text), f"{compiled.pattern!r} should not fully match {text!r}"
    for text in case.search:
        assert compiled.search(text), f"{compiled.pattern!r} should match inside {text!r}"
    for text in case.no_search:
        assert not compiled.search(text), f"{compiled.pattern!r} should not match inside {text!r}"


def test_translation_is_unanchored_and_keeps_own_anchors() -> None:
    assert translate_pattern("[a-z]+") == "[a-z]+"
    assert translate_pattern("^abc") == "^abc"
    assert compile_pattern("[a-z]+").search("123abc456")


UNTRANSLATABLE = {
    "script property": "\\p{IsLatin}",
    "block property": "\\p{InGreek}",
    "java property": "\\p{javaLowerCase}",
    "unknown property": "\\p{Foo}",
    "grapheme cluster": "\\X",
    "end of previous match": "\\Gabc",
    "comments flag": "(?x)a b",
    "unicode character class flag": "(?U)\\w",
    "variable-width lookbehind (Java allows bounded)": "(?<=a{1,3})b",
    "dangling quantifier": "a**",
    "quantifier at start": "*a",
    "illegal repetition": "a{,3}",
    "non-ASCII repetition digits": "a{\u0663}",
    "unclosed class": "[abc",
    "unclosed group": "(abc",
    "unmatched paren": "abc)",
    "range ending in a class escape": "[a-\\d]",
    "reversed range": "[z-a]",
    "unknown letter escape": "\\y",
    "backreference in a class": "(a)[\\1]",
    "bad octal": "\\09",
    "bad unicode escape": "\\u12",
    "bad hex escape": "\\x{110000}",
    "trailing backslash": "abc\\",
    "empty intersection": "[&&]",
    "open group reference": "(a\\1)",
}


@pytest.mark.parametrize("pattern", UNTRANSLATABLE.values(), ids=UNTRANSLATABLE.keys())
def test_untranslatable_patterns_raise(pattern: str) -> None:
    with pytest.raises(PatternTranslationError):
        compile_pattern(pattern)
    assert issubclass(PatternTranslationError, ValueError)


# --------------------------------------------------------------------------- property tests


def _code_points() -> st.SearchStrategy[str]:
    # Bias towards the BMP, where almost all assigned characters are, but reach every plane.
    return st.one_of(st.integers(0, 0xFFFF), st.integers(0, 0x10FFFF)).map(chr)


@settings(max_examples=200, deadline=None)
@given(_code_points())
def test_category_classes_agree_with_unicodedata(char: str) -> None:
    category = unicodedata.category(char)
    for group in "LMNPSZ":
        assert bool(compile_pattern(f"\\p{{{group}}}").fullmatch(char)) == category.startswith(group)
        assert bool(compile_pattern(f"[\\P{{{group}}}]").fullmatch(char)) != category.startswith(group)
    assert bool(compile_pattern("\\p{C}").fullmatch(char)) == category.startswith("C")
    assert bool(compile_pattern(f"\\p{{{category}}}").fullmatch(char))


HYPOTHESIS_SAMPLE = {
    "glue.CatalogIdString": GLUE,
    "acm.TagKey": "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
    "bedrock-agent-runtime.DocumentAclGroupIdString": "^\\P{C}*$",
    "codeartifact.PackageGroupPattern": "[^\\p{C}\\p{IsWhitespace}]+",
    "budgets.BudgetName": "^(?![^:\\\\]*/action/|(?i).*<script>.*</script>.*)[^:\\\\]+$",
    "quicksight.ActionConnectorName": "[A-Za-z0-9](?:[\\w- ]*[A-Za-z0-9])?",
    "iot-managed-integrations.Capabilities": "[a-zA-Z0-9\\s'\\x{0022},.:\\\\\\/{$}\\[\\]=_\\-\\+]+",
    "datasync.Endpoint": "\\A(25[0-5]|2[0-4]\\d|[0-1]?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|[0-1]?\\d?\\d)){3}\\z",
    "chime-sdk-voice.ClientRequestId": "^[-_a-zA-Z0-9]*${2,64}$",
    "autoscaling-plans.ScalingPlanName": "[\\p{Print}&&[^|:/]]+",
    "quicksight.SpaceDescription": "[\\P{C}\\n\\r\\t\\f\\v\\p{Cf}]*",
    "workspaces-thin-client.EnvironmentName":
        "$|^[0-9\\p{IsAlphabetic}+:,.@'\" -][0-9\\p{IsAlphabetic}+=:,.@'\" -]*",
    "amplify.AccessToken": "(?s).+",
}


@pytest.mark.parametrize("pattern", HYPOTHESIS_SAMPLE.values(), ids=HYPOTHESIS_SAMPLE.keys())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_strings_match_translation(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(compile_pattern(pattern), fullmatch=True))
    assert re.fullmatch(translate_pattern(pattern), text)


def test_cases_named_after_a_shape_use_its_real_pattern() -> None:
    """Test ids of the form "service.Shape: ..." promise the pattern is that shape's."""
    patterns = botocore_patterns()
    named = {label.split(":")[0]: case.pattern for label, case in CASES.items()}
    named.update(HYPOTHESIS_SAMPLE)
    for shape, pattern in named.items():
        if shape != "synthetic" and " " not in shape:
            assert shape in patterns.get(pattern, []), shape
