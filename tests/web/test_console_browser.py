"""The operator console in real headless Chromium: calls list, a call's page playing its recording, the
steps page with its charts, the review queue with a player and a label form whose label reaches the
store, usage per key. A screenshot of each page is kept in test-artifacts/console-*.png.

Driven through chromedriver's W3C HTTP interface, like the widget test.
"""

from __future__ import annotations

import asyncio
import base64
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.analytics.test_file_calls import DIALOGUE
from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, live_server
from tests.web.test_widget_browser import ARTIFACTS, CHROMEDRIVER, CHROMIUM, WebDriver, _free_port
from voicebot.analytics.review import review_item, review_queue
from voicebot.dialogue.loader import load_dialogue
from voicebot.record import CallRecord
from voicebot.transport.file import run_file_call

pytestmark = pytest.mark.browser


async def _until(web: WebDriver, script: str, what: str, timeout_s: float = 30) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await web.script(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def _shot(web: WebDriver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"console-{name}.png").write_bytes(base64.b64decode(await web.call("GET", "/screenshot")))


async def test_the_console_pages_in_headless_chromium(tmp_path: Path) -> None:
    port = _free_port()
    driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}", f"--log-path={tmp_path / 'driver.log'}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with live_server(tmp_path, (DIALOGUE,)) as (url, rt), httpx.AsyncClient() as client:
            dialogue = load_dialogue(DIALOGUE)
            results = []
            for lines in (["Yes, please.", "Three."], ["Yes.", "Banana bread.", "Four."]):
                turns = [padded(synth(line), 200, 0) for line in lines]
                results.append(await run_file_call(rt, dialogue, turns, engines=engine_pool()))
            # The clean call again on the two days before, so the charts over time have a line to draw.
            for days_back in (1, 2):
                copy = CallRecord.from_json(results[0].record.to_json())
                copy.call_id = f"{copy.call_id}-{days_back}"
                started = datetime.fromisoformat(copy.started_at.replace("Z", "+00:00"))
                copy.started_at = (started - timedelta(days=days_back)).isoformat(
                    timespec="milliseconds").replace("+00:00", "Z")
                rt.store.save(copy)
            [queued] = review_queue(rt.store, confidence_below=0.0)
            base = url.replace("ws://", "http://")
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
            created = await web.call("POST", "/session", {"capabilities": {"alwaysMatch": {
                "browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900",
                    "--autoplay-policy=no-user-gesture-required"]}}}})
            web.session = created["sessionId"]
            try:
                await web.call("POST", "/url", {"url": f"{base}/console?token=anything#calls"})
                rows = await _until(web, "return document.querySelectorAll('tr[data-call]').length;", "calls")
                assert rows == 4
                await _shot(web, "calls")
                await web.script("location.hash = 'calls?outcome=hangup'; return true;")
                await _until(web, "return document.querySelector('#call-filters [name=outcome]').value"
                                  " === 'hangup' && !document.querySelector('tr[data-call]');", "the filter")
                await web.script("location.hash = 'calls?door=file&since=2026-01-01'; return true;")
                await _until(web, "return document.querySelector('#call-filters [name=door]').value"
                                  " === 'file' && document.querySelectorAll('tr[data-call]').length === 4;",
                             "the door filter")

                call_id = queued.call_id
                await web.script(f"location.hash = 'call/{call_id}'; return true;")
                await _until(web, "return document.querySelectorAll('.turn.caller').length;", "transcript")
                await web.script("const a = document.getElementById('call-audio'); a.muted = true; a.play();"
                                 " return true;")
                played = await _until(web, "const a = document.getElementById('call-audio');"
                                           " return a.currentTime > 0.2 && a.duration > 3 && a.duration;",
                                      "the recording to play")
                assert played > 3
                latencies = await web.script(
                    "return Array.from(document.querySelectorAll('.turn.caller .meta'))"
                    ".map(n => n.textContent);")
                assert len(latencies) == 3 and all(" ms" in text for text in latencies), latencies
                await _shot(web, "call")

                await web.script("location.hash = 'steps'; return true;")
                await _until(web, "return document.querySelector('#nu-chart rect') !== null;", "the chart")
                steps = await web.script(
                    "return Array.from(document.querySelectorAll('main table tbody tr'))"
                    ".map(r => r.children[1].textContent);")
                assert steps == ["ask.wants", "ask.size"], steps
                bars = await web.script("return document.querySelectorAll('#outcome-chart rect').length;")
                assert bars >= 3
                lines = await web.script(
                    "return Array.from(document.querySelectorAll('#nu-daily-chart polyline'))"
                    ".map(p => p.getAttribute('points').split(' ').length);")
                assert lines == [3, 3], lines  # two steps, three days each
                await _shot(web, "steps")

                await web.script("location.hash = 'review'; return true;")
                await _until(web, "return document.querySelectorAll('tr[data-review]').length;", "queue")
                await _shot(web, "review")
                await web.script(f"location.hash = 'review/{call_id}/{queued.turn}'; return true;")
                await _until(web, "return document.getElementById('label-form') !== null;", "the label form")
                await web.script("const a = document.getElementById('turn-audio'); a.muted = true; a.play();"
                                 " return true;")
                slice_s = await _until(web, "const a = document.getElementById('turn-audio');"
                                            " return a.currentTime > 0.1 && a.duration;", "the turn audio")
                assert 0.5 < slice_s < 4, slice_s
                await web.script(
                    "const f = document.getElementById('label-form');"
                    "f.querySelector('[name=heard]').value = 'banana bread';"
                    "f.querySelector('[name=value]').value = '4';"
                    "f.querySelector('button').click(); return true;")
                await _until(web, "return document.getElementById('label-status').dataset.saved === '1';",
                             "the label to be saved")
                await _shot(web, "review-item")
                stored = review_item(rt.store, call_id, queued.turn)
                assert stored is not None and (stored.heard, stored.value) == ("banana bread", "4")

                await web.script("location.hash = 'usage'; return true;")
                cells = await _until(web, "const r = document.querySelector('main table tbody tr');"
                                          " return r && r.children.length > 2 && Array.from(r.children)"
                                          ".map(c => c.textContent);", "usage rows")
                assert cells[2] == "4", cells
                await _shot(web, "usage")
            finally:
                await web.call("DELETE", "")
    finally:
        driver.terminate()
        driver.wait(timeout=10)
