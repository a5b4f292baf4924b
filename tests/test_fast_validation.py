"""The compiled fast path of validation agrees with jsonschema: never valid where jsonschema finds a violation.

Generated valid values (which jsonschema accepts) are accepted by the fast path too, and every generated
invalid case (each breaks a keyword, checked by jsonschema) is rejected by it, on operations of every protocol.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies
from conformance import spec
from conformance.spec.fast_validation import compile_schema
from conformance.spec.validation import validator_for

OPERATIONS = [("glue", "GetMLTaskRun"), ("iam", "ListUsers"), ("ec2", "DescribeVpcs"), ("s3", "ListObjectsV2"),
              ("lambda", "GetFunctionConfiguration"), ("dynamodb", "Query")]
FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _jsonschema_valid(schema: dict[str, Any], value: Any) -> bool:
    return next(iter(validator_for(schema).iter_errors(value)), None) is None


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_valid_values_pass_the_fast_path(service: str, operation: str) -> None:
    schema = spec.part(service, operation, "output")
    check = compile_schema(schema)
    assert check is not None

    @FAST
    @given(strategies.responses(service, operation))
    def agree(value: Any) -> None:
        assert _jsonschema_valid(schema, value)
        assert check(value)

    agree()


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_invalid_cases_fail_the_fast_path(service: str, operation: str) -> None:
    schema = spec.part(service, operation, "input")
    check = compile_schema(schema)
    assert check is not None

    @FAST
    @given(strategies.invalid_inputs(service, operation))
    def agree(case: Any) -> None:
        assert not _jsonschema_valid(schema, case.value)
        assert not check(case.value), case.keyword

    agree()


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=3)))
@FAST
def test_any_json_value_never_passes_where_jsonschema_fails(value: Any) -> None:
    for service, operation in OPERATIONS[:3]:
        schema = spec.part(service, operation, "output")
        check = compile_schema(schema)
        assert check is not None
        if check(value):
            assert _jsonschema_valid(schema, value)


def test_a_keyword_it_does_not_know_leaves_the_schema_to_jsonschema() -> None:
    assert compile_schema({"type": "array", "uniqueItems": True}) is None
    assert compile_schema({"type": "object", "properties": {"a": {"const": 1}}}) is None
