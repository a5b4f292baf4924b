"""Run generated cases against a target and collect findings, one operation at a time.

Hypothesis drives each (operation, kind): `max_examples` examples, repeatable under a seed, each distinct
case sent once. A case that raises an error finding of a root cause new to the run is shrunk, so each defect
is reported with the smallest input that shows it; one shrink sends at most SHRINK_SENDS cases. A case whose
new findings are all of root causes (conformance/root_causes.py: the same defect, whatever the operation or
the example) shrunk before in this run is kept as it came, and its round ends there as at a shrunk defect.
A whole-mock matrix shows the same few defects in thousands of operations: shrinking each again was half
its time, for examples no report leads with (a root cause shows its smallest example).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import FlakyFailure, HypothesisException, Unsatisfiable
from hypothesis.strategies import SearchStrategy

from conformance import spec
from conformance.bounds import MEMORY_BOUND_BYTES, OperationOverran, operation_bounds
from conformance.cases import KINDS, Case, Expectation, case_identity, case_strategy, jsonable
from conformance.checks import CheckContext, CheckFunction
from conformance.determinism import pin_generation
from conformance.exchange import Exchange
from conformance.findings import Finding
from conformance.memory import relieve
from conformance.protocols import protocol_for
from conformance.reproduce import reproduce_snippet
from conformance.resources import ResourcePool
from conformance.results import OperationResult, RunResult
from conformance.root_causes import root_cause_id, root_cause_key, template
from conformance.spec.validation import violations
from conformance.targets.base import Target
from conformance.targets.call import call
from conformance.targets.client_rules import sendable_examples
from conformance.targets.throttling import throttling_retries

# A round ends at its first new defect, shrunk; later rounds look for the defects not yet seen.
MAX_ROUNDS_PER_KIND = 4
# Cases one shrink may send. Most end well within it (on glue and iam: median 11, 90 % within 78; Hypothesis's
# first passes cut the most), but a pattern-breaking string the endpoint accepts took 1,000 (glue
# ListTriggers, 24 s). Counted, not timed, so that a seed still repeats the run exactly.
SHRINK_SENDS = 50
PARTLY_IMPLEMENTED = "partly implemented:"


@dataclass
class RunOptions:
    checks: dict[str, CheckFunction]
    max_examples: int = 100
    seed: int | None = None
    strict: bool = False
    examples: dict[str, list[Any]] = field(default_factory=dict)
    max_seconds: float | None = None  # bound on the whole run
    operation_seconds: float | None = None  # bound on each operation, so one slow operation cannot stall a matrix
    # Bound on the process's memory during an operation (conformance.bounds), None for none; and what a
    # matrix worker says before it ends itself when an interrupt does not stop the operation (None: it does not).
    memory_bytes: int | None = MEMORY_BOUND_BYTES
    on_bounds_exit: Callable[[str], object] | None = None
    resources: ResourcePool | None = None  # real ids discovered or created at the target
    # Called with each case the target answered, its boto3 parameters and the exchange (a recording keeps them).
    on_sent: Callable[[str, str, Case, Any, Exchange], None] | None = None
    # Cases to send again instead of generating them, with their parameters (a cassette that carries its
    # cases); None for an operation means: generate as usual.
    recorded_cases: Callable[[str, str], list[tuple[Case, Any]] | None] | None = None
    # Ids of the root causes a case of this run was shrunk for: a later case that shows only these is not
    # shrunk again. Shared by the operations of a run (of one worker, with --workers).
    shrunk: set[str] = field(default_factory=set)


class _CaseFailed(Exception):
    """Raised inside Hypothesis's test so it shrinks a case that produced an error finding; it carries the
    root cause ids of the case's new error findings."""

    def __init__(self, causes: set[str]) -> None:
        super().__init__()
        self.causes = causes


class _EndRound(BaseException):
    """Ends a Hypothesis run at once, with no shrinking: not an Exception, so Hypothesis lets it through
    instead of taking it for a failure (as it does KeyboardInterrupt)."""

    def __init__(self, found_new: bool) -> None:
        super().__init__()
        self.found_new = found_new


