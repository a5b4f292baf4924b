"""Targets: where cases are sent. Each gives botocore clients configured for its endpoint."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config

from conformance.exchange import Exchange
from conformance.spec.models import shared_loader
from conformance.targets.throttling import ThrottlingRetries

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_REGION = "us-east-1"


# Said by an endpoint that lacks an operation: moto's NotImplementedError (in process, or in moto_server's
# page) and its "has not been implemented" notes.
NOT_IMPLEMENTED_MARKERS = (b"NotImplementedError", b"has not been implemented", b"not yet implemented")
MOTO_NO_ROUTE = b"Not yet implemented"  # moto's whole answer in process to a URL no backend routes


class Target:
    """An endpoint speaking the AWS protocols; subclasses say where it is and how it starts."""

    name = "target"
    # An embedded mock answers inside botocore (nothing on the wire): reproductions wrap the call in it.
    embedded_mock: ClassVar[bool] = False
    # A replay answers from a recording: nothing new to record, and its cases are the recorded ones.
    replays_recording: ClassVar[bool] = False

    def __init__(self, *, timeout: float = 10.0, allow_mutating: bool = False) -> None:
        self.timeout = timeout
        self.allow_mutating = allow_mutating
        self.endpoint_url: str | None = None

    def __enter__(self) -> Target:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Make the target ready; raise UsageError when it cannot be reached at all."""

    def stop(self) -> None:
        """Release what start took."""

    def reset(self) -> None:
        """Forget the state the cases created, where the target can (an embedded mock); else nothing."""

    def allows(self, service: str, operation: str) -> bool:
        return True

    def not_implemented(self, exchange: Exchange, first: bool) -> str | None:
        """Why EXCHANGE says the target does not implement the operation, or None (see `answer_not_implemented`)."""
        return answer_not_implemented(exchange, first)

    @functools.cached_property
    def session(self) -> boto3.session.Session:
        """One boto3 Session for the target's clients, on the loader derivation uses (one read per model)."""
        core = botocore.session.get_session()
        core.register_component("data_loader", shared_loader())
        return boto3.session.Session(botocore_session=core)

    def credentials(self) -> dict[str, str]:
        # The normal boto3 chain when it finds something; fixed dummy credentials otherwise.
        found = self.session.get_credentials()
        if found is None:
            return dict(DUMMY_CREDENTIALS)
        frozen = found.get_frozen_credentials()
        creds = {"aws_access_key_id": frozen.access_key, "aws_secret_access_key": frozen.secret_key}
        if frozen.token:
            creds["aws_session_token"] = frozen.token
        return creds

    @functools.cache  # noqa: B019 - look the region up once per target
    def region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    @functools.cache  # noqa: B019 - one client per service for the life of the target
    def client(self, service: str) -> BaseClient:
        config = Config(
            parameter_validation=False,  # invalid cases must reach the endpoint as they are
            connect_timeout=self.timeout,
            read_timeout=self.timeout,
            # One attempt: botocore would resend a case answered with 5xx. Throttling is retried by our own
            # handler, bounded and counted (conformance/targets/throttling.py).
            retries={"mode": "standard", "total_max_attempts": 1},
        )
        kwargs: dict[str, Any] = {"region_name": self.region(), "config": config, **self.credentials()}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        client = self.session.client(service, **kwargs)
        ThrottlingRetries.register(client)
        return client


def answer_not_implemented(exchange: Exchange, first: bool) -> str | None:
    """Why EXCHANGE says the target does not implement the operation, or None.

    The in-process mock's NotImplementedError; HTTP 501 (how LocalStack answers an operation it lacks, on
    every protocol); a 500 that says "not implemented"; and moto_server's page for an unimplemented action,
    Werkzeug's generic HTML 500, taken as such only on an operation's FIRST case: an HTML 500 after answers
    that worked is a crash, and a finding.
    """
    if exchange.not_implemented:
        return exchange.not_implemented
    response = exchange.response
    if response is None:
        return None
    if response.status == 501:
        return f"HTTP 501 {response.body[:120].decode('utf-8', 'replace')}"
    if response.status == 500 and any(marker in response.body for marker in NOT_IMPLEMENTED_MARKERS):
        return "HTTP 500: the endpoint says the operation is not implemented"
    if first and response.status == 500 and "html" in (response.header("content-type") or ""):
        return "HTTP 500 with an HTML page on the first call (how moto_server answers an unimplemented action)"
    if first and response.status == 404 and (response.body.strip() == MOTO_NO_ROUTE
                                             or "html" in (response.header("content-type") or "")):
        # The rest protocols' operations are URLs: moto routes none for an action it lacks, and answers
        # "Not yet implemented" in process, Werkzeug's HTML 404 page over HTTP.
        return "HTTP 404 with no route for the operation on the first call (how moto answers an unimplemented " \
               "action of a rest protocol)"
    return None
