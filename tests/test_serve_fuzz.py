"""`--fuzz`: each case is what its kind says, every answer carries a case id, and the id replays the case."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conformance import spec
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import CASE_HEADER, KINDS, FuzzCase, case_id, fuzz_case, parse_case_id
from conformance.server.glue_ml import GlueMLFamily
from conformance.server.http import serve_in_thread
from conformance.server.process import serve_process
from conformance.spec.validation import violations

OPERATION = "GetMLTaskRun"
SEEDS = range(400)


@pytest.fixture(scope="module")
def cases() -> list[FuzzCase]:
    return [fuzz_case("glue", OPERATION, seed) for seed in SEEDS]


def _output_violations(body: Any) -> list[Any]:
    return violations(spec.part("glue", OPERATION, "output"), body)


def test_the_same_seed_gives_the_same_case(cases: list[FuzzCase]) -> None:
    assert [fuzz_case("glue", OPERATION, seed) for seed in range(40)] == cases[:40]


def test_every_kind_occurs_and_about_a_third_are_valid(cases: list[FuzzCase]) -> None:
    kinds = Counter(case.kind for case in cases)
    assert set(kinds) == set(KINDS)
    valid = kinds["valid"] + kinds["declared-error"] + kinds["unknown-member"]
    assert 0.2 < valid / len(cases) < 0.6


def _check_kind(case: FuzzCase) -> None:
    content_type = case.headers.get("Content-Type")
    if case.kind == "valid":
        assert case.status == 200 and _output_violations(json.loads(case.body)) == []
    elif case.kind == "declared-error":
        body = json.loads(case.body)
        assert body["__type"] in spec.document("glue", OPERATION)["x-aws-errors"]
        assert case.status == (500 if body["__type"] == "InternalServiceException" else 400)
    elif case.kind == "unknown-member":
        found = _output_violations(json.loads(case.body))
        assert found and all(violation.unknown_member for violation in found)
    elif case.kind == "wrong-type":
        assert any(v.keyword in ("type", "anyOf") for v in _output_violations(json.loads(case.body))), case.label
    elif case.kind == "unknown-enum":
        assert any(v.keyword == "enum" for v in _output_violations(json.loads(case.body)))
    elif case.kind == "out-of-range":
        literal = case.label.split()[2]
        assert literal.encode() in case.body
        json.loads(case.body)  # still JSON: only the number is wrong
    elif case.kind == "truncated":
        with pytest.raises(ValueError):
            json.loads(case.body)
    elif case.kind == "invalid-utf8":
        with pytest.raises(UnicodeDecodeError):
            case.body.decode("utf-8")
    elif case.kind == "not-an-object":
        assert not isinstance(json.loads(case.body), dict)
    elif case.kind == "non-string-type":
        assert case.status >= 400 and not isinstance(json.loads(case.body)["__type"], str)
    elif case.kind == "wrong-content-type":
        assert content_type != "application/x-amz-json-1.1"
    elif case.kind == "empty-success":
        assert (case.status, case.body) == (200, b"")
    else:
        pytest.fail(f"unchecked kind {case.kind}")


def test_each_case_is_what_its_kind_says(cases: list[FuzzCase]) -> None:
    for case in cases:
        _check_kind(case)


@pytest.mark.parametrize("operation", ["GetMLTransforms", "CreateMLTransform", "CancelMLTaskRun", "GetJobs"])
def test_cases_of_other_operations(operation: str) -> None:
    kinds = Counter(fuzz_case("glue", operation, seed).kind for seed in range(150))
    assert kinds["valid"] > 0 and len(kinds) >= 8


def test_case_ids_round_trip() -> None:
    assert parse_case_id(case_id("GetMLTaskRun", 2**64 - 1)) == ("GetMLTaskRun", 2**64 - 1)
    for text in ("", "GetMLTaskRun", "GetMLTaskRun-xyz", "Get ML-00", "GetMLTaskRun-" + "f" * 17):
        with pytest.raises(ValueError):
            parse_case_id(text)


def _post(url: str, operation: str, body: bytes) -> http.client.HTTPResponse:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    connection.request("POST", "/", body=body, headers={"X-Amz-Target": f"AWSGlue.{operation}",
                                                        "Content-Type": "application/x-amz-json-1.1"})
    return connection.getresponse()


def test_the_fuzz_server_tags_every_answer_and_replays_a_case_in_another_process() -> None:
    request = json.dumps({"TransformId": "tfm-1", "TaskRunId": "tsk-1"}).encode()
    endpoint = Endpoint("glue", EndpointOptions(seed=5, fuzz=True), GlueMLFamily())
    answers = []
    with serve_in_thread(endpoint) as server:
        for _ in range(12):
            response = _post(server.url, OPERATION, request)
            answers.append((response.getheader(CASE_HEADER), response.status, response.read()))
        # Invalid input is still refused as such: fuzzing starts after validation.
        invalid = _post(server.url, OPERATION, b'{"TransformId": 1}')
        assert invalid.status == 400 and invalid.getheader(CASE_HEADER) is None
    ids = [case for case, _, _ in answers]
    assert all(ids) and len(set(ids)) == len(ids)
    # A process of its own, with its own hash seed, answers exactly the same for a replayed id.
    chosen = answers[3]
    with serve_process(["glue", "--replay-case", str(chosen[0]), "--quiet"]) as process:
        for _ in range(2):
            replayed = _post(process.url, OPERATION, request)
            assert (replayed.getheader(CASE_HEADER), replayed.status, replayed.read()) == chosen
        other = _post(process.url, "GetMLTransforms", b"{}")
        assert other.status == 200 and other.getheader(CASE_HEADER) is None
        assert process.stop() == 0


def test_same_seed_same_sequence_of_cases() -> None:
    def sequence() -> list[str | None]:
        endpoint = Endpoint("glue", EndpointOptions(seed=11, fuzz=True))
        return [endpoint.answer(f"AWSGlue.{OPERATION}", b'{"TransformId": "a", "TaskRunId": "b"}').header(CASE_HEADER)
                for _ in range(5)]

    assert sequence() == sequence()


def test_botocore_meets_every_kind_and_the_server_keeps_serving() -> None:
    endpoint = Endpoint("glue", EndpointOptions(seed=2, fuzz=True))
    client_errors: Counter[str] = Counter()
    with serve_in_thread(endpoint) as server:
        glue = boto3.client("glue", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing",
                            config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
        for _ in range(60):
            try:
                glue.get_ml_task_run(TransformId="tfm-1", TaskRunId="tsk-1")
                client_errors["none"] += 1
            except Exception as error:  # what botocore makes of malformed answers
                client_errors[type(error).__name__] += 1
    assert endpoint.stats.requests == 60
    assert client_errors["none"] > 0 and sum(client_errors.values()) == 60
