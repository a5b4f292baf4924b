"""Every botocore service: valid inputs and responses of sampled operations validate against their schemas
with jsonschema, invalid cases fail it and boundary cases are labelled as it says, and Hypothesis reports
no health-check failure (too slow, filtering too much, large base example) while generating any of them.

Each service is one test; its operations are sampled deterministically (CONFORMANCE_STRATEGY_OPERATIONS per
service, default 6, "all" for every operation: a full sweep, ~40,000 schemas, takes about 20 CPU-minutes).
"""

from __future__ import annotations

import os
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator

from conformance.spec import operations, part, service_names
from conformance.spec.validation import violations
from strategies import boundary_inputs, from_schema, invalid_inputs

PER_SERVICE = os.environ.get("CONFORMANCE_STRATEGY_OPERATIONS", "6")
EXAMPLES = 3

# Schemas with no valid value at all, because the model contradicts itself; their strategy is empty.
CONTRADICTIONS = {
    # Service.ServiceId: pattern of a 36-character UUID, minLength = maxLength = 32 (a required member).
    ("apprunner", "output"): {"CreateService", "DeleteService", "DescribeService", "PauseService",
                              "ResumeService", "UpdateService"},
}


def sampled_operations(service: str, count: str = PER_SERVICE) -> list[str]:
    names = operations(service)
    if count == "all":
        return names
    # A stable shuffle (crc32, not hash()): the same operations on every run and machine.
    return sorted(names, key=lambda name: zlib.crc32(f"{service}.{name}".encode()))[: int(count)]


def check(schema: dict[str, Any]) -> None:
    validator = Draft202012Validator(schema)

    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True)
    @given(from_schema(schema))
    def generated_values_validate(value: Any) -> None:
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(value)]
        assert not errors, errors

    generated_values_validate()


@pytest.mark.parametrize("service", service_names())
def test_valid_inputs_and_responses_of_every_service(service: str) -> None:
    for operation in sampled_operations(service):
        for which in ("input", "output"):
            schema = part(service, operation, which)
            if operation in CONTRADICTIONS.get((service, which), ()):
                with pytest.raises(Unsatisfiable):
                    check(schema)
                continue
            try:
                check(schema)
            except Exception as error:
                error.add_note(f"{service} {operation} {which}")
                raise


@pytest.mark.parametrize("service", service_names())
def test_invalid_and_boundary_inputs_of_every_service(service: str) -> None:
    operation = sampled_operations(service, "1")[0]
    schema = part(service, operation, "input")

    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True)
    @given(invalid_inputs(service, operation))
    def invalid_cases_fail(case: Any) -> None:
        assert any(v.keyword == case.keyword or case.keyword == "propertyNames"
                   for v in violations(schema, case.value)), case

    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True)
    @given(boundary_inputs(service, operation))
    def boundaries_are_labelled_truthfully(case: Any) -> None:
        assert (violations(schema, case.value) == []) == case.valid, case

    invalid_cases_fail()
    if not boundary_inputs(service, operation).is_empty:  # an input without any limit has no boundary
        boundaries_are_labelled_truthfully()
