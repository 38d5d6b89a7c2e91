"""A real SIP softphone for the tests: Debian's baresip, driven over its ctrl_tcp socket.

The microphone is baresip's aufile source (switched per utterance with the ``ausrc`` command), and
its sndfile module writes what the phone hears (``dump-*-dec.wav``) while the call goes on, so a test
can wait for the bot to finish speaking and check afterwards that the phone heard speech.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .sound import Int16Array, microphone_file, read_growing_wav, segments

MODULES = Path("/usr/lib/baresip/modules")


class PhoneError(AssertionError):
    pass


@dataclass(frozen=True)
class Account:
    """One line of baresip's accounts file."""

    user: str
    domain: str  # host:port of the registrar, or of the phone itself for a trunk-side phone
    password: str | None = None
    display: str | None = None
    register: bool = True
    answer: str = "auto"  # auto, manual
    codecs: str = "PCMU,PCMA"

    @property
    def aor(self) -> str:
        return f"sip:{self.user}@{self.domain}"

    def line(self) -> str:
        name = f'"{self.display}" ' if self.display else ""
        params = [f"answermode={self.answer}", f"audio_codecs={self.codecs}", "ptime=20",
                  f"regint={600 if self.register else 0}"]
        if self.password:
            params.append(f"auth_pass={self.password}")
        return f"{name}<{self.aor};transport=udp>;" + ";".join(params)


