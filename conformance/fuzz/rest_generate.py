"""The response generators of the rest protocols (rest-json: Lambda, API Gateway, EKS, ...; rest-xml: S3,
Route 53, CloudFront): valid and malformed answers, each labelled.

The same bases, slots and variants as the JSON and XML generators, with each member where the model binds it
(`conformance.fuzz.rest_wire`): header members in headers, `headers` maps as prefixed headers, the
`statusCode` member as the status, a `payload` member as the whole body, the other members in a JSON object
(rest-json) or in the root element named as the output shape (rest-xml). Errors: rest-json sends the code in
`X-Amzn-ErrorType` (and the error-code family every other way botocore and Smithy's restJson1 read it: body
`code`, `Code`, `__type`, the header winning over the body); rest-xml in `<ErrorResponse><Error><Code>`, or
S3's bare `<Error><Code>`; the status is the error shape's `httpStatusCode`.

Families: the JSON families (rest-json) or the XML families (rest-xml) break the body as they do for the
other protocols, reused as they are; the rest families break what travels outside it: header text a member's
type does not allow (`abc` in an integer header, an invalid HTTP date, `yes` in a boolean, bad base64 and
jsonvalue text), statuses (the other 2xx a status member takes: valid; HTTP 300 with an output body:
malformed), header names in other cases (valid), payload bodies of another kind (invalid UTF-8 in a string
payload, a JSON array for a structure payload: malformed; any bytes in a blob payload: valid), the error code
in the header, in the body, or in both disagreeing, and the other error envelope (rest-xml).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from conformance import spec
from conformance.errors import UsageError
from conformance.fuzz import generate as json_families
from conformance.fuzz.context import DeclaredError, OperationContext
from conformance.fuzz.generate import (
    BOTH,
    CORAL_URI,
    ERROR,
    FAMILIES,
    INVALID_TIMESTAMPS,
    NAMESPACE,
    NON_STRING_CODES,
    SUCCESS,
    Base,
    Family,
    ResponseGenerator,
    Use,
    _fill,
    _pick,
    _reachable_kinds,
    slot_kind,
)
from conformance.fuzz.rest_wire import (
    CONTENT_LENGTH,
    SUCCESS_STATUSES,
    Binding,
    Bindings,
    bindings_of,
    bindings_of_root,
    bound_headers,
    bound_status,
    raw_payload_bytes,
    set_header,
)
from conformance.fuzz.wire import INTACT, MALFORMED, VALID, Expectation, WireResponse, encode, shown
from conformance.fuzz.xml_generate import WRONG_TEXT, XML_FAMILIES, XmlResponseGenerator
from conformance.protocols.base import part_root, resolve, shape_kind
from conformance.protocols.rest import answers_with_event_stream
from conformance.protocols.xml_encode import REQUEST_ID, RawText, RawXml, XmlWriter, escape, unmodelled
from conformance.spec.derive import Schema

ERROR_TYPE_HEADER = "X-Amzn-ErrorType"
OTHER_CODE = "ConformanceOtherException"
HOST_ID = "conformance/host/id"
# Services whose rest-xml errors are a bare <Error> (S3's "Error responses"); the others wrap it in
# <ErrorResponse> (Route 53, CloudFront, S3 Control), as Smithy's restXml says unless `noErrorWrapping`.
BARE_ERROR_SERVICE_IDS = frozenset({"S3"})
# Families that write a success answer's body: they need one in the protocol's encoding.
WITHOUT_BODY = frozenset({"valid", "null-member", "unknown-member", "content-type"})


def document_of(context: OperationContext) -> Schema:
    """The spec document of CONTEXT's operation: the shared cached one, or its own model's (fixtures)."""
    try:
        if spec.deriver(context.service) is context.deriver:
            return spec.document(context.service, context.operation)
    except UsageError:
        pass
    return context.deriver.document(context.operation)


# -- header text a member's type does not allow -------------------------------------------------------------

# The XML families' wrong scalar text that a header can carry (ASCII), and what only a header holds: a list
# where one integer goes, invalid HTTP dates, jsonvalue text that is not base64 of UTF-8 JSON.
WRONG_HEADER_TEXT: dict[str, tuple[str, ...]] = {
    kind: tuple(text for text in texts if text.isascii()) for kind, texts in WRONG_TEXT.items()}
WRONG_HEADER_TEXT["integer"] += ("1, 2",)
WRONG_HEADER_TEXT["timestamp"] += (*(text for kind, text in INVALID_TIMESTAMPS if kind == "HTTP date"), "1e400")
WRONG_HEADER_TEXT["jsonvalue"] = ("not base64!", base64.b64encode(b"not json").decode(),
                                  base64.b64encode(b"{").decode(), base64.b64encode(b"\xff\xfe").decode(), "e30")


def _garbled_headers(gen: RestGenerator, part: str | None) -> list[tuple[str, Binding]]:
    """(kind, binding) of the header members whose text can be wrong for their type."""
    found: list[tuple[str, Binding]] = []
    for binding in gen.bindings(part).headers:
        kind = "jsonvalue" if binding.jsonvalue else slot_kind(binding.schema)
        if kind in WRONG_HEADER_TEXT and binding.name.lower() != CONTENT_LENGTH:
            found.append((kind, binding))
    return found


def _header_text(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    assert isinstance(gen, RestGenerator)
    found = _garbled_headers(gen, gen.part_of(base))
    if not found:
        return None
    kind, binding = _pick(found, slot)
    text = _pick(WRONG_HEADER_TEXT[kind], variant)
    body = {**base.body, binding.member: RawText(text)}
    label = f"header {binding.name}: {text[:40]!r}, where the model has {kind} (member {binding.member})"
    return gen.malformed(base, body, label, "header-text", kind)


HEADER_CASES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("in lower case", str.lower), ("in upper case", str.upper), ("in title case", str.title))


def _header_case(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    """A valid answer with its member headers named in another case (HTTP header names are case-insensitive)."""
    assert isinstance(gen, RestGenerator)
    names = {binding.name for binding in gen.bindings(gen.part_of(base)).headers}
    if not names:
        return None
    how, change = _pick(HEADER_CASES, variant)
    response = json_families._valid(gen, base, slot, variant)
    headers = {change(name) if name in names else name: value for name, value in response.headers.items()}
    return WireResponse(response.status, headers, response.body, f"{response.label}, member headers named {how}",
                        "header-case", "header names", response.expectation)


# -- statuses -------------------------------------------------------------------------------------------------------

def _status_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    assert isinstance(gen, RestGenerator)
    binding = gen.bindings("output").status
    if binding is None or base.is_error:
        return None
    status = _pick(SUCCESS_STATUSES, variant)
    body = {**base.body, binding.member: status}
    return gen.success(body, f"HTTP {status}, read as member {binding.member}", VALID, "status-code",
                       "statusCode", expected=body)


# 300 is neither a success nor, to botocore's parser (errors from 301), an error. Not 1xx: over HTTP an
# informational status is not an answer at all (`serve --fuzz` would leave its client waiting).
ODD_STATUSES = (300,)


def _odd_status(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    status = _pick(ODD_STATUSES, variant)
    response = gen.success(base.body, "", MALFORMED, "odd-status", "status")
    label = f"a valid output body with HTTP {status}, which is not a success status"
    return WireResponse(status, response.headers, response.body, label, "odd-status", "status",
                        Expectation(MALFORMED))


# -- payloads ---------------------------------------------------------------------------------------------------------

NOT_TEXT: tuple[tuple[str, bytes], ...] = (
    ("invalid UTF-8", b"\xff\xfe\xfd"), ("a truncated UTF-8 sequence", b"caf\xc3"),
    ("UTF-16 text", "conformance".encode("utf-16")), ("a lone surrogate in UTF-8", b"\xed\xa0\x80"))
NOT_A_STRUCTURE_JSON = (b"[]", b'"a string"', b"42", b"true", b"[{}]")
NOT_A_STRUCTURE_XML = (b"conformance", b'{"Member": 1}', b"42")


def _payload_kind(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    """A body the payload member cannot be: bytes that are not text for a string, not a document for a structure."""
    assert isinstance(gen, RestGenerator)
    bindings = gen.bindings("output")
    if bindings.payload_schema is None or base.is_error:
        return None
    kind = shape_kind(bindings.payload_schema)
    if kind == "blob":
        return None
    if kind == "string":
        what, body = _pick(NOT_TEXT, variant)
        label = f"{what} for the string payload {bindings.payload}"
    else:
        bodies = NOT_A_STRUCTURE_XML if isinstance(gen, XmlResponseGenerator) else NOT_A_STRUCTURE_JSON
        body = _pick(bodies, variant)
        label = f"body {body.decode()} for the {kind} payload {bindings.payload}"
    return gen.raw(base, body, label, "payload-kind", kind)


ANY_BYTES: tuple[tuple[str, bytes], ...] = (
    ("every byte value", bytes(range(256))), ("no bytes", b""), ("NUL bytes", b"\x00\x00\x00"),
    ("a JSON object", b'{"Conformance": 1}'), ("an XML document", b"<Conformance/>"), ("invalid UTF-8", b"\xff\xfe"))


def _payload_bytes(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    """Any bytes are a blob payload, read back as they are."""
    assert isinstance(gen, RestGenerator)
    bindings = gen.bindings("output")
    if bindings.payload is None or not bindings.raw_payload or base.is_error:
        return None
    if bindings.payload_schema is None or shape_kind(bindings.payload_schema) != "blob":
        return None
    what, data = _pick(ANY_BYTES, variant)
    body = {**base.body, bindings.payload: base64.b64encode(data).decode("ascii")}
    return gen.success(body, f"a blob payload of {what} ({len(data)} bytes)", VALID, "payload-bytes", "blob",
                       expected=body)


# -- rest-json error codes --------------------------------------------------------------------------------------------

# (label, X-Amzn-ErrorType header or None, members added to the body): where a code travels, and which wins.
def _json_code_carriers(code: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [
        ("code only in the X-Amzn-ErrorType header", code, {}),
        ("code with a URI in the X-Amzn-ErrorType header", f"{code}:{CORAL_URI}", {}),
        ("namespaced code in the X-Amzn-ErrorType header", f"{NAMESPACE}#{code}", {}),
        ("code only in a body `code` member", None, {"code": code}),
        ("code only in a body `Code` member", None, {"Code": code}),
        ("code only in __type", None, {"__type": code}),
        ("namespaced code with a URI only in __type", None, {"__type": f"{NAMESPACE}#{code}:{CORAL_URI}"}),
        ("code in the header and in __type", code, {"__type": code}),
        ("code in the header and in `code`", code, {"code": code}),
        ("the header and __type disagree (the header wins: Smithy restJson1)", code, {"__type": OTHER_CODE}),
        ("the header and `code` disagree (the header wins)", code, {"code": OTHER_CODE}),
    ]


def _rest_json_error_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    assert isinstance(gen, RestJsonResponseGenerator) and base.code is not None
    properties = gen.root_properties(gen.part_of(base))
    bound_code = gen.bindings(gen.part_of(base)).header(ERROR_TYPE_HEADER) is not None
    usable = [carrier for carrier in _json_code_carriers(base.code)
              if not set(carrier[2]) & set(properties)  # a member of that name would be read as the code
              and (carrier[1] is not None or not ({"code", "Code"} & set(base.body) or bound_code))]
    label, header, extra = _pick(usable, variant)
    response = gen.error_response(base, base.body, label, mode=VALID, family="error-code", target=label,
                                  code_header=header, extra=extra)
    return response


def _rest_json_bad_code(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, RestJsonResponseGenerator) and base.code is not None
    code = base.code
    options: list[tuple[str, str | None, dict[str, Any]]] = [("no code anywhere", None, {})]
    for value in NON_STRING_CODES:
        filled = _fill(value, code)
        options.append((f"__type {shown(filled)}", None, {"__type": filled}))
        options.append((f"`code` member {shown(filled)}", None, {"code": filled}))
    options.append(("an empty X-Amzn-ErrorType header", "", {}))
    options.append(("an X-Amzn-ErrorType header of blanks", "  ", {}))
    options.append(("an X-Amzn-ErrorType header of a URI alone", f":{CORAL_URI}", {}))
    label, header, extra = _pick(options, variant)
    return gen.error_response(base, base.body, label, mode=MALFORMED, family="bad-error-code",
                              target="missing or invalid code", code_header=header, extra=extra)


# -- rest-xml error envelopes -----------------------------------------------------------------------------------------

def _error_envelope(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """The service's own envelope in its variants (valid), and the other rest-xml envelope (intact)."""
    assert isinstance(gen, RestXmlResponseGenerator) and base.code is not None
    options = (("without <Type>", "untyped", VALID), ("with <RequestId> and <HostId> inside <Error>", "ids", VALID),
               ("in the other rest-xml error envelope", "other", INTACT))
    label, style, mode = _pick(options, variant)
    response = gen.error_response(base, base.body, label, mode=mode, family="error-envelope", target=label)
    members = base.body if isinstance(base.body, dict) else {}
    body = gen.error_bytes(base, members, style=style)
    return WireResponse(response.status, response.headers, body, response.label, response.family,
                        response.target, response.expectation)


