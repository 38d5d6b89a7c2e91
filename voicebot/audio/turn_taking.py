"""Turn-taking: speech probabilities per frame in, speech start / end events out.

Pure and deterministic: no clock, no audio. Positions are audio time since the stream began,
so an event says where the caller really started or stopped, not when we noticed.
Hysteresis: speech begins at ``threshold`` and only stops counting below ``neg_threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class TurnTakingConfig:
    threshold: float = 0.5
    neg_threshold: float = 0.35
    # Shorter voiced runs are clicks or breaths; "yes" is about 300 ms.
    min_speech_ms: int = 160
    # A run of frames this sure of speech starts the turn after ``fast_onset_ms`` instead: a caller
    # who talks over the bot is heard ~60 ms sooner (barge-in); bench/barge_in.py measures what it
    # costs in bot stops for short voiced sounds. 1.0 turns it off.
    fast_onset_threshold: float = 0.8
    fast_onset_ms: int = 64
    # While a run of frames at or above ``neg_threshold`` has not yet started a turn, the onset is
    # undecided: a door may hold back the bot's next audio frames (not drop them) for at most this
    # long, so the bot's voice stops as soon as a caller might be starting and goes on unharmed
    # after a blip. Under the websocket's 240 ms lead the far end never runs dry. 0: never held.
    onset_hold_ms: int = 192
    # Silence that ends a turn; shorter pauses are breaths inside the sentence.
    end_silence_ms: int = 600
    # Speech must come back for this long to cancel a pause: clicks and lip noise after the
    # last word otherwise push the end of the turn later.
    resume_speech_ms: int = 96
    # A turn longer than this is cut, so a monologue or stuck line still gets answered.
    max_speech_ms: int | None = 30_000

    def __post_init__(self) -> None:
        if not 0.0 < self.neg_threshold <= self.threshold < 1.0:
            raise ConfigError(
                f"turn taking needs 0 < neg_threshold <= threshold < 1, got "
                f"{self.neg_threshold} and {self.threshold}"
            )
        if not self.threshold <= self.fast_onset_threshold <= 1.0 or self.fast_onset_ms <= 0:
            raise ConfigError(
                f"turn taking needs threshold <= fast_onset_threshold <= 1 and fast_onset_ms > 0, got "
                f"{self.fast_onset_threshold} and {self.fast_onset_ms}"
            )
        if self.min_speech_ms < 0 or self.resume_speech_ms < 0 or self.end_silence_ms <= 0:
            raise ConfigError("min_speech_ms and resume_speech_ms must be >= 0, end_silence_ms > 0")
        if self.onset_hold_ms < 0:
            raise ConfigError(f"onset_hold_ms must be 0 or more, got {self.onset_hold_ms}")
        if self.max_speech_ms is not None and self.max_speech_ms <= self.min_speech_ms:
            raise ConfigError("max_speech_ms must be longer than min_speech_ms")


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    at_ms: int


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    at_ms: int
    speech_start_ms: int
    # True when the turn was cut at max_speech_ms or by finish(), not by silence.
    forced: bool = False

    @property
    def duration_ms(self) -> int:
        return self.at_ms - self.speech_start_ms


TurnEvent = SpeechStarted | SpeechEnded


class TurnTaking:
    """Feed one VAD probability per frame with :meth:`update`; act on the events returned."""

    def __init__(self, config: TurnTakingConfig | None = None) -> None:
        self.config = config or TurnTakingConfig()
        self.reset()

    def reset(self) -> None:
        self._position_ms = 0.0
        self._candidate_start_ms: float | None = None
        self._sure_start_ms: float | None = None  # start of the run of frames >= fast_onset_threshold
        self._maybe_start_ms: float | None = None  # start of the run of frames >= neg_threshold, no turn yet
        self._speech_start_ms: float | None = None
        self._silence_start_ms: float | None = None
        self._voiced_run_ms = 0.0

    @property
    def speaking(self) -> bool:
        """True between SpeechStarted and SpeechEnded."""
        return self._speech_start_ms is not None

    @property
    def position_ms(self) -> float:
        return self._position_ms

    @property
    def onset_pending(self) -> bool:
        """No turn yet, but the last frames may be a caller starting one (a run at or above
        ``neg_threshold``, younger than ``onset_hold_ms``): the bot's audio may be held meanwhile."""
        start = self._maybe_start_ms
        return (self._speech_start_ms is None and start is not None
                and self._position_ms - start <= self.config.onset_hold_ms)

    @property
    def pause_start_ms(self) -> float | None:
        """Where the current turn's pause began; None while the caller talks or no turn is open.

        A click inside the pause (shorter than ``resume_speech_ms``) does not end the pause.
        """
        return self._silence_start_ms if self._speech_start_ms is not None else None

    @property
    def pause_ms(self) -> float:
        """How long the caller has been silent inside the current turn (0 while sound is heard)."""
        start = self.pause_start_ms
        return 0.0 if start is None or self._voiced_run_ms > 0.0 else self._position_ms - start

    def end_turn(self) -> list[TurnEvent]:
        """Ends the turn now, before ``end_silence_ms``: endpointing decided the caller is done.

        The turn ends where its pause began. Nothing happens outside a pause.
        """
        start = self.pause_start_ms
        if start is None:
            return []
        return [self._end(start, forced=False)]

    def update(self, probability: float, frame_duration_ms: float) -> list[TurnEvent]:
        if frame_duration_ms <= 0:
            raise ValueError("frame_duration_ms must be positive")
        cfg = self.config
        frame_start = self._position_ms
        frame_end = frame_start + frame_duration_ms
        self._position_ms = frame_end
        events: list[TurnEvent] = []

        if self._speech_start_ms is None:
            if probability < cfg.neg_threshold:
                self._maybe_start_ms = None
            elif self._maybe_start_ms is None:
                self._maybe_start_ms = frame_start
            if probability >= cfg.threshold:
                if self._candidate_start_ms is None:
                    self._candidate_start_ms = frame_start
            elif probability < cfg.neg_threshold:
                self._candidate_start_ms = None
            if probability >= cfg.fast_onset_threshold and cfg.fast_onset_threshold < 1.0:
                if self._sure_start_ms is None:
                    self._sure_start_ms = frame_start
            else:
                self._sure_start_ms = None
            candidate, sure = self._candidate_start_ms, self._sure_start_ms
            if candidate is not None and (frame_end - candidate >= cfg.min_speech_ms
                                          or (sure is not None and frame_end - sure >= cfg.fast_onset_ms)):
                self._speech_start_ms = candidate
                self._candidate_start_ms = None
                self._sure_start_ms = None
                self._maybe_start_ms = None
                self._silence_start_ms = None
                self._voiced_run_ms = frame_end - candidate
                events.append(SpeechStarted(at_ms=round(self._speech_start_ms)))
            return events

        if probability >= cfg.threshold:
            self._voiced_run_ms += frame_duration_ms
            if self._voiced_run_ms >= cfg.resume_speech_ms:
                self._silence_start_ms = None
        else:
            self._voiced_run_ms = 0.0
            if probability < cfg.neg_threshold and self._silence_start_ms is None:
                self._silence_start_ms = frame_start
        pause_start = self._silence_start_ms
        if (pause_start is not None and self._voiced_run_ms == 0.0
                and frame_end - pause_start >= cfg.end_silence_ms):
            events.append(self._end(pause_start, forced=False))
        elif cfg.max_speech_ms is not None and frame_end - self._speech_start_ms >= cfg.max_speech_ms:
            events.append(self._end(frame_end, forced=True))
        return events

    def finish(self) -> list[TurnEvent]:
        """Ends the stream: a turn still open ends where its silence began, or here."""
        if self._speech_start_ms is None:
            self._candidate_start_ms = None
            self._sure_start_ms = None
            self._maybe_start_ms = None
            return []
        end = self._silence_start_ms if self._silence_start_ms is not None else self._position_ms
        return [self._end(end, forced=self._silence_start_ms is None)]

    def _end(self, at_ms: float, *, forced: bool) -> SpeechEnded:
        assert self._speech_start_ms is not None
        event = SpeechEnded(at_ms=round(at_ms), speech_start_ms=round(self._speech_start_ms), forced=forced)
        self._speech_start_ms = None
        self._silence_start_ms = None
        self._candidate_start_ms = None
        self._sure_start_ms = None
        self._maybe_start_ms = None
        self._voiced_run_ms = 0.0
        return event
