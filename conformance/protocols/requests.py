"""Requests decoded into the input an endpoint sees: the rest bindings (URI labels, query string, headers,
host prefix, body) of rest-json and rest-xml, and the forms of query and ec2.

What a case means is what travels: botocore sends s3 ListBuckets `{"Prefix": 0}` as `?prefix=0` and lambda
GetAlias `Name: true` as the URI segment `True`, both valid strings; ec2 `{"VpcIds": "x"}` as `VpcId.1=x`,
a valid list. Decoding reads the wire as the endpoint must, as botocore's serializers (`RestJSONSerializer`,
`RestXMLSerializer`, `QuerySerializer`, `EC2Serializer`) write it, so validation judges the request that was
sent. Text that is not its member's type stays text beside a wire violation (`?max-keys=true` for an
integer stays "true"), so validation shows the member's type where it was wrong.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import email.utils
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from conformance.exchange import HttpRequest
from conformance.protocols.base import (
    BodyError,
    Decoded,
    Protocol,
    child_pointer,
    is_scalar_kind,
    part_root,
    resolve,
    shape_kind,
)
from conformance.protocols.rest import header_value, payload_member
from conformance.protocols.scalars import FLOAT_TEXT, decode_text
from conformance.spec.derive import Schema

# Locations that take a member out of a request body.
REQUEST_LOCATIONS = frozenset({"header", "headers", "uri", "querystring", "statusCode"})
# Form parameters that are the protocol's, not the input's: the operation and API version, and SigV4 query
# authentication (`X-Amz-Signature`, ...).
FORM_PROTOCOL_PARAMS = frozenset({"Action", "Version"})
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 100_000  # a form holding more fields than this is not read
MAX_FORM_DEPTH = 128  # dotted name segments; recursive shapes are read no deeper (AWS forms are far shallower)
LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


def _fields(text: str, decoded: Decoded, where: str) -> list[tuple[str, str]]:
    """The `name=value` pairs of a query string or form; none (and a wire violation) beyond MAX_FORM_FIELDS."""
    try:
        return parse_qsl(text, keep_blank_values=True, errors="replace", max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        decoded.wire_error("", f"the {where} has more than {MAX_FORM_FIELDS} fields: not read")
        return []


def _header(request: HttpRequest, name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in request.headers.items() if key.lower() == lowered), None)


# -- rest-json and rest-xml ------------------------------------------------------------------------------------


def decode_rest_request(request: HttpRequest, document: Schema, protocol: Protocol) -> Decoded:
    """REQUEST as the input of DOCUMENT's operation, read from its URI, query string, headers, host and body."""
    decoded = Decoded({})
    root = part_root(document, "input")
    if root is None:
        return decoded
    root = resolve(document, root)
    url = urlsplit(request.url)
    template = str(document.get("x-aws-http", {}).get("requestUri", "/"))
    template_path, _, template_query = template.partition("?")
    labels = _match_uri(template_path, url.path, url.hostname or "", str(document.get("x-aws-service", "")))
    if labels is None:
        decoded.wire_error("", f"the request path {url.path!r} does not match the operation's URI {template!r}")
        labels = {}
    params = _fields(url.query, decoded, "query string")
    constant_keys = {key for key, _ in parse_qsl(template_query, keep_blank_values=True)}
    value: dict[str, Any] = {}
    for member_name, member in root.get("properties", {}).items():
        location = member.get("x-aws-location")
        if location not in REQUEST_LOCATIONS:
            continue
        pointer = child_pointer("", member_name)
        target = resolve(document, member)
        wire_name = str(member.get("x-aws-location-name", member_name))
        found: Any = None
        if location == "uri":
            if wire_name in labels:
                found = _location_value(document, member, target, labels[wire_name], pointer, decoded, "URI label")
        elif location == "querystring":
            found = _query_member(document, member, target, wire_name, params, constant_keys, pointer, decoded)
        elif location == "header":
            text = _header(request, wire_name)
            if text is not None:
                if member.get("x-aws-jsonvalue"):
                    target = {**target, "x-aws-jsonvalue": True}  # the trait is the member's, not the shape's
                found = header_value(document, target, text, pointer, decoded)
        elif location == "headers":
            prefix = wire_name.lower()
            mapped = {key[len(prefix):]: text for key, text in request.headers.items()
                      if key.lower().startswith(prefix)}
            found = mapped or None  # botocore sends nothing for an empty map
        if found is not None:
            value[member_name] = found
    body = _rest_body(request, document, root, protocol, decoded)
    if isinstance(body, dict):
        value = {**body, **value}
    elif body is not None:
        decoded.value = body  # not an object: the schema says what it should have been
        return decoded
    for member_name, text in _host_labels(document, root, url.hostname or "").items():
        value.setdefault(member_name, text)
    decoded.value = value
    return decoded


