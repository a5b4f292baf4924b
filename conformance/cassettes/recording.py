"""`conformance run --record PATH`: vcrpy records every exchange of the run and writes it as its cassette.

vcrpy does the recording and the writing (its HTTP patching, its Cassette, its serializer); we plug in the
parts vcrpy makes swappable: a filter and redaction hooks, the AWS matchers, a serializer that adds what the
run was (top-level `conformance:` key, ignored by vcrpy and pytest-recording), and a persister that starts a
fresh cassette and replaces the file atomically, only when the run ends normally.
"""

from __future__ import annotations

import contextlib
import hashlib
import shlex
import sys
import unicodedata
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Any

import botocore
import hypothesis
from vcr import VCR
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.serialize import serialize
from vcr.serializers import jsonserializer

from conformance import __version__
from conformance.cases import Case
from conformance.cassettes.identify import facts_of, host_labels
from conformance.cassettes.reading import RECORDING_KEY, CassetteError, read_cassette, serializer_for
from conformance.cassettes.recorded_cases import CASE_KEY, RecordedCase
from conformance.cassettes.redaction import Redactor
from conformance.errors import UsageError
from conformance.exchange import Exchange
from conformance.runner import RunOptions
from conformance.spec.models import load_service, raw_model
from conformance.spec.writer import atomic_write
from conformance.targets.base import Target

SERIALIZER_NAME = "conformance"
# The modules of conformance that decide which cases a seed gives, and in what order.
GENERATION_MODULES = ("cases.py", "runner.py", "determinism.py")


def check_record_path(path: Path, force: bool) -> None:
    """Refuse to overwrite a file that is not a cassette of ours, unless FORCE."""
    if path.is_dir():
        raise UsageError(f"--record {path}: is a directory; give a cassette file such as {path / 'run.yaml'}")
    if not path.exists() or force:
        return
    try:
        ours = read_cassette(path).ours
    except CassetteError:
        ours = False
    if not ours:
        raise UsageError(f"--record {path}: the file exists and is not a cassette conformance recorded; "
                         "pass --force to replace it")


def check_recordable(target: Target) -> None:
    if target.embedded_mock:
        raise UsageError("--record needs traffic on the wire, and in-process moto answers inside botocore: "
                         "start `moto_server -H 127.0.0.1 -p 5000` and use --target http://127.0.0.1:5000")
    if target.replays_recording:
        raise UsageError("--record with a cassette target: a replay sends nothing new to record")


def generator_fingerprint() -> str:
    """A digest of what turns a seed into requests, besides the run's arguments.

    That is the Hypothesis version, the Unicode database, the `strategies` package and the modules that make
    and order cases (`conformance/cases.py`, `runner.py`). Other local modules no longer count: the pin in
    `conformance.determinism` keeps Hypothesis from drawing literals out of them. A cassette that carries
    its cases does not need this at all; it explains a miss in a cassette recorded without them.
    """
    digest = hashlib.sha256(f"{hypothesis.__version__} {unicodedata.unidata_version}".encode())
    import conformance
    import strategies

    files = {path.resolve() for folder in getattr(strategies, "__path__", []) if Path(folder).is_dir()
             for path in Path(folder).glob("*.py")}
    package = Path(conformance.__file__).resolve().parent
    files.update(package / name for name in GENERATION_MODULES)
    for file in sorted(files):
        with contextlib.suppress(OSError):
            digest.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


def recording_info(target: Target, options: RunOptions, operations: list[tuple[str, str]], path: Path, *,
                   redact_account: bool, resources: bool = True) -> dict[str, Any]:
    """What the run was, so it can be replayed and the cassette explained: written under `conformance:`."""
    names = [f"{service}:{operation}" for service, operation in operations]
    arguments = ["--seed", str(options.seed), "--max-examples", str(options.max_examples)]
    if options.strict:
        arguments.append("--strict")
    if set(options.checks) != set(_all_checks()):
        arguments += ["--checks", ",".join(options.checks)]
    for name, values in options.examples.items():
        arguments += [arg for value in values for arg in ("--example", f"{name}={_example_text(value)}")]
    if not resources:
        arguments.append("--no-resources")
    replay = ["conformance", "run", *names, "--target", f"cassette:{path}", *arguments]
    again = ["conformance", "run", *names, "--target", target.name, "--record", str(path), *arguments]
    if target.allow_mutating:
        again.append("--allow-mutating")
    return {
        "recorded_by": f"conformance {__version__}",
        "recorded_against": target.name,
        "endpoint_url": target.endpoint_url,
        "region": target.region(),
        "redact_account": redact_account,
        "run": {"operations": names, "seed": options.seed, "max_examples": options.max_examples,
                "checks": list(options.checks), "strict": options.strict, "examples": options.examples,
                "max_seconds": options.max_seconds, "allow_mutating": target.allow_mutating,
                "resources": resources},
        "replay": shlex.join(replay),
        "record_again": shlex.join(again),
        "versions": {"botocore": botocore.__version__, "hypothesis": hypothesis.__version__,
                     "generator": generator_fingerprint()},
    }


def _all_checks() -> list[str]:
    from conformance.checks import CHECKS

    return list(CHECKS)


