"""A short markdown summary of a run, sized for a pull-request comment."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conformance.checks.aws_deviations import aws_deviations
from conformance.results import RunResult
from conformance.root_causes import root_causes
from conformance.spec.writer import atomic_write

MAX_FINDINGS = 20


def render_markdown(result: RunResult) -> str:
    statuses = Counter(op.status for op in result.operations)
    warnings = sum(op.warnings for op in result.operations)
    lines = [
        f"### Conformance of `{result.target}`",
        "",
        f"{len(result.operations)} operations · {sum(op.cases for op in result.operations)} cases · "
        f"**{result.errors} errors** · {warnings} warnings · "
        f"{aws_deviations(f for op in result.operations for f in op.findings)} that AWS itself answers · "
        f"seed {result.seed}",
        "",
        "| status | operations |",
        "|---|---|",
        *(f"| {status} | {count} |" for status, count in sorted(statuses.items())),
        "",
    ]
    broken = [op for op in result.operations if op.stats.only_server_errors()]
    if broken:
        lines += [f"**{len(broken)} operations answered every case with a server error:** "
                  + ", ".join(f"{op.service}:{op.operation} ({op.cases})" for op in broken[:MAX_FINDINGS])
                  + (" …" if len(broken) > MAX_FINDINGS else ""), ""]
    causes = [cause for cause in root_causes(result) if cause.severity == "error"]
    if causes:
        lines += [f"**{len(causes)} root causes**, worst first:", "", "| root cause | check | operations | summary |",
                  "|---|---|---|---|"]
        for cause in causes[:MAX_FINDINGS]:
            summary = cause.summary.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{cause.id}` | {cause.check} | {len(cause.operations)} | {summary} |")
        if len(causes) > MAX_FINDINGS:
            lines.append(f"\n…and {len(causes) - MAX_FINDINGS} more root causes in the full report.")
        lines.append("")
    errors = [(op, f) for op in result.operations for f in op.findings if f.severity == "error"]
    if errors:
        lines += ["| operation | check | where | finding |", "|---|---|---|---|"]
        for op, finding in errors[:MAX_FINDINGS]:
            message = finding.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {op.service}:{op.operation} | {finding.check} | `{finding.pointer or '/'}` | {message} |")
        if len(errors) > MAX_FINDINGS:
            lines.append(f"\n…and {len(errors) - MAX_FINDINGS} more error findings in the full report.")
    return "\n".join(lines) + "\n"


def write_markdown(result: RunResult, path: Path) -> None:
    atomic_write(path, render_markdown(result))
