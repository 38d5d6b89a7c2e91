"""`voicebot campaign`: check, run (killed with SIGKILL and resumed), status, report."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from voicebot.cli import main

from ..telephony.ami_server import LoopbackAmi

GREETER = """\
name: greeter
language: en
description: One question, for campaign CLI tests.
outcomes: [done]
slots:
  confirmed: {type: yes_no}
prompts:
  hello: "Hello."
flows:
  main:
    - ask: confirmed
      prompt: hello
    - hangup: done
"""


def test_check_reports_bad_rows_with_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("phone,name\n+15550100001,Ann\n12,Bob\n\n+15550100001,Ann again\n+15550100003,Cy\n")
    assert main(["campaign", "check", str(contacts)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{contacts}:3: '12' is not a phone number (expected 6-15 digits, optionally with a "
                   "leading +)",
                   f"{contacts}:5: same phone as line 2",
                   "2 valid, 2 invalid"]


def test_run_without_ami_says_what_to_configure(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.csv").write_text("phone\n+15550100001\n")
    assert main(["campaign", "run", "c.csv", "--dialogue", "greeter"]) == 2
    assert "ami.username" in capsys.readouterr().err


def test_status_and_report_of_unknown_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    assert main(["campaign", "status", "--db", db]) == 0
    assert "no campaigns yet" in capsys.readouterr().out
    assert main(["campaign", "report", "nope", "--db", db]) == 2
    assert "no campaign 'nope'" in capsys.readouterr().err


def attempts(db: Path) -> list[tuple[int, int, str, str, str | None]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT line, attempt_no, call_id, state, outcome FROM attempts "
                                "ORDER BY line, attempt_no").fetchall()
        except sqlite3.OperationalError:
            return []


async def test_run_killed_and_resumed(tmp_path: Path) -> None:
    ami = LoopbackAmi(outcome_for=lambda phone: "no_answer", ring_s=0.4)
    await ami.start()
    (tmp_path / "dialogues").mkdir()
    (tmp_path / "dialogues" / "greeter.yml").write_text(GREETER)
    config = tmp_path / "voicebot.yml"
    config.write_text(f"paths: {{data_dir: {tmp_path / 'var'}, dialogues_dir: {tmp_path / 'dialogues'}}}\n"
                      f"ami: {{host: 127.0.0.1, port: {ami.port}, username: voicebot}}\n"
                      "audiosocket: {listen: '127.0.0.1:0'}\n")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("phone,name\n" + "".join(f"+1555030{i:04d},N{i}\n" for i in range(12)))
    command = [sys.executable, "-m", "voicebot", "--config", str(config), "campaign", "run", str(contacts),
               "--dialogue", "greeter", "--max-concurrent", "2", "--retries", "1", "--retry-after", "0",
               "--ring-timeout", "5"]
    env = {**os.environ, "VOICEBOT_AMI__SECRET": "s3cret"}
    db = tmp_path / "var" / "campaigns.db"
    try:
        first = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.PIPE,
                                                     stderr=asyncio.subprocess.PIPE)
        for _ in range(1200):
            if sum(1 for a in attempts(db) if a[3] == "final") >= 5 or first.returncode is not None:
                break
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        await first.communicate()
        assert first.returncode == -signal.SIGKILL
        before = attempts(db)
        assert 5 <= sum(1 for a in before if a[3] == "final") < 24

        second = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.PIPE,
                                                      stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(second.communicate(), 240)
        assert second.returncode == 0, err.decode()
        assert "resumed" in err.decode()
        assert "12/12 done" in out.decode()
    finally:
        await ami.close()
    after = attempts(db)
    # Every attempt is closed exactly once; none was dialled twice.
    assert all(state == "final" and outcome for _, _, _, state, outcome in after)
    assert Counter(o.call_id for o in ami.originates).most_common(1)[0][1] == 1
    assert {o.call_id for o in ami.originates} <= {a[2] for a in after}
    per_line = Counter(line for line, *_ in after)
    assert set(per_line.values()) == {2} and len(per_line) == 12  # first try + one retry each
    # What the first run closed, the second kept.
    closed_before = {(a[0], a[1]): a[4] for a in before if a[3] == "final"}
    assert all(dict(((a[0], a[1]), a[4]) for a in after)[k] == v for k, v in closed_before.items())
    assert {a[4] for a in after} <= {"no_answer", "interrupted"}


async def test_status_and_report_after_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from voicebot.campaign.contacts import parse_contacts
    from voicebot.campaign.policy import CampaignSettings
    from voicebot.campaign.state import CampaignStore

    db = tmp_path / "c.db"
    store = CampaignStore(db)
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    store.create("abc", "spring", CampaignSettings("greeter", retries=0),
                 parse_contacts("phone\n+15550100001\n+15550100002\nxx\n"), now)
    store.begin_attempt("abc", 2, "c1", now)
    store.finish_attempt("abc", 2, 1, "busy", None, now)
    store.close()
    assert main(["campaign", "status", "--db", str(db)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("abc") and "1/2 done" in line and "1 invalid" in line
    assert main(["campaign", "status", "abc", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["outcomes"] == {"busy": 1}
    out = tmp_path / "r.html"
    assert main(["campaign", "report", "abc", "--db", str(db), "--format", "html", "-o", str(out)]) == 0
    assert "spring" in out.read_text()
