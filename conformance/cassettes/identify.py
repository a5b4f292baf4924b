"""Which AWS service and operation a recorded HTTP request is, from what the request itself says.

In order: the `X-Amz-Target` header (JSON protocols: `Prefix.Operation`), the `Action` of a query-protocol
form, the `/service/X/operation/Y` path of RPC v2 CBOR, and for rest protocols the method and path matched
against each candidate service's request URI templates. Candidate services come from hints (a cassette of
ours names its operations), the SigV4 credential scope when the cassette kept `Authorization`, the host
(`glue.us-east-1.amazonaws.com`) and the target prefix. A name that is not a botocore service is looked up
in an index of every service's metadata, built once (a few seconds) and only when needed.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import botocore.loaders

from conformance.spec.models import load_service, raw_model, service_names

AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws", "c2s.ic.gov", "sc2s.sgov.gov")
HOST_NOISE = ("fips", "dualstack")
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
FORM_TYPE = "application/x-www-form-urlencoded"


class Operation(NamedTuple):
    service: str
    operation: str


@dataclass(frozen=True)
class ServiceFacts:
    """The metadata of one service that tells its requests apart from others'."""

    name: str
    protocols: tuple[str, ...]
    target_prefix: str | None
    endpoint_prefix: str | None
    signing_name: str | None
    api_version: str | None

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(p for p in (self.endpoint_prefix, self.signing_name) if p)


def facts_of(raw: Mapping[str, Any], name: str) -> ServiceFacts:
    metadata = raw.get("metadata", {})
    protocols = tuple(metadata.get("protocols") or [metadata.get("protocol", "")])
    return ServiceFacts(name, protocols, metadata.get("targetPrefix"), metadata.get("endpointPrefix"),
                        metadata.get("signingName") or metadata.get("endpointPrefix"), metadata.get("apiVersion"))


@functools.lru_cache(maxsize=64)
def _facts(service: str) -> ServiceFacts:
    return facts_of(raw_model(load_service(service)), service)


@functools.lru_cache(maxsize=64)
def _operations(service: str) -> dict[str, Any]:
    operations: dict[str, Any] = raw_model(load_service(service))["operations"]
    return operations


@functools.lru_cache(maxsize=1)
def service_index() -> tuple[ServiceFacts, ...]:
    """The facts of every botocore service, from the `metadata` at the head of each model file.

    Loading every whole model takes seconds; the metadata of all of them, a fraction of one.
    """
    loader = botocore.loaders.create_loader()
    return tuple(facts_of({"metadata": _metadata(loader, name)}, name) for name in service_names())


def _metadata(loader: botocore.loaders.Loader, service: str) -> dict[str, Any]:
    """SERVICE's model metadata, from the same file botocore's loader would read (first search path wins)."""
    version = loader.determine_latest_version(service, "service-2")
    for root in loader.search_paths:
        for name in ("service-2.json.gz", "service-2.json"):
            path = Path(root, service, version, name)
            if path.is_file():
                head = _head(path)
                start = head.find('"metadata"')
                try:
                    found, _ = json.JSONDecoder().raw_decode(head, head.index("{", start))
                except ValueError:
                    break  # not at the head: read the whole model below
                return dict(found)
    return dict(raw_model(load_service(service, cached=False))["metadata"])


def _head(path: Path, size: int = 1 << 16) -> str:
    raw = path.read_bytes() if path.suffix != ".gz" else None
    if raw is None:
        with path.open("rb") as handle:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(handle.read(size), size)
    return raw[:size].decode("utf-8", "replace")


def _then_index(first: Iterable[ServiceFacts]) -> Iterator[ServiceFacts]:
    """FIRST, then every service: the index is built only if FIRST did not have the answer."""
    yield from first
    yield from service_index()


@dataclass(frozen=True)
class RequestView:
    """What identification reads of a request: method, URL parts, lower-cased headers and the body."""

    method: str
    uri: str
    headers: Mapping[str, str]
    body: bytes

    @classmethod
    def of(cls, method: str, uri: str, headers: Mapping[str, Any], body: bytes | None) -> RequestView:
        lowered = {str(k).lower(): _header_text(v) for k, v in headers.items()}
        return cls(method.upper(), uri, lowered, body or b"")

    @property
    def parts(self) -> urllib.parse.SplitResult:
        return urllib.parse.urlsplit(self.uri)

    @property
    def host(self) -> str:
        return (self.parts.hostname or "").lower()

    def form(self) -> dict[str, str]:
        """The query-protocol parameters: the form body, or the query string of a GET."""
        content_type = self.headers.get("content-type", "")
        text = ""
        if FORM_TYPE in content_type.lower():
            text = self.body.decode("utf-8", "replace")
        elif self.method == "GET":
            text = self.parts.query
        return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))


