"""Analytics queries on many synthetic call records, in SQLite and in PostgreSQL.

N synthetic pizza-order calls over 60 days (a step log like the machine writes: answers, misses,
read-backs, silences, hang-ups and transfers, latencies and confidences, 5 API keys) are turned into
facts by the same code the stores run at save (voicebot.analytics.facts) and bulk-loaded; then each
report the console, the CLI and /metrics run is timed (best of 3, wall and this process's CPU).

    .venv/bin/python bench/analytics.py [--calls 100000] [--sqlite FILE] [--url postgresql://...]
        [--start-postgres] [--json OUT.json]

``--start-postgres`` runs a throwaway server from Debian's binaries (initdb, pg_ctl) in a temp directory.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicebot.analytics import rollup
from voicebot.analytics.drift import step_drift
from voicebot.analytics.facts import call_fact, step_facts
from voicebot.analytics.review import review_queue
from voicebot.analytics.steps import outcomes_by_day, step_report
from voicebot.analytics.usage import minutes_used, usage

STEPS = ("ask.items", "ask.address", "ask.phone", "confirm_order")
KEYS = [(f"k{i:02d}", f"customer-{i}") for i in range(5)]
NOW = datetime(2026, 12, 31, tzinfo=UTC)


def synthetic_records(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for n in range(count):
        started = NOW - timedelta(seconds=rng.uniform(0, 60 * 86400))
        turns: list[dict[str, Any]] = [
            {"role": "bot", "text": "Thanks for calling.", "prompt_id": "greeting"}
        ]
        steps: list[dict[str, Any]] = []
        outcome = "order_placed"
        for step in STEPS:
            # The phone step got harder in the last 10 days: drift to find.
            miss = 0.25 if step == "ask.phone" and started > NOW - timedelta(days=10) else 0.08
            done = False
            for _ in range(3):
                turns.append({"role": "bot", "text": "question", "prompt_id": step})
                roll = rng.random()
                if roll < 0.02:
                    steps.append({"step": step, "result": "silence"})
                    continue
                if roll < 0.025:
                    steps.append({"step": step, "result": "hangup"})
                    outcome = "hangup"
                    break
                turns.append(
                    {
                        "role": "caller",
                        "text": "answer",
                        "latency_ms": int(rng.gauss(700, 150)),
                        "confidence": round(min(1.0, max(0.05, rng.gauss(0.55, 0.15))), 3),
                    }
                )
                if roll < 0.025 + miss:
                    steps.append({"step": step, "result": "not_understood", "turn": len(turns) - 1})
                    continue
                steps.append({"step": step, "result": "answered", "turn": len(turns) - 1})
                done = True
                break
            if outcome == "hangup":
                break
            if not done:
                outcome = "transferred"
                break
        key = KEYS[n % len(KEYS)]
        yield {
            "call_id": f"c{n:07d}",
            "dialogue": "pizza_order",
            "language": "en",
            "outcome": outcome,
            "slots": {},
            "variables": {},
            "turns": turns,
            "started_at": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "ended_at": None,
            "meta": {
                "dialogue_hash": "v2" if started > NOW - timedelta(days=20) else "v1",
                "steps": steps,
                "door": "websocket",
                "api_key": {"id": key[0], "name": key[1]},
                "usage": {
                    "caller_audio_s": round(rng.uniform(20, 120), 2),
                    "bot_audio_s": round(rng.uniform(15, 90), 2),
                },
            },
        }


def fact_rows(count: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows the stores would have written at save: step and call facts, per-day counters."""
    steps, calls = [], []
    days: dict[rollup.Key, dict[str, float]] = {}
    buckets: dict[tuple[rollup.Key, int], int] = {}
    for data in synthetic_records(count):
        facts = step_facts(data)
        steps += [(f.call_id, f.seq, f.dialogue, f.dialogue_hash, f.started_at, f.step, f.attempt, f.result,
                   f.turn, f.latency_ms, f.confidence) for f in facts]
        c = call_fact(data)
        calls.append((c.call_id, c.dialogue, c.dialogue_hash, c.started_at, c.day, c.outcome, c.door,
                      c.key_id, c.key_name, c.end_step, c.caller_audio_s, c.bot_audio_s))
        call_days, call_buckets = rollup.counters(facts)
        for key, counters in call_days.items():
            total = days.setdefault(key, dict.fromkeys(rollup.COUNTERS, 0.0))
            for name, value in counters.items():
                total[name] += value
        for bucket, n in call_buckets.items():
            buckets[bucket] = buckets.get(bucket, 0) + n
    floats = ("conf_sum", "conf_sq")
    daily = [(*key, *(c[n] if n in floats else int(c[n]) for n in rollup.COUNTERS))
             for key, c in days.items()]
    latency = [(*key, bucket, n) for (key, bucket), n in buckets.items()]
    return {"step_facts": steps, "call_facts": calls, "step_daily": daily, "step_latency_daily": latency}


_STEP_COLUMNS = (
    "call_id, seq, dialogue, dialogue_hash, started_at, step, attempt, result, turn, latency_ms, confidence"
)
_CALL_COLUMNS = (
    "call_id, dialogue, dialogue_hash, started_at, day, outcome, door, key_id, key_name, end_step,"
    " caller_audio_s, bot_audio_s"
)
COLUMNS = {"step_facts": _STEP_COLUMNS, "call_facts": _CALL_COLUMNS,
           "step_daily": "dialogue, dialogue_hash, day, step, " + ", ".join(rollup.COUNTERS),
           "step_latency_daily": "dialogue, dialogue_hash, day, step, bucket_ms, n"}


