"""The AudioSocket door's output over a real TCP socket on loopback: one frame every 20 ms, and the bot's
audio held back (silence instead) while a caller may be starting to talk, then played on or dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from voicebot.telephony.audiosocket import AudioReceived, AudioSocketProtocol, frame_bytes
from voicebot.telephony.audiosocket_server import AudioSocketOutput

RATE_HZ = 8000
FRAME = frame_bytes(RATE_HZ)
TONE = b"\x10\x27" * (RATE_HZ // 5)  # 200 ms of a constant, non-zero sample: ten frames


@asynccontextmanager
async def line() -> AsyncIterator[tuple[AudioSocketOutput, list[bytes]]]:
    """An output writing to a socket whose far end collects every audio frame."""
    frames: list[bytes] = []
    accepted: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(writer)

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, client = await asyncio.open_connection("127.0.0.1", port)
    far_end = AudioSocketProtocol()

    async def read() -> None:
        while data := await reader.read(65536):
            far_end.receive_data(data)
            frames.extend(e.pcm for e in far_end.events_received() if isinstance(e, AudioReceived))

    reading = asyncio.create_task(read())
    output = AudioSocketOutput(await accepted, AudioSocketProtocol(), RATE_HZ, call_id="test")
    try:
        yield output, frames
    finally:
        await output.shutdown(hang_up=True)
        client.close()
        reading.cancel()
        server.close()


def kinds(frames: list[bytes]) -> str:
    """A letter per frame: "b" bot audio, "." silence."""
    return "".join("." if frame == bytes(FRAME) else "b" for frame in frames)


async def until(frames: list[bytes], count: int) -> None:
    while len(frames) < count:
        await asyncio.sleep(0.01)


async def test_held_bot_audio_gives_way_to_silence_and_then_plays_whole() -> None:
    async with line() as (output, frames):
        await output.hold(True)
        await output.send_audio(TONE)
        await until(frames, len(frames) + 5)
        released = len(frames)
        await output.hold(False)  # a blip: the bot goes on
        await until(frames, len(frames) + 15)
    assert "b" not in kinds(frames[:released])  # silence while held
    assert kinds(frames).strip(".") == "b" * 10  # then all of it, in one piece


async def test_a_clear_while_held_drops_the_bot_audio() -> None:
    async with line() as (output, frames):
        await output.send_audio(TONE)
        await until(frames, 3)
        await output.hold(True)
        await asyncio.sleep(0.05)  # a frame written before hold() has arrived by now
        held = len(frames)
        await until(frames, held + 3)
        cleared = len(frames)
        await output.clear()  # the caller's turn started
        await until(frames, len(frames) + 10)
    assert "b" not in kinds(frames[held:])  # nothing of the bot from the hold on, nor after the clear
    assert 0 < kinds(frames).count("b") < 10 and cleared > held
