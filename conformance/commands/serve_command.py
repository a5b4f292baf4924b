"""`conformance serve`: run a schema-driven endpoint for SERVICE that any AWS SDK can call."""

from __future__ import annotations

import argparse
import random
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from conformance.commands.argument_types import positive_int
from conformance.errors import UsageError
from conformance.fuzz.report import print_summary
from conformance.server.endpoint import Endpoint, EndpointOptions
from conformance.server.fuzz import parse_case_id
from conformance.server.glue_ml import DEFAULT_ACCOUNT_ID, GlueMLFamily, GlueMLOptions
from conformance.server.http import DEFAULT_MAX_BODY_BYTES, ServeServer
from conformance.server.state import StateFile
from conformance.server.workers import CaseWorkers, default_workers

DEFAULT_PORT = 8787
STATEFUL_SERVICES = {"glue": "the Glue ML family (transforms and task runs)"}


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="serve SERVICE's AWS JSON protocol on HTTP: validated inputs, generated or stateful answers",
        description="Start an HTTP endpoint speaking SERVICE's AWS JSON 1.0/1.1 protocol; point any SDK at it "
        "with its endpoint URL. Every request is validated against the input schema (the operation's "
        "validation error, SerializationException, UnknownOperationException); answers are generated from "
        "the output schema, repeatable under --seed. For glue, the ML family (CreateMLTransform, "
        "StartMLEvaluationTaskRun, GetMLTaskRun, ...) keeps state. Stop it with SIGTERM or Ctrl-C.",
    )
    parser.add_argument("service", metavar="SERVICE", help="botocore service name, e.g. glue")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT})")
    parser.add_argument("--state", type=Path, metavar="FILE",
                        help="keep resources in FILE across restarts (written atomically after each change)")
    parser.add_argument("--seed", type=int, help="repeat generated answers exactly (default: random, printed)")
    parser.add_argument("--fuzz", action="store_true",
                        help="answer with valid and malformed responses, each tagged with an x-conformance-case id")
    parser.add_argument("--replay-case", metavar="ID", help="answer that operation with the fuzz case ID, always")
    parser.add_argument("--workers", type=_workers, default="auto", metavar="N",
                        help="with --fuzz: worker processes that make the cases (default auto: one per core; "
                        "0: in the server process)")
    parser.add_argument("--task-run-seconds", type=_non_negative, default=3.0, metavar="SECONDS",
                        help="how long an ML task run takes from STARTING to SUCCEEDED (default 3)")
    parser.add_argument("--require-labels", action="store_true",
                        help="ML transforms stay NOT_READY until an import-labels task run succeeds")
    parser.add_argument("--max-transforms", type=positive_int, default=1000, metavar="N",
                        help="ML transforms before ResourceNumberLimitExceededException (default 1000)")
    parser.add_argument("--max-concurrent-runs", type=_non_negative_int, default=0, metavar="N",
                        help="active task runs per transform before ConcurrentRunsExceededException (default 0: "
                        "no limit)")
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID, help="account id in error messages")
    parser.add_argument("--max-body-bytes", type=positive_int, default=DEFAULT_MAX_BODY_BYTES, metavar="N",
                        help=f"larger request bodies get HTTP 413 (default {DEFAULT_MAX_BODY_BYTES})")
    parser.add_argument("--unknown-members", choices=("reject", "ignore"), default="reject",
                        help="input members the model does not have: a validation error (default) or ignored")
    parser.add_argument("--quiet", action="store_true", help="no line per request on stderr")
    parser.set_defaults(run=run)


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def _workers(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return _non_negative_int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be auto or a number of processes, at least 0") from None


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number of seconds, at least 0")
    return value


def run(args: argparse.Namespace) -> int:
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    if args.replay_case:
        try:
            parse_case_id(args.replay_case)
        except ValueError as error:
            raise UsageError(f"--replay-case: {error}") from None
    if args.state is not None and args.service not in STATEFUL_SERVICES:
        raise UsageError(f"--state keeps resources of stateful operations; {args.service} has none "
                         f"(stateful: {', '.join(f'{s}: {what}' for s, what in STATEFUL_SERVICES.items())})")
    options = EndpointOptions(seed=seed, fuzz=args.fuzz, replay_case=args.replay_case,
                              unknown_members=args.unknown_members)
    Endpoint(args.service, options)  # checks SERVICE, its protocol and the case id before anything is opened
    state = StateFile(args.state, args.service) if args.state is not None else None
    processes = default_workers() if args.workers == "auto" else int(args.workers)
    workers = CaseWorkers(processes) if args.fuzz and processes > 0 else None
    try:
        family = _family(args, state)
        endpoint = Endpoint(args.service, options, family, generate=workers)
        try:
            server = ServeServer((args.host, args.port), endpoint, max_body_bytes=args.max_body_bytes,
                                 log=None if args.quiet else sys.stderr)
        except OSError as error:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
        return _serve(server, args, seed)
    finally:
        if workers is not None:
            workers.close()
        if state is not None:
            state.close()


def _family(args: argparse.Namespace, state: StateFile | None) -> GlueMLFamily | None:
    if args.service != "glue":
        return None
    resources = state.open() if state is not None else {}
    options = GlueMLOptions(account_id=args.account_id, task_run_seconds=args.task_run_seconds,
                            require_labels=args.require_labels, max_transforms=args.max_transforms,
                            max_concurrent_runs=args.max_concurrent_runs)
    return GlueMLFamily(options, resources=resources, persist=state.save if state is not None else None)


def _serve(server: ServeServer, args: argparse.Namespace, seed: int) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="conformance-serve", daemon=True)
    thread.start()
    protocol = server.endpoint.protocol
    generate = server.endpoint.generate
    fuzz = f"fuzz ({generate.processes} worker processes)" if isinstance(generate, CaseWorkers) else "fuzz"
    modes = [mode for mode, on in ((fuzz, args.fuzz), (f"replay {args.replay_case}", args.replay_case)) if on]
    state = f", state {args.state}" if args.state else ""
    print(f"conformance serve: {args.service} ({protocol.describe()}) on "
          f"{server.url} seed {seed} mode {' + '.join(modes) or 'reference'}{state}", flush=True)
    try:
        while not stop.wait(timeout=0.5):
            pass
    finally:
        finished = server.stop()
        thread.join(timeout=5)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    stats = server.endpoint.stats
    note = "" if finished else " (some requests were still running after the grace period)"
    print(f"conformance serve: stopped after {stats.requests} requests{note}", flush=True)
    judge = server.endpoint.judge
    if judge is not None and judge.cases:  # what the clients made of the answers, as fuzz-parser reports it
        print_summary(judge.result(), sys.stdout)
        sys.stdout.flush()
    return 0
