"""What every AWS wire protocol says, as one interface: content types, where an error's code and the request id
are, and how an answer (or a request) is decoded into the data model the spec's schema describes.

Decoding is strict: what a protocol does not allow (`<IsDefault>yes</IsDefault>`, an integer element holding
`abc`, a list wrapped the wrong way, a missing result wrapper) is a `Violation` with its pointer, keyword
`wire`, never mended silently. The value decoded beside it holds what could be read, so the schema checks
still see the rest of the answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance.exchange import HttpRequest, HttpResponse
from conformance.spec.derive import Schema, resolve_ref, shape_name_of
from conformance.spec.validation import Violation

WIRE_KEYWORD = "wire"


@dataclass(frozen=True)
class ErrorCode:
    """An error's code as clients read it, and where it was found (for messages a user can act on)."""

    code: str
    source: str


@dataclass
class Decoded:
    """A message read into the schema's data model, and the ways it broke its protocol's wire format."""

    value: Any
    violations: list[Violation] = field(default_factory=list)

    def wire_error(self, pointer: str, message: str) -> None:
        self.violations.append(Violation(pointer, WIRE_KEYWORD, message))


class BodyError(ValueError):
    """The body is not in the protocol's encoding at all (not JSON, not well-formed XML, not CBOR)."""


def sanitize_code(raw: str) -> str:
    """`ns#Name:http://...` → `Name`, as AWS clients read `__type`, `code` and `X-Amzn-ErrorType`."""
    code = raw.split(":", 1)[0]
    return code.rsplit("#", 1)[-1].strip()


class Protocol:
    """One AWS wire protocol. Stateless: every method takes the operation's spec document it works on."""

    name: ClassVar[str]
    # What an answer's Content-Type may be; the first is what the protocol's services send.
    response_content_types: ClassVar[tuple[str, ...]]
    # Content types a lenient client still reads, with a warning (application/json for awsJson).
    tolerated_content_types: ClassVar[tuple[str, ...]] = ()
    body_format: ClassVar[str]  # "json", "xml" or "cbor": what content_type checks a body against
    # Whether the protocol honours a declared error's httpStatusCode (awsJson ignores HTTP binding traits).
    honours_error_status: ClassVar[bool] = True
    request_id_location: ClassVar[str] = "the x-amzn-RequestId header"  # for messages
    error_code_location: ClassVar[str] = "__type"  # for messages

    # -- bodies ---------------------------------------------------------------------------------------------

    def parse_body(self, body: bytes) -> Any:
        """The body in the protocol's encoding (a JSON value, an XML root element, a CBOR item); BodyError."""
        raise NotImplementedError

    def body_is_payload(self, document: Schema, part: str = "output") -> bool:
        """Whether PART's body is a raw payload (a blob or string member), not the protocol's encoding."""
        return False

    # -- errors and ids -------------------------------------------------------------------------------------

    def error_code(self, response: HttpResponse, document: Schema | None = None) -> ErrorCode | None:
        """The code clients read from an error answer; None when the answer carries none."""
        raise NotImplementedError

    def error_names(self, response: HttpResponse, document: Schema | None = None) -> tuple[str, ...]:
        """Every code the error goes by: the one clients read first and, for a query-compatible service, the
        body's own too. SQS sends `__type` QueueNameExists with `x-amzn-query-error: QueueAlreadyExists;Sender`:
        clients see QueueAlreadyExists, and botocore finds the modeled exception by the `__type` code."""
        seen = self.error_code(response, document)
        names = [seen.code] if seen is not None else []
        if document is not None and document.get("x-aws-query-compatible"):
            underlying = self.error_code(response, None)  # without the document: the body's code
            if underlying is not None and underlying.code not in names:
                names.append(underlying.code)
        return tuple(names)

    def codeless_error_allowed(self, request: HttpRequest | None, response: HttpResponse) -> bool:
        """Whether the protocol lets this error answer carry no code at all (S3 answers HEAD with no body)."""
        return False

    def request_id(self, response: HttpResponse) -> str | None:
        for name in ("x-amzn-requestid", "x-amz-request-id"):
            value = response.header(name)
            if value:
                return value
        return None

    # -- decoding -------------------------------------------------------------------------------------------

    def decode_output(self, response: HttpResponse, document: Schema) -> Decoded:
        """A success answer as the operation's output, headers and status code included where bound."""
        raise NotImplementedError

    def decode_error(self, response: HttpResponse, document: Schema, shape_name: str) -> Decoded:
        """An error answer as the members of the error shape SHAPE_NAME (code and metadata left out)."""
        raise NotImplementedError

    def decode_request(self, request: HttpRequest, document: Schema) -> Decoded:
        """A request as the input the endpoint sees (the members that travelled, typed as the wire says)."""
        raise NotImplementedError


# -- schema helpers shared by the decoders -------------------------------------------------------------------


def resolve(document: Schema, schema: Schema) -> Schema:
    """SCHEMA with `$ref`s followed through DOCUMENT's `$defs`."""
    return resolve_ref(document["$defs"], schema)


def part_root(document: Schema, part: str) -> Schema | None:
    """The structure schema of PART ("input", "output" or "error:NAME"), None when the operation has none."""
    if part.startswith("error:"):
        pointer = document["x-aws-errors"].get(part.removeprefix("error:"))
    else:
        pointer = document.get(f"x-aws-{part}")
    if pointer is None:
        return None
    shape: Schema = document["$defs"][shape_name_of(pointer)]
    return shape


def shape_kind(schema: Schema) -> str:
    """The botocore type name of a resolved schema ("structure", "list", "string", ...)."""
    return str(schema.get("x-aws-type", "structure" if "properties" in schema else "string"))


def is_scalar_kind(kind: str) -> bool:
    return kind not in ("structure", "list", "map", "document")


@functools.lru_cache(maxsize=8192)
def _member_key(pointer: str, name: str) -> str:
    return f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"


def child_pointer(pointer: str, name: str | int) -> str:
    return _member_key(pointer, str(name))
