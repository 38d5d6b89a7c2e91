"""voicebot report steps|outcomes and voicebot keys set|usage against the data directory's store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.analytics.calls import ORDER, converse
from voicebot.cli import main
from voicebot.store import CallStore, KeyStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path) -> str:
    store = CallStore(tmp_path / "var" / "voicebot.db")
    keys = KeyStore(tmp_path / "var" / "voicebot.db")
    key_id, _ = keys.create("acme")
    store.save(converse(ORDER, started_at="2026-12-01T10:00:00.000Z", key=(key_id, "acme"),
                        usage=(75.0, 20.0)))
    store.save(converse([ORDER[0], ORDER[1], "twelve main street", ORDER[2], "yes"],
                        started_at="2026-12-02T10:00:00.000Z", key=(key_id, "acme"), usage=(45.0, 22.5)))
    store.close()
    keys.close()
    return str(tmp_path / "var")


def test_report_steps_in_three_formats(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "report", "steps", "pizza_order", "--data-dir", data)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["DIALOGUE_HASH", "STEP", "CALLS", "ASKED"]
    assert [line.split()[1] for line in lines[1:4]] == ["ask.items", "ask.address", "ask.phone"]
    code, out, _ = run(capsys, "report", "steps", "pizza_order", "--format", "csv", "--data-dir", data)
    phone = next(r for r in csv.DictReader(io.StringIO(out)) if r["step"] == "ask.phone")
    assert (phone["asked"], phone["not_understood"], phone["answered_first"]) == ("3", "1", "1")
    code, out, _ = run(capsys, "report", "steps", "pizza_order", "--format", "json", "--since", "2026-12-02",
                       "--data-dir", data)
    assert {r["step"]: r["calls"] for r in json.loads(out)}["ask.items"] == 1
    code, out, _ = run(capsys, "report", "outcomes", "pizza_order", "--data-dir", data)
    assert out.split() == ["DAY", "CALLS", "ORDER_PLACED", "2026-12-01", "1", "1", "2026-12-02", "1", "1"]


def test_rebuild_derives_the_facts_of_older_records_once(data: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    _, before, _ = run(capsys, "report", "steps", "pizza_order", "--format", "json", "--data-dir", data)
    with sqlite3.connect(Path(data) / "voicebot.db") as conn:  # as a store written before the facts existed
        for table in ("step_facts", "call_facts", "step_daily", "step_latency_daily"):
            conn.execute(f"DELETE FROM {table}")
    assert run(capsys, "report", "steps", "pizza_order", "--format", "json", "--data-dir", data)[1] == "[]\n"
    for _ in range(2):
        code, out, _ = run(capsys, "report", "rebuild", "--data-dir", data)
        assert code == 0 and "from 2 call record(s)" in out
    _, after, _ = run(capsys, "report", "steps", "pizza_order", "--format", "json", "--data-dir", data)
    assert json.loads(after) == json.loads(before)


def test_report_rejects_a_bad_date_in_one_line(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "steps", "pizza_order", "--since", "last week", "--data-dir", data)
    assert code == 2 and err.count("\n") == 1 and "--since must be an ISO 8601 date" in err


def test_keys_usage_and_set(data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "keys", "usage", "--month", "2026-12", "--json", "--data-dir", data)
    assert code == 0
    [month] = json.loads(out)
    assert (month["key_name"], month["calls"], month["caller_audio_s"], month["bot_audio_s"],
            month["minutes"]) == ("acme", 2, 120.0, 42.5, 2.0)
    code, out, _ = run(capsys, "keys", "usage", "acme", "--by", "day", "--data-dir", data)
    assert code == 0 and "2026-12-01" in out and "2026-12-02" in out
    code, _, err = run(capsys, "keys", "usage", "nobody", "--data-dir", data)
    assert code == 2 and "no API key" in err
    code, _, err = run(capsys, "keys", "usage", "--month", "December", "--data-dir", data)
    assert code == 2 and "YYYY-MM" in err
    code, out, _ = run(capsys, "keys", "set", "acme", "--scope", "admin", "--quota-min", "600",
                       "--data-dir", data)
    assert code == 0 and "scopes admin; 600 minutes a month" in out
    code, out, _ = run(capsys, "keys", "list", "--json", "--data-dir", data)
    assert [(k["scopes"], k["monthly_quota_min"]) for k in json.loads(out)] == [(["admin"], 600.0)]
    with pytest.raises(SystemExit) as exited:
        main(["keys", "set", "acme", "--scope", "root", "--data-dir", data])
    assert exited.value.code == 2 and "invalid choice: 'root'" in capsys.readouterr().err
