"""Hypothesis strategies for AWS operations, compiled from the schemas `conformance.spec` derives.

Every value is in the wire data model the schemas describe (wire member names, base64 blobs, timestamps
as epoch numbers or formatted strings); `to_params` turns one into boto3 call parameters.

- `from_schema(schema)`: values valid against a schema (any `conformance.spec` document or part, and the
  common JSON Schema keywords: type, enum/const, properties/required/additionalProperties, items,
  min/maxItems, propertyNames, min/maxProperties, min/maxLength, pattern, minimum/maximum (also
  exclusive), multipleOf, anyOf/oneOf/allOf, local `$ref`).
- `valid_inputs(service, operation)`: inputs that validate against the operation's input schema.
- `hinted_inputs(service, operation, examples)`: valid inputs with the members named in `examples` set to
  one of the known-good values given for them.
- `invalid_inputs(service, operation)`: `InvalidCase`s: a valid input with one mutation that breaks one
  keyword at one member, each checked with jsonschema (mutations the schema accepts are discarded).
- `boundary_inputs(service, operation)`: `BoundaryCase`s: one member at or just past a limit (length,
  items, entries, range), labelled `valid` by what jsonschema says.
- `responses(service, operation)`: valid output bodies.
- `error_responses(service, operation)`: `ErrorResponse`s for the errors the operation declares (an empty
  strategy when it declares none).
- `to_params(service, operation, value)`: boto3 parameters for a wire-model input.

Sizes stay small (short strings, at most a few list items, optional members thinned out with depth) so
generation is fast and failures shrink to small values; `boundary_inputs` reaches the real limits.
Strings fully match their pattern and count length in code points (not only ASCII); members sent in HTTP
headers stay header-safe. A schema with no valid value (a few AWS models contradict themselves) gives an
empty strategy; so do `boundary_inputs` of an input without limits and `error_responses` of an operation
without declared errors.
"""

from __future__ import annotations

from strategies.boundary import BoundaryCase, boundary_inputs
from strategies.compile import from_schema
from strategies.invalid import InvalidCase, invalid_inputs
from strategies.operations import ErrorResponse, error_responses, hinted_inputs, responses, valid_inputs
from strategies.params import to_params

__all__ = [
    "BoundaryCase",
    "ErrorResponse",
    "InvalidCase",
    "boundary_inputs",
    "error_responses",
    "from_schema",
    "hinted_inputs",
    "invalid_inputs",
    "responses",
    "to_params",
    "valid_inputs",
]
