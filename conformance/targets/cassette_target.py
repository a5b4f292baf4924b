"""`cassette:PATH`: replay a recorded run offline. vcrpy answers every request; nothing reaches the network.

The clients talk to the endpoint the cassette was recorded against (its URL, or AWS's hosts in the recorded
region) inside vcrpy's `use_cassette(record_mode="none")`, matched with the AWS matchers. A request the
cassette does not hold is stopped before it is sent, as `CassetteMiss`: the runner reports it as a
`cassette_miss` error finding and ends the operation there.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.client import BaseClient

from conformance.cassettes.identify import AWS_DOMAINS, CREDENTIAL_SCOPE
from conformance.cassettes.miss import CassetteMiss
from conformance.errors import UsageError
from conformance.targets.aws_target import is_read_only
from conformance.targets.base import DEFAULT_REGION, DUMMY_CREDENTIALS, Target

if TYPE_CHECKING:
    from conformance.cassettes.reading import CassetteFile

REGION_LABEL = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class CassetteTarget(Target):
    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not path:
            raise UsageError("target cassette: needs a path, e.g. cassette:cassettes/glue.yaml")
        try:
            from conformance.cassettes.reading import read_cassette
        except ImportError:
            raise UsageError("target cassette: needs vcrpy: pip install vcrpy") from None
        self.path = Path(path)
        self.name = f"cassette:{path}"
        self.cassette: CassetteFile = read_cassette(self.path)  # a broken file is a one-line usage error
        if not self.cassette.interactions:
            raise UsageError(f"{self.path}: the cassette holds no interaction to replay")
        recording = self.cassette.recording
        first = self.cassette.interactions[0].request
        if recording:
            self.endpoint_url = recording.get("endpoint_url")
        elif not _is_aws_host(first.host or ""):
            parts = urllib.parse.urlsplit(first.uri)
            self.endpoint_url = f"{parts.scheme}://{parts.netloc}"
        self._region = str(recording.get("region") or _recorded_region(self.cassette) or DEFAULT_REGION)
        self._context: Any = None
        self._vcr_cassette: Any = None

    @property
    def recorded_run(self) -> dict[str, Any]:
        """The arguments of the recorded run (empty for a cassette conformance did not record)."""
        run = self.cassette.recording.get("run")
        return run if isinstance(run, dict) else {}

    def start(self) -> None:
        from vcr import VCR

        from conformance.cassettes.matching import AWS_MATCH_ON, register_matchers
        from conformance.cassettes.redaction import Redactor

        # The same request hooks as the recording ran, so redacted requests still match their recording.
        redactor = Redactor(redact_account=bool(self.cassette.recording.get("redact_account")))
        vcr = VCR(record_mode="none", match_on=AWS_MATCH_ON, before_record_request=redactor.request)
        register_matchers(vcr)
        self._context = vcr.use_cassette(str(self.path))
        self._vcr_cassette = self._context.__enter__()

    def stop(self) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = self._vcr_cassette = None

    def credentials(self) -> dict[str, str]:
        return dict(DUMMY_CREDENTIALS)  # nothing is sent, so nothing needs the user's credentials

    def region(self) -> str:
        return self._region

    def allows(self, service: str, operation: str) -> bool:
        # A recording from real AWS skipped mutating operations: the replay skips the same ones.
        if self.cassette.recording.get("recorded_against") == "aws" and not self.recorded_run.get("allow_mutating"):
            return is_read_only(operation)
        return True

    def client(self, service: str) -> BaseClient:  # type: ignore[override]
        client = super().client(service)
        # Last, so the runner's capture of the request has run; unique, so one guard per client.
        client.meta.events.register_last("before-send", self._guard, unique_id="conformance-cassette-replay")
        return client

    def _guard(self, request: Any, **_: Any) -> None:
        """Stop a request the cassette cannot answer before it is sent, with why it does not match."""
        from vcr.request import Request

        if self._vcr_cassette is None:
            raise CassetteMiss(f"{self.name} is not started")
        recorded = Request(request.method, request.url, request.body, dict(request.headers.items()))
        if not self._vcr_cassette.can_play_response_for(recorded):
            raise CassetteMiss(describe_miss(self._vcr_cassette, recorded, self.path))


def describe_miss(cassette: Any, request: Any, path: Path) -> str:
    """One sentence: which request the cassette cannot answer, and why (vcrpy's own diagnosis)."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    diagnosis = CannotOverwriteExistingCassetteException(cassette=cassette, failed_request=request)
    target = request.headers.get("X-Amz-Target")
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    what = f"{request.method} {request.uri}" + (f" ({target})" if target else "")
    if diagnosis.reason == "already_played":
        why = "the recorded interactions it matches were all played already (this run sends it more often)"
    elif diagnosis.reason == "no_match" and diagnosis.similar_requests:
        differing = sorted({name for _, _, failed in diagnosis.similar_requests for name, _ in failed})
        why = f"no recorded request matches it (the closest differ in {', '.join(differing)})"
    else:
        why = "nothing like it is recorded"
    return (f"{path} holds no response for {what}: {why}; replay with the recorded --seed and arguments, "
            "or record again")


def _is_aws_host(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in AWS_DOMAINS)


def _recorded_region(cassette: CassetteFile) -> str | None:
    """The region of a foreign cassette: the SigV4 scope if it kept Authorization, else its AWS host."""
    for interaction in cassette.interactions:
        request = interaction.request
        authorization = request.headers.get("Authorization") or ""
        if isinstance(authorization, bytes):
            authorization = authorization.decode("latin-1")
        scope = CREDENTIAL_SCOPE.search(str(authorization))
        if scope:
            return scope.group(1)
        for label in (request.host or "").split("."):
            if REGION_LABEL.match(label):
                return label
    return None