def sent_expectation(exchange: Exchange, expectation: str) -> Expectation:
    """Judge a case by the request that really travelled: the wire may not carry what made it invalid.

    botocore turns a timestamp given as "1" into the number 1 and {} for a list into []; s3 ListBuckets
    `{"Prefix": 0}` travels as `?prefix=0` and ec2 `{"VpcIds": "x"}` as `VpcId.1=x`, both valid requests.
    The endpoint then rightly accepts valid input, which must not count against it. The protocol decodes the
    request as the endpoint sees it, and the input schema judges that.
    """
    if expectation != "invalid" or exchange.request is None:
        return "valid" if expectation == "valid" else "invalid"
    document = spec.document(exchange.service, exchange.operation)
    try:
        decoded = protocol_for(document).decode_request(exchange.request, document)
    except NotImplementedError:
        return "invalid"  # a protocol that cannot decode requests yet: judged as generated
    if decoded.violations or violations(spec.part(exchange.service, exchange.operation, "input"), decoded.value):
        return "invalid"
    exchange.label += " (what travelled is a valid request)"
    return "valid"


FindingKey = tuple[str, str, str]  # Finding.key: check, severity, pointer


class _Collector:
    """Findings of one operation, one per defect (check, severity, pointer), each from its smallest case.

    What it reports is one finding per wrong member whatever the list item (`findings`): moto's directconnect
    CreateLag answered thousands of connections with the same wrong member, a finding each. Only the report
    merges them: the run goes on telling defects apart by pointer, so it sends and shrinks the same cases."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.by_key: dict[FindingKey, tuple[int, Finding]] = {}

    def keeps(self, finding: Finding, size: int) -> bool:
        known = self.by_key.get(finding.key)
        return known is None or size < known[0]

    def add(self, finding: Finding, size: int) -> None:
        if self.keeps(finding, size):
            self.by_key[finding.key] = (size, finding)

    def error_keys(self) -> list[FindingKey]:
        return [key for key, (_, finding) in self.by_key.items() if finding.severity == "error"]

    def findings(self) -> list[Finding]:
        """The findings, the same wrong (check, severity, message template) at items of one list as one: the
        smallest case's, else the first item's. A root cause is the same for all of them."""
        merged: dict[tuple[str, str, str, str], tuple[int, Finding]] = {}
        for size, finding in sorted(self.by_key.values(), key=lambda item: (item[0], item[1].pointer)):
            merged.setdefault((finding.check, finding.severity, finding.member_path,
                               template(finding.message, self.operation)), (size, finding))
        ordered = sorted(merged.values(), key=lambda item: (item[1].severity != "error", item[1].check,
                                                            item[1].pointer))
        return [finding for _, finding in ordered]


class Runner:
    def __init__(self, target: Target, options: RunOptions,
                 progress: Callable[[OperationResult, int, int], None] | None = None) -> None:
        self.target = target
        self.options = options
        self.seed = options.seed if options.seed is not None else random.randrange(2**31)
        self.progress = progress
        self._deadline = time.monotonic() + options.max_seconds if options.max_seconds else None
        self._current: _OperationState | None = None  # the operation running: what a bound leaves of it
        pin_generation()  # the seed alone decides the cases, whatever else this process has imported

    def run(self, operations: Iterable[tuple[str, str]]) -> RunResult:
        started = time.perf_counter()
        chosen = list(operations)
        results: list[OperationResult] = []
        for number, (service, operation) in enumerate(chosen, 1):
            result = self.run_operation(service, operation)
            results.append(result)
            relieve(self.target, self.options.resources)
            if self.progress:
                self.progress(result, number, len(chosen))
        return RunResult(self.target.name, self.seed, results, time.perf_counter() - started)

    def run_operation(self, service: str, operation: str) -> OperationResult:
        """One operation within its time and memory bounds, which stop even a single case that never ends
        (conformance.bounds). An operation stopped that way is an error that keeps what it found before."""
        started = time.perf_counter()
        self._current = None
        try:
            with operation_bounds(self.options.operation_seconds, self.options.memory_bytes,
                                  self.options.on_bounds_exit):
                result = self._run_operation(service, operation)
        except (OperationOverran, MemoryError) as error:
            result = self._overran(service, operation, error)
            relieve(self.target, self.options.resources, above=0)  # whatever the case was building goes too
        result.seconds = time.perf_counter() - started
        return result

    def _overran(self, service: str, operation: str, error: BaseException) -> OperationResult:
        state = self._current
        result = state.result if state is not None else OperationResult(service, operation)
        if state is not None:
            result.findings = state.collector.findings()
        result.status = "error"
        result.notes.append("the operation " + ("ran out of memory" if isinstance(error, MemoryError) else str(error)))
        return result

    def _run_operation(self, service: str, operation: str) -> OperationResult:
        result = OperationResult(service, operation)
        if not self.target.allows(service, operation):
            result.status = "skipped"
            result.notes.append("mutating operation on real AWS: pass --allow-mutating to run it")
            return result
        state = self._current = _OperationState(result, _Collector(operation))
        if self.options.operation_seconds is not None:
            state.deadline = time.monotonic() + self.options.operation_seconds
        recorded = self.options.recorded_cases(service, operation) if self.options.recorded_cases else None
        if recorded is not None:
            self._run_recorded(service, operation, recorded, state)
            result.findings = state.collector.findings()
            result.status = self._status(state)
            return result
        # Known-sendable values first (client_rules), then discovered resources; the user's --example values win.
        examples = {**sendable_examples(service), **self.options.examples}
        if self.options.resources is not None:
            discovered = self.options.resources.examples_for(service, operation)
            examples = {**discovered, **examples}  # the user's --example values win
            if discovered:
                result.notes.append("real resources: " + ", ".join(f"{k}={v[0]!r}" for k, v in discovered.items()))
        for number, kind in enumerate(KINDS):
            if state.stop_reason or state.not_implemented:
                break  # an operation the target lacks answers no other kind either
            if state.deadline is not None:
                # Each kind may use its share of the time left: an operation whose every answer takes
                # seconds (moto's ec2 DescribeImages) still gets invalid and boundary cases, not only the
                # valid ones that come first.
                now = time.monotonic()
                state.kind_deadline = now + max(state.deadline - now, 0.0) / (len(KINDS) - number)
            self._run_kind(service, operation, kind, state, examples)
        result.findings = state.collector.findings()
        result.status = self._status(state)
        return result

    def _run_recorded(self, service: str, operation: str, recorded: list[tuple[Case, Any]],
                      state: _OperationState) -> None:
        """Send recorded cases in their order, with their parameters as given: no generation, no shrinking."""
        if not recorded:
            state.result.notes.append("the recording holds no case of this operation")
        client = self.target.client(service)
        for case, params in recorded:
            if self._stopped(state):
                return
            self._send(client, service, operation, case, state, params=params)

    def _status(self, state: _OperationState) -> str:
        result = state.result
        if state.not_implemented:
            result.notes.append(state.not_implemented)
            return "not-implemented"
        if state.stop_reason:
            result.notes.append(state.stop_reason)
            return "error"
        if result.cases == 0:
            result.notes.append("no case could be sent")
            return "error"
        if result.stats.only_server_errors():
            codes = ", ".join(result.stats.error_codes) or "no error code"
            result.notes.append(f"every one of the {result.cases} cases was answered with a server error ({codes})")
        return "fail" if result.errors else "pass"

    def _run_kind(self, service: str, operation: str, kind: str, state: _OperationState,
                  examples: dict[str, list[Any]]) -> None:
        strategy = case_strategy(service, operation, kind, examples)
        client = self.target.client(service)
        # Cases already sent that raised no new defect are not sent again: they would only say the same (the
        # target is taken to be deterministic). Hypothesis repeats values on purpose (small ones, constants,
        # copies of earlier examples), and a schema may have few cases of a kind at all: GetMLTransform has
        # 19 boundary cases, which 300 examples would otherwise send 300 times.
        quiet: set[str] = set()
        shrink = _Shrink()

        def execute(case: Case) -> None:
            # Once stopped (not implemented, a time bound), the run ends here: the examples left would only
            # be drawn to be thrown away.
            if self._stopped(state) or _past(state.kind_deadline):
                raise _EndRound(found_new=False)
            identity = case_identity(case)
            if identity in quiet:
                return
            if shrink.causes:  # after a failure, each case Hypothesis tries is a shrink candidate
                shrink.sends += 1
                if shrink.sends > SHRINK_SENDS:
                    # Shrunk as far as the budget goes: the smallest case so far is the finding's.
                    self.options.shrunk |= shrink.causes
                    raise _EndRound(found_new=True)
            failed = self._send(client, service, operation, case, state)
            if state.not_implemented or state.stop_reason:
                raise _EndRound(found_new=False)
            causes = {cause for key, cause in failed.items() if key not in known}
            if causes and causes <= self.options.shrunk and not shrink.causes:
                # New here, but each of its root causes has its small example already: kept as it came. The
                # round ends at it, as at a shrunk defect, and the next looks for the others.
                raise _EndRound(found_new=True)
            if causes:
                shrink.causes = shrink.causes or causes
                raise _CaseFailed(causes)
            quiet.add(identity)

        for round_number in range(MAX_ROUNDS_PER_KIND):
            known = set(state.collector.error_keys())
            shrink.causes, shrink.sends = set(), 0
            # Each round has its own seed, derived from the run's: it explores new cases instead of
            # resending the ones before the defect already found, and the run still repeats exactly.
            try:
                found_new = self._round(execute, strategy, self.seed + round_number)
            except Unsatisfiable:
                # No case of this kind exists (an input without limits has no boundary): nothing to send.
                return
            except HypothesisException as error:
                state.result.notes.append(f"{kind} cases could not be generated: {type(error).__name__}: {error}")
                return
            if not found_new or state.stop_reason or state.not_implemented or _past(state.kind_deadline):
                return

    def _stopped(self, state: _OperationState) -> bool:
        """Whether the operation is over (a stop, or not implemented); notes the time bounds as they pass."""
        if state.stop_reason or state.not_implemented:
            return True
        now = time.monotonic()
        if self._deadline is not None and now > self._deadline:
            state.stop_reason = "the run's time bound was reached"
        elif state.deadline is not None and now > state.deadline:
            state.stop_reason = "the operation's time bound was reached"
        return state.stop_reason is not None

    def _round(self, execute: Callable[[Case], None], strategy: SearchStrategy[Case], seed: int) -> bool:
        """One Hypothesis run; True when it ended on a (shrunk) new defect."""
        test = settings(
            max_examples=self.options.max_examples, database=None, deadline=None,
            verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            suppress_health_check=[HealthCheck.too_slow],  # slowness of the endpoint, not of generation
        )(hypothesis_seed(seed)(given(strategy)(_case_test(execute))))
        try:
            test()
        except _EndRound as end:
            return end.found_new
        except _CaseFailed as failure:
            self.options.shrunk |= failure.causes  # the shrunk case's own: their smallest example is in
            return True
        except FlakyFailure:
            # The endpoint answered the same case differently when replayed; the findings are kept.
            return True
        return False

    def _send(self, client: Any, service: str, operation: str, case: Case,
              state: _OperationState, params: Any = None) -> dict[FindingKey, str]:
        """Send CASE (with PARAMS when recorded) and run the checks; the keys of its error findings, each
        with its root cause's id."""
        import strategies

        if params is None:
            try:
                params = strategies.to_params(service, operation, case.value)
            except (TypeError, ValueError) as error:
                note = f"case not sent: {error}"
                if note not in state.result.notes:
                    state.result.notes.append(note)
                return {}
        exchange = call(client, service, operation, params, wire_input=case.value)
        exchange.label = case.label
        state.result.stats.throttling_retries += throttling_retries(client)
        if self.options.on_sent is not None and exchange.response is not None:
            self.options.on_sent(service, operation, case, params, exchange)
        if exchange.cassette_miss:
            # A replay that left its recording: report the first request it does not hold, and stop there.
            request = _request_evidence(case, exchange)
            sent = f"{request['method']} {request['url']}\n{request['body']}" if exchange.request else ""
            state.collector.add(Finding("cassette_miss", "error", "", exchange.cassette_miss, request=request,
                                        reproduce=sent), 0)
            state.stop_reason = "the replay stopped at the first request the cassette does not hold"
            return {}
        if exchange.transport_error:
            state.stop_reason = f"no answer from {self.target.name}: {exchange.transport_error}"
            return {}
        reason = self.target.not_implemented(exchange, first=state.result.cases == 0)
        if reason and state.result.cases and exchange.not_implemented:
            # Answers came before: the operation is there, this input's feature is not (moto raises
            # NotImplementedError for one filter of ec2 DescribeSnapshots). Noted once; the case says nothing.
            if not any(note.startswith(PARTLY_IMPLEMENTED) for note in state.result.notes):
                state.result.notes.append(f"{PARTLY_IMPLEMENTED} {reason}")
            return {}
        if reason:
            state.not_implemented = reason
            return {}
        if exchange.endpoint_exception:
            return self._endpoint_raised(service, operation, case, params, exchange, state)
        if exchange.response is None:
            return {}  # the client could not serialize the case: nothing was sent
        state.result.cases += 1
        state.result.stats.count_answer(exchange.response.status, exchange.client_error_code or "")
        if case.hinted and 200 <= exchange.response.status < 300:
            state.result.real_resource = True
        expectation = sent_expectation(exchange, case.expectation)
        if expectation != case.expectation:
            state.result.stats.travelled_valid += 1
        context = CheckContext(exchange, expectation, strict=self.options.strict)
        size = len(exchange.request.body) if exchange.request else 0
        failed: dict[FindingKey, str] = {}
        for function in self.options.checks.values():
            for finding in function(context):
                if state.collector.keeps(finding, size):
                    # Only a finding that will be reported pays for its evidence.
                    finding.request = _request_evidence(case, exchange)
                    finding.response = exchange.response.as_json()
                    finding.reproduce = reproduce_snippet(self.target, service, operation, params)
                    state.collector.add(finding, size)
                if finding.severity == "error":
                    failed[finding.key] = root_cause_id(root_cause_key(state.result, finding))
        return failed

    def _endpoint_raised(self, service: str, operation: str, case: Case, params: dict[str, Any],
                         exchange: Exchange, state: _OperationState) -> dict[FindingKey, str]:
        """An in-process endpoint raised instead of answering (moto's KeyError for an unknown group name): the
        worst answer there is, reported by not_a_server_error (over HTTP, moto_server answers it with a 500)."""
        state.result.cases += 1
        state.result.stats.count_answer(None)
        if "not_a_server_error" not in self.options.checks:
            return {}
        finding = Finding("not_a_server_error", "error", "",
                          f"the endpoint raised {exchange.endpoint_exception} instead of answering "
                          "(in process; over HTTP this is a 500)")
        size = len(exchange.request.body) if exchange.request else 0
        if state.collector.keeps(finding, size):
            finding.request = _request_evidence(case, exchange)
            finding.reproduce = reproduce_snippet(self.target, service, operation, params)
            state.collector.add(finding, size)
        return {finding.key: root_cause_id(root_cause_key(state.result, finding))}


@dataclass
class _Shrink:
    """The shrink of one kind's round: the root causes it is for (empty: not shrinking), what it sent."""

    causes: set[str] = field(default_factory=set)
    sends: int = 0


@dataclass
class _OperationState:
    result: OperationResult
    collector: _Collector
    not_implemented: str | None = None
    stop_reason: str | None = None
    deadline: float | None = None  # the operation's time bound
    kind_deadline: float | None = None  # the end of the running kind's share of it


def _past(moment: float | None) -> bool:
    return moment is not None and time.monotonic() > moment


def _case_test(execute: Callable[[Case], None]) -> Callable[[Case], None]:
    """EXECUTE as the test Hypothesis runs. Hypothesis reads and tokenizes its test's source at every run
    (a database key, even with no database): for the runner's `execute`, at every round of every kind,
    that was 2 % of a whole-moto matrix. This test's source is two lines."""
    def test(case: Case) -> None:
        execute(case)
    return test




def _request_evidence(case: Case, exchange: Exchange) -> dict[str, Any]:
    """What a finding shows of its request: the case's parameters and label, and the raw request sent."""
    return {"params": jsonable(case.value), "label": case.label,
            **(exchange.request.as_json() if exchange.request else {})}


