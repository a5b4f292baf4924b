"""`conformance serve` as a child process: started on a free port, its URL read from its first line, stopped
with SIGTERM. For tests and scripts that need the real command (signals, restarts, `--state`)."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

LISTENING = re.compile(r" on (?P<url>https?://\S+) ")


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    url: str
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send SIGNUM and wait for the exit code (the process is killed if it does not stop in TIMEOUT)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)
            raise

    def output(self) -> list[str]:
        """Lines printed on stdout since the URL line (call after `stop`)."""
        found: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=5)
            except queue.Empty:
                return found
            if line is None:
                return found
            found.append(line)


@contextlib.contextmanager
def serve_process(arguments: Sequence[str], *, timeout: float = 60.0,
                  stderr: int | None = subprocess.DEVNULL) -> Iterator[ServeProcess]:
    """`python -m conformance serve ARGUMENTS` (with `--port 0` unless given), running for the block."""
    command = [sys.executable, "-m", "conformance", "serve", *arguments]
    if "--port" not in arguments:
        command += ["--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        url = _wait_for_url(process, lines, timeout)
        running = ServeProcess(process, url, lines)
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_url(process: subprocess.Popen[str], lines: queue.Queue[str | None], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        match = LISTENING.search(line)
        if match:
            return match["url"]
    process.kill()
    process.wait()
    raise RuntimeError(f"conformance serve did not start (exit {process.returncode}): {' | '.join(seen)}")
