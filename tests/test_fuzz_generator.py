"""The response generator, the fast validity check and the wire conversions behind `conformance fuzz-parser`."""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

import pytest
from botocore.model import ServiceModel
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from conformance import spec
from conformance.exchange import HttpResponse
from conformance.fuzz import (
    FAMILIES,
    INTACT,
    MALFORMED,
    VALID,
    WireResponse,
    for_model,
    for_operation,
    generator_for,
    malformed_responses,
    responses,
    valid_responses,
)
from conformance.fuzz.convert import WireCodec, difference
from conformance.fuzz.fastcheck import FastCheck
from conformance.fuzz.generate import base_strategies
from conformance.fuzz.wire import Raw, encode
from conformance.protocols import protocol_for
from conformance.spec.validation import violations

# GetMLTaskRun (the operation), maps/blobs/recursion (DynamoDB), unions and maps (Verified Permissions).
OPERATIONS = [("glue", "GetMLTaskRun"), ("dynamodb", "GetItem"), ("verifiedpermissions", "BatchIsAuthorized")]
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _decoded(response: WireResponse) -> Any:
    return json.loads(response.body) if response.body.strip() else {}


# -- the generator -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_every_family_builds_at_every_choice(service: str, operation: str) -> None:
    generator = generator_for(service, operation)
    families = {use.family.name for use in generator.uses}
    assert {"valid", "wrong-type", "truncated", "error-code", "bad-error-code", "deep-nesting"} <= families

    @settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(*base_strategies(generator))
    def check(success: Any, error: Any) -> None:
        for use in generator.uses:
            for choice in range(0, 256, 17):
                response = generator.build(use, success, error, choice, 255 - choice)
                assert isinstance(response.body, bytes) and response.label and response.family
                assert 200 <= response.status < 600
                assert all(isinstance(k, str) and isinstance(v, str) for k, v in response.headers.items())
                assert response == generator.build(use, success, error, choice, 255 - choice)  # a pure function

    check()


def test_families_that_need_a_kind_are_left_out_without_it() -> None:
    names = {use.family.name for use in generator_for("glue", "GetMLTaskRun").uses}
    assert "invalid-base64" not in names  # GetMLTaskRun has no blob
    assert "invalid-base64" in {use.family.name for use in generator_for("dynamodb", "GetItem").uses}


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_valid_responses_are_valid(service: str, operation: str) -> None:
    context = for_operation(service, operation)

    @FAST
    @given(valid_responses(service, operation))
    def check(response: WireResponse) -> None:
        assert response.expectation.mode == VALID
        body = _decoded(response)
        if response.status < 300:
            schema = context.output
        else:
            # The code reads back as the project's own check reads AWS error codes.
            http = HttpResponse(response.status, response.headers, response.body)
            document = spec.document(service, operation)
            found = protocol_for(document).error_code(http, document)
            assert (found.code if found else None) == response.expectation.error_code, response.label
            declared = context.error_for_code(response.expectation.error_code or "")
            if declared is None:
                return
            schema = declared.schema
            body = {k: v for k, v in body.items() if k not in ("__type", "code")}
        broken = [v for v in violations(schema, body) if not v.unknown_member]
        assert broken == [], response.label
        codec = WireCodec(context)
        assert difference(codec.canonical(schema, response.expectation.value), codec.canonical(schema, body)) is None

    check()


@pytest.mark.parametrize(("service", "operation"), OPERATIONS[:2])
def test_malformed_responses_are_malformed_and_labelled(service: str, operation: str) -> None:
    seen: set[str] = set()

    @FAST
    @given(malformed_responses(service, operation))
    def check(response: WireResponse) -> None:
        assert response.is_malformed and response.expectation.value is None
        assert response.category.startswith(response.family)
        seen.add(response.family)

    check()
    assert len(seen) >= 5


