"""`cassette:PATH`: replay a recorded run offline: every answer comes from the cassette, nothing is sent.

The clients talk to the endpoint the cassette was recorded against (its URL, or AWS's hosts in the recorded
region) inside vcrpy's `use_cassette(record_mode="none")`. Each request is answered before it is sent, with
the first unplayed recorded response whose request matches under the AWS matchers; a request the cassette
does not hold is stopped as `CassetteMiss`: the runner reports it as a `cassette_miss` error finding and ends
the operation there.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.awsrequest import AWSResponse
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
    replays_recording: ClassVar[bool] = True
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
        self._index: _RecordingIndex | None = None

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
        self._index = _RecordingIndex(self._vcr_cassette)

    def stop(self) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = self._vcr_cassette = self._index = None

    def credentials(self) -> dict[str, str]:
        return dict(DUMMY_CREDENTIALS)  # nothing is sent, so nothing needs the user's credentials

    def region(self) -> str:  # type: ignore[override]
        return self._region

    def allows(self, service: str, operation: str) -> bool:
        # A recording from real AWS skipped mutating operations: the replay skips the same ones.
        if self.cassette.recording.get("recorded_against") == "aws" and not self.recorded_run.get("allow_mutating"):
            return is_read_only(operation)
        return True

    def client(self, service: str) -> BaseClient:  # type: ignore[override]
        client = super().client(service)
        # Last, so the runner's capture of the request has run; unique, so one handler per client.
        client.meta.events.register_last("before-send", self._answer, unique_id="conformance-cassette-replay")
        return client

    def _answer(self, request: Any, **_: Any) -> Any:
        """The recorded response to REQUEST, before anything is sent; CassetteMiss when there is none.

        Answered here from an index of the recording (vcrpy would compare each request with every recorded
        one); vcrpy's own patching stays on underneath, so a request that got past would still not be sent.
        """
        from vcr.request import Request

        if self._index is None:
            raise CassetteMiss(f"{self.name} is not started")
        recorded = self._vcr_cassette.filter_request(
            Request(request.method, request.url, request.body, dict(request.headers.items())))
        response = self._index.play(recorded)
        if response is None:
            raise CassetteMiss(describe_miss(self._vcr_cassette, recorded, self.path))
        return _aws_response(request.url, response)


class _RecordingIndex:
    """The interactions of a loaded vcrpy cassette by request key, each played once and in recorded order."""

    def __init__(self, cassette: Any) -> None:
        from conformance.cassettes.matching import request_key

        self.cassette, self.key = cassette, request_key
        self.unplayed: dict[tuple[Any, ...], deque[int]] = {}
        for index, (request, _) in enumerate(cassette.data):
            self.unplayed.setdefault(request_key(request), deque()).append(index)

    def play(self, request: Any) -> dict[str, Any] | None:
        waiting = self.unplayed.get(self.key(request))
        if not waiting:
            return None
        index = waiting.popleft()
        self.cassette.play_counts[index] += 1  # vcrpy's own count, so its diagnosis of a miss knows it
        response: dict[str, Any] = self.cassette.data[index][1]
        return response


class _RecordedBody(io.BytesIO):
    """A recorded body as botocore reads a raw urllib3 response: stream() and read()."""

    def stream(self, amt: int = 2**16, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def _aws_response(url: str, recorded: dict[str, Any]) -> AWSResponse:
    from conformance.cassettes.matching import body_bytes

    headers = {str(name): ", ".join(map(str, values)) if isinstance(values, list | tuple) else str(values)
               for name, values in (recorded.get("headers") or {}).items()
               if str(name).lower() != "transfer-encoding"}  # the body is whole now, as vcrpy plays it
    body = body_bytes((recorded.get("body") or {}).get("string"))
    return AWSResponse(url, int(recorded["status"]["code"]), headers, _RecordedBody(body))


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
