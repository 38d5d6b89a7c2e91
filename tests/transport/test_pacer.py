"""The pacer with literal times: each door's stream goes out at the rate it plays, never bursting."""

from __future__ import annotations

from pytest import approx

from voicebot.transport.pacer import Pacer

FRAME = 640  # 20 ms of s16le at 16 kHz
RATE = 32_000  # bytes per second


def test_frames_go_out_at_the_rate_they_play_up_to_the_lead() -> None:
    pacer = Pacer(RATE, lead_s=0.04, play_s=10.0)
    delays = [pacer.schedule(10.0, FRAME) for _ in range(4)]  # all handed over at once
    assert delays == approx([0.0, 0.0, 0.0, 0.02])  # 40 ms may be in flight; the fourth waits
    assert pacer.play_s == approx(10.08)


def test_a_fixed_cadence_with_no_lead() -> None:
    pacer = Pacer(RATE, play_s=0.0)
    assert pacer.schedule(0.0, FRAME) == 0.0
    assert pacer.schedule(0.005, FRAME) == approx(0.015)  # the next frame's slot is at 20 ms


def test_after_a_stall_it_catches_up_at_most_max_lag() -> None:
    pacer = Pacer(RATE, max_lag_s=0.1, play_s=0.0)
    pacer.schedule(0.0, FRAME)
    assert pacer.schedule(1.0, FRAME) == 0.0  # a second late: no waiting...
    assert pacer.play_s == approx(0.92)  # ...and only 100 ms (five frames) go out in a burst
    without_lag = Pacer(RATE, play_s=0.0)
    without_lag.schedule(1.0, FRAME)
    assert without_lag.play_s == approx(1.02)  # a listener that ran dry plays from now


def test_a_negative_lead_sends_a_frame_once_it_has_been_spoken() -> None:
    pacer = Pacer(RATE, lead_s=-0.02, play_s=0.0)
    assert pacer.schedule(0.0, FRAME) == approx(0.02)


def test_restart_after_barge_in() -> None:
    pacer = Pacer(RATE, lead_s=0.24, play_s=0.0)
    for _ in range(50):
        pacer.schedule(0.0, FRAME)
    pacer.restart(0.5)
    assert pacer.schedule(0.5, FRAME) == 0.0


def test_a_frame_held_back_is_sent_again_in_its_own_slot() -> None:
    pacer = Pacer(RATE, lead_s=0.04, play_s=10.0)
    pacer.schedule(10.0, FRAME)
    pacer.schedule(10.0, FRAME)
    pacer.unschedule(FRAME)  # the second one was not sent after all
    assert pacer.play_s == approx(10.02)
    assert pacer.schedule(10.0, FRAME) == 0.0
