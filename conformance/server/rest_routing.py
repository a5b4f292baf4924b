"""Which operation a rest-json or rest-xml request calls: its method and path against each operation's URI
template (`requestUri` of `x-aws-http`), as AWS's front ends route them.

A template is a path with labels, `{Name}` one non-empty segment and `{Name+}` (greedy) the rest of the path,
and optionally a query string of literals that the request must carry: `/{Bucket}?versioning` (the key,
with any value), `/{Bucket}?list-type=2` (that key with that value). Several templates may match one request
(`GET /bucket/key` and `GET /bucket/key?acl`, `GET /layers` and `GET /layers?find=LayerVersion`): the most
specific wins, as API Gateway and S3 choose, in this order: more query literals; more of the operation's
required query-string and header members present, less those absent (S3's `PUT /bucket/key` is CopyObject
with an `x-amz-copy-source` header, UploadPart with `?partNumber&uploadId`, else PutObject); fewer greedy
labels; more literal characters in the path; fewer labels. A trailing slash the template lacks is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from conformance import spec
from conformance.protocols.base import part_root, resolve

LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    template: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # required keys, each with its required value (None: any)
    rank: tuple[int, int, int]  # higher is more specific: -greedy labels, literal characters, -labels
    member_query: tuple[str, ...] = ()  # query-string parameters of required members
    member_headers: tuple[str, ...] = ()  # headers (lower case) of required members

    def score(self, method: str, path: str, query: dict[str, list[str]],
              headers: frozenset[str]) -> tuple[int, ...] | None:
        """How specifically this route takes the request (higher: more); None when it does not take it."""
        if method != self.method or self.pattern.fullmatch(path) is None:
            return None
        if not all(key in query and (value is None or value in query[key]) for key, value in self.query):
            return None
        present = sum(key in query for key in self.member_query) + sum(name in headers for name in self.member_headers)
        absent = len(self.member_query) + len(self.member_headers) - present
        return (len(self.query), present - absent, *self.rank)


def compile_route(operation: str, method: str, template: str, member_query: tuple[str, ...] = (),
                  member_headers: tuple[str, ...] = ()) -> Route:
    path, _, literals = template.partition("?")
    parts: list[str] = []
    position = greedy = labels = 0
    for match in LABEL.finditer(path):
        parts.append(re.escape(path[position:match.start()]))
        parts.append("(.+)" if match.group(2) else "([^/]+)")
        greedy += bool(match.group(2))
        labels += 1
        position = match.end()
    parts.append(re.escape(path[position:]))
    pattern = "".join(parts) + ("" if path.endswith("/") else "/?")
    query = tuple((unquote(key), unquote(value) if equals else None)
                  for key, equals, value in (pair.partition("=") for pair in literals.split("&") if pair))
    literal_characters = len(LABEL.sub("", path))
    return Route(operation, method.upper(), template, re.compile(pattern), query,
                 (-greedy, literal_characters, -labels), member_query, tuple(name.lower() for name in member_headers))


class Router:
    """The routes of every operation of SERVICE."""

    def __init__(self, service: str) -> None:
        self.routes: list[Route] = []
        for operation in spec.operations(service):
            document = spec.document(service, operation)
            http = document.get("x-aws-http", {})
            root = part_root(document, "input")
            members = resolve(document, root) if root is not None else {}
            required = [members["properties"][name] for name in members.get("required", [])
                        if name in members.get("properties", {})]
            bound = {location: tuple(str(member.get("x-aws-location-name")) for member in required
                                     if member.get("x-aws-location") == location and member.get("x-aws-location-name"))
                     for location in ("querystring", "header")}
            self.routes.append(compile_route(operation, str(http.get("method", "POST")),
                                             str(http.get("requestUri", "/")), bound["querystring"], bound["header"]))

    def route(self, method: str, path: str, query_string: str, header_names: Iterable[str] = ()) -> Route | None:
        """The most specific route of METHOD PATH?QUERY_STRING (PATH still percent-encoded) with headers
        HEADER_NAMES, or None."""
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        headers = frozenset(name.lower() for name in header_names)
        best: tuple[tuple[int, ...], Route] | None = None
        for route in self.routes:
            score = route.score(method, path, query, headers)
            if score is not None and (best is None or score > best[0]):
                best = (score, route)
        return best[1] if best is not None else None

    def methods_of(self, path: str) -> list[str]:
        """The methods some operation takes at PATH (for an answer to a method no operation has there)."""
        return sorted({route.method for route in self.routes if route.pattern.fullmatch(path)})
