"""Silence timeouts, the watchdog and the maximum duration with literal times."""

from __future__ import annotations

from voicebot.session.deadlines import Deadlines, earliest, silence_wait_s
from voicebot.session.ending import EndReason


def test_silence_counts_from_the_latest_of_its_starts() -> None:
    assert silence_wait_s(now_s=12.0, since_s=10.0, timeout_ms=5000) == 3.0
    assert silence_wait_s(now_s=16.0, since_s=10.0, timeout_ms=5000) == 0.0
    assert earliest(None, 3.0, 1.5) == 1.5 and earliest(None, None) is None


def test_no_progress_ends_a_stuck_call_but_bot_audio_playing_out_is_progress() -> None:
    deadlines = Deadlines(started_s=100.0, no_progress_timeout_s=10.0, max_call_duration_s=None)
    assert deadlines.wait_s(playing_until_s=0.0, now_s=104.0) == 6.0
    assert deadlines.expired(playing_until_s=0.0, now_s=109.9) is None
    assert deadlines.expired(playing_until_s=0.0, now_s=110.0) is EndReason.NO_PROGRESS
    # A 30-second prompt still playing at 110 s is not a stall.
    assert deadlines.expired(playing_until_s=130.0, now_s=110.0) is None
    deadlines.progressed(115.0)
    assert deadlines.no_progress_at(playing_until_s=0.0, now_s=116.0) == 125.0


def test_the_maximum_duration_comes_first_and_none_turns_the_limits_off() -> None:
    deadlines = Deadlines(started_s=0.0, no_progress_timeout_s=10.0, max_call_duration_s=60.0)
    deadlines.progressed(59.0)
    assert deadlines.expired(playing_until_s=0.0, now_s=60.0) is EndReason.MAX_DURATION
    off = Deadlines(started_s=0.0, no_progress_timeout_s=None, max_call_duration_s=None)
    assert off.wait_s(playing_until_s=0.0, now_s=1e9) is None and off.expired(0.0, 1e9) is None


def test_the_guard_acts_a_grace_period_after_the_watchdog_should_have() -> None:
    deadlines = Deadlines(started_s=0.0, no_progress_timeout_s=10.0, max_call_duration_s=100.0)
    due = {now: deadlines.guard_due(0.0, now, grace_s=15.0, max_duration_grace_s=60.0)
           for now in (24.9, 25.0)}
    assert due == {24.9: False, 25.0: True}
    deadlines.progressed(150.0)  # progress, but past the maximum duration and its grace
    assert deadlines.guard_due(0.0, 160.0, grace_s=15.0, max_duration_grace_s=60.0)
