"""`conformance report merge REPORT.json... --report-json ALL.json --report-html ALL.html`: join reports.

The shards of a run (`conformance run --shard K/N` on N runners) each write a JSON report; merged, they are
the whole run's report, root causes grouped again across all of them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.report.console import summary
from conformance.report.html_report import write_html
from conformance.report.json_report import read_report, write_json_report
from conformance.report.markdown_report import write_markdown
from conformance.results import RunResult


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="work on JSON reports: merge the shards of a run",
        description="Reports of conformance run --report-json.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    merge = actions.add_parser("merge", help="join JSON reports (the shards of a run) into one",
                               description="Join JSON reports of the same target into one; root causes are "
                               "grouped again across them. Exit 1 when the merged run has error findings.")
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    merge.add_argument("--report-json", type=Path, metavar="FILE", help="write the merged JSON report")
    merge.add_argument("--report-html", type=Path, metavar="FILE", help="write the merged HTML report")
    merge.add_argument("--report-md", type=Path, metavar="FILE", help="write the merged markdown summary")
    merge.set_defaults(run=run_merge)


def merge_results(results: list[RunResult]) -> RunResult:
    """One run from RESULTS: every operation once; the shards ran side by side, so the longest one's time."""
    targets = sorted({result.target for result in results})
    if len(targets) > 1:
        raise UsageError(f"the reports are of different targets ({', '.join(targets)}): merge one target's shards")
    merged: dict[tuple[str, str], Any] = {}
    for result in results:
        for op in result.operations:
            if (op.service, op.operation) in merged:
                raise UsageError(f"{op.service}:{op.operation} is in more than one report: merge distinct shards")
            merged[(op.service, op.operation)] = op
    return RunResult(targets[0], results[0].seed, list(merged.values()), max(r.seconds for r in results))


def run_merge(args: argparse.Namespace) -> int:
    outputs = [path for path in (args.report_json, args.report_html, args.report_md) if path is not None]
    if not outputs:
        raise UsageError("give --report-json, --report-html or --report-md to write the merged report")
    inputs = {path.resolve() for path in args.reports}
    for path in outputs:
        if path.resolve() in inputs:
            raise UsageError(f"{path} is one of the reports being merged: it would be overwritten")
        if path.is_dir():
            raise UsageError(f"{path} is a directory, not a report file")
    result = merge_results([read_report(path) for path in args.reports])
    summary(result, sys.stderr)
    if args.report_json:
        write_json_report(result, args.report_json)
    if args.report_html:
        write_html(result, args.report_html)
    if args.report_md:
        write_markdown(result, args.report_md)
    return 1 if result.errors else 0
