"""JSON log lines with phone numbers, birth dates and API keys redacted."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from voicebot.logs import call_context, configure_logging, redact


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging("debug", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("text", [
    "call me on 010-1234-5678", "my number is +1 (555) 123-4567", "it's 5551234", "02 3456 7890",
    "digits 0 1 0 1 2 3 4 5 6 7 8",
])
def test_phone_numbers_are_masked(text: str) -> None:
    masked = redact(text)
    assert "[phone]" in masked
    assert sum(c.isdigit() for c in masked) < 7


@pytest.mark.parametrize("text", [
    "born 1985-03-07", "born 07/03/1985", "born March 7, 1985", "born 7th of March 1985",
    "생년월일은 1985년 3월 7일입니다", "3월 7일생", "born mar 7 1985",
])
def test_dates_are_masked(text: str) -> None:
    masked = redact(text)
    assert "[date]" in masked and "1985" not in masked and " 7" not in masked.replace("[date]", "")


@pytest.mark.parametrize("text", [
    "two large pepperoni", "latency 412 ms", "call 3f2a9c1e-1234-4abc-8def-0123456789ab ended",
    "client 192.168.100.123:5060", "call_id 0123456789abcdef0123456789abcdef", "3 pizzas at 12 Main St",
])
def test_ordinary_text_and_our_ids_are_kept(text: str) -> None:
    assert redact(text) == text


def test_api_keys_are_masked() -> None:
    token = "vb_0123456789ab_Zx9-_abcDEF"
    assert token not in redact(f"GET /ws?dialogue=x&token={token} HTTP/1.1")
    assert redact("Authorization: Bearer sekret") == "Authorization: Bearer [secret]"


def test_one_json_object_per_line_with_call_id_and_redacted_fields(log_stream: io.StringIO) -> None:
    log = logging.getLogger("voicebot.test")
    with call_context("call-1"):
        log.info("caller said %s", "my number is 010 1234 5678",
                 extra={"slots": {"phone": "01012345678", "birth_date": "1985-03-07", "size": "large"},
                        "latency_ms": 412})
    log.warning("no call here")
    first, second = lines(log_stream)
    assert first["msg"] == "caller said my number is [phone]"
    assert first["call_id"] == "call-1" and first["level"] == "info" and first["logger"] == "voicebot.test"
    assert first["slots"] == {"phone": "[phone]", "birth_date": "[date]", "size": "large"}
    assert first["latency_ms"] == 412 and first["ts"].endswith("Z")
    assert second["call_id"] is None


def test_exceptions_are_logged_redacted(log_stream: io.StringIO) -> None:
    try:
        raise ValueError("bad phone 010-1234-5678")
    except ValueError:
        logging.getLogger("voicebot.test").exception("failed", extra={"call_id": "c2"})
    (entry,) = lines(log_stream)
    assert entry["call_id"] == "c2"
    assert "ValueError" in entry["exc"] and "1234" not in entry["exc"]
