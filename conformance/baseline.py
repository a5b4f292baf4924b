"""Baselines: the findings a team has accepted, so CI fails only on new ones.

A baseline file holds one entry per error finding of a report, keyed so the key survives what changes from
run to run without the defect changing: the order of operations and cases, the case shrunk to another
smallest input, new cases. The key is the operation, the check, the severity, the member path with list
indexes taken out, and the message template of its root cause (values taken out). The file also says when
and against what it was recorded.

With `--baseline FILE` a run reports each error finding as known (in the file: it neither fails the run
nor is hidden) or new (fails it), and the entries of the operations it ran that no longer appear as fixed.
`--baseline-update` writes the file again from the run. Used by `conformance run`; `apply_baseline` is the
whole of it for any command that makes a RunResult.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.errors import UsageError
from conformance.findings import Finding
from conformance.results import BaselineVerdict, OperationResult, RunResult
from conformance.root_causes import root_cause_id, root_cause_key, template
from conformance.spec.models import botocore_version
from conformance.spec.writer import atomic_write

MARK = "conformance-baseline"
FORMAT = 1
# Statuses whose findings say something: an operation that did not run cannot show a finding as fixed.
RAN = ("pass", "fail")


def finding_key(op: OperationResult, finding: Finding) -> str:
    return "|".join((f"{op.service}:{op.operation}", finding.check, finding.severity, finding.member_path,
                     template(finding.message, op.operation)))


def _entry(op: OperationResult, finding: Finding) -> dict[str, Any]:
    return {"key": finding_key(op, finding), "operation": f"{op.service}:{op.operation}", "check": finding.check,
            "pointer": finding.pointer, "message": finding.message,
            "root_cause": root_cause_id(root_cause_key(op, finding))}


def _errors(result: RunResult) -> list[tuple[OperationResult, Finding]]:
    return [(op, f) for op in result.operations for f in op.findings if f.severity == "error"]


def baseline_document(result: RunResult, *, report: str | None = None,
                      keep: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The baseline of RESULT's error findings (plus KEEP: entries of operations it did not run)."""
    entries = {entry["key"]: entry for entry in keep or []}
    entries.update({entry["key"]: entry for entry in (_entry(op, f) for op, f in _errors(result))})
    recorded = {"at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "target": result.target, "seed": result.seed, "botocore": botocore_version(),
                "conformance": __version__, "operations": len(result.operations)}
    if report:
        recorded["report"] = report
    return {MARK: FORMAT, "recorded": recorded, "findings": sorted(entries.values(), key=lambda e: e["key"])}


def read_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"baseline {path} does not exist: write one with conformance baseline write") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UsageError(f"cannot read baseline {path}: {error}") from None
    if not isinstance(data, dict) or data.get(MARK) != FORMAT or not isinstance(data.get("findings"), list):
        raise UsageError(f"{path} is not a conformance baseline")
    return data


def write_baseline(path: Path, document: dict[str, Any], *, force: bool = False) -> None:
    """Write DOCUMENT to PATH; a file there that is not a baseline is replaced only with FORCE."""
    if path.is_dir():
        raise UsageError(f"{path} is a directory, not a baseline file")
    if path.exists() and not force:
        try:
            read_baseline(path)
        except UsageError:
            raise UsageError(f"{path} exists and is not a conformance baseline; use --force to replace it") from None
    atomic_write(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def compare(result: RunResult, baseline: dict[str, Any], path: str) -> BaselineVerdict:
    known_keys = {entry["key"] for entry in baseline["findings"]}
    seen: set[str] = set()
    verdict = BaselineVerdict(path=path, recorded=dict(baseline.get("recorded", {})))
    for op, finding in _errors(result):
        key = finding_key(op, finding)
        seen.add(key)
        (verdict.known if key in known_keys else verdict.new).add(key)
    ran = {f"{op.service}:{op.operation}" for op in result.operations if op.status in RAN}
    verdict.fixed = [entry for entry in baseline["findings"]
                     if entry["operation"] in ran and entry["key"] not in seen]
    return verdict


def apply_baseline(result: RunResult, path: Path | None, *, update: bool = False) -> None:
    """Judge RESULT against the baseline at PATH (sets `result.baseline`); with UPDATE, write it again."""
    if path is None:
        if update:
            raise UsageError("--baseline-update needs --baseline FILE")
        return
    if update and not path.exists():
        write_baseline(path, baseline_document(result))
        result.baseline = compare(result, read_baseline(path), str(path))
        return
    baseline = read_baseline(path)
    result.baseline = compare(result, baseline, str(path))
    if update:
        ran = {f"{op.service}:{op.operation}" for op in result.operations}
        keep = [entry for entry in baseline["findings"] if entry["operation"] not in ran]
        write_baseline(path, baseline_document(result, keep=keep))


def is_new(result: RunResult, op: OperationResult, finding: Finding) -> bool:
    """Whether FINDING counts against the run: every error does without a baseline, only new ones with one."""
    if finding.severity != "error":
        return False
    return result.baseline is None or finding_key(op, finding) not in result.baseline.known


def failing_errors(result: RunResult) -> int:
    """The error findings that fail the run (exit code 1)."""
    return sum(is_new(result, op, f) for op in result.operations for f in op.findings)


def add_baseline_arguments(parser: Any) -> None:
    """`--baseline` and `--baseline-update`, declared once for every command that judges findings."""
    parser.add_argument("--baseline", type=Path, metavar="BASELINE",
                        help="known findings (conformance baseline write): only new ones fail the run")
    parser.add_argument("--baseline-update", action="store_true",
                        help="with --baseline: write it again from this run (new findings added, fixed ones dropped)")


def check_baseline_arguments(baseline: Path | None, update: bool) -> None:
    """A bad baseline is a one-line error before the run, not after it."""
    if baseline is not None and not update:
        read_baseline(baseline)
    elif update and baseline is None:
        raise UsageError("--baseline-update needs --baseline FILE")
