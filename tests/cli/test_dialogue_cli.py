"""voicebot validate / chat / test, run in-process through the real argument parser."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from voicebot.cli import main

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
COMPLIANCE_VARS = [
    "--var",
    "customer_name=Dana Lee",
    "--var",
    "product_name=Term Life Plus",
    "--var",
    "monthly_premium=42.50",
    "--var",
    "birth_date=1985-03-03",
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "call.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_shipped_dialogues(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", str(ROOT))
    assert code == 0
    for name in ("pizza_order", "pizza_order_ko", "satisfaction_survey_ko", "sales_compliance"):
        assert f"{name}.yml: ok" in out


def test_validate_reports_file_line_and_key_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\nlanguage: en\noutcomes: [done]\nflows:\n  main:\n    - ask: nothing\n      prompt: Hi\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, "validate", str(ROOT / "pizza_order.yml"), str(bad))
    assert code == 2
    assert "pizza_order.yml: ok" in out
    assert f"voicebot: error: {bad}:6: flows.main[0].ask: unknown slot 'nothing'" in err
    assert "Traceback" not in err


def test_chat_script_several_slots_and_a_correction(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = _script(
        tmp_path,
        "# caller gives everything at once\n"
        "two large pepperoni to 12 main street my number is 555 123 4567\n"
        "that's all\n"
        "no, three, not two\n"
        "yes\n",
    )
    code, out, err = _run(capsys, "chat", str(ROOT / "pizza_order.yml"), "--script", script, "--json")
    assert code == 0
    record = json.loads(out)
    assert record["outcome"] == "order_placed"
    assert record["slots"]["items"] == [{"name": "pepperoni", "size": "large", "quantity": 3}]
    assert record["slots"]["address"] == "12 main street" and record["slots"]["phone"] == "5551234567"
    assert "bot: So that's three large pepperoni" in err and "[end: order_placed]" in err


def test_chat_korean_order_all_at_once_with_a_correction(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = _script(
        tmp_path,
        "불고기 라지 두 판 강남구 테헤란로 123으로 보내 주세요 전화번호는 010 1234 5678이요\n"
        "그게 다예요\n"
        "아니 세 판이요\n"
        "네 맞아요\n",
    )
    code, out, err = _run(capsys, "chat", str(ROOT / "pizza_order_ko.yml"), "--script", script, "--json")
    assert code == 0
    record = json.loads(out)
    assert record["outcome"] == "order_placed"
    assert record["slots"]["items"] == [{"name": "bulgogi", "size": "large", "quantity": 3}]
    assert record["slots"]["phone"] == "01012345678"
    assert "불고기 라지 세 판" in err and "7만 8천원" in err


def test_chat_korean_compliance_by_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT.parent)
    script = _script(
        tmp_path, "천구백팔십오년 삼월 삼일\n네\n네 받았어요\n[dtmf 1]\n아니요 권유를 받아서 했어요\n"
    )
    code, out, _ = _run(capsys, "chat", "sales_compliance_ko", "--script", script, "--json", *COMPLIANCE_VARS)
    assert code == 0
    record = json.loads(out)
    assert record["language"] == "ko" and record["outcome"] == "flagged"
    assert record["slots"]["flagged_items"] == ["voluntary_signup"]


def test_chat_reads_a_script_from_stdin_and_prints_the_talk(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("sure\n[silence]\n[silence]\n"))
    code, out, _ = _run(capsys, "chat", str(ROOT / "satisfaction_survey.yml"), "--script", "-")
    assert code == 0
    assert "bot: Hi there, this is the automated assistant" in out
    assert "caller: [silence]" in out and out.rstrip().endswith("[end: no_answer]")


def test_chat_script_ending_early_hangs_up(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(
        capsys, "chat", str(ROOT / "pizza_order.yml"), "--script", _script(tmp_path, "hi\n"), "--json"
    )
    assert code == 0 and json.loads(out)["outcome"] == "hangup"


def test_chat_missing_variable_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "chat", str(ROOT / "sales_compliance.yml"), "--script", _script(tmp_path, ""))
    assert code == 2
    assert "needs variable 'customer_name'" in err and "--var customer_name=" in err


def test_chat_bad_script_line_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = _script(tmp_path, "two large pepperoni\n[wait]\n")
    code, _, err = _run(capsys, "chat", str(ROOT / "pizza_order.yml"), "--script", script)
    assert code == 2 and f"{script}:2: unknown script command '[wait]'" in err


class _Crm(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        payload = json.dumps(
            {"customer": {"tier": "gold" if body["account"] == "123456" else "basic"}}
        ).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # /slow: the client gave up after its timeout, as the test means it to

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def crm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Crm)
    # server_close() waits for a /slow reply still sleeping, so nothing of it reaches a later test's stderr.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _webhook_dialogue(tmp_path: Path, url: str) -> str:
    path = tmp_path / "tier.yml"
    path.write_text(
        f"""\
name: tier
language: en
outcomes: [gold, basic, offline]
slots:
  account: {{type: digits, length: 6}}
  tier: {{type: text}}
