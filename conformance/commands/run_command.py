"""`conformance run`: send generated cases to a target and check every answer against the spec."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance import spec
from conformance.cases import parse_examples
from conformance.checks import CHECKS, select_checks
from conformance.errors import UsageError
from conformance.report.console import Progress, summary
from conformance.report.json_report import write_json_report
from conformance.report.junit import write_junit
from conformance.runner import Runner, RunOptions
from conformance.spec.models import load_service
from conformance.targets import make_target


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run generated cases against an endpoint and check its answers",
        description="Send valid, invalid and boundary cases of each operation to --target and check every "
        "response against the schema derived from botocore's model. Exit 0: no error finding; 1: at least "
        "one; 2: usage or configuration error.",
    )
    parser.add_argument("targets", nargs="+", metavar="TARGET", help="SERVICE:OPERATION or a whole SERVICE")
    parser.add_argument("--target", default="moto",
                        help="moto (default, in-process), aws, or an http://host:port endpoint")
    parser.add_argument("--example", action="append", default=[], metavar="NAME=VALUE",
                        help="known-good value for input members named NAME (repeatable)")
    parser.add_argument("--max-examples", type=_positive_int, default=100, metavar="N",
                        help="cases per operation and kind (default 100)")
    parser.add_argument("--seed", type=int, help="repeat a run exactly")
    parser.add_argument("--checks", metavar="a,b", help=f"checks to run (default all: {', '.join(CHECKS)})")
    parser.add_argument("--strict", action="store_true", help="unknown members are errors, not warnings")
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per request (default 10)")
    parser.add_argument("--max-time", type=float, metavar="SECONDS", help="bound on the whole run")
    parser.add_argument("--allow-mutating", action="store_true",
                        help="with --target aws: also run operations that change resources")
    parser.set_defaults(run=run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def resolve_operations(targets: list[str]) -> list[tuple[str, str]]:
    """SERVICE:OPERATION and SERVICE arguments as (service, operation) pairs, checked against the model."""
    chosen: list[tuple[str, str]] = []
    for item in targets:
        service, _, operation = item.partition(":")
        if operation:
            spec.document(service, operation)  # raises a one-line UsageError with the closest names
            chosen.append((service, operation))
        else:
            load_service(service)
            chosen.extend((service, name) for name in spec.operations(service))
    return list(dict.fromkeys(chosen))


def run(args: argparse.Namespace) -> int:
    operations = resolve_operations(args.targets)
    checks = select_checks(args.checks)
    options = RunOptions(checks=checks, max_examples=args.max_examples, seed=args.seed, strict=args.strict,
                         examples=parse_examples(args.example), max_seconds=args.max_time)
    for path in (args.report_json, args.junit):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    target = make_target(args.target, timeout=args.timeout, allow_mutating=args.allow_mutating)
    with target:
        result = Runner(target, options, progress=Progress()).run(operations)
    summary(result)
    if args.report_json:
        write_json_report(result, args.report_json)
    if args.junit:
        write_junit(result, list(checks), args.junit)
    return 1 if result.errors else 0
