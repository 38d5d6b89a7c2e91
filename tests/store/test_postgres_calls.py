"""PostgresCallStore against a real PostgreSQL server: the SQLite behaviour tests, concurrent workers,
dead workers on this and other machines, a locked table, a server restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest

from tests.store import test_calls as sqlite_tests
from tests.store.test_calls import entry_of, make_record, record_of
from voicebot.errors import StoreError
from voicebot.store import CallStore, is_postgres_url, open_call_store
from voicebot.store.postgres import PostgresCallStore, WorkerId


@pytest.fixture
def store(pg_url: str, tmp_path: Path) -> Iterator[PostgresCallStore]:
    s = PostgresCallStore(pg_url, recordings_dir=tmp_path / "recordings",
                          fallback_path=tmp_path / "unsaved-records.jsonl")
    yield s
    s.close()


# The SQLite suite's behaviour tests, run again here against the PostgreSQL `store` fixture above.
test_round_trip_keeps_record_and_two_channel_audio = \
    sqlite_tests.test_round_trip_keeps_record_and_two_channel_audio
test_save_without_begin_and_without_audio = sqlite_tests.test_save_without_begin_and_without_audio
test_bad_audio_shape_still_saves_the_record = sqlite_tests.test_bad_audio_shape_still_saves_the_record
test_duplicate_call_id_is_refused = sqlite_tests.test_duplicate_call_id_is_refused
test_hostile_call_id_cannot_escape_the_recordings_dir = \
    sqlite_tests.test_hostile_call_id_cannot_escape_the_recordings_dir
test_list_filters_and_pages_newest_first = sqlite_tests.test_list_filters_and_pages_newest_first


def wait_for(predicate: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def test_factory_picks_the_backend_from_the_url(pg_url: str, tmp_path: Path) -> None:
    assert is_postgres_url(pg_url) and is_postgres_url("postgres://db/x")
    assert not is_postgres_url("sqlite:///var/voicebot.db") and not is_postgres_url(tmp_path / "x.db")
    pg = open_call_store(pg_url, recordings_dir=tmp_path / "rec")
    sqlite = open_call_store(f"sqlite:///{tmp_path}/lite.db")
    try:
        assert isinstance(pg, PostgresCallStore) and pg.recordings_dir == tmp_path / "rec"
        assert type(sqlite) is CallStore and sqlite.path == tmp_path / "lite.db"
        pg.save(make_record(call_id="in-pg", outcome="completed"))
        assert sqlite.get("in-pg") is None and record_of(pg, "in-pg").outcome == "completed"
    finally:
        pg.close()
        sqlite.close()


def test_restricted_listing_with_no_dialogues_is_empty(store: PostgresCallStore) -> None:
    store.save(make_record(outcome="completed"))
    assert store.entries(dialogues=[]) == [] and store.count(dialogues=[]) == 0
    assert store.count(dialogues=["pizza_order"]) == 1
    assert store.count(since="2000-01-01", until="2999-01-01") == 1


def test_concurrent_writers_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    # Separate stores are separate connections, as separate worker processes would have.
    stores = [PostgresCallStore(pg_url, recordings_dir=tmp_path / "rec") for _ in range(3)]
    errors: list[BaseException] = []

    def worker(store: PostgresCallStore, n: int) -> None:
        try:
            for i in range(20):
                record = make_record(call_id=f"w{n}-{i}")
                store.begin(record)
                record.outcome = "completed"
                store.save(record, np.zeros((160, 2), np.int16), 16000)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(stores[n % 3], n)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stores[0].count(status="completed") == 120
    assert len(list((tmp_path / "rec").glob("*.wav"))) == 120
    for s in stores:
        s.close()


_WRITING_WORKER = """
import sys
from voicebot.record import CallRecord
from voicebot.store.postgres import PostgresCallStore