def _example_text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value)


class _RecordingSerializer:
    """vcrpy's serializer for the file's suffix, plus our top-level `conformance:` key and each interaction's
    case (CASES: by the interaction's index)."""

    def __init__(self, base: Any, info: dict[str, Any], cases: dict[int, dict[str, Any]]) -> None:
        self.base, self.info, self.cases = base, info, cases

    def serialize(self, cassette_dict: dict[str, Any]) -> str:
        interactions = [{**interaction, CASE_KEY: self.cases[index]} if index in self.cases else interaction
                        for index, interaction in enumerate(cassette_dict.get("interactions", []))]
        text: str = self.base.serialize({RECORDING_KEY: self.info, **cassette_dict, "interactions": interactions})
        if self.base is jsonserializer:
            return text
        replay = str(self.info["replay"]).replace("\n", " ")
        return f"# Recorded by conformance; replay: {replay}\n{text}"

    def deserialize(self, text: str) -> Any:
        return self.base.deserialize(text)


class _FreshAtomicPersister:
    """Starts every recording empty; writes the whole cassette at once, so a reader never sees half of it."""

    @staticmethod
    def load_cassette(cassette_path: str, serializer: Any) -> Any:
        raise CassetteNotFoundError()

    @staticmethod
    def save_cassette(cassette_path: str, cassette_dict: dict[str, Any], serializer: Any) -> None:
        atomic_write(Path(cassette_path), serialize(cassette_dict, serializer))


class Recording:
    """A context manager around a run: vcrpy records what the run's clients send to TARGET, then writes PATH."""

    def __init__(self, path: Path, target: Target, info: dict[str, Any], *, redact_account: bool = False) -> None:
        self.path, self.target, self.info = path, target, info
        self.redactor = Redactor(_secrets(target), redact_account)
        self.recorded = 0
        self.cases: dict[int, dict[str, Any]] = {}  # interaction index -> the case sent in it
        self._context: Any = None
        self._cassette: Any = None
        self._prefixes = _service_prefixes(info["run"]["operations"])

    def keep(self, request: Any) -> Any:
        """Only the run's own traffic: to the target's URL, or (real AWS) to the run's services' hosts.

        The credential chain's own calls (instance metadata, STS) are not part of the run.
        """
        parts = urllib.parse.urlsplit(request.uri)
        if self.target.endpoint_url:
            endpoint = urllib.parse.urlsplit(self.target.endpoint_url)
            same = (parts.scheme, parts.hostname, parts.port or _default_port(parts.scheme)) == (
                endpoint.scheme, endpoint.hostname, endpoint.port or _default_port(endpoint.scheme))
            return request if same else None
        return request if set(host_labels(parts.hostname or "")) & self._prefixes else None

    def note(self, service: str, operation: str, case: Case, params: Any, exchange: Exchange) -> None:
        """The runner's `on_sent`: CASE was just answered, so the last interaction vcrpy recorded is its own.

        Calls are sequential in a recording (no workers), and vcrpy records an interaction as its response is
        read, before the call returns; a case whose request was not recorded leaves nothing to attach to.
        """
        index = len(self._cassette.data) - 1 if self._cassette is not None else -1
        if index < 0 or index in self.cases:
            return
        self.cases[index] = RecordedCase(service, operation, case, params).as_json(self.redactor.string)

    def __enter__(self) -> Recording:
        # A fresh recording in mode "all" never plays back, and no matcher decides anything; with none, vcrpy
        # does not compare each new request with every recorded one (quadratic in the run's length).
        vcr = VCR(record_mode="all", match_on=(), record_on_exception=False,
                  before_record_request=(self.keep, self.redactor.request),
                  before_record_response=self.redactor.response)
        vcr.register_serializer(SERIALIZER_NAME, _RecordingSerializer(serializer_for(self.path), self.info,
                                                                      self.cases))
        vcr.register_persister(_FreshAtomicPersister)
        self._context = vcr.use_cassette(str(self.path), serializer=SERIALIZER_NAME)
        self._cassette = self._context.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.recorded = len(self._cassette.data)
        self._context.__exit__(kind, error, traceback)
        if kind is not None:
            if not issubclass(kind, UsageError):  # a usage error says it all in its own one line
                print(f"conformance: the run did not finish: {self.path} was not written", file=sys.stderr)
        elif self.recorded == 0:
            print(f"conformance: nothing was sent to the target, so {self.path} was not written", file=sys.stderr)
        else:
            print(f"recorded {self.recorded} interactions to {self.path}", file=sys.stderr)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _secrets(target: Target) -> list[str]:
    """The credentials the run's clients sign with: their literal values are replaced wherever they show up."""
    values = list(target.credentials().values())
    found = target.session.get_credentials()
    if found is not None:
        frozen = found.get_frozen_credentials()
        values += [frozen.access_key, frozen.secret_key, frozen.token or ""]
    return [value for value in values if value]


def _service_prefixes(operations: list[str]) -> set[str]:
    prefixes: set[str] = set()
    for name in operations:
        service = name.partition(":")[0]
        prefixes.add(service)
        prefixes.update(facts_of(raw_model(load_service(service)), service).prefixes)
    return prefixes
