"""The `--state FILE` of `conformance serve`: resources kept across restarts, never silently lost.

Writes are atomic: the whole document goes to a temporary file in the same directory, is flushed and
fsync'ed, then `os.replace`d over FILE and the directory fsync'ed, so a kill at any moment leaves either the
old or the new document. A file that is not a state document (not JSON, another format, version or service)
is a one-line UsageError (exit 2), never reset. One server at a time: an exclusive lock on `FILE.lock`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from conformance.errors import UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, everything else works
    fcntl = None  # type: ignore[assignment]

FORMAT = "conformance-serve-state"
VERSION = 1


class StateFile:
    """The state document of one served SERVICE at PATH: `load()` once, then `save()` after each change."""

    def __init__(self, path: Path, service: str) -> None:
        self.path = Path(path)
        self.service = service
        self._lock_file: IO[str] | None = None

    # -- lifecycle ----------------------------------------------------------------------------------------

    def open(self) -> dict[str, Any]:
        """Take the lock, remove temporary files a killed server left, and load the resources."""
        self._check_location()
        self._take_lock()
        self._remove_stale_temporaries()
        return self.load()

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the flock
            self._lock_file = None

    def __enter__(self) -> StateFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading and writing ------------------------------------------------------------------------------

    def load(self) -> dict[str, Any]:
        """The saved resources ({} when FILE does not exist yet); UsageError when FILE is not a state file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise UsageError(f"--state {self.path}: cannot read it: {error.strerror or error}") from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise UsageError(f"--state {self.path} is corrupt (not a JSON document: {error}); "
                             "move it away to start with no resources") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise UsageError(f"--state {self.path} is not a conformance serve state file "
                             f"(no \"format\": \"{FORMAT}\"); choose another file")
        if document.get("version") != VERSION:
            raise UsageError(f"--state {self.path} has state format version {document.get('version')!r}; "
                             f"this conformance reads version {VERSION}")
        if document.get("service") != self.service:
            raise UsageError(f"--state {self.path} holds resources of {document.get('service')!r}, "
                             f"not {self.service!r}")
        resources = document.get("resources")
        if not isinstance(resources, dict):
            raise UsageError(f"--state {self.path} is corrupt (\"resources\" is not an object)")
        return resources

    def save(self, resources: dict[str, Any]) -> None:
        """Replace FILE atomically with a document holding RESOURCES."""
        document = {"format": FORMAT, "version": VERSION, "service": self.service,
                    "saved_at": round(time.time(), 3), "resources": resources}
        data = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False).encode("utf-8")
        directory = self.path.parent
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=self._temporary_prefix(), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_directory(directory)

    # -- helpers ------------------------------------------------------------------------------------------

    def _check_location(self) -> None:
        if self.path.is_dir():
            raise UsageError(f"--state {self.path} is a directory, not a file")
        if not self.path.parent.is_dir():
            raise UsageError(f"--state {self.path}: directory {self.path.parent} does not exist")

    def _take_lock(self) -> None:
        if fcntl is None:
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the server's life
        except OSError as error:
            raise UsageError(f"--state {self.path}: cannot create {lock_path}: {error.strerror or error}") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise UsageError(f"--state {self.path} is in use by another conformance serve "
                             f"(lock {lock_path} is held)") from None
        self._lock_file = handle

    def _temporary_prefix(self) -> str:
        return f".{self.path.name}."

    def _remove_stale_temporaries(self) -> None:
        prefix = self._temporary_prefix()
        for candidate in self.path.parent.glob(f"{prefix}*.tmp"):
            with contextlib.suppress(OSError):
                candidate.unlink()


def _fsync_directory(directory: Path) -> None:
    # The rename itself is durable only once the directory is synced (POSIX; a no-op elsewhere).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
