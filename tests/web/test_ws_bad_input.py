"""Bad input on the websocket door: each gets a clear error or close code, the server stays healthy,
and every call that started leaves exactly one saved record."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import websockets

from tests.audio.speech import synth
from tests.session.helpers import live_server

START = json.dumps({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le"})


async def _messages_until_close(ws: Any, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    async def read() -> None:
        try:
            async for message in ws:
                if isinstance(message, str):
                    messages.append(json.loads(message))
        except websockets.ConnectionClosed:
            pass  # a non-1000 close code: the test checks ws.close_code
    await asyncio.wait_for(read(), timeout=timeout_s)
    return messages


async def _saved(runtime: Any, call_id: str, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        entry = runtime.store.entry(call_id)
        if entry is not None and entry.status == "completed":
            return entry.record
        await asyncio.sleep(0.05)
    raise AssertionError(f"call {call_id} was not saved")


async def _healthy(url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(url.replace("ws://", "http://") + "/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def _started(ws: Any) -> str:
    await ws.send(START)
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready"
    return str(ready["call_id"])


async def test_audio_before_start_is_refused_with_4400(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws:
            await ws.send(b"\0\0" * 320)
            messages = await _messages_until_close(ws)
        assert messages == [{"type": "error", "code": "no_start", "message": messages[0]["message"]}]
        assert "start" in messages[0]["message"]
        assert ws.close_code == 4400
        assert runtime.store.count() == 0  # no call began
        await _healthy(url)


@pytest.mark.parametrize(("start", "code"), [
    ({"type": "start", "sample_rate_hz": 11025}, "bad_sample_rate"),
    ({"type": "start", "sample_rate_hz": 16000, "encoding": "mulaw"}, "bad_encoding"),
    ({"type": "stop"}, "no_start"),
])
async def test_a_bad_start_is_refused_with_a_reason(tmp_path: Path, start: dict[str, Any], code: str) -> None:
    async with live_server(tmp_path) as (url, _):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws:
            await ws.send(json.dumps(start))
            messages = await _messages_until_close(ws)
        assert [m["code"] for m in messages] == [code]
        assert ws.close_code == 4400


async def test_unknown_dialogue_is_refused_with_4404(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, _):
        async with websockets.connect(f"{url}/ws?dialogue=nope") as ws:
            messages = await _messages_until_close(ws)
        assert messages[0]["code"] == "unknown_dialogue" and "voice_check" in messages[0]["message"]
        assert ws.close_code == 4404


async def test_text_where_audio_belongs_is_answered_and_the_call_goes_on(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws:
            call_id = await _started(ws)
            await ws.send("this is not JSON, it should have been audio")
            await ws.send(json.dumps({"type": "text", "text": "yes"}))  # typed input still works
            seen: list[dict[str, Any]] = []
            while not any(m.get("prompt_id") == "ask.size" for m in seen):
                message = await asyncio.wait_for(ws.recv(), timeout=20)
                if isinstance(message, str):
                    seen.append(json.loads(message))
            await ws.send(json.dumps({"type": "stop"}))
            seen += await _messages_until_close(ws)
        errors = [m for m in seen if m["type"] == "error"]
        assert [e["code"] for e in errors] == ["bad_json"] and "binary" in errors[0]["message"]
        assert seen[-1]["type"] == "end" and ws.close_code == 1000
        record = await _saved(runtime, call_id)
        assert record.slots == {"wants": True}
        assert record.meta["end_reason"] == "caller_stop"


async def test_an_oversized_frame_ends_the_call_with_1009_and_saves_it(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check", max_size=None) as ws:
            call_id = await _started(ws)
            await ws.send(b"\0" * (64 * 1024 + 2))
            messages = await _messages_until_close(ws)
        assert "frame_too_large" in [m.get("code") for m in messages]
        assert ws.close_code == 1009
        record = await _saved(runtime, call_id)
        assert record.meta["end_reason"] == "protocol_error:frame_too_large"
        await _healthy(url)


async def test_a_flood_of_tiny_frames_is_cut_off_with_4429_and_saved(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws:
            call_id = await _started(ws)
            for _ in range(2000):
                try:
                    await ws.send(b"\1\0")
                except websockets.ConnectionClosed:
                    break
            messages = await _messages_until_close(ws)
        assert "too_many_frames" in [m.get("code") for m in messages]
        assert ws.close_code == 4429
        record = await _saved(runtime, call_id)
        assert record.meta["end_reason"] == "protocol_error:too_many_frames"
        await _healthy(url)


async def test_an_abrupt_disconnect_mid_turn_saves_the_record_and_the_next_call_works(tmp_path: Path) -> None:
    speech = (synth("I would like two large pizzas with extra cheese please") * 32767).astype(np.int16)
    async with live_server(tmp_path) as (url, runtime):
        ws = await websockets.connect(f"{url}/ws?dialogue=voice_check")
        call_id = await _started(ws)
        half = speech[: speech.size // 2].tobytes()
        for offset in range(0, len(half), 640):  # the caller is mid-sentence...
            await ws.send(half[offset:offset + 640])
            await asyncio.sleep(0.005)
        ws.transport.abort()  # ...and the network goes: no close frame
        record = await _saved(runtime, call_id)
        assert record.meta["end_reason"] == "network_lost"
        assert record.outcome == "hangup" and record.ended_at
        await _healthy(url)
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws2:
            second = await _started(ws2)
            await ws2.send(json.dumps({"type": "stop"}))
            await _messages_until_close(ws2)
        assert (await _saved(runtime, second)).meta["end_reason"] == "caller_stop"
        assert runtime.admission.active_calls == 0


async def test_a_server_shutdown_mid_call_saves_the_record(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        ws = await websockets.connect(f"{url}/ws?dialogue=voice_check")
        call_id = await _started(ws)
        reader = asyncio.create_task(_messages_until_close(ws, timeout_s=60))  # a client that listens
        await asyncio.sleep(0.5)
        store_path = runtime.config.store_path
    # Leaving live_server shut the server down (uvicorn closes open sockets, then the lifespan ends).
    await reader  # the server closed the socket (1012) as it went down
    assert ws.close_code == 1012
    from voicebot.store import CallStore

    store = CallStore(store_path)
    try:
        entry = store.entry(call_id)
        assert entry is not None and entry.status == "completed", entry
        assert entry.record.meta["end_reason"] == "server_shutdown"
    finally:
        store.close()
