"""The parts cassettes plug into vcrpy, without a network: matchers, redaction, identification of requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.matchers import requests_match
from vcr.request import Request

from conformance.cassettes.identify import Operation, RequestView, identify, template_score
from conformance.cassettes.matching import (
    AWS_MATCH_ON,
    aws_body,
    aws_query,
    aws_target,
    canonical_body,
    request_key,
)
from conformance.cassettes.redaction import Redactor

JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
MATCHERS = {"aws_body": aws_body, "aws_target": aws_target, "aws_query": aws_query}


def glue(body: str, **headers: str) -> Request:
    return Request("POST", "http://127.0.0.1:5000/", body,
                   {"X-Amz-Target": "AWSGlue.GetMLTaskRun", "Content-Type": JSON_11, **headers})


def matches(first: Request, second: Request) -> bool:
    from vcr import matchers

    functions = [MATCHERS.get(name) or getattr(matchers, name) for name in AWS_MATCH_ON]
    return bool(requests_match(first, second, functions))


def test_json_bodies_match_whatever_their_key_order_and_whitespace() -> None:
    assert matches(glue('{"TransformId": "a", "TaskRunId": "b"}'), glue('{"TaskRunId":"b","TransformId":"a"}'))
    assert not matches(glue('{"TransformId": "a", "TaskRunId": "b"}'), glue('{"TransformId": "a", "TaskRunId": "c"}'))


def test_signature_date_and_invocation_id_headers_are_not_matched() -> None:
    first = glue("{}", Authorization="AWS4-HMAC-SHA256 Credential=A/1/us-east-1/glue/aws4_request, Signature=1",
                 **{"X-Amz-Date": "20240101T000000Z", "amz-sdk-invocation-id": "1", "amz-sdk-request": "attempt=1"})
    second = glue("{}", Authorization="AWS4-HMAC-SHA256 Credential=B/2/us-west-2/glue/aws4_request, Signature=2",
                  **{"X-Amz-Date": "20250101T000000Z", "amz-sdk-invocation-id": "2", "amz-sdk-request": "attempt=2"})
    assert matches(first, second)


def test_the_operation_is_told_apart_by_x_amz_target() -> None:
    other = Request("POST", "http://127.0.0.1:5000/", "{}", {"X-Amz-Target": "AWSGlue.GetMLTransform",
                                                              "Content-Type": JSON_11})
    assert not matches(glue("{}"), other)
    with pytest.raises(AssertionError, match=r"AWSGlue\.GetMLTaskRun"):
        aws_target(glue("{}"), other)


def test_idempotency_tokens_botocore_fills_in_are_not_matched() -> None:
    def create(token: str) -> Request:
        body = {"Name": "t", "ClientRequestToken": token, "SecretId": "s"}
        return Request("POST", "https://secretsmanager.us-east-1.amazonaws.com/", json.dumps(body),
                       {"X-Amz-Target": "secretsmanager.PutSecretValue", "Content-Type": JSON_11})

    assert matches(create("4f9d1c5e-0000-4000-8000-000000000001"), create("a3b2c1d0-0000-4000-8000-000000000002"))


def test_query_protocol_forms_match_as_sorted_pairs_without_credentials() -> None:
    def sqs(body: str) -> Request:
        return Request("POST", "https://monitoring.us-east-1.amazonaws.com/", body, {"Content-Type": FORM})

    assert matches(sqs("Action=ListMetrics&Version=2010-08-01&Namespace=A"),
                   sqs("Namespace=A&Version=2010-08-01&Action=ListMetrics&AWSAccessKeyId=AKIA&Signature=x"))
    assert not matches(sqs("Action=ListMetrics&Version=2010-08-01&Namespace=A"),
                       sqs("Action=ListMetrics&Version=2010-08-01&Namespace=B"))


def test_rest_requests_match_on_path_and_query_without_presigned_credentials() -> None:
    def get(uri: str) -> Request:
        return Request("GET", uri, None, {})

    base = "https://bucket.s3.us-east-1.amazonaws.com/key.txt"
    assert matches(get(base + "?versionId=1&X-Amz-Signature=a&X-Amz-Credential=b"), get(base + "?versionId=1"))
    assert not matches(get(base + "?versionId=1"), get(base + "?versionId=2"))
    assert not matches(get(base), get("https://bucket.s3.us-east-1.amazonaws.com/other.txt"))


def test_request_key_equality_is_exactly_matching_under_aws_match_on() -> None:
    variants = [
        glue('{"TransformId": "a", "TaskRunId": "b"}'), glue('{"TaskRunId": "b", "TransformId": "a"}'),
        glue('{"TransformId": "a", "TaskRunId": "c"}'), glue("{}", **{"X-Amz-Date": "20240101T000000Z"}),
        Request("POST", "http://127.0.0.1:5001/", "{}", {"X-Amz-Target": "AWSGlue.GetMLTaskRun",
                                                          "Content-Type": JSON_11}),
        Request("POST", "http://127.0.0.1:5000", "{}", {"X-Amz-Target": "AWSGlue.GetMLTaskRun",
                                                         "Content-Type": JSON_11}),
        Request("GET", "http://127.0.0.1:5000/?a=1&b=2", None, {}), Request("GET", "http://127.0.0.1:5000/?b=2&a=1",
                                                                            None, {}),
        Request("GET", "http://127.0.0.1:5000/?a=1&X-Amz-Signature=x", None, {}),
        Request("GET", "HTTP://127.0.0.1:5000/?a=1", None, {}),
    ]
    for first in variants:
        for second in variants:
            assert (request_key(first) == request_key(second)) == matches(first, second), (first, second)


def test_canonical_body_is_cached_on_the_request_and_follows_a_body_change() -> None:
    request = glue('{"b": 1, "a": 2}')
    assert canonical_body(request) == 'json:{"a":2,"b":1}'
    request.body = '{"c": 3}'
    assert canonical_body(request) == 'json:{"c":3}'


# -- redaction -------------------------------------------------------------------------------------------

def test_redaction_drops_signature_headers_and_presigned_credentials() -> None:
    request = Request("GET", "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLEKEY000001%2F1&"
                      "X-Amz-Signature=abc&X-Amz-Security-Token=tok&versionId=1", None,
                      {"Authorization": b"AWS4-HMAC-SHA256 ...", "X-Amz-Security-Token": "tok",
                       "X-Amz-Date": "20240101T000000Z"})
    redacted = Redactor().request(request)
    assert set(redacted.headers) == {"X-Amz-Date"}
    assert redacted.uri == "https://b.s3.amazonaws.com/k?versionId=1"


def test_redaction_replaces_credential_values_everywhere_and_credential_members() -> None:
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0001"
    redactor = Redactor([secret, "AKIAEXAMPLEKEY000001", "short"])
    response: dict[str, Any] = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"x-echo": [f"key AKIAEXAMPLEKEY000001 {secret}"]},
        "body": {"string": json.dumps({"Credentials": {"SecretAccessKey": "sts-issued", "SessionToken": "tok\\\"en",
                                                       "Expiration": 1}, "Note": "short"}).encode()},
    }
    redacted = redactor.response(response)
    assert redacted["headers"]["x-echo"] == ["key REDACTED REDACTED"]
    body = json.loads(redacted["body"]["string"])
    assert body == {"Credentials": {"SecretAccessKey": "REDACTED", "SessionToken": "REDACTED", "Expiration": 1},
                    "Note": "short"}  # too short to be a credential: left alone
    xml = Redactor().response({"headers": {}, "body": {"string": b"<SecretAccessKey>abc</SecretAccessKey>"}})
    assert xml["body"]["string"] == b"<SecretAccessKey>REDACTED</SecretAccessKey>"


def test_the_dummy_credentials_are_not_redacted() -> None:
    assert Redactor(["testing", "testing"]).secrets == ()


def test_account_ids_become_the_documentation_account_and_keep_their_length() -> None:
    redactor = Redactor(redact_account=True)
    text = (b'{"Arn": "arn:aws:iam::987654321098:role/x", "QueueUrl": "https://sqs.amazonaws.com/987654321098/q", '
            b'"Big": 1234567890123, "Id": "a987654321098b"}')
    assert redactor.text(text) == (b'{"Arn": "arn:aws:iam::123456789012:role/x", '
                                   b'"QueueUrl": "https://sqs.amazonaws.com/123456789012/q", '
                                   b'"Big": 1234567890123, "Id": "a987654321098b"}')
    assert Redactor().text(text) == text


# -- identification --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("method", "uri", "headers", "body", "expected"),
    [
        ("POST", "http://127.0.0.1:5000/", {"X-Amz-Target": "AWSGlue.GetMLTaskRun"}, b"{}",
         ("glue", "GetMLTaskRun")),
        ("POST", "https://dynamodb.us-east-1.amazonaws.com/", {"X-Amz-Target": "DynamoDB_20120810.GetItem"}, b"{}",
         ("dynamodb", "GetItem")),
        ("POST", "https://monitoring.us-east-1.amazonaws.com/", {"Content-Type": FORM},
         b"Action=ListMetrics&Version=2010-08-01", ("cloudwatch", "ListMetrics")),
        ("GET", "https://lambda.us-west-2.amazonaws.com/2015-03-31/functions/my-fn", {}, b"",
         ("lambda", "GetFunction")),
        ("GET", "https://bucket.s3.us-east-1.amazonaws.com/?list-type=2&prefix=a", {}, b"", ("s3", "ListObjectsV2")),
        ("GET", "https://bucket.s3.us-east-1.amazonaws.com/dir/key.txt", {}, b"", ("s3", "GetObject")),
        ("GET", "http://127.0.0.1:4566/2015-03-31/functions/my-fn",
         {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1/lambda/aws4_request, Signature=1"},
         b"", ("lambda", "GetFunction")),
        ("GET", "http://example.com/health", {}, b"", None),
        ("POST", "http://127.0.0.1:5000/", {"X-Amz-Target": "AWSGlue.NoSuchOperation"}, b"{}", None),
    ],
)
def test_identify_works_out_service_and_operation(method: str, uri: str, headers: dict[str, str], body: bytes,
                                                   expected: tuple[str, str] | None) -> None:
    found = identify(RequestView.of(method, uri, headers, body))
    assert found == (Operation(*expected) if expected else None)


def test_identify_uses_hints_for_rest_requests_to_a_local_endpoint() -> None:
    view = RequestView.of("GET", "http://127.0.0.1:5000/2015-03-31/functions/fn", {}, b"")
    assert identify(view) is None
    assert identify(view, hints=["lambda:GetFunction"]) == Operation("lambda", "GetFunction")


def test_the_most_specific_rest_template_wins() -> None:
    generic = template_score("/{Bucket}/{Key+}", "/b/k", "")
    specific = template_score("/{Bucket}/{Key+}?uploads", "/b/k", "uploads=")
    assert generic is not None and specific is not None and specific > generic
    assert template_score("/{Bucket}/{Key+}?uploads", "/b/k", "") is None


# -- what a recording keeps --------------------------------------------------------------------------------

def test_a_recording_keeps_only_the_runs_own_traffic(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.cassettes.recording import Recording
    from conformance.targets import make_target

    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    info = {"run": {"operations": ["glue:GetMLTaskRun", "cloudwatch:ListMetrics"]}}
    aws = Recording(tmp_path / "a.yaml", make_target("aws"), info)
    for uri, kept in [("https://glue.us-east-1.amazonaws.com/", True),
                      ("https://monitoring.eu-west-1.amazonaws.com/", True),  # cloudwatch's endpoint prefix
                      ("https://glue-fips.us-gov-west-1.amazonaws.com/", True),
                      ("http://169.254.169.254/latest/api/token", False),  # the credential chain's own calls
                      ("https://sts.us-east-1.amazonaws.com/", False),
                      ("https://portal.sso.us-east-1.amazonaws.com/federation/credentials", False)]:
        assert (aws.keep(Request("POST", uri, b"", {})) is not None) == kept, uri
    local = Recording(tmp_path / "b.yaml", make_target("http://127.0.0.1:5000"), info)
    assert local.keep(Request("POST", "http://127.0.0.1:5000/", b"", {})) is not None
    assert local.keep(Request("POST", "http://127.0.0.1:5001/", b"", {})) is None
    assert local.keep(Request("PUT", "http://169.254.169.254/latest/api/token", b"", {})) is None


def test_the_service_index_reads_the_same_metadata_as_the_whole_model() -> None:
    from conformance.cassettes.identify import facts_of, service_index
    from conformance.spec.models import load_service, raw_model

    index = {facts.name: facts for facts in service_index()}
    assert len(index) > 400
    for name in ("glue", "cloudwatch", "s3", "dynamodb", "sqs", "lambda", "sts", "ec2", "cognito-idp", "logs"):
        assert index[name] == facts_of(raw_model(load_service(name)), name)
