"""The cassette side of one `conformance run`: record it (`--record`), or prepare a replay (`cassette:PATH`).

Imports vcrpy only when a cassette is involved, so a plain run works without it.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
from typing import Any

from conformance.errors import UsageError
from conformance.runner import RunOptions
from conformance.targets.base import Target


def cassette_session(args: argparse.Namespace, target: Target, options: RunOptions,
                     operations: list[tuple[str, str]]) -> contextlib.AbstractContextManager[Any]:
    """What to run the run in: a Recording with --record, else nothing. Checks the flags first (exit 2).

    Fixes the seed before the run starts: a recording notes it, a replay takes the recorded one unless
    --seed is given. `args.seed` follows, since real-resource discovery is seeded from it too.
    """
    record = getattr(args, "record", None)
    if record is not None or target.replays_recording:
        load_cassette_modules()
    if record is None:
        if getattr(args, "redact_account", False) or getattr(args, "force", False):
            flag = "--redact-account" if args.redact_account else "--force"
            raise UsageError(f"{flag} only applies with --record")
        if target.replays_recording:
            for note in replay_notes(target, options, operations, resources=not args.no_resources):
                print(f"note: {note}", file=sys.stderr)
            args.seed = options.seed
            use_recorded_cases(target, options)
        return contextlib.nullcontext()
    from conformance.cassettes.recording import Recording, check_record_path, check_recordable, recording_info

    check_recordable(target)
    check_record_path(record, args.force)
    if options.seed is None:
        options.seed = random.randrange(2**31)  # noted in the cassette, so a replay repeats it
    args.seed = options.seed
    info = recording_info(target, options, operations, record, redact_account=args.redact_account,
                          resources=not args.no_resources)
    recording = Recording(record, target, info, redact_account=args.redact_account)
    options.on_sent = recording.note  # each case is stored with its interaction
    return recording


def use_recorded_cases(target: Target, options: RunOptions) -> None:
    """A cassette that carries its cases is replayed from them: nothing is generated, nothing discovered."""
    from conformance.cassettes.replay_target import CassetteTarget

    if isinstance(target, CassetteTarget) and target.cassette.carries_cases:
        options.recorded_cases = target.recorded_cases


def replay_notes(target: Target, options: RunOptions, operations: list[tuple[str, str]], *,
                 resources: bool = True) -> list[str]:
    """Sets the recorded seed when none was given; says which arguments differ from the recorded run's."""
    from conformance.cassettes.recording import generator_fingerprint
    from conformance.cassettes.replay_target import CassetteTarget

    if not isinstance(target, CassetteTarget) or not target.recorded_run:
        return []
    run = target.recorded_run
    notes: list[str] = []
    if options.seed is None and isinstance(run.get("seed"), int):
        options.seed = run["seed"]
    carried = target.cassette.carries_cases
    given = {"operations": [f"{s}:{o}" for s, o in operations], "seed": options.seed,
             "max_examples": options.max_examples, "checks": list(options.checks), "strict": options.strict,
             "examples": options.examples, "resources": resources}
    differing = [f"{name} {given[name]!r} (recorded: {run.get(name)!r})" for name in given
                 if name in run and _normalized(given[name]) != _normalized(run[name])]
    if carried:
        notes.append(f"replaying the {len(target.cassette.cases())} cases {target.path} recorded (none generated)"
                     + ("; these arguments do not change them: " + "; ".join(differing) if differing else ""))
        return notes
    if differing:
        notes.append("this replay differs from the recorded run in " + "; ".join(differing)
                     + ": requests the recording does not hold become cassette_miss findings")
    recording = target.cassette.recording
    recorded = recording.get("versions", {}).get("generator")
    if recorded and recorded != generator_fingerprint():
        notes.append("the code that turns a seed into cases is not the recording's (Hypothesis, strategies/ or "
                     "conformance's case generation changed) and this cassette does not carry its cases: expect "
                     f"cassette_miss findings; record again with: {recording.get('record_again')}")
    return notes


def load_cassette_modules() -> None:
    """Import every module a recording or a replay uses, in both; a one-line error when vcrpy is missing.

    (Loaded modules no longer change the cases a seed gives: `conformance.determinism` pins that.)
    """
    _require_vcrpy()
    import conformance.cassettes.checking
    import conformance.cassettes.recording
    import conformance.cassettes.replay_target  # noqa: F401


def _normalized(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return value


def _require_vcrpy() -> None:
    try:
        import vcr  # noqa: F401
    except ImportError:
        raise UsageError("--record needs vcrpy: pip install vcrpy") from None
