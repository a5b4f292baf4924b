"""Parsers under test: botocore's (the default) and any callable a user plugs in with `--parser`.

A parser takes a `WireResponse` and returns its parse or raises; `documented` are the exception types it
is allowed to raise; `snippet_lines` write the same call as Python for a reproduction test.

- `BotocoreParser`: `botocore.parsers.create_parser(protocol).parse(response_dict, output_shape)`, then, for
  an error, what botocore's Endpoint does next: the error shape's members parsed into the same dict
  (`Endpoint._add_modeled_error_fields`). That is exactly what a boto3 client hands to its caller.
  Documented error: `botocore.parsers.ResponseParserError`. A blob payload (S3 GetObject's Body, Lambda
  Invoke's Payload) is handed to the parser as the StreamingBody botocore's Endpoint makes, and read.
- `CallableParser`: `function(status, headers, body_bytes, service, operation) -> dict`, raising the class
  given with `--parser-error` (without one, every exception is a crash). Error answers parse as botocore's:
  `{"Error": {"Code": ..., "Message": ...}, <members>}`.
"""

from __future__ import annotations

import importlib
import io
import os
import sys
from collections.abc import Callable
from typing import Any, Protocol

import botocore.parsers
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel
from botocore.response import StreamingBody

from conformance.errors import UsageError
from conformance.fuzz.context import OperationContext
from conformance.fuzz.wire import WireResponse


class Parser(Protocol):
    name: str
    documented: tuple[type[BaseException], ...]

    def __call__(self, response: WireResponse) -> Any: ...

    def snippet_lines(self, context: OperationContext) -> tuple[list[str], list[str], str]:
        """(imports, setup lines, the `except` clause's exception expression) for a pytest snippet."""
        ...


class BotocoreParser:
    """botocore's response parser for the operation's protocol, as a boto3 client runs it."""

    documented: tuple[type[BaseException], ...] = (botocore.parsers.ResponseParserError,)

    def __init__(self, model: ServiceModel, operation: str) -> None:
        self.model = model
        self.operation_model = model.operation_model(operation)
        self.output_shape = self.operation_model.output_shape
        self.protocol = _protocol(model)
        self.parser = botocore.parsers.create_parser(self.protocol)
        self.name = f"botocore {botocore.__version__} {type(self.parser).__name__} ({self.protocol})"
        self._context = {"operation_name": operation}
        self.streaming: str | None = None  # the blob payload member botocore hands over as a stream
        model_op = self.operation_model
        if self.output_shape is not None and model_op.has_streaming_output and not model_op.has_event_stream_output:
            self.streaming = str(self.output_shape.serialization["payload"])

    def __call__(self, response: WireResponse) -> Any:
        headers = HeadersDict(response.headers)
        body: Any = response.body
        # botocore.endpoint.convert_to_response_dict: a blob payload below 300 comes as a StreamingBody, which
        # the caller reads; so does this, handing back the bytes read.
        streaming = self.streaming is not None and response.status < 300
        if streaming:
            body = StreamingBody(io.BytesIO(response.body), headers.get("content-length"))
        response_dict = {"status_code": response.status, "headers": headers, "body": body,
                         "context": dict(self._context)}
        parsed = self.parser.parse(response_dict, self.output_shape)
        if streaming and isinstance(parsed, dict) and isinstance(parsed.get(self.streaming), StreamingBody):
            parsed[self.streaming] = parsed[self.streaming].read()
        if response.status >= 301:
            # botocore.endpoint.Endpoint._add_modeled_error_fields, verbatim in effect
            error_code = parsed.get("Error", {}).get("Code")
            if error_code is not None:
                error_shape = self.model.shape_for_error_code(error_code)
                if error_shape is not None:
                    parsed.update(self.parser.parse(response_dict, error_shape))
        return parsed

    def snippet_lines(self, context: OperationContext) -> tuple[list[str], list[str], str]:
        imports = ["import botocore.parsers", "import botocore.session", "from botocore.awsrequest import HeadersDict"]
        setup = [
            f"model = botocore.session.get_session().get_service_model({context.service!r})",
            f"operation = model.operation_model({context.operation!r})",
            f"parser = botocore.parsers.create_parser({context.protocol!r})",
            'response = {"status_code": status, "headers": HeadersDict(headers), "body": body, "context": {}}',
        ]
        if self.streaming is not None:  # as botocore's Endpoint hands a blob payload over, and a caller reads it
            imports += ["import io", "from botocore.response import StreamingBody"]
            setup += ["if status < 300:",
                      '    length = response["headers"].get("content-length")',
                      '    response["body"] = StreamingBody(io.BytesIO(body), length)']
        setup += [
            "parsed = parser.parse(response, operation.output_shape)",
        ]
        if self.streaming is not None:
            setup += [f"if status < 300 and isinstance(parsed.get({self.streaming!r}), StreamingBody):",
                      f"    parsed[{self.streaming!r}] = parsed[{self.streaming!r}].read()"]
        setup += [
            "if status >= 301:  # what botocore's Endpoint adds: the error shape's members",
            '    error_shape = model.shape_for_error_code(parsed.get("Error", {}).get("Code"))',
            "    if error_shape is not None:",
            "        parsed.update(parser.parse(response, error_shape))",
        ]
        return imports, setup, "botocore.parsers.ResponseParserError"


