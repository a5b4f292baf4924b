"""Any endpoint speaking the AWS protocols at a URL: moto_server, LocalStack, `conformance serve`, ..."""

from __future__ import annotations

import socket
import urllib.parse
from typing import Any

from conformance.errors import UsageError
from conformance.targets.base import Target


class UrlTarget(Target):
    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise UsageError(f"target {url!r} is not an http(s)://host:port URL")
        self.endpoint_url = url.rstrip("/")
        self.name = self.endpoint_url
        self._address = (parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))

    def start(self) -> None:
        try:
            with socket.create_connection(self._address, timeout=min(self.timeout, 5.0)):
                pass
        except OSError as error:
            raise UsageError(f"target {self.endpoint_url} is unreachable: {error.strerror or error}") from None
