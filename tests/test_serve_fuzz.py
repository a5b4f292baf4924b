"""`--fuzz`: each case is what its family says, every answer carries a case id, and the id replays the case.

The cases are `conformance.fuzz`'s responses (the fuzz-parser generator: one generator, two uses), so a
case's kind is a family name of `conformance.fuzz.FAMILY_NAMES`.
"""

from __future__ import annotations

import datetime
import http.client
import json
import math
import re
import urllib.parse
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conformance import spec
from conformance.fuzz import FAMILY_NAMES, for_operation, generator_for
from conformance.fuzz.context import REQUEST_ID
from conformance.fuzz.generate import COMMON_ERRORS, UNKNOWN_MEMBER
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import (
    CASE_HEADER,
    CASE_HEADERS,
    LABEL_HEADER,
    VALIDITY_HEADER,
    FuzzCase,
    case_id,
    fuzz_case,
    parse_case_id,
)
from conformance.server.glue_ml import GlueMLFamily
from conformance.server.http import serve_in_thread
from conformance.server.process import serve_process
from conformance.server.protocol import REQUEST_ID_HEADER
from conformance.spec.validation import violations

OPERATION = "GetMLTaskRun"
SEEDS = range(400)
CONTENT_TYPE = "application/x-amz-json-1.1"
# Families whose responses are valid (an output or an error as the protocol allows them).
VALID_FAMILIES = ("valid", "null-member", "unknown-member", "error-code", "common-error")


@pytest.fixture(scope="module")
def cases() -> list[FuzzCase]:
    return [fuzz_case("glue", OPERATION, seed) for seed in SEEDS]


def _output_violations(body: Any) -> list[Any]:
    return violations(spec.part("glue", OPERATION, "output"), body)


def _error_violations(code: str, body: dict[str, Any]) -> list[Any]:
    declared = for_operation("glue", OPERATION).error_for_code(code)
    assert declared is not None, code
    members = {name: value for name, value in body.items() if name not in ("__type", "code")}
    return violations(declared.schema, members)


def _violations(case: FuzzCase) -> list[Any]:
    """The violations of the case's body: of the output, or of the declared error it carries."""
    body = json.loads(case.body)
    if case.status == 200:
        return _output_violations(body)
    return _error_violations(_declared_code(case), body)


def _codes(case: FuzzCase) -> list[Any]:
    """Every error code the case carries: __type, a body `code` member, the X-Amzn-ErrorType header."""
    body = json.loads(case.body)
    codes = [body[name] for name in ("__type", "code") if name in body]
    header = next((value for name, value in case.headers.items() if name.lower() == "x-amzn-errortype"), None)
    return codes if header is None else [*codes, header]


def _bare(code: str) -> str:
    return code.rsplit("#", 1)[-1].split(":", 1)[0]


