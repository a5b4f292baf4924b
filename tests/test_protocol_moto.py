"""Every protocol against moto, in process and as a real `moto_server`: runs complete with real cases, and no
finding comes from the protocol layer misreading the wire; moto's and LocalStack's "not implemented" answers
read as such on every protocol."""

from __future__ import annotations

import json
import re
from typing import Any

import defusedxml.ElementTree as SafeElementTree
import pytest

from conformance import spec
from conformance.checks import CHECKS
from conformance.findings import Finding
from conformance.results import OperationResult
from conformance.runner import Runner, RunOptions
from conformance.targets import Target, make_target
from tests.protocol_endpoints import serve_answer
from tests.test_moto_server import moto_server  # noqa: F401 - the fixture, shared with the Glue tests

BUCKET, USER, TOPIC = "conformance-bucket", "conformance-user", "conformance-topic"
# One operation of S3, IAM, EC2, Lambda and SNS each: rest-xml, query, ec2, rest-json, query.
OPERATIONS = [("s3", "ListObjectsV2"), ("iam", "GetUser"), ("ec2", "DescribeVpcs"),
              ("lambda", "GetFunctionConfiguration"), ("sns", "GetTopicAttributes")]
# Operations moto does not implement, on each protocol it answers "not implemented" on (moto's S3 answers
# every bucket URL with some bucket operation: rest-xml is covered by the 501 below).
NOT_IMPLEMENTED = [("iam", "GetContextKeysForCustomPolicy"), ("ec2", "DescribeAggregateIdFormat"),
                   ("lambda", "GetAccountSettings"), ("sns", "GetSMSSandboxAccountStatus")]


def _prepare(target: Target) -> dict[str, list[Any]]:
    """Resources the cases can find (a bucket holding an object, a user, a topic), as --example values."""
    s3 = target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="photos/cat.jpg", Body=b"meow")
    target.client("iam").create_user(UserName=USER)
    topic = target.client("sns").create_topic(Name=TOPIC)["TopicArn"]
    return {"Bucket": [BUCKET], "UserName": [USER], "TopicArn": [topic]}


def _run(target: Target, operations: list[tuple[str, str]], examples: dict[str, list[Any]] | None = None,
         max_examples: int = 5) -> list[OperationResult]:
    options = RunOptions(checks=dict(CHECKS), max_examples=max_examples, seed=1, examples=examples or {})
    return Runner(target, options).run(operations).operations


def _carries_code(protocol: str, response: dict[str, Any]) -> bool:
    """Whether the answer carries an error code where some AWS protocol puts one."""
    body = str(response.get("body", ""))
    if protocol in ("query", "ec2", "rest-xml"):
        return re.search(r"<Code>\s*[^<\s]", body) is not None
    headers = {name.lower() for name in response.get("headers", {})}
    if "x-amzn-errortype" in headers:
        return True
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, dict) and any(key in parsed for key in ("__type", "code", "Code"))


def _well_formed_xml(body: str) -> bool:
    try:
        SafeElementTree.fromstring(body.encode("utf-8"), forbid_dtd=True)
    except Exception:  # any parse failure: not well-formed
        return False
    return True


def _misreads_the_wire(protocol: str, finding: Finding) -> bool:
    """A finding its own answer contradicts: the protocol layer, not the endpoint, is wrong."""
    if finding.severity != "error" or not finding.response:
        return False
    if finding.check in ("error_code", "not_a_server_error", "negative_data_rejection") \
            and ("no code" in finding.message or "without code" in finding.message):
        return _carries_code(protocol, finding.response)
    if finding.check == "content_type" and protocol in ("query", "ec2", "rest-xml"):
        return _well_formed_xml(str(finding.response.get("body", "")))  # XML read as not XML
    return finding.check == "error_body" and "error shape" in finding.message


def protocol_faults(results: list[OperationResult]) -> list[str]:
    faults = []
    for result in results:
        protocol = str(spec.document(result.service, result.operation)["x-aws-protocol"])
        faults += [f"{result.service}:{result.operation} {f.check}: {f.message}" for f in result.findings
                   if _misreads_the_wire(protocol, f)]
    return faults


def _assert_read_right(results: list[OperationResult]) -> None:
    for result in results:
        assert result.status in ("pass", "fail"), (result.service, result.operation, result.notes)
        assert result.cases > 0, (result.service, result.operation)
    assert protocol_faults(results) == []


def _assert_not_implemented(results: list[OperationResult]) -> None:
    assert [(r.service, r.operation, r.status) for r in results] == [
        (r.service, r.operation, "not-implemented") for r in results]


def test_moto_in_process_is_read_right_on_every_protocol() -> None:
    with make_target("moto") as target:
        results = _run(target, OPERATIONS, _prepare(target))
        _assert_read_right(results)
        # Real resources found: the S3 listing and the IAM user answered 200.
        assert {r.operation for r in results if r.real_resource} >= {"ListObjectsV2", "GetUser"}
        _assert_not_implemented(_run(target, NOT_IMPLEMENTED, max_examples=2))


def test_moto_server_is_read_right_on_every_protocol(moto_server: str) -> None:  # noqa: F811 - the fixture
    with make_target(moto_server) as target:
        results = _run(target, OPERATIONS, _prepare(target))
        _assert_read_right(results)
        assert {r.operation for r in results if r.real_resource} >= {"ListObjectsV2", "GetUser"}
        _assert_not_implemented(_run(target, NOT_IMPLEMENTED, max_examples=2))


# LocalStack answers an operation it lacks with HTTP 501 and its protocol's error shape (its
# `NotImplementedAvoidFallbackError` handler): the code InternalFailure and a message naming the action.
LOCALSTACK_MESSAGE = ("API action 'X' for service 'Y' not yet implemented or pro feature - please check "
                      "https://docs.localstack.cloud/references/coverage/ for further information")
LOCALSTACK_501 = {
    "json": ("glue", "GetMLTaskRun", "application/x-amz-json-1.1",
             json.dumps({"__type": "InternalFailure", "message": LOCALSTACK_MESSAGE})),
    "rest-json": ("lambda", "GetFunctionConfiguration", "application/json",
                  json.dumps({"__type": "InternalFailure", "message": LOCALSTACK_MESSAGE})),
    "query": ("iam", "GetUser", "text/xml",
              f"<ErrorResponse><Error><Code>InternalFailure</Code><Message>{LOCALSTACK_MESSAGE}</Message>"
              "</Error></ErrorResponse>"),
    "ec2": ("ec2", "DescribeVpcs", "text/xml",
            f"<Response><Errors><Error><Code>InternalFailure</Code><Message>{LOCALSTACK_MESSAGE}</Message>"
            "</Error></Errors></Response>"),
    "rest-xml": ("s3", "ListObjectsV2", "application/xml",
                 f"<Error><Code>InternalFailure</Code><Message>{LOCALSTACK_MESSAGE}</Message></Error>"),
}


@pytest.mark.parametrize("protocol", sorted(LOCALSTACK_501))
def test_a_localstack_501_is_not_implemented_on_every_protocol(protocol: str) -> None:
    service, operation, content_type, body = LOCALSTACK_501[protocol]
    assert spec.document(service, operation)["x-aws-protocol"] == protocol
    with serve_answer(501, {"Content-Type": content_type}, body.encode()) as url, make_target(url) as target:
        results = _run(target, [(service, operation)], {"Bucket": [BUCKET]}, max_examples=2)
    _assert_not_implemented(results)
    assert "HTTP 501" in results[0].notes[-1]
