"""When new caller speech takes the last turn back (voicebot/session/take_back.py), with literals."""

from __future__ import annotations

import re

import pytest

from voicebot.config import load_config
from voicebot.dialogue.events import CallWebhook, EndCall, Listen, Say, Transfer
from voicebot.errors import ConfigError
from voicebot.session.settings import SessionSettings
from voicebot.session.take_back import TakeBackConfig, bot_audio_heard_ms, takes_back, undoable

CONFIG = TakeBackConfig(window_ms=1000, max_bot_audio_ms=1000)
REPLY = [Say("Thank you.", "thanks"), Say("Third, do you understand?", "ask_cancellation"), Listen("x")]


def judged(onset_s: float, first_audio_s: float | None = 10.05, *, reply_played: bool = False,
           config: TakeBackConfig = CONFIG) -> bool:
    return takes_back(config, turn_end_s=10.0, onset_s=onset_s, first_audio_s=first_audio_s,
                      reply_played=reply_played)


def test_words_soon_after_the_end_take_the_turn_back() -> None:
    # "Yes, | I got the documents": the turn ended at 10.0 s, the caller went on 0.45 s later, the
    # reply's first audio went out at 10.05 s (0.4 s of it heard).
    assert judged(10.45)
    assert judged(10.3, first_audio_s=None)  # before the reply's first audio
    assert judged(11.0)  # the window's edge


def test_words_after_the_window_are_a_new_turn() -> None:
    assert not judged(11.01, first_audio_s=None)
    assert not judged(14.0)


def test_a_barge_in_on_the_next_question_is_not_a_take_back() -> None:
    # The reply played from 10.05 s: at 10.9 s inside the window but the caller heard 850 ms of the reply
    # under a 600 ms limit; and a reply played to its end is answered, not taken back.
    assert not judged(10.9, config=TakeBackConfig(window_ms=1000, max_bot_audio_ms=600))
    assert judged(10.6, config=TakeBackConfig(window_ms=1000, max_bot_audio_ms=600))
    assert not judged(10.5, reply_played=True)
    assert not judged(12.5, first_audio_s=10.05)  # 2.45 s into "Thank you. Third, do you ..."


def test_what_cannot_be_undone_is_never_taken_back() -> None:
    assert undoable(REPLY, call_ended=False, answered_confirm=False)
    assert undoable([], call_ended=False, answered_confirm=False)
    assert not undoable([*REPLY, CallWebhook("a1", "http://127.0.0.1/x")], call_ended=False,
                        answered_confirm=False)
    assert not undoable([Say("One moment.", "p"), Transfer("agent")], call_ended=False,
                        answered_confirm=False)
    assert not undoable([Say("Goodbye.", "bye"), EndCall("done")], call_ended=True, answered_confirm=False)
    assert not undoable(REPLY, call_ended=False, answered_confirm=True)  # "Is that right?" "Yes"


def test_a_window_of_0_turns_it_off() -> None:
    off = TakeBackConfig(window_ms=0)
    assert not off.enabled
    assert not judged(10.0, first_audio_s=None, config=off)
    assert TakeBackConfig().enabled


def test_bot_audio_heard() -> None:
    assert bot_audio_heard_ms(10.45, 10.05) == pytest.approx(400.0)
    assert bot_audio_heard_ms(10.0, 10.05) == 0.0
    assert bot_audio_heard_ms(10.45, None) == 0.0


def test_config_tunes_and_turns_it_off() -> None:
    assert SessionSettings.from_config(load_config(env={})).take_back == TakeBackConfig(1000, 1000)
    tuned = load_config(env={"VOICEBOT_TURN__TAKE_BACK_WINDOW_MS": "800",
                             "VOICEBOT_TURN__TAKE_BACK_MAX_BOT_AUDIO_MS": "500"})
    assert SessionSettings.from_config(tuned).take_back == TakeBackConfig(800, 500)
    off = load_config(env={"VOICEBOT_TURN__TAKE_BACK_WINDOW_MS": "0"})
    assert not SessionSettings.from_config(off).take_back.enabled
    with pytest.raises(ConfigError, match=re.escape("turn.take_back_window_ms: must be a number of "
                                                    "milliseconds, or 0 to never take a turn back, got -1")):
        load_config(env={"VOICEBOT_TURN__TAKE_BACK_WINDOW_MS": "-1"})
    with pytest.raises(ConfigError, match=re.escape("turn.take_back_max_bot_audio_ms: must be a number")):
        load_config(env={"VOICEBOT_TURN__TAKE_BACK_MAX_BOT_AUDIO_MS": "-5"})
