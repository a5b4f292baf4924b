"""The response generator for the XML protocols (query and ec2): valid and malformed answers, each labelled.

The same bases, slots and variants as the JSON generator (`conformance.fuzz.generate`), written as the
protocol's XML by `conformance.protocols.xml_encode`; families that only mean something in JSON (JSON types,
bare NaN literals, `__type`) give way to XML ones: wrong scalar text, wrong list wrapping, a missing result
wrapper, namespace games, entity declarations (internal, exponential and external), unclosed documents,
deep nesting, bodies that are not XML. Families shared with JSON (null and unknown members, out-of-enum and
out-of-range values, invalid timestamps and base64, encodings, truncation, empty and HTML errors) are reused
as they are: they only say *what* to write, and this generator writes it as XML.
"""

from __future__ import annotations

import functools
from typing import Any

from conformance import spec
from conformance.fuzz import generate as json_families
from conformance.fuzz.context import CBOR_PROTOCOL, REST_CONTENT_TYPES, XML_PROTOCOLS, DeclaredError, OperationContext
from conformance.fuzz.generate import (
    BOTH,
    ERROR,
    Base,
    Family,
    ResponseGenerator,
    Slot,
    Use,
    _pick,
    replaced,
)
from conformance.fuzz.wire import MALFORMED, VALID, Expectation, WireResponse
from conformance.protocols.base import part_root
from conformance.protocols.xml_encode import (
    REQUEST_ID,
    RawText,
    RawXml,
    XmlWriter,
    ec2_error,
    ec2_output,
    escape,
    query_error,
    query_output,
    xml_safe,
)
from conformance.spec.validation import json_pointer

# -- wrong scalar text ---------------------------------------------------------------------------------

WRONG_TEXT: dict[str, tuple[str, ...]] = {
    "boolean": ("yes", "True", "1", "", " true", "TRUE", "false "),
    "integer": ("abc", "1.5", "", "0x10", "1e3", "١٢", "+", "9" * 400, "NaN"),
    "float": ("abc", "", "1,5", "0x1p3", "Infinityy", "nan(1)", "1e99999999999", "--1"),
    "timestamp": ("yesterday", "", "2019-13-45T25:61:61Z", "1.5e300", "NaN"),
    "blob": ("@@@@", "Y", "YWJj=", "ü"),
}


def _wrong_text(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.kind in WRONG_TEXT]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    text = _pick(WRONG_TEXT[chosen.kind], variant)
    label = f"text {text[:40]!r} at {chosen.pointer}, where the model has {chosen.kind} ({chosen.role})"
    return gen.malformed(base, replaced(base.body, chosen.path, RawText(text)), label, "wrong-scalar-text",
                         chosen.kind)


