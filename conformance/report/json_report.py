"""The JSON report: the documented, scriptable result of `conformance run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
        operations.append(data)
    return {
        "target": result.target,
        "seed": result.seed,
        "root_causes": [cause.as_json() for cause in causes],
        "operations": operations,
        "summary": {
            "operations": len(result.operations),
            "cases": sum(op.cases for op in result.operations),
            "errors": result.errors,
            "warnings": sum(op.warnings for op in result.operations),
            "seconds": round(result.seconds, 2),
            "root_causes": len(causes),
        },
    }


def write_json_report(result: RunResult, path: Path) -> None:
    atomic_write(path, json.dumps(report_dict(result), indent=1, ensure_ascii=False) + "\n")
