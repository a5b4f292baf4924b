"""One request in, one answer out: the served service without sockets (`http` puts it on the network).

The order is AWS's: which operation (the protocol's unknown-operation answer), can the input be read
(SerializationException and the like), does it satisfy the input schema (the operation's validation error,
coded and worded as the protocol's services do), then the answer: a `--replay-case` or `--fuzz` case, the
stateful Glue ML family, or a generated output body. Routing, reading and encoding are the service's
protocol's (`conformance.server.protocols`); the request is an `HttpRequest` (method, URL with the Host,
headers, body), whatever the protocol.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance import spec
from conformance.errors import UsageError
from conformance.exchange import HttpRequest, HttpResponse
from conformance.fuzz.context import SPOKEN
from conformance.fuzz.report import judged_report_dict
from conformance.fuzz.wire import WireResponse
from conformance.protocols.rest import answers_with_event_stream
from conformance.server import fuzz
from conformance.server.generic import GenericResponder, derive_seed
from conformance.server.glue_ml import GlueMLFamily
from conformance.server.judge import Judge, decode_verdict_input
from conformance.server.protocol import REQUEST_ID_HEADER, ServiceError, new_request_id
from conformance.server.protocols import server_protocol
from conformance.server.validation_messages import input_problems
from conformance.spec.validation import as_clients_read

UnknownMembers = Literal["reject", "ignore"]
Generate = Callable[[str, str, int], WireResponse]  # (service, operation, seed) -> the fuzz case
SERVED_CASES = 8192


@dataclass(frozen=True)
class EndpointOptions:
    seed: int = 0
    fuzz: bool = False
    replay_case: str | None = None  # a case id: that operation always answers with that fuzz case
    unknown_members: UnknownMembers = "reject"


@dataclass
class EndpointStats:
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)


class Endpoint:
    """SERVICE's endpoint in its own protocol; FAMILY (the Glue ML family) answers its operations from state."""

    def __init__(self, service: str, options: EndpointOptions | None = None,
                 family: GlueMLFamily | None = None, generate: Generate | None = None) -> None:
        self.service = service
        self.options = options or EndpointOptions()
        self.protocol = server_protocol(service)
        if (self.options.fuzz or self.options.replay_case) and self.protocol.name not in SPOKEN:
            raise UsageError(f"--fuzz and --replay-case answer with conformance.fuzz's responses, which speak "
                             f"{', '.join(SPOKEN)}; {service} uses {self.protocol.name}")
        self.family = family
        self.generic = GenericResponder(service, self.options.seed)
        # Where fuzz cases are made: in this process, or in worker processes (`conformance.server.workers`).
        self.generate: Generate = generate or fuzz.fuzz_response
        self.replay: tuple[str, int] | None = None
        if self.options.replay_case:
            self.replay = fuzz.parse_case_id(self.options.replay_case)
            spec.document(service, self.replay[0])  # an unknown operation is a UsageError
        self.judge = Judge(service, lookup=self._served_case) if self.options.fuzz or self.replay else None
        self.stats = EndpointStats()
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        # The answers sent last, by (operation, seed): the judge reads the very bytes a client got.
        self._served: OrderedDict[tuple[str, int], WireResponse] = OrderedDict()

    def handle(self, request: HttpRequest) -> tuple[str | None, HttpResponse]:
        """The operation REQUEST called (None when it names none) and the answer."""
        operation, answer = self._answer(request)
        with self._lock:
            self.stats.requests += 1
            self.stats.by_status[answer.status] += 1
        return operation, answer

    def answer(self, target: str | None, body: bytes) -> HttpResponse:
        """An AWS JSON protocol request given as its X-Amz-Target and body (a shorthand of `handle`)."""
        headers = {"X-Amz-Target": target} if target is not None else {}
        return self.handle(HttpRequest("POST", "http://localhost/", headers, body))[1]

    def _answer(self, request: HttpRequest) -> tuple[str | None, HttpResponse]:
        request_id = new_request_id()
        try:
            operation = self.protocol.route(request)
        except ServiceError as error:
            return None, self.protocol.error(error, None, request_id)
        if self.replay is not None and self.replay[0] == operation:
            return operation, self._fuzz_answer(operation, self.replay[1], request_id)
        try:
            read = self.validated(operation, self.protocol.read_input(operation, request))
            if self.options.fuzz and not self._streams_events(operation):
                return operation, self._fuzz_answer(operation, self._next_fuzz_seed(operation), request_id)
            if self.family is not None and self.family.handles(operation):
                return operation, self.protocol.success(operation, self.family.handle(operation, read), request_id)
            return operation, self.protocol.success(operation, self.generic.response(operation, read), request_id)
        except ServiceError as error:
            return operation, self.protocol.error(error, operation, request_id)
        except Exception:  # a bug of ours: an AWS-shaped 500, and the traceback for the operator
            traceback.print_exc(file=sys.stderr)
            failure = ServiceError("InternalFailure", f"conformance serve failed to answer {operation}", 500)
            return operation, self.protocol.error(failure, None, request_id)

    def _streams_events(self, operation: str) -> bool:
        """Whether OPERATION answers with an event stream, which no fuzz generator writes: such operations get
        their plain answer under --fuzz too (one document, as without --fuzz)."""
        return answers_with_event_stream(spec.document(self.service, operation))

    def validated(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """REQUEST as the service reads it (null members absent); the operation's error when it is invalid."""
        schema = spec.part(self.service, operation, "input")
        problems = input_problems(schema, request)
        serialization = [problem for problem in problems if problem.kind == "serialization"]
        unknown = [problem for problem in problems if problem.kind == "unknown-member"]
        constraints = [problem for problem in problems if problem.kind == "validation"]
        if unknown and self.options.unknown_members == "ignore":
            unknown = []
        if serialization or constraints or unknown:
            raise self.protocol.invalid_input(operation, constraints, unknown, serialization)
        read: dict[str, Any] = as_clients_read(schema, request)
        return read

    # -- fuzz -----------------------------------------------------------------------------------------------

    def _next_fuzz_seed(self, operation: str) -> int:
        with self._lock:
            self._counts[operation] += 1
            count = self._counts[operation]
        return derive_seed(self.options.seed, "fuzz", self.service, operation, count) & (2**64 - 1)

    def _fuzz_answer(self, operation: str, seed: int, request_id: str) -> HttpResponse:
        key = (operation, seed)
        response = self._served_case(operation, seed)
        if response is None:
            response = self.generate(self.service, operation, seed)
        with self._lock:
            self._served[key] = response
            self._served.move_to_end(key)
            if len(self._served) > SERVED_CASES:
                self._served.popitem(last=False)
        case = fuzz.as_case(response)
        tags = fuzz.case_headers(case, fuzz.case_id(operation, seed))
        headers = {**case.headers, REQUEST_ID_HEADER: request_id, **tags}
        return HttpResponse(case.status, headers, case.body)

    def _served_case(self, operation: str, seed: int) -> WireResponse | None:
        with self._lock:
            return self._served.get((operation, seed))

    # -- the judge ------------------------------------------------------------------------------------------

    def judge_answer(self, body: bytes) -> HttpResponse:
        """The verdict on a client's verdict input (conformance.server.judge) for a case this server sent."""
        if self.judge is None:
            return _json_answer(404, {"message": "the judge works with --fuzz or --replay-case answers only"})
        try:
            record = decode_verdict_input(body, self.service)
        except ValueError as error:  # not JSON, or not a verdict input
            return _json_answer(400, {"message": f"not a verdict input: {error}"})
        try:
            return _json_answer(200, self.judge.judge(record).as_json())
        except Exception as error:  # a bug of ours: said to the client, the traceback for the operator
            traceback.print_exc(file=sys.stderr)
            return _json_answer(500, {"message": f"the judge failed: {type(error).__name__}: {error}"})

    def report_answer(self) -> HttpResponse:
        """The fuzz-parser JSON report of every verdict input judged so far."""
        if self.judge is None:
            return _json_answer(404, {"message": "the judge works with --fuzz or --replay-case answers only"})
        return _json_answer(200, judged_report_dict(self.judge.result()))


def _json_answer(status: int, document: Any) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return HttpResponse(status, {"Content-Type": "application/json", REQUEST_ID_HEADER: new_request_id()}, body)
