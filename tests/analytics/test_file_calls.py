"""A batch of real calls through the file door (Piper speaks the caller, Whisper hears it), some answers
deliberately unclear: the step table, the review queue, the export and the usage metering must agree
with what the calls did."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime
from voicebot.analytics.review import (
    add_to_eval_set,
    audio_slice,
    conversation_test,
    label,
    review_queue,
    write_test_file,
)
from voicebot.analytics.steps import step_report
from voicebot.analytics.usage import usage
from voicebot.cli import main
from voicebot.dialogue.loader import load_dialogue
from voicebot.transport import file as file_door
from voicebot.transport.file import run_file_call

DIALOGUE = Path(__file__).with_name("ops_check.yml")
RATE_HZ = 16_000
FRAME_S = file_door.FRAME_MS / 1000
CALLS = [
    ["Yes, please.", "Three."],
    ["Yes.", "Banana bread.", "Four."],  # the size not understood once
    ["Purple elephant.", "Yes.", "Just me and my wife.", "Three."],  # a yes/no and a size not understood
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import asyncio

    tmp = tmp_path_factory.mktemp("calls")
    rt = runtime(tmp)
    dialogue = load_dialogue(DIALOGUE)
    sent: dict[str, int] = {}
    original = file_door.FileOutput.send_audio

    async def counting(self: file_door.FileOutput, pcm: bytes) -> None:  # a spy: counts what the bot sent
        sent[str(id(self))] = sent.get(str(id(self)), 0) + len(pcm) // 2
        await original(self, pcm)

    file_door.FileOutput.send_audio = counting  # type: ignore[method-assign]
    results, pushed_s, bot_s = [], [], []
    try:
        for lines in CALLS:
            turns = [padded(synth(line), 200, 0) for line in lines]
            before = set(sent)
            result = asyncio.run(run_file_call(rt, dialogue, turns, engines=engine_pool()))
            tail = int(RATE_HZ * (result_tail_ms() / 1000))
            results.append(result)
            pushed_s.append(sum(t.size + tail for t in turns) / RATE_HZ)
            bot_s.append(sum(n for k, n in sent.items() if k not in before) / RATE_HZ)
    finally:
        file_door.FileOutput.send_audio = original  # type: ignore[method-assign]
    return {"rt": rt, "results": results, "pushed_s": pushed_s, "bot_s": bot_s, "tmp": tmp}


def result_tail_ms() -> float:
    from voicebot.session.settings import SessionSettings

    return SessionSettings().longest_pause_ms + 400  # the silence the file door plays after each turn


def test_the_calls_went_as_scripted(batch: dict[str, Any]) -> None:
    records = [r.record for r in batch["results"]]
    assert [r.outcome for r in records] == ["done", "done", "done"], [
        [(t.role, t.text) for t in r.turns] for r in records]
    assert [r.slots for r in records] == [{"wants": True, "size": 3}, {"wants": True, "size": 4},
                                          {"wants": True, "size": 3}]


def test_the_step_table_counts_what_the_calls_did(batch: dict[str, Any]) -> None:
    rows = {row.step: row for row in step_report(batch["rt"].store, "ops_check")}
    wants, size = rows["ask.wants"], rows["ask.size"]
    assert (wants.calls, wants.asked, wants.answered_first, wants.not_understood) == (3, 4, 2, 1)
    assert (size.calls, size.asked, size.answered_first, size.not_understood) == (3, 5, 1, 2)
    assert size.ended_here == 0 and size.transferred_here == 0
    assert size.p95_latency_ms is not None and size.p95_latency_ms > 0
    assert size.mean_confidence is not None and 0 < size.mean_confidence <= 1


def test_usage_matches_the_audio_within_one_frame(batch: dict[str, Any]) -> None:
    for result, pushed_s, bot_s in zip(batch["results"], batch["pushed_s"], batch["bot_s"], strict=True):
        metered = result.record.meta["usage"]
        assert abs(metered["caller_audio_s"] - pushed_s) <= FRAME_S, (metered, pushed_s)
        assert abs(metered["bot_audio_s"] - bot_s) <= FRAME_S, (metered, bot_s)
        assert bot_s > 2.0
    [row] = usage(batch["rt"].store.query)
    assert row.calls == 3 and row.key_name is None
    assert abs(row.caller_audio_s - sum(batch["pushed_s"])) <= 3 * FRAME_S
    metric = batch["rt"].metrics.key_audio_seconds.labels(key="none", direction="in")._value.get()
    assert abs(metric - sum(batch["pushed_s"])) <= 3 * FRAME_S


def test_the_review_queue_holds_the_unclear_turns_with_their_audio(batch: dict[str, Any]) -> None:
    store = batch["rt"].store
    records = [r.record for r in batch["results"]]
    queue = review_queue(store, confidence_below=0.0)  # only what the dialogue struggled with
    assert [(i.call_id, i.step, i.result) for i in queue] == [
        (records[2].call_id, "ask.wants", "not_understood"),
        (records[2].call_id, "ask.size", "not_understood"),
        (records[1].call_id, "ask.size", "not_understood"),
    ]
    by_default = {(i.call_id, i.turn) for i in review_queue(store)}
    assert {(i.call_id, i.turn) for i in queue} <= by_default
    # The slice of the recording is the caller saying it: silent margins, speech as long as what was said.
    item = queue[2]
    record = records[1]
    wav = audio_slice(store.audio_path(item.call_id), record.turns[item.turn].audio_ms)
    with wave.open(io.BytesIO(wav)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        assert w.getnchannels() == 1 and w.getframerate() == RATE_HZ
    spoken = synth("Banana bread.")
    margin = int(0.15 * RATE_HZ)
    assert abs(samples.size - spoken.size) / RATE_HZ < 0.8, (samples.size / RATE_HZ, spoken.size / RATE_HZ)
    assert np.abs(samples[:margin]).max() < 0.01 and np.abs(samples[-margin:]).max() < 0.01
    assert np.abs(samples).max() > 0.1
    # Its transcript holds what the call heard (a stranger word than what was said: why it is queued).
    # Decoded alone, without the call's surroundings, whisper may split the words differently ("The Nano
    # Bread." for a heard "banana bread"), so the check is a word in common, not the whole string.
    heard = engine_pool().transcriber("en").transcribe(samples, language="en").text
    in_call = record.turns[item.turn].text.strip(" .").lower()
    assert set(_words(heard)) & set(_words(in_call)), (heard, in_call)


def test_a_labelled_turn_exports_a_test_and_an_eval_line(batch: dict[str, Any], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    store = batch["rt"].store
    record = batch["results"][2].record
    item = next(i for i in review_queue(store, confidence_below=0.0) if i.step == "ask.size")
    assert record.turns[item.turn].text.lower().startswith("just me")
    labelled = label(store, item.call_id, item.turn, "just me and my wife", "2", by="test")
    out = tmp_path / "tests" / "review_ops_check.yml"
    write_test_file(out, DIALOGUE, [conversation_test(record, labelled, load_dialogue(DIALOGUE))])
    # The dialogue does not understand "just me and my wife" yet: the exported test says so until it does.
    code = main(["test", str(out)])
    printed = capsys.readouterr().out
    assert code == 1 and "0 passed, 1 failed" in printed and "slot size: expected 2" in printed, printed
    row = add_to_eval_set(tmp_path / "eval", labelled, audio_slice(store.audio_path(item.call_id),
                          record.turns[item.turn].audio_ms), language="en", sample_rate_hz=RATE_HZ)
    assert row["reference"] == "just me and my wife" and (tmp_path / "eval" / row["file"]).is_file()


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()
