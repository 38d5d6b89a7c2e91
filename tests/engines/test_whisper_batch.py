"""Concurrent calls' turns decoded in one batch (stt.batch_decodes) give the transcripts of lone decodes."""

import threading
import time
from functools import cache
from typing import Any

from tests.audio.speech import padded, synth
from voicebot.engines.base import Transcript
from voicebot.engines.batching import Combiner
from voicebot.engines.whisper import MAX_BATCH, WhisperTranscriber

TURNS = [
    ("I would like two large pepperoni pizzas.", ()),
    ("Yes, that is right.", ()),
    ("My name is Margherita Rossi.", ("Margherita",)),  # another prompt length: its own generate()
    ("Four desserts, please.", ()),
]


@cache
def whisper() -> WhisperTranscriber:
    return WhisperTranscriber("tiny.en", word_timestamps=False)


@cache
def audio(text: str) -> Any:
    return padded(synth(text), 300, 300)


def _wait_for(condition: Any) -> None:
    for _ in range(4000):  # synchronisation, not timing: the decoding threads got there
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the decodes never queued")


def _batched(calls: list[Any]) -> tuple[list[Transcript], list[int]]:
    """Runs ``calls`` (no-argument decodes) in threads: the first alone, its batch held until every other
    one queued behind it, so they are decoded as one batch. (transcripts in call order, group sizes)"""
    transcriber = whisper()
    run_group = transcriber._first_passes
    gate = threading.Event()
    groups: list[int] = []

    def gated(requests: list[Any]) -> list[Any]:
        groups.append(len(requests))
        if len(groups) == 1:
            gate.wait()
        return run_group(requests)

    batcher: Combiner[Any, Any] = Combiner(gated, MAX_BATCH)
    transcriber._batcher = batcher
    results: dict[int, Transcript] = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, calls[i]()))
               for i in range(len(calls))]
    try:
        threads[0].start()
        _wait_for(lambda: groups == [1])
        for thread in threads[1:]:
            thread.start()
        _wait_for(lambda: batcher.waiting == len(calls) - 1)
    finally:
        gate.set()
        for thread in threads:
            if thread.ident is not None:
                thread.join()
        transcriber._batcher = Combiner(run_group, MAX_BATCH)
    return [results[i] for i in range(len(calls))], groups


def test_turns_waiting_together_are_batched_and_transcribed_as_alone() -> None:
    transcriber = whisper()
    alone = [transcriber.transcribe(audio(text), language="en", hints=hints) for text, hints in TURNS]
    results, groups = _batched([lambda text=text, hints=hints: transcriber.transcribe(
        audio(text), language="en", hints=hints) for text, hints in TURNS])
    assert groups == [1, len(TURNS) - 1]
    for got, lone in zip(results, alone, strict=True):
        assert (got.text, got.logprob, got.segments) == (lone.text, lone.logprob, lone.segments)
    assert "pepperoni" in results[0].text


def test_closed_answers_are_scored_the_same_after_a_batched_decode() -> None:
    transcriber = whisper()

    def yes() -> Transcript:
        return transcriber.transcribe(audio("Yes."), language="en", expected=("yes", "no"))

    lone = yes()
    results, groups = _batched([yes, yes, yes])
    assert groups == [1, 2]
    assert [t.alternatives for t in results] == [lone.alternatives] * 3
    assert dict(lone.alternatives)["yes"] > dict(lone.alternatives)["no"]


def test_batching_can_be_switched_off() -> None:
    assert WhisperTranscriber("tiny.en", word_timestamps=False, batch_decodes=False)._batcher is None
    assert whisper()._batcher is not None


def test_an_open_ask_and_a_partial_waiting_together_are_decoded_as_alone() -> None:
    """Both greedy, but encoded over different windows (an open ask's 10 s, a partial's 15 s): decoded in
    a group each, never concatenated into one batch."""
    from voicebot.engines.constrained import heard_only, only_words

    transcriber = whisper()
    request = only_words(("one", "two", "large", "small", "pepperoni", "pizza", "pizzas"))
    order_audio, other_audio = audio(TURNS[0][0]), audio(TURNS[1][0])

    def order() -> Transcript:
        return transcriber.transcribe(order_audio, language="en", expected=(request,))

    def partial() -> Transcript:
        return transcriber._decode(other_audio, transcriber._options("en", (), partial=True), final=False)

    alone = [order(), partial()]
    results, groups = _batched([order, order, partial])
    assert groups == [1, 2]
    for got, lone in zip(results, [alone[0], *alone], strict=True):
        assert (got.text, got.logprob, got.alternatives) == (lone.text, lone.logprob, lone.alternatives)
    assert heard_only(results[0].alternatives) and "yes" in results[2].text.lower()
