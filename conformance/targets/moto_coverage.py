"""Which botocore services and operations moto implements, measured as moto itself counts them.

moto dispatches an action to the method of its response class named like the operation in snake_case; its
IMPLEMENTATION_COVERAGE.md ticks an operation when such a method exists. We count the same way, and the
conformance run then measures whether those answers conform.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil

from botocore import xform_name

from conformance import spec
from conformance.requirements import MOTO, require
from conformance.spec.models import service_names

# botocore service name -> moto module, where removing dashes is not enough.
MODULE_NAMES = {"lambda": "awslambda", "batch": "batch", "es": "es", "sagemaker-runtime": "sagemakerruntime"}


def moto_module(service: str) -> str:
    return MODULE_NAMES.get(service, service.replace("-", ""))


@functools.cache
def _moto_modules() -> frozenset[str]:
    moto = require(MOTO, "--all-implemented")
    return frozenset(info.name for info in pkgutil.iter_modules(moto.__path__))


@functools.cache
def implemented_operations(service: str) -> tuple[str, ...]:
    """Operations of SERVICE that moto has a response method for (empty when moto has no such service)."""
    module_name = moto_module(service)
    if module_name not in _moto_modules():
        return ()
    try:
        responses = importlib.import_module(f"moto.{module_name}.responses")
    except ImportError:
        return ()
    from moto.core.responses import BaseResponse

    classes = [cls for _, cls in inspect.getmembers(responses, inspect.isclass)
               if issubclass(cls, BaseResponse) and cls is not BaseResponse and cls.__module__ == responses.__name__]
    if not classes:
        return ()
    return tuple(op for op in spec.operations(service) if any(hasattr(cls, xform_name(op)) for cls in classes))


def implemented_services() -> list[str]:
    return [service for service in service_names() if implemented_operations(service)]