def _match_uri(template: str, path: str, host: str, service: str) -> dict[str, str] | None:
    """The percent-decoded values of TEMPLATE's labels in PATH (`{Name}` one segment, `{Name+}` the rest);
    None when PATH is not of that form. A virtual-hosted request (S3's `bucket.s3.amazonaws.com/key`) carries
    the template's first label as the host's first label, before the SERVICE's own endpoint."""
    parts: list[str] = []
    names: list[str] = []
    position = 0
    for match in LABEL.finditer(template):
        parts.append(re.escape(template[position:match.start()]))
        parts.append("(.*)" if match.group(2) else "([^/]*)")
        names.append(match.group(1))
        position = match.end()
    parts.append(re.escape(template[position:]))
    pattern = "".join(parts)
    if not template.endswith("/"):
        pattern += "/?"  # a trailing slash added by the client to a template without one
    candidates = [path]
    first, _, rest = host.partition(".")
    if template.startswith("/{") and rest:
        virtual = f"/{first}{path if path.startswith('/') else '/' + path}"
        # Virtual-hosted first where the rest of the host is the service's endpoint (`s3.amazonaws.com`,
        # `s3.us-east-1.amazonaws.com`); elsewhere (a custom endpoint) only when the path alone does not fit.
        if service and rest.startswith((f"{service}.", f"{service}-")):
            candidates.insert(0, virtual)
        else:
            candidates.append(virtual)
    for candidate in candidates:
        found = re.fullmatch(pattern, candidate or "/")
        if found is None:
            # An endpoint under a base path (`https://host/custom/...`): the template ends the path.
            found = re.fullmatch(f"(?:/[^?]*?)?{pattern}", candidate or "/")
            if found is None:
                continue
        return {name: unquote(text, errors="replace") for name, text in zip(names, found.groups(), strict=True)}
    return None


def _query_member(document: Schema, member: Schema, target: Schema, wire_name: str,
                  params: list[tuple[str, str]], constant_keys: set[str], pointer: str, decoded: Decoded) -> Any:
    kind = shape_kind(target)
    if kind == "map" and "x-aws-location-name" not in member:
        # A map without a name takes every parameter, those other members name too (Smithy's
        # RestJsonServersPutAllQueryParamsInMap: "servers must use all query params in the unnamed map");
        # the URI template's constant parameters are the operation's, not the input's.
        value_schema = _collection_item(target.get("additionalProperties", {}))
        item = resolve(document, value_schema)
        mapped: dict[str, Any] = {}
        for key, text in params:
            if key in constant_keys:
                continue
            if shape_kind(item) == "list":
                mapped.setdefault(key, []).append(text)
            else:
                mapped.setdefault(key, text)
        return mapped or None
    texts = [text for key, text in params if key == wire_name]
    if not texts:
        return None
    if kind == "list":
        item_schema = resolve(document, _collection_item(target.get("items", {})))
        return [_location_value(document, {}, item_schema, text, child_pointer(pointer, index), decoded,
                                "query string") for index, text in enumerate(texts)]
    if len(texts) > 1:
        decoded.wire_error(pointer, f"{len(texts)} {wire_name!r} query parameters for one member that is "
                                    "not a list")
    return _location_value(document, member, target, texts[0], pointer, decoded, "query string")