REST_FAMILIES: tuple[Family, ...] = (
    Family("header-case", VALID, BOTH, _header_case, doc="member headers named in lower, upper or title case"),
    Family("status-code", VALID, SUCCESS, _status_code, doc="every 2xx status a statusCode member takes"),
    Family("payload-bytes", VALID, SUCCESS, _payload_bytes, doc="any bytes in a blob payload, read as they are"),
    Family("header-text", MALFORMED, BOTH, _header_text, weight=3,
           doc="header text the member's type does not allow: abc in an integer, invalid HTTP dates, yes in a "
               "boolean, bad base64, jsonvalue headers that are not base64 JSON"),
    Family("odd-status", MALFORMED, SUCCESS, _odd_status,
           doc="an output body with HTTP 300 (neither a success nor, to botocore, an error)"),
    Family("payload-kind", MALFORMED, SUCCESS, _payload_kind,
           doc="a payload body of another kind: bytes that are not UTF-8 for a string, not an object for a structure"),
)
_JSON_REPLACED = {"error-code": Family("error-code", VALID, ERROR, _rest_json_error_code, weight=2,
                                       doc="X-Amzn-ErrorType (with a URI, namespaced), body code, Code, __type, "
                                           "header and body together, disagreeing (the header wins)"),
                  "bad-error-code": Family("bad-error-code", MALFORMED, ERROR, _rest_json_bad_code, weight=2,
                                           doc="no code, non-string __type and code, empty X-Amzn-ErrorType")}
