"""`conformance parity`: the same cases to two endpoints, or a recording and an endpoint; diff the answers.

    conformance parity glue:GetMLTaskRun --target moto --target http://127.0.0.1:4566
    conformance parity --target cassette:aws.yaml --target moto
    conformance parity recorded.yaml other.yaml --target moto
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from conformance.baseline import add_baseline_arguments, apply_baseline, check_baseline_arguments, failing_errors
from conformance.cases import parse_examples
from conformance.commands.argument_types import positive_int
from conformance.commands.run_command import resolve_operations
from conformance.errors import UsageError
from conformance.parity.normalize import BUILTIN_NAMES, parse_normalizers
from conformance.parity.report import print_parity, write_parity_json, write_parity_markdown
from conformance.parity.runner import CHECK, LiveSide, ParityOptions, ParityResult, ParityRunner, RecordedSide
from conformance.parity.steps import Step, recorded_steps
from conformance.report.html_report import write_html
from conformance.report.junit import write_junit
from conformance.targets import make_target

CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")
CASSETTE_PREFIX = "cassette:"


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "parity",
        help="send the same cases to two endpoints (or a recording and one) and report where the answers differ",
        description="Send every case to --target A and --target B, in the same order, and compare each pair "
        "of answers: status, error code, and for successes every member's presence, type, list length and "
        "value after normalization. With a cassette (cassette:PATH as one --target, or CASSETTE arguments and "
        "one --target) the recorded interactions are the cases and their answers side A's. Exit 0: no "
        "error-level difference; 1: at least one; 2: usage error.",
    )
    parser.add_argument("names", nargs="*", metavar="TARGET|CASSETTE",
                        help="SERVICE:OPERATION or SERVICE, or vcrpy cassette files (then give one --target)")
    parser.add_argument("--target", dest="targets", action="append", default=[], metavar="TARGET",
                        help="moto, aws, an http://host:port endpoint or cassette:PATH; twice: A then B")
    parser.add_argument("--example", action="append", default=[], metavar="NAME=VALUE",
                        help="known-good value for input members named NAME (repeatable)")
    parser.add_argument("--max-examples", type=positive_int, default=20, metavar="N",
                        help="generated cases per operation and kind (default 20)")
    parser.add_argument("--seed", type=int, help="repeat a run exactly")
    parser.add_argument("--normalize", action="append", default=[], metavar="NAME=REGEX|NAME=@Member",
                        help="also replace matches of REGEX in strings, or the values of members so named, "
                        "by <NAME> on both sides (repeatable)")
    parser.add_argument("--no-normalize", action="append", default=[], metavar="NAME",
                        help=f"turn a built-in normalizer off ({', '.join(BUILTIN_NAMES)})")
    parser.add_argument("--no-resources", action="store_true",
                        help="do not discover or create ids on the two sides for operations that need them")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (default 10)")
    parser.add_argument("--max-time", type=float, metavar="SECONDS", help="bound on the whole run")
    parser.add_argument("--allow-mutating", action="store_true",
                        help="with a target aws: also send operations that change resources")
    add_baseline_arguments(parser)
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--report-html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    parser.add_argument("--report-md", type=Path, metavar="FILE", help="write a markdown summary")
    parser.set_defaults(run=run)


def _is_cassette(name: str) -> bool:
    return name.lower().endswith(CASSETTE_SUFFIXES) or "/" in name or Path(name).is_file()


def run(args: argparse.Namespace) -> int:
    for path in (args.report_json, args.junit, args.report_html, args.report_md):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    cassettes = [Path(name) for name in args.names if _is_cassette(name)]
    operations = resolve_operations([name for name in args.names if not _is_cassette(name)])
    targets: list[str] = list(args.targets)
    if cassettes and len(targets) != 1:
        raise UsageError("with CASSETTE arguments give exactly one --target (the side compared with them)")
    if not cassettes and len(targets) != 2:
        raise UsageError("give two --target options (A and B), or CASSETTE arguments and one --target")
    recorded_sources = [Path(t.removeprefix(CASSETTE_PREFIX)) for t in targets if t.startswith(CASSETTE_PREFIX)]
    if cassettes and recorded_sources:
        raise UsageError("give the recording either as CASSETTE arguments or as --target cassette:PATH, not both")
    sources = cassettes or recorded_sources
    if len(sources) > 1 and not cassettes:
        raise UsageError("one side must be live: at most one --target cassette:PATH")
    if not sources and not operations:
        raise UsageError("give SERVICE:OPERATION or SERVICE targets to generate cases for")
    check_baseline_arguments(args.baseline, args.baseline_update)
    normalizers = parse_normalizers(args.normalize, args.no_normalize)
    options = ParityOptions(normalizers=normalizers, max_examples=args.max_examples, seed=args.seed,
                            examples=parse_examples(args.example), resources=not args.no_resources,
                            max_seconds=args.max_time)
    if sources:
        result = _run_recorded(args, sources, targets, operations, options)
    else:
        result = _run_live(args, targets, operations, options)
    apply_baseline(result.run, args.baseline, update=args.baseline_update)
    print_parity(result)
    if args.report_json:
        write_parity_json(result, args.report_json)
    if args.junit:
        write_junit(result.run, [CHECK], args.junit)
    if args.report_html:
        write_html(result.run, args.report_html)
    if args.report_md:
        write_parity_markdown(result, args.report_md)
    return 1 if failing_errors(result.run) else 0


def _make(spec: str, args: argparse.Namespace) -> Any:
    return make_target(spec, timeout=args.timeout, allow_mutating=args.allow_mutating)


def _run_live(args: argparse.Namespace, targets: list[str], operations: list[tuple[str, str]],
              options: ParityOptions) -> ParityResult:
    a, b = _make(targets[0], args), _make(targets[1], args)
    with a, b:
        return ParityRunner(LiveSide(a), LiveSide(b), options).run_generated(operations)


def _run_recorded(args: argparse.Namespace, sources: list[Path], targets: list[str],
                  operations: list[tuple[str, str]], options: ParityOptions) -> ParityResult:
    from conformance.cassettes.session import load_cassette_modules

    load_cassette_modules()  # vcrpy, or a one-line error naming it
    from conformance.cassettes.reading import read_cassette

    live = next(t for t in targets if not t.startswith(CASSETTE_PREFIX))
    hints = [f"{service}:{operation}" for service, operation in operations]
    steps: list[Step] = []
    notes: list[str] = []
    for path in sources:
        cassette = read_cassette(path)  # a broken file: one line, exit 2
        if options.seed is None and isinstance(cassette.recording.get("run", {}).get("seed"), int):
            options.seed = cassette.recording["run"]["seed"]  # reported as the run's seed
        hints = hints or list(cassette.recording.get("run", {}).get("operations") or [])
        steps.extend(recorded_steps(cassette, hints, notes))
    if not steps:
        raise UsageError(f"{', '.join(map(str, sources))}: no interaction that can be sent again"
                         + (f" ({notes[0]})" if notes else ""))
    as_target = any(t.startswith(CASSETTE_PREFIX) for t in targets)
    name = CASSETTE_PREFIX + str(sources[0]) if as_target else ", ".join(map(str, sources))
    target = _make(live, args)
    with contextlib.ExitStack() as stack:
        stack.enter_context(target)
        runner = ParityRunner(RecordedSide(name), LiveSide(target), options)
        result = runner.run_recorded(steps, operations)
    if notes and result.run.operations:
        result.run.operations[0].notes.extend(notes)
    return result
