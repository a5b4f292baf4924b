"""The JSON report: the documented, scriptable result of `conformance run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.checks.aws_deviations import aws_deviations
from conformance.results import RunResult
from conformance.spec.writer import atomic_write


def report_dict(result: RunResult) -> dict[str, Any]:
    return {
        "target": result.target,
        "seed": result.seed,
        "operations": [op.as_json() for op in result.operations],
        "summary": {
            "operations": len(result.operations),
            "cases": sum(op.cases for op in result.operations),
            "errors": result.errors,
            "warnings": sum(op.warnings for op in result.operations),
            "aws_deviations": aws_deviations(f for op in result.operations for f in op.findings),
            "seconds": round(result.seconds, 2),
        },
    }


def write_json_report(result: RunResult, path: Path) -> None:
    atomic_write(path, json.dumps(report_dict(result), indent=1, ensure_ascii=False) + "\n")
