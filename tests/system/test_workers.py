"""Many workers, one call centre: three real `voicebot serve` workers on one PostgreSQL database behind
HAProxy running the shipped docker/haproxy.cfg (tests/system/centre.py).

- websocket and AudioSocket calls through HAProxy spread over the three workers (leastconn);
- a key limited to 2 calls gets its third refused on every worker, through HAProxy or directly;
- a worker killed with SIGKILL mid-call: its call is marked interrupted by the others, new calls go to them;
- a 30-contact campaign dialled by all three against the loopback AMI server, one worker killed midway:
  every contact done, one final state per attempt, no number dialled again while a call to it lived.

Slow (three model loads, a minute of sweeping): `make test-system`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import websockets

from tests.store.conftest import PostgresServer
from tests.system.centre import AMI_SECRET, Centre, haproxy_binary
from tests.telephony.asterisk_peer import AsteriskPeer
from voicebot.store.postgres import PostgresKeyStore, WorkerId

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def centre(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    if haproxy_binary() is None:
        pytest.fail("haproxy is not installed: sh scripts/system-deps.sh --system")
    name = "vb_workers"
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    before = os.environ.get("VOICEBOT_AMI__SECRET")
    centre = Centre(tmp_path_factory.mktemp("centre"), postgres_server.url(name))
    keys = PostgresKeyStore(centre.pg_url)
    centre.tokens = {"full": keys.create("full")[1],
                     "limited": keys.create("limited", max_concurrent_calls=2)[1]}
    keys.close()
    try:
        centre.start()
        yield centre
    finally:
        centre.close()
        if before is None:
            os.environ.pop("VOICEBOT_AMI__SECRET", None)
        else:
            os.environ["VOICEBOT_AMI__SECRET"] = before
        assert AMI_SECRET


def rows(centre: Centre) -> dict[str, tuple[str, int]]:
    """call_id -> (status, pid of the worker that ran it), from the shared database."""
    with psycopg.connect(centre.pg_url) as conn:
        found = conn.execute("SELECT call_id, status, worker FROM calls").fetchall()
    result = {}
    for call_id, status, worker in found:
        parsed = WorkerId.parse(worker or "")
        result[call_id] = (status, parsed.pid if parsed else -1)
    return result


async def wait_rows(centre: Centre, call_ids: list[str], timeout_s: float = 60) -> dict[str, tuple[str, int]]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = rows(centre)
        if all(c in found for c in call_ids):
            return found
        assert time.monotonic() < deadline, f"calls never reached the database: {set(call_ids) - set(found)}"
        await asyncio.sleep(0.2)


async def open_ws(url: str, token: str) -> tuple[Any, dict[str, Any]]:
    """A websocket call started (or refused): the connection and the server's first message."""
    ws = await websockets.connect(f"{url.replace('http://', 'ws://')}/ws?dialogue=voice_check&token={token}",
                                  open_timeout=60, max_size=None)
    with contextlib.suppress(websockets.ConnectionClosed):  # a refusal may close before the start arrives
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le",
                                  "variables": {}}))
    first = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
    return ws, first


async def end_ws(ws: Any) -> None:
    with contextlib.suppress(Exception):
        await ws.send(json.dumps({"type": "stop"}))
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(), 30)


async def test_calls_spread_over_workers_and_a_key_limit_holds_across_them(centre: Centre) -> None:
    pids = {w.pid for w in centre.workers}
    token = centre.tokens["full"]
    sockets = [await open_ws(centre.url, token) for _ in range(3)]
    peers = [AsteriskPeer(centre.audiosocket_port) for _ in range(3)]
    for peer in peers:
        await peer.connect()
    try:
        assert all(first["type"] == "ready" for _, first in sockets), [f for _, f in sockets]
        ws_ids = [first["call_id"] for _, first in sockets]
        found = await wait_rows(centre, ws_ids + [p.call_id for p in peers])
        # leastconn: three long connections at once on each door, one per worker.
        assert {found[c][1] for c in ws_ids} == pids
        assert {found[p.call_id][1] for p in peers} == pids
    finally:
        for ws, _ in sockets:
            await end_ws(ws)
        for peer in peers:
            await peer.hang_up()

    limited = centre.tokens["limited"]
    held = [await open_ws(centre.url, limited) for _ in range(2)]
    try:
        assert [first["type"] for _, first in held] == ["ready", "ready"]
        for url in [centre.url] + [w.url for w in centre.workers]:  # HAProxy, then each worker directly
            ws, first = await open_ws(url, limited)
            await end_ws(ws)
            assert first["type"] == "error" and "across all workers" in first["message"], (url, first)
    finally:
        for ws, _ in held:
            await end_ws(ws)
    # Both ended (their workers release the slots as the calls are saved): the key may call again.
    deadline = time.monotonic() + 60
    while True:
        again, first = await open_ws(centre.url, limited)
        await end_ws(again)
        if first["type"] == "ready":
            break
        assert time.monotonic() < deadline, f"the ended calls kept their slots: {first}"
        await asyncio.sleep(0.5)


