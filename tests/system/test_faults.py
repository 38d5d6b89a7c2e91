"""Faults while calls are in flight, against a real `voicebot serve`: SIGKILL and restart, a text-to-speech
voice that raises or hangs, speech-to-text raising, a webhook timing out. (SIGTERM with calls in flight on
both doors is in test_load.py, after the load.)

Engines that raise or hang on purpose are the fault-injection engines (voicebot/engines/fault.py), registered
for this server only, by its launcher tests/system/fault_serve.py: such faults cannot be caused otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.system.service import (
    Service,
    Started,
    audiosocket_call,
    in_progress,
    log_problems,
    prepare,
    start,
    ws_call,
)

FAULT_DIALOGUE = """\
name: {name}
language: en
voice: "{voice}"
outcomes: [done]
variables:
  caller: {{type: text, default: friend}}
slots:
  confirmed: {{type: yes_no}}
prompts:
  hello: "Hello {{caller}}. Shall we finish?"
  bye: "Goodbye {{caller}}."
flows:
  main:
    - ask: confirmed
      prompt: hello
    - hangup: done
      prompt: bye
"""

WEBHOOK_DIALOGUE = """\
name: lookup
language: en
outcomes: [done, offline]
variables:
  caller: {{type: text, default: friend}}
slots:
  confirmed: {{type: yes_no}}
flows:
  main:
    - ask: confirmed
      prompt: "Hello {{caller}}. Shall I look up your account?"
    - action: account
      url: "{url}"
      timeout_ms: 500
      on_error: [{{hangup: offline, prompt: "Our systems are busy, please call back later."}}]
    - hangup: done
      prompt: "Your account is fine. Goodbye."
