"""The two-channel call recording: caller left, bot right, on one timeline."""

from __future__ import annotations

import numpy as np

from voicebot.session.recording import CallRecording


def test_bot_audio_follows_caller_audio_on_the_timeline() -> None:
    rec = CallRecording(sample_rate_hz=100)
    rec.add_caller(np.full(50, 1, np.int16), elapsed_s=0.5)
    rec.add_bot(np.full(30, 2, np.int16), elapsed_s=0.5)
    stereo = rec.stereo()
    assert stereo.shape == (80, 2)
    assert (stereo[:50, 0] == 1).all() and (stereo[50:, 1] == 2).all() and (stereo[:50, 1] == 0).all()


def test_barge_in_cuts_bot_audio_that_was_never_heard() -> None:
    rec = CallRecording(sample_rate_hz=100)
    rec.add_bot(np.full(300, 2, np.int16), elapsed_s=0.0)  # 3 s queued at once
    rec.cut_bot(elapsed_s=1.0)
    assert rec.stereo().shape[0] == 100


def test_a_long_gap_in_caller_audio_is_padded_to_the_wall_clock() -> None:
    rec = CallRecording(sample_rate_hz=100)
    rec.add_caller(np.full(10, 1, np.int16), elapsed_s=0.1)
    rec.add_caller(np.full(10, 3, np.int16), elapsed_s=2.1)  # nothing arrived for 2 s
    caller = rec.stereo()[:, 0]
    assert caller.size == 210 and (caller[200:] == 3).all() and (caller[10:200] == 0).all()
