"""The `strategies` package: valid, invalid and boundary inputs, responses, errors and boto3 parameters."""

from __future__ import annotations

import base64
import datetime
import json
import math
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import strategies
from conformance import spec
from conformance.spec.validation import json_pointer, violations
from strategies.boundary import boundary_cases
from strategies.compile import MAX_DEPTH, compiler_for, from_schema
from strategies.invalid import UNKNOWN_MEMBER, invalid_cases

SETTINGS = settings(max_examples=60, database=None, deadline=None, derandomize=True)
FIND = settings(max_examples=1000, database=None, deadline=None, derandomize=True)  # find() runs: deterministic
GLUE = ("glue", "GetMLTaskRun")


def is_valid(schema: dict[str, Any], value: Any) -> bool:
    return Draft202012Validator(schema).is_valid(value)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


# -- valid values ----------------------------------------------------------------------------------------


@SETTINGS
@given(strategies.valid_inputs(*GLUE))
def test_valid_inputs_validate(value: Any) -> None:
    assert is_valid(spec.part(*GLUE, "input"), value)
    assert set(value) == {"TransformId", "TaskRunId"}


@SETTINGS
@given(strategies.responses(*GLUE))
def test_responses_validate(value: Any) -> None:
    assert violations(spec.part(*GLUE, "output"), value) == []


def test_optional_members_are_sometimes_present_and_sometimes_absent() -> None:
    seen: dict[str, set[bool]] = {}
    members = spec.part(*GLUE, "output")["$defs"]["GetMLTaskRunResponse"]["properties"]

    @settings(max_examples=150, database=None, deadline=None, derandomize=True)
    @given(strategies.responses(*GLUE))
    def record(value: dict[str, Any]) -> None:
        for name in members:
            seen.setdefault(name, set()).add(name in value)

    record()
    assert all(states == {True, False} for states in seen.values()), seen


def test_examples_shrink_to_the_smallest_value() -> None:
    # The smallest valid request: both required strings at their minimum length, nothing else.
    smallest = find(strategies.valid_inputs(*GLUE), lambda v: True, settings=FIND)
    assert smallest == {"TransformId": "0", "TaskRunId": "0"}
    # A failing property shrinks to the least that still fails: one member, its value minimal.
    with_status = find(strategies.responses(*GLUE), lambda v: "Status" in v, settings=FIND)
    assert with_status == {"Status": "STARTING"}
    long_id = find(strategies.valid_inputs(*GLUE), lambda v: len(v["TransformId"]) >= 10, settings=FIND)
    assert long_id == {"TransformId": "0" * 10, "TaskRunId": "0"}


def test_strings_count_code_points_and_are_not_only_ascii() -> None:
    schema = {"type": "string", "minLength": 3, "maxLength": 3}
    wide = find(from_schema(schema), lambda s: any(ord(c) > 0xFFFF for c in s), settings=FIND)
    assert len(wide) == 3 and is_valid(schema, wide)
    pattern = spec.part(*GLUE, "input")["$defs"]["HashString"]
    assert find(from_schema(pattern), lambda s: any(ord(c) > 0x7F for c in s), settings=FIND)


def unions_in(schema: dict[str, Any], value: Any) -> list[dict[str, Any]]:
    """The values of VALUE that sit where SCHEMA has a union."""
    compiler = compiler_for(schema)

    def walk(node: dict[str, Any], item: Any) -> list[dict[str, Any]]:
        node = compiler.resolve(node)
        if isinstance(item, dict) and "properties" in node:
            found = [item] if node.get("x-aws-union") else []
            return found + [u for k, v in item.items() for u in walk(node["properties"][k], v)]
        if isinstance(item, dict) and isinstance(node.get("additionalProperties"), dict):
            return [u for v in item.values() for u in walk(node["additionalProperties"], v)]
        if isinstance(item, list) and isinstance(node.get("items"), dict):
            return [u for v in item for u in walk(node["items"], v)]
        return []

    return walk(schema, value)


@SETTINGS
@given(strategies.valid_inputs("verifiedpermissions", "IsAuthorized"))
def test_recursive_unions_have_exactly_one_member_and_stay_small(value: Any) -> None:
    # AttributeValue is a union holding sets (lists) and records (maps) of itself.
    schema = spec.part("verifiedpermissions", "IsAuthorized", "input")
    assert is_valid(schema, value)
    assert all(len(union) == 1 for union in unions_in(schema, value))
    assert depth(value) <= 2 * MAX_DEPTH + 2


