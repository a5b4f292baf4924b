"""Benchmark: a parity run against a `conformance run` of the same cases against one of its two endpoints.

Two `conformance serve glue` processes on 127.0.0.1 are the endpoints A and B. Both sides are whole
processes, imports included, measured in the same run, interleaved, fastest of REPEATS:
- baseline: `conformance run glue:GetMLTransform glue:GetMLTransforms --target A --max-examples N --seed 1
  --no-resources`; its JSON report gives the cases sent.
- ours: `conformance parity ... --target A --target B` with the same operations, N, seed; its report gives
  the pairs (each pair is one case sent to A and to B, and compared).
Compared per case (a run and a parity run do not draw exactly the same number of cases: the run stops a
kind at its first defect and shrinks, parity draws N of each kind), and as whole processes.
Also: `parity --target cassette:REC --target B` (A's answers from a recording) against `run --target B`.
Target: parity per pair / run per case <= 2.5.   Run: python bench/bench_parity.py [N [REPEATS]]
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

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from conformance.server.process import serve_process  # noqa: E402

OPERATIONS = ["glue:GetMLTransform", "glue:GetMLTransforms"]
TARGET = 2.5


@dataclass
class Side:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    cases: int = 0

    def measure(self, command: list[str], report: Path, count: str) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT)
        self.wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        data = json.loads(report.read_text())
        self.cases = data["summary"][count]

    @property
    def best(self) -> float:
        return min(self.wall)


def conformance(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "conformance", *arguments]


def compare(title: str, baseline: Side, ours: Side) -> float:
    per_case = (ours.best / max(ours.cases, 1)) / (baseline.best / max(baseline.cases, 1))
    print(f"{title}\n  run:    {baseline.best:6.2f} s wall, {baseline.cases} cases "
          f"({1000 * baseline.best / max(baseline.cases, 1):.1f} ms/case), cpu {min(baseline.cpu):.2f} s\n"
          f"  parity: {ours.best:6.2f} s wall, {ours.cases} pairs "
          f"({1000 * ours.best / max(ours.cases, 1):.1f} ms/pair), cpu {min(ours.cpu):.2f} s\n"
          f"  per case {per_case:.2f}x, whole process {ours.best / baseline.best:.2f}x "
          f"(target per case <= {TARGET}x: {'met' if per_case <= TARGET else 'NOT met'})")
    return per_case


def main(examples: int, repeats: int) -> None:
    common = [*OPERATIONS, "--max-examples", str(examples), "--seed", "1", "--no-resources"]
    with tempfile.TemporaryDirectory() as folder, \
            serve_process(["glue", "--seed", "1", "--quiet"]) as a, \
            serve_process(["glue", "--seed", "2", "--quiet"]) as b:
        work = Path(folder)
        run_report, parity_report = work / "run.json", work / "parity.json"
        recording = work / "a.yaml"
        subprocess.run(conformance("run", *common, "--target", a.url, "--record", str(recording)),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT)
        live_run, live_parity, replay_run, replay_parity = Side(), Side(), Side(), Side()
        for _ in range(repeats):
            live_run.measure(conformance("run", *common, "--target", a.url, "--report-json", str(run_report)),
                             run_report, "cases")
            live_parity.measure(conformance("parity", *common, "--target", a.url, "--target", b.url,
                                            "--report-json", str(parity_report)), parity_report, "pairs")
            replay_run.measure(conformance("run", *common, "--target", b.url, "--report-json", str(run_report)),
                               run_report, "cases")
            replay_parity.measure(conformance("parity", "--target", f"cassette:{recording}", "--target", b.url,
                                              "--report-json", str(parity_report)), parity_report, "pairs")
    print(f"N={examples}, fastest of {repeats}")
    compare("two live endpoints (parity A B) vs run A", live_run, live_parity)
    compare("a recording and a live endpoint (parity cassette:A B) vs run B", replay_run, replay_parity)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