flows:
  main:
    - ask: account
      prompt: "Please type your six digit account number."
    - action: lookup
      url: "{url}"
      payload: {{account: "{{account}}"}}
      timeout_ms: 300
      save: {{tier: customer.tier}}
      on_error: [{{hangup: offline, prompt: "Our systems are busy, please call back later."}}]
    - if: tier == "gold"
      then: [{{hangup: gold}}]
    - hangup: basic
""",
        encoding="utf-8",
    )
    return str(path)


def test_chat_performs_webhooks(capsys: pytest.CaptureFixture[str], tmp_path: Path, crm: str) -> None:
    dialogue = _webhook_dialogue(tmp_path, f"{crm}/accounts")
    code, out, _ = _run(capsys, "chat", dialogue, "--script", _script(tmp_path, "[dtmf 123456#]\n"), "--json")
    assert code == 0
    record = json.loads(out)
    assert record["outcome"] == "gold" and record["slots"]["tier"] == "gold"


def test_chat_webhook_timeout_runs_on_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crm: str
) -> None:
    dialogue = _webhook_dialogue(tmp_path, f"{crm}/slow")
    code, out, _ = _run(capsys, "chat", dialogue, "--script", _script(tmp_path, "[dtmf 123456#]\n"), "--json")
    record = json.loads(out)
    assert code == 0 and record["outcome"] == "offline"
    # Worded as in a voice call's record (voicebot.dialogue.webhook serves both).
    assert record["meta"]["actions"] == [{"action": "lookup", "ok": False, "error": "timeout after 0.3 s"}]


def test_test_command_counts_and_exit_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "mixed.yml").write_text(
        f"""\
dialogue: {ROOT / "satisfaction_survey.yml"}
tests:
  - name: declines
    turns: [{{caller: "no thanks"}}]
    expect: {{outcome: declined}}
  - name: wrong expectation
    turns: [{{caller: "no thanks"}}, {{bot: ask_satisfaction}}]
    expect: {{outcome: completed}}
""",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "test", str(tmp_path))
    assert code == 1
    assert "FAIL" in out and "wrong expectation" in out
    assert "line 7: expected the bot to say 'ask_satisfaction'" in out
    assert "expected outcome 'completed', got 'declined'" in out
    assert out.rstrip().endswith("1 passed, 1 failed")


def test_test_command_on_the_shipped_tests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "test", str(ROOT))
    last = out.rstrip().splitlines()[-1]
    passed = int(last.split()[0])
    assert passed >= 60
    assert last == f"{passed} passed, 0 failed", out
    assert code == 0


def test_test_command_reports_a_malformed_test_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "dialogue: pizza_order\ntests:\n  - name: x\n    expect: {outcom: done}\n", encoding="utf-8"
    )
    (tmp_path / "pizza_order.yml").write_bytes((ROOT / "pizza_order.yml").read_bytes())
    code, out, _ = _run(capsys, "test", str(bad))
    assert code == 1
    assert f"FAIL {bad}: {bad}:4: tests[0].expect.outcom: unknown key 'outcom'" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


def test_validate_shows_the_answers_expected_at_an_ask(capsys: pytest.CaptureFixture[str]) -> None:
    survey = str(ROOT / "satisfaction_survey.yml")
    code, out, _ = _run(capsys, "validate", survey, "--grammar", "satisfaction")
    assert code == 0
    assert "ask.satisfaction (slot satisfaction, integer; closed)" in out
    assert "    4: Four.\n" in out
    assert "intent:stop: Bye. (read, not scored: Stop. | Goodbye.)" in out
    assert "intent:agent: (read, not scored: I want to talk to a person.)" in out
    assert "ask.recommend" not in out
    code, out, _ = _run(capsys, "validate", str(ROOT / "pizza_order.yml"), "--grammar", "all")
    assert code == 0
    assert "ask.items (slot items, order_lines; open" in out and "bbq_chicken: Barbecue chicken." in out
    assert "ask.phone (slot phone, phone; open: decoded again in its words)" in out
    assert "    decoded again, only: zero oh o one two" in out
    code, out, _ = _run(capsys, "validate", str(ROOT / "sales_compliance.yml"), "--grammar", "ask.dob_answer")
    assert code == 0 and "(only where the free transcript reads as no date), only: January" in out
    assert "numbers in digits" in out
    code, out, _ = _run(capsys, "validate", str(ROOT / "pizza_order_ko.yml"), "--grammar", "ask.phone")
    assert code == 0 and "ask.phone (slot phone, phone; open: decoded again in its words)" in out
    assert "    decoded again, only: 공 영 일 이 삼" in out
    code, out, _ = _run(capsys, "validate", str(ROOT / "pizza_order_ko.yml"), "--grammar", "ask.items")
    assert code == 0 and "decoded again, over 10 s of audio, only: 페퍼로니" in out
    korean_compliance = str(ROOT / "sales_compliance_ko.yml")
    code, out, _ = _run(capsys, "validate", korean_compliance, "--grammar", "ask.dob_answer")
    assert code == 0 and "decoded again" not in out


def test_validate_grammar_of_an_unknown_ask_names_the_asks(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "validate", str(ROOT / "pizza_order.yml"), "--grammar", "nope")
    assert code == 2
    assert "voicebot: error: pizza_order: no ask 'nope'; its asks: ask.items, ask.address, ask.phone" in err
