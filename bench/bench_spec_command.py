"""Benchmark: the command `conformance spec --all --out DIR` against botocore's own load of the same models.

Baseline (measured in the same run, in a process of its own like the command): botocore loads every
service model with a fresh Loader, wraps it in a ServiceModel and builds every OperationModel with its
input and output shapes. Ours: the whole command, a new process writing all 20,027 documents and the index
into an empty directory. Runs alternate (baseline, command, baseline, ...) and each side keeps its fastest,
because the machine is shared. Target: command / baseline <= 2.0.  Run: python bench/bench_spec_command.py [ROUNDS]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import botocore.loaders
from botocore.model import ServiceModel
names = sorted(botocore.loaders.create_loader().list_available_services("service-2"))
for name in names:
    model = ServiceModel(botocore.loaders.create_loader().load_service_model(name, "service-2"), service_name=name)
    for operation in model.operation_names:
        shapes = model.operation_model(operation)
        _ = shapes.input_shape, shapes.output_shape, shapes.error_shapes
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    baseline: list[float] = []
    ours: list[float] = []
    for _ in range(rounds):
        baseline.append(timed([sys.executable, "-c", BASELINE]))
        out = Path(tempfile.mkdtemp(prefix="bench-spec-"))
        try:
            ours.append(timed([sys.executable, "-m", "conformance", "spec", "--all", "--out", str(out / "spec")]))
        finally:
            shutil.rmtree(out)
        print(f"round: baseline {baseline[-1]:.1f} s, command {ours[-1]:.1f} s", flush=True)
    best_base, best_ours = min(baseline), min(ours)
    print(f"botocore load+scan of every model (baseline): {best_base:6.2f} s (fastest of {rounds})")
    print(f"conformance spec --all --out DIR (ours):      {best_ours:6.2f} s (fastest of {rounds})")
    print(f"ratio ours/baseline:                          {best_ours / best_base:6.2f}  (target <= 2.00)")


if __name__ == "__main__":
    main()