store = PostgresCallStore(sys.argv[1], recordings_dir=sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # all workers start writing together
store.mark_interrupted()  # every worker sweeps at start-up, at the same moment
for i in range(20):
    record = CallRecord(dialogue="pizza_order", language="en", call_id=f"{sys.argv[3]}-{i}")
    store.begin(record)
    record.outcome = "order_placed"
    store.save(record)
store.close()
"""


def test_worker_processes_writing_at_once_lose_nothing(store: PostgresCallStore, pg_url: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", _WRITING_WORKER, pg_url, str(store.recordings_dir),
                               f"p{n}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for n in range(3)]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        assert [proc.wait(timeout=120) for proc in procs] == [0, 0, 0]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
    assert store.count(status="completed") == 60 and store.count() == 60


def test_racing_begins_of_one_call_id_admit_exactly_one(pg_url: str) -> None:
    stores = [PostgresCallStore(pg_url) for _ in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(stores))

    def begin(store: PostgresCallStore) -> None:
        start.wait()
        try:
            store.begin(make_record(call_id="same-uuid"))
            outcomes.append("ok")
        except StoreError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=begin, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1
    assert all("already exists" in o for o in outcomes if o != "ok")
    for s in stores:
        s.close()


def test_workers_starting_together_create_the_schema_once(pg_url: str) -> None:
    opened: list[PostgresCallStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(PostgresCallStore(pg_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(opened) == 4
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM voicebot_schema").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM workers").fetchone() == (1,)  # one process, one worker
    for s in opened:
        s.close()


_CRASHING_WORKER = """
import os, sys, time
import numpy as np
from voicebot.record import CallRecord
from voicebot.store.postgres import PostgresCallStore

store = PostgresCallStore(sys.argv[1], recordings_dir=sys.argv[2])
done = CallRecord(dialogue="pizza_order", language="en", call_id="done-call", outcome="order_placed")
store.begin(done)
store.save(done)
live = CallRecord(dialogue="pizza_order", language="en", call_id="live-call")
store.begin(live)

def stuck_fsync(fd):  # a slow disk: the recording is half on disk when the worker is killed
    print("writing", flush=True)
    time.sleep(60)

os.fsync = stuck_fsync
live.outcome = "order_placed"
store.save(live, np.ones((16000, 2), np.int16), 16000)
"""


def test_calls_of_a_killed_worker_on_this_host_are_marked_interrupted_at_once(store: PostgresCallStore,
                                                                              pg_url: str) -> None:
    with subprocess.Popen([sys.executable, "-c", _CRASHING_WORKER, pg_url, str(store.recordings_dir)],
                          stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
            assert store.mark_interrupted() == 0  # alive: left alone
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    # Its lease has 30 s to run, but the kernel already says the process is gone.
    assert store.mark_interrupted() == 1
    live = entry_of(store, "live-call")
    assert (live.status, live.record.outcome, live.has_audio) == ("interrupted", "interrupted", False)
    assert live.record.meta["interrupted_worker"].startswith(f"{store.worker.host}:{proc.pid}:")
    assert store.audio_path("live-call") is None
    assert entry_of(store, "done-call").status == "completed"
    assert store.mark_interrupted() == 0
    # The half-written WAV may sit on a volume other machines write to: only its age condemns it.
    (partial,) = store.recordings_dir.glob(".*.wav.tmp*")
    store.mark_interrupted()
    assert partial.exists()
    os.utime(partial, (time.time() - 7200, time.time() - 7200))
    store.mark_interrupted()
    assert not partial.exists()


def test_calls_of_another_machine_wait_for_its_lease_to_run_out(store: PostgresCallStore,
                                                               pg_url: str) -> None:
    other = PostgresCallStore(pg_url, worker_id=WorkerId("other-host", store.worker.pid,
                                                         store.worker.process_start, "other-kernel"),
                              lease_s=2.0)
    other.begin(make_record(call_id="remote-call"))
    # Same pid as ours, but on another machine: our kernel knows nothing about it; its lease is fresh.
    assert store.mark_interrupted() == 0
    assert entry_of(store, "remote-call").status == "in_progress"
    other.close()  # the machine dies: no more heartbeats
    wait_for(lambda: store.mark_interrupted() == 1, "the other machine's lease to run out")
    assert entry_of(store, "remote-call").status == "interrupted"


def test_a_live_remote_worker_keeps_its_calls_and_a_late_save_wins(store: PostgresCallStore,
                                                                   pg_url: str) -> None:
    other = PostgresCallStore(pg_url, worker_id=WorkerId("other-host", 4242, "1", "k"), lease_s=2.0)
    record = make_record(call_id="long-call")
    other.begin(record)
    time.sleep(4.5)  # more than two leases: only its heartbeats keep it alive
    assert store.mark_interrupted() == 0
    # Cut off from the database long enough to be declared dead, it still saves its record in the end.
    other.close()
    wait_for(lambda: store.mark_interrupted() == 1, "the lease to run out")
    record.outcome = "order_placed"
    other_again = PostgresCallStore(pg_url, worker_id=other.worker)
    other_again.save(record)
    saved = entry_of(store, "long-call")
    assert (saved.status, saved.record.outcome) == ("completed", "order_placed")
    other_again.close()


def test_the_heartbeat_thread_sweeps_dead_workers_without_a_restart(pg_url: str) -> None:
    dead = PostgresCallStore(pg_url, worker_id=WorkerId("gone-host", 7, "7", "k"), lease_s=0.5)
    dead.begin(make_record(call_id="orphan"))
    dead.close()
    sweeper = PostgresCallStore(pg_url, lease_s=0.6, sweep_interval_s=0.2)
    wait_for(lambda: entry_of(sweeper, "orphan").status == "interrupted", "the sweep")
    sweeper.close()


def test_locked_table_sends_the_record_to_the_fallback_file(pg_url: str, tmp_path: Path) -> None:
    fallbacks: list[int] = []
    store = PostgresCallStore(pg_url, fallback_path=tmp_path / "unsaved-records.jsonl", lock_timeout_ms=200,
                              on_fallback=lambda: fallbacks.append(1))
    with psycopg.connect(pg_url) as other:
        other.execute("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE")  # a migration or a stuck admin session
        record = make_record(outcome="order_placed", slots={"address": "12 Main St"})
        with pytest.raises(StoreError, match=r"unsaved-records\.jsonl"):
            store.save(record)
        other.rollback()
    (line,) = (tmp_path / "unsaved-records.jsonl").read_text().splitlines()
    assert json.loads(line)["record"] == record.to_json() and fallbacks == [1]
    assert store.import_fallback() == 1
    assert record_of(store, record.call_id).to_json() == record.to_json()
    assert store.import_fallback() == 0
    store.close()


def test_a_dropped_connection_is_replaced_without_losing_a_record(store: PostgresCallStore,
                                                                 pg_url: str) -> None:
    store.save(make_record(call_id="before", outcome="completed"))
    with psycopg.connect(pg_url, autocommit=True) as admin:
        # What a server restart or a failover does to every open connection.
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    store.save(make_record(call_id="after", outcome="completed"))
    assert not store.fallback_path.exists()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert [r.call_id for r in store.list()] != [] and store.count() == 2


def test_unreachable_server_is_a_clear_error_without_the_password() -> None:
    url = "postgresql://voicebot:s3cret-pw@127.0.0.1:1/voicebot"
    with pytest.raises(StoreError, match="cannot open the store") as info:
        PostgresCallStore(url)
    assert "s3cret-pw" not in str(info.value) and "voicebot:***@127.0.0.1:1" in str(info.value)


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    PostgresCallStore(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE voicebot_schema SET version = 99")
    with pytest.raises(StoreError, match=r"newer voicebot \(schema 99\)"):
        PostgresCallStore(pg_url)
