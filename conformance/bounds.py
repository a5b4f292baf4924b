"""Bounds on one operation (the Runner applies them), enforced even in the middle of a single call.

The runner checks its time bound between cases; these also stop one case that never ends (a generation or
an in-process call that runs away) and one that allocates without end (in-process moto asked by a valid
case for millions of resources: ec2 AllocateHosts, directconnect CreateLag). Either interrupts the main
thread with OperationOverran. It is a BaseException, like KeyboardInterrupt, so that Hypothesis lets it
through instead of taking it for a failing case to shrink.

The alarm repeats every few seconds past the bound, so code that swallows one interrupt (a bare `except:`
in the endpoint) meets the next; an operation still running a minute past its bound is stuck where no signal
handler runs, and a matrix worker then ends itself.

Memory is watched, not limited with RLIMIT_AS: at a hard limit every allocation fails, pytest's and
execnet's included, and a worker hangs instead of reporting. Still above the bound well after the
interrupt, the worker exits; xdist replaces it and the matrix goes on. Past a ceiling of 1.5 times the bound
after the interrupt it exits at once: a Python signal handler runs only between bytecodes, so a case stuck
in one long C-level call cannot be interrupted while it allocates (the full matrix saw a worker reach 6 GiB
that way with a 3 GiB bound).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

from conformance.memory import resident_bytes

HARD_BOUND_GRACE = 2.0  # past the runner's own bound, which it checks between cases
MEMORY_BOUND_BYTES = 3 * 1024**3
# What one operation may add to the process. A runaway case (directconnect CreateLag allocates 60 MB/s in
# moto, kinesis CreateStream 90 MB/s) is stopped at this, not only once the whole process reaches the bound:
# tens of seconds sooner, and with memory left for the operations after it. The largest answer of the moto
# matrix (ec2 DescribeInstanceTypes, 3.5 MB of XML) costs a few tens of megabytes parsed.
OPERATION_GROWTH_BYTES = 512 * 1024**2
MEMORY_POLL_SECONDS = 0.2
MEMORY_EXIT_AFTER_SECONDS = 15.0
MEMORY_EXIT_CODE = 70
MEMORY_CEILING_FACTOR = 1.5
# Once past the time bound the alarm repeats: code that swallows one interrupt (a bare `except:`) meets the
# next. A process still in the operation this long after its bound is stuck where no signal handler runs
# (one long C-level call) and ends itself, as for memory.
ALARM_REPEAT_SECONDS = 5.0
HANG_EXIT_SECONDS = 60.0


class OperationOverran(BaseException):
    """The operation passed its time or memory bound."""


@contextlib.contextmanager
def operation_bounds(seconds: float | None, memory_bytes: int | None = MEMORY_BOUND_BYTES,
                     on_exit: Callable[[str], object] | None = None, *,
                     growth_bytes: int = OPERATION_GROWTH_BYTES) -> Iterator[None]:
    """Raise OperationOverran in the main thread once SECONDS (plus grace) pass, or the process holds more
    than MEMORY_BYTES or GROWTH_BYTES more than at the start (memory bounds apply only with MEMORY_BYTES);
    no bound is None. Outside the main thread, signals cannot be used: nothing.

    With ON_EXIT (a matrix worker, which xdist replaces), the process also ends itself when the interrupt
    does not work: memory not given back, or the operation still running well after its time bound.
    ON_EXIT gets the reason first (the process has no other last words). Without it, nothing is ended."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def out_of_time(signum: int, frame: object) -> None:
        raise OperationOverran(f"exceeded its time bound of {seconds:g} s")

    bound = memory_bytes
    if memory_bytes is not None:
        bound = min(memory_bytes, resident_bytes() + growth_bytes)

    def out_of_memory(signum: int, frame: object) -> None:
        if bound == memory_bytes:
            raise OperationOverran(f"exceeded the process's memory bound of {(memory_bytes or 0) / 1024**3:g} GiB")
        raise OperationOverran(f"grew the process by more than {growth_bytes / 1024**2:g} MiB")

    previous_alarm = signal.signal(signal.SIGALRM, out_of_time)
    previous_usr1 = signal.signal(signal.SIGUSR1, out_of_memory)
    deadline = None
    if seconds is not None and on_exit is not None:
        deadline = time.monotonic() + seconds + HARD_BOUND_GRACE + HANG_EXIT_SECONDS
    watch = _Watch(bound, deadline, on_exit) if bound is not None or deadline is not None else None
    if seconds is not None:
        signal.setitimer(signal.ITIMER_REAL, seconds + HARD_BOUND_GRACE, ALARM_REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if watch is not None:
            watch.stop()
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGUSR1, previous_usr1)


class _Watch:
    """A daemon thread that signals the main thread once the process passes BOUND bytes, and ends the process
    when memory does not come back or the operation outlives DEADLINE (a monotonic time)."""

    def __init__(self, bound: int | None, deadline: float | None,
                 on_exit: Callable[[str], object] | None = None) -> None:
        self.bound = bound
        self.deadline = deadline
        self.on_exit = on_exit
        self._main = threading.main_thread().ident
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="conformance-bounds-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _watch(self) -> None:
        interrupted_at: float | None = None
        while not self._stopped.wait(MEMORY_POLL_SECONDS):
            if self.deadline is not None and time.monotonic() > self.deadline:
                self._exit(f"did not stop within {HANG_EXIT_SECONDS:g} s of its time bound (stuck where no "
                           "interrupt reaches it)")
            if self.bound is None:
                continue
            resident = resident_bytes()
            if resident <= self.bound:
                continue
            if interrupted_at is None:
                interrupted_at = time.monotonic()
                if self._main is not None:
                    signal.pthread_kill(self._main, signal.SIGUSR1)
            elif resident > MEMORY_CEILING_FACTOR * self.bound:
                self._exit(f"grew past {MEMORY_CEILING_FACTOR * self.bound / 1024**3:g} GiB after the interrupt "
                           f"for its memory bound of {self.bound / 1024**3:g} GiB")
            elif time.monotonic() - interrupted_at > MEMORY_EXIT_AFTER_SECONDS:
                self._exit(f"still held more than its memory bound of {self.bound / 1024**3:g} GiB "
                           f"{MEMORY_EXIT_AFTER_SECONDS:g} s after the interrupt")

    def _exit(self, reason: str) -> None:
        """End the process: a crash, which xdist handles by starting another worker."""
        if self.on_exit is None:
            return  # not a worker: the interrupt is all it gets
        with contextlib.suppress(Exception):
            self.on_exit(f"{reason}: the worker ended itself")
        os._exit(MEMORY_EXIT_CODE)