class CallableParser:
    """A user's parser: `function(status, headers, body, service, operation) -> dict`."""

    def __init__(self, function: Callable[..., Any], name: str, documented: tuple[type[BaseException], ...],
                 documented_name: str | None, service: str, operation: str) -> None:
        self.function = function
        self.name = name
        self.documented = documented
        self.documented_name = documented_name
        self.service = service
        self.operation = operation

    def __call__(self, response: WireResponse) -> Any:
        return self.function(response.status, dict(response.headers), response.body, self.service, self.operation)

    def snippet_lines(self, context: OperationContext) -> tuple[list[str], list[str], str]:
        module, _, function = self.name.partition(":")
        imports = [f"from {module} import {function}"]
        handled = "()"
        if self.documented_name:
            error_module, _, error_class = self.documented_name.partition(":")
            imports.append(f"from {error_module} import {error_class}")
            handled = error_class
        setup = [f"parsed = {function}(status, headers, body, {context.service!r}, {context.operation!r})"]
        return imports, setup, handled


def _protocol(model: ServiceModel) -> str:
    resolved = getattr(model, "resolved_protocol", None)
    return str(resolved or model.metadata["protocol"])


def default_parser(context: OperationContext) -> BotocoreParser:
    return BotocoreParser(context.model, context.operation)


def load_parser(spec: str, error_spec: str | None, context: OperationContext) -> CallableParser:
    """The plugged parser `module:function` and its documented error `module:Class` (UsageError otherwise)."""
    function = _load(spec, "--parser")
    if not callable(function):
        raise UsageError(f"--parser {spec}: {type(function).__name__} object is not callable")
    documented: tuple[type[BaseException], ...] = ()
    if error_spec:
        error_class = _load(error_spec, "--parser-error")
        if not (isinstance(error_class, type) and issubclass(error_class, BaseException)):
            raise UsageError(f"--parser-error {error_spec}: not an exception class")
        documented = (error_class,)
    return CallableParser(function, spec, documented, error_spec, context.service, context.operation)


def _load(spec: str, option: str) -> Any:
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise UsageError(f"{option} {spec!r}: give module:name, e.g. mypackage.parsing:parse_response")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` would: the user's own modules are importable
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # an ImportError, or any error the module raises while importing
        raise UsageError(f"{option} {spec}: cannot import {module_name!r}: {type(error).__name__}: {error}") from None
    value: Any = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise UsageError(f"{option} {spec}: module {module_name!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    return value
