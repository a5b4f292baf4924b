"""Benchmark: judging the shared real-AWS records (../shared/data/real-aws), derivation included.

Each record (a botocore-parsed response real AWS sent) goes through `conformance.parsed_responses.judge`, as
tests/test_real_aws.py runs it: the output back in its wire data model and validated as `response_schema` and
`enum` do, or the error code judged as `error_code`, `error_status` and `not_a_server_error` do. Every run
starts cold: botocore's models loaded again, every schema derived and compiled again. Reading the record
files (JSON, LocalStack's placeholders) is not timed: it is the records' format, not judging.

Baseline (measured in the same run): the same judgement with every output validated by jsonschema alone, as
before the compiled yes/no check. CPU seconds of this one process (one core); best of --repeat runs each.
Target: >= 500 records/s.  Run: python bench/bench_real_aws.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' record reader

from conformance import spec
from conformance.checks import aws_deviations, registry
from conformance.errors import UsageError
from conformance.parsed_responses import ParsedResponse, judge
from conformance.spec import models, validation
from tests.real_aws_records import records

TARGET = 500.0


def prepared() -> list[ParsedResponse]:
    found = []
    for record in records():
        try:
            if not record.hand_written:
                found.append(record.judged())
        except UsageError:
            continue
    return found


def cold() -> None:
    """Forget every model, derived schema and compiled validator, so the run pays for them again."""
    models.shared_loader.cache_clear()
    models._load_cached.cache_clear()
    spec.deriver.cache_clear()
    spec.document.cache_clear()
    spec.part.cache_clear()
    registry.body_schema.cache_clear()
    validation._validator.cache_clear()
    validation._BY_IDENTITY.clear()
    aws_deviations._FAST.clear()


def judge_all(responses: list[ParsedResponse]) -> tuple[float, int]:
    cold()
    started = time.process_time()
    errors = 0
    for response in responses:
        try:
            errors += sum(finding.severity == "error" for finding in judge(response))
        except UsageError:
            continue
    return time.process_time() - started, errors


def jsonschema_only(responses: list[ParsedResponse]) -> tuple[float, int]:
    never: Callable[[Any], bool] = lambda value: False  # noqa: E731
    with mock.patch.object(aws_deviations, "_fast_check", lambda schema: never):
        return judge_all(responses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    responses = prepared()
    ours, base = [], []
    for _ in range(repeat):  # interleaved: a busy neighbour slows both sides alike
        base.append(jsonschema_only(responses))
        ours.append(judge_all(responses))
    (base_seconds, base_errors), (our_seconds, our_errors) = min(base), min(ours)
    assert base_errors == our_errors, (base_errors, our_errors)  # the same verdicts
    print(f"records judged: {len(responses)}  error findings: {our_errors}")
    print(f"jsonschema only (baseline): {base_seconds:6.2f} s  {len(responses) / base_seconds:7.0f} records/s")
    print(f"conformance judge (ours):   {our_seconds:6.2f} s  {len(responses) / our_seconds:7.0f} records/s "
          f"(target >= {TARGET:.0f}/s: {'met' if len(responses) / our_seconds >= TARGET else 'NOT met'})")
    print(f"speed-up ours/baseline:     {base_seconds / our_seconds:6.2f}x")


if __name__ == "__main__":
    main()
