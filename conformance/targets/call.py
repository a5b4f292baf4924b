"""Send one call through a real botocore client and capture the raw exchange via botocore's events."""

from __future__ import annotations

from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

from conformance.exchange import Exchange, HttpRequest, HttpResponse, redact_headers
from conformance.targets.miss import CassetteMiss

TRANSPORT_ERRORS = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError,
                    HTTPClientError)
MAX_BODY_BYTES = 8 * 1024 * 1024  # a larger answer is cut: kept for checks, never held whole in reports


class _Capture:
    """botocore event handlers that keep the last request sent and response received on one client."""

    def __init__(self) -> None:
        self.request: HttpRequest | None = None
        self.response: HttpResponse | None = None

    def before_send(self, request: Any, **_: Any) -> None:
        body = request.body
        if hasattr(body, "read"):
            body = b"<stream>"
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.request = HttpRequest(request.method, request.url, redact_headers(request.headers), body or b"")

    def before_parse(self, response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict.get("body", b"")
        if not isinstance(body, bytes):
            body = b"<stream>"
        self.response = HttpResponse(int(response_dict["status_code"]),
                                     redact_headers(response_dict.get("headers", {})), body[:MAX_BODY_BYTES])


def _capture_for(client: BaseClient) -> _Capture:
    capture: _Capture | None = getattr(client, "_conformance_capture", None)
    if capture is None:
        capture = _Capture()
        # First: an in-process endpoint (moto's stubber is a before-send handler) may raise instead of
        # answering, and the request it was given is the evidence.
        client.meta.events.register_first("before-send", capture.before_send)
        # Registered last so moto's and other before-parse handlers have run: we see what the parser sees.
        client.meta.events.register_last("before-parse", capture.before_parse)
        client._conformance_capture = capture
    return capture


def _failed_after_sending(exchange: Exchange, capture: _Capture, error: Exception) -> None:
    """With no response, the endpoint itself raised (in process); with one, the client failed to read it."""
    text = f"{type(error).__name__}: {error}"
    if capture.response is None and capture.request is not None:
        exchange.endpoint_exception = text
    else:
        exchange.client_exception = text


def call(client: BaseClient, service: str, operation: str, params: dict[str, Any],
         wire_input: Any = None) -> Exchange:
    capture = _capture_for(client)
    capture.request = capture.response = None
    exchange = Exchange(service, operation, params, wire_input=wire_input)
    try:
        exchange.parsed = client._make_api_call(operation, params)
    except ClientError as error:
        exchange.client_error_code = str(error.response.get("Error", {}).get("Code", ""))
    except NotImplementedError as error:
        exchange.not_implemented = str(error) or "not implemented"
    except CassetteMiss as error:
        exchange.cassette_miss = str(error)
    except TRANSPORT_ERRORS as error:
        exchange.transport_error = f"{type(error).__name__}: {error}"
    except Exception as error:  # the parser's own failure is a finding of client_parse, not a crash of ours
        if capture.request is None:
            # The client could not even build the request (botocore's serializers raise ParamValidationError,
            # TypeError, KeyError... on a case they cannot express): nothing reached the endpoint.
            exchange.notes.append(f"not sent: the client cannot serialize it ({type(error).__name__}: {error})")
        else:
            _failed_after_sending(exchange, capture, error)
    exchange.request, exchange.response = capture.request, capture.response
    return exchange