REST_JSON_FAMILIES: tuple[Family, ...] = (
    *(_JSON_REPLACED.get(family.name, family) for family in FAMILIES), *REST_FAMILIES)
REST_XML_FAMILIES: tuple[Family, ...] = (
    *XML_FAMILIES[:5],
    Family("error-envelope", VALID, ERROR, _error_envelope,
           doc="the error envelope without <Type>, with ids inside <Error>; the other one (S3's bare <Error> or "
               "<ErrorResponse>) as intact"),
    *(family for family in XML_FAMILIES[5:] if family.name != "missing-result-wrapper"), *REST_FAMILIES)
REST_JSON_FAMILY_NAMES = tuple(family.name for family in REST_JSON_FAMILIES)
REST_XML_FAMILY_NAMES = tuple(family.name for family in REST_XML_FAMILIES)


# -- the generators ---------------------------------------------------------------------------------------------------

def finish(bindings: Bindings, headers: dict[str, str], body: bytes, expected: Any) -> Any:
    """RestGenerator.finish for the structure BINDINGS describe."""
    length = bindings.header(CONTENT_LENGTH)
    if length is not None:
        set_header(headers, length.name, str(len(body)))
    if not isinstance(expected, dict):
        return expected
    expected = bindings.read_back(expected)
    if length is not None:
        expected = {**expected, length.member: len(body)}
    lowered = {name.lower(): value for name, value in headers.items()}
    for binding in bindings.headers:
        # A string member is its header's text: what the member set, or a header every answer of the
        # protocol has (Content-Type, X-Amzn-ErrorType) that the model binds to a member as well.
        if binding.kind == "string" and not binding.jsonvalue and binding.name.lower() in lowered:
            expected = {**expected, binding.member: lowered[binding.name.lower()]}
    for binding in bindings.maps:
        if not binding.name:  # every header is the map's
            expected = {**expected, binding.member: dict(headers)}
    return expected


