"""XML bodies of the query, ec2 and rest-xml protocols: parsed safely, read strictly into the data model.

Parsing goes through defusedxml: an answer is untrusted input, and the standard library's parser expands
entities (a "billion laughs" body costs gigabytes) where defusedxml refuses any entity declaration, DTD or
external reference and raises instead. Depth is bounded by the schema the decoder follows (recursive shapes
stop at MAX_DEPTH), and the body by what the capture keeps, so a hostile answer costs bounded time and memory
and ends as a finding.

Reading follows botocore's XML parsers (`BaseXMLResponseParser`): a member is the child element named by
its `x-aws-xml-name` (else its member name); a wrapped list holds one element per item named by the list's
`x-aws-member-name` ("member" by default), a flattened one repeats the member's element; a map holds
`entry` elements (or repeats the member's element when flattened) with its key and value names. Namespaces
are ignored as botocore ignores them. Unlike botocore, what does not fit is a violation: wrong item element
names, several elements for a member that is not a flattened list, text where a structure belongs.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ElementTree
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from conformance.protocols.base import BodyError, Decoded, child_pointer, resolve, shape_kind
from conformance.protocols.scalars import decode_text
from conformance.spec.derive import Schema

Element = ElementTree.Element
MAX_DEPTH = 64  # recursive shapes deeper than this are not read further (AWS answers are far shallower)
# Locations that take a member out of a response body; in answers, `uri` and `querystring` members travel in
# the body (Smithy's IgnoreQueryParamsInResponse).
RESPONSE_LOCATIONS = frozenset({"header", "headers", "statusCode"})


@functools.lru_cache(maxsize=16)
def parse_xml(body: bytes) -> Element:
    """The root element of BODY; BodyError when it is not well-formed XML or declares entities or a DTD.

    Cached: the checks of one answer each ask for its tree (content type, request id, code, output), and a
    bytes object keeps its hash. The tree is shared: callers only read it."""
    if not body.strip():
        raise BodyError("the body is empty, not an XML document")
    try:
        root: Element = SafeElementTree.fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise BodyError(f"the XML body declares {type(error).__name__.removesuffix('Forbidden').lower() or 'a DTD'}"
                        " (a DTD or entity), which no AWS answer has; not read") from None
    except ElementTree.ParseError as error:
        raise BodyError(f"the body is not well-formed XML ({error})") from None
    return root


def tag(element: Element) -> str:
    """The element's local name: `{namespace}Name` → `Name`."""
    name = element.tag if isinstance(element.tag, str) else ""
    return name.rsplit("}", 1)[-1]


def child(element: Element, name: str) -> Element | None:
    return next((item for item in element if tag(item) == name), None)


def text_of(element: Element) -> str:
    return element.text or ""


def xml_name(member_name: str, member: Schema, target: Schema) -> str:
    """The element name a structure member travels under (botocore's `_member_key_name`)."""
    if "x-aws-xml-name" in member:
        return str(member["x-aws-xml-name"])
    if shape_kind(target) == "list" and target.get("x-aws-flattened"):
        # A list flattened by its shape repeats the list member's element when the list names it.
        item_name = target.get("x-aws-member-name")
        if item_name and item_name != "member":
            return str(item_name)
    return member_name


