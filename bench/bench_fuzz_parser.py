"""Benchmark: fuzz cases per second through botocore's parser for glue GetMLTaskRun, or any SERVICE:OPERATION
given (iam:GetUser for the query protocol, lambda:GetFunction for rest-json, s3:ListObjectsV2 for rest-xml),
in botocore's protocol or a PROTOCOL its service also lists (`cloudwatch:DescribeAlarms smithy-rpc-v2-cbor`)
(target: 2,000/s on every protocol).

Four measurements in one process, same interpreter, same machine load:
- baseline: bare `botocore.parsers.create_parser("json").parse(...)` on one fixed valid response, in a loop
  (no generation, no judging);
- parser only: the parser call the fuzzer makes (botocore's parse plus the Endpoint's modeled error fields)
  over the fuzzer's own responses, built beforehand: what botocore costs on this mix of cases (errors
  parse twice, exceptions are raised), the ceiling of any fuzzer feeding it these responses;
- sweep: generation (Hypothesis-driven batches over bases drawn from `strategies`), parse and oracle, one
  round of N cases without shrinking: the steady-state rate of `conformance fuzz-parser`;
- full run: `conformance fuzz-parser glue:GetMLTaskRun` end to end (protocol-test seeds, rounds, shrinking,
  one shrunk reproducer per defect); its rate counts parses, shrink steps replay remembered verdicts.
Each rate is given per wall-clock second and per CPU second of this process (`time.process_time`): on a
shared machine the first follows the load, the second does not. The verdict uses the wall-clock sweep rate;
ratios against both baselines show the cost of generating and judging a case.
For another operation than GetMLTaskRun the baseline parses the generator's first valid response.
Run: python bench/bench_fuzz_parser.py [N] [SERVICE:OPERATION [PROTOCOL]]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import botocore.parsers
import botocore.session
from botocore.awsrequest import HeadersDict

from conformance.fuzz import FuzzOptions, FuzzRunner, default_parser, for_operation

SERVICE, OPERATION = "glue", "GetMLTaskRun"
PROTOCOL: str | None = None  # None: botocore's choice for the service
TARGET = 2000.0
SEED = 20240229


def timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """(WORK's result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def baseline(count: int) -> tuple[float, float]:
    """Bare parses per (wall, CPU) second of one fixed, valid GetMLTaskRun response."""
    if (SERVICE, OPERATION, PROTOCOL) != ("glue", "GetMLTaskRun", None):
        return generated_baseline(count)
    model = botocore.session.get_session().get_service_model(SERVICE)
    shape = model.operation_model(OPERATION).output_shape
    parser = botocore.parsers.create_parser("json")
    body = json.dumps({"TransformId": "tfm-0123456789", "TaskRunId": "tsk-0123456789", "Status": "SUCCEEDED",
                       "LogGroupName": "/aws-glue/ml", "Properties": {"TaskType": "FIND_MATCHES"},
                       "StartedOn": 1708699485.123, "CompletedOn": 1708699585, "ExecutionTime": 100}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "c0f1e2d3"}

    def loop() -> None:
        for _ in range(count):
            parser.parse({"status_code": 200, "headers": HeadersDict(headers), "body": body, "context": {}}, shape)

    _, wall, cpu = timed(loop)
    return count / wall, count / cpu


def generated_baseline(count: int) -> tuple[float, float]:
    """Bare parses per (wall, CPU) second of the generator's first valid response of SERVICE:OPERATION."""
    context = for_operation(SERVICE, OPERATION, PROTOCOL)
    runner = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=64, seed=SEED))
    successes, errors = runner.pools()
    response = runner.generator.build(runner.generator.weighted()[0], successes[-1], errors[0])
    parser = botocore.parsers.create_parser(context.model.resolved_protocol)
    shape = context.model.operation_model(OPERATION).output_shape

    def loop() -> None:
        for _ in range(count):
            parser.parse({"status_code": response.status, "headers": HeadersDict(response.headers),
                          "body": response.body, "context": {}}, shape)

    _, wall, cpu = timed(loop)
    return count / wall, count / cpu


