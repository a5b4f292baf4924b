"""`serve --fuzz` makes its cases in worker processes: the same cases, workers replaced when they end or die,
nothing left running, and the command's options as before (speed: bench/bench_serve_fuzz.py)."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import urllib.parse

import pytest

from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import CASE_HEADER, VALIDITY_HEADER, fuzz_response, parse_case_id
from conformance.server.http import serve_in_thread
from conformance.server.judge import JUDGE_PATH
from conformance.server.process import serve_process
from conformance.server.workers import CaseWorkers, WorkerError

REQUEST = json.dumps({"TransformId": "tfm-1", "TaskRunId": "tsk-1"}).encode()


def _post(url: str, path: str, body: bytes, target: str | None = "AWSGlue.GetMLTaskRun") -> http.client.HTTPResponse:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=60)
    headers = {"Content-Type": "application/x-amz-json-1.1", **({"X-Amz-Target": target} if target else {})}
    connection.request("POST", path, body=body, headers=headers)
    return connection.getresponse()


@pytest.fixture()
def workers() -> CaseWorkers:
    pool = CaseWorkers(2, max_tasks_per_child=3)
    yield pool
    pool.close()
    assert all(not worker.process.is_alive() for worker in pool._all)


def test_workers_make_cases_and_replace_themselves(workers: CaseWorkers) -> None:
    made = [workers("glue", "GetMLTaskRun", seed) for seed in range(10)]  # each worker ends after 3 cases
    assert all(response.label and response.expectation.mode in ("valid", "intact", "malformed") for response in made)
    assert len({response.label for response in made}) > 5
    # A worker that dies is replaced, and the case made by another.
    victim = next(iter(workers._all))
    victim.process.kill()
    victim.process.join()
    assert all(workers("glue", "GetMLTaskRun", seed).label for seed in range(4))
    assert len(workers._all) == 2 and all(worker.process.is_alive() for worker in workers._all)


def test_a_case_a_worker_cannot_make_is_an_error_the_server_answers_with_500(workers: CaseWorkers) -> None:
    with pytest.raises(WorkerError, match="NoSuchOperation"):
        workers("glue", "NoSuchOperation", 1)
    endpoint = Endpoint("glue", EndpointOptions(seed=1, fuzz=True), generate=lambda *_: (_ for _ in ()).throw(
        WorkerError("a worker failed")))
    assert endpoint.answer("AWSGlue.GetMLTaskRun", REQUEST).status == 500


def test_a_worker_makes_the_case_this_process_makes(workers: CaseWorkers) -> None:
    for seed in range(20):
        assert workers("glue", "GetMLTransform", seed) == fuzz_response("glue", "GetMLTransform", seed)


def test_the_judge_reads_what_a_worker_made(workers: CaseWorkers) -> None:
    """The answer served comes from a worker; the judge looks it up, so it judges the very bytes sent."""
    endpoint = Endpoint("glue", EndpointOptions(seed=8, fuzz=True), generate=workers)
    with serve_in_thread(endpoint) as server:
        answer = _post(server.url, "/", REQUEST)
        body = answer.read()
        case = answer.getheader(CASE_HEADER)
        served = endpoint._served_case(*parse_case_id(case or ""))
        assert served is not None and served.body == body
        assert answer.getheader(VALIDITY_HEADER) == served.expectation.mode
        verdict = _post(server.url, JUDGE_PATH, json.dumps(
            {"case": case, "error": {"class": "TypeError", "message": "boom"}}).encode(), target=None)
        judged = json.loads(verdict.read())
    assert verdict.status == 200 and judged["verdict"]["kind"] == "crash" and judged["label"] == served.label


def test_serve_fuzz_runs_workers_by_default_and_stops_them() -> None:
    with serve_process(["glue", "--fuzz", "--seed", "2", "--quiet"]) as server:
        answers = [_post(server.url, "/", REQUEST) for _ in range(6)]
        assert all(answer.getheader(CASE_HEADER) for answer in answers)
        assert server.stop() == 0
    with serve_process(["glue", "--fuzz", "--workers", "0", "--quiet"]) as server:
        assert _post(server.url, "/", REQUEST).getheader(CASE_HEADER)
        assert server.stop() == 0


def test_serve_workers_must_be_a_count() -> None:
    done = subprocess.run([sys.executable, "-m", "conformance", "serve", "glue", "--fuzz", "--workers", "-1"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "--workers" in done.stderr and "Traceback" not in done.stderr
