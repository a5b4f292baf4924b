"""The smithy-rpc-v2-cbor protocol: botocore's fixtures (tests/unit/protocols, see tests/data/SOURCES.md; bodies
base64 there) decode into the JSON data model the spec describes, every output case to its result and every
input case to its params; what only the wire can tell is a wire violation; hostile bodies end as wire
violations in bounded time, never as an exception.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import cbor2
import pytest

from conformance.exchange import HttpRequest, HttpResponse
from conformance.protocols import protocol_for, protocol_named
from conformance.protocols.base import Decoded, part_root
from conformance.protocols.cbor_protocol import RpcV2CborProtocol
from conformance.spec.derive import Schema
from tests.test_protocols_fixtures import _error_problem, _output_problem, document_for
from tests.test_protocols_requests import _same, as_client_input

FIXTURES = "botocore-protocol-tests"
CONTENT = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


def _suites(shared: Path, kind: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path in sorted((shared / FIXTURES).glob(f"{kind}__smithy-rpc-v2-cbor*.json")):
        for suite in json.loads(path.read_text()):
            for case in suite["cases"]:
                found.append((f"{path.stem}:{case['id']}", suite, case))
    return found


def test_every_output_case_decodes_to_its_result(shared_data: Path) -> None:
    # Every case, the two botocore's ignore list skips (extra fields, a null in a dense set map) included.
    problems: list[str] = []
    checked = 0
    for case_id, suite, case in _suites(shared_data, "output"):
        document = document_for(suite, case)
        protocol = protocol_for(document)
        assert protocol.name == "smithy-rpc-v2-cbor"
        wire = case["response"]
        response = HttpResponse(wire["status_code"], dict(wire.get("headers", {})),
                                base64.b64decode(wire.get("body", "")))
        problem = (_error_problem(document, protocol, response, case) if "error" in case
                   else _output_problem(document, protocol, response, case))
        if problem:
            problems.append(f"{case_id}: {problem}")
        checked += 1
    assert problems == []
    assert checked >= 30


def test_every_input_case_decodes_to_its_params(shared_data: Path) -> None:
    problems: list[str] = []
    checked = 0
    for case_id, suite, case in _suites(shared_data, "input"):
        document = document_for(suite, case)
        serialized = case["serialized"]
        request = HttpRequest(serialized.get("method", "POST"), f"https://example.com{serialized['uri']}",
                              dict(serialized.get("headers", {})), base64.b64decode(serialized.get("body", "")))
        decoded = protocol_for(document).decode_request(request, document)
        checked += 1
        if decoded.violations:
            problems.append(f"{case_id}: wire violations {decoded.violations}")
            continue
        root = part_root(document, "input")
        if root is None:
            continue
        expected = as_client_input(document, root, case["params"], decoded=False)
        actual = as_client_input(document, root, decoded.value, decoded=True)
        if not _same(expected, actual):
            problems.append(f"{case_id}: decoded {actual!r}, expected {expected!r}")
    assert problems == []
    assert checked >= 15


# -- what only the wire can tell ------------------------------------------------------------------------------


def _document(members: dict[str, str]) -> Schema:
    """A one-operation rpc-v2-cbor document whose output has MEMBERS (name → botocore type)."""
    from botocore.model import ServiceModel

    from conformance.spec.derive import ServiceDeriver

    shapes: dict[str, Any] = {"Output": {"type": "structure",
                                         "members": {name: {"shape": f"T{name}"} for name in members}}}
    shapes.update({f"T{name}": {"type": kind} for name, kind in members.items()})
    shapes.update({f"T{name}": {"type": "list", "member": {"shape": "TString"}}
                   for name, kind in members.items() if kind == "list"})
    shapes["TString"] = {"type": "string"}
    model = ServiceModel({"metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor"],
                                       "apiVersion": "2020-07-14", "targetPrefix": "T"},
                          "shapes": shapes,
                          "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
                                                "output": {"shape": "Output"}}}}, service_name="cbortest")
    return ServiceDeriver(model).document("Op")


def _decode(value: Any, members: dict[str, str]) -> Decoded:
    document = _document(members)
    return protocol_named("smithy-rpc-v2-cbor").decode_output(HttpResponse(200, CONTENT, cbor2.dumps(value)),
                                                              document)


def test_a_body_decodes_into_the_json_data_model() -> None:
    decoded = _decode({"When": cbor2.CBORTag(1, 1.5), "Data": b"\x00\x01", "Ratio": float("nan"),
                       "Count": 3, "Extra": b"x"}, {"When": "timestamp", "Data": "blob", "Ratio": "double",
                                                   "Count": "integer"})
    assert decoded.violations == []
    assert decoded.value == {"When": 1.5, "Data": "AAE=", "Ratio": "NaN", "Count": 3, "Extra": "eA=="}


@pytest.mark.parametrize(("value", "members", "pointer"), [
    ({"When": 1576540098}, {"When": "timestamp"}, "/When"),  # epoch seconds without tag 1
    ({"Data": "AAE="}, {"Data": "blob"}, "/Data"),  # a text string where a byte string belongs
    ({"Name": b"abc"}, {"Name": "string"}, "/Name"),  # a byte string where a text string belongs
    ({"Name": cbor2.CBORTag(1, 5)}, {"Name": "string"}, "/Name"),  # a timestamp where a string belongs
    ({"Name": cbor2.CBORTag(1, "2020-01-01")}, {"Name": "timestamp"}, "/Name"),  # tag 1 around text
    ({"Name": cbor2.undefined}, {"Name": "string"}, "/Name"),  # a simple value the protocol does not use
])
def test_what_only_the_wire_can_tell_is_a_wire_violation(value: Any, members: dict[str, str],
                                                         pointer: str) -> None:
    decoded = _decode(value, members)
    assert [(v.pointer, v.keyword) for v in decoded.violations] == [(pointer, "wire")]


def test_a_wrong_major_type_is_left_for_the_schema() -> None:
    decoded = _decode({"Count": "three", "Flag": 1}, {"Count": "integer", "Flag": "boolean"})
    assert decoded.violations == []
    assert decoded.value == {"Count": "three", "Flag": 1}


def test_indefinite_lengths_are_legal() -> None:
    body = b"\xbf" + cbor2.dumps("Names") + b"\x9f\x7f\x62ab\x61c\xff\xff\xff"  # {_ "Names": [_ (_ "ab" "c")]}
    document = _document({"Names": "list"})
    decoded = RpcV2CborProtocol().decode_output(HttpResponse(200, CONTENT, body), document)
    assert decoded.violations == []
    assert decoded.value == {"Names": ["abc"]}


def test_error_code_comes_from_type_or_the_query_compatible_header() -> None:
    protocol = RpcV2CborProtocol()
    body = cbor2.dumps({"__type": "com.example#ThrottlingException", "message": "slow down"})
    assert protocol.error_code(HttpResponse(400, CONTENT, body)).code == "ThrottlingException"  # type: ignore[union-attr]
    compatible = {"x-aws-query-compatible": True}
    header = {**CONTENT, "x-amzn-query-error": "Throttling;Sender"}
    assert protocol.error_code(HttpResponse(400, header, body), compatible).code == "Throttling"  # type: ignore[union-attr]
    assert protocol.error_code(HttpResponse(400, CONTENT, b"\xa0")) is None
    assert protocol.error_code(HttpResponse(400, CONTENT, b"\xa1\x66__ty")) is None  # truncated: no code


def test_a_request_without_the_protocol_header_is_a_wire_violation() -> None:
    document = _document({})
    document["x-aws-input"] = document["x-aws-output"]
    request = HttpRequest("POST", "https://example.com/service/T/operation/Op",
                          {"Content-Type": "application/cbor"}, b"\xa0")
    decoded = RpcV2CborProtocol().decode_request(request, document)
    assert [v.keyword for v in decoded.violations] == ["wire"]
    assert "smithy-protocol" in decoded.violations[0].message


# -- hostile bodies --------------------------------------------------------------------------------------------

HOSTILE = {
    "truncated map": b"\xa2\x64Name\x63ab",
    "truncated header": b"\x1b\x00\x00",
    "a byte string declaring 2^60 bytes": b"\x5b" + (2**60).to_bytes(8, "big") + b"abc",
    "a text string declaring 2^60 bytes": b"\x7b" + (2**60).to_bytes(8, "big") + b"abc",
    "an array declaring 2^60 items": b"\x9b" + (2**60).to_bytes(8, "big") + b"\x01",
    "a map declaring 2^60 entries": b"\xbb" + (2**60).to_bytes(8, "big") + b"\x61a\x01",
    "10,000-deep arrays": b"\x81" * 10_000 + b"\x01",
    "10,000-deep indefinite maps": (b"\xbf\x61a") * 10_000 + b"\x01" + b"\xff" * 10_000,
    "an unterminated indefinite array": b"\x9f\x01\x02",
    "invalid UTF-8": b"\xa1\x64Name\x62\xff\xfe",
    "a stray break": b"\xff",
    "bytes after the item": b"\xa0\xa0",
    "duplicate keys": b"\xa2\x61a\x01\x61a\x02",
    "an integer map key": b"\xa1\x01\x02",
    "a reserved additional-information value": b"\x1c",
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bodies_end_as_wire_violations_in_bounded_time(body: bytes) -> None:
    document = _document({"Name": "string"})
    protocol = RpcV2CborProtocol()
    started = time.monotonic()
    for decode in (lambda: protocol.decode_output(HttpResponse(200, CONTENT, body), document),
                   lambda: protocol.decode_error(HttpResponse(400, CONTENT, body), document, "Output")):
        decoded = decode()
        assert [v.keyword for v in decoded.violations] == ["wire"]
        assert decoded.value == {}
    assert protocol.error_code(HttpResponse(400, CONTENT, body)) is None
    # Generous: each of these costs microseconds; a decoder that allocated or recursed per declared item
    # would take minutes or die.
    assert time.monotonic() - started < 5


def test_the_protocol_is_in_the_table() -> None:
    protocol = protocol_named("smithy-rpc-v2-cbor")
    assert isinstance(protocol, RpcV2CborProtocol)
    assert protocol.response_content_types == ("application/cbor",)
    assert protocol.protocol_headers == {"smithy-protocol": "rpc-v2-cbor"}


def test_a_real_client_request_decodes_to_valid_input() -> None:
    # What botocore itself sends for a real rpc-v2-cbor service: timestamps as tag 1, the protocol header.
    import datetime

    from conformance import spec
    from conformance.spec.validation import violations
    from tests.test_protocols_requests import _sent

    params = {"dataSetName": "logs", "startTime": datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
              "endTime": datetime.datetime(2026, 1, 3, 12, 30, 0, 500000, tzinfo=datetime.UTC)}
    request = _sent("cloudwatchomni", "ListTelemetryFields", params)
    document = spec.document("cloudwatchomni", "ListTelemetryFields")
    decoded = protocol_for(document).decode_request(request, document)
    assert decoded.violations == []
    assert decoded.value == {"dataSetName": "logs", "startTime": 1767312000, "endTime": 1767443400.5}
    assert violations(spec.part("cloudwatchomni", "ListTelemetryFields", "input"), decoded.value) == []
