"""The websocket door's output over a real socket on loopback: bot audio held back while a caller may be
starting to talk, then sent on (a blip) or dropped with a `clear` (a barge-in)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from voicebot.transport.websocket import WebSocketOutput

RATE_HZ = 16_000
SECOND = bytes(RATE_HZ * 2)  # 1 s of s16le silence: 25 frames of 40 ms
Script = Callable[[WebSocketOutput, list[float]], Awaitable[None]]


@asynccontextmanager
async def door(script: Script, marks: list[float]) -> AsyncIterator[str]:
    """A server whose one websocket runs ``script`` on a WebSocketOutput; yields its url."""

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        output = WebSocketOutput(ws, RATE_HZ)
        await script(output, marks)
        await output.send_message({"type": "done"})
        await ws.receive()  # the client hangs up when it has seen "done"
        await output.shutdown(1000)

    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[WebSocketRoute("/", endpoint)]),
                                           host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def listen(url: str) -> list[tuple[float, str | int]]:
    """What the client receives, with when: audio frames as their size, messages as their type."""
    got: list[tuple[float, str | int]] = []
    async with websockets.connect(url) as ws:
        async for message in ws:
            now = time.monotonic()
            got.append((now, len(message) if isinstance(message, bytes) else json.loads(message)["type"]))
            if got[-1][1] == "done":
                break
    return got


async def test_held_audio_waits_and_then_all_of_it_goes_out() -> None:
    async def script(output: WebSocketOutput, marks: list[float]) -> None:
        await output.hold(True)
        await output.send_audio(SECOND)
        await asyncio.sleep(0.2)
        marks.append(time.monotonic())
        await output.hold(False)  # a blip: the bot goes on, nothing lost

    marks: list[float] = []
    async with door(script, marks) as url:
        got = await listen(url)
    frames = [(at, size) for at, size in got if isinstance(size, int)]
    assert sum(size for _, size in frames) == len(SECOND)
    assert all(at >= marks[0] for at, _ in frames)  # none went out while held
    assert [kind for _, kind in got if isinstance(kind, str)] == ["done"]


async def test_a_clear_during_a_hold_drops_the_held_audio() -> None:
    async def script(output: WebSocketOutput, marks: list[float]) -> None:
        await output.send_audio(SECOND)
        await asyncio.sleep(0.1)  # the lead (240 ms) goes out at once, then one frame per 40 ms
        await output.hold(True)
        await asyncio.sleep(0.05)  # a frame being written when hold() came is out by now
        marks.append(output.frames_sent)
        await asyncio.sleep(0.2)
        marks.append(output.frames_sent)
        await output.clear()  # the caller's turn started: a barge-in

    marks: list[float] = []
    async with door(script, marks) as url:
        got = await listen(url)
    assert marks[0] == marks[1]  # nothing sent while held
    kinds = [kind for _, kind in got]
    assert kinds.index("clear") == len(kinds) - 2  # then only "done": no audio after the clear
    sent = sum(kind for kind in kinds if isinstance(kind, int))
    assert 0 < sent < len(SECOND)
