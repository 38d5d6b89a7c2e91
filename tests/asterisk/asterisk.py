"""A real Asterisk for the tests, run from its install prefix with the project's docker/asterisk files.

The files are rendered, never copied by hand: each substitution names the exact text it replaces in
docker/asterisk/*.conf (a changed file fails loudly here) and only moves addresses, ports and paths
to loopback and a private directory. asterisk.conf (directories) and logger.conf are not part of the
docker setup (the image brings its own) and are generated.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKER_ASTERISK = ROOT / "docker" / "asterisk"
CONF_FILES = ("modules.conf", "pjsip.conf", "extensions.conf", "manager.conf", "queues.conf", "rtp.conf")
# Modules that bind fixed well-known ports the tests do not use: another Asterisk on the machine
# (or a second test run) must not collide with them.
NOT_LOADED = ("chan_iax2.so", "chan_skinny.so", "chan_mgcp.so", "chan_unistim.so", "pbx_dundi.so",
              "res_hep.so", "res_hep_pjsip.so", "res_hep_rtcp.so", "chan_console.so", "chan_motif.so",
              "res_xmpp.so", "res_pjsip_phoneprov_provider.so", "res_phoneprov.so", "cdr_radius.so",
              "cel_radius.so", "res_snmp.so")


class AsteriskError(AssertionError):
    pass


@dataclass(frozen=True)
class Ports:
    sip: int
    ami: int
    audiosocket: int
    rtp: tuple[int, int]
    trunk: str  # host:port where the provider trunk's calls go (the customers' phone)


def _replace(text: str, name: str, old: str, new: str, *, count: int | None = 1) -> str:
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        raise AsteriskError(f"docker/asterisk/{name}: expected {count or 'some'} of {old!r}, found {found}; "
                            "update tests/asterisk/asterisk.py with the file")
    return text.replace(old, new)


def render(ports: Ports) -> dict[str, str]:
    """docker/asterisk/*.conf for this machine: name -> text."""
    substitutions = [  # (file, text in docker/asterisk, replacement, how many; None: at least one)
        ("pjsip.conf", "bind = 0.0.0.0:5060", f"bind = 127.0.0.1:{ports.sip}", 1),
        ("pjsip.conf", "contact = sip:sip.provider.invalid", f"contact = sip:{ports.trunk}", 1),
        ("extensions.conf", "voicebot:9092", f"127.0.0.1:{ports.audiosocket}", None),
        ("manager.conf", "port = 5038", f"port = {ports.ami}", 1),
        ("manager.conf", "bindaddr = 0.0.0.0", "bindaddr = 127.0.0.1", 1),
        ("rtp.conf", "rtpstart = 10000", f"rtpstart = {ports.rtp[0]}", 1),
        ("rtp.conf", "rtpend = 10099", f"rtpend = {ports.rtp[1]}", 1),
    ]
    files = {name: (DOCKER_ASTERISK / name).read_text() for name in CONF_FILES}
    for name, old, new, count in substitutions:
        files[name] = _replace(files[name], name, old, new, count=count)
    files["modules.conf"] += "".join(f"noload = {m}\n" for m in NOT_LOADED)
    return files


def conf_value(name: str, section: str, key: str) -> str:
    """A value from docker/asterisk/NAME (first ``key = value`` in a section of that name)."""
    current = None
    for raw in (DOCKER_ASTERISK / name).read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            current = line[1:].split("]", 1)[0]
        elif current == section and "=" in line:
            k, v = (part.strip() for part in line.split("=", 1))
            if k == key:
                return v.lstrip(">").strip()
    raise AsteriskError(f"docker/asterisk/{name}: no {key} in [{section}]")


class Asterisk:
    def __init__(self, prefix: Path, root: Path, ports: Ports) -> None:
        self.prefix = prefix
        self.root = root
        self.ports = ports
        self.etc = root / "etc"
        self.config = self.etc / "asterisk.conf"
        self.binary = prefix / "sbin" / "asterisk"
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def version(self) -> str:
        done = subprocess.run([str(self.binary), "-V"], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def write_config(self) -> None:
        for sub in ("etc", "lib", "spool", "run", "log", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        data = self.prefix / "var" / "lib" / "asterisk"
        if not (data / "documentation" / "core-en_US.xml").is_file():
            raise AsteriskError(f"{data}/documentation/core-en_US.xml is missing: Asterisk 22 does not start "
                                "without it (rebuild with scripts/build-asterisk.sh)")
        self.config.write_text(f"""[directories]
astcachedir => {self.root}/cache
astetcdir => {self.etc}
astmoddir => {self.prefix}/lib/asterisk/modules
astvarlibdir => {self.root}/lib
astdbdir => {self.root}/lib
astkeydir => {self.root}/lib
astdatadir => {data}
astagidir => {data}/agi-bin
astspooldir => {self.root}/spool
astrundir => {self.root}/run
astlogdir => {self.root}/log
astsbindir => {self.prefix}/sbin

[options]
nocolor = yes
""")
        (self.etc / "logger.conf").write_text("[general]\n[logfiles]\nmessages.log => notice,warning,error\n"
                                              "full.log => notice,warning,error,verbose(3),dtmf\n")
        for name, text in render(self.ports).items():
            (self.etc / name).write_text(text)

    def start(self, timeout: float = 90) -> None:
        if not self.config.exists():
            self.write_config()
        log = (self.root / "log" / "console.log").open("ab")
        self._proc = subprocess.Popen([str(self.binary), "-f", "-C", str(self.config)],
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                raise AsteriskError(f"Asterisk exited with {code} at start: {self.log_tail()}")
            done = subprocess.run([str(self.binary), "-C", str(self.config), "-rx", "core waitfullybooted"],
                                  capture_output=True, text=True, timeout=timeout)
            if done.returncode == 0 and "fully booted" in done.stdout.lower():
                return
            time.sleep(0.3)
        raise AsteriskError(f"Asterisk did not finish booting within {timeout:.0f} s: {self.log_tail()}")

    def rx(self, command: str) -> str:
        done = subprocess.run([str(self.binary), "-C", str(self.config), "-rx", command],
                              capture_output=True, text=True, timeout=30)
        return done.stdout

    def stop(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self.rx("core stop now")
        try:
            self._proc.wait(20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, chars: int = 3000) -> str:
        texts = []
        for name in ("console.log", "full.log"):
            path = self.root / "log" / name
            if path.exists():
                texts.append(path.read_text(errors="replace")[-chars:])
        return "\n".join(texts)

    def full_log(self) -> str:
        path = self.root / "log" / "full.log"
        return path.read_text(errors="replace") if path.exists() else ""
