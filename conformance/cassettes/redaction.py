"""Secrets never reach a cassette: vcrpy's before_record_request / before_record_response hooks that remove them.

Removed from requests: the signature and credential headers (`Authorization`, `X-Amz-Security-Token`,
`X-Amz-Credential`, ...), credential parameters of presigned URLs and SigV2 forms. From everything (URL,
headers and bodies of requests and responses): the literal values of the credentials the run used, and the
members of responses that carry credentials (`SecretAccessKey`, `SessionToken`, ... in JSON or XML).
With `redact_account`, every 12-digit account id (ARNs, queue URLs, `AccountId` members) becomes
123456789012: the same length and all digits, so a redacted response keeps its shape.

Replay applies the same request hooks (vcrpy runs them before matching), so redacted recordings still match.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from conformance.cassettes.matching import CREDENTIAL_PARAMETERS, FORM_TYPE, body_bytes
from conformance.exchange import SECRET_HEADERS
from conformance.targets.base import DUMMY_CREDENTIALS

PLACEHOLDER = "REDACTED"
ACCOUNT_PLACEHOLDER = "123456789012"
ACCOUNT_ID = re.compile(rb"(?<![0-9A-Za-z])[0-9]{12}(?![0-9A-Za-z])")
SECRET_MEMBERS = ("SecretAccessKey", "SecretKey", "SessionToken", "secretAccessKey", "sessionToken",
                  "secretKey", "AccessKeySecret")
JSON_SECRET = re.compile(rb'("(?:' + "|".join(SECRET_MEMBERS).encode() + rb')"\s*:\s*")(?:[^"\\]|\\.)*(")')
XML_SECRET = re.compile(rb"(<(" + "|".join(SECRET_MEMBERS).encode() + rb")>)[^<]*(</\2>)")
# Shorter values are not credentials (AWS access keys have 16 or more characters); the dummy ones are public.
MIN_SECRET_LENGTH = 16


class Redactor:
    """The redaction of one recording: the credentials in use, and whether account ids go too."""

    def __init__(self, secrets: Iterable[str] = (), redact_account: bool = False) -> None:
        dummies = set(DUMMY_CREDENTIALS.values())
        chosen = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH and s not in dummies}
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = tuple(sorted(chosen, key=len, reverse=True))
        self.redact_account = redact_account

    def text(self, data: bytes) -> bytes:
        for secret in self.secrets:
            for form in {secret.encode(), urllib.parse.quote(secret, safe="").encode()}:
                data = data.replace(form, PLACEHOLDER.encode())
        data = JSON_SECRET.sub(rb"\1" + PLACEHOLDER.encode() + rb"\2", data)
        data = XML_SECRET.sub(rb"\1" + PLACEHOLDER.encode() + rb"\3", data)
        if self.redact_account:
            data = ACCOUNT_ID.sub(ACCOUNT_PLACEHOLDER.encode(), data)
        return data

    def string(self, value: str) -> str:
        """VALUE without the recording's secrets (and account ids, when asked)."""
        return self._str(value)

    def _str(self, value: Any) -> str:
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return self.text(str(value).encode("utf-8")).decode("utf-8")

    def request(self, request: Any) -> Any:
        """vcrpy's before_record_request: REQUEST (a copy vcrpy made) without secrets."""
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            if str(name).lower() in SECRET_HEADERS:
                continue
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            headers[str(name)] = self._str(value)
        request.headers = headers
        request.uri = self._str(_without_credential_parameters(request.uri))
        body = request.body
        if body is not None:
            raw = body_bytes(body)
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
            if FORM_TYPE in content_type.lower():
                raw = _form_without_credentials(raw)
            request.body = self.text(raw)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy's before_record_response: RESPONSE (a copy vcrpy made) without secrets."""
        headers = response.get("headers") or {}
        response["headers"] = {
            name: [self._str(v) for v in (values if isinstance(values, list | tuple) else [values])]
            for name, values in headers.items() if str(name).lower() not in SECRET_HEADERS
        }
        body = response.get("body") or {}
        if body.get("string") is not None:
            body["string"] = self.text(body_bytes(body["string"]))
        return response


def _without_credential_parameters(uri: str) -> str:
    parts = urllib.parse.urlsplit(uri)
    if not parts.query:
        return uri
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in CREDENTIAL_PARAMETERS]
    if len(kept) == len(pairs):
        return uri
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


def _form_without_credentials(body: bytes) -> bytes:
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in CREDENTIAL_PARAMETERS]
    if len(kept) == len(pairs):
        return body
    return urllib.parse.urlencode(kept).encode("utf-8")
