"""Benchmark: fuzz cases per second through botocore's parser for glue GetMLTaskRun (target: 2,000/s).

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
Prints cases/s, ours against the 2,000/s target, and ours against both baselines (the second ratio is the
share of the time botocore itself takes). Run: python bench/bench_fuzz_parser.py [N]
"""

from __future__ import annotations

import json
import random
import sys
import time

import botocore.parsers
import botocore.session
from botocore.awsrequest import HeadersDict

from conformance.fuzz import FuzzOptions, FuzzRunner, default_parser, for_operation

SERVICE, OPERATION = "glue", "GetMLTaskRun"
TARGET = 2000.0
SEED = 20240229


def baseline(count: int) -> float:
    """Bare parses per second of one fixed, valid GetMLTaskRun response."""
    model = botocore.session.get_session().get_service_model(SERVICE)
    shape = model.operation_model(OPERATION).output_shape
    parser = botocore.parsers.create_parser("json")
    body = json.dumps({"TransformId": "tfm-0123456789", "TaskRunId": "tsk-0123456789", "Status": "SUCCEEDED",
                       "LogGroupName": "/aws-glue/ml", "Properties": {"TaskType": "FIND_MATCHES"},
                       "StartedOn": 1708699485.123, "CompletedOn": 1708699585, "ExecutionTime": 100}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "c0f1e2d3"}
    started = time.perf_counter()
    for _ in range(count):
        parser.parse({"status_code": 200, "headers": HeadersDict(headers), "body": body, "context": {}}, shape)
    return count / (time.perf_counter() - started)


def parser_only(count: int) -> float:
    """Parses per second of the fuzzer's parser call over COUNT of its responses, built beforehand."""
    context = for_operation(SERVICE, OPERATION)
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
    started = time.perf_counter()
    for response in responses:
        try:
            parser(response)
        except Exception:  # the fuzzer judges these; here only the time counts
            continue
    return count / (time.perf_counter() - started)


def sweep(cases: int) -> tuple[float, int, float]:
    """(cases/s of one round without shrinking, cases, seconds spent drawing the bases beforehand)."""
    context = for_operation(SERVICE, OPERATION)
    runner = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=cases, seed=SEED))
    started = time.perf_counter()
    runner.pools()
    pools = time.perf_counter() - started
    started = time.perf_counter()
    parsed = runner.sweep()
    return parsed / (time.perf_counter() - started), parsed, pools


def full_run(cases: int) -> tuple[float, int, float, int]:
    """(cases/s, cases, seconds, defects) of a whole fuzz-parser run."""
    context = for_operation(SERVICE, OPERATION)
    result = FuzzRunner(context, default_parser(context), FuzzOptions(max_examples=cases, seed=SEED)).run()
    return result.cases / result.seconds, result.cases, result.seconds, len(result.defects)


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    for_operation(SERVICE, OPERATION)  # warm the schema caches: not part of any measurement
    base = baseline(cases)
    alone = parser_only(cases)
    rate, parsed, pools = sweep(cases)
    full_rate, full_cases, full_seconds, defects = full_run(max(200, cases // 20))
    print(f"baseline   bare botocore parse of one fixed response: {base:10.0f} parses/s")
    print(f"parser     the same call over the fuzzer's responses:  {alone:10.0f} parses/s")
    print(f"sweep      generate + parse + judge, {parsed} cases:     {rate:10.0f} cases/s "
          f"(bases drawn first in {pools:.2f} s)")
    print(f"full run   {full_cases} cases, {defects} defects, {full_seconds:.1f} s:        {full_rate:10.0f} cases/s "
          "(parses; shrinking replays remembered verdicts)")
    print(f"ours / target {TARGET:.0f}/s = {rate / TARGET:.2f}   ours / baseline = {rate / base:.2f}   "
          f"ours / parser only = {rate / alone:.2f} (botocore's share of the time)")
    print("PASS" if rate >= TARGET else "FAIL", f"(target: >= {TARGET:.0f} cases/s in the sweep)")


if __name__ == "__main__":
    main()