def parser_only(count: int) -> tuple[float, float]:
    """Parses per (wall, CPU) second of the fuzzer's parser call over COUNT of its responses, built first."""
    context = for_operation(SERVICE, OPERATION, PROTOCOL)
    runner = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=count, seed=SEED))
    successes, errors = runner.pools()
    uses = runner.generator.weighted()
    rng = random.Random(SEED)
    responses = []
    for _ in range(count):
        use, base, slot, variant = (rng.randrange(256) for _ in range(4))
        responses.append(runner.generator.build(uses[use % len(uses)], successes[base % len(successes)],
                                                errors[base % len(errors)], slot, variant))
    parser = default_parser(context)

    def loop() -> None:
        for response in responses:
            try:
                parser(response)
            except Exception:  # the fuzzer judges these; here only the time counts
                continue

    _, wall, cpu = timed(loop)
    return count / wall, count / cpu


def sweep(cases: int) -> tuple[float, float, int, float]:
    """(cases per wall second, per CPU second, cases, seconds spent drawing the bases beforehand)."""
    context = for_operation(SERVICE, OPERATION, PROTOCOL)
    runner = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=cases, seed=SEED))
    _, pools, _ = timed(runner.pools)
    parsed, wall, cpu = timed(runner.sweep)
    return parsed / wall, parsed / cpu, parsed, pools


def full_run(cases: int) -> tuple[float, float, int, float, int]:
    """(cases per wall second, per CPU second, cases, wall seconds, defects) of a whole fuzz-parser run."""
    context = for_operation(SERVICE, OPERATION, PROTOCOL)
    runner = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=cases, seed=SEED))
    result, wall, cpu = timed(runner.run)
    return result.cases / wall, result.cases / cpu, result.cases, wall, len(result.defects)


def main() -> None:
    global SERVICE, OPERATION, PROTOCOL
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    if len(sys.argv) > 2:
        SERVICE, OPERATION = sys.argv[2].split(":", 1)
    if len(sys.argv) > 3:
        PROTOCOL = sys.argv[3]
    for_operation(SERVICE, OPERATION, PROTOCOL)  # warm the schema caches: not part of any measurement
    base, base_cpu = baseline(cases)
    alone, alone_cpu = parser_only(cases)
    rate, rate_cpu, parsed, pools = sweep(cases)
    full, full_cpu, full_cases, full_seconds, defects = full_run(1000)
    print(f"{SERVICE}:{OPERATION} ({for_operation(SERVICE, OPERATION, PROTOCOL).protocol})")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; rates per wall second / per CPU second")
    print(f"baseline   bare botocore parse of one fixed response:   {base:7.0f} / {base_cpu:7.0f} parses/s")
    print(f"parser     the same call over the fuzzer's responses:    {alone:7.0f} / {alone_cpu:7.0f} parses/s")
    print(f"sweep      generate + parse + judge, {parsed} cases:       {rate:7.0f} / {rate_cpu:7.0f} cases/s "
          f"(bases drawn first in {pools:.2f} s)")
    print(f"full run   --max-examples 1000: {full_cases} parses, {defects} defects, {full_seconds:.1f} s: "
          f"{full:7.0f} / {full_cpu:7.0f} cases/s (shrinking replays remembered verdicts)")
    print(f"ours / target {TARGET:.0f}/s = {rate / TARGET:.2f} (wall), {rate_cpu / TARGET:.2f} (CPU)   "
          f"ours / baseline = {rate_cpu / base_cpu:.2f}   ours / parser only = {rate_cpu / alone_cpu:.2f} (CPU)")
    print("PASS" if rate >= TARGET else "FAIL", f"(target: >= {TARGET:.0f} cases per wall second in the sweep)")


if __name__ == "__main__":
    main()
