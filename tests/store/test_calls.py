"""CallStore against real SQLite files: round trip, concurrency, crash recovery, write failures."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from voicebot.errors import StoreError
from voicebot.record import CallRecord, Turn
from voicebot.store import CallStore, StoredCall


def make_record(dialogue: str = "pizza_order", **kwargs: object) -> CallRecord:
    record = CallRecord(dialogue=dialogue, language="en", meta={"door": "websocket", "stt_model": "tiny.en"})
    for key, value in kwargs.items():
        setattr(record, key, value)
    return record


def entry_of(store: CallStore, call_id: str) -> StoredCall:
    found = store.entry(call_id)
    assert found is not None
    return found


def record_of(store: CallStore, call_id: str) -> CallRecord:
    return entry_of(store, call_id).record


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CallStore]:
    s = CallStore(tmp_path / "var" / "voicebot.db")
    yield s
    s.close()


def test_round_trip_keeps_record_and_two_channel_audio(store: CallStore) -> None:
    record = make_record()
    store.begin(record)
    assert entry_of(store, record.call_id).status == "in_progress"
    record.turns += [Turn(role="bot", text="What would you like?", prompt_id="ask_items"),
                     Turn(role="caller", text="two large margheritas", latency_ms=412,
                          timings={"stt_final_ms": 180.0})]
    record.slots = {"items": [{"name": "margherita", "size": "large", "quantity": 2}]}
    record.outcome, record.ended_at = "order_placed", "2026-01-01T00:00:05.000Z"
    caller = np.arange(8000, dtype=np.int16)
    bot = -np.arange(8000, dtype=np.int16)
    store.save(record, np.stack([caller, bot], axis=1), 8000)

    entry = entry_of(store, record.call_id)
    assert entry.status == "completed" and entry.has_audio
    assert entry.record.to_json() == record.to_json()
    with wave.open(str(store.audio_path(record.call_id)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    np.testing.assert_array_equal(frames[:, 0], caller)
    np.testing.assert_array_equal(frames[:, 1], bot)


def test_save_without_begin_and_without_audio(store: CallStore) -> None:
    record = make_record(outcome="hangup")
    store.save(record, None, 16000)
    assert record_of(store, record.call_id).outcome == "hangup"
    assert store.audio_path(record.call_id) is None
    assert store.get("no-such-call") is None


def test_recording_disabled_stores_no_audio(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "voicebot.db", record_audio=False)
    record = make_record(outcome="completed")
    store.save(record, np.zeros((1600, 2), np.int16), 16000)
    assert store.audio_path(record.call_id) is None
    assert not entry_of(store, record.call_id).has_audio
    store.close()


def test_bad_audio_shape_still_saves_the_record(store: CallStore) -> None:
    record = make_record(outcome="completed")
    store.save(record, np.zeros(1600, np.int16), 16000)
    saved = record_of(store, record.call_id)
    assert saved.outcome == "completed"
    assert "shape" in saved.meta["recording_error"]


def test_duplicate_call_id_is_refused(store: CallStore) -> None:
    record = make_record()
    store.begin(record)
    with pytest.raises(StoreError, match="already exists"):
        store.begin(record)


def test_hostile_call_id_cannot_escape_the_recordings_dir(store: CallStore, tmp_path: Path) -> None:
    record = make_record(call_id="../../escape", outcome="completed")
    store.save(record, np.zeros((160, 2), np.int16), 16000)
    path = store.audio_path(record.call_id)
    assert path is not None and path.parent == store.recordings_dir
    assert not (tmp_path / "escape.wav").exists()


def test_list_filters_and_pages_newest_first(store: CallStore) -> None:
    for i in range(5):
        dialogue = "pizza_order" if i % 2 == 0 else "satisfaction_survey"
        store.save(make_record(dialogue, outcome="completed" if i < 3 else "declined",
                               started_at=f"2026-01-01T00:00:0{i}.000Z"))
    assert [r.started_at[-6] for r in store.list(limit=10)] == ["4", "3", "2", "1", "0"]
    assert [r.started_at[-6] for r in store.list(limit=2, offset=1)] == ["3", "2"]
    assert {r.dialogue for r in store.list(dialogue="pizza_order")} == {"pizza_order"}
    assert len(store.list(dialogue="pizza_order")) == 3
    assert len(store.list(outcome="declined")) == 2
    assert store.count(dialogues=["satisfaction_survey"]) == 2
    assert store.count(dialogues=[]) == 0


def test_concurrent_writers_from_threads_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "voicebot.db"
    stores = [CallStore(path) for _ in range(3)]  # separate connections, as separate processes would have
    errors: list[BaseException] = []

    def worker(store: CallStore, n: int) -> None:
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
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for s in stores:
        s.close()


_CRASHING_SERVER = """
import os, sys, time
import numpy as np
from voicebot.record import CallRecord
from voicebot.store import CallStore, StoredCall

