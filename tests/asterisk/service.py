"""``voicebot serve --audiosocket`` as a subprocess, configured for the test Asterisk's AMI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from .asterisk import ROOT, Ports, conf_value


class ServiceError(AssertionError):
    pass


def ami_secret() -> str:
    return conf_value("manager.conf", "voicebot", "secret")


def write_config(path: Path, data_dir: Path, ports: Ports, *, http_port: int, dialogue: str,
                 dialogues_dir: Path, ami: bool) -> Path:
    config: dict[str, Any] = {
        "server": {"host": "127.0.0.1", "port": http_port, "insecure_no_auth": True},
        "paths": {"data_dir": str(data_dir), "dialogues_dir": str(dialogues_dir),
                  "voices_dir": str(ROOT / "voices")},
        "audiosocket": {"listen": f"127.0.0.1:{ports.audiosocket}", "default_dialogue": dialogue},
    }
    if ami:
        config["ami"] = {"host": "127.0.0.1", "port": ports.ami, "username": "voicebot"}
    path.write_text(yaml.safe_dump(config))
    return path


def voicebot_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["VOICEBOT_AMI__SECRET"] = ami_secret()
    return env


def voicebot_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "voicebot", "--config", str(config), *args]


class Service:
    """Without ``ami`` every call runs ``dialogue`` (no channel-variable routing)."""

    def __init__(self, root: Path, ports: Ports, *, http_port: int, dialogue: str = "satisfaction_survey",
                 dialogues_dir: Path = ROOT / "dialogues", ami: bool = True) -> None:
        self.root = root
        self.ports = ports
        self.http_port = http_port
        self.data_dir = root / "var"
        root.mkdir(parents=True, exist_ok=True)
        self.config = write_config(root / "voicebot.yml", self.data_dir, ports, http_port=http_port,
                                   dialogue=dialogue, dialogues_dir=dialogues_dir, ami=ami)
        self.log = root / "voicebot.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 300) -> Service:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(voicebot_command(self.config, "serve", "--insecure-no-auth"),
                                          env=voicebot_env(), stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ServiceError(f"voicebot serve exited with {self._proc.returncode}: {self.log_tail()}")
            try:
                self.get("/healthz")
                if "audiosocket" in self.log.read_text(errors="replace").lower():
                    return self
            except (OSError, ServiceError):
                pass
            time.sleep(0.5)
        raise ServiceError(f"voicebot serve not up within {timeout:.0f} s: {self.log_tail()}")

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def get(self, path: str) -> Any:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ServiceError(f"GET {path}: {exc.code}") from exc

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ServiceError(f"POST {path}: {exc.code} {exc.read()[:500]!r}") from exc

    def call_ids(self) -> set[str]:
        return {c["call_id"] for c in self.get("/api/calls?limit=200")["calls"]}

    def wait_new_call(self, before: set[str], timeout: float = 120) -> dict[str, Any]:
        """The record of the one call saved since ``before`` (waits until it has ended and is saved)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = self.call_ids() - before
            if new:
                assert len(new) == 1, f"more than one new call: {new}"
                entry: dict[str, Any] = self.get(f"/api/calls/{new.pop()}")
                record = entry.get("record", entry)
                if record.get("ended_at"):
                    return record
            time.sleep(0.5)
        raise ServiceError(f"no new call record within {timeout:.0f} s: {self.log_tail()}")
