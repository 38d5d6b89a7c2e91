"""Fixtures for the real-Asterisk tests (``make test-asterisk``): one Asterisk built from source (its
prefix in ASTERISK_PREFIX, default /opt/asterisk-22), one ``voicebot serve --audiosocket`` and baresip
phones, all on loopback, for the whole run. A missing Asterisk or baresip fails the run: it never
skips. The default ``make test`` deselects these tests (marker ``asterisk``, see pyproject.toml).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .asterisk import Asterisk, Ports, conf_value
from .phone import Account, Phone
from .service import Service

DEFAULT_PREFIX = "/opt/asterisk-22"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def asterisk_prefix() -> Path:
    prefix = Path(os.environ.get("ASTERISK_PREFIX") or DEFAULT_PREFIX)
    if not (prefix / "sbin" / "asterisk").is_file():
        pytest.fail(f"no Asterisk in {prefix} (ASTERISK_PREFIX): build it with scripts/build-asterisk.sh "
                    f"asterisk-22.x.tar.gz pjproject-2.x.tar.gz {prefix} (see docs/telephony.md)",
                    pytrace=False)
    if shutil.which("baresip") is None:
        pytest.fail("baresip is not installed (Debian: apt-get install baresip-core)", pytrace=False)
    return prefix


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    # Short: Asterisk's control socket path must fit a unix socket name.
    path = Path(tempfile.mkdtemp(prefix="vbast-"))
    yield path
    if not os.environ.get("KEEP_ASTERISK_TEST_DIR"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def ports() -> Ports:
    base = 40_000 + (os.getpid() % 100) * 200
    customer = free_port(socket.SOCK_DGRAM)
    return Ports(sip=free_port(socket.SOCK_DGRAM), ami=free_port(), audiosocket=free_port(),
                 rtp=(base, base + 99), trunk=f"127.0.0.1:{customer}")


@pytest.fixture(scope="session")
def asterisk(asterisk_prefix: Path, workdir: Path, ports: Ports) -> Iterator[Asterisk]:
    server = Asterisk(asterisk_prefix, workdir / "asterisk", ports)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def service(asterisk: Asterisk, workdir: Path, ports: Ports) -> Iterator[Service]:
    bot = Service(workdir / "voicebot", ports, http_port=free_port())
    try:
        bot.start()
        yield bot
    finally:
        bot.close()


def _phone(workdir: Path, name: str, index: int, ports: Ports, accounts: list[Account],
           sip_port: int | None = None) -> Phone:
    rtp = ports.rtp[0] + 100 + index * 24
    return Phone(workdir / "phones", name, sip_port=sip_port or free_port(socket.SOCK_DGRAM),
                 ctrl_port=free_port(), rtp_ports=(rtp, rtp + 23), accounts=accounts)


def extension_account(user: str, ports: Ports, display: str | None = None) -> Account:
    return Account(user, f"127.0.0.1:{ports.sip}", password=conf_value("pjsip.conf", user, "password"),
                   display=display)


@pytest.fixture(scope="session")
def caller(asterisk: Asterisk, workdir: Path, ports: Ports) -> Iterator[Phone]:
    """Softphone 6001, with a caller-ID name."""
    phone = _phone(workdir, "caller", 0, ports, [extension_account("6001", ports, display="Pat")]).start()
    try:
        phone.wait_registered()
        yield phone
    finally:
        phone.close()


@pytest.fixture(scope="session")
def agent(asterisk: Asterisk, workdir: Path, ports: Ports) -> Iterator[Phone]:
    """Phone 6002: the agents queue's member; it answers by itself and has no caller-ID name."""
    phone = _phone(workdir, "agent", 1, ports, [extension_account("6002", ports)]).start()
    try:
        phone.wait_registered()
        yield phone
    finally:
        phone.close()


CUSTOMERS = {  # number -> (how the customer's phone behaves, the codecs it offers)
    "5550101": ("auto", "PCMU,PCMA"),    # answers
    "5550102": ("manual", "PCMU,PCMA"),  # rejects (the test hangs it up while it rings: 486)
    "5550103": ("manual", "PCMU,PCMA"),  # rings until the ring timeout
    "5550104": ("auto", "PCMU,PCMA"),    # answers
    "5550105": ("auto", "PCMA"),         # answers, an A-law line
    "5550106": ("auto", "PCMU"),         # answers, a mu-law line
}


@pytest.fixture(scope="session")
def customers(asterisk: Asterisk, workdir: Path, ports: Ports) -> Iterator[Phone]:
    """The phones behind the provider trunk, one baresip with one account per number."""
    host, port = ports.trunk.rsplit(":", 1)
    accounts = [Account(number, f"{host}:{port}", register=False, answer=mode, codecs=codecs)
                for number, (mode, codecs) in CUSTOMERS.items()]
    phone = _phone(workdir, "customers", 2, ports, accounts, sip_port=int(port)).start()
    yield phone
    phone.close()
