"""Endpointing with literals: pause lengths, the dialogue's view and the turn model's verdicts.

Frames are 32 ms; with 96 ms onset, speech at frames 0-9 starts the turn at 0 and its pause at 320 ms.
"""

from __future__ import annotations

import pytest

from voicebot.audio.endpointing import (
    Action,
    AnswerState,
    AskTurnModel,
    Endpointer,
    EndpointingConfig,
    decide,
)
from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.errors import ConfigError

FRAME_MS = 32
TURNS = TurnTakingConfig(min_speech_ms=96, fast_onset_threshold=1.0)
# The literals below were written for a 200 ms question pause (the default is shorter).
ASK_200 = EndpointingConfig(ask_pause_ms=200)
COMPLETE, INCOMPLETE, UNKNOWN = AnswerState.COMPLETE, AnswerState.INCOMPLETE, AnswerState.UNKNOWN
PENDING, OPEN = AnswerState.PENDING, AnswerState.OPEN


@pytest.mark.parametrize(("pause_ms", "answer", "completion", "action"), [
    (0, COMPLETE, 0.99, Action.KEEP_LISTENING),  # talking, or a breath: nobody is asked
    (150, COMPLETE, None, Action.KEEP_LISTENING),
    (200, UNKNOWN, None, Action.ASK_TURN_MODEL),  # a short pause raises the question
    (200, UNKNOWN, 0.9, Action.END_TURN),
    (200, UNKNOWN, 0.2, Action.KEEP_LISTENING),
    (200, COMPLETE, None, Action.ASK_TURN_MODEL),  # "yes" to a yes/no question: does it sound finished?
    (200, COMPLETE, 0.9, Action.END_TURN),  # both judges agree: at once
    (200, COMPLETE, 0.1, Action.KEEP_LISTENING),  # "Yes, | I got the documents": the voice goes on
    (599, COMPLETE, 0.1, Action.KEEP_LISTENING),
    (600, COMPLETE, 0.1, Action.END_TURN),  # ... but a whole answer waits no longer than the silence rule
    (600, COMPLETE, None, Action.END_TURN),  # nor for a verdict that never came
    (200, OPEN, None, Action.ASK_TURN_MODEL),  # "Two large pepperoni": an order may go on
    (200, OPEN, 0.99, Action.KEEP_LISTENING),  # sounding finished is not enough yet
    (1299, OPEN, 0.99, Action.KEEP_LISTENING),
    (1300, OPEN, 0.99, Action.END_TURN),  # a longer pause and the model: over
    (1500, OPEN, 0.2, Action.KEEP_LISTENING),  # the model says it goes on: up to the ceiling
    (900, INCOMPLETE, 0.99, Action.KEEP_LISTENING),  # "my number is five five five"
    (200, PENDING, None, Action.ASK_TURN_MODEL),  # the model runs while the transcript is decoded
    (300, PENDING, 0.99, Action.KEEP_LISTENING),  # but its "complete" waits for the dialogue
    (1600, PENDING, 0.99, Action.END_TURN),
    (1599, UNKNOWN, 0.2, Action.KEEP_LISTENING),
    (1600, INCOMPLETE, 0.0, Action.END_TURN),  # the ceiling ends every turn
    (1600, UNKNOWN, None, Action.END_TURN),
])
def test_decide(pause_ms: int, answer: AnswerState, completion: float | None, action: Action) -> None:
    assert decide(pause_ms, answer=answer, completion=completion, config=ASK_200) is action


