"""Benchmark: examples per second of `strategies` for glue GetMLTaskRun, against a baseline.

Measured in the same run, two ways each:
- per test case: `@given(strategy)` with one value per case, Hypothesis's engine overhead included (what a
  property test sees);
- amortized: `@given(st.data())` drawing DRAWS values per case, so the strategy's own cost dominates.

Ours: `valid_inputs("glue", "GetMLTaskRun")` (its HashString pattern kept) and `responses(...)`.
Baseline: hypothesis-jsonschema's `from_schema` on the same request *without* the pattern. It is never a
project dependency: the bench installs it into a throwaway virtualenv (in the temp directory) and runs it
there in a subprocess. hypothesis-jsonschema 0.23 crashes on current Hypothesis (its object strategy
still calls `many.more()`); when it cannot run, the bench says so and the baseline is the closest
stand-in, a hand-built `fixed_dictionaries` + `text()` strategy for the pattern-less request, measured here.
`--hjs-hypothesis VERSION` pins an older Hypothesis in that virtualenv, where hypothesis-jsonschema still
runs; the stand-in is then measured there too, so the two compare on the same engine.

Targets: ours >= 2x the baseline's examples/s on the request; >= 1,000 valid responses/s.
Run: python bench/bench_strategies.py [--seconds N] [--no-hjs] [--hjs-hypothesis VERSION]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

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

# Measures one strategy both ways; run in this process, and as a script in the throwaway virtualenv.
MEASURE = textwrap.dedent('''
    import time
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    def per_case(strategy, seconds):
        """Values per second, one value per test case."""
        count, n, elapsed = 0, 200, 0.0
        while elapsed < seconds:
            calls = [0]

            @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(strategy)
            def run(value):
                calls[0] += 1

            started = time.process_time()
            run()
            elapsed += time.process_time() - started
            count += calls[0]
        return count / elapsed

    def amortized(strategy, seconds, draws):
        """Values per second, DRAWS values per test case."""
        count, n, elapsed = 0, 50, 0.0
        while elapsed < seconds:
            calls = [0]

            @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(st.data())
            def run(data):
                for _ in range(draws):
                    data.draw(strategy)
                calls[0] += draws

            started = time.process_time()
            run()
            elapsed += time.process_time() - started
            count += calls[0]
        return count / elapsed
''')
namespace: dict[str, Any] = {}
exec(MEASURE, namespace)  # our own constant source, shared with the subprocess


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


HJS_SCRIPT = MEASURE + textwrap.dedent('''
    import json, sys
    from hypothesis_jsonschema import from_schema
    schema, seconds, draws, with_stand_in = json.loads(sys.argv[1])
    result = {"hjs_per_case": per_case(from_schema(schema), seconds),
              "hjs_amortized": amortized(from_schema(schema), seconds, draws)}
    if with_stand_in:
        text = st.text(min_size=1, max_size=255)
        hand = st.fixed_dictionaries({"TransformId": text, "TaskRunId": text})
        result["stand_in_per_case"] = per_case(hand, seconds)
        result["stand_in_amortized"] = amortized(hand, seconds, draws)
    import hypothesis, importlib.metadata as md
    hjs_version = md.version("hypothesis-jsonschema")
    result["versions"] = f"hypothesis {hypothesis.__version__}, hypothesis-jsonschema {hjs_version}"
    print(json.dumps(result))
''')


def hypothesis_jsonschema(seconds: float, pinned: str | None) -> dict[str, Any]:
    """Run hypothesis-jsonschema in a throwaway virtualenv; {"error": ...} when it cannot run."""
    venv = Path(tempfile.gettempdir()) / f"conformance-bench-hjs-{pinned or 'latest'}"
    python = venv / "bin" / "python"
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            requirement = ["hypothesis-jsonschema"] + ([f"hypothesis=={pinned}"] if pinned else [])
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirement], check=True,
                           capture_output=True, timeout=600)
        argument = json.dumps([PATTERNLESS_REQUEST, seconds, DRAWS, pinned is not None])
        done = subprocess.run([str(python), "-c", HJS_SCRIPT, argument], capture_output=True, text=True,
                              timeout=600, env={**os.environ, "PYTHONPATH": ""})
    except (subprocess.SubprocessError, OSError) as error:
        return {"error": f"could not install or start it: {error}"}
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no output"]
        reason = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1])
        return {"error": f"it crashed: {reason.strip()}"}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--no-hjs", action="store_true", help="skip the hypothesis-jsonschema attempt")
    parser.add_argument("--hjs-hypothesis", help="Hypothesis version to pin in its throwaway virtualenv")
    options = parser.parse_args()

    import strategies
    from conformance import spec

    requests = strategies.valid_inputs("glue", "GetMLTaskRun")
    responses = strategies.responses("glue", "GetMLTaskRun")
    check_valid(requests, spec.part("glue", "GetMLTaskRun", "input"))
    check_valid(responses, spec.part("glue", "GetMLTaskRun", "output"))
    check_valid(stand_in(), PATTERNLESS_REQUEST)
    per_case, amortized = namespace["per_case"], namespace["amortized"]
    seconds = options.seconds
    per_case(requests, 0.5)  # warm-up: strategy construction and first-draw caches

    rows: dict[str, tuple[float, float]] = {
        "ours: request, pattern kept": (per_case(requests, seconds), amortized(requests, seconds, DRAWS)),
        "ours: response": (per_case(responses, seconds), amortized(responses, seconds, DRAWS)),
        "stand-in: request, no pattern": (per_case(stand_in(), seconds), amortized(stand_in(), seconds, DRAWS)),
    }
    import hypothesis

    print(f"Hypothesis {hypothesis.__version__}, Python {sys.version.split()[0]}; "
          f"amortized = {DRAWS} draws per test case")
    print(f"{'examples/s':40} {'per case':>10} {'amortized':>10}")
    for name, (one, many) in rows.items():
        print(f"{name:40} {one:10.0f} {many:10.0f}")

    ours = rows["ours: request, pattern kept"]
    baseline, baseline_name = rows["stand-in: request, no pattern"], "the hand-built stand-in"
    if not options.no_hjs:
        hjs = hypothesis_jsonschema(seconds, options.hjs_hypothesis)
        if "error" in hjs:
            print(f"hypothesis-jsonschema: cannot run here ({hjs['error']}); baseline: the stand-in")
        else:
            print(f"hypothesis-jsonschema, request without pattern ({hjs['versions']}): "
                  f"{hjs['hjs_per_case']:.0f} per case, {hjs['hjs_amortized']:.0f} amortized")
            if options.hjs_hypothesis:
                # Different engine: compare through the stand-in measured on both engines.
                there = (hjs["stand_in_per_case"], hjs["stand_in_amortized"])
                print(f"  stand-in on that engine: {there[0]:.0f} per case, {there[1]:.0f} amortized; "
                      f"hypothesis-jsonschema / stand-in: {hjs['hjs_per_case'] / there[0]:.2f} per case, "
                      f"{hjs['hjs_amortized'] / there[1]:.2f} amortized")
                baseline = (baseline[0] * hjs["hjs_per_case"] / there[0],
                            baseline[1] * hjs["hjs_amortized"] / there[1])
                baseline_name = "hypothesis-jsonschema (scaled to this engine through the stand-in)"
            else:
                baseline, baseline_name = (hjs["hjs_per_case"], hjs["hjs_amortized"]), "hypothesis-jsonschema"
    print(f"ratio ours (pattern kept) / {baseline_name} (no pattern): "
          f"{ours[0] / baseline[0]:.2f} per case, {ours[1] / baseline[1]:.2f} amortized  (target >= 2.00)")
    response = rows["ours: response"]
    print(f"valid GetMLTaskRun responses/s: {response[0]:.0f} per case, {response[1]:.0f} amortized  "
          f"(target >= 1000)")


if __name__ == "__main__":
    main()
