"""A call centre on loopback: a real PostgreSQL database, three `voicebot serve` workers sharing it, the
shipped docker/haproxy.cfg in front of them (pointed at local ports), and the loopback AMI server of the
telephony tests in its own thread, answering campaign calls by connecting back to the worker that dialled.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.cli.test_serve import Served, start_serve
from tests.session.helpers import DIALOGUE_PATH
from tests.system.service import free_port
from tests.telephony.ami_server import LoopbackAmi
from tests.telephony.asterisk_peer import AsteriskPeer

ROOT = Path(__file__).resolve().parents[2]
HAPROXY_CFG = ROOT / "docker" / "haproxy.cfg"
AMI_SECRET = "s3cret"
LEASE_S = 3.0  # campaign claims: short, so that a dead worker's contacts come back within the test

CAMPAIGN_DIALOGUE = """\
name: campaign_hello
language: en
outcomes: [done]
flows:
  main:
    - say: Hello, this is a short test call.
    - hangup: done
      prompt: Goodbye.
"""


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)


def loopback_haproxy_config(text: str, http_port: int, audiosocket_port: int,
                            workers: list[tuple[int, int]]) -> str:
    """docker/haproxy.cfg with its binds and servers on loopback: ``workers`` as (http, audiosocket) ports.

    Everything else (balancing, health checks, timeouts, retries) is the shipped file's.
    """
    text = re.sub(r"(?m)^resolvers docker\n(?:    .*\n)+", "", text)
    text = text.replace(" resolvers docker init-addr last,libc,none", "")
    text = text.replace("bind :8080", f"bind 127.0.0.1:{http_port}")
    text = text.replace("bind :9092", f"bind 127.0.0.1:{audiosocket_port}")
    for number, (http, audio) in enumerate(workers, start=1):
        text = text.replace(f"voicebot-{number}:8080", f"127.0.0.1:{http}")
        text = text.replace(f"voicebot-{number}:9092 port 8080", f"127.0.0.1:{audio} port {http}")
    # Fewer workers than the file names (benchmarks): their server lines go.
    text = re.sub(r"(?m)^\s+server \w+ voicebot-\d+:.*\n", "", text)
    assert "voicebot-" not in text.split("global", 1)[1], "a server of haproxy.cfg still names a container"
    return text


@dataclass
class Worker:
    number: int
    root: Path
    http_port: int
    audiosocket_port: int
    served: Served | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int:
        assert self.served is not None
        return self.served.proc.pid

    def alive(self) -> bool:
        return self.served is not None and self.served.proc.poll() is None

    def kill(self) -> None:
        assert self.served is not None
        self.served.proc.kill()  # SIGKILL: nothing of the worker runs after this
        self.served.proc.wait()
        if self.served.proc.stdout is not None:
            self.served.proc.stdout.close()

    def stop(self) -> None:
        if self.served is None:
            return
        proc = self.served.proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@dataclass
class CampaignCalls:
    """What the loopback Asterisk saw of campaign calls: per number, calls alive at once."""

    live: Counter[str] = field(default_factory=Counter)
    overlaps: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)


class Centre:
    def __init__(self, base: Path, pg_url: str, *, workers: int = 3) -> None:
        self.base = base
        self.pg_url = pg_url
        self.workers = [Worker(n, base / f"worker{n}", free_port(), free_port())
                        for n in range(1, workers + 1)]
        self.http_port, self.audiosocket_port = free_port(), free_port()
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.calls = CampaignCalls()
        self.tokens: dict[str, str] = {}  # API keys by name, created in the shared database
        self.ami = LoopbackAmi(secret=AMI_SECRET, on_answer=self._answered)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="loopback-ami")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    # ---- start / stop ----

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.ami.start(), self._loop).result(10)
        for worker in self.workers:
            self._prepare(worker)
        with ThreadPoolExecutor(len(self.workers)) as pool:  # model loading in parallel
            list(pool.map(self.start_worker, self.workers))
        self._start_haproxy()

    def _prepare(self, worker: Worker) -> None:
        folder = worker.root / "dialogues"
        (folder / "tests").mkdir(parents=True, exist_ok=True)
        shutil.copy(DIALOGUE_PATH, folder / DIALOGUE_PATH.name)
        (folder / "campaign_hello.yml").write_text(CAMPAIGN_DIALOGUE)
        (worker.root / "voicebot.yml").write_text(
            f"store:\n  url: {self.pg_url}\n  lease_s: {LEASE_S}\n"
            f"ami:\n  host: 127.0.0.1\n  port: {self.ami.port}\n  username: voicebot\n"
            "logging:\n  level: info\n")

    def start_worker(self, worker: Worker) -> None:
        os.environ["VOICEBOT_AMI__SECRET"] = AMI_SECRET  # start_serve passes os.environ on
        worker.served = start_serve(worker.root, "--audiosocket", f"127.0.0.1:{worker.audiosocket_port}",
                                    "--audiosocket-dialogue", "voice_check", "--port", str(worker.http_port))

    def _start_haproxy(self) -> None:
        binary = haproxy_binary()
        assert binary, "haproxy is not installed: sh scripts/system-deps.sh --system"
        config = self.base / "haproxy.cfg"
        ports = [(w.http_port, w.audiosocket_port) for w in self.workers]
        text = loopback_haproxy_config(HAPROXY_CFG.read_text(), self.http_port, self.audiosocket_port, ports)
        config.write_text(text)
        checked = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with (self.base / "haproxy.log").open("wb") as log:  # the child keeps its own copy
            self.haproxy = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=log)
        self.wait_servers_up(len(self.workers))

    def wait_servers_up(self, count: int, timeout_s: float = 60) -> None:
        """Until HAProxy's health checks have ``count`` workers up (they answer /healthz)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.haproxy is not None and self.haproxy.poll() is not None:
                raise AssertionError(f"HAProxy exited: {(self.base / 'haproxy.log').read_text()[-2000:]}")
            up = sum(1 for w in self.workers if w.alive())
            if up >= count and self._balancer_answers():
                time.sleep(2.5)  # rise 2 at inter 1 s: every live worker is in rotation
                return
            time.sleep(0.2)
        raise AssertionError("HAProxy never had the workers up")

    def _balancer_answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def close(self) -> None:
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=30)
        for worker in self.workers:
            worker.stop()
        asyncio.run_coroutine_threadsafe(self.ami.close(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    # ---- the loopback Asterisk's side of campaign calls ----

    async def _answered(self, call_id: str, variables: dict[str, str]) -> None:
        number = next(o.phone for o in self.ami.originates if o.call_id == call_id)
        self.calls.live[number] += 1
        if self.calls.live[number] > 1:
            self.calls.overlaps.append(number)
        try:
            port = int(variables["VOICEBOT_AUDIOSOCKET"].rsplit(":", 1)[1])
            peer = AsteriskPeer(port, call_id=call_id)
            try:
                await peer.connect()
            except OSError:
                return  # the worker that dialled is dead: nobody answers the AudioSocket
            self.calls.answered.append(call_id)
            try:
                await peer.wait_closed(timeout_s=90)
            except TimeoutError:
                pass
            finally:
                await peer.hang_up()
        finally:
            self.calls.live[number] -= 1

    def originates(self) -> list[Any]:
        return list(self.ami.originates)
