"""The AWS SDK for JavaScript v3 against `serve --fuzz`, with the adapter in `adapters/js/` posting each
reading to the judge: the defect classes the issue found by hand must show, so a regression in the judge (or
in the adapter) shows too.

Needs Node.js and `npm install --prefix adapters/js` (`.ci/run` does it); skipped with the reason otherwise.
The server runs in this process with two case workers, as `serve --fuzz` does; the SDK in a node process.
One JSON service pair (Glue, CloudWatch Logs) and one XML one (IAM, the query protocol).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conformance.fuzz.runner import Defect
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import case_id, fuzz_response
from conformance.server.http import serve_in_thread
from conformance.server.workers import CaseWorkers

ADAPTER = Path(__file__).resolve().parent.parent / "adapters" / "js"
PACKAGES = ("@aws-sdk/client-glue", "@aws-sdk/client-cloudwatch-logs", "@aws-sdk/client-iam")


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the JavaScript SDK runs on it)")
    missing = [name for name in PACKAGES if not (ADAPTER / "node_modules" / name / "package.json").exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run `npm install --prefix adapters/js` (as .ci/run does)")
    return node


def _run_client(service: str, endpoint: Endpoint, calls: int, concurrency: int) -> dict[str, Any]:
    """Run the SDK CALLS times against ENDPOINT; its summary line (every answer judged exactly once)."""
    node = _node()
    with serve_in_thread(endpoint) as server:
        done = subprocess.run([node, "fuzz-client.mjs", service, server.url, str(calls), str(concurrency)],
                              cwd=ADAPTER, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert endpoint.judge is not None
    # The adapter posts one verdict input per attempt, and the judge judged each.
    assert endpoint.judge.result().cases == calls == sum(summary["verdicts"].values())
    return summary


def _fuzz(service: str, calls: int, concurrency: int = 4) -> tuple[dict[str, Any], list[Defect]]:
    """Run the SDK CALLS times against `serve SERVICE --fuzz`; (its summary line, the judge's defects)."""
    _node()
    workers = CaseWorkers(2)  # as `serve --fuzz` runs by default
    endpoint = Endpoint(service, EndpointOptions(seed=1, fuzz=True), generate=workers)
    try:
        summary = _run_client(service, endpoint, calls, concurrency)
    finally:
        workers.close()
    assert endpoint.judge is not None
    return summary, endpoint.judge.result().defects


def _imprecise_long(body: bytes) -> bool:
    """Whether BODY holds an integer no double holds exactly (above 2^53, not a multiple of its spacing)."""
    integers = re.findall(rb"(?<=[:,\[])-?[0-9]{16,}(?=[,\]}])", body)  # JSON numbers, not digits in strings
    return any(int(float(digits)) != int(digits) for digits in integers)


def _has(defects: list[Defect], kind: str, exception: str | None, category: str) -> bool:
    return any(d.kind == kind and d.exception == exception and d.category.startswith(category) for d in defects)


def test_the_adapters_own_tests() -> None:
    node = _node()
    done = subprocess.run([node, "--test", "test/"], cwd=ADAPTER, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_js_sdk_on_glue_accepts_wrong_types_and_crashes_on_bad_error_codes() -> None:
    summary, defects = _fuzz("glue", 300)
    # Wrong JSON types returned as they are (a string member holding an object, ...).
    assert _has(defects, "accepted-invalid", None, "wrong-type:")
    # Its own TypeError on `__type: true` or `null`.
    assert _has(defects, "crash", "TypeError", "bad-error-code:")
    # Timestamps it cannot read crash it too; truncated JSON is refused with JSON.parse's SyntaxError: no defect.
    assert any(d.kind == "crash" and d.exception == "TypeError" and "timestamp" in d.category for d in defects)
    assert summary["outcomes"].get("SyntaxError", 0) > 0
    assert not any(d.category.startswith("truncated:") for d in defects)
    # Every defect names its case, and the answer it read.
    assert all(d.case and d.case.startswith(f"{d.operation}-") and d.response.label == d.label for d in defects)


def test_the_js_sdk_on_logs_overflows_its_stack_and_returns_out_of_range_numbers() -> None:
    _, defects = _fuzz("logs", 400)
    assert _has(defects, "crash", "RangeError", "deep-nesting:")  # Maximum call stack size exceeded
    assert _has(defects, "accepted-invalid", None, "out-of-range:")  # a negative epoch-ms, returned as is


def test_the_js_sdk_on_iam_accepts_entity_expansions_and_crashes_on_query_xml() -> None:
    """The query protocol (XML): the SDK's own XML parser refuses what is not XML (a documented refusal, no
    defect), but an entity expansion comes back as an output missing its required members, a bad error code
    or a timestamp it cannot read crashes it with TypeError, and deep nesting overflows its stack."""
    summary, defects = _fuzz("iam", 400)
    assert _has(defects, "accepted-invalid", None, "entity-expansion:")
    assert _has(defects, "crash", "TypeError", "bad-error-code:")
    assert _has(defects, "crash", "RangeError", "deep-nesting:")
    assert summary["outcomes"].get("Error", 0) > 0  # "@aws-sdk XML parse error: ..." on what is not XML
    refused = {d.case for d in defects}
    assert summary["verdicts"]["none"] > len(refused)  # most answers were read right or refused as documented
    assert all(d.case and d.case.startswith(f"{d.operation}-") and d.response.label == d.label for d in defects)
    assert all(d.response.body.lstrip().startswith(b"<") or d.category.startswith(("not-xml:", "html:", "empty"))
               for d in defects)  # XML answers: the server spoke the query protocol


def test_the_js_sdk_loses_int64_precision_above_2_53() -> None:
    """A valid GetLogEvents answer whose 64-bit integers no double holds, replayed: the SDK reads each as the
    nearest double, a wrong value. (Chosen from the cases, so that the test does not wait on one by chance.)"""
    _node()
    seed, response = next((seed, response) for seed in range(5000)
                          for response in [fuzz_response("logs", "GetLogEvents", seed)]
                          if response.expectation.mode == "valid" and response.status == 200
                          and _imprecise_long(response.body))
    case = case_id("GetLogEvents", seed)
    endpoint = Endpoint("logs", EndpointOptions(replay_case=case), generate=lambda *_: response)
    summary = _run_client("logs", endpoint, 3, 1)
    assert summary["outcomes"] == {"returned": 3}  # the SDK says nothing
    assert endpoint.judge is not None
    [defect] = endpoint.judge.result().defects
    found = re.search(r"the response has (-?[0-9]+), the parse (-?[0-9]+)", defect.message)
    assert (defect.kind, defect.case, defect.seen) == ("wrong-value", case, 3) and found, defect.message
    sent, read = int(found[1]), int(found[2])
    assert abs(sent) > 2**53 and sent != read and read == int(float(sent))  # the nearest double
