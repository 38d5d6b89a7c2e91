"""A real PostgreSQL server for the store tests: initdb into a temporary directory, one server per session,
a fresh database per test.

Debian's ``postgresql`` package (installed by scripts/system-deps.sh) provides the binaries. PostgreSQL
refuses to run as root, so under root the server runs as the ``postgres`` user (or ``nobody``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install them with "
                "'sudo apt-get install postgresql' (or run 'sudo sh scripts/system-deps.sh')")


@dataclass(frozen=True, slots=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    # Debian keeps them off PATH, one directory per major version: take the newest.
    candidates = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_account() -> list[str]:
    """The command prefix that drops root (empty when not root)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"]
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' account exists")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(f"no PostgreSQL on this machine; {INSTALL_HINT}")
    as_user = _server_account()
    # Not pytest's tmp_path: under root that sits in a 0700 directory the server account cannot enter.
    base = Path(tempfile.mkdtemp(prefix="voicebot-pg-"))
    if as_user:
        account = pwd.getpwnam(as_user[2])
        os.chown(base, account.pw_uid, account.pw_gid)
    data, port = base / "data", _free_port()
    run = [*as_user]
    subprocess.run([*run, str(bin_dir / "initdb"), "-D", str(data), "-U", "voicebot", "--auth=trust",
                    "-E", "UTF8", "--no-sync", "--no-instructions"], check=True, capture_output=True)
    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
               " -c full_page_writes=off -c max_connections=100")
    started = subprocess.run([*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                              "-l", str(base / "server.log"), "-w", "-t", "60", "start"],
                             capture_output=True, text=True)
    if started.returncode != 0:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log}")
    try:
        yield PostgresServer("127.0.0.1", port, "voicebot")
    finally:
        subprocess.run([*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL of a new, empty database on the session's server."""
    import psycopg

    name = f"vb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        # FILE_COPY (PostgreSQL 15+): a plain copy of the template is quickest when nothing is fsync'd.
        strategy = " STRATEGY = FILE_COPY" if admin.info.server_version >= 150000 else ""
        admin.execute(f"CREATE DATABASE {name}{strategy}")
    yield postgres_server.url(name)
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
