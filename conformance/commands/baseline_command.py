"""`conformance baseline write BASELINE --report REPORT.json`: accept a report's findings as known."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.baseline import baseline_document, write_baseline
from conformance.errors import UsageError
from conformance.report.json_report import read_report


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "baseline", help="write a baseline of known findings from a JSON report",
        description="Baselines: `conformance run --baseline FILE` fails only on findings FILE does not hold.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    write = actions.add_parser("write", help="write BASELINE from the error findings of --report REPORT.json",
                               description="Write BASELINE from the error findings of a JSON report "
                               "(conformance run --report-json); it says when and against what.")
    write.add_argument("baseline", type=Path, metavar="BASELINE", help="the baseline file to write")
    write.add_argument("--report", type=Path, required=True, metavar="REPORT.json", help="a JSON report")
    write.add_argument("--force", action="store_true", help="replace BASELINE even if it is not a baseline")
    write.set_defaults(run=run_write)


def run_write(args: argparse.Namespace) -> int:
    if args.report.resolve() == args.baseline.resolve():
        raise UsageError("BASELINE and --report are the same file: the report would be overwritten")
    result = read_report(args.report)
    document = baseline_document(result, report=str(args.report))
    write_baseline(args.baseline, document, force=args.force)
    print(f"wrote {len(document['findings'])} known findings of {len(result.operations)} operations to "
          f"{args.baseline}", file=sys.stderr)
    return 0