def _text_in_structure(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    slots = [s for s in base.slots if s.kind in ("structure", "list", "map")]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    text = _pick(("conformance", "", " ", "<![CDATA[<member>x</member>]]>"), variant)
    value: Any = RawXml(text) if text.startswith("<!") else RawText(text)
    label = f"text {text!r} at {chosen.pointer}, where the model has a {chosen.kind}"
    return gen.malformed(base, replaced(base.body, chosen.path, value), label, "text-in-structure", chosen.kind)


# -- list and map wrapping -------------------------------------------------------------------------------

def _wrapping(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    """A wrapped list whose items are named otherwise, or not wrapped at all; a map without its entries."""
    assert isinstance(gen, XmlResponseGenerator)
    slots = [s for s in base.slots if s.kind in ("list", "map") and _items_of(base, s)]
    if not slots:
        return None
    chosen = _pick(slots, slot)
    items = _items_of(base, chosen)
    writer = gen.writer
    if chosen.kind == "list":
        item_schema = writer.item_schema(chosen.schema, "items")
        expected = str(chosen.schema.get("x-aws-member-name", "member"))
        names = [name for name in ("item", "member", "Member", "entry", "") if name != expected]
        name = _pick(names, variant)
        if name:
            inner = "".join(writer.element(item_schema, name, item) for item in items if item is not None)
            label = f"list at {chosen.pointer} with <{name}> items, where the protocol wraps each in <{expected}>"
        else:
            inner = "".join(escape(str(item)) for item in items if not isinstance(item, dict | list))
            label = f"list at {chosen.pointer} written as bare text, not <{expected}> items"
    else:
        entry = writer.entry(chosen.schema, *next(iter(items.items())))
        inner = _pick((entry, f"<item>{entry}</item>", f"<entry><k>x</k>{entry}</entry>"), variant)
        label = f"map at {chosen.pointer} with its entries wrapped otherwise than in <entry>"
    return gen.malformed(base, replaced(base.body, chosen.path, RawXml(inner)), label, "wrong-wrapping",
                         chosen.kind)


def _items_of(base: Base, slot: Slot) -> Any:
    value = json_families.value_at(base.body, slot.path)
    return value if isinstance(value, list | dict) and value else None


# -- the envelope ---------------------------------------------------------------------------------------------

def _result_wrapper(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse | None:
    assert isinstance(gen, XmlResponseGenerator)
    wrapper = gen.document.get("x-aws-result-wrapper")
    if wrapper is None:
        return None
    operation = gen.context.operation
    members = gen.writer.members(gen.output_root, base.body) if gen.output_root is not None else ""
    metadata = f"<ResponseMetadata><RequestId>{REQUEST_ID}</RequestId></ResponseMetadata>"
    ns = gen.namespace
    options = (
        ("members directly in the response element, no result wrapper",
         f"<{operation}Response{ns}>{members}{metadata}</{operation}Response>"),
        (f"the result wrapper named <{wrapper}s>",
         f"<{operation}Response{ns}><{wrapper}s>{members}</{wrapper}s>{metadata}</{operation}Response>"),
        (f"the result wrapper <{wrapper}> as the root element",
         f"<{wrapper}{ns}>{members}</{wrapper}>"),
        ("the root element named <Response>",
         f"<Response{ns}><{wrapper}>{members}</{wrapper}>{metadata}</Response>"),
        ("an empty response element", f"<{operation}Response{ns}/>"),
    )
    label, body = _pick(options, variant)
    return gen.raw(base, body.encode("utf-8"), label, "missing-result-wrapper", "envelope")


def _namespaces(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """Namespaces a client must see through (valid), and a prefix no one declared (not well-formed)."""
    assert isinstance(gen, XmlResponseGenerator)
    body = gen.base_bytes(base).decode("utf-8")
    namespace = str(gen.document.get("x-aws-xml-namespace") or "https://conformance.example/doc/")
    root = body[1:body.index(">")].split(" ", 1)[0].rstrip("/")
    plain = body.replace(gen.namespace, "", 1)
    choice = variant % 5
    if choice == 0:
        label, text = "no xmlns on the root element", plain
    elif choice == 1:
        label = "another default namespace"
        text = plain.replace(f"<{root}", f'<{root} xmlns="urn:conformance:other"', 1)
    elif choice == 2:
        label = "an unused prefixed namespace declared beside the default one"
        text = plain.replace(f"<{root}", f'<{root} xmlns="{escape(namespace)}" xmlns:c="urn:conformance"', 1)
    elif choice == 3:
        label, text = "the root element with a declared prefix", _prefixed(plain, root, namespace)
    else:
        label = "the root element with a prefix no one declared (not well-formed)"
        text = plain.replace(f"<{root}", f"<undeclared:{root}", 1).replace(f"</{root}>", f"</undeclared:{root}>")
        return gen.raw(base, text.encode("utf-8"), label, "namespace", "undeclared prefix")
    if base.is_error:
        response = gen.error_response(base, base.body, label, mode=VALID, family="namespace", target="error")
    else:
        response = gen.success(base.body, label, VALID, "namespace", "output", expected=base.body)
    return WireResponse(response.status, response.headers, text.encode("utf-8"), response.label, response.family,
                        response.target, response.expectation)


def _prefixed(body: str, root: str, namespace: str) -> str:
    opened = body.replace(f"<{root}", f'<a:{root} xmlns:a="{escape(namespace)}"', 1)
    at = opened.rfind(f"</{root}>")
    return opened[:at] + f"</a:{root}>" + opened[at + len(root) + 3:] if at >= 0 else opened


# -- entities and DTDs ---------------------------------------------------------------------------------------

def _laughs(levels: int, width: int) -> str:
    lines = ['<!ENTITY l0 "lol">']
    lines += [f'<!ENTITY l{n} "{"".join(f"&l{n - 1};" for _ in range(width))}">' for n in range(1, levels + 1)]
    return "".join(lines)


ENTITY_DECLARATIONS: tuple[tuple[str, str, str], ...] = (
    ("an internal entity", '<!ENTITY conformance "expanded">', "&conformance;"),
    ("an external entity (file:///etc/passwd)", '<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
    ("an external entity over HTTP", '<!ENTITY xxe SYSTEM "http://127.0.0.1:9/conformance">', "&xxe;"),
    ("a parameter entity from an external DTD",
     '<!ENTITY % remote SYSTEM "http://127.0.0.1:9/conformance.dtd"> %remote;', ""),
    ("an undefined entity", "", "&undefined;"),
)
# Expansions that cost a parser its limits (expat stops at 8 MiB of output, about 0.15 s): one body a variant.
EXPANSIONS: tuple[tuple[str, str, str], ...] = (
    ("an exponential entity expansion (billion laughs: 10^9 bytes)", _laughs(9, 10), "&l9;"),
    ("a quadratic blowup (one 100 kB entity used 1,000 times)", f'<!ENTITY big "{"a" * 100_000}">',
     "&big;" * 1_000),
)


def _entities(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, XmlResponseGenerator)
    label, declarations, reference = _pick(ENTITY_DECLARATIONS, variant)
    strings = [s for s in base.slots if s.kind == "string" and s.role == "member"]
    path = _pick(strings, slot).path if strings else (json_families.UNKNOWN_MEMBER,)
    body = replaced(base.body, path, RawXml(reference)) if reference else base.body
    where = f" referenced at {json_pointer(path)}" if reference else ""
    return gen.raw(base, _with_dtd(gen.encode_body(base, body), declarations), f"a DTD declaring {label}{where}",
                   "entity", label.split(" (")[0])


def _expansion(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    """The reference in an element of its own in the output: the same bytes for every base and slot."""
    assert isinstance(gen, XmlResponseGenerator)
    label, declarations, reference = _pick(EXPANSIONS, variant)
    body = {json_families.UNKNOWN_MEMBER: RawXml(reference)}
    if base.is_error:
        error = Base({}, base.error, base.code, base.status)
        return gen.raw(error, _with_dtd(gen.encode_body(error, body), declarations), f"a DTD declaring {label}",
                       "entity-expansion", label.split(" (")[0])
    return gen.raw(base, _with_dtd(gen.output_body(body), declarations), f"a DTD declaring {label}",
                   "entity-expansion", label.split(" (")[0])


def _with_dtd(encoded: bytes, declarations: str) -> bytes:
    text = encoded.decode("utf-8")
    root = text[1:text.index(">")].split(" ", 1)[0].rstrip("/")
    return f"<?xml version=\"1.0\"?><!DOCTYPE {root} [{declarations}]>{text}".encode()


# -- broken documents ------------------------------------------------------------------------------------------

def _unclosed(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, XmlResponseGenerator)
    text = gen.base_bytes(base).decode("utf-8")
    closing = [index for index in range(len(text)) if text.startswith("</", index)]
    at = _pick(closing, slot) if closing else len(text)
    end = text.index(">", at) + 1 if closing else at
    options = (
        ("a closing tag left out", text[:at] + text[end:]),
        ("a closing tag with another name", text[:at] + "</Conformance>" + text[end:]),
        ("the document not closed", text[:at]),
        ("text after the root element", text + "<Trailing/>"),
        ("two root elements", text + text),
        ("an unescaped & in text", text.replace("</", "&</", 1)),
    )
    label, body = _pick(options, variant)
    return gen.raw(base, body.encode("utf-8"), f"{label} (at character {at})", "unclosed", "document")


XML_DEPTHS = (2_000, 10_000)  # past Python's recursion limit, and far past it (and libxml2's 256)


@functools.lru_cache(maxsize=8)
def _nested(depth: int) -> RawXml:
    return RawXml("<a>" * depth + "x" + "</a>" * depth)


def _deep(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, XmlResponseGenerator)
    depth = _pick(XML_DEPTHS, variant)
    places = [s.path for s in base.slots if s.kind in ("structure", "list", "map", "string")]
    path = _pick([*places, (json_families.UNKNOWN_MEMBER,)], slot)
    label = f"{depth} nested elements at {json_pointer(path)}"
    return gen.malformed(base, replaced(base.body, path, _nested(depth)), label, "deep-nesting", "body")


NOT_XML: tuple[tuple[str, bytes], ...] = (
    ("a JSON object", b'{"Error": {"Code": "Throttling"}}'),
    ("plain text", b"Service Unavailable"),
    ("binary bytes", bytes(range(256))),
    ("a lone XML declaration", b'<?xml version="1.0" encoding="UTF-8"?>'),
    ("an XML comment only", b"<!-- nothing here -->"),
    ("a declaration of an unknown encoding", b'<?xml version="1.0" encoding="conformance-8"?><a/>'),
    ("a processing instruction before the root", b"<?conformance x?><Response/>"),
    ("an empty body", b""),
)


def _not_xml(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, XmlResponseGenerator)
    label, body = _pick(NOT_XML, variant)
    return gen.raw(base, body, f"a body of {label}", "not-xml", "body")


# -- error envelopes ---------------------------------------------------------------------------------------------

def _bad_error(gen: ResponseGenerator, base: Base, slot: int, variant: int) -> WireResponse:
    assert isinstance(gen, XmlResponseGenerator)
    code = escape(base.code or "ConformanceError")
    ns = gen.namespace
    wrap = gen.error_envelope
    other = (f"<Response><Errors><Error><Code>{code}</Code></Error></Errors></Response>",
             "the ec2 protocol's <Response><Errors>") if gen.context.protocol == "query" else (
        f"<ErrorResponse{ns}><Error><Code>{code}</Code></Error></ErrorResponse>",
        "the query protocol's <ErrorResponse>")
    options = (
        ("no <Code>", wrap("<Error><Type>Sender</Type><Message>m</Message></Error>")),
        ("an empty <Code>", wrap("<Error><Code></Code></Error>")),
        ("a <Code> holding elements", wrap(f"<Error><Code><a>{code}</a></Code></Error>")),
        ("no <Error> element", wrap(f"<Code>{code}</Code>")),
        ("two <Error> elements", wrap(f"<Error><Code>{code}</Code></Error><Error><Code>Other</Code></Error>")),
        ("<Error> holding text", wrap(f"<Error>{code}</Error>")),
        ("an empty envelope", wrap("")),
        (other[1], other[0]),
        ("a <Message> holding elements", wrap(f"<Error><Code>{code}</Code><Message><b>m</b></Message></Error>")),
    )
    label, body = _pick(options, variant)
    return gen.raw(base, body.encode("utf-8"), f"error with {label}", "bad-error-code", "error envelope")


XML_FAMILIES: tuple[Family, ...] = (
    Family("valid", VALID, BOTH, json_families._valid, weight=4, doc="a valid output or declared error"),
    Family("null-member", VALID, BOTH, json_families._null_member, doc="a member left out"),
    Family("unknown-member", VALID, BOTH, json_families._unknown_member, doc="an element the model does not know"),
    Family("namespace", VALID, BOTH, _namespaces,
           doc="no, another, a prefixed or an extra namespace (clients ignore namespaces); an undeclared prefix"),
    Family("common-error", VALID, ERROR, json_families._common_error,
           doc="undeclared errors any AWS service may send"),
    Family("content-type", "intact", BOTH, json_families._content_type,
           doc="a valid body with a wrong or missing Content-Type"),
    Family("wrong-scalar-text", MALFORMED, BOTH, _wrong_text, weight=3,
           doc="`yes` in a boolean, `abc` in an integer, bad numbers, timestamps and base64 as text"),
    Family("text-in-structure", MALFORMED, BOTH, _text_in_structure,
           doc="text (or CDATA) where a structure, list or map belongs"),
    Family("wrong-wrapping", MALFORMED, BOTH, _wrapping, frozenset({"list", "map"}), weight=2,
           doc="list items named otherwise than the model's member name, bare text lists, maps without <entry>"),
    Family("missing-result-wrapper", MALFORMED, ("success",), _result_wrapper,
           doc="the query result wrapper left out, misnamed, or the root element misnamed"),
    Family("enum", MALFORMED, BOTH, json_families._enum, frozenset({"enum"}), doc="strings outside the enum"),
    Family("out-of-range", MALFORMED, BOTH, json_families._out_of_range, frozenset({"integer", "float"}),
           doc="numbers past the model's or the type's range"),
    Family("invalid-timestamp", MALFORMED, BOTH, json_families._timestamp, frozenset({"timestamp"}),
           doc="invalid timestamps as epoch seconds, ISO 8601 and HTTP dates"),
    Family("invalid-base64", MALFORMED, BOTH, json_families._base64, frozenset({"blob"}),
           doc="blobs that are not base64"),
    Family("entity", MALFORMED, BOTH, _entities, doc="DTDs with internal, external and parameter entities"),
    Family("entity-expansion", MALFORMED, BOTH, _expansion, fixed=len(EXPANSIONS),
           doc="DTDs with exponential (billion laughs) and quadratic entity expansions"),
    Family("unclosed", MALFORMED, BOTH, _unclosed, doc="tags left open or misnamed, two roots, trailing text"),
    Family("truncated", MALFORMED, BOTH, json_families._truncated, doc="the document cut short, down to nothing"),
    Family("deep-nesting", MALFORMED, BOTH, _deep, doc="2,000 and 10,000 nested elements"),
    Family("encoding", MALFORMED, BOTH, json_families._encoding, doc="invalid UTF-8, UTF-16, a byte order mark"),
    Family("not-xml", MALFORMED, BOTH, _not_xml, doc="JSON, plain text, binary, declarations or comments only"),
    Family("bad-error-code", MALFORMED, ERROR, _bad_error, weight=2,
           doc="error envelopes without a code, with an empty one, without <Error>, or the other protocol's"),
    Family("empty-error", MALFORMED, ERROR, json_families._empty_error, doc="4xx/5xx answers with an empty body"),
    Family("html", MALFORMED, ERROR, json_families._html, doc="HTML pages (proxies, load balancers)"),
)
XML_FAMILY_NAMES = tuple(family.name for family in XML_FAMILIES)


class XmlResponseGenerator(ResponseGenerator):
    """The JSON generator's driving (bases, slots, `build`) with answers written in the query or ec2 protocol."""

    def __init__(self, context: OperationContext) -> None:
        super().__init__(context)
        self.document = spec.document(context.service, context.operation)
        self.output_root = part_root(self.document, "output")
        self.writer = XmlWriter(self.document)
        namespace = self.document.get("x-aws-xml-namespace")
        self.namespace = f' xmlns="{escape(str(namespace))}"' if namespace else ""
        kinds = json_families._reachable_kinds(context)
        families = [family for family in XML_FAMILIES if not family.needs or family.needs & kinds]
        if self.document.get("x-aws-result-wrapper") is None:  # ec2, and query operations without output
            families = [family for family in families if family.name != "missing-result-wrapper"]
        self.uses = tuple(Use(family, base) for family in families for base in family.bases)

    # Bases hold only text XML can carry: what is sent is what a parser can read back.
    def success_base(self, body: Any) -> Base:
        return super().success_base(xml_safe(body))

    def error_base(self, error: DeclaredError, body: Any) -> Base:
        return super().error_base(error, xml_safe(body))

    def encode_body(self, base: Base, body: Any) -> bytes:
        members = body if isinstance(body, dict) else {}
        if not base.is_error:
            return self.output_body(members)
        return self.error_bytes(base, members)

    def output_body(self, members: dict[str, Any]) -> bytes:
        if self.context.protocol == "ec2":
            return ec2_output(self.document, self.output_root, members)
        return query_output(self.document, self.output_root, members)

    def error_body(self, schema: Any, code: str, message: str | None, members: dict[str, Any],
                   status: int) -> bytes:
        if self.context.protocol == "ec2":
            return ec2_error(self.document, schema, code, message, members)
        return query_error(self.document, schema, code, message, members, sender=status < 500)

    def common_error_wire(self, raw: str, code: str, status: int, members: dict[str, str],
                          known: DeclaredError | None) -> tuple[dict[str, str], bytes, Any, str]:
        """In the protocol's error envelope, its message the first member's."""
        body = self.error_body(None, code, next(iter(members.values()), None), members, status)
        return self.context.headers(), body, members, code

    def error_envelope(self, inner: str) -> str:
        """INNER in the protocol's error envelope (for error answers broken inside it)."""
        if self.context.protocol == "ec2":
            return f"<Response><Errors>{inner}</Errors></Response>"
        return f"<ErrorResponse{self.namespace}>{inner}</ErrorResponse>"

    def error_bytes(self, base: Base, members: dict[str, Any]) -> bytes:
        assert base.code is not None
        schema = part_root(self.document, f"error:{base.error.name}") if base.error is not None and \
            base.error.name in self.document["x-aws-errors"] else None
        message = next((value for name, value in members.items() if name.lower() == "message"
                        and isinstance(value, str)), None)
        return self.error_body(schema, base.code, message, members, base.status)

    def base_bytes(self, base: Base) -> bytes:
        return self.encode_body(base, base.body)

    def other_json_content_type(self) -> str:
        return "application/x-amz-json-1.0"

    def success(self, body: Any, label: str, mode: str, family: str, target: str,
                expected: Any = None) -> WireResponse:
        expectation = Expectation(mode, expected if mode != MALFORMED else None)
        return WireResponse(200, self.context.headers(), self.output_body(body if isinstance(body, dict) else {}),
                            label, family, target, expectation)

    def error_response(self, base: Base, members: Any, label: str, *, mode: str, family: str,
                       target: str) -> WireResponse:
        full = f"{base.code} (HTTP {base.status}): {label}" if family != "valid" else (
            f"{label} {base.code} (HTTP {base.status})")
        body = self.error_bytes(base, members if isinstance(members, dict) else {})
        return WireResponse(base.status, self.context.headers(), body, full, family, target,
                            self.error_expectation(base, members, mode))


def generator_of(context: OperationContext) -> ResponseGenerator:
    """The generator that writes CONTEXT's protocol."""
    if context.protocol == CBOR_PROTOCOL:
        from conformance.fuzz.cbor_generate import CborResponseGenerator  # it builds on this module's base

        return CborResponseGenerator(context)
    if context.protocol in REST_CONTENT_TYPES:
        from conformance.fuzz.rest_generate import rest_generator_of  # it builds on this module

        return rest_generator_of(context)
    return XmlResponseGenerator(context) if context.protocol in XML_PROTOCOLS else ResponseGenerator(context)

