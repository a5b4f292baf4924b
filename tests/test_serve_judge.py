"""Verdicts for any client: a client posts what it made of each `serve --fuzz` answer (or writes it to a JSON
Lines file for `fuzz-parser --judge`) and gets the fuzz-parser oracle's verdict on it.

The client here is boto3, with a dozen lines of adapter (`BotoAdapter`): its verdicts must be the ones the
oracle gives botocore's parser fuzzed in-process for the very same cases, so the judge adds nothing and loses
nothing on the way (tagged dates and bytes, error codes and members, refusals and crashes).
"""

from __future__ import annotations

import base64
import datetime
import http.client
import json
import math
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import botocore.parsers
import pytest
from botocore.config import Config

from conformance.cli import main
from conformance.fuzz import BotocoreParser, Oracle, for_operation
from conformance.fuzz.wire import WireResponse
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import CASE_HEADER, fuzz_response, parse_case_id
from conformance.server.http import serve_in_thread
from conformance.server.judge import (
    INVALID_DATE,
    JUDGE_PATH,
    REPORT_PATH,
    Judge,
    client_value,
    read_verdict_input,
)

OPERATIONS = ("GetMLTaskRun", "GetMLTransform")
CALLS = 120



def tagged(value: Any) -> Any:
    """A boto3 value as verdict-input JSON: dates, bytes and non-finite numbers tagged."""
    if isinstance(value, dict):
        return {key: tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tagged(item) for item in value]
    if isinstance(value, datetime.datetime):
        try:
            return {"$date": value.isoformat()}
        except ValueError:  # no instant (dateutil's offset of 25 hours): an invalid date
            return {"$date": None}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    return value