@SETTINGS
@given(strategies.valid_inputs("dynamodb", "PutItem"))
def test_recursive_shapes_stay_small(value: Any) -> None:
    # AttributeValue holds maps (M) and lists (L) of itself.
    assert is_valid(spec.part("dynamodb", "PutItem", "input"), value)
    assert depth(value) <= 2 * MAX_DEPTH + 2


@SETTINGS
@given(strategies.valid_inputs("glue", "TagResource"))
def test_map_keys_are_unique_and_satisfy_the_key_shape(value: Any) -> None:
    key_schema = spec.part("glue", "TagResource", "input")["$defs"]["TagKey"]
    for key in value.get("TagsToAdd", {}):
        assert is_valid(key_schema, key)


@SETTINGS
@given(from_schema({"x-aws-type": "document"}))
def test_documents_are_small_json_values(value: Any) -> None:
    assert json.loads(json.dumps(value, allow_nan=False)) == value  # plain JSON: no NaN, no infinity
    assert depth(value) <= 4


GENERIC = {
    "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}, "n": {"const": 1}},
                       "required": ["n"], "additionalProperties": False}},
    "type": "object",
    "properties": {
        "even": {"type": "integer", "multipleOf": 2, "exclusiveMinimum": 0, "maximum": 100},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": True, "maxItems": 3},
        "either": {"oneOf": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 5}]},
        "both": {"allOf": [{"type": "string"}, {"minLength": 2}]},
        "kind": {"type": ["string", "null"], "pattern": "^[a-z]{2,4}$"},
        "anything": True,
        "list": {"$ref": "#/$defs/Node"},
        "extra": {"type": "object", "additionalProperties": {"type": "boolean"}, "maxProperties": 2},
    },
    "required": ["even", "ratio", "either", "both", "kind", "list"],
    "additionalProperties": False,
}


@SETTINGS
@given(from_schema(GENERIC))
def test_common_json_schema_keywords(value: Any) -> None:
    assert is_valid(GENERIC, value)


# -- invalid cases ---------------------------------------------------------------------------------------


def test_invalid_cases_of_get_ml_task_run_cover_each_keyword() -> None:
    schema = spec.part(*GLUE, "input")
    seen: set[str] = set()

    @settings(max_examples=150, database=None, deadline=None, derandomize=True)
    @given(strategies.invalid_inputs(*GLUE))
    def record(case: Any) -> None:
        found = violations(schema, case.value)
        assert any(v.keyword == case.keyword for v in found), (case, found)
        seen.add(case.keyword)

    record()
    assert {"required", "type", "minLength", "maxLength", "additionalProperties"} <= seen, seen


@settings(max_examples=100, database=None, deadline=None, derandomize=True)
@given(st.sampled_from([GLUE, ("kinesis", "PutRecord"), ("dynamodb", "PutItem"), ("kafka", "CreateConfiguration"),
                        ("s3", "PutObject"), ("glue", "TagResource"),
                        ("kinesisvideo", "UpdateImageGenerationConfiguration")]).flatmap(
    lambda op: st.tuples(st.just(op), strategies.invalid_inputs(*op))))
def test_every_invalid_case_fails_for_the_keyword_it_names(pair: Any) -> None:
    (service, operation), case = pair
    schema = spec.part(service, operation, "input")
    # jsonschema itself, independently of the strategies' own check (a map key's error names the key
    # schema's keyword, e.g. maxLength, under propertyNames in its schema path).
    errors = list(Draft202012Validator(schema).iter_errors(case.value))
    keywords = {str(e.validator) for e in errors} | {"propertyNames" for e in errors
                                                       if "propertyNames" in e.absolute_schema_path}
    assert case.keyword in keywords, (case, [e.message for e in errors])
    parent = case.pointer.rsplit("/", 1)[0] if case.keyword in ("required", "additionalProperties") else None
    assert any(json_pointer(e.absolute_path) in (case.pointer, parent) for e in errors)


def test_an_unanchored_pattern_that_matches_everything_yields_no_pattern_case() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "[a-z]*", "maxLength": 5},
                                               "code": {"type": "string", "pattern": "^[a-z]+$"}},
              "required": ["name", "code"], "additionalProperties": False}
    keywords: set[tuple[str, str]] = set()

    @settings(max_examples=200, database=None, deadline=None, derandomize=True)
    @given(invalid_cases(schema))
    def record(case: Any) -> None:
        keywords.add((case.keyword, case.pointer))
        assert not is_valid(schema, case.value)

    record()
    assert ("pattern", "/code") in keywords
    assert ("pattern", "/name") not in keywords and ("maxLength", "/name") in keywords


