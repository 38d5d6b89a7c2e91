"""Endpointing: when has the caller finished their turn?

A fixed silence (the 600 ms rule of :mod:`voicebot.audio.turn_taking`) is slow for "yes" and cuts in
on "my number is five five five... one two three". Here a short VAD pause only raises the question;
two judges answer it:

- the dialogue, which knows what it asked: the speculative transcript already answers the question
  ("yes", a score, a whole phone number) -> the turn ends when the turn model agrees, or after
  ``complete_pause_ms`` (the 600 ms of the silence rule) when it does not ("Yes, | I got the
  documents"); it is a known unfinished start ("my number is five five five", "um", a trailing
  "and") -> keep listening; it is an answer of a kind that often goes on (an order, a comment, an
  address) -> the turn model's "complete" counts only after ``open_pause_ms``;
- otherwise the turn model (:class:`voicebot.engines.base.TurnDetector`), which hears whether the
  sentence sounds finished.

A ceiling of silence ends every turn, whatever the judges said. Pure and deterministic: positions are
audio time, verdicts are given to it; no clock, no audio, no models.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum

from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnEvent, TurnTaking, TurnTakingConfig
from voicebot.errors import ConfigError


class AnswerState(Enum):
    """The dialogue's view of the transcript heard so far, for the question it asked."""

    COMPLETE = "complete"  # already a whole answer: end at the first pause the turn model calls complete
    # An answer, of a kind callers often go on with ("two large pepperoni | and a small margherita", "the
    # driver was friendly, | but..."): the turn model's "complete" counts after a longer pause only.
    OPEN = "open"
    INCOMPLETE = "incomplete"  # a known unfinished start: wait, up to the ceiling
    UNKNOWN = "unknown"  # the dialogue cannot tell: the turn model decides
    # The transcript of this pause is being decoded: the model is asked meanwhile, but its "complete"
    # waits for the dialogue's view. That costs no response time: the bot cannot answer before the
    # transcript it answers anyway.
    PENDING = "pending"


class Action(Enum):
    KEEP_LISTENING = "keep_listening"
    ASK_TURN_MODEL = "ask_turn_model"
    END_TURN = "end_turn"


@dataclass(frozen=True, slots=True)
class EndpointingConfig:
    # A pause this long asks the judges; shorter ones are breaths and stops inside words. 128 rather
    # than 200: a whole answer's transcript is ready ~95 ms sooner, for one more early end in 250
    # (bench/turn_eval.py, BENCHMARKS.md "End of turn").
    ask_pause_ms: int = 128
    # A pause this long ends the turn, whatever the judges said.
    max_pause_ms: int = 1600
    # The turn model's probability from which the turn counts as complete.
    complete_threshold: float = 0.5
    # A whole answer the turn model does not call complete ends after this pause (the silence rule's).
    complete_pause_ms: int = 600
    # A whole answer the turn model agrees with ends no sooner than this into the pause (0: at once).
    complete_min_pause_ms: int = 0
    # An open answer (AnswerState.OPEN) the turn model calls complete ends after this pause...
    open_pause_ms: int = 1300
    # ... or after this shorter one when the model is this sure (1.0: never sure enough).
    open_confident_threshold: float = 1.0
    open_confident_pause_ms: int = 700

    def __post_init__(self) -> None:
        if not 0 < self.ask_pause_ms < self.max_pause_ms:
            raise ConfigError(
                f"endpointing needs 0 < ask_pause_ms < max_pause_ms, got {self.ask_pause_ms} and "
                f"{self.max_pause_ms}"
            )
        # Past max_pause_ms they never act.
        for name in ("complete_pause_ms", "open_pause_ms", "open_confident_pause_ms"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"endpointing needs a positive {name}, got {getattr(self, name)}")
        if not 0.0 < self.complete_threshold < 1.0:
            raise ConfigError(f"complete_threshold must be between 0 and 1, got {self.complete_threshold}")
        if self.complete_min_pause_ms < 0:
            raise ConfigError(f"complete_min_pause_ms must be 0 or more, got {self.complete_min_pause_ms}")
        if not self.complete_threshold <= self.open_confident_threshold <= 1.0:
            raise ConfigError(f"open_confident_threshold must be between complete_threshold "
                              f"({self.complete_threshold}) and 1, got {self.open_confident_threshold}")


def decide(pause_ms: float, *, answer: AnswerState = AnswerState.UNKNOWN, completion: float | None = None,
           config: EndpointingConfig | None = None) -> Action:
    """What to do ``pause_ms`` into a pause, given what the dialogue and the turn model said.

    ``completion`` is the turn model's probability for this pause, None while it has not been asked.
    """
    cfg = config or EndpointingConfig()
    if pause_ms >= cfg.max_pause_ms:
        return Action.END_TURN
    if pause_ms < cfg.ask_pause_ms:
        return Action.KEEP_LISTENING
    if answer is AnswerState.INCOMPLETE:
        return Action.KEEP_LISTENING
    if answer is AnswerState.COMPLETE and pause_ms >= cfg.complete_pause_ms:
        return Action.END_TURN
    if completion is None:
        return Action.ASK_TURN_MODEL
    if answer is AnswerState.PENDING or completion < cfg.complete_threshold:
        return Action.KEEP_LISTENING
    if answer is AnswerState.COMPLETE and pause_ms < cfg.complete_min_pause_ms:
        return Action.KEEP_LISTENING
    if answer is AnswerState.OPEN and pause_ms < cfg.open_pause_ms:
        sure = completion >= cfg.open_confident_threshold and pause_ms >= cfg.open_confident_pause_ms
        return Action.END_TURN if sure else Action.KEEP_LISTENING
    return Action.END_TURN


