"""Benchmark: examples per second of `strategies` for glue GetMLTaskRun, against hypothesis-jsonschema.

Ours: `valid_inputs("glue", "GetMLTaskRun")` (its HashString pattern kept) and `responses(...)`.
Baseline: hypothesis-jsonschema's `from_schema` on the same request *without* the pattern. It is never a
project dependency: the bench installs it into a throwaway virtualenv in the temp directory and runs it
in a subprocess. hypothesis-jsonschema 0.23 crashes on current Hypothesis (its object strategy still
calls `many.more()`); when it does, the bench says so and
- on the project's Hypothesis, compares against the closest stand-in, a hand-built `fixed_dictionaries` +
  `text()` strategy for the pattern-less request;
- installs an older Hypothesis (--pinned, default 6.100.0) in a second throwaway virtualenv, where
  hypothesis-jsonschema runs, and measures it, the stand-in *and ours* there: a same-engine comparison.

Each rate is measured two ways, in CPU time of the measuring process (this machine is shared, and wall
time measures the neighbours as much as us):
- per case: `@given(strategy)`, one value per test case, Hypothesis's engine overhead included;
- amortized: `@given(st.data())` drawing DRAWS values per test case, so the strategy's own cost dominates.
Each is the best of ROUNDS interleaved rounds.
Targets: ours >= 2x the baseline's examples/s on the request; >= 1,000 valid responses/s. Issue 16's
generation floor is also measured in wall time (per case, best of interleaved rounds): requests at least
0.80x the stand-in (the ratio it measured on a quiet machine), responses at 1,000/s or more.
Run: python bench/bench_strategies.py [--seconds N] [--no-hjs] [--pinned VERSION]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

PROJECT = Path(__file__).resolve().parent.parent
# The request without its pattern, as plain JSON Schema (what the baseline generates from).
PATTERNLESS_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "TransformId": {"type": "string", "minLength": 1, "maxLength": 255},
        "TaskRunId": {"type": "string", "minLength": 1, "maxLength": 255},
    },
    "required": ["TransformId", "TaskRunId"],
    "additionalProperties": False,
}
DRAWS = 10
Rates = tuple[float, float]  # (per case, amortized)


def per_case(strategy: st.SearchStrategy[Any], seconds: float) -> float:
    """Values per CPU second, one value per test case."""
    calls = [0]

    @settings(max_examples=200, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: Any) -> None:
        calls[0] += 1

    return _per_cpu_second(run, calls, seconds)


def amortized(strategy: st.SearchStrategy[Any], seconds: float, draws: int = DRAWS) -> float:
    """Values per CPU second, DRAWS values per test case."""
    calls = [0]

    @settings(max_examples=50, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        for _ in range(draws):
            data.draw(strategy)
        calls[0] += draws

    return _per_cpu_second(run, calls, seconds)


def per_case_wall(strategy: st.SearchStrategy[Any], seconds: float) -> float:
    """Values per wall-clock second, one value per test case (what a user waits for)."""
    calls = [0]

    @settings(max_examples=200, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: Any) -> None:
        calls[0] += 1

    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        run()
    return calls[0] / (time.perf_counter() - started)


def wall_floor(seconds: float) -> dict[str, float]:
    """Issue 16's floor in wall time: requests, the stand-in and responses per case, best of ROUNDS."""
    import strategies

    candidates = {"request": strategies.valid_inputs("glue", "GetMLTaskRun"), "stand-in": stand_in(),
                  "response": strategies.responses("glue", "GetMLTaskRun")}
    best = dict.fromkeys(candidates, 0.0)
    for _ in range(ROUNDS):
        for name, strategy in candidates.items():
            best[name] = max(best[name], per_case_wall(strategy, seconds / ROUNDS))
    return best


def _per_cpu_second(run: Callable[[], None], calls: list[int], seconds: float) -> float:
    """Repeat RUN until it has used SECONDS of CPU; the values it counted in CALLS per CPU second."""
    elapsed = 0.0
    while elapsed < seconds:
        started = time.process_time()
        run()
        elapsed += time.process_time() - started
    return calls[0] / elapsed