def test_without_unknown_members_no_case_adds_a_member_the_model_lacks() -> None:
    keywords: set[str] = set()

    @settings(max_examples=150, database=None, deadline=None, derandomize=True)
    @given(strategies.invalid_inputs(*GLUE, unknown_members=False))
    def record(case: Any) -> None:
        assert UNKNOWN_MEMBER not in json.dumps(case.value)
        keywords.add(case.keyword)

    record()
    assert "additionalProperties" not in keywords and {"required", "type", "maxLength"} <= keywords


def test_a_single_member_input_has_few_invalid_and_boundary_cases_and_hypothesis_sees_it() -> None:
    """A case replaces its member whole, so the valid value it replaces is not drawn: Hypothesis exhausts the
    few distinct cases of GetMLTransform (one member, TransformId) and stops long before max_examples."""
    for cases in (strategies.invalid_inputs("glue", "GetMLTransform", unknown_members=False),
                  strategies.boundary_inputs("glue", "GetMLTransform")):
        values = [json.dumps(case.value, sort_keys=True) for case in _all_drawn(cases, 500)]
        assert len(values) < 100, len(values)
        assert len(set(values)) >= 0.5 * len(values), (len(set(values)), len(values))


def _all_drawn(strategy: st.SearchStrategy[Any], most: int) -> list[Any]:
    """Every value one Hypothesis run of at most MOST examples draws from STRATEGY."""
    drawn: list[Any] = []

    @settings(max_examples=most, database=None, deadline=None, derandomize=True)
    @given(strategy)
    def record(value: Any) -> None:
        drawn.append(value)

    record()
    return drawn


def test_replacing_a_member_keeps_the_others_drawn() -> None:
    """Only the member a case replaces goes undrawn: the input's other members still vary."""
    others: set[str] = set()

    @settings(max_examples=100, database=None, deadline=None, derandomize=True)
    @given(strategies.boundary_inputs(*GLUE))
    def record(case: Any) -> None:
        assert set(case.value) == {"TransformId", "TaskRunId"}
        other = "TaskRunId" if case.pointer == "/TransformId" else "TransformId"
        others.add(case.value[other])

    record()
    assert len(others) > 10


# -- boundaries ------------------------------------------------------------------------------------------


def test_boundaries_of_get_ml_task_run_are_at_and_past_each_limit() -> None:
    seen: set[tuple[str, int, bool]] = set()

    @settings(max_examples=200, database=None, deadline=None, derandomize=True)
    @given(strategies.boundary_inputs(*GLUE))
    def record(case: Any) -> None:
        assert case.valid == is_valid(spec.part(*GLUE, "input"), case.value)
        member = case.value[case.pointer.lstrip("/")]
        assert len(member) == case.size
        seen.add((case.keyword, case.size, case.valid))

    record()
    assert seen == {("minLength", 1, True), ("minLength", 0, False), ("maxLength", 255, True),
                    ("maxLength", 256, False)}


def test_boundaries_reach_the_real_limits() -> None:
    schema = {"type": "object", "additionalProperties": False, "properties": {
        "arn": {"type": "string", "maxLength": 2048, "pattern": "^arn:aws:[a-z]+:.*$"},
        "items": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "maxItems": 100},
        "ratio": {"type": "number", "minimum": 0.5}}}
    cases = boundary_cases(schema)
    long_arn = find(cases, lambda c: c.pointer == "/arn" and c.size == 2049, settings=FIND)
    assert not long_arn.valid and long_arn.value["arn"].startswith("arn:aws:")
    assert find(cases, lambda c: c.pointer == "/arn" and c.size == 2048, settings=FIND).valid
    assert find(cases, lambda c: c.pointer == "/items" and c.size == 100, settings=FIND).valid
    past = find(cases, lambda c: c.pointer == "/ratio" and not c.valid, settings=FIND)
    assert past.value["ratio"] == math.nextafter(0.5, 0)


# -- known-good values -----------------------------------------------------------------------------------


def test_hinted_inputs_carry_the_known_good_values_and_stay_valid() -> None:
    known = {"TransformId": ["tfm-1", "tfm-2"], "TaskRunId": ["run-1"]}
    seen: list[tuple[str, str]] = []

    @settings(max_examples=200, database=None, deadline=None, derandomize=True)
    @given(strategies.hinted_inputs(*GLUE, known))
    def record(value: Any) -> None:
        assert is_valid(spec.part(*GLUE, "input"), value)
        seen.append((value["TransformId"], value["TaskRunId"]))

    record()
    # Every member is a known one, so there are two distinct inputs, and Hypothesis stops once it saw them.
    assert set(seen) == {("tfm-1", "run-1"), ("tfm-2", "run-1")}
    assert len(seen) < 20


