"""Benchmark: per-case cost of `conformance run` against in-process moto vs bare boto3 calls to it.

Both sides are whole processes, imports included, measured in the same run. Ours: `conformance run
glue:GetMLTransform --max-examples N --seed 1` (valid, invalid and boundary cases, all checks, resources
discovered); its JSON report gives the number of cases sent. Baseline: a process that imports boto3 and
moto, starts mock_aws and makes the same number of bare `get_ml_transform` calls.
Target: ours per case / baseline per call <= 1.5.   Run: python bench/bench_run.py [N [REPEATS]]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import sys, boto3
from botocore.config import Config
from moto import mock_aws
calls = int(sys.argv[1])
with mock_aws():
    client = boto3.client("glue", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(parameter_validation=False))
    for number in range(calls):
        try:
            client.get_ml_transform(TransformId=f"tfm-{number}")
        except client.exceptions.EntityNotFoundException:
            pass
"""

# The floor of any Hypothesis-driven run: the same bare calls, each made by one Hypothesis example drawing the
# simplest strategy there is for the id (st.text()), no checks. Ours can only be slower than this.
HYPOTHESIS_FLOOR = """
import sys, boto3
from botocore.config import Config
from hypothesis import given, settings, seed, strategies as st, HealthCheck, Phase
from moto import mock_aws
calls = int(sys.argv[1])
with mock_aws():
    client = boto3.client("glue", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing", config=Config(parameter_validation=False))
    made = [0]

    @settings(max_examples=calls, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @seed(1)
    @given(st.text(min_size=1, max_size=255))
    def one(transform_id):
        made[0] += 1
        try:
            client.get_ml_transform(TransformId=transform_id)
        except client.exceptions.EntityNotFoundException:
            pass

    while made[0] < calls:
        one()
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ours_times: list[float] = []
    baseline_times: list[float] = []
    floor_times: list[float] = []
    cases = 0
    # The three sides take turns, REPEATS times, and each keeps its fastest run (as timeit does): on a shared
    # machine the slower runs measure the neighbours. Every run of ours sends the same cases (fixed seed).
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        for _ in range(repeats):
            ours_times.append(timed([sys.executable, "-m", "conformance", "run", "glue:GetMLTransform",
                                     "--max-examples", str(examples), "--seed", "1", "--report-json", str(report)]))
            cases = json.loads(report.read_text())["summary"]["cases"]
            baseline_times.append(timed([sys.executable, "-c", BASELINE, str(cases)]))
            floor_times.append(timed([sys.executable, "-c", HYPOTHESIS_FLOOR, str(cases)]))
    ours, baseline, floor = min(ours_times), min(baseline_times), min(floor_times)
    print(f"cases sent by conformance run: {cases}; fastest of {repeats} runs each")
    print(f"conformance run (ours):       {ours:6.2f} s  {1000 * ours / cases:6.2f} ms per case")
    print(f"bare boto3 (baseline):        {baseline:6.2f} s  {1000 * baseline / cases:6.2f} ms per call")
    print(f"bare boto3, one Hypothesis example per call (floor of any Hypothesis-driven run): {floor:6.2f} s")
    print(f"ratio ours/baseline:          {ours / baseline:6.2f}  (target <= 1.50)")
    print(f"ratio floor/baseline:         {floor / baseline:6.2f}")
    print(f"ratio ours/floor:             {ours / floor:6.2f}")
    print(f"all runs (s): ours {_listed(ours_times)}; baseline {_listed(baseline_times)}; floor {_listed(floor_times)}")


def _listed(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
