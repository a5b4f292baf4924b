"""Requests decoded by the protocol layer into the input the endpoint sees.

botocore's protocol test fixtures (tests/unit/protocols/input, see tests/data/SOURCES.md): every input case's
serialized request decodes back to the case's params, compared as clients mean them (timestamps as instants,
blobs as bytes), for query, ec2, rest-json, rest-xml and both awsJson versions. Then what botocore really puts
on the wire for cases the issue names: an "invalid" value the wire carries as a valid one decodes as that
valid value, and text that is not its member's type stays text for validation to flag.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import email.utils
import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import botocore.awsrequest
import botocore.config
import botocore.parsers
import pytest

from conformance import spec
from conformance.exchange import HttpRequest
from conformance.protocols import protocol_for
from conformance.protocols.base import part_root, resolve, shape_kind
from conformance.spec.derive import Schema
from conformance.spec.validation import violations
from tests.test_protocols_fixtures import document_for

INPUT_FILES = ("input__query.json", "input__ec2.json", "input__rest-json.json", "input__rest-xml.json",
               "input__json.json", "input__json_1_0.json")

# Cases whose params say more than the wire can: what botocore sends for them carries nothing, so the
# endpoint sees the member absent. Each is compared without its empty collections.
CARRIES_NOTHING = {
    # An empty list in an ec2 form is no field at all (botocore's EC2Serializer writes nothing).
    "Ec2EmptyQueryLists": "ec2 empty list",
    # An empty `headers` map is no header at all.
    "RestJsonHttpPrefixHeadersAreNotPresent": "empty prefix-headers map",
    "HttpPrefixHeadersAreNotPresent": "empty prefix-headers map",
    # Empty lists in a query string are no parameter at all.
    "RestJsonOmitsEmptyListQueryValues": "empty query-string lists",
    "RestXmlOmitsEmptyListQueryValues": "empty query-string lists",
    # An empty map in a query form is no field at all (botocore's QuerySerializer writes no entry).
    "QueryEmptyQueryMaps": "query empty map",
}
# botocore sends `{}` for an absent structure payload (RestJSONSerializer's empty body): the endpoint sees
# an empty structure, which is what it is given.
EMPTY_STRUCTURE_PAYLOAD = {"RestJsonHttpWithEmptyStructurePayload", "RestJsonHttpWithHeadersButNoPayload"}
# A server puts every query parameter in the unnamed query map (Smithy's restJson1 server tests:
# "servers must use all query params in the unnamed map"), those other members are bound to as well. These
# cases state only what a client sends: the client-only RestJsonQueryParamsStringListMap and
# RestXmlQueryParamsStringListMap (`appliesTo: "client"`), and restXml's, whose suite has no server tests.
UNNAMED_MAP_HOLDS_ALL = {"RestJsonQueryParamsStringListMap", "RestXmlQueryParamsStringListMap",
                         "AllQueryStringTypes", "RestXmlQueryStringEscaping", "RestXmlSupportsNaNFloatQueryValues",
                         "RestXmlSupportsInfinityFloatQueryValues", "RestXmlSupportsNegativeInfinityFloatQueryValues",
                         "RestXmlZeroAndFalseQueryValues"}


def _ignored(shared: Path) -> tuple[set[str], set[str]]:
    """The case ids and suite descriptions botocore skips for input (protocol-tests-ignore-list.json)."""
    data = json.loads((shared / "botocore-protocol-tests" / "protocol-tests-ignore-list.json").read_text())
    suites = set(data.get("general", {}).get("input", {}).get("suites", []))
    cases: set[str] = set(data.get("general", {}).get("input", {}).get("cases", []))
    for protocol in data.get("protocols", {}).values():
        cases.update(protocol.get("input", {}).get("cases", []))
    return cases, suites


def _cases(shared: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    ignored_cases, ignored_suites = _ignored(shared)
    found = []
    for name in INPUT_FILES:
        for suite in json.loads((shared / "botocore-protocol-tests" / name).read_text()):
            if suite["description"] in ignored_suites:
                continue
            for case in suite["cases"]:
                if case["id"] not in ignored_cases:
                    found.append((f"{name.removeprefix('input__').removesuffix('.json')}:{case['id']}", suite,
                                  case))
    return found


def _request(case: dict[str, Any]) -> HttpRequest:
    serialized = case["serialized"]
    host = str(serialized.get("host", "example.com")).split("/", 1)[0]
    return HttpRequest(serialized.get("method", "POST"), f"https://{host}{serialized['uri']}",
                       dict(serialized.get("headers", {})), str(serialized.get("body", "")).encode("utf-8"))


def _instant(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def as_client_input(document: Schema, schema: Schema, value: Any, decoded: bool) -> Any:
    """VALUE (a decoded data-model value, or a case's params) as clients mean it: member names, null members
    absent, timestamps as instants, blobs as bytes, non-finite floats as floats."""
    schema = resolve(document, schema)
    kind = shape_kind(schema)
    if kind == "structure" and isinstance(value, dict):
        properties = schema.get("properties", {})
        by_member = {member.get("x-aws-member", name): (name, member) for name, member in properties.items()}
        result = {}
        for key, item in value.items():
            if item is None:
                continue
            name, member = (key, properties[key]) if decoded and key in properties else by_member.get(key, (key, {}))
            result[member.get("x-aws-member", name) if decoded else key] = (
                as_client_input(document, member, item, decoded) if member else item)
        return result
    if kind == "list" and isinstance(value, list):
        items = schema.get("items", {})
        items = next((o for o in items.get("anyOf", []) if "$ref" in o), items)
        return [as_client_input(document, items, item, decoded) for item in value]
    if kind == "map" and isinstance(value, dict):
        values = schema.get("additionalProperties", {})
        values = next((o for o in values.get("anyOf", []) if "$ref" in o), values)
        return {key: as_client_input(document, values, item, decoded) for key, item in value.items()}
    if kind == "timestamp":
        instant = _instant(value)
        return value if instant is None else instant
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value) if decoded else value.encode("utf-8")
    if kind in ("float", "double") and value in ("NaN", "Infinity", "-Infinity"):
        return float(str(value).lower().replace("infinity", "inf"))
    if kind in ("float", "double") and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _without_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_empty(item) for key, item in value.items() if item not in ([], {})}
    return value


def _with_all_query_params(document: Schema, root: Schema, case: dict[str, Any],
                           expected: dict[str, Any]) -> dict[str, Any]:
    """EXPECTED with its unnamed query map holding every parameter of the case's query string."""
    params = parse_qsl(urlsplit(case["serialized"]["uri"]).query, keep_blank_values=True)
    for name, member in resolve(document, root)["properties"].items():
        target = resolve(document, member)
        if member.get("x-aws-location") == "querystring" and "x-aws-location-name" not in member:
            lists = shape_kind(resolve(document, target["additionalProperties"])) == "list"
            mapped: dict[str, Any] = {}
            for key, text in params:
                if lists:
                    mapped.setdefault(key, []).append(text)
                else:
                    mapped.setdefault(key, text)
            expected = {**expected, name: mapped}
    return expected


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, float):
        return (math.isnan(expected) and math.isnan(actual)) or expected == actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(_same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_same, expected, actual))
    return bool(expected == actual and type(expected) is type(actual))


