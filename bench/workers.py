"""Several workers on one machine behind HAProxy: CPU per call per worker process, and calls per machine.

Starts the loopback call centre of the multi-worker test (tests/system/centre.py: `--workers` real
`voicebot serve` processes on one PostgreSQL database, the shipped docker/haproxy.cfg in front), then
places `--calls` real-time websocket calls through HAProxy, `--concurrent` at a time (voice_check: three
bot prompts, two spoken caller answers). Each worker's CPU time comes from /proc before and after, so
the figures are CPU seconds, which contention on a shared machine changes little (wall times it does).

Reports per worker: calls served, CPU s, CPU s per call; the idle CPU of a worker (heartbeats, health
checks, sweeps) per second; and the calls a machine carries at 60 % CPU from the measured cores per call.

    .venv/bin/python bench/workers.py --url postgresql://user@127.0.0.1:5432/db [--workers 3]
        [--calls 9] [--concurrent 3] [--idle-s 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' call-centre harness

from tests.session.helpers import real_time_caller
from tests.system.centre import Centre
from tests.system.service import ws_turns
from voicebot.store.postgres import PostgresKeyStore

TARGET_LOAD = 0.6  # as docs/scaling.md: head-room so p95 latency stays near p50


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def one_call(centre: Centre, token: str) -> tuple[float, str]:
    import websockets

    url = f"ws://127.0.0.1:{centre.http_port}/ws?dialogue=voice_check&token={token}"
    started = time.monotonic()
    async with websockets.connect(url, open_timeout=60, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le",
                                  "variables": {}}))
        ready = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
        transcript = await real_time_caller(ws, ws_turns(), timeout_s=180)
    end = transcript.of_type("end")
    outcome = end[0]["record"].get("outcome") if end else None
    return time.monotonic() - started, f"{ready.get('call_id')}:{outcome}"


async def place_calls(centre: Centre, token: str, calls: int, concurrent: int) -> list[tuple[float, str]]:
    gate = asyncio.Semaphore(concurrent)

    async def gated() -> tuple[float, str]:
        async with gate:
            return await one_call(centre, token)

    return list(await asyncio.gather(*(gated() for _ in range(calls))))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="postgresql://… of an empty database")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--calls", type=int, default=9)
    parser.add_argument("--concurrent", type=int, default=3)
    parser.add_argument("--idle-s", type=float, default=20.0, help="idle time measured before the calls")
    args = parser.parse_args()
    keys = PostgresKeyStore(args.url)
    token = keys.create(f"bench-{int(time.time())}")[1]
    keys.close()
    with tempfile.TemporaryDirectory() as tmp:
        centre = Centre(Path(tmp), args.url, workers=args.workers)
        try:
            centre.start()
            pids = [w.pid for w in centre.workers]
            idle_before = [cpu_s(p) for p in pids]
            time.sleep(args.idle_s)
            before = [cpu_s(p) for p in pids]
            idle_cpu_per_s = [(b - a) / args.idle_s for a, b in zip(idle_before, before, strict=True)]
            started = time.monotonic()
            results = asyncio.run(place_calls(centre, token, args.calls, args.concurrent))
            wall_s = time.monotonic() - started
            after = [cpu_s(p) for p in pids]
            served = _served_by(centre, pids)
        finally:
            centre.close()
    busy_s = [a - b - idle * wall_s for a, b, idle in zip(after, before, idle_cpu_per_s, strict=True)]
    durations = [d for d, _ in results]
    cpu_per_call = sum(busy_s) / len(results)
    call_s = sum(durations) / len(durations)
    cores_per_call = cpu_per_call / call_s
    print(json.dumps({
        "workers": args.workers, "calls": len(results), "concurrent": args.concurrent,
        "outcomes": sorted({r.split(":")[1] for _, r in results}),
        "calls_per_worker": served, "cpu_s_per_worker": [round(b, 1) for b in busy_s],
        "cpu_s_per_call": round(cpu_per_call, 2), "call_wall_s_mean": round(call_s, 1),
        "cores_per_call": round(cores_per_call, 3),
        "idle_cpu_per_worker": [round(i, 4) for i in idle_cpu_per_s],
        "calls_per_core_at_60pct": round(TARGET_LOAD / cores_per_call, 1),
        "wall_s": round(wall_s, 1), "load_avg": os.getloadavg()[0]}), flush=True)


def _served_by(centre: Centre, pids: list[int]) -> list[int]:
    import psycopg

    from voicebot.store.postgres import WorkerId

    with psycopg.connect(centre.pg_url) as conn:
        workers = [WorkerId.parse(r[0] or "") for r in conn.execute("SELECT worker FROM calls").fetchall()]
    counted = [w.pid for w in workers if w is not None]
    return [counted.count(pid) for pid in pids]


if __name__ == "__main__":
    main()
