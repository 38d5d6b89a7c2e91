"""One real `voicebot serve` subprocess with both doors, and callers for each door.

Reuses the serve launcher of tests/cli/test_serve.py, the real-time websocket caller of
tests/session/helpers.py and the Asterisk peer of tests/telephony/asterisk_peer.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from tests.audio.speech import padded, synth
from tests.cli.test_serve import Served, start_serve
from tests.session.helpers import DIALOGUE_PATH, real_time_caller
from tests.telephony.asterisk_peer import AsteriskPeer, speech_8k
from voicebot.store import KeyStore

# voice_check.yml asks two questions; these answers carry it to its outcome "done". One breath, no
# comma: Silero can miss a short "yes, please" at 8 kHz (tests/telephony/test_audiosocket_call.py).
ANSWERS = ("Yes I would like that very much.", "We are three people.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    served: Served
    token: str
    audiosocket_port: int
    root: Path

    @property
    def pid(self) -> int:
        return self.served.proc.pid

    @property
    def ws_url(self) -> str:
        return self.served.url.replace("http://", "ws://")

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.served.url, timeout=30,
                            headers={"Authorization": f"Bearer {self.token}"})

    def stderr(self) -> str:
        return self.served.stderr()

    def stop(self, sig: int | None = None) -> int:
        """Sends ``sig`` (SIGTERM when None) and waits; kills when it does not end."""
        import signal

        proc = self.served.proc
        if proc.poll() is None:
            proc.send_signal(sig if sig is not None else signal.SIGTERM)
        try:
            code = proc.wait(timeout=120)
        except Exception:
            proc.kill()
            code = proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        return code


def prepare(root: Path, *extra_dialogues: tuple[str, str]) -> str:
    """Writes voice_check.yml (and ``(name, yaml)`` extras) into root/dialogues; returns a new API key."""
    folder = root / "dialogues"
    (folder / "tests").mkdir(parents=True, exist_ok=True)
    shutil.copy(DIALOGUE_PATH, folder / DIALOGUE_PATH.name)
    for name, text in extra_dialogues:
        (folder / f"{name}.yml").write_text(text)
    keys = KeyStore(root / "var" / "voicebot.db")
    _, token = keys.create("system-tests")
    keys.close()
    return token


def start(root: Path, token: str, *args: str, module: str = "voicebot") -> Service:
    """`voicebot serve` on free ports, websocket and AudioSocket doors (AudioSocket: voice_check)."""
    port = free_port()
    served = start_serve(root, "--audiosocket", f"127.0.0.1:{port}", "--audiosocket-dialogue", "voice_check",
                         *args, module=module)
    return Service(served, token, port, root)


def log_problems(stderr: str) -> list[str]:
    """Lines of the server's log that show an unhandled exception or an error."""
    bad = []
    for line in stderr.splitlines():
        if "Traceback" in line:
            bad.append(line)
        elif line.startswith("{"):
            with contextlib.suppress(ValueError):
                if json.loads(line).get("level") in ("error", "critical"):
                    bad.append(line)
    return bad


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


@dataclass
class Started:
    """Call ids as each door announced them, so no started call can go missing unnoticed."""

    ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def ws_turns() -> list[npt.NDArray[np.float32]]:
    return [padded(synth(text), 150, 0) for text in ANSWERS]


async def ws_call(service: Service, started: Started, *, dialogue: str = "voice_check",
                  turns: list[npt.NDArray[np.float32]] | None = None, timeout_s: float = 150) -> Any:
    """One real-time websocket call; returns the CallTranscript."""
    import websockets

    url = f"{service.ws_url}/ws?dialogue={dialogue}&token={service.token}"
    async with websockets.connect(url, open_timeout=60, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le",
                                  "variables": {}}))
        ready = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
        assert ready["type"] == "ready", ready
        started.ids.append(ready["call_id"])
        return await real_time_caller(ws, ws_turns() if turns is None else turns, timeout_s=timeout_s)


async def audiosocket_call(service: Service, started: Started) -> AsteriskPeer:
    """One call as Asterisk plays it: answers each question after the bot's turn, by ear."""
    peer = AsteriskPeer(service.audiosocket_port)
    await peer.connect()
    started.ids.append(peer.call_id)
    try:
        for text in ANSWERS:
            if not await _bot_turn_or_closed(peer):
                break
            peer.say(speech_8k(text))
        await peer.wait_closed(timeout_s=120)
    finally:
        await peer.hang_up()
    return peer


async def _bot_turn_or_closed(peer: AsteriskPeer) -> bool:
    """Waits for the end of the bot's turn; False when the bot hung up or the connection closed."""
    turn = asyncio.ensure_future(peer.bot_turn_done(quiet_s=1.2, timeout_s=90))
    closed = asyncio.ensure_future(peer.closed.wait())
    done, pending = await asyncio.wait({turn, closed}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    if turn in done:
        turn.result()
    return not (peer.closed.is_set() or peer.bot.hangup)


async def in_progress(service: Service, count: int, timeout_s: float = 120) -> None:
    """Waits until the server reports ``count`` calls in progress (begun, not yet saved)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with httpx.AsyncClient(base_url=service.served.url, timeout=30,
                                 headers={"Authorization": f"Bearer {service.token}"}) as http:
        while loop.time() < deadline:
            body = (await http.get("/api/calls", params={"status": "in_progress"})).json()
            if body["total"] >= count:
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"{count} calls never were in progress at once")