def structure_payload(bindings: Bindings, properties: dict[str, Any], members: dict[str, Any]) -> Any:
    """The value a structure payload member's body holds: the member, with the members the model does not know
    (an unknown-member case) put inside it, where a client would find them."""
    assert bindings.payload is not None
    value = members.get(bindings.payload)
    unknown = {name: item for name, item in members.items() if name not in properties}
    if unknown and (value is None or isinstance(value, dict)):
        value = {**(value or {}), **unknown}
    return value


class RestGenerator(ResponseGenerator):
    """What the rest-json and rest-xml generators share: members where the model binds them, bases a rest answer
    carries exactly, families that apply to the operation. Subclasses write the body (`body_bytes`) and the
    error envelope."""

    families: tuple[Family, ...] = ()
    document: Schema

    def _rest_setup(self, context: OperationContext) -> None:
        self.document = document_of(context)
        self._bindings: dict[str | None, Bindings] = {}
        if answers_with_event_stream(self.document):
            raise UsageError(f"fuzz-parser does not write event streams; {context.service}:{context.operation} "
                             "answers with one")
        kinds = _reachable_kinds(context)
        self.uses = tuple(Use(family, base) for family in self.families
                          if not family.needs or family.needs & kinds
                          for base in family.bases if self._applies(family, base))

    def _applies(self, family: Family, base: str) -> bool:
        output = self.bindings("output")
        errors = [f"error:{name}" for name in self.document["x-aws-errors"]]
        parts = ["output"] if base == "success" else errors
        if family.name == "content-type":
            # Where the content type or every header is a member's value, changing it changes the value.
            return not any(self.bindings(part).header("Content-Type") is not None
                           or any(not b.name for b in self.bindings(part).maps) for part in ["output", *errors])
        if family.name == "header-text":
            return any(_garbled_headers(self, part) for part in parts)
        if family.name == "header-case":
            return any(self.bindings(part).headers for part in parts)
        if family.name in ("status-code", "payload-bytes", "payload-kind", "odd-status"):
            return family.build(self, self.success_base({}), 0, 0) is not None
        if base == "success" and family.name not in WITHOUT_BODY:
            return output.has_body and not output.raw_payload
        return True

    # -- bindings ------------------------------------------------------------------------------------------------

    def bindings(self, part: str | None) -> Bindings:
        found = self._bindings.get(part)
        if found is None:
            found = bindings_of(self.document, part) if part is not None else Bindings(
                self.document, None, (), (), None, None, None)
            self._bindings[part] = found
        return found

    def part_of(self, base: Base) -> str | None:
        if not base.is_error:
            return "output"
        if base.error is not None and base.error.name in self.document["x-aws-errors"]:
            return f"error:{base.error.name}"
        return None

    def root_properties(self, part: str | None) -> dict[str, Schema]:
        root = self.bindings(part).root
        return root.get("properties", {}) if root is not None else {}

    # -- bases ---------------------------------------------------------------------------------------------------

    def success_base(self, body: Any) -> Base:
        return super().success_base(self.bindings("output").sendable(body if isinstance(body, dict) else {}))

    def error_base(self, error: DeclaredError, body: Any) -> Base:
        part = f"error:{error.name}" if error.name in self.document["x-aws-errors"] else None
        sendable = self.bindings(part).sendable(body if isinstance(body, dict) else {}, error.status)
        return super().error_base(error, sendable)

    def _with_slots(self, base: Base, schema: Schema) -> Base:
        """Slots of the body only: members bound to HTTP have families of their own, and so has a raw payload."""
        base = super()._with_slots(base, schema)
        bindings = self.bindings(self.part_of(base))
        outside = set(bindings.bound)
        if bindings.raw_payload and bindings.payload is not None:
            outside.add(bindings.payload)
        base.slots = [slot for slot in base.slots if not slot.path or slot.path[0] not in outside]
        return base

    # -- writing ---------------------------------------------------------------------------------------------------

    def body_bytes(self, part: str | None, members: dict[str, Any], base: Base | None) -> bytes:
        raise NotImplementedError

    def head(self, part: str | None, members: dict[str, Any], status: int) -> tuple[int, dict[str, str]]:
        """The status and headers of an answer holding MEMBERS."""
        bindings = self.bindings(part)
        headers = self.context.headers()
        for name, value in bound_headers(self.document, bindings, members).items():
            set_header(headers, name, value)
        return bound_status(bindings, members, status), headers

    def finish(self, part: str | None, headers: dict[str, str], body: bytes, expected: Any) -> Any:
        """The Content-Length a member is bound to, from the body; EXPECTED with what the headers turned out."""
        return finish(self.bindings(part), headers, body, expected)


    def success(self, body: Any, label: str, mode: str, family: str, target: str,
                expected: Any = None) -> WireResponse:
        members = body if isinstance(body, dict) else {}
        status, headers = self.head("output", members, 200)
        data = self.body_bytes("output", members, None)
        value = self.finish("output", headers, data, expected if mode != MALFORMED else None)
        return WireResponse(status, headers, data, label, family, target, Expectation(mode, value))

    def error_head(self, base: Base, members: dict[str, Any], code_header: str | None) -> tuple[int, dict[str, str]]:
        return self.head(self.part_of(base), members, base.status)

    def error_response(self, base: Base, members: Any, label: str, *, mode: str, family: str, target: str,
                       code_header: str | None = "", extra: dict[str, Any] | None = None) -> WireResponse:
        full = f"{base.code} (HTTP {base.status}): {label}" if family != "valid" else (
            f"{label} {base.code} (HTTP {base.status})")
        part = self.part_of(base)
        sent = members if isinstance(members, dict) else {}
        status, headers = self.error_head(base, sent, code_header)
        data = self.error_body_of(base, {**(extra or {}), **sent})
        expectation = self.error_expectation(base, members, mode)
        value = self.finish(part, headers, data, expectation.value)  # None for a malformed answer
        expectation = Expectation(mode, value, expectation.error_code, expectation.error_name)
        return WireResponse(status, headers, data, full, family, target, expectation)

    def error_body_of(self, base: Base, members: dict[str, Any]) -> bytes:
        return self.body_bytes(self.part_of(base), members, base)

    def raw(self, base: Base, body: bytes, label: str, family: str, target: str) -> WireResponse:
        """BODY with the status and headers of BASE's valid answer (only the body is broken)."""
        part = self.part_of(base)
        if base.is_error:
            status, headers = self.error_head(base, base.body, "")
        else:
            status, headers = self.head(part, base.body, 200)
        self.finish(part, headers, body, None)
        where = f"{base.code} (HTTP {base.status}): " if base.is_error else ""
        return WireResponse(status, headers, body, where + label, family, target, Expectation(MALFORMED))


