"""Reports of a parity run: the run's own reports (console, JSON, JUnit, HTML, markdown) plus the scores.

Findings, notes (each operation's score and the normalizers) and statuses travel in the `RunResult`, so the
report modules of `conformance run` render them unchanged; the JSON report and the console add the parity
scores and the normalizers as their own fields.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from conformance.parity.runner import CHECK, ParityResult
from conformance.report.console import summary
from conformance.report.json_report import report_dict
from conformance.report.markdown_report import render_markdown
from conformance.spec.writer import atomic_write


def parity_dict(result: ParityResult) -> dict[str, Any]:
    report = report_dict(result.run)
    report["sides"] = {"a": result.a, "b": result.b}
    report["normalizers"] = [{"name": n.name, "description": n.description} for n in result.normalizers]
    for operation in report["operations"]:
        score = result.scores.get((operation["service"], operation["operation"]))
        operation["parity"] = score.as_json() if score is not None else None
    pairs = sum(score.pairs for score in result.scores.values())
    agree = sum(score.agree for score in result.scores.values())
    report["summary"]["pairs"] = pairs
    report["summary"]["agree"] = agree
    report["summary"]["parity"] = round(agree / pairs, 4) if pairs else None
    return report


def write_parity_json(result: ParityResult, path: Path) -> None:
    atomic_write(path, json.dumps(parity_dict(result), indent=1, ensure_ascii=False) + "\n")


def print_parity(result: ParityResult, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    summary(result.run, stream)
    stream.write(f"\nA = {result.a}\nB = {result.b}\n")
    stream.write("normalizers: " + ", ".join(n.name for n in result.normalizers) + "\n")
    for (service, operation), score in result.scores.items():
        if score.pairs:
            stream.write(f"{CHECK} {service}:{operation}: {score.agree}/{score.pairs} pairs agree "
                         f"({100 * (score.score or 0):.0f}%)\n")


def render_parity_markdown(result: ParityResult) -> str:
    """The run's markdown summary, then each operation's parity score and the normalizers in use."""
    lines = [render_markdown(result.run).rstrip("\n"), "", f"A = `{result.a}` · B = `{result.b}` · normalized: "
             + ", ".join(f"`{n.name}`" for n in result.normalizers), "",
             "| operation | pairs | agree | parity |", "|---|---|---|---|"]
    for (service, operation), score in result.scores.items():
        shown = "-" if score.score is None else f"{100 * score.score:.0f}%"
        lines.append(f"| {service}:{operation} | {score.pairs} | {score.agree} | {shown} |")
    return "\n".join(lines) + "\n"


def write_parity_markdown(result: ParityResult, path: Path) -> None:
    atomic_write(path, render_parity_markdown(result))