def test_every_input_case_decodes_to_its_params(shared_data: Path) -> None:
    problems: list[str] = []
    checked: dict[str, int] = {}
    for case_id, suite, case in _cases(shared_data):
        document = document_for(suite, case)
        protocol = protocol_for(document)
        decoded = protocol.decode_request(_request(case), document)
        checked[protocol.name] = checked.get(protocol.name, 0) + 1
        if decoded.violations:
            problems.append(f"{case_id}: wire violations {decoded.violations}")
            continue
        root = part_root(document, "input")
        if root is None:
            if decoded.value not in ({}, None):
                problems.append(f"{case_id}: decoded {decoded.value!r} for an operation without input")
            continue
        expected = as_client_input(document, root, case["params"], decoded=False)
        if case["id"] in CARRIES_NOTHING:
            expected = _without_empty(expected)
        if case["id"] in UNNAMED_MAP_HOLDS_ALL:
            expected = _with_all_query_params(document, root, case, expected)
        if case["id"] in EMPTY_STRUCTURE_PAYLOAD:
            payload = resolve(document, root)["x-aws-payload"]
            expected.setdefault(payload, {})
        actual = as_client_input(document, root, decoded.value, decoded=True)
        if not _same(expected, actual):
            problems.append(f"{case_id}: decoded {actual!r}, expected {expected!r}")
    assert problems == []
    for name in ("query", "ec2", "rest-json", "rest-xml", "json"):
        assert checked.get(name, 0) >= 10, checked


# -- what real botocore clients put on the wire -----------------------------------------------------------------


# A canned answer's body by protocol: an empty structure (botocore reads an empty XML body as unparseable).
CANNED_BODIES = {"smithy-rpc-v2-cbor": b"\xa0", "json": b"{}", "rest-json": b"{}"}


class _CannedRaw:
    """An urllib3-like body for a canned answer: nothing is sent, botocore reads a 200 with BODY."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, *_: Any, **__: Any) -> Any:
        yield self.body


def _sent(service: str, operation: str, params: dict[str, Any], endpoint_url: str | None = None) -> HttpRequest:
    """The request a real boto3 client (no parameter validation) builds from PARAMS; it is never sent."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                          endpoint_url=endpoint_url,
                          config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 0}))
    captured: list[HttpRequest] = []

    def capture(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode("utf-8")
        captured.append(HttpRequest(request.method, request.url, {k: v.decode("latin-1") if isinstance(v, bytes)
                                                                  else str(v) for k, v in request.headers.items()},
                                    body))
        body = CANNED_BODIES.get(client.meta.service_model.resolved_protocol, b"")
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _CannedRaw(body))

    client.meta.events.register("before-send", capture)
    python_name = {api: name for name, api in client.meta.method_to_api_mapping.items()}[operation]
    with contextlib.suppress(botocore.parsers.ResponseParserError):  # an empty body is no XML: not our concern
        getattr(client, python_name)(**params)
    assert captured, f"botocore sent nothing for {service} {operation} {params}"
    return captured[0]


