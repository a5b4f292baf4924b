"""Benchmark: judging the shared real-AWS records (../shared/data/real-aws), derivation included.

Each record (a botocore-parsed response real AWS sent) goes through `conformance.parsed_responses.judge`, as
tests/test_real_aws.py runs it: the output back in its wire data model and validated as `response_schema` and
`enum` do, or the error code judged as `error_code`, `error_status` and `not_a_server_error` do. Each
measurement starts cold in a fresh process: botocore's models loaded, every schema derived and compiled in
the run. Reading the record files (JSON, LocalStack's placeholders) is not timed: it is the records' format,
not judging.

Baseline (measured in the same run): the same judgement with every output validated by jsonschema alone, as
before the compiled yes/no check. CPU seconds of this one process (one core); best of --repeat runs each.
Target: >= 500 records/s.  Run: python bench/bench_real_aws.py [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' record reader

TARGET = 500.0


def prepared() -> list[Any]:
    from conformance.errors import UsageError
    from tests.real_aws_records import records

    found = []
    for record in records():
        try:
            if not record.hand_written:
                found.append(record.judged())
        except UsageError:
            continue
    return found


def child(mode: str, path: str) -> None:
    """One cold measurement in this fresh process: nothing loaded, derived or compiled before the loop."""
    responses = pickle.loads(Path(path).read_bytes())
    from conformance.checks import aws_deviations
    from conformance.errors import UsageError
    from conformance.parsed_responses import judge

    never: Callable[[Any], bool] = lambda value: False  # noqa: E731
    patch: contextlib.AbstractContextManager[Any] = (
        mock.patch.object(aws_deviations, "_fast_check", lambda schema: never) if mode == "baseline"
        else contextlib.nullcontext())
    errors = 0
    with patch:
        started = time.process_time()
        for response in responses:
            try:
                errors += sum(finding.severity == "error" for finding in judge(response))
            except UsageError:
                continue
        seconds = time.process_time() - started
    print(json.dumps({"seconds": seconds, "errors": errors}))


def measure(mode: str, path: str) -> tuple[float, int]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, path], capture_output=True, text=True,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["seconds"]), int(result["errors"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PICKLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    responses = prepared()
    with tempfile.NamedTemporaryFile(suffix=".pickle") as handle:
        handle.write(pickle.dumps(responses))
        handle.flush()
        ours, base = [], []
        for _ in range(args.repeat):  # interleaved: a busy neighbour slows both sides alike
            base.append(measure("baseline", handle.name))
            ours.append(measure("ours", handle.name))
    (base_seconds, base_errors), (our_seconds, our_errors) = min(base), min(ours)
    assert base_errors == our_errors, (base_errors, our_errors)  # the same verdicts
    print(f"records judged: {len(responses)}  error findings: {our_errors}")
    print(f"jsonschema only (baseline): {base_seconds:6.2f} s  {len(responses) / base_seconds:7.0f} records/s")
    print(f"conformance judge (ours):   {our_seconds:6.2f} s  {len(responses) / our_seconds:7.0f} records/s "
          f"(target >= {TARGET:.0f}/s: {'met' if len(responses) / our_seconds >= TARGET else 'NOT met'})")
    print(f"speed-up ours/baseline:     {base_seconds / our_seconds:6.2f}x")


if __name__ == "__main__":
    main()
