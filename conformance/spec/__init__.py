"""Schema documents derived from botocore's model: the single contract every later stage reads.

`document(service, operation)` is the whole per-operation document (input, output and declared errors in
`$defs`); `part(service, operation, "input" | "output" | "error:NAME")` a self-contained schema of one part.
Both are cached and shared: treat the returned dicts as read-only (`copy.deepcopy` before changing one).
"""

from __future__ import annotations

import functools

from conformance.errors import UsageError, closest_names
from conformance.spec.derive import (
    SCHEMA_DIALECT,
    UNKNOWN_MEMBER_KEYWORD,
    Schema,
    ServiceDeriver,
    derive_operation,
    shape_name_of,
)
from conformance.spec.models import load_service, service_names

__all__ = [
    "SCHEMA_DIALECT",
    "UNKNOWN_MEMBER_KEYWORD",
    "Schema",
    "ServiceDeriver",
    "derive_operation",
    "deriver",
    "document",
    "operations",
    "part",
    "service_names",
]

PART_NAMES = ("input", "output", "error:NAME")


@functools.lru_cache(maxsize=8)
def deriver(service: str) -> ServiceDeriver:
    """The (cached) deriver of SERVICE; it converts each shape once and shares it between documents."""
    return ServiceDeriver(load_service(service))


def operations(service: str) -> list[str]:
    return deriver(service).operation_names()


@functools.lru_cache(maxsize=512)
def document(service: str, operation: str) -> Schema:
    return deriver(service).document(operation)


@functools.lru_cache(maxsize=512)
def part(service: str, operation: str, part: str) -> Schema:
    whole = document(service, operation)
    pointer = _part_pointer(whole, part)
    header: Schema = {
        "$schema": SCHEMA_DIALECT,
        "title": f"{service} {operation} {part}",
        "x-aws-service": service,
        "x-aws-operation": operation,
        "x-aws-part": part,
        "x-aws-protocol": whole["x-aws-protocol"],
        "x-aws-unknown-member": UNKNOWN_MEMBER_KEYWORD,
    }
    if pointer is None:
        # No modeled shape: the JSON protocols answer with an empty object.
        return {**header, "type": "object", "properties": {}, UNKNOWN_MEMBER_KEYWORD: False}
    return {**header, "$ref": pointer, "$defs": deriver(service).defs_for([shape_name_of(pointer)])}


def _part_pointer(whole: Schema, part: str) -> str | None:
    if part == "input":
        return whole["x-aws-input"]  # type: ignore[no-any-return]
    if part == "output":
        return whole["x-aws-output"]  # type: ignore[no-any-return]
    if part.startswith("error:"):
        errors: dict[str, str] = whole["x-aws-errors"]
        name = part.removeprefix("error:")
        if name not in errors:
            declared = ", ".join(errors) or "none"
            raise UsageError(
                f"{whole['x-aws-service']} {whole['x-aws-operation']} declares no error {name!r}"
                f"{closest_names(name, errors)} (declared: {declared})"
            )
        return errors[name]
    raise UsageError(f"unknown part {part!r}: use one of {', '.join(PART_NAMES)}")
