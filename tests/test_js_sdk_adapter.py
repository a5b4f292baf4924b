"""The AWS SDK for JavaScript v3 against `serve --fuzz`, with the adapter in `adapters/js/` posting each
reading to the judge: the defect classes the issue found by hand must show, so a regression in the judge (or
in the adapter) shows too.

Needs Node.js and `npm install --prefix adapters/js` (`.ci/run` does it); skipped with the reason otherwise.
The server runs in this process with two case workers, as `serve --fuzz` does; the SDK in a node process.
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
from conformance.server.http import serve_in_thread
from conformance.server.workers import CaseWorkers

ADAPTER = Path(__file__).resolve().parent.parent / "adapters" / "js"
PACKAGES = ("@aws-sdk/client-glue", "@aws-sdk/client-cloudwatch-logs")


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the JavaScript SDK runs on it)")
    missing = [name for name in PACKAGES if not (ADAPTER / "node_modules" / name / "package.json").exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run `npm install --prefix adapters/js` (as .ci/run does)")
    return node


def _fuzz(service: str, calls: int, concurrency: int = 4) -> tuple[dict[str, Any], list[Defect]]:
    """Run the SDK CALLS times against `serve SERVICE --fuzz`; (its summary line, the judge's defects)."""
    node = _node()
    workers = CaseWorkers(2)  # as `serve --fuzz` runs by default
    endpoint = Endpoint(service, EndpointOptions(seed=1, fuzz=True), generate=workers)
    try:
        with serve_in_thread(endpoint) as server:
            done = subprocess.run([node, "fuzz-client.mjs", service, server.url, str(calls), str(concurrency)],
                                  cwd=ADAPTER, capture_output=True, text=True, timeout=300, check=False)
    finally:
        workers.close()
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert endpoint.judge is not None
    result = endpoint.judge.result()
    # Every answer was judged, each exactly once (the adapter posts one verdict input per attempt).
    assert result.cases == calls == sum(summary["verdicts"].values())
    return summary, result.defects


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
    assert _has(defects, "crash", "TypeError", "invalid-timestamp:") or _has(
        defects, "crash", "TypeError", "wrong-type: timestamp")
    assert summary["outcomes"].get("SyntaxError", 0) > 0
    assert not any(d.category.startswith("truncated:") for d in defects)
    # Every defect names its case, and the answer it read.
    assert all(d.case and d.case.startswith(f"{d.operation}-") and d.response.label == d.label for d in defects)


def test_the_js_sdk_on_logs_loses_int64_precision_and_overflows_its_stack() -> None:
    _, defects = _fuzz("logs", 600)
    lost = []
    for defect in defects:
        found = re.search(r"the response has (-?\d+), the parse (-?\d+)", defect.message)
        if defect.kind == "wrong-value" and found:
            sent, read = int(found[1]), int(found[2])
            lost.append(abs(sent) > 2**53 and sent != read and abs(sent - read) <= abs(sent) * 2**-52)
    assert lost and all(lost)  # valid 64-bit integers above 2^53, read as the nearest double
    assert _has(defects, "crash", "RangeError", "deep-nesting:")  # Maximum call stack size exceeded
    assert _has(defects, "accepted-invalid", None, "out-of-range:")  # a negative epoch-ms, returned as is