def _location_value(document: Schema, member: Schema, target: Schema, text: str, pointer: str,
                    decoded: Decoded, where: str) -> Any:
    """TEXT from a URI label or the query string as the scalar TARGET describes."""
    if shape_kind(target) != "timestamp":
        return decode_text(target, text, pointer, decoded, where=where)
    if target.get("x-aws-timestamp-format") != "unixTimestamp" or FLOAT_TEXT.fullmatch(text.strip()):
        return decode_text(target, text, pointer, decoded, where=where)
    # A timestamp whose shape has the body's epoch format travels in a URI in ISO 8601 (botocore's
    # `_get_uri_and_query_string_value`): the data model's value is the instant, as epoch seconds.
    seconds = _epoch_seconds(text)
    if seconds is None:
        decoded.wire_error(pointer, f"{where} text {text[:40]!r} is not a timestamp")
        return text
    return seconds


def _epoch_seconds(text: str) -> int | float | None:
    """TEXT (ISO 8601 or an HTTP date) as epoch seconds, None when it is neither."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    seconds = calendar.timegm(moment.utctimetuple()) + moment.microsecond / 1_000_000
    return int(seconds) if float(seconds).is_integer() else seconds


def _rest_body(request: HttpRequest, document: Schema, root: Schema, protocol: Protocol,
               decoded: Decoded) -> Any:
    """The members REQUEST's body carries: a dict, or another value where the body is not an object."""
    payload = payload_member(root)
    if payload is not None and not request.body:
        target = resolve(document, root["properties"][payload])
        if payload in root.get("required", []) and shape_kind(target) in ("blob", "string"):
            # An empty body cannot tell an absent payload from an empty one; a required one is there, empty
            # (botocore sends lambda InvokeAsync `InvokeArgs: b""` so).
            return {payload: ""}
        return None
    if not request.body.strip() and payload is None:
        return None
    if payload is not None:
        target = resolve(document, root["properties"][payload])
        kind = shape_kind(target)
        if kind == "blob":
            return {payload: base64.b64encode(request.body).decode("ascii")}
        if kind == "string":
            return {payload: request.body.decode("utf-8", errors="replace")}
    try:
        parsed = protocol.parse_body(request.body)
    except BodyError as error:
        decoded.wire_error("", str(error))
        return None
    if protocol.body_format == "json":
        return {payload: parsed} if payload is not None else parsed
    from conformance.protocols.xml import XmlReader

    reader = XmlReader(document, decoded, bound_locations=REQUEST_LOCATIONS)
    if payload is not None:
        return {payload: reader.value(resolve(document, root["properties"][payload]), parsed,
                                      child_pointer("", payload), 0)}
    return reader.structure(root, parsed, "")


def _host_labels(document: Schema, root: Schema, host: str) -> dict[str, str]:
    """Members bound to labels of the operation's host prefix (`foo.{label}.`), read from HOST."""
    prefix = document.get("x-aws-host-prefix")
    if not prefix or not host:
        return {}
    names: list[str] = []
    pattern, position = [], 0
    for match in LABEL.finditer(str(prefix)):
        pattern.append(re.escape(str(prefix)[position:match.start()]))
        pattern.append("([^.]+)")
        names.append(match.group(1))
        position = match.end()
    pattern.append(re.escape(str(prefix)[position:]))
    found = re.match("".join(pattern), host)
    if found is None or not names:
        return {}
    members = {name for name, member in root.get("properties", {}).items() if member.get("x-aws-host-label")}
    return {name: text for name, text in zip(names, found.groups(), strict=True) if name in members}


def _collection_item(schema: Any) -> Schema:
    """A list's item (or a map's value) schema; a sparse one's member beside null."""
    if isinstance(schema, dict) and "anyOf" in schema:
        return next((option for option in schema["anyOf"] if "$ref" in option), schema)
    return schema if isinstance(schema, dict) else {}


# -- query and ec2 forms ---------------------------------------------------------------------------------------


