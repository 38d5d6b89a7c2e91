"""voicebot serve as a real subprocess on a free port: health, auth, SIGHUP reload, clean SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.service_fixtures import GREETER, GREETER_TEST
from voicebot.cli.serve import _warn_about_exposure
from voicebot.store import CallStore, KeyStore

REPO_ROOT = Path(__file__).resolve().parents[2]


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str, stderr_path: Path) -> None:
        self.proc, self.url, self.stderr_path = proc, url, stderr_path

    def stderr(self) -> str:
        return self.stderr_path.read_text()


def start_serve(tmp_path: Path, *args: str, module: str = "voicebot") -> Served:
    """``python -m MODULE serve`` in tmp_path; ``module`` is a launcher such as tests.system.fault_serve."""
    err_path = tmp_path / "serve.err"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if module.startswith("tests."):  # the child runs in tmp_path: let it find this checkout's tests
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    with err_path.open("w") as err_file:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--port", "0", "--data-dir", str(tmp_path / "var"),
             "--dialogues-dir", str(tmp_path / "dialogues"), *args],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=err_file, text=True, env=env)
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 180  # model loading on a busy 2-core machine
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = proc.stdout.readline()
            match = re.search(r"serving on (http://\S+?)/ ", line)
            if match:
                selector.close()
                return Served(proc, match.group(1), err_path)
            if not line and proc.poll() is not None:
                break
    proc.kill()
    proc.wait()
    proc.stdout.close()
    raise AssertionError(f"voicebot serve did not start: {err_path.read_text()[-2000:]}")


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "dialogues" / "tests").mkdir(parents=True)
    yield tmp_path


def wait_for(predicate: object, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_serve_lifecycle(workdir: Path) -> None:
    keys = KeyStore(workdir / "var" / "voicebot.db")
    _, token = keys.create("ops")
    keys.close()
    served = start_serve(workdir)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=served.url, timeout=10) as http:
            assert http.get("/healthz").json()["status"] == "ok"
            assert http.get("/api/calls").status_code == 401
            assert http.get("/api/calls", headers=auth).json() == {"calls": [], "total": 0, "limit": 50,
                                                                   "offset": 0}
            # A dialogue added on disk goes live on SIGHUP once its conversation test passes.
            folder = workdir / "dialogues"
            (folder / "greeter.yml").write_text(GREETER)
            (folder / "tests" / "greeter.yml").write_text(GREETER_TEST)
            served.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: http.get("/healthz").json()["dialogues_loaded"] == 1)
            # A broken edit is refused and the running version stays.
            (folder / "greeter.yml").write_text(GREETER.replace("flows:", "flow:"))
            served.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: not http.get("/api/dialogues", headers=auth).json()["last_reload"]["ok"])
            body = http.get("/api/dialogues", headers=auth).json()
            assert [d["name"] for d in body["dialogues"]] == ["greeter"] and body["version"] == 2
            assert "flow" in body["last_reload"]["errors"][0]
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=120) == 0
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()
        assert served.proc.stdout is not None
        served.proc.stdout.close()
    err = served.stderr()
    assert "shutting down" in err and "Traceback" not in err
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(entry["msg"].startswith("dialogues loaded: greeter") for entry in logged)
    assert all(token not in line for line in err.splitlines())


def test_port_in_use_fails_at_once_with_insecure_warning(workdir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "voicebot", "serve", "--port", str(port), "--insecure-no-auth",
             "--data-dir", str(workdir / "var"), "--dialogues-dir", str(workdir / "dialogues")],
            cwd=workdir, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "NO API KEY IS CHECKED" in result.stderr
    assert f"voicebot: error: cannot listen on 127.0.0.1:{port}" in result.stderr


def test_exposure_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    _warn_about_exposure("0.0.0.0", True, has_keys=False)
    assert "REACHABLE FROM OTHER MACHINES" in capsys.readouterr().err
    _warn_about_exposure("0.0.0.0", False, has_keys=False)
    assert "no API keys exist while listening on 0.0.0.0" in capsys.readouterr().err
    _warn_about_exposure("127.0.0.1", False, has_keys=True)
    _warn_about_exposure("::1", False, has_keys=True)
    assert capsys.readouterr().err == ""


def test_sigterm_lets_a_call_in_progress_finish(workdir: Path) -> None:
    from websockets.sync.client import connect

    folder = workdir / "dialogues"
    (folder / "greeter.yml").write_text(GREETER)
    (folder / "tests" / "greeter.yml").write_text(GREETER_TEST)
    keys = KeyStore(workdir / "var" / "voicebot.db")
    _, token = keys.create("ops")
    keys.close()
    served = start_serve(workdir)
    ws_url = served.url.replace("http://", "ws://") + f"/ws?dialogue=greeter&token={token}"
    try:
        with connect(ws_url, open_timeout=30) as ws:
            ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le",
                                "variables": {}}))
            messages = [json.loads(m) for m in _texts(ws, until="bot")]
            call_id = next(m["call_id"] for m in messages if m["type"] == "ready")
            served.proc.send_signal(signal.SIGTERM)
            wait_for(lambda: "shutting down" in served.stderr(), timeout_s=30)
            with pytest.raises(httpx.ConnectError):  # no new connections while draining
                httpx.get(served.url + "/healthz", timeout=5)
            ws.send(json.dumps({"type": "text", "text": "yes"}))
            end = json.loads(_texts(ws, until="end")[-1])
        assert end["record"]["outcome"] == "done"
        assert served.proc.wait(timeout=120) == 0
    finally:
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()
        assert served.proc.stdout is not None
        served.proc.stdout.close()
    store = CallStore(workdir / "var" / "voicebot.db")
    entry = store.entry(call_id)
    store.close()
    assert entry is not None and (entry.status, entry.record.outcome) == ("completed", "done")


def _texts(ws: Any, *, until: str) -> list[str]:
    """Text messages up to and including the first of type ``until`` (audio frames skipped)."""
    out = []
    while True:
        message = ws.recv(timeout=60)
        if isinstance(message, str):
            out.append(message)
            if json.loads(message)["type"] == until:
                return out


async def test_audiosocket_door_logs_in_to_ami_and_logs_off_on_stop(workdir: Path) -> None:
    from tests.telephony.ami_server import LoopbackAmi

    class ClosingAmi(LoopbackAmi):
        # The loopback server leaves a connection open after its client hangs up; close it here.
        async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await super()._serve(reader, writer)
            finally:
                writer.close()

    ami = ClosingAmi(username="voicebot", secret="s3cret")
    await ami.start()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "VOICEBOT_AMI__USERNAME": "voicebot",
           "VOICEBOT_AMI__SECRET": "s3cret", "VOICEBOT_AMI__PORT": str(ami.port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "voicebot", "serve", "--port", "0", "--audiosocket", "0",
        "--data-dir", str(workdir / "var"), "--dialogues-dir", str(workdir / "dialogues"),
        cwd=workdir, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("serving on" in line for line in lines):
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=180)).decode()
            assert line, "voicebot serve exited before serving"
            lines.append(line)
        assert any("AudioSocket calls on 127.0.0.1:" in line for line in lines)
        assert ami.logins == 1
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert "s3cret" not in err.decode()
        assert any(action.get("Action") == "Logoff" for action in ami.actions)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await ami.close()
