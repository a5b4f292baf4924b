"""Send each step to side A and side B, compare the two answers, and collect `parity` findings and scores.

Steps go in order, A first: a stateful sequence (create → get → delete) replays on each side with its own ids
(`IdMap`). Each difference becomes a finding of check `parity` with its JSON pointer, both values and both
raw exchanges; the same difference in several pairs is one finding that counts them. An operation's parity
score is the share of its pairs without an error-level difference.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.cases import jsonable
from conformance.exchange import Exchange
from conformance.findings import Finding
from conformance.parity.compare import Difference, compare
from conformance.parity.ids import IdMap
from conformance.parity.normalize import BUILTIN, Normalizer
from conformance.parity.steps import Step, generated_steps
from conformance.results import OperationResult, RunResult
from conformance.targets.base import Target
from conformance.targets.base import answer_not_implemented as is_not_implemented
from conformance.targets.call import call

CHECK = "parity"
BODY_LIMIT = 600  # of each body in a finding's reproduction text (the whole exchanges are in the finding)


@dataclass
class ParityOptions:
    normalizers: list[Normalizer] = field(default_factory=lambda: list(BUILTIN))
    max_examples: int = 20  # generated cases per operation and kind
    seed: int | None = None
    examples: dict[str, list[Any]] = field(default_factory=dict)
    resources: bool = True  # generated runs: discover or create ids on each side, and pair them
    max_seconds: float | None = None


class Side:
    """One of the two endpoints: answers a step."""

    name = "side"

    def allows(self, service: str, operation: str) -> bool:
        return True

    def send(self, step: Step, params: Any) -> Exchange:
        raise NotImplementedError


class LiveSide(Side):
    def __init__(self, target: Target) -> None:
        self.target, self.name = target, target.name

    def allows(self, service: str, operation: str) -> bool:
        return self.target.allows(service, operation)

    def send(self, step: Step, params: Any) -> Exchange:
        exchange = call(self.target.client(step.service), step.service, step.operation, params,
                        wire_input=step.case.value)
        exchange.label = step.case.label
        return exchange


class RecordedSide(Side):
    """A recording: its answer to a step is the one recorded with it; nothing is sent."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, step: Step, params: Any) -> Exchange:
        assert step.recorded is not None, "a recorded side answers recorded steps only"
        return step.recorded


@dataclass
class ParityScore:
    pairs: int = 0
    agree: int = 0

    @property
    def score(self) -> float | None:
        return self.agree / self.pairs if self.pairs else None

    def as_json(self) -> dict[str, Any]:
        score = self.score
        return {"pairs": self.pairs, "agree": self.agree, "score": None if score is None else round(score, 4)}


@dataclass
class ParityResult:
    run: RunResult
    a: str
    b: str
    scores: dict[tuple[str, str], ParityScore]
    normalizers: list[Normalizer]

    @property
    def errors(self) -> int:
        return self.run.errors


@dataclass
class _Tally:
    result: OperationResult
    score: ParityScore = field(default_factory=ParityScore)
    findings: dict[tuple[str, str, str], list[Any]] = field(default_factory=dict)  # key -> [finding, count]
    stopped: str | None = None
    not_implemented: str | None = None  # both sides do not implement it
    unsent: int = 0