def test_hinted_inputs_set_named_members_at_any_depth_and_draw_the_rest() -> None:
    schema_input = ("glue", "CreateMLTransform")
    names: set[str] = set()
    roles: set[str] = set()

    @settings(max_examples=60, database=None, deadline=None, derandomize=True)
    @given(strategies.hinted_inputs(*schema_input, {"Role": ["arn:aws:iam::123456789012:role/known"],
                                                    "DatabaseName": ["known_db"]}))
    def record(value: Any) -> None:
        roles.add(value["Role"])
        names.add(value["Name"])
        for table in value["InputRecordTables"]:
            assert table["DatabaseName"] == "known_db"

    record()
    assert roles == {"arn:aws:iam::123456789012:role/known"} and len(names) > 5


# -- responses, errors, parameters ----------------------------------------------------------------------


@SETTINGS
@given(strategies.error_responses(*GLUE))
def test_error_responses_are_declared_errors_with_valid_bodies(error: Any) -> None:
    assert error.name in spec.document(*GLUE)["x-aws-errors"]
    assert error.status == (500 if error.fault == "server" else 400)
    assert violations(spec.part(*GLUE, f"error:{error.name}"), error.body) == []


def test_an_operation_without_declared_errors_has_no_error_responses() -> None:
    assert strategies.error_responses("sts", "GetCallerIdentity").is_empty


class _Sent(Exception):
    def __init__(self, body: bytes) -> None:
        self.body = body


def _serialized_body(service: str, operation: str, params: dict[str, Any]) -> Any:
    """The JSON body a real boto3 client builds from PARAMS (the request is stopped before it is sent)."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(parameter_validation=False))

    def stop(request: Any, **_: Any) -> None:
        raise _Sent(request.body)

    client.meta.events.register("before-send", stop)
    method = client.meta.method_to_api_mapping  # api name -> python name, inverted below
    python_name = {api: name for name, api in method.items()}[operation]
    with pytest.raises(_Sent) as sent:
        getattr(client, python_name)(**params)
    return json.loads(sent.value.body or b"{}")


@settings(max_examples=25, database=None, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # client creation dominates, not generation
@given(st.sampled_from([GLUE, ("kms", "Encrypt"), ("kafka", "CreateConfiguration")]).flatmap(
    lambda op: st.tuples(st.just(op), strategies.valid_inputs(*op))))
def test_to_params_round_trips_through_a_real_client(pair: Any) -> None:
    (service, operation), value = pair
    params = strategies.to_params(service, operation, value)
    assert _serialized_body(service, operation, params) == value


class _Stop(Exception):
    pass


@settings(max_examples=40, database=None, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # client creation dominates, not generation
@given(st.sampled_from([("lambda", "Invoke"), ("glacier", "UploadArchive"), ("mediastore-data", "PutObject"),
                        ("apigateway", "CreateRestApi")]).flatmap(
    lambda op: st.tuples(st.just(op), strategies.valid_inputs(*op))))
def test_valid_inputs_of_rest_operations_can_be_sent(pair: Any) -> None:
    # Members sent in HTTP headers stay header-safe, so a real client builds the request. (Not S3: botocore
    # checks bucket names client-side even without parameter validation, stricter than the model.)
    (service, operation), value = pair
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                          config=Config(parameter_validation=False))

    def stop(request: Any, **_: Any) -> None:
        for name, header in request.headers.items():
            (name if isinstance(name, bytes) else name.encode("ascii"))
            (header if isinstance(header, bytes) else header.encode("latin-1"))
        raise _Stop

    client.meta.events.register("before-send", stop)
    python_name = {api: name for name, api in client.meta.method_to_api_mapping.items()}[operation]
    with pytest.raises(_Stop):
        getattr(client, python_name)(**strategies.to_params(service, operation, value))


def test_to_params_converts_timestamps_blobs_and_member_names() -> None:
    value = {"name": "n", "serverProperties": base64.b64encode(b"a=1").decode(), "kafkaVersions": ["3"]}
    assert strategies.to_params("kafka", "CreateConfiguration", value) == {
        "Name": "n", "ServerProperties": b"a=1", "KafkaVersions": ["3"]}
    params = strategies.to_params("glue", "GetMLTaskRuns", {
        "TransformId": "t", "Filter": {"StartedBefore": 946684800, "StartedAfter": 946684800.5}})
    assert params["Filter"]["StartedBefore"] == datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    assert params["Filter"]["StartedAfter"].microsecond == 500000
    # Values of the wrong type (invalid cases) pass through unchanged.
    assert strategies.to_params("glue", "GetMLTaskRuns", {"Filter": {"StartedBefore": "x"}, "Extra": 1}) == {
        "Filter": {"StartedBefore": "x"}, "Extra": 1}