def test_the_threshold_and_pauses_are_configurable() -> None:
    config = EndpointingConfig(ask_pause_ms=300, max_pause_ms=1000, complete_threshold=0.8)
    assert decide(250, completion=0.9, config=config) is Action.KEEP_LISTENING
    assert decide(300, completion=0.7, config=config) is Action.KEEP_LISTENING
    assert decide(300, completion=0.8, config=config) is Action.END_TURN
    assert decide(1000, config=config) is Action.END_TURN
    config = EndpointingConfig(ask_pause_ms=200, complete_pause_ms=400, open_pause_ms=500)
    assert decide(399, answer=COMPLETE, completion=0.1, config=config) is Action.KEEP_LISTENING
    assert decide(400, answer=COMPLETE, completion=0.1, config=config) is Action.END_TURN
    assert decide(499, answer=OPEN, completion=0.9, config=config) is Action.KEEP_LISTENING
    assert decide(500, answer=OPEN, completion=0.9, config=config) is Action.END_TURN
    for bad in ({"ask_pause_ms": 0}, {"ask_pause_ms": 2000}, {"complete_threshold": 1.0},
                {"complete_pause_ms": 0}, {"open_pause_ms": -1}, {"open_confident_pause_ms": 0},
                {"open_confident_threshold": 0.4}, {"open_confident_threshold": 1.1},
                {"complete_min_pause_ms": -1}):
        with pytest.raises(ConfigError):
            EndpointingConfig(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("pause_ms", "completion", "action"), [
    (200, 0.99, Action.KEEP_LISTENING),  # "42 Baker Street." sounds finished: not at once
    (699, 0.99, Action.KEEP_LISTENING),
    (700, 0.99, Action.END_TURN),  # sure, and a pause longer than the silence rule's: over
    (700, 0.95, Action.END_TURN),
    (700, 0.94, Action.KEEP_LISTENING),  # complete, but not sure: the open pause
    (1300, 0.94, Action.END_TURN),
])
def test_an_open_answer_the_model_is_sure_of_ends_after_a_shorter_pause(
        pause_ms: int, completion: float, action: Action) -> None:
    config = EndpointingConfig(ask_pause_ms=200, open_confident_threshold=0.95, open_confident_pause_ms=700)
    assert decide(pause_ms, answer=OPEN, completion=completion, config=config) is action
    # Off by default: only the open pause ends an open answer.
    assert decide(700, answer=OPEN, completion=0.999, config=ASK_200) is Action.KEEP_LISTENING


@pytest.mark.parametrize(("pause_ms", "answer", "action"), [
    (200, COMPLETE, Action.KEEP_LISTENING),  # "Yes," and the model agrees: not yet
    (449, COMPLETE, Action.KEEP_LISTENING),
    (450, COMPLETE, Action.END_TURN),
    (200, UNKNOWN, Action.END_TURN),  # only whole answers wait for it
])
def test_a_whole_answer_may_wait_a_minimum_pause(pause_ms: int, answer: AnswerState, action: Action) -> None:
    config = EndpointingConfig(ask_pause_ms=200, complete_min_pause_ms=450)
    assert decide(pause_ms, answer=answer, completion=0.99, config=config) is action


def feed(endpointer: Endpointer, probabilities: list[float]) -> list[tuple[int, object]]:
    out: list[tuple[int, object]] = []
    start = round(endpointer.position_ms / FRAME_MS)
    for offset, p in enumerate(probabilities):
        out += [(start + offset, e) for e in endpointer.update(p, FRAME_MS)]
    return out


def test_a_complete_verdict_ends_the_turn_where_the_pause_began() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    events = feed(endpointer, [0.9] * 10 + [0.0] * 7)
    # 7 frames (224 ms) of pause: the model is asked once, with the audio up to 544 ms.
    assert events == [(2, SpeechStarted(at_ms=0)), (16, AskTurnModel(pause_start_ms=320, at_ms=544))]
    assert feed(endpointer, [0.0] * 3) == []  # no verdict yet: no second question
    assert endpointer.set_completion(320, 0.93) == [SpeechEnded(at_ms=320, speech_start_ms=0)]
    assert not endpointer.speaking
    assert endpointer.ended_by == "model_unknown"


def test_an_incomplete_verdict_waits_for_more_words_or_the_ceiling() -> None:
    endpointer = Endpointer(TURNS, EndpointingConfig(ask_pause_ms=200, max_pause_ms=640))
    feed(endpointer, [0.9] * 10 + [0.0] * 7)
    assert endpointer.set_completion(320, 0.1) == []
    # The ceiling: 640 ms after the pause began (20 frames), whatever the model said.
    assert feed(endpointer, [0.0] * 13) == [(29, SpeechEnded(at_ms=320, speech_start_ms=0))]
    assert endpointer.ended_by == "ceiling"


def test_words_after_the_pause_make_a_new_question_and_drop_old_verdicts() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 7)
    events = feed(endpointer, [0.9] * 5 + [0.0] * 7)
    # The new pause began at frame 22 (704 ms); asked again at 22 + 7 frames.
    assert events == [(28, AskTurnModel(pause_start_ms=704, at_ms=928))]
    assert endpointer.set_completion(320, 0.99) == []  # the answer to the old question is stale
    assert endpointer.set_completion(704, 0.99) == [SpeechEnded(at_ms=704, speech_start_ms=0)]