class _Form:
    """The fields of one form, and every dotted prefix they have (`A.B.member.1` has `A`, `A.B`, ...), so
    a structure, list or map is read only where the form holds something of it."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.fields: dict[str, str] = {}
        self.prefixes: set[str] = set()
        # The item numbers under each prefix (`Tag.3.Key` gives `Tag`: {3}): botocore leaves out the items
        # that serialize to nothing (an empty structure), so numbers may skip, and EC2 reads them so.
        self.indices: dict[str, set[int]] = {}
        for key, text in pairs:
            self.fields[key] = text
            position = key.find(".")
            while position >= 0:
                prefix = key[:position]
                self.prefixes.add(prefix)
                end = key.find(".", position + 1)
                segment = key[position + 1:] if end < 0 else key[position + 1:end]
                if segment.isdigit() and len(segment) < 10:
                    self.indices.setdefault(prefix, set()).add(int(segment))
                position = end
        self.claimed: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.fields or key in self.prefixes

    def take(self, key: str) -> str:
        self.claimed.add(key)
        return self.fields[key]


def decode_form_request(request: HttpRequest, document: Schema, protocol_name: str) -> Decoded:
    """REQUEST's form (its body, else its query string) as the input of DOCUMENT's operation."""
    decoded = Decoded({})
    root = part_root(document, "input")
    pairs = _fields(urlsplit(request.url).query, decoded, "query string")
    if request.body.strip():
        content_type = (_header(request, "content-type") or FORM_CONTENT_TYPE).split(";")[0].strip().lower()
        if content_type != FORM_CONTENT_TYPE:
            decoded.wire_error("", f"the request body is {content_type}, not the {protocol_name} protocol's "
                                   f"{FORM_CONTENT_TYPE}")
        try:
            pairs += _fields(request.body.decode("utf-8"), decoded, "form")
        except UnicodeDecodeError as error:
            decoded.wire_error("", f"the request body is not a UTF-8 form ({error})")
    pairs = [(key, text) for key, text in pairs
             if key not in FORM_PROTOCOL_PARAMS and not key.startswith("X-Amz-")]
    if root is None:
        return decoded
    form = _Form(pairs)
    reader = _FormReader(document, decoded, form, ec2=protocol_name == "ec2")
    value = reader.structure(resolve(document, root), "", "")
    for key in form.fields:
        if key not in form.claimed:
            # A field no member names: an unknown member, which validation reports as such.
            name = key.split(".", 1)[0]
            value.setdefault(name, form.fields[key] if name == key else {})
    decoded.value = value
    return decoded


class _FormReader:
    """Reads form fields into the data model, as botocore's QuerySerializer / EC2Serializer write them."""

    def __init__(self, document: Schema, decoded: Decoded, form: _Form, ec2: bool) -> None:
        self.document = document
        self.decoded = decoded
        self.form = form
        self.ec2 = ec2

    def name(self, member_name: str, member: Schema, target: Schema) -> list[str]:
        """The field names a member may travel under, the serializer's first."""
        xml_name = member.get("x-aws-xml-name") or target.get("x-aws-xml-name")
        if not self.ec2:
            return [str(xml_name or member_name)]
        if member.get("x-aws-query-name"):
            return [str(member["x-aws-query-name"])]
        if xml_name:
            return [str(xml_name)[:1].upper() + str(xml_name)[1:]]
        # botocore keeps the member name; Smithy's ec2Query capitalizes it (EC2's own names already are).
        capitalized = member_name[:1].upper() + member_name[1:]
        return [member_name] if capitalized == member_name else [member_name, capitalized]

    def structure(self, schema: Schema, prefix: str, pointer: str) -> dict[str, Any]:
        value: dict[str, Any] = {}
        if prefix.count(".") > MAX_FORM_DEPTH:
            self.decoded.wire_error(pointer, f"form fields nested deeper than {MAX_FORM_DEPTH} levels: not read "
                                             "further")
            return value
        for member_name, member in schema.get("properties", {}).items():
            target = resolve(self.document, member)
            for name in self.name(member_name, member, target):
                key = f"{prefix}.{name}" if prefix else name
                flattened = bool(member.get("x-aws-flattened") or target.get("x-aws-flattened"))
                found = self.value(target, key, child_pointer(pointer, member_name), flattened)
                if found is not _ABSENT:
                    value[member_name] = found
                    break
        return value

    def value(self, schema: Schema, key: str, pointer: str, flattened: bool = False) -> Any:
        kind = shape_kind(schema)
        if kind == "list":
            return self.read_list(schema, key, pointer, flattened)
        if kind == "map":
            return self.read_map(schema, key, pointer, flattened)
        if not self.form.has(key):
            return _ABSENT
        if kind == "structure":
            if key in self.form.fields:
                text = self.form.take(key)
                if key not in self.form.prefixes:
                    self.decoded.wire_error(pointer, f"form field {key}={text[:40]!r} where a structure belongs")
                    return text
            return self.structure(schema, key, pointer)
        if key not in self.form.fields:
            self.decoded.wire_error(pointer, f"form fields under {key}. where a {kind} value belongs")
            return _ABSENT
        text = self.form.take(key)
        if not is_scalar_kind(kind):  # a document: forms cannot carry one
            return text
        return decode_text(schema, text, pointer, self.decoded, where="form field")

    def read_list(self, schema: Schema, key: str, pointer: str, flattened: bool) -> Any:
        item = resolve(self.document, _collection_item(schema.get("items", {})))
        if self.ec2:
            items_prefix = key  # ec2 lists are always `Name.N`
        elif flattened:
            item_name = schema.get("x-aws-member-name")
            items_prefix = key
            if item_name and item_name != "member":
                # A flattened list whose member has a name travels under that name in the last segment.
                items_prefix = ".".join([*key.split(".")[:-1], str(item_name)])
        else:
            items_prefix = f"{key}.{schema.get('x-aws-member-name', 'member')}"
        values: list[Any] = []
        for index in sorted(self.form.indices.get(items_prefix, ())):
            item_key = f"{items_prefix}.{index}"
            found = self.value(item, item_key, child_pointer(pointer, len(values)))
            values.append(None if found is _ABSENT else found)
        if key in self.form.fields and (not self.ec2):
            text = self.form.take(key)
            if text:
                self.decoded.wire_error(pointer, f"form field {key}={text[:40]!r} where a list belongs")
                return text
            if not values:
                return []  # `Name=`: the query protocol's empty list
        if not values and not self.form.has(items_prefix):
            return _ABSENT
        return values

    def read_map(self, schema: Schema, key: str, pointer: str, flattened: bool) -> Any:
        entries_prefix = key if flattened else f"{key}.entry"
        key_name = str(schema.get("x-aws-key-name", "key"))
        value_name = str(schema.get("x-aws-value-name", "value"))
        value_schema = resolve(self.document, _collection_item(schema.get("additionalProperties", {})))
        values: dict[str, Any] = {}
        index = 1
        while self.form.has(f"{entries_prefix}.{index}"):
            entry = f"{entries_prefix}.{index}"
            entry_pointer = child_pointer(pointer, index - 1)
            if f"{entry}.{key_name}" not in self.form.fields:
                self.decoded.wire_error(entry_pointer, f"map entry {entry} without its .{key_name} field")
            else:
                map_key = self.form.take(f"{entry}.{key_name}")
                found = self.value(value_schema, f"{entry}.{value_name}", child_pointer(pointer, map_key))
                if found is _ABSENT:
                    self.decoded.wire_error(child_pointer(pointer, map_key),
                                            f"map entry {entry} without its .{value_name} field")
                else:
                    values[map_key] = found
            index += 1
        if key in self.form.fields and not values:
            self.form.take(key)
            return {}
        return values if values or self.form.has(entries_prefix) else _ABSENT


class _Absent:
    """Nothing of a member in the form (distinct from an empty value)."""


_ABSENT: Any = _Absent()