def _header_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def identify(request: RequestView, hints: Sequence[str] = ()) -> Operation | None:
    """The (service, operation) REQUEST is, or None when nothing in it names one."""
    candidates = _candidates(request, hints)
    target = request.headers.get("x-amz-target", "")
    if "." in target:
        prefix, operation = target.rsplit(".", 1)
        return _by_target(prefix, operation, candidates)
    cbor = CBOR_PATH.match(request.parts.path)
    if cbor and "rpc-v2-cbor" in request.headers.get("smithy-protocol", ""):
        return _by_target(urllib.parse.unquote(cbor.group(1)), urllib.parse.unquote(cbor.group(2)), candidates)
    action = request.form().get("Action")
    if action:
        return _by_action(action, request.form().get("Version"), candidates)
    return _by_rest_path(request, candidates)


def _candidates(request: RequestView, hints: Sequence[str]) -> list[str]:
    """Service names or prefixes that may be the request's service, most telling first."""
    names = [hint.partition(":")[0] for hint in hints]
    scope = CREDENTIAL_SCOPE.search(request.headers.get("authorization", ""))
    if scope:
        names.append(scope.group(2))
    names.extend(host_labels(request.host))
    return list(dict.fromkeys(name for name in names if name))


def host_labels(host: str) -> list[str]:
    """The labels of an AWS host before its domain, without fips/dualstack/region: service prefixes, buckets."""
    for domain in AWS_DOMAINS:
        if host.endswith("." + domain):
            labels = host[: -len(domain) - 1].split(".")
            return [label.removesuffix("-fips") for label in labels
                    if label not in HOST_NOISE and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", label)]
    return []


def _services_named(names: Iterable[str]) -> list[ServiceFacts]:
    """Services with one of NAMES as name, endpoint prefix or signing name; the index only when needed."""
    known = set(service_names())
    wanted = list(names)
    found = [_facts(name) for name in wanted if name in known]
    if not found and wanted:
        found = [facts for facts in service_index() if set(facts.prefixes) & set(wanted)]
    return found


def _target_guesses(prefix: str) -> list[str]:
    """`AWSGlue` → glue, `DynamoDB_20120810` → dynamodb, `AmazonSSM` → ssm: cheap first tries."""
    base = re.sub(r"_\d{8}$", "", prefix)
    lowered = base.lower()
    guesses = [lowered]
    for lead in ("aws", "amazon"):
        if lowered.startswith(lead):
            guesses.append(lowered[len(lead):])
    guesses.extend(g.removesuffix("service") for g in list(guesses))
    return list(dict.fromkeys(g for g in guesses if g))


def _by_target(prefix: str, operation: str, candidates: list[str]) -> Operation | None:
    known = set(service_names())
    tries = [name for name in [*candidates, *_target_guesses(prefix)] if name in known]
    for facts in _then_index(_facts(name) for name in dict.fromkeys(tries)):
        if facts.target_prefix == prefix and operation in _operations(facts.name):
            return Operation(facts.name, operation)
    return None


def _by_action(action: str, version: str | None, candidates: list[str]) -> Operation | None:
    query_like = ("query", "ec2")
    for facts in _then_index(_services_named(candidates)):
        if not set(facts.protocols) & set(query_like) or action not in _operations(facts.name):
            continue
        if version is None or facts.api_version == version:
            return Operation(facts.name, action)
    return None


def _by_rest_path(request: RequestView, candidates: list[str]) -> Operation | None:
    best: tuple[int, Operation] | None = None
    for facts in _services_named(candidates):
        if not {"rest-json", "rest-xml"} & set(facts.protocols):
            continue
        for name, model in _operations(facts.name).items():
            http = model.get("http", {})
            if http.get("method", "").upper() != request.method:
                continue
            score = template_score(http.get("requestUri", "/"), request.parts.path, request.parts.query)
            if score is not None and (best is None or score > best[0]):
                best = (score, Operation(facts.name, name))
    return best[1] if best else None


@functools.lru_cache(maxsize=4096)
def _template_patterns(template: str) -> tuple[re.Pattern[str], ...]:
    """Regexes of a request URI template's path; a leading `{Bucket}` may live in the host instead."""
    path = template.split("?", 1)[0]
    variants = [path]
    if path.startswith("/{Bucket}"):
        variants.append(path.removeprefix("/{Bucket}") or "/")
    patterns = []
    for variant in variants:
        regex = ""
        for piece in re.split(r"(\{[^}]+\})", variant):
            if piece.startswith("{") and piece.endswith("}"):
                regex += ".+" if piece.endswith("+}") else "[^/]+"
            else:
                regex += re.escape(piece)
        patterns.append(re.compile(regex + "/?"))
    return tuple(patterns)


def template_score(template: str, path: str, query: str) -> int | None:
    """How specifically TEMPLATE matches PATH and QUERY (literal characters matched), None when it does not."""
    if not any(pattern.fullmatch(path) for pattern in _template_patterns(template)):
        return None
    _, _, required = template.partition("?")
    present = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    for pair in filter(None, required.split("&")):
        key, sep, value = pair.partition("=")
        if key not in present or (sep and present[key] != value):
            return None
    literal = re.sub(r"\{[^}]+\}", "", template)
    return len(literal) * 2 + len(required)
