"""Turn-taking with literal probability sequences (32 ms frames unless said otherwise)."""

import pytest

from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.errors import ConfigError

FRAME_MS = 32


def run(probabilities: list[float], config: TurnTakingConfig | None = None,
        frame_ms: float = FRAME_MS, finish: bool = False) -> list[tuple[int, object]]:
    """Returns (frame index, event) pairs so tests can also say *when* an event was noticed."""
    machine = TurnTaking(config or TurnTakingConfig(min_speech_ms=96, end_silence_ms=320,
                                                    fast_onset_threshold=1.0))
    events: list[tuple[int, object]] = []
    for index, p in enumerate(probabilities):
        events += [(index, e) for e in machine.update(p, frame_ms)]
    if finish:
        events += [(len(probabilities), e) for e in machine.finish()]
    return events


def test_start_is_dated_at_the_onset_not_at_detection() -> None:
    events = run([0.0] * 5 + [0.9] * 4)
    assert events == [(7, SpeechStarted(at_ms=160))]  # noticed after 3 frames, dated at frame 5


def test_end_is_dated_where_silence_began() -> None:
    events = run([0.0] * 5 + [0.9] * 10 + [0.1] * 10)
    assert events == [(7, SpeechStarted(at_ms=160)), (24, SpeechEnded(at_ms=480, speech_start_ms=160))]
    ended = events[1][1]
    assert isinstance(ended, SpeechEnded) and ended.duration_ms == 320


def test_a_blip_shorter_than_min_speech_is_ignored() -> None:
    assert run([0.0, 0.9, 0.9, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]) == []


FAST = TurnTakingConfig(min_speech_ms=160, end_silence_ms=320, fast_onset_threshold=0.8, fast_onset_ms=64)


def test_a_run_of_sure_frames_starts_the_turn_before_min_speech() -> None:
    # Two frames at 0.9 after a 0.6: noticed at frame 3 (64 ms of sure speech), dated at the first voiced
    # frame, as the plain rule would date it at frame 5.
    assert run([0.0, 0.6, 0.9, 0.95, 0.9, 0.9], FAST) == [(3, SpeechStarted(at_ms=32))]


def test_unsure_frames_wait_for_min_speech() -> None:
    assert run([0.0] + [0.7] * 6, FAST) == [(5, SpeechStarted(at_ms=32))]


def test_a_dip_restarts_the_sure_run() -> None:
    # 0.9, 0.7, 0.9: never 64 ms of sure frames in a row, so min_speech_ms (5 frames) decides.
    assert run([0.9, 0.7, 0.9, 0.7, 0.9, 0.7], FAST) == [(4, SpeechStarted(at_ms=0))]


def test_a_short_sure_blip_is_still_ignored() -> None:
    assert run([0.0, 0.95, 0.1, 0.0, 0.95, 0.0, 0.0], FAST) == []


def test_hysteresis_keeps_speech_between_the_two_thresholds() -> None:
    # 0.4 is below threshold (0.5) but above neg_threshold (0.35): still speech.
    events = run([0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4])
    assert events == [(2, SpeechStarted(at_ms=0))]


def test_pause_shorter_than_end_silence_keeps_the_turn() -> None:
    probabilities = [0.9] * 5 + [0.1] * 9 + [0.9] * 5 + [0.0] * 10
    events = run(probabilities)
    assert events == [(2, SpeechStarted(at_ms=0)), (28, SpeechEnded(at_ms=608, speech_start_ms=0))]


def test_a_click_after_the_last_word_does_not_move_the_end() -> None:
    # Two loud frames (64 ms) inside the pause are shorter than resume_speech_ms (96 ms).
    probabilities = [0.9] * 5 + [0.1, 0.1, 0.8, 0.7] + [0.0] * 10
    events = run(probabilities)
    assert events[-1] == (14, SpeechEnded(at_ms=160, speech_start_ms=0))


def test_speech_that_resumes_for_long_enough_cancels_the_pause() -> None:
    probabilities = [0.9] * 5 + [0.1, 0.1] + [0.9] * 3 + [0.0] * 10
    events = run(probabilities)
    assert events[-1] == (19, SpeechEnded(at_ms=320, speech_start_ms=0))


