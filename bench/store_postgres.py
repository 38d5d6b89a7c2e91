"""Call-store benchmark on PostgreSQL: many worker processes writing call records to one database.

P processes (each a worker with its own connection, as separate machines would have) each run
`--calls` begin + save cycles, optionally with a two-channel recording of `--audio-s` seconds written to
`--recordings-dir`. Reports save latency p50/p95/max and records per second over all workers. With
`--sqlite FILE` the same load runs against a SQLite file instead, for comparison.

    .venv/bin/python bench/store_postgres.py --url postgresql://user@127.0.0.1:5432/db [--processes 1 4 8]
        [--calls 200] [--audio-s 0]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from voicebot.record import CallRecord, Turn
from voicebot.store import open_call_store


def _worker(target: str, recordings_dir: str, calls: int, audio_s: float, start_at: float,
            out: Any) -> None:
    audio = None
    if audio_s > 0:
        audio = np.zeros((int(audio_s * 16000), 2), np.int16)
        audio[::7] = 1000
    store = open_call_store(target, recordings_dir=recordings_dir,
                            fallback_path=Path(recordings_dir) / "unsaved.jsonl")
    prefix = uuid.uuid4().hex[:8]
    latencies_s: list[float] = []
    time.sleep(max(0.0, start_at - time.time()))  # all workers start together
    for i in range(calls):
        record = CallRecord(dialogue="pizza_order", language="en", call_id=f"{prefix}-{i}",
                            turns=[Turn(role="caller", text="two large pepperoni", latency_ms=500)] * 12)
        store.begin(record)
        record.outcome = "order_placed"
        started = time.perf_counter()
        store.save(record, audio, 16000)
        latencies_s.append(time.perf_counter() - started)
    store.close()
    out.put(latencies_s)


def run(target: str, processes: int, calls: int, audio_s: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        start_at = time.time() + 3.0  # spawning and importing take a moment
        procs = [ctx.Process(target=_worker, args=(target, tmp, calls, audio_s, start_at, out))
                 for _ in range(processes)]
        for p in procs:
            p.start()
        latencies_s = [s for _ in procs for s in out.get()]
        wall_s = time.time() - start_at
        for p in procs:
            p.join()
    ms = np.array(latencies_s) * 1000
    return {"backend": "postgresql" if target.startswith("postgres") else "sqlite", "processes": processes,
            "calls": len(latencies_s), "audio_s": audio_s,
            "save_p50_ms": round(float(np.percentile(ms, 50)), 1),
            "save_p95_ms": round(float(np.percentile(ms, 95)), 1), "save_max_ms": round(float(ms.max()), 1),
            "calls_per_s": round(len(latencies_s) / wall_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="postgresql://… of an empty database")
    where.add_argument("--sqlite", help="SQLite file, for comparison")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--calls", type=int, default=200, help="calls per process")
    parser.add_argument("--audio-s", type=float, default=0.0, help="recording length per call (0: none)")
    args = parser.parse_args()
    for processes in args.processes:
        print(json.dumps(run(args.url or args.sqlite, processes, args.calls, args.audio_s)), flush=True)


if __name__ == "__main__":
    main()