def test_a_complete_answer_ends_when_the_model_agrees() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 3)
    assert endpointer.set_answer(COMPLETE) == []  # a 96 ms gap is no pause yet
    assert feed(endpointer, [0.0] * 4) == [(16, AskTurnModel(pause_start_ms=320, at_ms=544))]
    assert endpointer.set_completion(320, 0.8) == [SpeechEnded(at_ms=320, speech_start_ms=0)]
    assert endpointer.ended_by == "model_complete"


def test_a_complete_answer_the_model_doubts_ends_at_the_silence_rules_pause() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 7)
    endpointer.set_answer(COMPLETE, pause_start_ms=320)
    assert endpointer.set_completion(320, 0.1) == []  # "Yes," and the voice goes on
    # 600 ms after the pause began (frame 10 + 19 = 29, 608 ms in) it ends all the same.
    assert feed(endpointer, [0.0] * 12) == [(28, SpeechEnded(at_ms=320, speech_start_ms=0))]
    assert endpointer.ended_by == "complete_pause"


def test_an_open_answer_waits_for_a_longer_pause_even_when_it_sounds_finished() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 7)
    endpointer.set_answer(OPEN, pause_start_ms=320)
    assert endpointer.set_completion(320, 0.99) == []
    events = feed(endpointer, [0.0] * 40)
    assert events == [(50, SpeechEnded(at_ms=320, speech_start_ms=0))]  # 1300 ms into the pause


def test_a_view_of_an_older_pause_is_dropped() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 3 + [0.9] * 5 + [0.0] * 3)
    assert endpointer.set_answer(COMPLETE, pause_start_ms=320) == []  # transcribed at the first pause
    # Dropped: at 200 ms into the new pause the model is asked, as if the dialogue had said nothing.
    assert feed(endpointer, [0.0] * 4) == [(24, AskTurnModel(pause_start_ms=576, at_ms=800))]
    assert endpointer.set_answer(PENDING, pause_start_ms=576) == []
    assert endpointer.set_completion(576, 0.9) == []  # the model waits for the dialogue's view...
    assert endpointer.set_answer(COMPLETE, pause_start_ms=576) == [SpeechEnded(at_ms=576, speech_start_ms=0)]


def test_the_models_verdict_waits_for_a_transcript_being_decoded() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 2)
    endpointer.set_answer(PENDING, pause_start_ms=320)
    assert [e for _, e in feed(endpointer, [0.0] * 5)] == [AskTurnModel(pause_start_ms=320, at_ms=544)]
    assert endpointer.set_completion(320, 0.97) == []
    assert endpointer.set_answer(UNKNOWN, pause_start_ms=320) == [SpeechEnded(at_ms=320, speech_start_ms=0)]


def test_a_known_unfinished_start_is_never_sent_to_the_model() -> None:
    endpointer = Endpointer(TURNS, EndpointingConfig(ask_pause_ms=200, max_pause_ms=800))
    feed(endpointer, [0.9] * 10 + [0.0] * 2)
    endpointer.set_answer(INCOMPLETE)
    events = feed(endpointer, [0.0] * 30)
    assert events == [(34, SpeechEnded(at_ms=320, speech_start_ms=0))]  # 800 ms ceiling only


def test_speaking_again_forgets_the_dialogues_view_of_the_shorter_transcript() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 2)
    endpointer.set_answer(INCOMPLETE)
    events = feed(endpointer, [0.9] * 5 + [0.0] * 7)
    assert events == [(23, AskTurnModel(pause_start_ms=544, at_ms=768))]


def test_a_click_inside_the_pause_keeps_the_pause_and_its_verdict() -> None:
    endpointer = Endpointer(TURNS, ASK_200)
    feed(endpointer, [0.9] * 10 + [0.0] * 7)
    endpointer.set_completion(320, 0.2)
    assert feed(endpointer, [0.8, 0.0, 0.0]) == []  # 32 ms of sound is shorter than resume_speech_ms
    assert endpointer.pause_ms == pytest.approx(320)


def test_turn_taking_can_end_a_turn_early_only_inside_a_pause() -> None:
    turns = TurnTaking(TURNS)
    for _ in range(10):
        turns.update(0.9, FRAME_MS)
    assert turns.pause_start_ms is None and turns.end_turn() == []
    for _ in range(3):
        turns.update(0.0, FRAME_MS)
    assert turns.pause_start_ms == 320 and turns.pause_ms == 96
    assert turns.end_turn() == [SpeechEnded(at_ms=320, speech_start_ms=0)]
    assert not turns.speaking and turns.pause_ms == 0
