"""What a person sees: a progress line while operations run, then a summary table and each error."""

from __future__ import annotations

import sys
from typing import TextIO

from conformance.baseline import is_new
from conformance.checks.aws_deviations import aws_deviations
from conformance.results import OperationResult, RunResult
from conformance.root_causes import root_causes

BAR_WIDTH = 30
MAX_ROOT_CAUSES = 20
MAX_NAMED_OPERATIONS = 5


class Progress:
    """A one-line progress bar on a terminal; silent when output is captured (CI logs stay clean)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()

    def __call__(self, result: OperationResult, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        filled = BAR_WIDTH * done // total
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {result.operation[:40]:<40}"
        self.stream.write(line)
        if done == total:
            self.stream.write("\r" + " " * len(line) + "\r")
        self.stream.flush()


def summary(result: RunResult, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout  # looked up at call time, so redirection and capture see it
    causes = [cause for cause in root_causes(result) if cause.severity == "error"]
    if causes:
        stream.write(f"\n{len(causes)} root causes of the error findings, worst first:\n")
        for cause in causes[:MAX_ROOT_CAUSES]:
            names = ", ".join(cause.operations[:MAX_NAMED_OPERATIONS])
            more = f" and {len(cause.operations) - MAX_NAMED_OPERATIONS} more" if len(
                cause.operations) > MAX_NAMED_OPERATIONS else ""
            stream.write(f"  {cause.id} [{cause.check}] {cause.summary}\n"
                         f"    {len(cause.operations)} operations, {cause.findings} findings: {names}{more}\n")
        if len(causes) > MAX_ROOT_CAUSES:
            stream.write(f"  ...and {len(causes) - MAX_ROOT_CAUSES} more in the reports\n")
    rows = [(f"{op.service}:{op.operation}", op.status, str(op.cases), answers_text(op), str(len(op.stats.error_codes)),
             str(op.errors), str(op.warnings)) for op in result.operations]
    header = ("operation", "status", "cases", "answers", "codes", "errors", "warnings")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for op in result.operations:
        for finding in op.findings:
            if finding.severity != "error":
                continue
            known = " (known: in the baseline)" if not is_new(result, op, finding) else ""
            stream.write(f"\nERROR{known} {op.service}:{op.operation} [{finding.check}] {finding.pointer or '/'}: "
                         f"{finding.message}\n")
            stream.write("  reproduce:\n" + "".join(f"    {line}\n" for line in finding.reproduce.splitlines()))
    stream.write("\n")
    for row in [header, *rows]:
        stream.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
    for op in result.operations:
        for note in op.notes:
            stream.write(f"note {op.service}:{op.operation}: {note}\n")
    warnings = sum(op.warnings for op in result.operations)
    stream.write(f"\n{len(result.operations)} operations, {sum(op.cases for op in result.operations)} cases, "
                 f"{result.errors} errors, {warnings} warnings "
                 f"({aws_deviations(f for op in result.operations for f in op.findings)} AWS itself answers) "
                 f"in {result.seconds:.1f} s "
                 f"(target {result.target}, seed {result.seed})\n")
    if result.baseline is not None:
        counts = result.baseline.counts()
        stream.write(f"baseline {result.baseline.path}: {counts['new']} new, {counts['known']} known, "
                     f"{counts['fixed']} fixed\n")
        for entry in result.baseline.fixed[:MAX_ROOT_CAUSES]:
            stream.write(f"fixed {entry['operation']} [{entry['check']}] {entry['pointer'] or '/'}: "
                         f"{entry['message']}\n")


def answers_text(op: OperationResult) -> str:
    """The answers by status class, e.g. `4xx 12 5xx 3`; throttling retries after a `+`; invalid cases that
    travelled as valid requests after a `~`."""
    text = " ".join(f"{kind} {count}" for kind, count in sorted(op.stats.answers.items())) or "-"
    retries = op.stats.throttling_retries
    text = f"{text} +{retries} throttled" if retries else text
    travelled = op.stats.travelled_valid
    return f"{text} ~{travelled} sent valid" if travelled else text