def test_responses_mix_every_mode() -> None:
    modes: set[str] = set()

    # Header-only (INTACT) answers are a few percent of the mix: 600 examples miss them with a probability
    # far below 1e-6, and the pinned seed keeps the test repeatable.
    @settings(max_examples=600, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @seed(20261129)
    @given(responses("glue", "GetMLTaskRun"))
    def check(response: WireResponse) -> None:
        modes.add(response.expectation.mode)

    check()
    assert modes == {VALID, INTACT, MALFORMED}


def test_family_names_are_unique_and_documented() -> None:
    assert len({family.name for family in FAMILIES}) == len(FAMILIES)
    assert all(family.doc for family in FAMILIES)


def test_raw_json_is_written_verbatim() -> None:
    assert encode({"a": Raw("NaN"), "b": [Raw("1e400")], "c": "x"}) == b'{"a":NaN,"b":[1e400],"c":"x"}'


def test_a_body_that_is_not_utf8_is_also_given_in_base64() -> None:
    shown = WireResponse(200, {}, b'{"a":"\xff"}', "label", "encoding", "body").as_json()
    assert shown["body_base64"] == "eyJhIjoi/yJ9"


# -- the fast check agrees with the project's validation -----------------------------------------------


def _lenient_violations(schema: dict[str, Any], value: Any) -> list[Any]:
    found = []
    for violation in violations(schema, value):
        if violation.unknown_member:
            continue
        if violation.keyword == "enum" and isinstance(_at(value, violation.pointer), str):
            continue  # an open enum: the leniency FastCheck applies without strict
        found.append(violation)
    return found


def _at(value: Any, pointer: str) -> Any:
    for token in filter(None, pointer.split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value.get(token)
    return value


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_fast_check_agrees_with_violations(service: str, operation: str) -> None:
    """On valid and malformed bodies alike (decoded as a lenient parser would), strict and not."""
    context = for_operation(service, operation)
    strict, lenient = FastCheck(context.output, strict=True), FastCheck(context.output)

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(responses(service, operation))
    def check(response: WireResponse) -> None:
        if response.status >= 300:
            return
        try:
            value = json.loads(response.body)
        except (ValueError, RecursionError):
            return
        assert strict.check(value) == (violations(context.output, value) == []), response.label
        assert lenient.check(value) == (_lenient_violations(context.output, value) == []), response.label
        assert (lenient.explain(value) == []) == lenient.check(value)

    check()


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                                 max_size=3), max_leaves=8))
@FAST
def test_fast_check_agrees_on_arbitrary_json(value: Any) -> None:
    context = for_operation("glue", "GetMLTaskRun")
    for wrapped in (value, {"Properties": value}, {"ExecutionTime": value}, {"StartedOn": value}):
        assert FastCheck(context.output, strict=True).check(wrapped) == (violations(context.output, wrapped) == [])


# -- conversions ---------------------------------------------------------------------------------------

_MODEL = ServiceModel({
    "metadata": {"protocol": "json", "jsonVersion": "1.1", "targetPrefix": "Toy", "apiVersion": "2020-01-01"},
    "operations": {"Get": {"name": "Get", "http": {"method": "POST", "requestUri": "/"},
                           "output": {"shape": "Out"}}},
    "shapes": {
        "Out": {"type": "structure", "members": {
            "When": {"shape": "Epoch"}, "Iso": {"shape": "IsoTime"}, "Data": {"shape": "Blob"},
            "Ratio": {"shape": "Double"}, "Renamed": {"shape": "Str", "locationName": "wireName"},
            "Flag": {"shape": "Bool"}}},
        "Epoch": {"type": "timestamp"}, "IsoTime": {"type": "timestamp", "timestampFormat": "iso8601"},
        "Blob": {"type": "blob"}, "Double": {"type": "double"}, "Str": {"type": "string"},
        "Bool": {"type": "boolean"},
    },
}, service_name="toy")


def test_parse_results_convert_back_to_the_wire_model() -> None:
    context = for_model(_MODEL, "Get")
    codec = WireCodec(context)
    moment = datetime.datetime(2024, 2, 23, 14, 44, 45, 123000, tzinfo=datetime.UTC)
    parsed = {"When": moment, "Iso": moment, "Data": b"\x00\xff", "Ratio": math.inf, "Renamed": "x"}
    assert codec.to_wire(context.output, parsed) == {
        "When": 1708699485.123, "Iso": "2024-02-23T14:44:45.123Z", "Data": "AP8=", "Ratio": "Infinity",
        "wireName": "x"}


@pytest.mark.parametrize(("sent", "parsed", "equal"), [
    ({"When": 1708699485.123}, {"When": "2024-02-23T14:44:45.123Z"}, True),  # one instant, two spellings
    ({"When": 1708699485.1234567}, {"When": 1708699485.123457}, True),  # clients keep microseconds
    ({"When": 1708699485.12}, {"When": 1708699485.13}, False),
    ({"Ratio": "NaN"}, {"Ratio": "NaN"}, True),
    ({"Data": "AP8="}, {"Data": "AP8="}, True),
    ({"Flag": True}, {"Flag": 1}, False),  # a boolean is not a number
    ({"wireName": "x", "Flag": None}, {"wireName": "x"}, True),  # null is absent
    ({"wireName": "x", "Unknown": 1}, {"wireName": "x"}, True),  # unknown members are ignored
    ({"wireName": "x"}, {}, False),
])
def test_difference_reads_values_as_clients_do(sent: dict[str, Any], parsed: dict[str, Any], equal: bool) -> None:
    context = for_model(_MODEL, "Get")
    codec = WireCodec(context)
    found = difference(codec.canonical(context.output, sent), codec.canonical(context.output, parsed))
    assert (found is None) == equal, found
