"""Write schema documents to a directory as DIR/SERVICE/OPERATION.json plus DIR/index.json."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.spec.derive import Schema, ServiceDeriver
from conformance.spec.models import botocore_version, load_service

INDEX_NAME = "index.json"
GENERATED_MARK = "x-aws-botocore-version"


# Scalars and empty containers as json.dumps writes them: strings through its C function, the rest (floats
# with NaN and Infinity among them) through its encoder.
_string = json.encoder.encode_basestring
_other = json.JSONEncoder(ensure_ascii=False).encode


DefsText = dict[str, tuple[Schema, str]]  # shape name -> (its schema, its text as a `$defs` entry)


def dumps(schema: Schema, defs_text: DefsText | None = None) -> str:
    """SCHEMA exactly as `json.dumps(schema, indent=1, ensure_ascii=False)` writes it, plus a newline.

    json's C encoder cannot indent (before Python 3.14), and its pure-Python one, a generator per
    container, made writing all 20,027 documents cost more than deriving them; this builds the same text
    in one list with a plain recursion and the C encoder for every scalar.

    DEFS_TEXT, shared by the documents of one service, remembers each `$defs` entry's text: the operations
    of a service share most of their shapes, and encoding each shape once per service rather than once per
    document halves `spec --all`. An entry is reused only for the very schema object it was made from.
    """
    parts: list[str] = []
    try:
        if defs_text is None or not isinstance(schema.get("$defs"), dict):
            _encode(schema, parts, "\n")
        else:
            _encode_document(schema, parts, defs_text)
    except _Unusual:
        return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"
    parts.append("\n")
    return "".join(parts)


def _encode_document(document: Schema, parts: list[str], defs_text: DefsText) -> None:
    """A document as `_encode` writes it, each `$defs` entry's text taken from DEFS_TEXT when it is there."""
    separator = "{\n "
    for key, item in document.items():
        if not isinstance(key, str):
            raise _Unusual
        parts.append(separator)
        parts.append(_string(key))
        parts.append(": ")
        if key == "$defs" and item:
            _encode_defs(item, parts, defs_text)
        else:
            _encode(item, parts, "\n ")
        separator = ",\n "
    parts.append("\n}" if document else "{}")


def _encode_defs(defs: dict[str, Any], parts: list[str], defs_text: DefsText) -> None:
    separator = "{\n  "
    for name, shape in defs.items():
        if not isinstance(name, str):
            raise _Unusual
        parts.append(separator)
        parts.append(_string(name))
        parts.append(": ")
        known = defs_text.get(name)
        if known is None or known[0] is not shape:
            shape_parts: list[str] = []
            _encode(shape, shape_parts, "\n  ")
            known = defs_text[name] = (shape, "".join(shape_parts))
        parts.append(known[1])
        separator = ",\n  "
    parts.append("\n }")


class _Unusual(Exception):
    """A value json would write in its own way (a key that is not a string): json.dumps writes it whole."""


def _encode(value: Any, parts: list[str], newline: str) -> None:
    if isinstance(value, dict) and value:
        inner = newline + " "
        separator = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            # Appends, not `parts += (...)`: a tuple per member is a tracked allocation, and the collections
            # it set off scanned the whole loaded model each time.
            parts.append(separator)
            parts.append(_string(key))
            parts.append(": ")
            _encode(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple) and value:
        inner = newline + " "
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _encode(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, str):
        parts.append(_string(value))
    elif value is True or value is False or value is None:
        parts.append("true" if value else "false" if value is False else "null")
    elif type(value) is int:
        parts.append(int.__repr__(value))
    else:
        parts.append(_other(value))


@dataclass
class IndexEntry:
    """What index.json says of one service whose documents were written."""

    service: str
    protocol: str
    api_version: str | None
    operations: list[str]


def write_documents(out: Path, service: str, operations: Iterable[str] | None = None,
                    *, force: bool = False, regenerate: str | None = None) -> list[Path]:
    """Derive and write OPERATIONS (default: all) of SERVICE, and its entry in the index; the paths written."""
    check_index(out, force)
    written, entry = write_service_documents(out, service, operations, force=force)
    update_index(out, [entry], regenerate)
    return written


def write_service_documents(out: Path, service: str, operations: Iterable[str] | None = None,
                            *, force: bool = False) -> tuple[list[Path], IndexEntry]:
    """Derive and write OPERATIONS (default: all) of SERVICE, leaving the index to `update_index` (written once
    for many services: rewriting the whole index after each of 445 services cost a fifth of `--all`)."""
    deriver = ServiceDeriver(load_service(service, cached=False))
    names = list(operations) if operations is not None else deriver.operation_names()
    documents = {name: deriver.document(name) for name in names}  # derive all first: fail before writing
    written: list[Path] = []
    defs_text: DefsText = {}
    for name, document in documents.items():
        path = out / service / f"{name}.json"
        _refuse_foreign_file(path, force)
        atomic_write(path, dumps(document, defs_text))
        written.append(path)
    return written, IndexEntry(service, deriver.protocol, deriver.raw["metadata"].get("apiVersion"), names)


def check_index(out: Path, force: bool) -> None:
    """Refuse, before anything is written, an index.json under OUT that conformance did not write."""
    path = out / INDEX_NAME
    if path.exists() and GENERATED_MARK not in _read_json(path) and not force:
        raise UsageError(f"{path} exists and is not a conformance index; use --force to replace it")


def update_index(out: Path, entries: Iterable[IndexEntry], regenerate: str | None) -> None:
    path = out / INDEX_NAME
    index: dict[str, Any] = {}
    if path.exists():
        index = _read_json(path)
        if GENERATED_MARK not in index:
            index = {}  # check_index let it through: --force
    index[GENERATED_MARK] = botocore_version()
    if regenerate:
        index["regenerate"] = regenerate
    services: dict[str, Any] = index.setdefault("services", {})
    for written in entries:
        entry = services.setdefault(written.service, {"operations": {}})
        entry["protocol"] = written.protocol
        entry["api-version"] = written.api_version
        entry["operations"].update({name: f"{written.service}/{name}.json" for name in written.operations})
        entry["operations"] = dict(sorted(entry["operations"].items()))
    index["services"] = dict(sorted(services.items()))
    atomic_write(path, json.dumps(index, indent=1) + "\n")


def _refuse_foreign_file(path: Path, force: bool) -> None:
    """Replace earlier generated documents freely, but never a user's own file without --force."""
    if force or not path.exists():
        return
    try:
        existing = _read_json(path)
    except UsageError:
        existing = {}
    if GENERATED_MARK not in existing:
        raise UsageError(f"{path} exists and is not a generated schema document; use --force to replace it")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    return data if isinstance(data, dict) else {}


def atomic_write(path: Path, text: str) -> None:
    """Write PATH whole or not at all (a temporary file renamed over it). The file gets the permissions a
    plain open() would give: those of the file it replaces, else 0666 less the umask (mkstemp's own 0600
    would hide reports from the CI job or colleague that reads them)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
