"""Requests decoded into the input an endpoint sees: rest bindings (URI labels, query string, headers, body)
and the query/ec2 forms. (Being written: until then a request decodes to nothing and is judged as sent.)"""

from __future__ import annotations

from typing import Any

from conformance.exchange import HttpRequest
from conformance.protocols.base import Decoded
from conformance.spec.derive import Schema


def decode_rest_request(request: HttpRequest, document: Schema, protocol: Any) -> Decoded:
    raise NotImplementedError("rest request decoding")


def decode_form_request(request: HttpRequest, document: Schema, protocol_name: str) -> Decoded:
    raise NotImplementedError("form request decoding")