class ParityRunner:
    def __init__(self, a: Side, b: Side, options: ParityOptions) -> None:
        self.a, self.b, self.options = a, b, options
        self.seed = options.seed if options.seed is not None else random.randrange(2**31)
        self.ids = IdMap()
        self._tallies: dict[tuple[str, str], _Tally] = {}
        self._deadline = time.monotonic() + options.max_seconds if options.max_seconds else None

    # -- the two kinds of run ----------------------------------------------------------------------------

    def run_generated(self, operations: Sequence[tuple[str, str]]) -> ParityResult:
        """Generated cases of each operation, the same ones to both live sides."""
        started = time.perf_counter()
        pools = self._pools()
        for service, operation in operations:
            tally = self._tally(service, operation)
            if not (self.a.allows(service, operation) and self.b.allows(service, operation)):
                tally.result.status = "skipped"
                tally.stopped = "mutating operation on real AWS: pass --allow-mutating to run it"
                continue
            examples = dict(self.options.examples)
            if pools is not None:
                found_a, found_b = (pool.examples_for(service, operation) for pool in pools)
                for name, values in found_a.items():
                    for value_a, value_b in zip(values, found_b.get(name, []), strict=False):
                        if isinstance(value_a, str) and isinstance(value_b, str):
                            self.ids.pair(value_a, value_b)
                examples = {**found_a, **examples}  # the user's --example values win
            steps = generated_steps(service, operation, max_examples=self.options.max_examples, seed=self.seed,
                                    examples=examples, notes=tally.result.notes)
            for step in steps:
                self.pair(step)
        return self._result(operations, started)

    def run_recorded(self, steps: Iterable[Step], operations: Sequence[tuple[str, str]] = ()) -> ParityResult:
        """Recorded steps in their order; OPERATIONS (default: every one met) are the ones reported."""
        started = time.perf_counter()
        met: list[tuple[str, str]] = []
        for step in steps:
            key = (step.service, step.operation)
            if key not in met:
                met.append(key)
            if not (self.a.allows(*key) and self.b.allows(*key)):
                self._tally(*key).stopped = "mutating operation on real AWS: pass --allow-mutating to run it"
                self._tally(*key).result.status = "skipped"
                continue
            self.pair(step)
        return self._result(list(operations) or met, started)

    def _pools(self) -> tuple[Any, Any] | None:
        if not self.options.resources or not (isinstance(self.a, LiveSide) and isinstance(self.b, LiveSide)):
            return None
        from conformance.resources import ResourcePool

        return tuple(ResourcePool(side.target, create=side.target.name != "aws", seed=self.seed)  # type: ignore[return-value]
                     for side in (self.a, self.b))

    # -- one pair ----------------------------------------------------------------------------------------

    def pair(self, step: Step) -> None:
        tally = self._tally(step.service, step.operation)
        if tally.stopped or tally.not_implemented:
            return
        if self._deadline is not None and time.monotonic() > self._deadline:
            tally.stopped = "the run's time bound was reached"
            return
        answer_a = self.a.send(step, step.params)
        answer_b = self.b.send(step, self.ids.to_b(step.params))
        for side, answer in (("A", answer_a), ("B", answer_b)):
            trouble = answer.transport_error or answer.cassette_miss
            if trouble:
                tally.stopped = f"no answer from {side} ({self._name(side)}): {trouble}"
                return
        first = tally.score.pairs == 0
        missing_a, missing_b = is_not_implemented(answer_a, first), is_not_implemented(answer_b, first)
        if missing_a and missing_b:
            tally.not_implemented = f"neither side implements it (A: {missing_a}; B: {missing_b})"
            return
        if missing_a or missing_b:
            side, reason = ("A", missing_a) if missing_a else ("B", missing_b)
            self._count(tally, step, answer_a, answer_b, [Difference(
                "not-implemented", "error", "", missing_a, missing_b,
                f"only {'B' if side == 'A' else 'A'} implements the operation; {side}: {reason}")])
            tally.stopped = f"{side} ({self._name(side)}) does not implement it"
            return
        raised = [(side, answer.endpoint_exception) for side, answer in (("A", answer_a), ("B", answer_b))
                  if answer.endpoint_exception]
        if raised:
            self._count(tally, step, answer_a, answer_b, [Difference(
                "raised", "error", "", answer_a.endpoint_exception, answer_b.endpoint_exception,
                "; ".join(f"{side} raised {text} instead of answering" for side, text in raised))])
            return
        if answer_a.response is None or answer_b.response is None:
            tally.unsent += 1  # the client could not serialize the case: nothing to compare
            return
        if answer_a.parsed is not None and answer_b.parsed is not None:
            self.ids.learn(answer_a.parsed, answer_b.parsed)
        self._count(tally, step, answer_a, answer_b, compare(answer_a, answer_b, self.options.normalizers, self.ids))

    def _count(self, tally: _Tally, step: Step, answer_a: Exchange, answer_b: Exchange,
               differences: list[Difference]) -> None:
        tally.score.pairs += 1
        tally.result.cases += 1
        if not any(difference.severity == "error" for difference in differences):
            tally.score.agree += 1
        for difference in differences:
            key = (difference.severity, difference.pointer, difference.aspect)
            known = tally.findings.get(key)
            if known is not None:
                known[1] += 1
                continue
            tally.findings[key] = [self._finding(step, answer_a, answer_b, difference), 1]

    def _finding(self, step: Step, answer_a: Exchange, answer_b: Exchange, difference: Difference) -> Finding:
        request: dict[str, Any] = {"params": jsonable(step.params), "label": step.case.label}
        if answer_a.request is not None:
            request.update(answer_a.request.as_json())
        request["b"] = answer_b.request.as_json() if answer_b.request is not None else {}
        response: dict[str, Any] = answer_a.response.as_json() if answer_a.response is not None else {}
        response["b"] = answer_b.response.as_json() if answer_b.response is not None else {}
        values = {"a": jsonable(difference.a), "b": jsonable(difference.b), "aspect": difference.aspect}
        reproduce = "\n".join([f"{step.case.label}" + (f" ({step.where})" if step.where else ""),
                               _exchange_text(f"A {self.a.name}", answer_a),
                               _exchange_text(f"B {self.b.name}", answer_b)])
        finding = Finding(CHECK, difference.severity, difference.pointer, difference.message, request=request,
                          response=response, reproduce=reproduce)
        finding.response["values"] = values
        return finding

    # -- results -----------------------------------------------------------------------------------------

    def _tally(self, service: str, operation: str) -> _Tally:
        key = (service, operation)
        if key not in self._tallies:
            self._tallies[key] = _Tally(OperationResult(service, operation))
        return self._tallies[key]

    def _name(self, side: str) -> str:
        return self.a.name if side == "A" else self.b.name

    def _result(self, operations: Sequence[tuple[str, str]], started: float) -> ParityResult:
        results: list[OperationResult] = []
        scores: dict[tuple[str, str], ParityScore] = {}
        names = ", ".join(normalizer.name for normalizer in self.options.normalizers) or "none"
        for key in operations:
            tally = self._tally(*key)
            result = tally.result
            pairs = tally.findings.values()
            for finding, count in pairs:
                if tally.score.pairs > 1:
                    finding.message += f" (in {count} of {tally.score.pairs} pairs)"
            result.findings = sorted((finding for finding, _ in pairs),
                                     key=lambda f: (f.severity != "error", f.pointer, f.message))
            score = tally.score.score
            if tally.score.pairs:
                result.notes.append(f"parity: {tally.score.agree} of {tally.score.pairs} pairs agree "
                                    f"({100 * (score or 0):.0f}%); normalized: {names}")
            if tally.unsent:
                result.notes.append(f"{tally.unsent} cases the client could not serialize were not sent")
            if result.status != "skipped":
                result.status = self._status(tally)
            if tally.stopped:
                result.notes.append(tally.stopped)
            if tally.not_implemented:
                result.notes.append(tally.not_implemented)
            results.append(result)
            scores[key] = tally.score
        run = RunResult(f"A={self.a.name} B={self.b.name}", self.seed, results, time.perf_counter() - started)
        return ParityResult(run, self.a.name, self.b.name, scores, list(self.options.normalizers))

    @staticmethod
    def _status(tally: _Tally) -> str:
        if tally.not_implemented:
            return "not-implemented"
        if tally.result.errors:
            return "fail"
        if tally.stopped and not tally.score.pairs:
            return "error"
        if tally.stopped and tally.stopped.startswith("no answer"):
            return "error"
        if not tally.score.pairs:
            tally.result.notes.append("no pair could be compared")
            return "error"
        return "pass"


def _exchange_text(title: str, exchange: Exchange) -> str:
    lines = [f"{title}:"]
    if exchange.request is not None:
        target = exchange.request.headers.get("X-Amz-Target")
        lines.append(f"  {exchange.request.method} {exchange.request.url}" + (f" ({target})" if target else ""))
        lines.append(f"  {_cut(exchange.request.body)}")
    if exchange.response is not None:
        lines.append(f"  -> HTTP {exchange.response.status} {_cut(exchange.response.body)}")
    elif exchange.endpoint_exception:
        lines.append(f"  -> raised {exchange.endpoint_exception}")
    return "\n".join(lines)


def _cut(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + f"... ({len(body)} bytes)"