def _decode_sent(service: str, operation: str, params: dict[str, Any],
                 endpoint_url: str | None = None) -> tuple[Any, list[Any]]:
    """The input the endpoint sees for PARAMS, and its violations (wire and schema) against the input schema."""
    request = _sent(service, operation, params, endpoint_url)
    document = spec.document(service, operation)
    decoded = protocol_for(document).decode_request(request, document)
    return decoded.value, decoded.violations + violations(spec.part(service, operation, "input"), decoded.value)


@pytest.mark.parametrize(("service", "operation", "params", "seen"), [
    # An integer where a string belongs travels as its digits: a valid string.
    ("s3", "ListBuckets", {"Prefix": 0}, {"Prefix": "0"}),
    ("sns", "ListTopics", {"NextToken": 0}, {"NextToken": "0"}),
    # A string where a list belongs: botocore iterates it, one item per character.
    ("ec2", "DescribeVpcs", {"VpcIds": "x"}, {"VpcIds": ["x"]}),
    # A boolean in a URI label travels as Python's `True`: a valid alias name.
    ("lambda", "GetAlias", {"FunctionName": "f", "Name": True}, {"FunctionName": "f", "Name": "True"}),
    # An empty dict where an ec2 list belongs travels as nothing at all.
    ("ec2", "DescribeVpcs", {"VpcIds": {}}, {}),
])
def test_an_invalid_value_the_wire_carries_as_valid_decodes_as_valid(service: str, operation: str,
                                                                     params: dict[str, Any], seen: Any) -> None:
    value, found = _decode_sent(service, operation, params)
    assert found == []
    assert value == seen


def test_text_that_is_not_its_type_stays_text_for_validation() -> None:
    # `MaxKeys: True` travels as `?max-keys=True`: not an integer, on the wire and for the schema. (botocore's
    # S3 customization adds `encoding-type=url` to every listing.)
    value, found = _decode_sent("s3", "ListObjectsV2", {"Bucket": "bucket", "MaxKeys": True})
    assert value == {"Bucket": "bucket", "MaxKeys": "True", "EncodingType": "url"}
    assert {(v.pointer, v.keyword) for v in found} == {("/MaxKeys", "wire"), ("/MaxKeys", "type")}


def test_a_header_member_holds_the_text_that_travelled() -> None:
    # A dict where a header string belongs travels as its Python repr: a string the schema's pattern judges.
    value, _ = _decode_sent("s3", "ListObjectsV2", {"Bucket": "bucket", "ExpectedBucketOwner": {"x": "x"}})
    assert value["ExpectedBucketOwner"] == "{'x': 'x'}"


def test_valid_requests_of_each_protocol_decode_without_violations() -> None:
    cases = [
        ("s3", "PutObjectTagging", {"Bucket": "bucket", "Key": "a/b c.txt",
                                    "Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}),
        ("s3", "ListObjectsV2", {"Bucket": "bucket", "MaxKeys": 5, "Prefix": "p/"}),
        ("iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}",
                               "Tags": [{"Key": "k", "Value": "v"}]}),
        ("ec2", "DescribeVpcs", {"VpcIds": ["vpc-1", "vpc-2"],
                                 "Filters": [{"Name": "state", "Values": ["available"]}]}),
        ("sns", "SetTopicAttributes", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                                       "AttributeName": "DisplayName", "AttributeValue": "v"}),
        ("lambda", "ListFunctions", {"MaxItems": 10, "Marker": "m"}),
    ]
    for service, operation, params in cases:
        value, found = _decode_sent(service, operation, params)
        assert found == [], (service, operation, found)
        assert value, (service, operation)


@pytest.mark.parametrize("endpoint_url", [None, "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:5000",
                                          "https://s3.localhost.localstack.cloud:4566"])
def test_s3_labels_decode_virtual_hosted_and_path_style(endpoint_url: str | None) -> None:
    # botocore sends `bucket.s3.amazonaws.com/a/b.txt` by default and `/bucket/a/b.txt` to an endpoint URL.
    request = _sent("s3", "GetObject", {"Bucket": "bucket", "Key": "a/b c.txt"}, endpoint_url)
    document = spec.document("s3", "GetObject")
    decoded = protocol_for(document).decode_request(request, document)
    assert decoded.violations == []
    # (botocore also asks for checksums: `x-amz-checksum-mode: ENABLED`, the ChecksumMode member.)
    assert decoded.value == {"Bucket": "bucket", "Key": "a/b c.txt", "ChecksumMode": "ENABLED"}, request.url
