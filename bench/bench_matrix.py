"""Benchmark: a whole service, and every service moto implements, against in-process moto.

    python bench/bench_matrix.py            # all of Glue, 5 examples per kind, 2 workers (target < 300 s)
    python bench/bench_matrix.py --all      # --all-implemented as well (long: record the numbers below)

Prints the wall time, the statuses and, as the baseline measured in the same run, the time of the same
matrix on one worker for Glue, so the speed-up of the xdist workers is visible.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def run(arguments: list[str]) -> tuple[float, dict[str, object]]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "conformance", "run", *arguments, "--report-json", str(report)],
                       check=False, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        return seconds, json.loads(report.read_text())


def describe(name: str, seconds: float, report: dict[str, object]) -> None:
    operations = report["operations"]
    assert isinstance(operations, list)
    statuses = Counter(op["status"] for op in operations)
    resources = sum(bool(op.get("real_resource")) for op in operations)
    summary = report["summary"]
    assert isinstance(summary, dict)
    print(f"{name}: {seconds:7.1f} s  {len(operations)} operations  {summary['cases']} cases  "
          f"{dict(statuses)}  reached a real resource: {resources}  errors {summary['errors']}")


def main() -> None:
    common = ["--max-examples", "5", "--seed", "1"]
    two, report = run(["glue", *common, "--workers", "2"])
    describe("glue, 2 workers", two, report)
    print(f"  target: < 300 s -> {'met' if two < 300 else 'NOT met'}")
    one, report = run(["glue", *common])
    describe("glue, 1 process (baseline)", one, report)
    print(f"  speed-up of 2 workers: {one / two:.2f}x")
    if "--all" in sys.argv:
        seconds, report = run(["--all-implemented", "--target", "moto", *common, "--workers", "2"])
        describe("all moto-implemented services, 2 workers", seconds, report)


if __name__ == "__main__":
    main()
