"""Derived schemas accept what real SDK fixtures and real Glue responses carry on the wire.

- botocore's output protocol tests (json = JSON 1.1, json_1_0): schemas derived from each suite's inline
  shapes validate the wire bodies of its cases; error bodies validate against the error shape once the
  code (`__type` / `code`) is set aside.
- Real Glue responses recorded with placebo validate against the output schemas, after conversion back
  to the wire data model (placebo stores botocore's parse; datetimes become epoch seconds again).
"""

from __future__ import annotations

import calendar
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ServiceModel

from conformance import spec
from conformance.spec.derive import ServiceDeriver, def_pointer
from conformance.spec.validation import violations

PROTOCOL_FILES = ("output__json.json", "output__json_1_0.json")
ERROR_CODE_KEYS = ("__type", "code")


def _protocol_cases(shared_data: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    cases = []
    for name in PROTOCOL_FILES:
        for suite in json.loads((shared_data / "botocore-protocol-tests" / name).read_text()):
            for case in suite["cases"]:
                cases.append((f"{name}:{case['id']}", suite, case))
    return cases


def _deriver_for(suite: dict[str, Any], case: dict[str, Any]) -> ServiceDeriver:
    operation = case["given"]
    description = {
        "metadata": suite["metadata"],
        "shapes": suite.get("shapes", {}),
        "operations": {operation["name"]: operation},
    }
    return ServiceDeriver(ServiceModel(description, service_name="protocoltest"))


def _schema_for(deriver: ServiceDeriver, root: str | None) -> dict[str, Any]:
    if root is None:
        return {"type": "object", "properties": {}, "additionalProperties": False}
    return {"$ref": def_pointer(root), "$defs": deriver.defs_for([root])}


def test_every_protocol_output_case_validates(shared_data: Path) -> None:
    checked = 0
    problems = []
    for case_id, suite, case in _protocol_cases(shared_data):
        body_text = case["response"].get("body", "")
        if not body_text.strip():
            continue  # the code travels in a header only, or the body is empty: nothing to validate
        deriver = _deriver_for(suite, case)
        body = json.loads(body_text)
        if "error" in case:
            error_shape = next(
                (e["shape"] for e in case["given"].get("errors", []) if e["shape"] == case["errorCode"]), None
            )
            body = {k: v for k, v in body.items() if k not in ERROR_CODE_KEYS}
            schema = _schema_for(deriver, error_shape)
        else:
            schema = _schema_for(deriver, case["given"].get("output", {}).get("shape"))
        found = [v for v in violations(schema, body) if not v.unknown_member]
        unknown = [v.pointer for v in violations(schema, body) if v.unknown_member]
        if found:
            problems.append(f"{case_id}: {found}")
        if case_id.endswith("handles_unexpected_json_output"):
            # {"foo": true} for an operation without output: an unknown member, reported as such.
            assert unknown == ["/foo"]
        checked += 1
    assert problems == []
    assert checked >= 40


def _placebo_to_wire(value: Any) -> Any:
    """Undo placebo's encoding of botocore's parse: datetimes back to epoch seconds."""
    if isinstance(value, dict):
        if value.get("__class__") == "datetime":
            moment = datetime.datetime(
                value["year"], value["month"], value["day"], value["hour"], value["minute"], value["second"],
                value.get("microsecond", 0), tzinfo=datetime.UTC,
            )
            return calendar.timegm(moment.utctimetuple()) + moment.microsecond / 1e6
        return {k: _placebo_to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placebo_to_wire(v) for v in value]
    return value


def _placebo_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "glue-placebo").glob("*__glue.*.json"))


def test_real_glue_responses_validate(shared_data: Path) -> None:
    files = _placebo_files(shared_data)
    assert len(files) >= 7
    for path in files:
        operation = path.name.split("__glue.")[1].rsplit("_", 1)[0]
        recorded = json.loads(path.read_text())
        body = _placebo_to_wire(recorded["data"])
        body.pop("ResponseMetadata", None)  # added by botocore's parse, never on the wire
        schema = spec.part("glue", operation, "output")
        assert violations(schema, body) == [], path.name


def test_real_ml_transform_is_not_ready_with_real_id(shared_data: Path) -> None:
    recorded = json.loads((shared_data / "glue-placebo" /
                           "test_glue_ml_transform_delete__glue.GetMLTransforms_1.json").read_text())
    body = _placebo_to_wire(recorded["data"])
    body.pop("ResponseMetadata", None)
    schema = spec.part("glue", "GetMLTransforms", "output")
    assert violations(schema, body) == []
    body["Transforms"][0]["Status"] = "GONE"
    assert [v.keyword for v in violations(schema, body)] == ["enum"]


@pytest.mark.parametrize("operation", ["GetMLTransforms", "GetJobs", "GetWorkflow"])
def test_placebo_operations_exist_in_model(operation: str) -> None:
    assert spec.document("glue", operation)["x-aws-output"] is not None