store = CallStore(sys.argv[1])
done = CallRecord(dialogue="pizza_order", language="en", call_id="done-call", outcome="order_placed")
store.begin(done)
store.save(done)
live = CallRecord(dialogue="pizza_order", language="en", call_id="live-call")
store.begin(live)

def stuck_fsync(fd):  # a slow disk: the recording is half on disk when the server is killed
    print("writing", flush=True)
    time.sleep(60)

os.fsync = stuck_fsync
live.outcome = "order_placed"
store.save(live, np.ones((16000, 2), np.int16), 16000)
"""


def test_calls_of_a_killed_server_are_marked_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "var" / "voicebot.db"
    with subprocess.Popen([sys.executable, "-c", _CRASHING_SERVER, str(path)], stdout=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    store = CallStore(path)
    assert list(store.recordings_dir.iterdir()) != []  # the half-written file is there...
    assert store.mark_interrupted() == 1
    assert list(store.recordings_dir.iterdir()) == []  # ...and gone, never served as a recording
    live = entry_of(store, "live-call")
    assert (live.status, live.record.outcome, live.has_audio) == ("interrupted", "interrupted", False)
    assert store.audio_path("live-call") is None
    assert entry_of(store, "done-call").status == "completed"
    assert store.mark_interrupted() == 0
    store.close()


_LIVE_SERVER = """
import sys, time
from voicebot.record import CallRecord
from voicebot.store import CallStore