class XmlReader:
    """Reads elements into the data model of one spec document, collecting wire violations on `decoded`."""

    def __init__(self, document: Schema, decoded: Decoded,
                 bound_locations: frozenset[str] = RESPONSE_LOCATIONS) -> None:
        self.document = document
        self.decoded = decoded
        self.bound_locations = bound_locations

    def structure(self, schema: Schema, element: Element, pointer: str, depth: int = 0,
                  skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """ELEMENT's children as the structure SCHEMA; children named in SKIP are the protocol's, not members."""
        schema = resolve(self.document, schema)
        if depth > MAX_DEPTH:
            self.decoded.wire_error(pointer, f"nested deeper than {MAX_DEPTH} structures: not read further")
            return {}
        by_name: dict[str, list[Element]] = {}
        for item in element:
            by_name.setdefault(tag(item), []).append(item)
        value: dict[str, Any] = {}
        claimed: set[str] = set()
        for member_name, member in schema.get("properties", {}).items():
            if member.get("x-aws-location") in self.bound_locations:
                continue  # bound to a header, the status code or the URI: not in the body
            target = resolve(self.document, member)
            name = xml_name(member_name, member, target)
            member_pointer = child_pointer(pointer, member_name)
            if member.get("x-aws-xml-attribute"):
                attribute = _attribute(element, name)
                if attribute is not None:
                    value[member_name] = decode_text(target, attribute, member_pointer, self.decoded, "attribute")
                continue
            found = by_name.get(name)
            if not found:
                continue
            claimed.add(name)
            flattened = bool(member.get("x-aws-flattened") or target.get("x-aws-flattened"))
            value[member_name] = self.member(target, found, member_pointer, depth, flattened)
        for name, items in by_name.items():
            if name not in claimed and name not in skip:
                # An element the model does not have: AWS may add members; validation calls it unknown.
                value[name] = text_of(items[0]) if len(items[0]) == 0 else {}
        return value

    def member(self, schema: Schema, elements: list[Element], pointer: str, depth: int, flattened: bool) -> Any:
        kind = shape_kind(schema)
        if flattened and kind in ("list", "map"):
            return self.read_list(schema, elements, pointer, depth) if kind == "list" else \
                self.read_map(schema, elements, pointer, depth)
        if len(elements) > 1:
            self.decoded.wire_error(pointer, f"{len(elements)} <{tag(elements[0])}> elements for one member "
                                             f"(only a flattened list repeats its element)")
        element = elements[0]
        if kind == "list":
            return self.read_list(schema, list(element), pointer, depth, wrapper=element)
        if kind == "map":
            return self.read_map(schema, list(element), pointer, depth, wrapper=element)
        return self.value(schema, element, pointer, depth)

    def value(self, schema: Schema, element: Element, pointer: str, depth: int) -> Any:
        """One element as the (resolved) SCHEMA it holds."""
        kind = shape_kind(schema)
        if kind == "structure":
            if len(element) == 0 and (element.text or "").strip():
                self.decoded.wire_error(pointer, f"text {element.text.strip()[:40]!r} where a structure belongs"
                                        if element.text else "text where a structure belongs")
            return self.structure(schema, element, pointer, depth + 1)
        if kind == "list":
            return self.read_list(schema, list(element), pointer, depth, wrapper=element)
        if kind == "map":
            return self.read_map(schema, list(element), pointer, depth, wrapper=element)
        if kind == "document":
            return text_of(element)
        if len(element):
            self.decoded.wire_error(pointer, f"child elements (<{tag(element[0])}>) where a "
                                             f"{kind} value belongs")
        return decode_text(schema, text_of(element), pointer, self.decoded)

    def read_list(self, schema: Schema, items: list[Element], pointer: str, depth: int,
             wrapper: Element | None = None) -> list[Any]:
        member_schema = schema.get("items", {})
        if "anyOf" in member_schema:  # sparse: the member beside null
            member_schema = next((option for option in member_schema["anyOf"] if "$ref" in option), member_schema)
        target = resolve(self.document, member_schema)
        expected = str(schema.get("x-aws-member-name", "member"))
        values: list[Any] = []
        for index, item in enumerate(items):
            if wrapper is not None and tag(item) != expected:
                self.decoded.wire_error(child_pointer(pointer, index),
                                        f"list item element <{tag(item)}>, the protocol wraps each in <{expected}>")
            values.append(self.value(target, item, child_pointer(pointer, index), depth))
        if wrapper is not None and not items and (wrapper.text or "").strip():
            self.decoded.wire_error(pointer, f"text {wrapper.text.strip()[:40]!r} where a list of <{expected}> "
                                             "elements belongs (a flattened list where the model wraps it?)"
                                    if wrapper.text else "text where a list belongs")
        return values

    def read_map(self, schema: Schema, entries: list[Element], pointer: str, depth: int,
            wrapper: Element | None = None) -> dict[str, Any]:
        key_name = str(schema.get("x-aws-key-name", "key"))
        value_name = str(schema.get("x-aws-value-name", "value"))
        value_schema = schema.get("additionalProperties", {})
        if isinstance(value_schema, dict) and "anyOf" in value_schema:
            value_schema = next((option for option in value_schema["anyOf"] if "$ref" in option), value_schema)
        target = resolve(self.document, value_schema) if isinstance(value_schema, dict) else {}
        values: dict[str, Any] = {}
        for index, entry in enumerate(entries):
            entry_pointer = child_pointer(pointer, index)
            if wrapper is not None and tag(entry) != "entry":
                self.decoded.wire_error(entry_pointer, f"map entry element <{tag(entry)}>, the protocol wraps "
                                                       "each in <entry>")
            key_element, value_element = child(entry, key_name), child(entry, value_name)
            if key_element is None:
                self.decoded.wire_error(entry_pointer, f"map entry without its <{key_name}>")
                continue
            key = text_of(key_element)
            if value_element is None:
                self.decoded.wire_error(child_pointer(pointer, key), f"map entry without its <{value_name}>")
                continue
            values[key] = self.value(target, value_element, child_pointer(pointer, key), depth)
        return values


def _attribute(element: Element, name: str) -> str | None:
    local = name.split(":", 1)[-1]
    for key, value in element.attrib.items():
        if key == name or key.rsplit("}", 1)[-1] == local:
            return value
    return None
