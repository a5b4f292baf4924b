"""Record the cassettes of this directory again, each against the local endpoint it names.

    python cassettes/record.py                          # every cassette
    python cassettes/record.py moto_server-glue.yaml    # one

Each endpoint is started on 127.0.0.1 at a free port, the run is recorded with `conformance run --record`,
and the endpoint is stopped. Nothing here talks to AWS; see README.md for recording against AWS.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent


@dataclass(frozen=True)
class Cassette:
    name: str
    endpoint: tuple[str, ...]  # the command that serves it; {port} is replaced
    operations: tuple[str, ...]
    arguments: tuple[str, ...] = ("--seed", "1", "--max-examples", "5")


CASSETTES = (
    Cassette("moto_server-glue.yaml",
             ("moto_server", "-H", "127.0.0.1", "-p", "{port}"),
             ("glue:GetMLTransform",)),
    Cassette("conformance-serve-glue-ml.yaml",
             (sys.executable, "-m", "conformance", "serve", "glue", "--host", "127.0.0.1", "--port", "{port}",
              "--seed", "1", "--quiet"),
             ("glue:GetMLTaskRun", "glue:GetMLTransform", "glue:GetMLTransforms")),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def endpoint(command: tuple[str, ...]) -> Iterator[str]:
    port = free_port()
    program = shutil.which(command[0]) or str(Path(sys.executable).parent / command[0])
    argv = [program, *(part.replace("{port}", str(port)) for part in command[1:])]
    process = subprocess.Popen(argv, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"{' '.join(argv)} did not start listening on 127.0.0.1:{port}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def record(cassette: Cassette) -> None:
    path = HERE / cassette.name
    with endpoint(cassette.endpoint) as url:
        command = [sys.executable, "-m", "conformance", "run", *cassette.operations, "--target", url,
                   "--record", str(path.relative_to(PROJECT)), *cassette.arguments]
        done = subprocess.run(command, cwd=PROJECT, stdout=subprocess.DEVNULL, check=False)
    if done.returncode not in (0, 1):  # 1: the endpoint has findings, which is what a recording shows
        raise SystemExit(f"recording {cassette.name} failed with exit code {done.returncode}")


def main(names: list[str]) -> None:
    chosen = [c for c in CASSETTES if not names or c.name in names]
    unknown = set(names) - {c.name for c in CASSETTES}
    if unknown:
        raise SystemExit(f"unknown cassette {sorted(unknown)[0]!r}: known are {', '.join(c.name for c in CASSETTES)}")
    for cassette in chosen:
        record(cassette)


if __name__ == "__main__":
    main(sys.argv[1:])
