"""The results of a run: one OperationResult per operation, gathered in a RunResult.

Their own module so the reports, the matrix, the plugin and the cassettes read results without importing
the runner (and Hypothesis with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.findings import Finding


@dataclass
class OperationResult:
    service: str
    operation: str
    status: str = "pass"  # pass, fail, not-implemented, error, skipped
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    real_resource: bool = False  # a valid case reached an existing resource (a 2xx with a discovered id)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "status": self.status, "cases": self.cases,
                "real_resource": self.real_resource, "notes": self.notes,
                "findings": [finding.as_json() for finding in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OperationResult:
        return cls(data["service"], data["operation"], data["status"], data["cases"],
                   [Finding.from_json(f) for f in data["findings"]], data.get("notes", []),
                   data.get("real_resource", False))


@dataclass
class RunResult:
    target: str
    seed: int
    operations: list[OperationResult]
    seconds: float

    @property
    def errors(self) -> int:
        return sum(op.errors for op in self.operations)
