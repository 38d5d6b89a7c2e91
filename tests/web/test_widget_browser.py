"""The browser widget in real headless Chromium: a fake microphone plays a WAV of a caller, the page
captures it with the AudioWorklet, streams it over /ws, plays the bot, and shows the conversation.

Driven through chromedriver's W3C HTTP interface (no selenium). A screenshot is kept in
test-artifacts/widget.png.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.audio.speech import synth
from tests.session.helpers import live_server
from voicebot.audio.io import write_wav
from voicebot.audio.resample import resample

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _caller_wav(path: Path) -> None:
    """Silence while the bot greets and asks, then "Yes, please.", then silence (Chromium loops it)."""
    speech = resample(synth("Yes, please."), 16_000, 48_000)
    silence = np.zeros(48_000 * 6, np.float32)
    audio = np.concatenate([silence, speech, silence, silence])
    write_wav(path, np.clip(audio * 32767, -32768, 32767).astype(np.int16), 48_000)


class WebDriver:
    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self.client = client
        self.base = base
        self.session: str | None = None

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.base}/session/{self.session}{path}" if self.session else f"{self.base}{path}"
        response = await self.client.request(method, url, json=body, timeout=60)
        data = response.json()
        if response.status_code != 200:
            raise AssertionError(f"webdriver {method} {path}: {data}")
        return data["value"]

    async def script(self, source: str) -> Any:
        return await self.call("POST", "/execute/sync", {"script": source, "args": []})


async def test_the_widget_completes_a_spoken_turn_in_headless_chromium(tmp_path: Path) -> None:
    wav = tmp_path / "caller.wav"
    _caller_wav(wav)
    port = _free_port()
    driver_log = tmp_path / "chromedriver.log"
    driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}", f"--log-path={driver_log}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with live_server(tmp_path) as (url, runtime), httpx.AsyncClient() as client:
            web = WebDriver(client, f"http://127.0.0.1:{port}")
            deadline = time.monotonic() + 20
            while True:
                try:
                    if (await web.call("GET", "/status"))["ready"]:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "chromedriver did not start"
                await asyncio.sleep(0.1)
            capabilities = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,700",
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    f"--use-file-for-fake-audio-capture={wav}",
                    "--autoplay-policy=no-user-gesture-required"]}}}}
            created = await web.call("POST", "/session", capabilities)
            web.session = created["sessionId"]
            try:
                page = url.replace("ws://", "http://") + "/?dialogue=voice_check"
                await web.call("POST", "/url", {"url": page})
                # Every state the widget passes through, seen by the page itself: "connecting" can be
                # over before a poll from here comes round. Then start, as autostart would.
                started = False
                for _ in range(200):
                    started = await web.script(
                        "var w = document.getElementById('voicebot-widget');"
                        "if (!w || !window.voicebot) return false;"
                        "window.__vbStates = [w.getAttribute('data-state')];"
                        "new MutationObserver(() => window.__vbStates.push(w.getAttribute('data-state')))"
                        ".observe(w, {attributes: true, attributeFilter: ['data-state']});"
                        "window.voicebot.start(); return true;")
                    if started:
                        break
                    await asyncio.sleep(0.05)
                assert started, "the widget never loaded"
                states: list[str] = []
                view: dict[str, Any] = {}
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    view = await web.script(
                        "var w = document.getElementById('voicebot-widget');"
                        "return {state: w.getAttribute('data-state'), call: w.getAttribute('data-call-id'),"
                        " bot: Array.from(w.querySelectorAll('.vb-bot')).map(n => n.textContent),"
                        " caller: Array.from(w.querySelectorAll('.vb-caller')).map(n => n.textContent)};")
                    states = [s for s in await web.script("return window.__vbStates;") if s]
                    if any("How many people" in text for text in view["bot"]):
                        break
                    assert view["state"] != "error", view
                    await asyncio.sleep(0.25)
                ARTIFACTS.mkdir(exist_ok=True)
                shot = await web.call("GET", "/screenshot")
                (ARTIFACTS / "widget.png").write_bytes(base64.b64decode(shot))
                assert any("How many people" in text for text in view["bot"]), (states, view)
                assert any("yes" in text.lower() for text in view["caller"]), view
                assert {"connecting", "listening", "speaking"} <= set(states), states
                await web.script("window.voicebot.stop(); return true;")
                deadline = time.monotonic() + 20
                while (await web.script("return window.voicebot.state;")) != "ended":
                    assert time.monotonic() < deadline, "the call did not end after hang-up"
                    await asyncio.sleep(0.2)
            finally:
                await web.call("DELETE", "")
            record = runtime.store.get(view["call"])
            assert record is not None and record.slots.get("wants") is True
            assert record.meta["door"] == "websocket"
    finally:
        driver.terminate()
        driver.wait(timeout=10)