ROUNDS = 3


def best_rates(candidates: dict[str, st.SearchStrategy[Any]], seconds: float) -> dict[str, Rates]:
    """Each candidate measured in ROUNDS interleaved rounds; the best round of each is kept (the usual
    defence against a noisy machine: interference only ever slows a round down)."""
    best: dict[str, Rates] = {name: (0.0, 0.0) for name in candidates}
    for _ in range(ROUNDS):
        for name, strategy in candidates.items():
            one, many = per_case(strategy, seconds / ROUNDS), amortized(strategy, seconds / ROUNDS)
            best[name] = (max(best[name][0], one), max(best[name][1], many))
    return best


def stand_in() -> st.SearchStrategy[Any]:
    """Closest hand-built equivalent of hypothesis-jsonschema's strategy for the pattern-less request."""
    text = st.text(min_size=1, max_size=255)
    return st.fixed_dictionaries({"TransformId": text, "TaskRunId": text})


def check_valid(strategy: st.SearchStrategy[Any], schema: dict[str, Any], count: int = 200) -> None:
    validator = Draft202012Validator(schema)

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: Any) -> None:
        assert validator.is_valid(value), value

    run()


def measure_all(seconds: float, with_hjs: bool) -> dict[str, Any]:
    """Every rate on the running interpreter's Hypothesis (here, or in a throwaway virtualenv)."""
    import hypothesis

    import strategies
    from conformance import spec

    requests = strategies.valid_inputs("glue", "GetMLTaskRun")
    responses = strategies.responses("glue", "GetMLTaskRun")
    check_valid(requests, spec.part("glue", "GetMLTaskRun", "input"))
    check_valid(responses, spec.part("glue", "GetMLTaskRun", "output"))
    check_valid(stand_in(), PATTERNLESS_REQUEST)
    per_case(requests, 0.5)  # warm-up: strategy construction and first-draw caches
    candidates = {
        "ours: request, pattern kept": requests,
        "ours: response": responses,
        "stand-in: request, no pattern": stand_in(),
    }
    result: dict[str, Any] = {"hypothesis": hypothesis.__version__}
    if with_hjs:
        import importlib.metadata

        from hypothesis_jsonschema import from_schema

        baseline = from_schema(PATTERNLESS_REQUEST)
        check_valid(baseline, PATTERNLESS_REQUEST)
        version = importlib.metadata.version("hypothesis-jsonschema")
        candidates[f"hypothesis-jsonschema {version}: request, no pattern"] = baseline
        # For context: the same request with its pattern kept.
        try:
            with_pattern = from_schema(spec.part("glue", "GetMLTaskRun", "input"))
            check_valid(with_pattern, spec.part("glue", "GetMLTaskRun", "input"), count=50)
            candidates[f"hypothesis-jsonschema {version}: request, pattern kept"] = with_pattern
        except Exception as error:  # context only: report it and go on
            text = f"hypothesis-jsonschema with the pattern: {type(error).__name__}: {error}"[:160]
            result["notes"] = text.encode("ascii", "backslashreplace").decode("ascii")  # it may hold surrogates
    result["rows"] = best_rates(candidates, seconds)
    return result


