"""Test helpers: a real FluenzR server, a proxy that fails on purpose, a webhook receiver."""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]


def fluenzr_bin() -> str:
    return os.environ.get("FLUENZR_BIN") or str(REPO_ROOT / "target" / "debug" / "fluenzr")


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Server:
    """``fluenzr serve`` on a fresh SQLite database in ``directory``, on a free port."""

    def __init__(self, directory: Path, **env: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.database_url = f"sqlite://{directory / 'fluenzr.db'}?mode=rwc"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "FLUENZR_ADDR": "127.0.0.1:0",
            "FLUENZR_ALLOW_PRIVATE_HOSTS": "true",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
            **env,
        }
        self.api_key = self.create_workspace("SDK tests", "pro")
        self._stdout = open(directory / "stdout.log", "wb")
        self._stderr = open(directory / "stderr.log", "wb")
        self.process = subprocess.Popen(
            [fluenzr_bin(), "serve"], env=self.env, stdout=self._stdout, stderr=self._stderr
        )
        atexit.register(self.stop)  # also when the session ends without its fixtures' teardown
        self.url = wait_until(self._listening, 30, "the server to listen")
        wait_until(self._healthy, 30, "the server to be healthy")

    def create_workspace(self, name: str, plan: str) -> str:
        out = subprocess.run(
            [fluenzr_bin(), "workspace", "create", "--name", name, "--plan", plan],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        api_key: str = json.loads(out.stdout)["apiKey"]
        return api_key

    def _listening(self) -> Optional[str]:
        if self.process.poll() is not None:
            raise AssertionError(
                "fluenzr serve exited: " + (self.directory / "stderr.log").read_text()[-2000:]
            )
        for line in (self.directory / "stdout.log").read_text().splitlines():
            if "listening on " in line:
                return line.split("listening on ", 1)[1].strip()
        return None

    def _healthy(self) -> bool:
        try:
            return httpx.get(self.url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self._stdout.closed:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stdout.close()
        self._stderr.close()


class _Background(ThreadingHTTPServer):
    daemon_threads = True

    def start(self) -> str:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class FlakyProxy:
    """Forwards requests to ``upstream``, but the first ``failures`` go wrong on purpose.

    ``mode``: ``"drop"`` forwards the request (the server does the work), then closes the
    client's connection without an answer; ``"502"`` forwards it, then answers 502;
    ``"refuse"`` closes the connection without forwarding; ``"429"`` answers 429 with
    ``Retry-After: 1`` without forwarding; ``"slow"`` waits 2 s, then forwards.
    """

    def __init__(self, upstream: str, mode: str, failures: int = 1) -> None:
        self.upstream = upstream
        self.mode = mode
        self.failures = failures
        self.seen: List[Tuple[str, str, Dict[str, str]]] = []
        self.bodies: List[bytes] = []
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection", "content-length")
                }
                attempt = len(proxy.seen)
                proxy.seen.append((self.command, self.path, headers))
                proxy.bodies.append(body)
                failing = attempt < proxy.failures
                if failing and proxy.mode == "refuse":
                    return self._drop()
                if failing and proxy.mode == "429":
                    return self._answer(429, {"Retry-After": "1"}, b"slow down")
                if failing and proxy.mode == "slow":
                    time.sleep(2)
                answer = httpx.request(
                    self.command, proxy.upstream + self.path, headers=headers, content=body
                )
                proxy.forwarded += 1
                if failing and proxy.mode == "drop":
                    return self._drop()
                if failing and proxy.mode == "502":
                    return self._answer(502, {"Content-Type": "text/plain"}, b"Bad Gateway")
                keep = {
                    k: v
                    for k, v in answer.headers.items()
                    if k.lower()
                    not in ("content-length", "transfer-encoding", "connection", "content-encoding")
                }
                self._answer(answer.status_code, keep, answer.content)

            def _drop(self) -> None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

            def _answer(self, status: int, headers: Dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Background(("127.0.0.1", 0), Handler)
        self.url = self._server.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class WebhookReceiver:
    """An HTTP endpoint that records every delivery (headers and the raw body)."""

    def __init__(self) -> None:
        self.deliveries: List[Tuple[Dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    receiver.deliveries.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Background(("127.0.0.1", 0), Handler)
        self.url = self._server.start() + "/fluenzr"

    def wait_for(self, predicate: Callable[[Dict[str, Any]], bool], timeout: float = 30):
        """The first delivery whose JSON body satisfies ``predicate``: (headers, body)."""

        def find() -> Optional[Tuple[Dict[str, str], bytes]]:
            with self._lock:
                for headers, body in self.deliveries:
                    if predicate(json.loads(body)):
                        return headers, body
            return None

        return wait_until(find, timeout, "a webhook delivery")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class SmtpSink:
    """An SMTP server on loopback that accepts every email (AUTH PLAIN, no TLS) and keeps each
    as transmitted (dot-stuffing undone)."""

    def __init__(self) -> None:
        self.received: List[str] = []
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self.port: int = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 sink ESMTP\r\n")
            data: Optional[List[str]] = None
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if data is not None:
                    if line == ".":
                        with self._lock:
                            self.received.append("".join(data))
                        data = None
                        conn.sendall(b"250 2.0.0 queued\r\n")
                    else:
                        data.append((line[1:] if line.startswith(".") else line) + "\r\n")
                    continue
                verb = line.split(" ")[0].upper()
                if verb in ("EHLO", "HELO"):
                    conn.sendall(b"250-sink\r\n250 AUTH PLAIN\r\n")
                elif verb == "AUTH":
                    conn.sendall(b"235 2.7.0 accepted\r\n")
                elif verb == "DATA":
                    data = []
                    conn.sendall(b"354 go on\r\n")
                elif verb == "QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self._closed = True
        self._listener.close()
