"""Barge-in over the websocket: caller speech during an interruptible prompt stops the bot's audio
(the client is told to drop what it queued) and the caller's words are heard; a prompt marked not
interruptible plays to the end. How fast the bot stops is measured in bench/latency.py."""

from __future__ import annotations

import json
from pathlib import Path

import websockets

from tests.audio.speech import padded, synth
from tests.session.helpers import DIALOGUE_PATH, live_server, real_time_caller

DIALOGUES = (DIALOGUE_PATH, DIALOGUE_PATH.with_name("barge_check.yml"))
START = json.dumps({"type": "start", "sample_rate_hz": 16000})
RATE_HZ = 16_000


async def test_caller_speech_during_a_long_prompt_stops_bot_audio_and_is_heard(tmp_path: Path) -> None:
    async with live_server(tmp_path, DIALOGUES) as (url, _), \
            websockets.connect(f"{url}/ws?dialogue=barge_check") as ws:
        await ws.send(START)
        yes = padded(synth("Yes, I would."), 0, 0)
        call = await real_time_caller(ws, [yes, padded(synth("Yes."), 100, 0)], barge_in=("ask.wants", 1.5))
    assert call.clear_at_s, "the bot never told the client to drop its audio"
    assert call.barge_in_started_s is not None and call.last_audio_before_clear_s is not None
    # The question is about 7 s of speech; the caller cut in 1.5 s after it began, so most of it
    # never reached the client.
    question_s = len(synth("We have three offers today: a large pizza, a family meal with drinks, and a "
                           "lunch special with salad. Would you like to hear more?")) / RATE_HZ
    assert question_s > 5
    heard_s = call.bot_audio_bytes / 2 / RATE_HZ
    disclosure_s = len(synth("Please note that this call is recorded for quality purposes.")) / RATE_HZ
    goodbye_s = len(synth("Thank you. Goodbye.")) / RATE_HZ
    assert heard_s < disclosure_s + goodbye_s + question_s - 2.5
    texts = [m for m in call.messages if m["type"] in ("bot", "clear", "transcript")]
    clear_index = next(i for i, m in enumerate(texts) if m["type"] == "clear")
    assert texts[clear_index - 1].get("prompt_id") == "ask.wants"
    heard = [m["text"].lower() for m in texts[clear_index:] if m["type"] == "transcript" and m["final"]]
    assert heard and "yes" in heard[0]
    record = call.record
    assert record["outcome"] == "done" and record["slots"] == {"wants": True}
    assert record["meta"]["barge_ins"] == 1


async def test_a_prompt_marked_not_interruptible_plays_to_the_end(tmp_path: Path) -> None:
    async with live_server(tmp_path, DIALOGUES) as (url, _), \
            websockets.connect(f"{url}/ws?dialogue=barge_check") as ws:
        await ws.send(START)
        talk_over = padded(synth("Hello? Hello, can you hear me?"), 0, 0)
        answer = padded(synth("Yes."), 100, 0)
        call = await real_time_caller(ws, [talk_over, answer], barge_in=("main.0", 1.0))
    assert not call.clear_at_s
    record = call.record
    # The words said over the disclosure are not a turn; the answer to the question is.
    assert [t["text"].lower().strip(".") for t in record["turns"] if t["role"] == "caller"] == ["yes"]
    assert record["outcome"] == "done"
