"""The threaded HTTP/1.1 server around an `Endpoint`: keep-alive, a body size limit, a clean stop.

Each connection gets a thread (ThreadingHTTPServer). A body larger than `max_body_bytes` is refused with
413 before it is read (also on `Expect: 100-continue`), and the connection closed after a bounded
lingering read of what the client still sends (so that it reads the 413, not a reset). `stop()` stops
accepting, lets the requests in flight finish (up to a grace period), closes idle keep-alive connections
and the socket: what SIGTERM does in `conformance serve`.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from conformance.exchange import HttpRequest, HttpResponse
from conformance.server.endpoint import Endpoint
from conformance.server.fuzz import CASE_HEADER
from conformance.server.judge import JUDGE_PATH, REPORT_PATH

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
IDLE_CONNECTION_SECONDS = 120.0
# How long, and how much, a refused body is still read before its connection closes (see _refuse_body).
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024
RESERVED_PATHS = frozenset({JUDGE_PATH, REPORT_PATH})


class ServeServer(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not keep the process alive
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: Endpoint, *,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, log: TextIO | None = None) -> None:
        self.endpoint = endpoint
        self.max_body_bytes = max_body_bytes
        self.log = log
        self._active = 0
        self._idle = threading.Condition()
        self._connections: set[socket.socket] = set()
        self._stopping = False
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the client dropped (or that stop() shut) is nothing to report; anything else is one
        line on stderr, not socketserver's traceback, and the server goes on."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        print(f"conformance serve: error answering {client_address}: {type(error).__name__}: {error}",
              file=sys.stderr)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"

    # -- requests in flight and open connections ------------------------------------------------------

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def track(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._idle:
            self._connections.discard(connection)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self, grace_seconds: float = 10.0) -> bool:
        """Stop accepting, wait for requests in flight (True when all finished in time), close everything."""
        self._stopping = True
        self.shutdown()
        deadline = time.monotonic() + grace_seconds
        with self._idle:
            while self._active and time.monotonic() < deadline:
                self._idle.wait(timeout=max(0.0, deadline - time.monotonic()))
            finished = self._active == 0
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
        return finished


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "conformance-serve"
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's delayed ACK
    # (about 40 ms a request on Linux).
    disable_nagle_algorithm = True
    timeout = IDLE_CONNECTION_SECONDS
    server: ServeServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _answer(self) -> None:
        """Any method: the judge's two paths are the server's own; everything else is the service's."""
        started = time.perf_counter()
        path = self.path.split("?", 1)[0]
        with self.server.in_flight():
            body = self._read_body()
            if body is None:
                return
            endpoint = self.server.endpoint
            operation: str | None
            if path in RESERVED_PATHS:
                operation = path.rsplit("/", 1)[-1]
                if (self.command, path) == ("POST", JUDGE_PATH):
                    answer = endpoint.judge_answer(body)
                elif (self.command, path) == ("GET", REPORT_PATH):
                    answer = endpoint.report_answer()
                else:
                    answer = endpoint.protocol.plain_error(405, "MethodNotAllowed", f"{self.command} {path}: the "
                                                           f"judge takes POST {JUDGE_PATH}, the report GET "
                                                           f"{REPORT_PATH}")
            else:
                operation, answer = endpoint.handle(self._request(body))
            if self.server.stopping:
                self.close_connection = True
            self._send(answer)
        self._log(operation, answer, started)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _answer

    def _request(self, body: bytes) -> HttpRequest:
        """The request as the endpoint reads it: the URL from the Host header (S3 finds a bucket there) and
        the request target; an absolute target (`GET http://host/path`, as to a proxy) is the URL itself."""
        headers = {name: value for name, value in self.headers.items()}
        if self.path.startswith(("http://", "https://")):
            return HttpRequest(self.command, self.path, headers, body)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return HttpRequest(self.command, f"http://{host}{self.path}", headers, body)

    def handle_expect_100(self) -> bool:
        length = self._declared_length()
        if length is not None and length > self.server.max_body_bytes:
            self._too_large(length)
            return False
        return super().handle_expect_100()

    # -- bodies -------------------------------------------------------------------------------------------

    def _declared_length(self) -> int | None:
        raw = self.headers.get("Content-Length")
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            return -1

    def _read_body(self) -> bytes | None:
        """The request body; None when an error answer was sent instead (and the connection is closing)."""
        limit = self.server.max_body_bytes
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length = self._declared_length()
        if length is None:
            return b""
        if length < 0:
            self._refuse_body(400, "SerializationException", "invalid Content-Length header")
            return None
        if length > limit:
            self._too_large(length)
            return None
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                self._refuse_body(400, "SerializationException", "malformed chunked body")
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > limit:
                self._too_large(total)
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _too_large(self, length: int) -> None:
        message = f"request body of {length} bytes exceeds the limit of {self.server.max_body_bytes} bytes"
        self._refuse_body(413, "RequestEntityTooLargeException", message)

    def _refuse_body(self, status: int, code: str, message: str) -> None:
        """Answer with an error instead of reading the body, then close the connection the way Apache's
        and nginx's lingering close do: stop writing, and drop what the client still sends for a bounded
        time and size. Closing with unread input makes the kernel reset the connection, and a client still
        writing its body would get a broken pipe or a reset instead of this answer."""
        self.close_connection = True
        self._send(self.server.endpoint.protocol.plain_error(status, code, message))
        deadline = time.monotonic() + LINGER_SECONDS
        dropped = 0
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            while dropped < LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                data = self.connection.recv(65536)
                if not data:
                    break  # the client read the answer and closed
                dropped += len(data)

    # -- answers ------------------------------------------------------------------------------------------

    def _send(self, answer: HttpResponse) -> None:
        self.send_response(answer.status)
        declared_length = None
        for name, value in answer.headers.items():
            if name.lower() == "content-length":  # an output member bound to it (S3's ContentLength)
                declared_length = value
                continue
            self.send_header(name, value)
        # One Content-Length: the body's, except that a HEAD answer says the length its GET would have.
        length = declared_length if self.command == "HEAD" and declared_length is not None else len(answer.body)
        self.send_header("Content-Length", str(length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return  # a HEAD answer has the headers of the GET one and no body (RFC 9110 9.3.2)
        with contextlib.suppress(ConnectionError):
            self.wfile.write(answer.body)

    def _log(self, operation: str | None, answer: HttpResponse, started: float) -> None:
        log = self.server.log
        if log is None:
            return
        operation = operation or "-"
        case = answer.header(CASE_HEADER)
        extra = f" case {case}" if case else ""
        elapsed = (time.perf_counter() - started) * 1000
        with contextlib.suppress(ValueError, OSError):
            log.write(f"{operation} {answer.status} {elapsed:.1f}ms{extra}\n")
            log.flush()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _log; the default access log adds nothing


@contextlib.contextmanager
def serve_in_thread(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0, *,
                    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, log: TextIO | None = None) -> Iterator[ServeServer]:
    """SERVER answering with ENDPOINT on HOST:PORT (0: a free port) in a thread; stopped when the block ends."""
    server = ServeServer((host, port), endpoint, max_body_bytes=max_body_bytes, log=log)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="conformance-serve", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=5)