def in_throwaway_venv(seconds: float, pinned: str | None) -> dict[str, Any]:
    """measure_all(with_hjs=True) in a virtualenv holding hypothesis-jsonschema (and Hypothesis PINNED);
    {"error": ...} when it cannot be installed or crashes."""
    import botocore

    venv = Path(tempfile.gettempdir()) / f"conformance-bench-hjs-{pinned or 'latest'}"
    python = venv / "bin" / "python"
    requirements = ["hypothesis-jsonschema", f"botocore=={botocore.__version__}"]
    requirements += [f"hypothesis=={pinned}"] if pinned else []
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirements], check=True,
                       capture_output=True, timeout=900)
        code = f"import json, sys; sys.path.insert(0, {str(PROJECT / 'bench')!r}); import bench_strategies as b; " \
               f"print(json.dumps(b.measure_all({seconds!r}, True)))"
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=1800,
                              env={**os.environ, "PYTHONPATH": str(PROJECT)}, cwd=str(PROJECT))
    except (subprocess.SubprocessError, OSError) as error:
        return {"error": f"could not install or start it: {error}"}
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        reason = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1])
        return {"error": f"it crashed: {reason.strip()}"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def show(result: dict[str, Any], title: str) -> None:
    print(f"\n{title} (Hypothesis {result['hypothesis']}); examples per CPU second, amortized = {DRAWS} "
          "draws per test case")
    print(f"  {'':56} {'per case':>10} {'amortized':>10}")
    for name, (one, many) in result["rows"].items():
        print(f"  {name:56} {one:10.0f} {many:10.0f}")
    if "notes" in result:
        print(f"  ({result['notes']})")


def ratio(result: dict[str, Any], baseline: str) -> str:
    ours = result["rows"]["ours: request, pattern kept"]
    base = result["rows"][baseline]
    return f"{ours[0] / base[0]:.2f} per case, {ours[1] / base[1]:.2f} amortized"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU time per measurement")
    parser.add_argument("--no-hjs", action="store_true", help="skip hypothesis-jsonschema altogether")
    parser.add_argument("--pinned", default="6.100.0",
                        help="Hypothesis version on which hypothesis-jsonschema runs ('' to skip that run)")
    options = parser.parse_args()

    here = measure_all(options.seconds, with_hjs=False)
    show(here, "Project environment")
    stand_in_name = "stand-in: request, no pattern"
    hjs_rows: dict[str, Any] = {}
    if not options.no_hjs:
        latest = in_throwaway_venv(options.seconds, None)
        if "error" in latest:
            print(f"\nhypothesis-jsonschema on the project's Hypothesis: cannot run ({latest['error']})")
        else:
            hjs_rows = latest
            show(latest, "Throwaway virtualenv, latest hypothesis-jsonschema")
    response = here["rows"]["ours: response"]
    print(f"\nvalid GetMLTaskRun responses per CPU second: {response[0]:.0f} per case, {response[1]:.0f} "
          "amortized  (target >= 1000)")
    print(f"ratio ours (pattern kept) / stand-in (no pattern), project engine: {ratio(here, stand_in_name)}")
    wall = wall_floor(options.seconds)
    floor = wall["request"] / wall["stand-in"]
    print(f"wall, per case: requests {wall['request']:.0f}/s, stand-in {wall['stand-in']:.0f}/s "
          f"({floor:.2f}x, floor 0.80x: {'held' if floor >= 0.80 else 'NOT held'}), responses "
          f"{wall['response']:.0f}/s (target >= 1000: {'met' if wall['response'] >= 1000 else 'NOT met'})")
    if hjs_rows:
        name = next(n for n in hjs_rows["rows"] if n.startswith("hypothesis-jsonschema"))
        print(f"ratio ours (pattern kept) / {name}, same engine: {ratio(hjs_rows, name)}  (target >= 2.00)")
    elif not options.no_hjs and options.pinned:
        pinned = in_throwaway_venv(options.seconds, options.pinned)
        if "error" in pinned:
            print(f"hypothesis-jsonschema on Hypothesis {options.pinned}: cannot run ({pinned['error']})")
            return
        show(pinned, f"Throwaway virtualenv, Hypothesis pinned to {options.pinned}")
        name = next(n for n in pinned["rows"] if n.startswith("hypothesis-jsonschema"))
        print(f"\nratio ours (pattern kept) / {name}, same engine ({options.pinned}): "
              f"{ratio(pinned, name)}  (target >= 2.00)")
        print(f"ratio ours (pattern kept) / stand-in, same engine ({options.pinned}): "
              f"{ratio(pinned, stand_in_name)}")


if __name__ == "__main__":
    main()