class RestJsonResponseGenerator(RestGenerator):
    """Answers in restJson1: body members as a JSON object, or the payload member as the body."""

    families = REST_JSON_FAMILIES

    def __init__(self, context: OperationContext) -> None:
        super().__init__(context)
        self._rest_setup(context)

    def body_bytes(self, part: str | None, members: dict[str, Any], base: Base | None) -> bytes:
        bindings = self.bindings(part)
        properties = self.root_properties(part)
        if bindings.payload is not None and bindings.payload_schema is not None:
            if bindings.raw_payload:
                return raw_payload_bytes(bindings.payload_schema, members.get(bindings.payload))
            value = structure_payload(bindings, properties, members)
            return encode(value if value is not None else {})
        return encode({name: item for name, item in members.items() if name not in bindings.bound})

    def common_error_wire(self, raw: str, code: str, status: int, members: dict[str, str],
                          known: DeclaredError | None) -> tuple[dict[str, str], bytes, Any, str]:
        """The code in X-Amzn-ErrorType, the members in the body."""
        headers = self.context.headers()
        headers[ERROR_TYPE_HEADER] = raw
        body = encode(members)
        expected: Any = members
        if known is not None:  # an error shape may bind members to headers every answer has (X-Amzn-ErrorType)
            expected = finish(bindings_of_root(known.schema, known.schema), headers, body, members)
        return headers, body, expected, raw

    def error_head(self, base: Base, members: dict[str, Any], code_header: str | None) -> tuple[int, dict[str, str]]:
        status, headers = self.head(self.part_of(base), members, base.status)
        header = base.code if code_header == "" else code_header
        if header is not None:
            set_header(headers, ERROR_TYPE_HEADER, header)
        return status, headers

    def error_base(self, error: DeclaredError, body: Any) -> Base:
        base = super().error_base(error, body)
        bound = self.bindings(self.part_of(base)).header(ERROR_TYPE_HEADER)
        if bound is not None:  # the member is the code header: it holds the code
            base.body = {**base.body, bound.member: error.code}
        return base

    def error_response(self, base: Base, members: Any, label: str, *, mode: str, family: str, target: str,
                       code_header: str | None = "", extra: dict[str, Any] | None = None) -> WireResponse:
        if not isinstance(members, dict):  # a family that replaced the whole body: written as it is
            status, headers = self.error_head(base, {}, code_header)
            return WireResponse(status, headers, encode(members), f"{base.code} (HTTP {base.status}): {label}",
                                family, target, self.error_expectation(base, members, mode))
        return super().error_response(base, members, label, mode=mode, family=family, target=target,
                                      code_header=code_header, extra=extra)

    def base_bytes(self, base: Base) -> bytes:
        return self.body_bytes(self.part_of(base), base.body, base)


