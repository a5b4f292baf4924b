"""botocore's protocol test fixtures, every protocol: each output case decodes, through the protocol layer, to
the case's expected result with no wire violation, validates against the derived output schema, and each
error case reads the case's error code as clients do.

The fixtures are botocore's (tests/unit/protocols, see tests/data/SOURCES.md): each suite carries its own
shapes, from which a document is derived exactly as for a real service. As botocore's own test runner does,
a query operation without a `resultWrapper` gets Smithy's awsQuery default, `<Operation>Result`.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import email.utils
import json
import math
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ServiceModel

from conformance.exchange import HttpResponse
from conformance.protocols import protocol_for
from conformance.protocols.base import part_root, resolve, shape_kind
from conformance.spec.derive import Schema, ServiceDeriver
from conformance.spec.validation import violations

OUTPUT_FILES = ("output__json.json", "output__json_1_0.json", "output__query.json", "output__ec2.json",
                "output__rest-json.json", "output__rest-xml.json")
# Event streams are not decoded. The cases botocore itself skips (protocol-tests-ignore-list.json) are run
# too: the protocol layer reads them all.
EVENT_STREAM = "eventstream"


def _cases(shared: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for name in OUTPUT_FILES:
        for suite in json.loads((shared / "botocore-protocol-tests" / name).read_text()):
            for case in suite["cases"]:
                found.append((f"{name.removeprefix('output__').removesuffix('.json')}:{case['id']}", suite, case))
    return found


def document_for(suite: dict[str, Any], case: dict[str, Any]) -> Schema:
    operation = json.loads(json.dumps(case["given"]))
    metadata = suite["metadata"]
    if metadata["protocol"] == "query" and "output" in operation:
        operation["output"].setdefault("resultWrapper", f"{operation['name']}Result")
    model = ServiceModel({"metadata": metadata, "shapes": suite.get("shapes", {}),
                          "operations": {operation["name"]: operation}}, service_name="protocoltest")
    return ServiceDeriver(model).document(operation["name"])


def as_botocore(document: Schema, schema: Schema, value: Any) -> Any:
    """A decoded data-model value as botocore's fixtures write results, reading it as clients do: member names
    for wire names, null and unknown members absent, a union's `__type` ignored, nulls skipped in dense
    collections; timestamps as epoch seconds, blobs as their text."""
    schema = resolve(document, schema)
    kind = shape_kind(schema)
    if value is None:
        return None
    if kind == "structure" and isinstance(value, dict):
        properties = schema.get("properties", {})
        return {properties[k].get("x-aws-member", k): as_botocore(document, properties[k], v)
                for k, v in value.items() if k in properties and v is not None}
    if kind == "list" and isinstance(value, list):
        items = schema.get("items", {})
        sparse = "anyOf" in items
        items = next((o for o in items.get("anyOf", []) if "$ref" in o), items)
        return [as_botocore(document, items, v) for v in value if sparse or v is not None]
    if kind == "map" and isinstance(value, dict):
        values = schema.get("additionalProperties", {})
        sparse = "anyOf" in values
        values = next((o for o in values.get("anyOf", []) if "$ref" in o), values)
        return {k: as_botocore(document, values, v) for k, v in value.items() if sparse or v is not None}
    if kind == "timestamp":
        return _epoch(value)
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return value
    return value


def _epoch(value: Any) -> Any:
    if isinstance(value, int | float):
        return value
    text = str(value)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(text)
        return calendar.timegm(parsed.utctimetuple())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    seconds = moment.timestamp()
    return int(seconds) if seconds.is_integer() else seconds


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected):
        return math.isnan(actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(_same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_same, expected, actual))
    if isinstance(expected, str) and isinstance(actual, float) and expected in ("NaN", "Infinity", "-Infinity"):
        return _same(float(expected.lower().replace("infinity", "inf")), actual)
    return bool(expected == actual and type(expected) is type(actual)) or (
        isinstance(expected, int | float) and isinstance(actual, int | float)
        and not isinstance(expected, bool) and not isinstance(actual, bool) and expected == actual)


def _response(case: dict[str, Any]) -> HttpResponse:
    wire = case["response"]
    return HttpResponse(wire["status_code"], dict(wire.get("headers", {})), wire.get("body", "").encode("utf-8"))


def test_every_output_case_decodes_to_its_result(shared_data: Path) -> None:
    problems: list[str] = []
    checked: dict[str, int] = {}
    for case_id, suite, case in _cases(shared_data):
        if EVENT_STREAM in json.dumps(suite.get("shapes", {})).lower():
            continue
        document = document_for(suite, case)
        protocol = protocol_for(document)
        response = _response(case)
        if "error" in case:
            problem = _error_problem(document, protocol, response, case)
        else:
            problem = _output_problem(document, protocol, response, case)
        if problem:
            problems.append(f"{case_id}: {problem}")
        checked[protocol.name] = checked.get(protocol.name, 0) + 1
    assert problems == []
    for name in ("json", "query", "ec2", "rest-json", "rest-xml"):
        assert checked.get(name, 0) >= 20, checked


def _output_problem(document: Schema, protocol: Any, response: HttpResponse, case: dict[str, Any]) -> str | None:
    decoded = protocol.decode_output(response, document)
    if decoded.violations:
        return f"wire violations {decoded.violations}"
    root = part_root(document, "output")
    expected = case.get("result", {})
    # An operation without output: whatever the body holds, clients read nothing (botocore gives {}).
    actual = as_botocore(document, root, decoded.value) if root is not None else {}
    if not _same(expected, actual):
        return f"decoded {actual!r}, expected {expected!r}"
    if root is not None:
        schema = {"$ref": document["x-aws-output"], "$defs": document["$defs"]}
        broken = [v for v in violations(schema, decoded.value) if not v.unknown_member]
        if broken:
            return f"schema violations {broken}"
    return None


def _error_problem(document: Schema, protocol: Any, response: HttpResponse, case: dict[str, Any]) -> str | None:
    code = protocol.error_code(response, document)
    read = code.code if code is not None else None
    expected_code = case.get("errorCode") or case["error"].get("Code")
    if read != expected_code and not (read is None and protocol.codeless_error_allowed(None, response)):
        return f"error code {read!r}, expected {expected_code!r}"
    shape_name = next((name for name in document["x-aws-errors"] if name == case.get("errorCode")), None)
    if shape_name is None:
        return None
    decoded = protocol.decode_error(response, document, shape_name)
    if decoded.violations:
        return f"wire violations {decoded.violations}"
    root = part_root(document, f"error:{shape_name}")
    actual = as_botocore(document, root, decoded.value) if root is not None else decoded.value
    for key, value in actual.items():
        if key in ("message", "Message"):
            continue
        if key not in case["error"] or not _same(case["error"][key], value):
            return f"error member {key} decoded {value!r}, expected {case['error'].get(key)!r}"
    return None


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
    b"<ListUsersResponse><ListUsersResult>&lol2;</ListUsersResult></ListUsersResponse>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
])
def test_entity_declarations_are_refused_not_expanded(body: bytes) -> None:
    from conformance import spec

    document = spec.document("iam", "ListUsers")
    decoded = protocol_for(document).decode_output(HttpResponse(200, {"Content-Type": "text/xml"}, body), document)
    assert [v.keyword for v in decoded.violations] == ["wire"]
    assert "DTD" in decoded.violations[0].message or "entity" in decoded.violations[0].message.lower()
    assert decoded.value == {}


def test_hostile_xml_answers_end_as_findings_in_bounded_time() -> None:
    """10,000-deep nesting, a huge body and a truncated one: each a wire violation, quickly, never a crash."""
    import time

    from conformance import spec

    document = spec.document("iam", "GetUser")
    protocol = protocol_for(document)
    deep = b"<GetUserResponse><GetUserResult><User>" + b"<a>" * 10_000 + b"</a>" * 10_000 + \
        b"</User></GetUserResult></GetUserResponse>"
    huge = b"<GetUserResponse><GetUserResult><User><UserName>" + b"x" * 8_000_000 + b"</UserName>"
    truncated = b"<GetUserResponse><GetUserResult><User><UserName>bob</User"
    for body in (deep, huge, truncated):
        started = time.perf_counter()
        decoded = protocol.decode_output(HttpResponse(200, {"Content-Type": "text/xml"}, body), document)
        assert time.perf_counter() - started < 5
        assert decoded.violations or body is deep, body[:60]
    recursive = spec.document("iam", "ListUsers")
    assert protocol.decode_output(HttpResponse(200, {}, deep), recursive).violations  # wrong root, read shallowly


def test_an_invalid_case_that_travels_as_a_valid_request_is_counted() -> None:
    from conformance.checks import CHECKS
    from conformance.runner import Runner, RunOptions
    from conformance.targets import make_target

    options = RunOptions(checks=dict(CHECKS), max_examples=20, seed=1)
    with make_target("moto") as target:
        result = Runner(target, options).run_operation("s3", "ListBuckets")
    # {"Prefix": 0} and its kind travel as ?prefix=0: valid requests, judged so and counted.
    assert result.stats.travelled_valid > 0
    assert not [f for f in result.findings if f.check == "negative_data_rejection" and "/Prefix" in f.message
                and "type" in f.message]
