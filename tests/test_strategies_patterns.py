"""Property tests of string generation from translated AWS patterns: every generated string matches the
translated pattern (search semantics, as JSON Schema reads it) and its length bounds; the deterministic
helpers (exact lengths, rejected strings) do what they claim."""

from __future__ import annotations

import functools
import os
import re
import zlib
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import strategies as generators
from conformance import spec
from conformance.spec.patterns import PatternTranslationError, translate_pattern, whole_value_pattern
from conformance.spec.validation import violations
from strategies.regex import pattern_strings
from strategies.strings import string_strategy
from tests.botocore_models import fast_loader

SAMPLE = int(os.environ.get("CONFORMANCE_PATTERN_SAMPLE", "150"))

# Shapes of patterns that once defeated generation: a char class repeated, anchors inside groups,
# alternations of anchored branches, lookaheads, nested repeats, astral ranges, case-insensitive groups.
TRICKY: list[tuple[str, int | None, int | None]] = [
    (r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*", 1, 255),
    (r"[a-z0-9]+(-[a-z0-9]+)*", 3, 63),
    (r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", 4, 100),
    (r".*(^arn:((aws)|(aws-cn)|(aws-us-gov)):s3:::)([a-zA-Z0-9_-]+$).*", 0, 1024),
    (r".*(^[0-9-,]+$|(^$)).*", 0, 2000),
    (r"^(?!aws:)[a-zA-Z+-=._:/]+$", 1, 128),
    (r"^\S(.*\S)?$", 3, 63),
    (r"(?:(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])(\.(?!$)|$)){4}", None, None),
    (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", 0, 256),
    (r"(?i)^[a-f0-9]{32}$", None, None),
    (r"^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$",
     20, 2048),
    # Lookaheads before an anchor inside a group (ssm-guiconnect's bucket names): they must not be dropped.
    (r"(?=^.{3,63}$)(?!^(\d+\.)+\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*"
     r"[a-z0-9])$)", None, None),
    (r"^arn:(?=[^:]+:fsx:[^:]+:\d{12}:)((|(?=[a-z0-9-.]{1,63})(?!\d{1,3}(\.\d{1,3}){3})(?![^:]*-{2})(?![^:]*-\.)"
     r"(?![^:]*\.-)[a-z0-9].*(?<!-)):){4}(?!/).{0,1024}$", 8, 512),
]


@functools.lru_cache(maxsize=1)
def corpus() -> list[tuple[str, int | None, int | None]]:
    """Every distinct (pattern, min, max) of a string shape in botocore's models."""
    loader = fast_loader()
    found: set[tuple[str, int | None, int | None]] = set()
    for service in loader.list_available_services("service-2"):
        for shape in loader.load_service_model(service, "service-2")["shapes"].values():
            if shape.get("type") == "string" and "pattern" in shape:
                found.add((shape["pattern"], shape.get("min"), shape.get("max")))
    return sorted(found, key=repr)


def sample() -> list[tuple[str, int | None, int | None]]:
    every = corpus()
    return sorted(every, key=lambda t: zlib.crc32(repr(t).encode()))[:SAMPLE] + TRICKY


def schema_of(pattern: str, low: int | None, high: int | None) -> dict[str, Any]:
    # As derived schemas hold it: matched against the whole value, as AWS services do.
    schema: dict[str, Any] = {"type": "string", "pattern": whole_value_pattern(pattern)}
    if low:
        schema["minLength"] = low
    if high is not None:
        schema["maxLength"] = high
    return schema


def check_matches(strategy: st.SearchStrategy[str], compiled: re.Pattern[str], low: int, high: float) -> None:
    @settings(max_examples=8, database=None, deadline=None, derandomize=True)
    @given(strategy)
    def matches(text: str) -> None:
        assert compiled.search(text), (compiled.pattern, text)
        assert low <= len(text) <= high, (compiled.pattern, len(text))

    matches()


def test_generated_strings_match_their_translated_pattern() -> None:
    unsatisfiable = []
    for pattern, low, high in sample():
        try:
            compiled = re.compile(whole_value_pattern(pattern))
            schema = schema_of(pattern, low, high)
        except PatternTranslationError:
            continue  # the translator's own tests cover what it refuses
        strategy = string_strategy(schema)
        if strategy.is_empty:
            unsatisfiable.append(pattern)
            continue

        check_matches(strategy, compiled, low or 0, high if high is not None else float("inf"))
    # Only contradictory models have no value (e.g. a 36-character UUID pattern with maxLength 32).
    assert len(unsatisfiable) <= 2, unsatisfiable


@pytest.mark.parametrize(("pattern", "low", "high"), [
    ("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}", 32, 32),
    (r"^\\d{12}$", 12, 12),  # a literal backslash: the model meant \d
    (r"^arn:aws([a-z-]+)?:ec2:[a-z\d-]+:\d{12}:placement-group/^.{1,255}$", None, None),  # `^` mid-pattern
])
def test_contradictory_patterns_yield_an_empty_strategy(pattern: str, low: int | None, high: int | None) -> None:
    assert string_strategy(schema_of(pattern, low, high)).is_empty


def test_exact_lengths_and_rejected_strings() -> None:
    for pattern, low, high in sample():
        try:
            strings = pattern_strings(whole_value_pattern(pattern))
        except PatternTranslationError:
            continue
        upper = float(high) if high is not None else float("inf")
        for length in {low or 0, low or 1, min(upper, 64)}:
            found = strings.exact(int(length))
            assert found is None or (len(found) == length and strings.compiled.search(found)), (pattern, found)
        for text in strings.rejected(low or 0, upper):
            assert strings.compiled.search(text) is None and (low or 0) <= len(text) <= upper, (pattern, text)


@settings(max_examples=200, database=None, deadline=None, derandomize=True)
@given(st.data())
def test_single_class_patterns_are_plain_text_and_reject_other_characters(data: st.DataObject) -> None:
    # Glue's `[\u0020-\uD7FF...]*`: any text of its characters, lengths hold; matched against the whole value,
    # a control character anywhere breaks it (searched for, it matched every string and nothing was rejected).
    strings = pattern_strings(whole_value_pattern(TRICKY[0][0]))
    assert strings.rejected(1, 255) and all(strings.compiled.search(text) is None for text in strings.rejected(1, 255))
    assert strings.compiled.search("ok\x00") is None
    text = data.draw(strings.strategy(1, 255))
    assert 1 <= len(text) <= 255 and strings.compiled.search(text)


@pytest.mark.parametrize(("pattern", "valid", "invalid"), [
    (r"[\w+=,.@-]+", "alice.b@x", "alice b"),  # IAM userNameType: a space anywhere is invalid
    (r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)", "a2024", "2024"),  # Lambda alias names: not all digits
    (r"[a-zA-Z0-9_.-]+", "smart-dcb-messages", '"smart-dcb-messages"'),  # DynamoDB (aws-cli issue 790)
    (r"[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*", "serverlessTest-dev", "serverlessTest.-dev"),  # CloudFormation
])
def test_patterns_match_the_whole_value_as_aws_does(pattern: str, valid: str, invalid: str) -> None:
    strings = pattern_strings(whole_value_pattern(pattern))
    assert strings.compiled.search(valid) and strings.compiled.search(invalid) is None
    # Each invalid value holds a match: read as a search, the translation alone calls it valid.
    assert re.search(translate_pattern(pattern), invalid)
    rejected = strings.rejected(1, 64)
    assert rejected and all(strings.compiled.search(text) is None for text in rejected)


def test_iam_user_names_with_a_space_are_invalid_and_invalid_cases_break_the_pattern() -> None:
    schema = spec.part("iam", "CreateUser", "input")
    assert [v.keyword for v in violations(schema, {"UserName": "alice b"})] == ["pattern"]
    assert violations(schema, {"UserName": "alice.b@x"}) == []
    case = find(generators.invalid_inputs("iam", "CreateUser", unknown_members=False),
                lambda case: case.keyword == "pattern" and case.pointer == "/UserName",
                settings=settings(max_examples=500, database=None, derandomize=True))
    assert [v.keyword for v in violations(schema, case.value) if v.pointer == "/UserName"] == ["pattern"]