store = CallStore(sys.argv[1])
store.begin(CallRecord(dialogue="pizza_order", language="en", call_id="other-live-call"))
print("ready", flush=True)
time.sleep(60)
"""


def test_calls_of_another_live_server_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "voicebot.db"
    store = CallStore(path)
    with subprocess.Popen([sys.executable, "-c", _LIVE_SERVER, str(path)], stdout=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            assert store.mark_interrupted() == 0
            assert entry_of(store, "other-live-call").status == "in_progress"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert store.mark_interrupted() == 1
    assert entry_of(store, "other-live-call").status == "interrupted"
    store.close()


def test_locked_database_sends_the_record_to_the_fallback_file(tmp_path: Path) -> None:
    path = tmp_path / "voicebot.db"
    fallbacks: list[int] = []
    store = CallStore(path, busy_timeout_ms=100, on_fallback=lambda: fallbacks.append(1))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the database
    record = make_record(outcome="order_placed", slots={"address": "12 Main St"})
    with pytest.raises(StoreError, match=r"unsaved-records\.jsonl"):
        store.save(record)
    other.execute("ROLLBACK")
    lines = (tmp_path / "unsaved-records.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["record"] == record.to_json()
    assert fallbacks == [1]
    # Once the database is writable again, the next start moves the record in.
    assert store.import_fallback() == 1
    assert record_of(store, record.call_id).to_json() == record.to_json()
    assert not (tmp_path / "unsaved-records.jsonl").exists()
    assert len(list(tmp_path.glob("unsaved-records.jsonl.imported-*"))) == 1
    assert store.import_fallback() == 0
    store.close()


def test_close_waits_for_a_save_in_flight(tmp_path: Path) -> None:
    # A shutdown that cancels a call's task leaves its save running in a worker thread.
    path = tmp_path / "voicebot.db"
    store = CallStore(path, busy_timeout_ms=5000)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # the save below waits for this lock
    record = make_record(outcome="order_placed")
    saver = threading.Thread(target=store.save, args=(record,))
    saver.start()
    closer = threading.Thread(target=store.close)
    threading.Timer(0.5, lambda: other.execute("ROLLBACK")).start()
    closer.start()
    saver.join(10)
    closer.join(10)
    assert not closer.is_alive()
    assert not (tmp_path / "unsaved-records.jsonl").exists()
    reopened = CallStore(path)
    assert record_of(reopened, record.call_id).outcome == "order_placed"
    reopened.close()


def test_a_save_after_close_goes_to_the_fallback_file(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "voicebot.db")
    store.close()
    record = make_record(outcome="hangup")
    with pytest.raises(StoreError, match=r"unsaved-records\.jsonl"):
        store.save(record)
    reopened = CallStore(tmp_path / "voicebot.db")
    assert reopened.import_fallback() == 1
    assert record_of(reopened, record.call_id).outcome == "hangup"
    reopened.close()


def _chattr(flag: str, *paths: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True).returncode == 0


def test_read_only_store_falls_back_to_file_then_stderr(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "var"
    store = CallStore(data / "voicebot.db")
    store.begin(make_record())
    frozen = [data / "voicebot.db", data / "voicebot.db-wal", data]
    # chmod does not stop root or an open file; the immutable flag stops both (needs CAP_LINUX_IMMUTABLE).
    if not _chattr("+i", *frozen):
        store.close()
        pytest.skip("cannot make files immutable here (chattr needs root); the locked-database test "
                    "covers the fallback")
    try:
        record = make_record(outcome="completed")
        with pytest.raises(StoreError, match="stderr"):
            store.save(record, np.zeros((160, 2), np.int16), 16000)
    finally:
        _chattr("-i", *frozen)
        store.close()
    err = capsys.readouterr().err
    assert record.call_id in err and "unsaved call record" in err


def test_database_of_the_first_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "voicebot.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE calls (call_id TEXT PRIMARY KEY, dialogue TEXT NOT NULL, language TEXT,
            status TEXT NOT NULL, outcome TEXT, door TEXT, started_at TEXT NOT NULL, ended_at TEXT,
            has_audio INTEGER NOT NULL DEFAULT 0, record_json TEXT NOT NULL);
        CREATE TABLE api_keys (key_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_sha256 BLOB NOT NULL,
            dialogues_json TEXT, max_concurrent_calls INTEGER, created_at TEXT NOT NULL, revoked_at TEXT);
        INSERT INTO calls VALUES ('old', 'pizza_order', 'en', 'completed', 'order_placed', NULL,
            '2026-01-01T00:00:00.000Z', NULL, 0, '{"call_id": "old", "dialogue": "pizza_order",
            "language": "en", "outcome": "order_placed", "started_at": "2026-01-01T00:00:00.000Z"}');
        PRAGMA user_version = 1;
    """)
    old.close()
    store = CallStore(path)
    store.begin(make_record(call_id="new"))
    assert record_of(store, "old").outcome == "order_placed"
    assert entry_of(store, "new").status == "in_progress"
    store.close()


_FILLING_DISK = """
import json, resource, signal, sys
from voicebot.errors import StoreError
from voicebot.record import CallRecord, Turn
from voicebot.store import CallStore

store = CallStore(sys.argv[1], fallback_path=sys.argv[2])
# From here no file of this process may grow past 256 KiB: the disk is full for it.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
for i in range(1000):
    record = CallRecord(dialogue="pizza_order", language="en", call_id=f"call-{i}", outcome="order_placed",
                        turns=[Turn(role="caller", text="two large pepperoni " * 50)])
    try:
        store.save(record)
    except StoreError as exc:
        print(json.dumps({"failed": record.call_id, "error": str(exc)}))
        break
"""


def test_full_disk_sends_the_record_to_the_fallback_file(tmp_path: Path) -> None:
    db, fallback = tmp_path / "var" / "voicebot.db", tmp_path / "spare" / "unsaved-records.jsonl"
    result = subprocess.run([sys.executable, "-c", _FILLING_DISK, str(db), str(fallback)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    failed = json.loads(result.stdout)
    assert "disk space" in failed["error"] and str(fallback) in failed["error"]
    (line,) = fallback.read_text().splitlines()
    assert json.loads(line)["record"]["call_id"] == failed["failed"]
    store = CallStore(db, fallback_path=fallback)  # intact, with every record saved before
    saved = int(failed["failed"].removeprefix("call-"))
    assert saved > 0 and store.count(status="completed") == saved
    assert store.import_fallback() == 1  # space again: nothing was lost
    assert store.count(status="completed") == saved + 1
    store.close()
