"""Webhook actions against a real HTTP server on loopback: the request shape and how answers read."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from voicebot.dialogue.events import CallWebhook
from voicebot.dialogue.webhook import perform, perform_async


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append({"method": self.command, "path": self.path, "body": body})
        status, payload = {
            "/ok": (200, b'{"tier": "gold"}'),
            "/list": (200, b"[1, 2]"),
            "/html": (200, b"<html></html>"),
            "/missing": (404, b'{"error": "no such account"}'),
        }.get(self.path.split("?")[0], (500, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_post_sends_the_payload_as_json_and_fills_from_the_answer(server: str) -> None:
    result = perform(CallWebhook("a1", f"{server}/ok", payload={"account": "123"}))
    assert result.ok and result.data == {"tier": "gold"}
    [seen] = _Handler.seen
    assert (seen["method"], seen["path"], json.loads(seen["body"])) == ("POST", "/ok", {"account": "123"})


def test_get_sends_the_payload_as_the_query_string(server: str) -> None:
    result = perform(CallWebhook("a1", f"{server}/ok", method="GET", payload={"account": "123"}))
    assert result.ok
    assert _Handler.seen == [{"method": "GET", "path": "/ok?account=123", "body": ""}]


@pytest.mark.parametrize(("path", "ok", "data", "error"), [
    ("/list", True, {"result": [1, 2]}, None),
    ("/html", False, {}, "the answer is not JSON"),
    ("/missing", False, {}, "HTTP 404"),
])
def test_answers_read_the_same_blocking_and_async(server: str, path: str, ok: bool, data: dict[str, Any],
                                                  error: str | None) -> None:
    import asyncio

    action = CallWebhook("a1", f"{server}{path}")
    for result in (perform(action), asyncio.run(perform_async(action))):
        assert (result.ok, result.data, result.error) == (ok, data, error)


def test_an_unreachable_server_is_a_failed_action_not_an_exception() -> None:
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = perform(CallWebhook("a1", f"http://127.0.0.1:{port}/ok", timeout_s=2))
    assert not result.ok and result.error is not None and result.error.startswith("ConnectError")