class BotoAdapter:
    """What an adapter does: read the case id of each answer, call, and describe the outcome."""

    def __init__(self, url: str) -> None:
        self.client = boto3.client("glue", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                                   aws_secret_access_key="x",
                                   config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
        self.case: str | None = None
        self.client.meta.events.register("before-parse.glue.*", self._read_case)

    def _read_case(self, response_dict: dict[str, Any], **_: Any) -> None:
        self.case = response_dict["headers"].get(CASE_HEADER)

    def call(self, operation: str) -> dict[str, Any]:
        method = getattr(self.client, botocore.xform_name(operation))
        arguments = {"TransformId": "tfm-1", "TaskRunId": "tsk-1"} if operation == "GetMLTaskRun" else {
            "TransformId": "tfm-1"}
        try:
            output = method(**arguments)
            outcome: dict[str, Any] = {"output": tagged({k: v for k, v in output.items() if k != "ResponseMetadata"})}
        except botocore.exceptions.ClientError as error:
            parsed = error.response
            members = {k: v for k, v in parsed.items() if k not in ("Error", "ResponseMetadata")}
            outcome = {"error": {"class": type(error).__name__, "code": parsed["Error"].get("Code"),
                                 "message": parsed["Error"].get("Message") or "", "members": tagged(members)}}
        except botocore.parsers.ResponseParserError as error:
            outcome = {"error": {"class": "ResponseParserError", "message": str(error), "documented": True}}
        except Exception as error:  # a crash of the client, reported as such
            outcome = {"error": {"class": type(error).__name__, "message": str(error)}}
        assert self.case is not None
        return {"case": self.case, "client": "boto3", **outcome}


def _post(url: str, path: str, document: Any) -> Any:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    connection.request("POST", path, body=json.dumps(document).encode(), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def _get(url: str, path: str) -> Any:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    connection.request("GET", path)
    return json.loads(connection.getresponse().read())


def _in_process_kind(operation: str, response: WireResponse) -> str | None:
    """The oracle's verdict on botocore's parser for the case, fuzzed in-process as fuzz-parser does."""
    context = for_operation("glue", operation)
    parser = BotocoreParser(context.model, operation)
    oracle = Oracle(context, parser.documented)
    try:
        parsed = parser(response)
    except Exception as error:
        verdict = oracle.judge(response, error=error)
    else:
        verdict = oracle.judge(response, parsed)
    return None if verdict is None else verdict.kind


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    endpoint = Endpoint("glue", EndpointOptions(seed=4, fuzz=True))
    records, verdicts = [], []
    with serve_in_thread(endpoint) as server:
        adapter = BotoAdapter(server.url)
        for number in range(CALLS):
            record = adapter.call(OPERATIONS[number % 2])
            status, verdict = _post(server.url, JUDGE_PATH, record)
            assert status == 200, verdict
            records.append(record)
            verdicts.append(verdict)
        report = _get(server.url, REPORT_PATH)
        refused = _post(server.url, JUDGE_PATH, {"case": "GetMLTaskRun-01"})
        bad_json = _post(server.url, JUDGE_PATH, "{")
    results = tmp_path_factory.mktemp("judge") / "results.jsonl"
    results.write_text("".join(json.dumps(record) + "\n" for record in records))
    return {"records": records, "verdicts": verdicts, "report": report, "refused": refused, "bad_json": bad_json,
            "results": results, "endpoint": endpoint}


def test_the_judge_gives_botocore_the_verdicts_of_the_in_process_oracle(judged: dict[str, Any]) -> None:
    kinds: Counter[str | None] = Counter()
    for record, verdict in zip(judged["records"], judged["verdicts"], strict=True):
        operation, seed = parse_case_id(record["case"])
        found = None if verdict["verdict"] is None else verdict["verdict"]["kind"]
        served = judged["endpoint"]._served_case(operation, seed)
        assert served is not None and served.label == verdict["label"]
        assert found == _in_process_kind(operation, served), (record, verdict)
        assert verdict["validity"] in ("valid", "intact", "malformed") and verdict["label"]
        kinds[found] += 1
    # botocore has defects of both kinds on these answers (see the fuzz-parser tests), and reads many well.
    assert kinds[None] > CALLS / 3 and kinds["accepted-invalid"] > 0 and kinds["crash"] > 0, kinds


def test_the_report_is_fuzz_parsers_with_case_ids_and_raw_answers(judged: dict[str, Any]) -> None:
    report = judged["report"]
    assert report["parser"] == "boto3" and report["summary"]["cases"] == CALLS
    assert report["summary"]["defects"] == len(report["defects"]) > 0
    by_case = {record["case"]: record for record in judged["records"]}
    for defect in report["defects"]:
        assert defect["case"] in by_case and defect["operation"] == parse_case_id(defect["case"])[0]
        assert defect["replay"] == f"conformance serve glue --replay-case {defect['case']}"
        served = judged["endpoint"]._served_case(*parse_case_id(defect["case"]))
        assert defect["response"] == served.as_json()  # the raw answer the client read
        assert defect["seen"] >= 1 and defect["kind"] in report["summary"]["by_kind"]


def test_replaying_a_defects_case_id_answers_with_the_same_bytes(judged: dict[str, Any]) -> None:
    for defect in judged["report"]["defects"]:
        replayed = Endpoint("glue", EndpointOptions(replay_case=defect["case"]))
        answer = replayed.answer(f"AWSGlue.{defect['operation']}", b'{"TransformId": "tfm-1", "TaskRunId": "t"}')
        assert (answer.status, answer.body.decode("utf-8", "backslashreplace")) == (
            defect["response"]["status"], defect["response"]["body"])


def test_bad_verdict_inputs_get_400_with_the_reason(judged: dict[str, Any]) -> None:
    status, body = judged["refused"]
    assert status == 400 and "exactly one of 'output'" in body["message"]
    status, body = judged["bad_json"]
    assert status == 400 and "not a verdict input" in body["message"]


def test_fuzz_parser_judge_reads_the_same_inputs_from_a_file(judged: dict[str, Any], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    report_file = tmp_path / "report.json"
    assert main(["fuzz-parser", "glue", "--judge", str(judged["results"]), "--report-json", str(report_file)]) == 1
    from_file = json.loads(report_file.read_text())
    served = judged["report"]
    assert [(d["kind"], d["exception"], d["category"], d["operation"]) for d in from_file["defects"]] == [
        (d["kind"], d["exception"], d["category"], d["operation"]) for d in served["defects"]]
    out = capsys.readouterr().out
    assert "--replay-case" in out and f"{CALLS} cases" in out
    # One operation only: the others are left out, and said to be.
    assert main(["fuzz-parser", "glue:GetMLTaskRun", "--judge", str(judged["results"])]) in (0, 1)
    assert f"{CALLS // 2} verdict inputs of other operations" in capsys.readouterr().out


def test_fuzz_parser_judge_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.jsonl"
    assert main(["fuzz-parser", "glue", "--judge", str(missing)]) == 2
    assert "cannot read it" in capsys.readouterr().err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"case": "GetMLTaskRun-01", "output": {}}\n\n{"case": "NoSuchOperation-01", "output": {}}\n')
    assert main(["fuzz-parser", "glue", "--judge", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:3: case NoSuchOperation-01 names no operation of glue" in err and "Traceback" not in err
    assert main(["fuzz-parser", "glue", "--judge", str(broken), "--parser", "json:loads"]) == 2
    assert "--parser does not apply" in capsys.readouterr().err


def test_verdict_inputs_carry_what_json_cannot_hold() -> None:
    value = client_value({"At": {"$date": "2024-02-29T12:00:00.5Z"}, "Bad": {"$date": None},
                          "Far": {"$date": "+275760-09-13T00:00:00.000Z"}, "Blob": {"$bytes": "aGk="},
                          "Big": {"$number": "18446744073709551616"}, "Inf": {"$number": "-Infinity"},
                          "List": [{"$number": "NaN"}], "Plain": {"a": 1, "b": 2}})
    assert value["At"] == datetime.datetime(2024, 2, 29, 12, 0, 0, 500000, tzinfo=datetime.UTC)
    assert value["Bad"] == INVALID_DATE and value["Far"] == "+275760-09-13T00:00:00.000Z"
    assert value["Blob"] == b"hi" and value["Big"] == 2**64 and value["Inf"] == -math.inf
    assert math.isnan(value["List"][0]) and value["Plain"] == {"a": 1, "b": 2}
    for wrong, message in (({"$bytes": "%%"}, "not base64"), ({"$number": "x"}, "not a number"),
                           ({"$date": 5}, "ISO 8601")):
        with pytest.raises(ValueError, match=message):
            client_value(wrong)
    record = read_verdict_input({"case": "GetMLTaskRun-0a", "output": {"$metadata": {}, "Status": "RUNNING"}}, "glue")
    assert (record.operation, record.seed, record.output) == ("GetMLTaskRun", 10, {"Status": "RUNNING"})
    for document, message in (([], "JSON object"), ({"case": 1, "output": {}}, "x-conformance-case"),
                              ({"case": "GetMLTaskRun-0a", "error": {"message": "x"}}, "class name"),
                              ({"case": "GetMLTaskRun-0a", "output": {}, "extra": 1}, "unknown fields")):
        with pytest.raises(ValueError, match=message):
            read_verdict_input(document, "glue")


def test_a_client_that_reads_everything_right_has_no_defect_and_a_fragile_one_has_each_kind() -> None:
    """Verdict inputs written by hand for chosen cases: the oracle's three kinds, and silence."""
    judge = Judge("glue")
    cases = [(seed, fuzz_response("glue", "GetMLTaskRun", seed)) for seed in range(200)]
    valid = next((seed, r) for seed, r in cases if r.family == "valid" and r.status == 200)
    wrong_type = next((seed, r) for seed, r in cases if r.family == "wrong-type" and r.status == 200)
    truncated = next((seed, r) for seed, r in cases if r.family == "truncated")

    def record(seed: int, **outcome: Any) -> Any:
        return read_verdict_input({"case": f"GetMLTaskRun-{seed:016x}", "client": "hand", **outcome}, "glue")

    good_output = json.loads(valid[1].body)
    assert judge.judge(record(valid[0], output=good_output)).verdict is None
    refused = {"class": "SyntaxError", "message": "Unexpected end of JSON input", "documented": True}
    assert judge.judge(record(truncated[0], error=refused)).verdict is None
    assert judge.judge(record(valid[0], error=refused)).verdict.kind == "wrong-value"  # type: ignore[union-attr]
    crashed = judge.judge(record(truncated[0], error={"class": "TypeError", "message": "x is undefined"})).verdict
    assert crashed is not None and (crashed.kind, crashed.exception) == ("crash", "TypeError")
    accepted = judge.judge(record(wrong_type[0], output=json.loads(wrong_type[1].body))).verdict
    assert accepted is not None and accepted.kind == "accepted-invalid"
    result = judge.result()
    assert result.cases == 5 and len(result.defects) == 3 and result.parser == "hand"


def test_the_judge_answers_only_a_fuzz_server() -> None:
    endpoint = Endpoint("glue", EndpointOptions(seed=1))
    for answer in (endpoint.judge_answer(b'{"case": "GetMLTaskRun-01", "output": {}}'), endpoint.report_answer()):
        assert answer.status == 404 and b"--fuzz" in answer.body
