"""Benchmark: per-case cost of `conformance run` against in-process moto vs bare boto3 calls to it.

Both sides are whole processes, imports included, measured in the same run. Ours: `conformance run
glue:GetMLTransform --max-examples N --seed 1` (valid, invalid and boundary cases, all checks, resources
discovered); its JSON report gives the number of cases sent. Baseline: a process that imports boto3 and
moto, starts mock_aws and makes the same number of bare `get_ml_transform` calls.
Target: ours per case / baseline per call <= 1.5.   Run: python bench/bench_run.py [N [REPEATS]]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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

# The floor of any Hypothesis-driven run: the baseline's very calls, each made by one Hypothesis example that
# draws the number in its id (st.integers(), about the cheapest strategy there is), no checks. The difference
# to the baseline is Hypothesis's own cost per example; a run drawing one case per example cannot beat it.
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
    @given(st.integers(0, 10**9))
    def one(number):
        made[0] += 1
        try:
            client.get_ml_transform(TransformId=f"tfm-{number}")
        except client.exceptions.EntityNotFoundException:
            pass

    while made[0] < calls:
        one()
"""


@dataclass
class Side:
    """One side of the comparison: wall and CPU seconds (user + system, its process alone) of each run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def measure(self, command: list[str]) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        self.wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ours, baseline, floor = Side(), Side(), Side()
    cases = 0
    # The three sides take turns, REPEATS times, and each keeps its fastest run (as timeit does): on a shared
    # machine the slower runs measure the neighbours. CPU time is steadier than wall time there, so both are
    # shown. Every run of ours sends the same cases (fixed seed).
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        for _ in range(repeats):
            ours.measure([sys.executable, "-m", "conformance", "run", "glue:GetMLTransform", "--max-examples",
                          str(examples), "--seed", "1", "--report-json", str(report)])
            cases = json.loads(report.read_text())["summary"]["cases"]
            baseline.measure([sys.executable, "-c", BASELINE, str(cases)])
            floor.measure([sys.executable, "-c", HYPOTHESIS_FLOOR, str(cases)])
    print(f"cases sent by conformance run: {cases}; fastest of {repeats} runs each")
    for what in ("wall", "cpu"):
        mine, bare, least = (min(getattr(side, what)) for side in (ours, baseline, floor))
        print(f"{what} seconds: ours {mine:.2f} ({1000 * mine / cases:.2f} ms per case), bare boto3 {bare:.2f} "
              f"({1000 * bare / cases:.2f} ms per call), Hypothesis floor {least:.2f}")
        print(f"  ratio ours/baseline {mine / bare:.2f} (target <= 1.50); floor/baseline {least / bare:.2f}; "
              f"ours/floor {mine / least:.2f}")
    print(f"all wall times (s): ours {_listed(ours.wall)}; baseline {_listed(baseline.wall)}; "
          f"floor {_listed(floor.wall)}")


def _listed(times: list[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