"""


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # the CRM that never answers in time
        time.sleep(3.0)
        with contextlib.suppress(OSError):
            self.send_response(200)
            self.end_headers()

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture(scope="module")
def slow_crm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/accounts"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory, slow_crm: str) -> Iterator[Service]:
    """One server whose STT raises on every utterance and with two dialogues whose voice raises or hangs."""
    root = tmp_path_factory.mktemp("faulty")
    token = prepare(root, ("tts_raise", FAULT_DIALOGUE.format(name="tts_raise", voice="fault:raise")),
                    ("tts_hang", FAULT_DIALOGUE.format(name="tts_hang", voice="fault:hang")),
                    ("lookup", WEBHOOK_DIALOGUE.format(url=slow_crm)))
    fault_env = {"VOICEBOT_STT__ENGINE": "fault", "VOICEBOT_TTS__CHUNK_TIMEOUT_S": "1.5"}
    saved = {k: os.environ.get(k) for k in fault_env}
    os.environ.update(fault_env)  # start_serve hands os.environ to the child
    try:
        service = start(root, token, module="tests.system.fault_serve")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield service
    assert service.stop() == 0
    assert log_problems(service.stderr()) == []


async def typed_call(service: Service, dialogue: str, answers: list[str]) -> tuple[list[dict[str, Any]], int]:
    """A websocket call that answers by typing once the bot has finished each turn; returns
    (text messages, bytes of bot audio)."""
    import websockets

    messages: list[dict[str, Any]] = []
    audio_bytes = 0
    url = f"{service.ws_url}/ws?dialogue={dialogue}&token={service.token}"
    async with websockets.connect(url, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000}))
        pending = list(answers)
        async with asyncio.timeout(90):  # the call must not hang
            async for raw in ws:
                if isinstance(raw, bytes):
                    audio_bytes += len(raw)
                    continue
                message = json.loads(raw)
                messages.append(message)
                if message["type"] == "audio_end" and pending:
                    await ws.send(json.dumps({"type": "text", "text": pending.pop(0)}))
                elif message["type"] == "end":
                    break
    return messages, audio_bytes


def _stored(service: Service, call_id: str) -> dict[str, Any]:
    with service.http() as http:
        response = http.get(f"/api/calls/{call_id}")
    assert response.status_code == 200, call_id
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("dialogue", ["tts_raise", "tts_hang"])
async def test_a_failing_voice_is_replaced_by_the_backup_voice(faulty: Service, dialogue: str) -> None:
    messages, audio_bytes = await typed_call(faulty, dialogue, ["yes"])
    kinds = [m["type"] for m in messages]
    assert "error" not in kinds, messages
    # The caller heard both prompts (in the backup voice) and the call reached its end.
    assert [m["text"] for m in messages if m["type"] == "bot"] == ["Hello friend. Shall we finish?",
                                                                   "Goodbye friend."]
    assert audio_bytes > 16_000 * 2  # more than a second of speech
    end = messages[-1]
    assert end["type"] == "end" and end["record"]["outcome"] == "done"
    assert _stored(faulty, end["record"]["call_id"])["outcome"] == "done"
    assert f"voice fault:{dialogue.removeprefix('tts_')} failed" in faulty.stderr()


async def test_speech_to_text_raising_ends_calls_on_both_doors_with_saved_records(faulty: Service) -> None:
    started = Started()
    ws_result, peer = await asyncio.wait_for(
        asyncio.gather(ws_call(faulty, started), audiosocket_call(faulty, started)), timeout=180)
    assert [m["code"] for m in ws_result.of_type("error")] == ["call_failed"]
    assert ws_result.record["outcome"] == "error"
    assert peer.bot.hangup  # Asterisk was told to hang up
    for call_id in started.ids:
        record = _stored(faulty, call_id)
        assert record["outcome"] == "error" and "speech-to-text" in record["meta"]["error"], record
        assert record["status"] == "completed"


async def test_a_webhook_timing_out_during_a_call_takes_the_error_path(faulty: Service) -> None:
    messages, audio_bytes = await typed_call(faulty, "lookup", ["yes"])
    said = [m["text"] for m in messages if m["type"] == "bot"]
    assert said[-1] == "Our systems are busy, please call back later."
    record = _stored(faulty, messages[-1]["record"]["call_id"])
    assert record["outcome"] == "offline" and audio_bytes > 0
    [action] = record["meta"]["actions"]
    assert action["action"] == "account" and not action["ok"] and "timeout" in action["error"].lower()


async def test_sigkill_with_calls_in_flight_then_restart_marks_them_interrupted(tmp_path: Path) -> None:
    token = prepare(tmp_path)
    service = start(tmp_path, token)
    started = Started()
    calls = [asyncio.create_task(ws_call(service, started, timeout_s=60)),
             asyncio.create_task(audiosocket_call(service, started))]
    try:
        await in_progress(service, 2)
        service.served.proc.send_signal(signal.SIGKILL)
        await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), timeout=120)
    finally:
        assert await asyncio.to_thread(service.stop) == -signal.SIGKILL
    again = start(tmp_path, token)
    try:
        with again.http() as http:
            for call_id in started.ids:
                record = http.get(f"/api/calls/{call_id}").json()
                assert (record["status"], record["outcome"]) == ("interrupted", "interrupted"), record
                # The whole record as begun, readable; when it ended is unknown, so ended_at stays empty.
                assert record["call_id"] == call_id and record["started_at"] and record["dialogue"]
            assert http.get("/api/calls", params={"status": "in_progress"}).json()["total"] == 0
    finally:
        assert again.stop() == 0
    assert log_problems(again.stderr()) == []
    with sqlite3.connect(tmp_path / "var" / "voicebot.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Nothing half-written is left behind: no partial recording for the cut-off calls.
    recordings = tmp_path / "var" / "recordings"
    leftovers = [p.name for p in recordings.glob("*")] if recordings.exists() else []
    assert not [n for n in leftovers if any(c in n for c in started.ids)], leftovers


async def test_unknown_and_revoked_keys_are_refused_by_the_running_server(faulty: Service) -> None:
    import websockets

    from voicebot.store import KeyStore

    keys = KeyStore(faulty.root / "var" / "voicebot.db")  # the operator revokes while the server runs
    try:
        _, token = keys.create("leaked")
        keys.revoke("leaked")
    finally:
        keys.close()
    for bad, reason in ((token, "revoked_key"), ("vb_0_nonsense", "unknown_key"), ("", "missing_key")):
        url = f"{faulty.ws_url}/ws?dialogue=voice_check&token={bad}"
        async with websockets.connect(url, open_timeout=30) as ws:
            error = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), timeout=30)
        assert (error["type"], error["code"], ws.close_code) == ("error", reason, 4401), (bad, error)
    with faulty.http() as http:
        refused = http.get("/api/calls", headers={"Authorization": f"Bearer {token}"})
    assert (refused.status_code, refused.json()["error"]) == (401, "revoked_key")


def test_a_corrupt_voice_file_stops_the_server_at_start_with_what_to_do(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.session.helpers import DIALOGUE_PATH

    voice = tmp_path / "broken.onnx"
    voice.write_bytes(bytes(range(256)) * 20)  # not an ONNX model
    voice.with_suffix(".onnx.json").write_text('{"audio": {"sample_rate": 22050}}')
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    (dialogues / "voice_check.yml").write_text(
        DIALOGUE_PATH.read_text().replace("language: en\n", f'language: en\nvoice: "{voice}"\n', 1))
    result = subprocess.run(
        [sys.executable, "-m", "voicebot", "serve", "--port", "0", "--insecure-no-auth", "--data-dir",
         str(tmp_path / "var"), "--dialogues-dir", str(dialogues)],
        cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("voicebot: error: cannot load Piper voice") and str(voice) in last, last
    assert "Traceback" not in result.stderr
