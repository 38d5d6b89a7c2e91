"""The playout timeline with literal times: what plays when, what may be interrupted, talk-over."""

from __future__ import annotations

from voicebot.session.playout import Playout


def test_chunks_queue_back_to_back_from_when_they_are_sent() -> None:
    playout = Playout()
    playout.add(10.0, 1.0, interruptible=True)
    playout.add(10.2, 0.5, interruptible=True)  # sent while the first still plays
    assert playout.playing_until_s == 11.5
    assert playout.remaining_s(11.0) == 0.5 and playout.remaining_s(12.0) == 0.0
    playout.add(20.0, 1.0, interruptible=True)  # after a pause: starts when sent
    assert playout.playing_until_s == 21.0


def test_what_plays_now_decides_whether_it_may_be_interrupted() -> None:
    playout = Playout()
    playout.add(0.0, 1.0, interruptible=False)
    playout.add(0.0, 1.0, interruptible=True)
    assert not playout.interruptible_at(0.5)
    assert playout.interruptible_at(1.5)
    assert playout.protected_until_s == 1.0  # talk-over before this was said over protected audio


def test_between_chunks_the_sentence_being_synthesised_decides() -> None:
    playout = Playout()
    playout.saying = False
    assert not playout.interruptible_at(5.0)
    playout.saying = None
    assert playout.interruptible_at(5.0)


def test_a_dialogue_with_barge_in_off_is_not_interrupted_before_its_audio_starts() -> None:
    # The session used to read a `barge_in` attribute the dialogue does not have, so this was True:
    # a caller (or a typed line) right after the bot was asked to speak cut a non-interruptible prompt.
    playout = Playout(default_interruptible=False)
    assert not playout.interruptible_at(0.0)
    assert Playout(default_interruptible=True).interruptible_at(0.0)


def test_barge_in_cuts_what_was_queued() -> None:
    playout = Playout()
    playout.add(0.0, 3.0, interruptible=True)
    playout.cut(1.0)
    assert playout.playing_until_s == 1.0 and playout.remaining_s(1.0) == 0.0
    assert playout.interruptible_at(1.5)  # nothing plays: back to the default
