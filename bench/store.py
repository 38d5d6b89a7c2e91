"""Call-store benchmark: how long saving a call takes while many calls end at once.

N threads (one per concurrent call, as sessions save through asyncio.to_thread) each run `calls`
begin + save cycles with a two-channel recording of `--audio-s` seconds at 16 kHz, against one SQLite
file in WAL mode. Reports save latency p50/p95/max and records per second.

    .venv/bin/python bench/store.py [--threads 1 4 16] [--calls 20] [--audio-s 60]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from voicebot.record import CallRecord, Turn
from voicebot.store import CallStore


def run(threads: int, calls: int, audio_s: float) -> dict[str, float]:
    audio = np.zeros((int(audio_s * 16000), 2), np.int16)
    audio[::7] = 1000  # not all zeros, in case a filesystem compresses
    latencies_s: list[float] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp:
        store = CallStore(Path(tmp) / "voicebot.db")

        def caller(n: int) -> None:
            for i in range(calls):
                turn = Turn(role="caller", text="two large pepperoni", latency_ms=500)
                record = CallRecord(dialogue="pizza_order", language="en", call_id=f"t{n}-{i}",
                                    turns=[turn] * 12)
                store.begin(record)
                record.outcome = "order_placed"
                start = time.perf_counter()
                store.save(record, audio, 16000)
                with lock:
                    latencies_s.append(time.perf_counter() - start)

        workers = [threading.Thread(target=caller, args=(n,)) for n in range(threads)]
        wall = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - wall
        assert store.count(status="completed") == threads * calls
        store.close()
    ms = np.array(latencies_s) * 1000
    return {"threads": threads, "calls": threads * calls, "audio_s": audio_s,
            "save_p50_ms": round(float(np.percentile(ms, 50)), 1),
            "save_p95_ms": round(float(np.percentile(ms, 95)), 1), "save_max_ms": round(float(ms.max()), 1),
            "records_per_s": round(threads * calls / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--calls", type=int, default=20, help="calls per thread")
    parser.add_argument("--audio-s", type=float, default=60.0, help="recording length per call")
    args = parser.parse_args()
    for threads in args.threads:
        print(json.dumps(run(threads, args.calls, args.audio_s)), flush=True)


if __name__ == "__main__":
    main()
