"""The inverse of `conformance.protocols.xml`: a data-model value written as the XML a service answers with.

What `XmlReader` reads, this writes (element names from `x-aws-xml-name`, wrapped lists in `x-aws-member-name`
items, flattened lists and maps repeating their element, map entries with their key and value names), so that
`decode_output(encode_output(value)) == value`. Used by `conformance fuzz-parser` to answer in the query
protocol (`<OperationResponse><OperationResult>...`, `<ErrorResponse><Error>...`) and the ec2 protocol
(`<OperationResponse><requestId/>...`, `<Response><Errors><Error>...</Errors><RequestID/>`).
Text that XML 1.0 cannot hold at all (control characters, lone surrogates) has no encoding: `xml_safe` replaces
it before a value is encoded, so the value sent is the value a parser can read back.
"""

from __future__ import annotations

import re
from typing import Any

from conformance.protocols.base import resolve, shape_kind
from conformance.protocols.xml import RESPONSE_LOCATIONS, xml_name
from conformance.spec.derive import Schema

REQUEST_ID = "c0f1e2d3-0000-4000-8000-00000000f022"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': "&quot;"})


def xml_safe(value: Any) -> Any:
    """VALUE with every character XML 1.0 cannot carry replaced by U+FFFD (copied only where needed)."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    if isinstance(value, dict):
        return {xml_safe(key): xml_safe(item) for key, item in value.items()}
    return value


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


class RawText:
    """Element text written as it is, whatever the member's type (`yes` in a boolean: malformed answers)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return repr(self.text) if len(self.text) <= 40 else repr(self.text[:37] + "...")


class RawXml:
    """An element's content written verbatim, unescaped (wrong list wrapping, deep nesting)."""

    __slots__ = ("xml",)

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __repr__(self) -> str:
        return self.xml if len(self.xml) <= 40 else self.xml[:37] + "..."


def scalar_text(value: Any) -> str:
    if isinstance(value, RawText):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class XmlWriter:
    """Writes values of one spec document's schemas as XML text."""

    def __init__(self, document: Schema) -> None:
        self.document = document

    def members(self, schema: Schema, value: dict[str, Any]) -> str:
        """The child elements of structure SCHEMA holding VALUE (members bound to headers left out)."""
        schema = resolve(self.document, schema)
        parts: list[str] = []
        properties = schema.get("properties", {})
        for member_name, member in properties.items():
            item = value.get(member_name)
            if item is None or member.get("x-aws-location") in RESPONSE_LOCATIONS or member.get(
                    "x-aws-xml-attribute"):
                continue
            target = resolve(self.document, member)
            name = xml_name(member_name, member, target)
            flattened = bool(member.get("x-aws-flattened") or target.get("x-aws-flattened"))
            parts.append(self.member(target, name, item, flattened))
        for name, item in value.items():
            if name not in properties and item is not None:  # a member the model does not know
                parts.append(unmodelled(str(name), item))
        return "".join(parts)

    def attributes(self, schema: Schema, value: dict[str, Any]) -> str:
        schema = resolve(self.document, schema)
        found = [f' {xml_name(name, member, {})}="{escape(scalar_text(value[name]))}"'
                 for name, member in schema.get("properties", {}).items()
                 if member.get("x-aws-xml-attribute") and value.get(name) is not None]
        return "".join(found)

    def member(self, schema: Schema, name: str, value: Any, flattened: bool) -> str:
        kind = shape_kind(schema)
        if flattened and kind == "list":
            return "".join(self.element(self.item_schema(schema, "items"), name, item)
                           for item in value if item is not None)
        if flattened and kind == "map":
            return "".join(f"<{name}>{self.entry(schema, key, item)}</{name}>"
                           for key, item in value.items() if item is not None)
        return self.element(schema, name, value)

    def element(self, schema: Schema, name: str, value: Any) -> str:
        if isinstance(value, RawXml):
            return f"<{name}>{value.xml}</{name}>"
        schema = resolve(self.document, schema)
        kind = shape_kind(schema)
        if kind == "structure" and isinstance(value, dict):
            return f"<{name}{self.attributes(schema, value)}>{self.members(schema, value)}</{name}>"
        if kind == "list" and isinstance(value, list):
            item_name = str(schema.get("x-aws-member-name", "member"))
            items = self.item_schema(schema, "items")
            inner = "".join(self.element(items, item_name, item) for item in value if item is not None)
            return f"<{name}>{inner}</{name}>"
        if kind == "map" and isinstance(value, dict):
            inner = "".join(f"<entry>{self.entry(schema, key, item)}</entry>"
                            for key, item in value.items() if item is not None)
            return f"<{name}>{inner}</{name}>"
        return f"<{name}>{escape(scalar_text(value))}</{name}>"

    def entry(self, schema: Schema, key: str, value: Any) -> str:
        key_name = str(schema.get("x-aws-key-name", "key"))
        value_name = str(schema.get("x-aws-value-name", "value"))
        target = self.item_schema(schema, "additionalProperties")
        return f"<{key_name}>{escape(key)}</{key_name}>{self.element(target, value_name, value)}"

    def item_schema(self, schema: Schema, keyword: str) -> Schema:
        found = schema.get(keyword, {})
        if isinstance(found, dict) and "anyOf" in found:  # sparse: the member beside null
            found = next((option for option in found["anyOf"] if "$ref" in option), found)
        return resolve(self.document, found) if isinstance(found, dict) else {}