@dataclass
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class Phone:
    def __init__(self, root: Path, name: str, *, sip_port: int, ctrl_port: int, rtp_ports: tuple[int, int],
                 accounts: list[Account], extra_config: tuple[str, ...] = ()) -> None:
        self.name = name
        self.dir = root / name
        self.records = self.dir / "heard"
        self.sip_port = sip_port
        self.ctrl_port = ctrl_port
        self.rtp_ports = rtp_ports
        self.accounts = accounts
        self.extra_config = extra_config
        self.events: list[Event] = []
        self._cond = threading.Condition()
        self._responses: dict[str, dict[str, Any]] = {}
        self._token = 0
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._mic_count = 0

    # ----- process -----
    def start(self) -> Phone:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.records.mkdir(exist_ok=True)
        silence = self.silence = microphone_file(self.dir / "silence.wav", None, tail_s=300)
        (self.dir / "config").write_text("\n".join([
            "poll_method epoll",
            f"sip_listen 127.0.0.1:{self.sip_port}",
            "net_interface 127.0.0.1",  # SIP contact and SDP on loopback
            f"rtp_ports {self.rtp_ports[0]}-{self.rtp_ports[1]}",
            f"audio_source aufile,{silence}",
            f"audio_player aubridge,{self.name}-play",
            f"audio_alert aubridge,{self.name}-alert",
            "audio_srate 8000",
            "ausrc_srate 8000",
            "auplay_srate 8000",
            f"module_path {MODULES}",
            "module g711.so", "module aufile.so", "module aubridge.so", "module sndfile.so",
            "module_app account.so", "module_app menu.so", "module_app ctrl_tcp.so",
            f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
            f"snd_path {self.records}",
            "sip_verify_server no",
            *self.extra_config,
            "",
        ]))
        (self.dir / "accounts").write_text("".join(a.line() + "\n" for a in self.accounts))
        (self.dir / "contacts").write_text("")
        self.log = self.dir / "baresip.log"
        with self.log.open("wb") as log:
            self._proc = subprocess.Popen(["baresip", "-f", str(self.dir)], stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                break
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise PhoneError(f"baresip {self.name} did not start: {self.log.read_text()[-2000:]}") \
                        from None
                time.sleep(0.1)
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read, name=f"baresip-{self.name}", daemon=True)
        self._reader.start()
        return self

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._sock is not None:
            self._sock.close()

    def wait_registered(self, timeout: float = 20) -> None:
        """Every registering account holds a binding (asked with ``reginfo``: the REGISTER_OK event may
        come before the control connection is up)."""
        want = sum(1 for a in self.accounts if a.register)
        deadline = time.monotonic() + timeout
        info = ""
        while time.monotonic() < deadline:
            info = str(self.command("reginfo").get("data", ""))
            if info.count("OK ") >= want:
                return
            time.sleep(0.3)
        raise PhoneError(f"{self.name}: not registered within {timeout:.0f} s: {info!r}")

    # ----- ctrl_tcp -----
    def _read(self) -> None:
        assert self._sock is not None
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b":" in buffer:
                size_text, rest = buffer.split(b":", 1)
                size = int(size_text)
                if len(rest) < size + 1:
                    break
                message = json.loads(rest[:size])
                buffer = rest[size + 1:]
                with self._cond:
                    if message.get("response"):
                        self._responses[str(message.get("token"))] = message
                    elif message.get("event"):
                        self.events.append(Event(str(message.get("type")), message))
                    self._cond.notify_all()

    def command(self, command: str, params: str = "") -> dict[str, Any]:
        assert self._sock is not None
        with self._cond:
            self._token += 1
            token = f"t{self._token}"
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._sock.sendall(f"{len(body)}:".encode() + body + b",")
        self.wait_for(lambda: token in self._responses, 10, f"answer to {command} {params}")
        response = self._responses.pop(token)
        return response

    def wait_for(self, check: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [e.type for e in self.events][-15:]
                    raise PhoneError(f"{self.name}: no {what} within {timeout:.0f} s (events {kinds})")
                self._cond.wait(min(left, 0.2))

    def wait_event(self, kind: str, timeout: float = 30, *, after: int = 0,
                   account: str | None = None) -> Event:
        """The first event of ``kind`` at index >= after (optionally for one account)."""
        def find() -> Event | None:
            for event in self.events[after:]:
                if event.type == kind and (account is None or event.data.get("accountaor") == account):
                    return event
            return None
        self.wait_for(lambda: find() is not None, timeout, kind)
        found = find()
        assert found is not None
        return found

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def count(self, kind: str, account: str | None = None) -> int:
        with self._cond:
            return sum(1 for e in self.events if e.type == kind
                       and (account is None or e.data.get("accountaor") == account))

    # ----- calls -----
    def dial(self, target: str) -> None:
        response = self.command("dial", target)
        if not response.get("ok"):
            raise PhoneError(f"{self.name}: dial {target} failed: {response}")

    def hangup(self) -> None:
        self.command("hangup")

    def accept(self) -> None:
        self.command("accept")

    def dtmf(self, digits: str) -> None:
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(0.25)

    def say(self, text: str) -> float:
        """Switch the microphone to this speech (then silence); returns when the speech has been sent."""
        from .sound import speech_duration_s

        self._mic_count += 1
        path = microphone_file(self.dir / f"say-{self._mic_count}.wav", text)
        self.command("ausrc", f"aufile,{path}")
        duration = 0.2 + speech_duration_s(text)
        time.sleep(duration + 0.1)
        # Back to silence while the call is up: the switch also sets the source of later calls.
        self.quiet()
        return duration

    # ----- what the phone heard -----
    def recordings(self) -> list[Path]:
        return sorted(self.records.glob("dump-*-dec.wav"), key=lambda p: p.stat().st_mtime)

    def sent(self) -> Int16Array:
        """What the phone's microphone sent in its latest call."""
        recording: Path | None = getattr(self, "_recording", None)
        name = recording.name.replace("-dec.wav", "-enc.wav") if recording else "none.wav"
        return read_growing_wav(self.records / name)

    def heard(self) -> Int16Array:
        """What the phone heard in its latest call."""
        recording: Path | None = getattr(self, "_recording", None)
        return read_growing_wav(recording or self.records / "none.wav")

    def wait_bot_turn(self, *, quiet_s: float = 1.5, timeout: float = 90) -> None:
        """Waits until new sound reached the phone (since the last call of this method or the call's
        start) and the line has been quiet for ``quiet_s`` after it."""
        start_len = getattr(self, "_heard_len", 0)
        deadline = time.monotonic() + timeout
        size, grew_at = -1, time.monotonic()
        while time.monotonic() < deadline:
            samples = self.heard()
            if samples.size < start_len:  # a new call's recording
                start_len = 0
            if samples.size != size:
                size, grew_at = samples.size, time.monotonic()
            found = segments(samples[start_len:])
            if found:
                last_end = found[-1][1]
                heard_s = (samples.size - start_len) / 8000
                # Quiet long enough, or the recording stopped growing: the call is over.
                if heard_s - last_end >= quiet_s or time.monotonic() - grew_at > quiet_s + 2:
                    self._heard_len = samples.size
                    return
            time.sleep(0.1)
        raise PhoneError(f"{self.name}: the bot did not speak and stop within {timeout:.0f} s")

    def wait_sound(self, timeout: float = 60) -> None:
        """Waits until the phone hears something (the bot started speaking)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if segments(self.heard(), min_ms=100):
                return
            time.sleep(0.05)
        raise PhoneError(f"{self.name}: heard nothing within {timeout:.0f} s")

    def quiet(self) -> None:
        """Back to the silent microphone. ``ausrc`` also changes the source of the next calls, so a call
        would otherwise begin with the last thing said."""
        self.command("ausrc", f"aufile,{self.silence}")

    def call(self, target: str, timeout: float = 30) -> int:
        """Dials and waits until the call is answered; returns the event mark of the call's start."""
        self.quiet()
        mark = self.mark()
        self.dial(target)
        self.wait_event("CALL_ESTABLISHED", timeout, after=mark)
        self.new_call()
        return mark

    def new_call(self) -> None:
        """A call was answered: what it hears is a new recording (sndfile opens it when audio starts);
        heard() reads that file from now on."""
        self._heard_len = 0
        known = set(getattr(self, "_known", set()))
        self.wait_for(lambda: bool(set(self.recordings()) - known), 10, "a new recording of the call")
        self._known = set(self.recordings())
        self._recording = max(self._known - known, key=lambda p: p.stat().st_mtime)
