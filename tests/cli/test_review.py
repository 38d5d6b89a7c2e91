"""voicebot review list|show|label|export against the data directory's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.analytics.calls import ORDER, ROOT, converse
from voicebot.cli import main
from voicebot.store import CallStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_label_export_and_the_export_runs(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "var"
    store = CallStore(data / "voicebot.db")
    record = converse([ORDER[0], ("12 baker street", 0.3), "yes", ORDER[2], "yes"],
                      started_at="2026-12-01T10:00:00.000Z")
    store.save(record)
    store.close()
    config = tmp_path / "voicebot.yml"
    config.write_text(f"paths:\n  data_dir: {data}\n  dialogues_dir: {ROOT}\n")

    code, out, _ = run(capsys, "--config", str(config), "review", "list", "--json")
    [item] = json.loads(out)
    assert code == 0
    assert (item["step"], item["result"], item["labelled"]) == ("ask.address", "read_back", False)
    code, out, _ = run(capsys, "--config", str(config), "review", "show", record.call_id, str(item["turn"]))
    assert code == 0 and "transcript: 12 baker street" in out and "[global.low_confidence]" in out
    code, _, err = run(capsys, "--config", str(config), "review", "show", record.call_id, "0")
    assert code == 2 and "no turn 0" in err
    code, out, _ = run(capsys, "--config", str(config), "review", "label", record.call_id, str(item["turn"]),
                       "--heard", "12 baker street", "--value", "12 baker street")
    assert code == 0 and "labelled" in out
    assert run(capsys, "--config", str(config), "review", "list")[2] == "the review queue is empty\n"

    code, out, _ = run(capsys, "--config", str(config), "review", "export", "--tests", str(tmp_path / "t"))
    assert code == 0 and "1 test(s)" in out
    code, out, _ = run(capsys, "test", str(tmp_path / "t" / "review_pizza_order.yml"))
    assert code == 0 and "1 passed, 0 failed" in out
    code, _, err = run(capsys, "--config", str(config), "review", "export")
    assert code == 2 and "--tests DIR and/or --eval-set DIR" in err
