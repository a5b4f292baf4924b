"""The results of a run: one OperationResult per operation, gathered in a RunResult.

Their own module so the reports, the matrix, the plugin and the cassettes read results without importing
the runner (and Hypothesis with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.findings import Finding


@dataclass
class OperationStats:
    """What the endpoint answered an operation's cases with, whatever the findings: a backend that answered
    every case with 500 shows as such, though its findings (one per defect) may be a single one."""

    answers: dict[str, int] = field(default_factory=dict)  # by status class: "2xx", "4xx", "5xx"; "raised"
    error_codes: dict[str, int] = field(default_factory=dict)  # each distinct error code, how many answers
    throttling_retries: int = 0  # requests sent again because the endpoint throttled (HTTP 429, Throttling)
    # Invalid cases whose request, as it travelled, is a valid one (s3 `{"Prefix": 0}` sent as `?prefix=0`):
    # judged as the valid cases they are.
    travelled_valid: int = 0

    def count_answer(self, status: int | None, error_code: str = "") -> None:
        """One case's answer: its HTTP status (None: an in-process endpoint raised instead) and error code."""
        kind = "raised" if status is None else f"{status // 100}xx"
        self.answers[kind] = self.answers.get(kind, 0) + 1
        if error_code:
            self.error_codes[error_code] = self.error_codes.get(error_code, 0) + 1

    def only_server_errors(self) -> bool:
        """Every answer was a 5xx or a raise: the backend is broken for this operation, whatever else shows."""
        total = sum(self.answers.values())
        return total > 0 and self.answers.get("5xx", 0) + self.answers.get("raised", 0) == total

    def as_json(self) -> dict[str, Any]:
        return {"answers": dict(sorted(self.answers.items())),
                "error_codes": dict(sorted(self.error_codes.items(), key=lambda item: (-item[1], item[0]))),
                "throttling_retries": self.throttling_retries, "travelled_valid": self.travelled_valid}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OperationStats:
        return cls(dict(data.get("answers", {})), dict(data.get("error_codes", {})),
                   int(data.get("throttling_retries", 0)), int(data.get("travelled_valid", 0)))


@dataclass
class OperationResult:
    service: str
    operation: str
    status: str = "pass"  # pass, fail, not-implemented, error, skipped
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    real_resource: bool = False  # a valid case reached an existing resource (a 2xx with a discovered id)
    stats: OperationStats = field(default_factory=OperationStats)
    seconds: float = 0.0  # wall time the operation took, bounds and shrinks included

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "status": self.status, "cases": self.cases,
                "real_resource": self.real_resource, "notes": self.notes, "stats": self.stats.as_json(),
                "seconds": round(self.seconds, 3), "findings": [finding.as_json() for finding in self.findings]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OperationResult:
        return cls(data["service"], data["operation"], data["status"], data["cases"],
                   [Finding.from_json(f) for f in data["findings"]], data.get("notes", []),
                   data.get("real_resource", False), OperationStats.from_json(data.get("stats", {})),
                   float(data.get("seconds", 0.0)))


@dataclass
class BaselineVerdict:
    """A run judged against a baseline (conformance.baseline): error findings by key, known or new, and the
    baseline's entries for operations the run ran that no longer appear."""

    path: str
    recorded: dict[str, Any] = field(default_factory=dict)  # when and against what the baseline was written
    known: set[str] = field(default_factory=set)
    new: set[str] = field(default_factory=set)
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"known": len(self.known), "new": len(self.new), "fixed": len(self.fixed)}


@dataclass
class RunResult:
    target: str
    seed: int
    operations: list[OperationResult]
    seconds: float
    baseline: BaselineVerdict | None = None

    @property
    def errors(self) -> int:
        return sum(op.errors for op in self.operations)

    @classmethod
    def from_report(cls, data: dict[str, Any]) -> RunResult:
        """A run back from its JSON report (conformance.report.json_report)."""
        return cls(data["target"], data["seed"], [OperationResult.from_json(op) for op in data["operations"]],
                   float(data.get("summary", {}).get("seconds", 0.0)))
