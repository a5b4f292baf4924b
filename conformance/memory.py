"""Keep a long run's memory bounded: a mock's state grows with every resource the cases create.

In-process moto keeps every resource a case created for the life of the process; over a whole matrix
(159 services) that is gigabytes, and one valid case may ask for millions (ec2 AllocateHosts with a large
Quantity). Between operations, a process above RESET_ABOVE_BYTES forgets the target's state and the real
resources found so far (they would be gone with it).
"""

from __future__ import annotations

import gc
import os
import resource
import sys

from conformance.resources import ResourcePool
from conformance.targets.base import Target

RESET_ABOVE_BYTES = 1536 * 1024**2


def resident_bytes() -> int:
    """The process's resident memory now (Linux); elsewhere its peak, which only ever errs towards a reset."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def relieve(target: Target, resources: ResourcePool | None, *, above: int | None = None) -> bool:
    """Reset TARGET's state (and forget RESOURCES) when the process holds more than ABOVE bytes; True if so."""
    if resident_bytes() <= (RESET_ABOVE_BYTES if above is None else above):
        return False
    target.reset()
    if resources is not None:
        resources.forget()
    gc.collect()
    return True