async def test_a_worker_killed_mid_call(centre: Centre) -> None:
    token = centre.tokens["full"]
    ws, first = await open_ws(centre.url, token)
    assert first["type"] == "ready", first
    call_id = first["call_id"]
    victim_pid = (await wait_rows(centre, [call_id]))[call_id][1]
    victim = next(w for w in centre.workers if w.pid == victim_pid)
    victim.kill()
    with pytest.raises(websockets.ConnectionClosed):  # HAProxy closes the caller's side
        while True:
            await asyncio.wait_for(ws.recv(), timeout=30)
    # New calls go to the other workers, at once (a refused connection is redispatched).
    sockets = [await open_ws(centre.url, token) for _ in range(4)]
    peer = AsteriskPeer(centre.audiosocket_port)
    await peer.connect()
    try:
        assert all(f["type"] == "ready" for _, f in sockets), [f for _, f in sockets]
        new_ids = [f["call_id"] for _, f in sockets] + [peer.call_id]
        found = await wait_rows(centre, new_ids)
        assert {found[c][1] for c in new_ids} <= {w.pid for w in centre.workers if w is not victim}
    finally:
        for other, _ in sockets:
            await end_ws(other)
        await peer.hang_up()
    # The survivors' sweep (every 60 s) marks the dead worker's call interrupted; no restart needed.
    deadline = time.monotonic() + 150
    while rows(centre)[call_id][0] != "interrupted":
        assert time.monotonic() < deadline, "the killed worker's call was never marked interrupted"
        await asyncio.sleep(1)
    centre.start_worker(victim)  # back for the campaign test
    centre.wait_servers_up(3)


async def test_a_campaign_on_three_workers_with_one_killed(centre: Centre) -> None:
    contacts = "phone,name\n" + "".join(f"+1555020{i:04d},Customer {i}\n" for i in range(1, 31))
    headers = {"Authorization": f"Bearer {centre.tokens['full']}"}
    async with httpx.AsyncClient(timeout=60, headers=headers) as http:
        created = await http.post(f"{centre.url}/api/campaigns/", json={
            "id": "c30", "dialogue": "campaign_hello", "contacts_csv": contacts, "max_concurrent": 2,
            "retries": 2, "retry_after_min": 0})
        assert created.status_code == 201, created.text
        for worker in centre.workers:
            started = await http.post(f"{worker.url}/api/campaigns/c30/start")
            assert started.status_code == 202, started.text
        victim = centre.workers[1]
        survivor = centre.workers[0]
        deadline = time.monotonic() + 600
        killed = False
        while True:
            progress = (await http.get(f"{survivor.url}/api/campaigns/c30")).json()
            if not killed and progress["done"] >= 10 and _dialling_on(centre, victim.pid):
                victim.kill()
                killed = True
            if progress["done"] == 30 and progress["pending"] == 0:
                break
            assert time.monotonic() < deadline, f"the campaign did not finish: {progress}"
            await asyncio.sleep(0.5)
        report = (await http.get(f"{survivor.url}/api/campaigns/c30/report?format=json")).json()
    assert killed, "the campaign ended before a worker could be killed mid-call"
    originated = Counter(o.call_id for o in centre.originates())
    assert max(originated.values()) == 1, "a call_id was dialled twice"
    assert centre.calls.overlaps == [], f"dialled again while a call to it lived: {centre.calls.overlaps}"
    with psycopg.connect(centre.pg_url) as conn:
        attempts = conn.execute("SELECT line, attempt_no, state, outcome, call_id FROM attempts "
                                "WHERE campaign_id = 'c30' ORDER BY line, attempt_no").fetchall()
    by_line: dict[int, list[tuple[Any, ...]]] = {}
    for attempt in attempts:
        by_line.setdefault(attempt[0], []).append(attempt)
    assert len(by_line) == 30
    phones = {o.call_id: o.phone for o in centre.originates()}
    for line, tries in by_line.items():
        assert [t[1] for t in tries] == list(range(1, len(tries) + 1)), tries
        assert all(t[2] == "final" and t[3] for t in tries), tries  # exactly one final state each
        numbers = {phones[t[4]] for t in tries if t[4] in phones}
        assert len(numbers) == 1 and len([c for c in originated if phones[c] in numbers]) == len(tries), line
    interrupted = [t for tries in by_line.values() for t in tries if t[3] == "interrupted"]
    assert interrupted, "the killed worker left no attempt to recover"
    assert all(row["status"] == "done" for row in report["contacts"])


def _dialling_on(centre: Centre, pid: int) -> bool:
    return any(status == "in_progress" and worker_pid == pid for status, worker_pid in rows(centre).values())

