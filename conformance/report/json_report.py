"""The JSON report: the documented, scriptable result of `conformance run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.baseline import is_new
from conformance.checks.aws_deviations import aws_deviations
from conformance.errors import UsageError
from conformance.results import RunResult
from conformance.root_causes import group
from conformance.spec.writer import atomic_write


def report_dict(result: RunResult) -> dict[str, Any]:
    causes, cause_of = group(result.operations)
    operations = []
    for op in result.operations:
        data = op.as_json()
        for finding, finding_json in zip(op.findings, data["findings"], strict=True):
            finding_json["root_cause"] = cause_of[id(finding)]
            if result.baseline is not None and finding.severity == "error":
                finding_json["baseline"] = "new" if is_new(result, op, finding) else "known"
        operations.append(data)
    report: dict[str, Any] = {
        "target": result.target,
        "seed": result.seed,
        "root_causes": [cause.as_json() for cause in causes],
        "operations": operations,
        "summary": {
            "operations": len(result.operations),
            "cases": sum(op.cases for op in result.operations),
            "errors": result.errors,
            "warnings": sum(op.warnings for op in result.operations),
            "aws_deviations": aws_deviations(f for op in result.operations for f in op.findings),
            "seconds": round(result.seconds, 2),
            "root_causes": len(causes),
        },
    }
    if result.baseline is not None:
        report["summary"]["baseline"] = result.baseline.counts()
        report["baseline"] = {"path": result.baseline.path, "recorded": result.baseline.recorded,
                              "fixed": result.baseline.fixed}
    return report


def read_report(path: Path) -> RunResult:
    """The run a JSON report holds; a one-line UsageError when PATH is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RunResult.from_report(data)
    except FileNotFoundError:
        raise UsageError(f"report {path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not a conformance JSON report ({type(error).__name__}: {error})") from None


def write_json_report(result: RunResult, path: Path) -> None:
    atomic_write(path, json.dumps(report_dict(result), indent=1, ensure_ascii=False) + "\n")