def end_reason(pause_ms: float, answer: AnswerState, completion: float | None,
               config: EndpointingConfig | None = None) -> str:
    """Which judge ended a turn that :func:`decide` ended: ``ceiling`` (the longest pause),
    ``complete_pause`` (a whole answer the turn model did not call complete), or ``model_<view>`` (the
    turn model called it complete; ``<view>`` is the dialogue's view then: complete, unknown, open)."""
    cfg = config or EndpointingConfig()
    if pause_ms >= cfg.max_pause_ms:
        return "ceiling"
    if completion is None or completion < cfg.complete_threshold:
        return "complete_pause"
    return f"model_{answer.value}"


@dataclass(frozen=True, slots=True)
class AskTurnModel:
    """Run the turn model on the caller's audio up to ``at_ms``; give the answer to
    :meth:`Endpointer.set_completion` with this ``pause_start_ms``."""

    pause_start_ms: int
    at_ms: int


EndpointEvent = SpeechStarted | SpeechEnded | AskTurnModel


class Endpointer:
    """Turn-taking whose pauses are judged: feed VAD probabilities with :meth:`update`, give the
    turn model's verdicts and the dialogue's views as they arrive, act on the events returned."""

    def __init__(self, turn_taking: TurnTakingConfig | None = None,
                 config: EndpointingConfig | None = None) -> None:
        self.config = config or EndpointingConfig()
        base = turn_taking or TurnTakingConfig()
        # The ceiling replaces the fixed end-of-turn silence.
        self._turns = TurnTaking(dataclasses.replace(base, end_silence_ms=self.config.max_pause_ms))
        self._answer = AnswerState.UNKNOWN
        self._pause_start: int | None = None
        self._asked = False
        self._completion: float | None = None
        # Which judge ended the last turn (:func:`end_reason`); None before the first.
        self.ended_by: str | None = None

    @property
    def speaking(self) -> bool:
        return self._turns.speaking

    @property
    def onset_pending(self) -> bool:
        return self._turns.onset_pending

    @property
    def position_ms(self) -> float:
        return self._turns.position_ms

    @property
    def pause_ms(self) -> float:
        return self._turns.pause_ms

    @property
    def pause_start_ms(self) -> int | None:
        """The current pause's start, as verdicts and views name it; None while the caller talks."""
        start = self._turns.pause_start_ms
        return None if start is None else round(start)

    def reset(self) -> None:
        self._turns.reset()
        self._answer = AnswerState.UNKNOWN
        self._forget_pause()

    def update(self, probability: float, frame_duration_ms: float) -> list[EndpointEvent]:
        events: list[EndpointEvent] = list(self._turns.update(probability, frame_duration_ms))
        if any(isinstance(e, SpeechStarted | SpeechEnded) for e in events):
            self._answer = AnswerState.UNKNOWN
            self._forget_pause()
        if any(isinstance(e, SpeechEnded) for e in events):
            self.ended_by = "ceiling"  # the pause reached it between two judgements
            return events
        return events + self._judge()

    def set_completion(self, pause_start_ms: int, probability: float) -> list[EndpointEvent]:
        """The turn model's verdict for the pause that began at ``pause_start_ms`` (stale ones are
        dropped: the caller spoke again since)."""
        if pause_start_ms != self._pause_start:
            return []
        self._completion = probability
        return self._judge()

    def set_answer(self, answer: AnswerState, pause_start_ms: int | None = None) -> list[EndpointEvent]:
        """The dialogue's view of the latest speculative transcript of this turn. With
        ``pause_start_ms`` (the pause whose audio was transcribed), a view that arrives after the
        caller spoke again is dropped."""
        if not self._turns.speaking:
            return []
        current = self._turns.pause_start_ms
        if pause_start_ms is not None and (current is None or round(current) != pause_start_ms):
            return []
        self._answer = answer
        return self._judge()

    def finish(self) -> list[EndpointEvent]:
        self._forget_pause()
        return list(self._turns.finish())

    def _judge(self) -> list[EndpointEvent]:
        start = self._turns.pause_start_ms
        if start is None:
            if self._pause_start is not None:
                # The caller spoke again: the transcript judged before is shorter than the turn now.
                self._answer = AnswerState.UNKNOWN
                self._forget_pause()
            return []
        if round(start) != self._pause_start:
            self._forget_pause()
            self._pause_start = round(start)
        action = decide(self._turns.pause_ms, answer=self._answer, completion=self._completion,
                        config=self.config)
        if action is Action.END_TURN:
            self.ended_by = end_reason(self._turns.pause_ms, self._answer, self._completion, self.config)
            self._forget_pause()
            self._answer = AnswerState.UNKNOWN
            return list[EndpointEvent](self._turns.end_turn())
        if action is Action.ASK_TURN_MODEL and not self._asked:
            self._asked = True
            return [AskTurnModel(pause_start_ms=self._pause_start, at_ms=round(self._turns.position_ms))]
        return []

    def _forget_pause(self) -> None:
        self._pause_start = None
        self._asked = False
        self._completion = None


__all__ = ["Action", "AnswerState", "AskTurnModel", "EndpointEvent", "Endpointer", "EndpointingConfig",
           "TurnEvent", "decide", "end_reason"]