def unmodelled(name: str, value: Any) -> str:
    """An element no schema describes: structures as children, lists as `member` items, scalars as text."""
    if isinstance(value, RawXml):
        return f"<{name}>{value.xml}</{name}>"
    if isinstance(value, dict):
        return f"<{name}>{''.join(unmodelled(str(k), v) for k, v in value.items() if v is not None)}</{name}>"
    if isinstance(value, list):
        return f"<{name}>{''.join(unmodelled('member', v) for v in value if v is not None)}</{name}>"
    return f"<{name}>{escape(scalar_text(value))}</{name}>"


def namespace_attribute(document: Schema) -> str:
    namespace = document.get("x-aws-xml-namespace")
    return f' xmlns="{escape(str(namespace))}"' if namespace else ""


def query_output(document: Schema, output_schema: Schema | None, value: dict[str, Any],
                 request_id: str = REQUEST_ID) -> bytes:
    """A query protocol success answer holding VALUE, the output of the document's operation."""
    operation = document["x-aws-operation"]
    wrapper = document.get("x-aws-result-wrapper")
    inner = ""
    if wrapper is not None and output_schema is not None:
        inner = f"<{wrapper}>{XmlWriter(document).members(output_schema, value)}</{wrapper}>"
    metadata = f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
    return (f"<{operation}Response{namespace_attribute(document)}>{inner}{metadata}"
            f"</{operation}Response>").encode()


def query_error(document: Schema, error_schema: Schema | None, code: str, message: str | None,
                members: dict[str, Any], *, sender: bool = True, request_id: str = REQUEST_ID) -> bytes:
    """A query protocol error answer: code, message and the error shape's members in `<Error>`."""
    if error_schema is not None:
        body = XmlWriter(document).members(error_schema, members)
    else:  # an error the document does not declare: its members as they are
        body = "".join(unmodelled(name, value) for name, value in members.items() if value is not None)
    # Services say the message in <Message>; a member of that name already does.
    text = f"<Message>{escape(message)}</Message>" if message is not None and "Message" not in members else ""
    kind = "Sender" if sender else "Receiver"
    return (f"<ErrorResponse{namespace_attribute(document)}><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"{text}{body}</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()


def ec2_output(document: Schema, output_schema: Schema | None, value: dict[str, Any],
               request_id: str = REQUEST_ID) -> bytes:
    """An ec2 protocol success answer: the members directly in `<OperationResponse>`, beside `<requestId>`."""
    operation = document["x-aws-operation"]
    members = XmlWriter(document).members(output_schema, value) if output_schema is not None else ""
    return (f"<{operation}Response{namespace_attribute(document)}><requestId>{request_id}</requestId>{members}"
            f"</{operation}Response>").encode()


def ec2_error(document: Schema, error_schema: Schema | None, code: str, message: str | None,
              members: dict[str, Any], *, request_id: str = REQUEST_ID) -> bytes:
    """An ec2 protocol error answer: `<Response><Errors><Error>` with code, message and members."""
    if error_schema is not None:
        body = XmlWriter(document).members(error_schema, members)
    else:
        body = "".join(unmodelled(name, value) for name, value in members.items() if value is not None)
    text = f"<Message>{escape(message)}</Message>" if message is not None and "Message" not in members else ""
    return (f"<Response><Errors><Error><Code>{escape(code)}</Code>{text}{body}</Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>").encode()
