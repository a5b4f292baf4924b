"""`conformance check-cassette`: check every recorded response of vcrpy cassettes against the spec (a CI gate)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from conformance.checks.aws_deviations import aws_deviations
from conformance.errors import UsageError

MAX_LISTED = 10  # interaction numbers listed per defect


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check-cassette",
        help="check the responses recorded in vcrpy cassettes against the spec",
        description="Read vcrpy cassettes (recorded by `conformance run --record`, pytest-recording or vcrpy), "
        "work out each interaction's service and operation (X-Amz-Target, Action, rest path, host) and run the "
        "response checks on every recorded response. Exit 0: no error finding; 1: at least one; 2: a cassette "
        "that cannot be read, or a usage error.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files (.yaml, or .json)")
    parser.add_argument("--checks", metavar="a,b",
                        help="checks to run (default: the response checks: response_schema, enum, error_code, "
                        "error_status, error_body, not_a_server_error, content_type, client_parse, request_id, "
                        "operation_contract)")
    parser.add_argument("--strict", action="store_true",
                        help="unknown members and deviations real AWS itself answers are errors, not warnings")
    parser.add_argument("--report-json", type=Path, metavar="FILE", help="write every finding as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from conformance.cassettes.checking import CassetteChecker, select_cassette_checks
        from conformance.cassettes.reading import read_cassette
    except ImportError:
        raise UsageError("check-cassette needs vcrpy: pip install vcrpy") from None
    if args.report_json is not None and args.report_json.is_dir():
        raise UsageError(f"{args.report_json} is a directory, not a report file")
    checks = select_cassette_checks(args.checks)
    started = time.perf_counter()
    cassettes = [read_cassette(path) for path in args.paths]  # all readable, or exit 2 before checking any
    report: list[dict[str, Any]] = []
    errors = deviations = 0
    for cassette in cassettes:
        hints = [str(name) for name in cassette.recording.get("run", {}).get("operations", [])]
        checker = CassetteChecker(checks, strict=args.strict, hints=hints, source=str(cassette.path))
        checked = [checker.check(interaction) for interaction in cassette.interactions]
        errors += sum(item.errors for item in checked)
        deviations += aws_deviations(finding for item in checked for finding in item.findings)
        _print_cassette(cassette.path, checked, sys.stdout)
        report.append(_cassette_json(cassette, checked))
    seconds = time.perf_counter() - started
    total = sum(len(c.interactions) for c in cassettes)
    sys.stdout.write(f"\n{len(cassettes)} cassettes, {total} interactions, {errors} errors in {seconds:.1f} s\n")
    if args.report_json:
        from conformance.spec.writer import atomic_write

        summary = {"cassettes": len(cassettes), "interactions": total, "errors": errors,
                   "aws_deviations": deviations, "seconds": round(seconds, 2)}
        atomic_write(args.report_json, json.dumps({"cassettes": report, "summary": summary}, indent=1,
                                                  ensure_ascii=False) + "\n")
    return 1 if errors else 0


def _print_cassette(path: Path, checked: list[Any], stream: TextIO) -> None:
    """Each defect once (operation, check, pointer, message), with the interactions that show it."""
    placed = [item for item in checked if item.operation is not None]
    defects: dict[tuple[str, str, str, str, str], list[Any]] = {}
    for item in placed:
        name = f"{item.operation.service}:{item.operation.operation}"
        for finding in item.findings:
            key = (finding.severity, name, finding.check, finding.pointer or "/", finding.message)
            defects.setdefault(key, []).append((item.interaction.number, finding))
    for (severity, name, check, pointer, message), seen in sorted(defects.items(), key=lambda kv: kv[0][0] != "error"):
        numbers = [number for number, _ in seen]
        listed = ", ".join(map(str, numbers[:MAX_LISTED])) + (", ..." if len(numbers) > MAX_LISTED else "")
        stream.write(f"{severity.upper() if severity == 'error' else severity} {name} [{check}] {pointer}: {message}"
                     f" (interaction{'s' if len(numbers) > 1 else ''} {listed})\n")
        if severity == "error":
            stream.write(f"  first: {seen[0][1].reproduce}\n")
    checked_ones = [item for item in placed if not item.not_implemented]
    operations = Counter(f"{item.operation.service}:{item.operation.operation}" for item in checked_ones)
    errors = sum(item.errors for item in checked)
    warnings = sum(len(item.findings) - item.errors for item in checked)
    summary = ", ".join(f"{name} {count}" for name, count in sorted(operations.items())) or "none"
    deviations = aws_deviations(finding for item in checked for finding in item.findings)
    stream.write(f"{path}: {len(checked)} interactions, {len(checked_ones)} checked ({summary}), {errors} errors, "
                 f"{warnings} warnings ({deviations} AWS itself answers)\n")
    not_implemented = Counter(f"{item.operation.service}:{item.operation.operation}" for item in placed
                              if item.not_implemented)
    for name, count in sorted(not_implemented.items()):
        stream.write(f"  {name}: not implemented by the endpoint ({count} interactions not checked)\n")
    unplaced = [item for item in checked if item.operation is None]
    if unplaced:
        first = unplaced[0].interaction
        stream.write(f"  {len(unplaced)} not checked: not requests to an AWS operation conformance can place "
                     f"(first: interaction {first.number}, {first.request.method} {first.request.uri})\n")


def _cassette_json(cassette: Any, checked: list[Any]) -> dict[str, Any]:
    return {
        "path": str(cassette.path),
        "recorded_against": cassette.recording.get("recorded_against"),
        "interactions": [
            {"number": item.interaction.number,
             "operation": f"{item.operation.service}:{item.operation.operation}" if item.operation else None,
             "status": item.interaction.status, "not_implemented": item.not_implemented,
             "findings": [finding.as_json() for finding in item.findings]}
            for item in checked
        ],
    }
