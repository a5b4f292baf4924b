"""Write schema documents to a directory as DIR/SERVICE/OPERATION.json plus DIR/index.json."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.errors import UsageError
from conformance.spec.derive import Schema, ServiceDeriver
from conformance.spec.models import botocore_version, load_service

INDEX_NAME = "index.json"
GENERATED_MARK = "x-aws-botocore-version"


def dumps(schema: Schema) -> str:
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def write_documents(out: Path, service: str, operations: Iterable[str] | None = None,
                    *, force: bool = False, regenerate: str | None = None) -> list[Path]:
    """Derive and write OPERATIONS (default: all) of SERVICE; returns the paths written."""
    deriver = ServiceDeriver(load_service(service, cached=False))
    names = list(operations) if operations is not None else deriver.operation_names()
    documents = {name: deriver.document(name) for name in names}  # derive all first: fail before writing
    written: list[Path] = []
    for name, document in documents.items():
        path = out / service / f"{name}.json"
        _refuse_foreign_file(path, force)
        atomic_write(path, dumps(document))
        written.append(path)
    _update_index(out, service, deriver, names, force, regenerate)
    return written


def _update_index(out: Path, service: str, deriver: ServiceDeriver, names: list[str], force: bool,
                  regenerate: str | None) -> None:
    path = out / INDEX_NAME
    index: dict[str, Any] = {}
    if path.exists():
        index = _read_json(path)
        if GENERATED_MARK not in index and not force:
            raise UsageError(f"{path} exists and is not a conformance index; use --force to replace it")
    index[GENERATED_MARK] = botocore_version()
    if regenerate:
        index["regenerate"] = regenerate
    services: dict[str, Any] = index.setdefault("services", {})
    entry = services.setdefault(service, {"operations": {}})
    entry["protocol"] = deriver.protocol
    entry["api-version"] = deriver.raw["metadata"].get("apiVersion")
    entry["operations"].update({name: f"{service}/{name}.json" for name in names})
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
