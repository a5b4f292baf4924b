"""Targets: where cases are sent. Each gives botocore clients configured for its endpoint."""

from __future__ import annotations

import functools
from typing import Any

import boto3
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config

from conformance.spec.models import shared_loader
from conformance.targets.throttling import ThrottlingRetries

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_REGION = "us-east-1"


class Target:
    """An endpoint speaking the AWS protocols; subclasses say where it is and how it starts."""

    name = "target"

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
