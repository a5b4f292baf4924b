"""Fuzz cases made in worker processes, so that `serve --fuzz` uses every core.

Making a case is a Hypothesis draw (about 3 ms of pure Python under one lock: Hypothesis keeps its state in
globals), so one server process answers on one core whatever the number of clients. `CaseWorkers` is a
`(service, operation, seed) -> WireResponse` function, like `conformance.server.fuzz.fuzz_response`, that
makes the case in one of its worker processes; the HTTP server, the stateful families, `--state`, the judge
and the answers served stay in the server process, which only waits (without the GIL) while a worker draws.

- Each worker is a process with a pipe of its own: a request thread takes an idle worker, sends it
  (service, operation, seed) and reads the pickled `WireResponse` back; with every worker busy, it waits for
  one. That is one pickle each way and no broker thread (a `ProcessPoolExecutor` costs more per case than
  the parallelism gains on two cores).
- Workers start from a forkserver that has imported the generator once (a new worker is ready in
  milliseconds, and none is forked from the threaded server); they ignore SIGINT, which the server handles.
- Memory is bounded: a worker ends after `max_tasks_per_child` cases and is replaced (whatever Hypothesis or
  our caches held goes with it); cases waiting for a worker are at most the requests in flight; the server
  keeps only the last `SERVED_CASES` answers.
- A worker that dies (killed, out of memory) is replaced and the case asked again, once.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from conformance.fuzz.wire import WireResponse
from conformance.server.fuzz import fuzz_response

DEFAULT_MAX_TASKS_PER_CHILD = 5000
PRELOAD = ["conformance.server.fuzz", "conformance.fuzz", "strategies"]


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class WorkerError(RuntimeError):
    """A case a worker could not make (the worker's exception, in one line)."""


def _serve_cases(connection: Connection, limit: int) -> None:
    """A worker: make the cases asked on CONNECTION, LIMIT of them, then end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for _ in range(limit):
        try:
            service, operation, seed = connection.recv()
        except (EOFError, OSError):
            return
        try:
            connection.send((True, fuzz_response(service, operation, seed)))
        except Exception as error:  # said to the server, which answers InternalFailure
            connection.send((False, f"{type(error).__name__}: {error}"))


class _Worker:
    def __init__(self, context: BaseContext, limit: int) -> None:
        self.connection, child = multiprocessing.Pipe()
        self.process: Any = context.Process(target=_serve_cases, args=(child, limit), daemon=True,  # type: ignore[attr-defined]
                                            name="conformance-serve-worker")
        self.process.start()
        child.close()
        self.tasks = 0
        self.limit = limit

    def make(self, service: str, operation: str, seed: int) -> tuple[bool, Any]:
        self.connection.send((service, operation, seed))
        answer: tuple[bool, Any] = self.connection.recv()
        self.tasks += 1
        return answer

    def stop(self, timeout: float = 5.0) -> None:
        self.connection.close()  # the worker reads EOF and ends
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)


class CaseWorkers:
    """`fuzz_response` run in PROCESSES worker processes (see the module docstring)."""

    def __init__(self, processes: int, *, max_tasks_per_child: int = DEFAULT_MAX_TASKS_PER_CHILD) -> None:
        self.processes = processes
        self.max_tasks_per_child = max_tasks_per_child
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(processes):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.max_tasks_per_child)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        return self._start()

    def __call__(self, service: str, operation: str, seed: int) -> WireResponse:
        if self._closed:
            raise WorkerError("the case workers are stopped")
        worker = self._idle.get()
        try:
            try:
                made, value = worker.make(service, operation, seed)
            except (EOFError, OSError):  # the worker died: another one makes the case
                worker = self._replace(worker)
                made, value = worker.make(service, operation, seed)
            if worker.tasks >= worker.limit:  # it has ended by itself: its successor starts now
                worker = self._replace(worker)
        finally:
            self._idle.put(worker)
        if not made:
            raise WorkerError(f"a worker failed to make case {seed:x} of {operation}: {value}")
        response: WireResponse = value
        return response

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