def load_sqlite(path: Path, tables: dict[str, list[tuple[Any, ...]]]) -> Any:
    from voicebot.store.calls import CallStore

    store = CallStore(path)  # creates the schema and the fact tables
    conn = sqlite3.connect(path)
    with conn:
        for table, rows in tables.items():
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", rows)
    conn.execute("ANALYZE")
    conn.close()
    return store


def load_postgres(url: str, tables: dict[str, list[tuple[Any, ...]]]) -> Any:
    import psycopg

    from voicebot.store.postgres import PostgresCallStore

    store = PostgresCallStore(url, recordings_dir=tempfile.mkdtemp(),
                              fallback_path=Path(tempfile.mkdtemp()) / "unsaved.jsonl", sweep_interval_s=None)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table, rows in tables.items():
            with cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        cur.execute("ANALYZE")
        conn.commit()
    return store


def queries(store: Any) -> dict[str, Callable[[], Any]]:
    week_ago = (NOW - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    return {
        "steps, all 60 days": lambda: step_report(store, "pizza_order"),
        "steps, last 7 days": lambda: step_report(store, "pizza_order", since=week_ago),
        "outcomes per day": lambda: outcomes_by_day(store, "pizza_order"),
        "drift, 7 vs 7 days": lambda: step_drift(store.query, days=7, now=NOW),
        "usage per key, one month": lambda: usage(store.query, month="2026-12"),
        "usage per key per day, one month": lambda: usage(store.query, month="2026-12", by="day"),
        "quota check (one key, one month)": lambda: minutes_used(store.query, "k01", "2026-12"),
        "review queue, newest 50": lambda: review_queue(store, limit=50),
    }


def measure_saves(store: Any, count: int) -> dict[str, Any]:
    """The write side: whole records through store.save (record row + facts + per-day counters)."""
    from voicebot.record import CallRecord

    records = [CallRecord.from_json({**data, "call_id": f"save-{data['call_id']}"})
               for data in synthetic_records(count, seed=11)]
    walls = []
    cpu = time.process_time()
    for record in records:
        started = time.perf_counter()
        store.save(record)
        walls.append(time.perf_counter() - started)
    walls.sort()
    return {"saves": count, "p50_ms": round(1000 * walls[len(walls) // 2], 1),
            "p95_ms": round(1000 * walls[int(len(walls) * 0.95)], 1),
            "cpu_ms_per_save": round(1000 * (time.process_time() - cpu) / count, 2)}


def measure(store: Any) -> list[dict[str, Any]]:
    out = []
    for name, run in queries(store).items():
        walls, cpus = [], []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            result = run()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        out.append(
            {
                "query": name,
                "wall_ms": round(1000 * min(walls), 1),
                "cpu_ms": round(1000 * min(cpus), 1),
                "rows": len(result) if isinstance(result, list) else 1,
            }
        )
    return out


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    pg_ctl = shutil.which("pg_ctl") or (str(bins[-1]) if bins else None)
    if pg_ctl is None:
        raise SystemExit("no PostgreSQL binaries: apt-get install postgresql")
    bin_dir = Path(pg_ctl).parent
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="voicebot-bench-pg-"))
    if as_user:
        account = pwd.getpwnam("postgres")
        os.chown(base, account.pw_uid, account.pw_gid)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(base / "data"),
            "-U",
            "voicebot",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(base / "data"),
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://voicebot@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument(
        "--sqlite", type=Path, default=None, help="SQLite file to create (default: a temp file)"
    )
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database to load")
    parser.add_argument("--start-postgres", action="store_true", help="run a throwaway PostgreSQL server")
    parser.add_argument("--saves", type=int, default=300, help="records saved through the store, timed")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    tables = fact_rows(args.calls)
    counts = {table: len(rows) for table, rows in tables.items()}
    print(f"{args.calls} synthetic calls -> {counts} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    results: dict[str, Any] = {"calls": args.calls, "rows": counts}
    with tempfile.TemporaryDirectory() as tmp:
        store = load_sqlite(args.sqlite or Path(tmp) / "bench.db", tables)
        results["sqlite"] = measure(store)
        results["sqlite_saves"] = measure_saves(store, args.saves)
        store.close()
    if args.url or args.start_postgres:
        with throwaway_postgres() if args.start_postgres else _given(args.url) as url:
            store = load_postgres(url, tables)
            results["postgres"] = measure(store)
            results["postgres_saves"] = measure_saves(store, args.saves)
            store.close()
    for backend in ("sqlite", "postgres"):
        for row in results.get(backend, []):
            print(
                f"{backend:8s}  {row['query']:36s} {row['wall_ms']:8.1f} ms wall  {row['cpu_ms']:8.1f} ms CPU"
                f"  ({row['rows']} rows)"
            )
    for backend in ("sqlite", "postgres"):
        if f"{backend}_saves" in results:
            print(f"{backend:8s}  save (record + facts + counters): {results[f'{backend}_saves']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    raise SystemExit(main())