class RestXmlResponseGenerator(RestGenerator, XmlResponseGenerator):
    """Answers in restXml: body members in the root element named as the output shape, or the payload member
    as the body; errors in `<ErrorResponse><Error>` or, for S3, a bare `<Error>`."""

    families = REST_XML_FAMILIES

    def __init__(self, context: OperationContext) -> None:
        ResponseGenerator.__init__(self, context)  # not XmlResponseGenerator's: no query envelope to set up
        self.document = document_of(context)
        self.output_root = part_root(self.document, "output")
        self.writer = RestXmlWriter(self.document)
        namespace = _response_namespace(context)
        self.namespace = f' xmlns="{escape(namespace)}"' if namespace else ""
        self.bare_errors = context.model.metadata.get("serviceId") in BARE_ERROR_SERVICE_IDS
        self._rest_setup(context)

    def success_base(self, body: Any) -> Base:
        return super().success_base(self._expressible(self.output_root, body))

    def error_base(self, error: DeclaredError, body: Any) -> Base:
        part = f"error:{error.name}" if error.name in self.document["x-aws-errors"] else None
        return super().error_base(error, self._expressible(part_root(self.document, part) if part else None, body))

    def _expressible(self, schema: Schema | None, value: Any) -> Any:
        """VALUE without empty flattened lists and maps: they have no element to be, so XML cannot say them."""
        if schema is None or not isinstance(value, dict | list):
            return value
        schema = resolve(self.document, schema)
        kind = shape_kind(schema)
        if kind == "structure" and isinstance(value, dict):
            properties = schema.get("properties", {})
            kept: dict[str, Any] = {}
            for name, item in value.items():
                member = properties.get(name)
                if member is None:
                    kept[name] = item
                    continue
                target = resolve(self.document, member)
                flattened = member.get("x-aws-flattened") or target.get("x-aws-flattened")
                if flattened and isinstance(item, list | dict) and not item:
                    continue
                kept[name] = self._expressible(target, item)
            return kept
        if kind == "list" and isinstance(value, list):
            items = self.writer.item_schema(schema, "items")
            return [self._expressible(items, item) for item in value]
        if kind == "map" and isinstance(value, dict):
            values = self.writer.item_schema(schema, "additionalProperties")
            return {key: self._expressible(values, item) for key, item in value.items()}
        return value

    def body_bytes(self, part: str | None, members: dict[str, Any], base: Base | None) -> bytes:
        if base is not None and base.is_error:
            return self.error_bytes(base, members)
        return self.output_body(members)

    def output_body(self, members: dict[str, Any]) -> bytes:
        bindings = self.bindings("output")
        properties = self.root_properties("output")
        if bindings.payload is not None and bindings.payload_schema is not None:
            if bindings.raw_payload:
                return raw_payload_bytes(bindings.payload_schema, members.get(bindings.payload))
            value = structure_payload(bindings, properties, members)
            member = properties[bindings.payload]
            name = str(member.get("x-aws-xml-name") or bindings.payload_schema.get("x-aws-xml-name")
                       or bindings.payload_schema.get("x-aws-shape") or bindings.payload)
            return self._rooted(name, self.writer.element(bindings.payload_schema, name,
                                                          value if value is not None else {}))
        if not bindings.has_body or bindings.root is None:
            return b""
        root = bindings.root
        name = str(root.get("x-aws-xml-name") or root.get("x-aws-shape") or f"{self.context.operation}Output")
        return (f"<{name}{self.namespace}{self.writer.attributes(root, members)}>{self.writer.members(root, members)}"
                f"</{name}>").encode()

    def _rooted(self, name: str, element: str) -> bytes:
        """ELEMENT (which starts `<NAME`) with the response namespace declared on it."""
        return (f"<{name}{self.namespace}" + element[len(name) + 1:]).encode()

    def error_body(self, schema: Any, code: str, message: str | None, members: dict[str, Any],
                   status: int, style: str = "") -> bytes:
        if schema is not None:
            body = self.writer.members(schema, members)
        else:
            body = "".join(unmodelled(name, value) for name, value in members.items() if value is not None)
        text = f"<Message>{escape(message)}</Message>" if message is not None and "Message" not in members else ""
        kind = "" if style == "untyped" else f"<Type>{'Sender' if status < 500 else 'Receiver'}</Type>"
        ids = f"<RequestId>{REQUEST_ID}</RequestId><HostId>{HOST_ID}</HostId>" if style == "ids" else ""
        bare = self.bare_errors != (style == "other")
        if bare:
            inner = f"<Code>{escape(code)}</Code>{text}{body}"
            return f"<Error>{inner}<RequestId>{REQUEST_ID}</RequestId><HostId>{HOST_ID}</HostId></Error>".encode()
        return (f"<ErrorResponse{self.namespace}><Error>{kind}<Code>{escape(code)}</Code>{text}{body}{ids}</Error>"
                f"<RequestId>{REQUEST_ID}</RequestId></ErrorResponse>").encode()

    def error_envelope(self, inner: str) -> str:
        return inner if self.bare_errors else f"<ErrorResponse{self.namespace}>{inner}</ErrorResponse>"

    def error_bytes(self, base: Base, members: dict[str, Any], style: str = "") -> bytes:
        assert base.code is not None
        part = self.part_of(base)
        schema = part_root(self.document, part) if part is not None else None
        message = next((value for name, value in members.items() if name.lower() == "message"
                        and isinstance(value, str)), None)
        return self.error_body(schema, base.code, message, members, base.status, style)

    def encode_body(self, base: Base, body: Any) -> bytes:
        members = body if isinstance(body, dict) else {}
        return self.error_bytes(base, members) if base.is_error else self.output_body(members)

    def base_bytes(self, base: Base) -> bytes:
        return self.encode_body(base, base.body)


