"""Keep a long run's memory bounded: a mock's state grows with every resource the cases create.

In-process moto keeps every resource a case created for the life of the process; over a whole matrix
(159 services) that is gigabytes, and one valid case may ask for millions (ec2 AllocateHosts with a large
Quantity). Between operations, a process above RESET_ABOVE_BYTES forgets the target's state and the real
resources found so far (they would be gone with it).

Memory freed that way does not always go back to the system (the allocator keeps what is fragmented), so
a process can stay above the threshold after a reset. It then resets again only once it has grown
RESET_MARGIN_BYTES past what the last reset left: in the full moto matrix, a worker at 2 GiB after a reset
spent most of its time resetting moto and collecting garbage after every operation.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import resource
import sys

from conformance.resources import ResourcePool
from conformance.targets.base import Target

RESET_ABOVE_BYTES = 1536 * 1024**2
RESET_MARGIN_BYTES = 512 * 1024**2
_left_by_last_reset = 0  # resident bytes after this process's last reset


def resident_bytes() -> int:
    """The process's resident memory now (Linux); elsewhere its peak, which only ever errs towards a reset."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def relieve(target: Target, resources: ResourcePool | None, *, above: int | None = None) -> bool:
    """Reset TARGET's state (and forget RESOURCES) when the process holds more than ABOVE bytes (by default
    RESET_ABOVE_BYTES, or RESET_MARGIN_BYTES more than the last reset left); True if so."""
    global _left_by_last_reset
    threshold = max(RESET_ABOVE_BYTES, _left_by_last_reset + RESET_MARGIN_BYTES) if above is None else above
    if resident_bytes() <= threshold:
        return False
    target.reset()
    if resources is not None:
        resources.forget()
    gc.collect()
    _give_back_freed_memory()
    _left_by_last_reset = resident_bytes()
    return True


def _give_back_freed_memory() -> None:
    """Ask glibc's allocator to return the free memory it keeps (elsewhere: nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)
