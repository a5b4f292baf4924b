"""Every document of every botocore service is a valid 2020-12 schema whose references all resolve."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.spec.derive import ServiceDeriver, shape_name_of
from conformance.spec.models import load_service, service_names

METASCHEMA = Draft202012Validator(Draft202012Validator.META_SCHEMA)


def _refs(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {shape_name_of(schema["$ref"])} if "$ref" in schema else set()
        for key, value in schema.items():
            if key != "$ref":
                found |= _refs(value)
        return found
    if isinstance(schema, list):
        return set().union(*(_refs(item) for item in schema)) if schema else set()
    return set()


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [p for key, value in schema.items() if key != "pattern" for p in _patterns(value)]
    return []


@pytest.mark.parametrize("service", service_names())
def test_service_documents_are_valid_schemas(service: str) -> None:
    deriver = ServiceDeriver(load_service(service, cached=False))
    operations = deriver.operation_names()
    assert operations
    headers = []
    for operation in operations:
        document = deriver.document(operation)
        defs = document.pop("$defs")
        headers.append(document)
        # Each pointer the document states lands in its own $defs.
        pointers = [document["x-aws-input"], document["x-aws-output"], *document["x-aws-errors"].values()]
        for pointer in filter(None, pointers):
            assert shape_name_of(pointer) in defs, (operation, pointer)
    # Documents share shape schemas: checking every shape once checks every document's $defs.
    every_shape = deriver.defs_for(deriver.shapes)
    errors = list(METASCHEMA.iter_errors({"$schema": headers[0]["$schema"], "$defs": every_shape}))
    errors += [e for header in headers for e in METASCHEMA.iter_errors(header)]
    assert not errors, [e.message for e in errors[:3]]
    for name, schema in every_shape.items():
        # Every $ref of a shape is one of the edges defs_for follows, so each document's $defs is closed.
        assert _refs(schema) <= set(deriver._refs[name]) and _refs(schema) <= set(every_shape), name
        for pattern in _patterns(schema):
            re.compile(pattern)
