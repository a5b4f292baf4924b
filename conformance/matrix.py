"""Many operations in parallel on pytest-xdist, through the pytest plugin: xdist is the distributed engine.

`conformance run ... --workers N` starts `pytest -n N --dist load` with the plugin (a pytest11 entry
point); every worker writes the result of each operation it ran to a results directory, and this process
merges them into one RunResult for the reports. An operation whose worker crashed ends as `error`; the matrix goes on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from conformance.results import OperationResult, RunResult

RESULT_SUFFIX = ".result.json"


def result_path(directory: Path, service: str, operation: str) -> Path:
    return directory / f"{service}.{operation}{RESULT_SUFFIX}"


def run_on_workers(operations: Sequence[tuple[str, str]], *, target: str, workers: str, seed: int,
                   plugin_args: Sequence[str]) -> RunResult:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="conformance-matrix-") as scratch:
        root = Path(scratch)
        results = root / "results"
        results.mkdir()
        (root / "pytest.ini").write_text("[pytest]\n")
        # In a file: the list of a whole matrix is longer than Linux allows one argument to be (128 KiB).
        chosen = root / "operations.txt"
        chosen.write_text("".join(f"{service}:{operation}\n" for service, operation in operations))
        command = [
            sys.executable, "-m", "pytest", "-c", str(root / "pytest.ini"), "--rootdir", str(root), str(root),
            # `load`, not `loadgroup`: after a worker crash, xdist 3.8's group scheduling hands no more work
            # to the replacement and the matrix hangs. The plugin makes one item per operation instead.
            "-n", workers, "--dist", "load", "-q", "-p", "no:cacheprovider",
            # pytest's unraisable-exception plugin collects garbage five times as each worker ends: with
            # moto's state of thousands of resources, seconds at the end of the run for warnings nobody reads.
            "-p", "no:unraisableexception",
            # A crashed worker is replaced however often it happens (at most once per operation: the plugin
            # does not run again an operation that crashed one); xdist's default gives up after 4 per worker,
            # and every operation not yet run would end without a result.
            "--max-worker-restart", str(len(operations)),
            f"--conformance=@{chosen}",  # one argument: pytest reads a lone @FILE argument as more arguments
            "--conformance-target", target, "--conformance-seed", str(seed),
            "--conformance-results", str(results), *plugin_args,
        ]
        # pytest's exit code only says whether some check failed; the merged results say everything, and
        # pytest's last words say why operations have none (its output is kept in a file, not in memory).
        log = root / "pytest.log"
        with log.open("wb") as output:
            subprocess.run(command, cwd=root, stdout=output, stderr=subprocess.STDOUT, check=False)
        why = _last_words(log)
        merged = [_load(results, service, operation, why) for service, operation in operations]
    return RunResult(target, seed, merged, time.perf_counter() - started)


def _last_words(log: Path) -> str:
    """Why pytest stopped, from the end of its output: its last `!!! ... !!!` banner (an interruption, the
    maximum of crashed workers, an internal error), else its summary line."""
    lines = [line.strip() for line in log.read_text(errors="replace")[-8192:].splitlines()]
    banners = [line.strip("! ") for line in lines if line.startswith("!!!") or line.startswith("INTERNALERROR")]
    if banners:
        return banners[-1]
    return next((line.strip("= ") for line in reversed(lines) if line.strip("=. FEsx")), "")


def _load(results: Path, service: str, operation: str, why: str) -> OperationResult:
    path = result_path(results, service, operation)
    try:
        return OperationResult.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError):
        reason = _read(path.with_suffix(".started"))
        if reason:  # the worker's bounds watch ended it, and said why first
            return OperationResult(service, operation, status="error", notes=[f"the operation {reason}"])
        note = "no result: the worker running it crashed or was stopped"
        return OperationResult(service, operation, status="error",
                               notes=[f"{note} (pytest's last words: {why})" if why else note])


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
