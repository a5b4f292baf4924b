"""`conformance run`: send generated cases to a target and check every answer against the spec."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

from conformance import spec
from conformance.baseline import add_baseline_arguments, apply_baseline, check_baseline_arguments, failing_errors
from conformance.cases import parse_examples
from conformance.cassettes.session import cassette_session
from conformance.checks import select_checks
from conformance.emit_tests import emit_tests
from conformance.errors import UsageError
from conformance.matrix import run_on_workers
from conformance.options import MATRIX_OPERATION_SECONDS, WORKERS_OPERATION_SECONDS, add_arguments, worker_flags
from conformance.report.console import Progress, summary
from conformance.report.html_report import write_html
from conformance.report.json_report import write_json_report
from conformance.report.junit import write_junit
from conformance.report.markdown_report import write_markdown
from conformance.requirements import PYTEST, VCRPY, XDIST, require
from conformance.resources import ResourcePool
from conformance.runner import Runner, RunOptions
from conformance.shards import parse_shard, shard
from conformance.spec.models import load_service
from conformance.targets import make_target
from conformance.targets.moto_coverage import implemented_operations, implemented_services


def operation_seconds(args: argparse.Namespace) -> float | None:
    """The bound on each operation of this run (None: none)."""
    if args.operation_timeout is not None:
        return float(args.operation_timeout)
    if args.all_implemented:
        return MATRIX_OPERATION_SECONDS
    return WORKERS_OPERATION_SECONDS if args.workers else None


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run generated cases against an endpoint and check its answers",
        description="Send valid, invalid and boundary cases of each operation to --target and check every "
        "response against the schema derived from botocore's model. Exit 0: no error finding; 1: at least "
        "one; 2: usage or configuration error.",
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="SERVICE:OPERATION or a whole SERVICE")
    parser.add_argument("--all-implemented", action="store_true",
                        help="with --target moto: every operation of every service moto implements")
    add_arguments(parser)
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--workers", metavar="N", help="run operations in parallel on pytest-xdist: N or auto")
    parser.add_argument("--report-html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    parser.add_argument("--report-md", type=Path, metavar="FILE", help="write a markdown summary")
    parser.add_argument("--record", type=Path, metavar="PATH",
                        help="write every exchange of the run to PATH as a vcrpy cassette (replay it: cassette:PATH)")
    parser.add_argument("--redact-account", action="store_true",
                        help="with --record: write 12-digit account ids (ARNs included) as 123456789012")
    parser.add_argument("--emit-tests", type=Path, metavar="DIR",
                        help="write a pytest file per root cause into DIR, in moto's idiom, failing while the "
                        "defect is there")
    parser.add_argument("--shard", metavar="K/N",
                        help="run only the K-th of N deterministic parts of the operations (a CI matrix; "
                        "join the reports with conformance report merge)")
    add_baseline_arguments(parser)
    parser.add_argument("--force", action="store_true",
                        help="with --record: replace PATH even if it is not a cassette conformance recorded")
    parser.set_defaults(run=run)


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


def _chosen_operations(args: argparse.Namespace) -> list[tuple[str, str]]:
    if args.all_implemented:
        if args.target != "moto" or args.targets:
            raise UsageError("--all-implemented takes no TARGET and works with --target moto")
        return [(service, operation) for service in implemented_services()
                for operation in implemented_operations(service)]
    if not args.targets:
        raise UsageError("give SERVICE:OPERATION or SERVICE targets, or --all-implemented")
    return resolve_operations(args.targets)


def _workers(value: str | None) -> str | None:
    if value is None or value == "auto" or (value.isdigit() and int(value) >= 1):
        return value
    raise UsageError(f"--workers {value!r}: give a number of workers or auto")


def run(args: argparse.Namespace) -> int:
    operations = _chosen_operations(args)
    if args.shard:
        operations = shard(operations, *parse_shard(args.shard))
        if not operations:
            raise UsageError(f"--shard {args.shard}: this shard has no operations (fewer operations than shards)")
    checks = select_checks(args.checks)
    workers = _workers(args.workers)
    if workers and args.record:
        raise UsageError("--record records this process's traffic: it does not combine with --workers")
    examples = parse_examples(args.example)
    check_baseline_arguments(args.baseline, args.baseline_update)
    for path in (args.report_json, args.junit, args.report_html, args.report_md):
        if path is not None and path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    if args.emit_tests is not None and args.emit_tests.exists() and not args.emit_tests.is_dir():
        raise UsageError(f"--emit-tests {args.emit_tests}: not a directory")
    started = time.time()  # --max-time counts from here, in this process and in the workers
    if workers:
        require(PYTEST, "--workers")
        require(XDIST, "--workers")
    if args.record:
        require(VCRPY, "--record")
    target = make_target(args.target, timeout=args.timeout, allow_mutating=args.allow_mutating)
    if workers:
        with target:
            pass  # reachable at the start, or a one-line error before any worker starts
        result = run_on_workers(operations, target=args.target, workers=workers,
                                seed=args.seed if args.seed is not None else random.randrange(2**31),
                                plugin_args=_plugin_args(args, started))
    else:
        options = RunOptions(checks=checks, max_examples=args.max_examples, seed=args.seed, strict=args.strict,
                             examples=examples, max_seconds=args.max_time, operation_seconds=operation_seconds(args))
        with target, cassette_session(args, target, options, operations):  # --record, or a replay's recorded seed
            if not args.no_resources:
                options.resources = ResourcePool(target, create=args.target != "aws", seed=args.seed or 0)
            result = Runner(target, options, progress=Progress()).run(operations)
    apply_baseline(result, args.baseline, update=args.baseline_update)
    summary(result)
    if args.report_json:
        write_json_report(result, args.report_json)
    if args.junit:
        write_junit(result, list(checks), args.junit)
    if args.report_html:
        write_html(result, args.report_html)
    if args.report_md:
        write_markdown(result, args.report_md)
    if args.emit_tests:
        emitted = emit_tests(result, args.emit_tests)
        print(f"wrote {len(emitted)} tests to {args.emit_tests}", file=sys.stderr)
    return 1 if failing_errors(result) else 0


def _plugin_args(args: argparse.Namespace, started: float) -> list[str]:
    """The run's options, as the pytest plugin's flags, for the workers."""
    return worker_flags(args, overrides={"operation_timeout": operation_seconds(args)},
                        started=started)