def test_two_turns() -> None:
    probabilities = ([0.0] * 2 + [0.9] * 4 + [0.0] * 10) * 2
    starts = [e for _, e in run(probabilities) if isinstance(e, SpeechStarted)]
    ends = [e for _, e in run(probabilities) if isinstance(e, SpeechEnded)]
    assert starts == [SpeechStarted(64), SpeechStarted(576)]
    assert ends == [SpeechEnded(192, 64), SpeechEnded(704, 576)]


def test_max_speech_forces_an_end() -> None:
    config = TurnTakingConfig(min_speech_ms=64, end_silence_ms=320, max_speech_ms=320)
    events = run([0.9] * 12, config)
    assert events[1] == (9, SpeechEnded(at_ms=320, speech_start_ms=0, forced=True))
    assert events[2] == (11, SpeechStarted(at_ms=320))


def test_finish_closes_an_open_turn() -> None:
    assert run([0.9] * 6, finish=True)[-1] == (6, SpeechEnded(at_ms=192, speech_start_ms=0, forced=True))
    # Ended inside a pause: the turn ends where the pause began.
    assert run([0.9] * 6 + [0.0] * 2, finish=True)[-1] == (8, SpeechEnded(192, 0, forced=False))
    assert run([0.0] * 6, finish=True) == []


def test_state_and_reset() -> None:
    machine = TurnTaking(TurnTakingConfig(min_speech_ms=64))
    machine.update(0.9, 32)
    machine.update(0.9, 32)
    assert machine.speaking and machine.position_ms == 64
    machine.reset()
    assert not machine.speaking and machine.position_ms == 0


def test_ten_ms_frames_give_the_same_times() -> None:
    config = TurnTakingConfig(min_speech_ms=100, end_silence_ms=300)
    probabilities = [0.0] * 20 + [0.9] * 50 + [0.0] * 40
    events = [e for _, e in run(probabilities, config, frame_ms=10)]
    assert events == [SpeechStarted(200), SpeechEnded(700, 200)]


@pytest.mark.parametrize("kwargs", [
    {"threshold": 0.3, "neg_threshold": 0.5}, {"threshold": 1.0}, {"end_silence_ms": 0},
    {"min_speech_ms": 500, "max_speech_ms": 400}, {"fast_onset_threshold": 0.4},
    {"fast_onset_threshold": 1.1}, {"fast_onset_ms": 0}, {"onset_hold_ms": -1},
])
def test_bad_config_is_a_config_error(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        TurnTakingConfig(**kwargs)  # type: ignore[arg-type]


def hold_trace(probabilities: list[float], config: TurnTakingConfig = FAST) -> list[str]:
    """Per frame: "hold" while the onset is undecided, "start" where the turn starts, "." otherwise."""
    machine = TurnTaking(config)
    trace = []
    for p in probabilities:
        started = any(isinstance(e, SpeechStarted) for e in machine.update(p, FRAME_MS))
        trace.append("start" if started else "hold" if machine.onset_pending else ".")
    return trace


def test_the_onset_is_undecided_from_the_first_maybe_frame_until_the_turn_starts() -> None:
    # 0.4 is under the threshold but over neg_threshold: the bot's audio is held from there.
    assert hold_trace([0.0, 0.4, 0.6, 0.6, 0.6, 0.6, 0.6, 0.9]) == [
        ".", "hold", "hold", "hold", "hold", "hold", "start", "."]


def test_a_blip_is_undecided_only_while_it_lasts() -> None:
    assert hold_trace([0.0, 0.9, 0.1, 0.0]) == [".", "hold", ".", "."]


def test_the_hold_ends_after_onset_hold_ms_even_if_no_turn_starts() -> None:
    # Between the two thresholds for good: never a turn, and the hold gives up after 192 ms.
    assert hold_trace([0.4] * 8) == ["hold"] * 6 + ["."] * 2
    off = TurnTakingConfig(onset_hold_ms=0)
    assert "hold" not in hold_trace([0.4, 0.9, 0.9, 0.9], off)


def test_no_hold_inside_a_turn_or_after_it() -> None:
    machine = TurnTaking(FAST)
    for p in [0.9] * 3:
        machine.update(p, FRAME_MS)
    assert machine.speaking and not machine.onset_pending
    for p in [0.4] * 3:  # a pause with maybes: inside a turn, nothing to hold
        machine.update(p, FRAME_MS)
    assert not machine.onset_pending
    machine.finish()
    assert not machine.onset_pending