def _declared_code(case: FuzzCase) -> str:
    """The one declared error code the case carries (namespace and URI removed), with its status."""
    codes = _codes(case)
    assert codes and all(isinstance(code, str) for code in codes), case.label
    bare = {_bare(code) for code in codes}
    assert len(bare) == 1, case.label
    code = bare.pop()
    assert code in spec.document("glue", OPERATION)["x-aws-errors"], case.label
    assert case.status == (500 if code == "InternalServiceException" else 400), case.label
    return code


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _has_null_member(value: Any) -> bool:
    if isinstance(value, dict):
        return any(item is None or _has_null_member(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_null_member(item) for item in value)
    return False


def _has_member(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return name in value or any(_has_member(item, name) for item in value.values())
    if isinstance(value, list):
        return any(_has_member(item, name) for item in value)
    return False


def _at(value: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def _refuse_constant(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


def _not_a_double_or_long(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int):
        return not -(2**63) <= value < 2**63
    if isinstance(value, dict):
        return any(_not_a_double_or_long(item) for item in value.values())
    if isinstance(value, list):
        return any(_not_a_double_or_long(item) for item in value)
    return False


EPOCH_RANGE = (datetime.datetime(1, 1, 1, tzinfo=datetime.UTC).timestamp(),
               datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC).timestamp())


def _is_timestamp(value: Any) -> bool:
    """Whether VALUE is a timestamp some AWS JSON format allows: epoch seconds a date can hold, or ISO 8601."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return EPOCH_RANGE[0] <= value <= EPOCH_RANGE[1]
    if isinstance(value, str):
        try:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    return False


def _check_kind(case: FuzzCase) -> None:
    content_type = case.headers.get("Content-Type")
    assert case.kind in FAMILY_NAMES
    if case.kind == "valid":
        if case.status == 200:
            assert _output_violations(json.loads(case.body)) == [], case.label
        else:  # a declared error
            assert json.loads(case.body)["__type"] == _declared_code(case)
            assert _violations(case) == [], case.label
    elif case.kind == "error-code":  # a declared error, its code carried in any of the protocol's ways
        assert _violations(case) == [], case.label
    elif case.kind == "common-error":
        body = json.loads(case.body)
        assert (body["__type"], case.status) in {(code, status) for code, status, _ in COMMON_ERRORS}
    elif case.kind == "null-member":
        body = json.loads(case.body)
        assert _has_null_member(body), case.label
        if case.status == 200:
            assert _output_violations(_without_nulls(body)) == [], case.label
        else:
            assert _error_violations(_declared_code(case), _without_nulls(body)) == [], case.label
    elif case.kind == "unknown-member":
        assert _has_member(json.loads(case.body), UNKNOWN_MEMBER), case.label
        found = _violations(case)
        if " = null (" in case.label:  # a null member is absent to clients, even an unknown one
            assert found == [], case.label
        else:
            assert found and all(violation.unknown_member for violation in found), case.label
    elif case.kind == "wrong-type":
        assert any(v.keyword in ("type", "anyOf") for v in _violations(case)), case.label
    elif case.kind == "enum":
        assert any(v.keyword == "enum" for v in _violations(case)), case.label
    elif case.kind == "out-of-range":
        assert any(v.keyword in ("minimum", "maximum") for v in _violations(case)), case.label
    elif case.kind == "non-finite-or-huge-number":
        try:  # a bare NaN/Infinity, or a number no double or 64-bit integer holds
            parsed = json.loads(case.body, parse_constant=_refuse_constant)
        except ValueError:  # NaN/Infinity, or more digits than Python reads (4300)
            assert re.search(rb"NaN|Infinity|[0-9]{4300}", case.body), case.label
        else:
            assert _not_a_double_or_long(parsed), case.label
    elif case.kind == "invalid-timestamp":
        pointer = re.search(r" at (/\S*) \(the model's format", case.label)
        assert pointer is not None, case.label
        body = json.loads(case.body)
        assert not _is_timestamp(_at(body, pointer[1])), case.label
    elif case.kind == "truncated":
        if "empty body instead of" in case.label:
            assert case.body == b""
        with pytest.raises(ValueError):
            json.loads(case.body)
    elif case.kind == "encoding":
        if "invalid UTF-8" in case.label:
            with pytest.raises(UnicodeDecodeError):
                case.body.decode("utf-8")
        with pytest.raises(ValueError):  # UTF-16, or a byte order mark before the JSON
            json.loads(case.body.decode("utf-8"))
    elif case.kind == "deep-nesting":
        nesting = re.search(r"\b([0-9]+) nested (arrays|objects) at ", case.label)
        assert nesting is not None, case.label
        depth = int(nesting[1])
        nested = b"[" * depth if nesting[2] == "arrays" else b'{"a":' * depth
        assert nested in case.body, case.label
    elif case.kind == "not-an-object":
        assert not isinstance(json.loads(case.body), dict)
    elif case.kind == "bad-error-code":  # no code, a code that is not a non-empty string, or two codes
        codes = _codes(case)
        usable = [code for code in codes if isinstance(code, str) and code.strip()]
        assert case.status >= 400
        assert not codes or len(usable) < len(codes) or len({_bare(code) for code in usable}) > 1, case.label
    elif case.kind == "content-type":  # a valid body, sent with another Content-Type or none
        assert content_type != CONTENT_TYPE
        assert _violations(case) == [], case.label
    elif case.kind == "html":
        assert content_type == "text/html" and b"<html>" in case.body
        with pytest.raises(ValueError):
            json.loads(case.body)
    elif case.kind == "empty-error":
        assert case.status >= 400 and case.body.strip() in (b"", b"{}")
    else:
        pytest.fail(f"unchecked kind {case.kind}")


def test_the_same_seed_gives_the_same_case(cases: list[FuzzCase]) -> None:
    assert [fuzz_case("glue", OPERATION, seed) for seed in range(40)] == cases[:40]


def test_every_kind_occurs_and_about_a_third_are_valid(cases: list[FuzzCase]) -> None:
    kinds = Counter(case.kind for case in cases)
    assert set(kinds) == {use.family.name for use in generator_for("glue", OPERATION).uses}
    valid = sum(kinds[family] for family in VALID_FAMILIES)
    assert 0.2 < valid / len(cases) < 0.6


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
            # The server's own request id, not the generator's placeholder.
            assert response.getheader(REQUEST_ID_HEADER) not in (None, REQUEST_ID)
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


def test_every_answer_says_what_it_is_on_success_and_on_error() -> None:
    request = json.dumps({"TransformId": "tfm-1", "TaskRunId": "tsk-1"}).encode()
    endpoint = Endpoint("glue", EndpointOptions(seed=3, fuzz=True))
    statuses: Counter[int] = Counter()
    validities: Counter[str] = Counter()
    with serve_in_thread(endpoint) as server:
        for _ in range(40):
            response = _post(server.url, OPERATION, request)
            response.read()
            operation, seed = parse_case_id(response.getheader(CASE_HEADER) or "")
            case = fuzz_case("glue", operation, seed)
            assert response.getheader(VALIDITY_HEADER) == case.validity
            assert response.getheader(LABEL_HEADER)
            exposed = {name.strip() for name in (response.getheader("Access-Control-Expose-Headers") or "").split(",")}
            assert exposed == set(CASE_HEADERS)
            assert (case.validity == "malformed") == (case.kind not in (*VALID_FAMILIES, "content-type"))
            statuses[response.status // 100] += 1
            validities[case.validity] += 1
    assert statuses[2] and statuses[4] and validities["valid"] and validities["malformed"]


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