class RestXmlWriter(XmlWriter):
    """The XML writer, with the namespaces shapes declare (S3's Grantee: `xmlns:xsi` for its `xsi:type`), and
    raw text or XML (malformed answers) where a flattened list or map goes."""

    def member(self, schema: Schema, name: str, value: Any, flattened: bool) -> str:
        if isinstance(value, RawText | RawXml):
            return self.element(schema, name, value)
        return super().member(schema, name, value, flattened)

    def attributes(self, schema: Schema, value: dict[str, Any]) -> str:
        found = super().attributes(schema, value)
        namespace = resolve(self.document, schema).get("x-aws-xml-namespace")
        if isinstance(namespace, dict) and namespace.get("uri"):
            prefix = f":{namespace['prefix']}" if namespace.get("prefix") else ""
            found = f' xmlns{prefix}="{escape(str(namespace["uri"]))}"{found}'
        return found


def _response_namespace(context: OperationContext) -> str | None:
    """The XML namespace the service's documents are in: botocore's rest-xml models give it on request bodies
    (an operation input's `xmlNamespace`), not on answers."""
    for operation in context.deriver.raw.get("operations", {}).values():
        namespace = operation.get("input", {}).get("xmlNamespace")
        if isinstance(namespace, dict) and namespace.get("uri"):
            return str(namespace["uri"])
    return None


def rest_generator_of(context: OperationContext) -> ResponseGenerator:
    """The generator of CONTEXT's rest protocol."""
    if context.protocol == "rest-xml":
        return RestXmlResponseGenerator(context)
    return RestJsonResponseGenerator(context)

