"""One call: caller audio in, dialogue decisions, bot audio out, one saved record at the end.

The decisions live in pure pieces (``TurnTaking``, the dialogue ``Conversation``); this module is
the asyncio glue around them. Three tasks per call:

- the audio task: caller PCM -> 16 kHz -> VAD (worker thread) -> turn-taking -> STT (worker thread);
- the speaker task: ``Say`` actions -> synthesis (worker thread, sentence by sentence) -> transport;
- ``run()`` itself: the one place that feeds the dialogue and carries out its actions, so dialogue
  state has a single owner and needs no locks.

Time is the wall clock: silence timeouts fire even when the transport sends no audio at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np

from voicebot.audio.pcm import int16_to_float32, int16_to_pcm_bytes
from voicebot.audio.resample import StreamResampler, resample
from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.dialogue.events import (
    ActionResult,
    CallerHangup,
    CallerText,
    CallWebhook,
    Dtmf,
    EndCall,
    Listen,
    Say,
    SilenceTimeout,
    Transfer,
)
from voicebot.engines.base import STT_SAMPLE_RATE_HZ, Float32Array, Int16Array, Transcript
from voicebot.errors import VoicebotError
from voicebot.protocol import websocket as wire
from voicebot.record import CallRecord, Turn, utc_now_iso
from voicebot.session.engines import EnginePool
from voicebot.session.recording import CallRecording
from voicebot.session.timing import TurnClock

log = logging.getLogger(__name__)


class SessionOutput(Protocol):
    """What a door does with the session's output."""

    async def send_audio(self, pcm: bytes) -> None:
        """Bot audio, s16le mono at the session rate; may run ahead of real time (the door paces it)."""

    async def clear(self) -> None:
        """Barge-in: drop whatever is queued and stop playing now."""

    async def send_message(self, message: dict[str, Any]) -> None:
        """Transcripts, bot text, audio_end (websocket protocol messages); a door may ignore them."""

    async def transfer(self, target: str | None, reason: str) -> None:
        ...

    async def close(self, record: CallRecord) -> None:
        """The call is over (called once, even when the caller is already gone)."""


# The guard (CallSession._guard) looks this often, and acts this long after the watchdog should have.
GUARD_CHECK_S = 1.0
GUARD_GRACE_S = 15.0
GUARD_MAX_DURATION_GRACE_S = 60.0  # the bot may be finishing a long sentence
# Ending a call: rounds of cancel-and-wait for its tasks before the record is saved regardless.
STOP_TASK_ROUNDS = 5
STOP_TASK_ROUND_S = 1.0

# Phone lines (8 kHz): measured on Piper speech through G.711 mu-law at every 1 ms offset of the 20 ms
# framing, these find "Yes.", "Two.", "Three.", "No thanks." every time; line hiss and hum stay under 0.05.
NARROWBAND_MAX_RATE_HZ = 8_000
NARROWBAND_THRESHOLD = 0.3
NARROWBAND_NEG_THRESHOLD = 0.2
NARROWBAND_MIN_SPEECH_MS = 96


@dataclass(frozen=True, slots=True)
class SessionSettings:
    turn_taking: TurnTakingConfig = field(default_factory=TurnTakingConfig)
    # "speculative": decode once the trailing silence starts, use it if the caller stays quiet;
    # "stream": feed the engine's stream as audio arrives and take finish() at the end of the turn.
    stt_strategy: Literal["speculative", "stream"] = "speculative"
    # Silence after which a speculative decode starts; whisper also gets this much trailing audio.
    speculative_after_ms: int = 240
    # Partial transcripts while the caller talks (speculative strategy); 0 turns them off.
    partial_interval_ms: int = 1000
    # "instant": bot audio counts as played when sent (offline calls that run faster than real time).
    playback: Literal["realtime", "instant"] = "realtime"
    no_input_timeout_ms: int | None = None  # overrides the dialogue's Listen timeout when set
    pre_roll_ms: int = 300  # audio kept before detected speech onset, so first syllables reach STT
    # Wall-clock gap with no caller audio that counts as silence (AudioSocket sends none behind Wait()).
    audio_gap_ms: int = 200
    record_audio: bool = True
    # Watchdog: a call where nothing happens (no caller speech, no bot audio, no dialogue event) for
    # this long is stuck, not quiet (a silent caller gets no-input timeouts); it ends as "no_progress".
    no_progress_timeout_s: float | None = 120.0
    # The longest a call may last; the bot finishes its sentence and the call ends as "max_duration".
    max_call_duration_s: float | None = 3600.0

    def turn_taking_for(self, sample_rate_hz: int) -> TurnTakingConfig:
        """Turn taking for a line rate. The shipped Silero graph only takes 16 kHz, and a phone line's
        upsampled speech scores lower: a lone "Two." peaks near 0.4 and "Three." dips under 0.5 in
        half the frame alignments. Narrowband lines get lower thresholds and a shorter onset."""
        if sample_rate_hz > NARROWBAND_MAX_RATE_HZ:
            return self.turn_taking
        turn = self.turn_taking
        return replace(turn, threshold=min(turn.threshold, NARROWBAND_THRESHOLD),
                       neg_threshold=min(turn.neg_threshold, NARROWBAND_NEG_THRESHOLD),
                       min_speech_ms=min(turn.min_speech_ms, NARROWBAND_MIN_SPEECH_MS))

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> SessionSettings:
        vad = config.vad
        turn = TurnTakingConfig(threshold=vad.threshold, neg_threshold=min(0.35, vad.threshold),
                                end_silence_ms=vad.end_silence_ms)
        options: dict[str, Any] = {"turn_taking": turn, "record_audio": config.recording.enabled}
        session = getattr(config, "session", None)
        if session is not None:
            # 0 in the config file turns a limit off.
            options["no_progress_timeout_s"] = session.no_progress_timeout_s or None
            options["max_call_duration_s"] = session.max_call_duration_s or None
            options["partial_interval_ms"] = session.partial_interval_ms
        options.update(overrides)
        return cls(**options)


# ---- what the audio and speaker tasks tell run() ----


@dataclass(frozen=True, slots=True)
class _SpeechStart:
    pass


@dataclass(frozen=True, slots=True)
class _Heard:
    transcript: Transcript
    clock: TurnClock


@dataclass(frozen=True, slots=True)
class _Nothing:
    """A turn whose transcript was empty (a cough, a door): the caller is idle again."""


@dataclass(frozen=True, slots=True)
class _Digits:
    digits: str


@dataclass(frozen=True, slots=True)
class _Typed:
    text: str


@dataclass(frozen=True, slots=True)
class _Hangup:
    reason: str


@dataclass(frozen=True, slots=True)
class _WebhookDone:
    result: ActionResult


@dataclass(frozen=True, slots=True)
class _BotIdle:
    pass


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


_Inbox = _SpeechStart | _Heard | _Nothing | _Digits | _Typed | _Hangup | _WebhookDone | _BotIdle | _Failed


@dataclass(slots=True)
class _Utterance:
    start_ms: float
    frames: list[Float32Array]
    walls_s: list[float]  # arrival time of each frame, to stamp the end of speech by the wall clock
    first_frame_ms: float
    ignored: bool  # began while a non-interruptible prompt played
    silence_start_ms: float | None = None
    speculation: tuple[float, asyncio.Future[Transcript]] | None = None
    last_partial_s: float = 0.0
    stream_queue: asyncio.Queue[Float32Array | None] | None = None
    stream_task: asyncio.Task[Transcript] | None = None

    def audio(self, until_ms: float | None = None) -> Float32Array:
        samples = np.concatenate(self.frames) if self.frames else np.zeros(0, dtype=np.float32)
        if until_ms is None:
            return samples
        count = int((until_ms - self.first_frame_ms) * STT_SAMPLE_RATE_HZ / 1000)
        return samples[: max(0, count)]


@dataclass(slots=True)
class _Segment:
    start_s: float
    end_s: float
    interruptible: bool


class CallSession:
    """A call through the streaming pipeline. Build it, push input from the door, await ``run()``."""

    def __init__(self, runtime: Any, *, dialogue: Any, variables: dict[str, Any], sample_rate_hz: int,
                 output: SessionOutput, door: str, call_id: str | None = None,
                 engines: EnginePool | None = None, settings: SessionSettings | None = None) -> None:
        self._runtime = runtime
        self._dialogue = dialogue
        self._variables = dict(variables)
        self.sample_rate_hz = sample_rate_hz
        self._output = output
        self.door = door
        self.call_id = call_id or uuid.uuid4().hex
        pool = engines if engines is not None else getattr(runtime, "engines", None)
        if pool is None:
            config = getattr(runtime, "config", None)
            pool = EnginePool.from_config(config) if config is not None else EnginePool()
        self._engines: EnginePool = pool
        if settings is None:
            config = getattr(runtime, "config", None)
            settings = SessionSettings.from_config(config) if config is not None else SessionSettings()
        self.settings = settings
        self._language: str = dialogue.language
        self._voice: str | None = getattr(dialogue, "voice", None)

        self._inbox: asyncio.Queue[_Inbox] = asyncio.Queue()
        self._audio_in: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._says: asyncio.Queue[tuple[Say, int]] = asyncio.Queue()
        self._odd_byte = b""
        self._started = False
        self.ended = False
        self.record: CallRecord | None = None
        self._recording = CallRecording(sample_rate_hz)
        self._t0 = time.monotonic()

        # Bot speech state (owned by the event loop thread).
        self._generation = 0  # bumped by barge-in: stale synthesis and playback are dropped
        self._segments: deque[_Segment] = deque()
        self._playing_until_s = 0.0
        self._protected_until_s = 0.0  # when the bot audio the caller may not interrupt ends
        self._speaking = False  # a Say is queued, being synthesised, or still playing
        self._bot_done_s = time.monotonic()
        self._stop_synthesis: threading.Event | None = None
        self._current_say: Say | None = None

        # Dialogue / caller state.
        self._listen: Listen | None = None
        self._listen_since_s = 0.0
        self._deferred: deque[tuple[CallerText | Dtmf, TurnClock | None]] = deque()
        self._open_turns = 0  # caller turns detected and not yet decoded (they may overlap)
        self._caller_idle_since_s = time.monotonic()
        self._pending_clock: TurnClock | None = None
        self._pending_turn: Turn | None = None
        self._ending = False
        self._hangup_reason: str | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._latencies_ms: list[int] = []
        self._stt_name: str | None = None
        self._tts_name: str | None = None
        self._partial_busy = False
        self._audio_busy = False  # the audio task holds caller audio it has not scored yet
        self._slot_vocabulary: frozenset[str] | None = None  # words kept out of the STT prompt
        self._progress_s = time.monotonic()  # last caller speech, bot audio or dialogue event
        self._stalled = False  # the watchdog ended the call: nothing left to wait for
        self._guard_fired = False  # the guard cancelled a call stuck outside the main loop
        # Usage metering (record meta "usage", "api_key"): samples the door pushed and the bot sent.
        self.api_key: Any = None  # the key that admitted the call (an ApiKey), set by the door
        self._caller_samples = 0
        self._recording_offset_ms = 0.0  # recording position minus stream position of caller audio
        self._bot_samples = 0

    # ---- input from the door (plain calls, safe from the event loop) ----

    def push_audio(self, pcm: bytes) -> None:
        """Caller audio, s16le mono at ``sample_rate_hz``, any frame size."""
        if self.ended or not pcm:
            return
        data = self._odd_byte + pcm
        if len(data) % 2:
            data, self._odd_byte = data[:-1], data[-1:]
        else:
            self._odd_byte = b""
        if data:
            self._caller_samples += len(data) // 2
            self._audio_in.put_nowait(data)

    def push_dtmf(self, digits: str) -> None:
        if not self.ended:
            self._inbox.put_nowait(_Digits(digits))

    def push_text(self, text: str) -> None:
        if not self.ended:
            self._inbox.put_nowait(_Typed(text))

    def hangup(self, reason: str = "caller_hangup") -> None:
        """The caller is gone (hung up, network lost). The call ends without waiting for bot audio."""
        if not self.ended:
            self._inbox.put_nowait(_Hangup(reason))
            self._audio_in.put_nowait(None)

    def call_audio(self) -> Int16Array:
        """The call so far as (n, 2) int16 at ``sample_rate_hz``: caller left, bot right."""
        return self._recording.stereo()

    @property
    def _caller_active(self) -> bool:
        """Speech detected, or its transcript still being decoded."""
        return self._open_turns > 0

    @property
    def awaiting_caller(self) -> bool:
        """True while the dialogue waits for the caller and the bot is silent."""
        return (self._listen is not None and not self._speaking and not self._caller_active
                and not self._ending)

    # ---- the call ----

    async def run(self) -> CallRecord:
        """Runs the call until it ends; saves exactly one call record, however it ends."""
        if self._started:
            raise RuntimeError("a CallSession runs once")
        self._started = True
        self._t0 = time.monotonic()
        self._progress_s = self._t0
        record = CallRecord(dialogue=self._dialogue.name, language=self._language, call_id=self.call_id,
                            variables=dict(self._variables))
        self.record = record
        outcome_if_unset = "error"
        run_task = asyncio.current_task()
        guard = asyncio.create_task(self._guard(run_task), name=f"guard-{self.call_id}") \
            if run_task is not None else None
        try:
            from voicebot.dialogue.machine import Conversation  # the machine loads NLU helpers

            conversation = Conversation(self._dialogue, self._variables, self.call_id)
            record = conversation.record
            self.record = record
            self._describe(record)
            await self._load_engines()
            self._describe(record)
            await self._begin_record(record)
            self._metric("call_started", self.door, self._dialogue.name)
            self._tasks = [asyncio.create_task(self._audio_loop(), name=f"audio-{self.call_id}"),
                           asyncio.create_task(self._speaker_loop(), name=f"speaker-{self.call_id}")]
            await self._apply(conversation, conversation.start())
            await self._main_loop(conversation)
            outcome_if_unset = self._hangup_reason or "ended"
        except asyncio.CancelledError:
            if self._guard_fired and run_task is not None and run_task.uncancel() == 0:
                # Our own guard, not a shutdown: end the call here and save it.
                outcome_if_unset = "no_progress"
                record.meta["end_reason"] = "stuck"
            else:
                outcome_if_unset = "server_shutdown"
                record.meta["end_reason"] = "server_shutdown"
                raise
        except VoicebotError as exc:
            log.warning("call %s failed: %s", self.call_id, exc)
            record.meta["error"] = str(exc)
            await self._safe_message(wire.error("call_failed", str(exc)))
        except Exception as exc:
            log.exception("call %s failed", self.call_id)
            record.meta["error"] = f"internal error: {type(exc).__name__}"
            await self._safe_message(wire.error("internal_error", "the call failed inside the server"))
        finally:
            if guard is not None:
                guard.cancel()
            await self._finish(record, outcome_if_unset)
        return record

    async def _guard(self, run_task: asyncio.Task[Any]) -> None:
        """The last line of defence: a call stuck where the main loop's watchdog cannot look (an await
        that never returns in a door or an engine) is cancelled, so it still ends with a saved record.

        It acts a grace period after the watchdog should have ended the call itself, and logs where
        the call was stuck.
        """
        while True:
            await asyncio.sleep(GUARD_CHECK_S)
            late = [deadline + grace for deadline, grace in (
                (self._no_progress_deadline_s(), GUARD_GRACE_S),
                (self._max_duration_deadline_s(), GUARD_MAX_DURATION_GRACE_S)) if deadline is not None]
            if late and time.monotonic() >= min(late):
                break
        self._guard_fired = True
        stack = io.StringIO()
        run_task.print_stack(file=stack)
        where = stack.getvalue()
        log.error("call %s: stuck outside the watchdog's reach; cancelling it. It was waiting in:\n%s",
                  self.call_id, where)
        self._metric("watchdog", "stuck")
        run_task.cancel()

    async def _main_loop(self, conversation: Any) -> None:
        while not self._ending:
            timeout_s = _earliest(self._silence_wait_s(), self._watchdog_wait_s())
            try:
                item = await asyncio.wait_for(self._inbox.get(), timeout=timeout_s)
            except TimeoutError:
                if self._watchdog_fired():
                    break
                if self.awaiting_caller and self._silence_wait_s() == 0.0 and not self._audio_backlog():
                    await self._deliver(conversation, SilenceTimeout(), None)
                continue
            await self._handle(conversation, item)
            if conversation.ended:
                self._ending = True
        if self._hangup_reason is None and not self._stalled:
            await self._wait_bot_done()

    # ---- the watchdog: no call lives forever ----

    def _progressed(self) -> None:
        self._progress_s = time.monotonic()

    def _no_progress_deadline_s(self) -> float | None:
        if self.settings.no_progress_timeout_s is None:
            return None
        # Bot audio still playing out counts as progress: a long prompt is not a stall.
        last = max(self._progress_s, min(self._playing_until_s, time.monotonic()))
        return last + self.settings.no_progress_timeout_s

    def _max_duration_deadline_s(self) -> float | None:
        limit_s = self.settings.max_call_duration_s
        return self._t0 + limit_s if limit_s is not None else None

    def _watchdog_wait_s(self) -> float | None:
        """Seconds until the watchdog must look again, or None when both limits are off."""
        deadline = _earliest(self._no_progress_deadline_s(), self._max_duration_deadline_s())
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    def _past(self, deadline_s: float | None) -> bool:
        return deadline_s is not None and time.monotonic() >= deadline_s

    def _watchdog_fired(self) -> bool:
        """Ends the call when a limit has passed; True when it did."""
        if self._past(self._max_duration_deadline_s()):
            reason = "max_duration"
        elif self._past(self._no_progress_deadline_s()):
            reason = "no_progress"
            # The state that kept the call waiting: what to look at if this ever shows up in a log.
            log.warning("call %s: nothing happened for %g s (listening=%s speaking=%s open_turns=%d "
                        "audio_backlog=%s); ending it", self.call_id, self.settings.no_progress_timeout_s,
                        self._listen is not None, self._speaking, self._open_turns, self._audio_backlog())
            self._stalled = True
        else:
            return False
        self._ending = True
        if self.record is not None:
            if self.record.outcome is None:
                self.record.outcome = reason
            self.record.meta["end_reason"] = reason
        self._metric("watchdog", reason)
        return True

    async def _handle(self, conversation: Any, item: _Inbox) -> None:
        self._progressed()
        if isinstance(item, _SpeechStart):
            await self._barge_in()
        elif isinstance(item, _Heard):
            text = item.transcript.text.strip()
            await self._safe_message(wire.transcript(text, final=True))
            await self._deliver(conversation, CallerText(text, item.transcript.confidence), item.clock)
        elif isinstance(item, _Nothing):
            self._caller_idle_since_s = time.monotonic()
        elif isinstance(item, _Digits):
            await self._barge_in()
            await self._deliver(conversation, Dtmf(item.digits), None)
        elif isinstance(item, _Typed):
            await self._barge_in()
            await self._deliver(conversation, CallerText(item.text), None)
        elif isinstance(item, _WebhookDone):
            await self._apply(conversation, conversation.handle(item.result))
        elif isinstance(item, _Hangup):
            self._hangup_reason = item.reason
            self._ending = True
            with contextlib.suppress(VoicebotError):
                conversation.handle(CallerHangup(item.reason))  # records the outcome; nobody is listening
        elif isinstance(item, _Failed):
            raise item.error
        # _BotIdle only wakes the loop so the silence timer restarts from the end of bot speech.

    async def _deliver(self, conversation: Any, event: CallerText | Dtmf | SilenceTimeout,
                       clock: TurnClock | None) -> None:
        if self._listen is None and not isinstance(event, SilenceTimeout):
            # The dialogue is not asking yet (a webhook runs, or the bot is mid-sentence before its
            # Listen): keep the words for the next Listen instead of dropping them.
            self._deferred.append((event, clock))
            return
        self._listen = None
        self._progressed()
        turns_before = len(conversation.record.turns)
        actions = conversation.handle(event)
        if clock is not None:
            clock.stamp("decision", time.monotonic())
            caller_turns = [t for t in conversation.record.turns[turns_before:] if t.role == "caller"]
            self._pending_clock = clock
            self._pending_turn = caller_turns[-1] if caller_turns else None
            if self._pending_turn is not None:
                self._pending_turn.timings = clock.timings_ms()
                if clock.audio_ms is not None:
                    self._pending_turn.audio_ms = list(clock.audio_ms)
        await self._apply(conversation, actions)

    async def _apply(self, conversation: Any, actions: list[Any]) -> None:
        for action in actions:
            if isinstance(action, Say):
                self._speaking = True
                self._says.put_nowait((action, self._generation))
            elif isinstance(action, Listen):
                self._listen = action
                self._listen_since_s = time.monotonic()
            elif isinstance(action, CallWebhook):
                self._tasks.append(asyncio.create_task(self._webhook(action)))
            elif isinstance(action, Transfer):
                await self._wait_bot_done()
                await self._output.transfer(action.target, action.reason)
                self._record_meta("transfer_target", action.target)
            elif isinstance(action, EndCall):
                self._ending = True
        if self._listen is not None and self._deferred and not self._ending:
            event, clock = self._deferred.popleft()
            await self._deliver(conversation, event, clock)

    def _silence_wait_s(self) -> float | None:
        """Seconds until the silence timeout fires, or None while it cannot (bot or caller busy)."""
        if not self.awaiting_caller or self._listen is None:
            return None
        timeout_ms = self.settings.no_input_timeout_ms or self._listen.timeout_ms
        since = max(self._listen_since_s, self._bot_done_s, self._caller_idle_since_s)
        remaining = max(0.0, since + timeout_ms / 1000.0 - time.monotonic())
        if remaining == 0.0 and self._audio_backlog():
            # Caller audio that arrived in time is still waiting for the VAD (a busy CPU): it may
            # hold the answer, so the timeout waits until it has been heard.
            return 0.05
        return remaining

    def _audio_backlog(self) -> bool:
        return self._audio_busy or not self._audio_in.empty()

    # ---- bot speech ----

    async def _speaker_loop(self) -> None:
        try:
            while True:
                say, generation = await self._says.get()
                if generation == self._generation:
                    await self._speak(say, generation)
                if self._says.empty():
                    if generation == self._generation:
                        await self._safe_message(wire.audio_end())
                    await self._wait_played(generation)
                    if self._says.empty():
                        self._speaking = False
                        self._current_say = None
                        self._bot_done_s = time.monotonic()
                        self._inbox.put_nowait(_BotIdle())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._inbox.put_nowait(_Failed(exc))

    async def _speak(self, say: Say, generation: int) -> None:
        synthesizer = await asyncio.to_thread(self._engines.synthesizer, self._voice, self._language)
        if generation != self._generation:
            return
        self._current_say = say
        await self._safe_message(wire.bot(say.text, prompt_id=say.prompt_id))
        cached = self._engines.cached_prompt(synthesizer, say.text) if say.fixed else None
        if cached is not None:
            for chunk in cached.chunks:
                if generation != self._generation:
                    return
                self._stamp("first_tts_chunk")
                await self._play(chunk, cached.sample_rate_hz, say, generation)
            return
        stop = threading.Event()
        self._stop_synthesis = stop
        produced: list[Int16Array] = []
        async for chunk in _in_thread(self._engines.synthesize_chunks(synthesizer, say.text, stop), stop):
            if generation != self._generation:
                return
            produced.append(chunk)
            self._stamp("first_tts_chunk")
            await self._play(chunk, synthesizer.sample_rate_hz, say, generation)
        if say.fixed and not stop.is_set():
            self._engines.prompts.put(synthesizer.name, say.text, produced, synthesizer.sample_rate_hz)

    async def _play(self, chunk: Int16Array, chunk_rate_hz: int, say: Say, generation: int) -> None:
        samples = chunk if chunk_rate_hz == self.sample_rate_hz else resample(
            chunk, chunk_rate_hz, self.sample_rate_hz)
        if samples.size == 0 or generation != self._generation:
            return
        now = time.monotonic()
        duration_s = samples.size / self.sample_rate_hz
        if self.settings.playback == "instant":
            duration_s = 0.0
        start = max(now, self._playing_until_s)
        self._playing_until_s = start + duration_s
        self._segments.append(_Segment(start, self._playing_until_s, say.interruptible))
        if not (say.interruptible and getattr(self._dialogue, "barge_in", True)):
            self._protected_until_s = self._playing_until_s
        if self.settings.record_audio:
            self._recording.add_bot(samples, now - self._t0)
        self._progressed()
        self._bot_samples += samples.size
        await self._output.send_audio(int16_to_pcm_bytes(samples))
        self._stamp("first_audio_out")

    async def _wait_played(self, generation: int) -> None:
        while generation == self._generation:
            remaining = self._playing_until_s - time.monotonic()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 0.05))

    def _bot_audible(self) -> bool:
        return self._speaking

    def _interruptible_now(self) -> bool:
        """Whether what the caller hears now may be interrupted."""
        if not getattr(self._dialogue, "barge_in", True):
            return False
        now = time.monotonic()
        while self._segments and self._segments[0].end_s < now:
            self._segments.popleft()
        if self._segments and self._segments[0].start_s <= now:
            return self._segments[0].interruptible
        return self._current_say.interruptible if self._current_say is not None else True

    async def _barge_in(self) -> None:
        if not self._speaking or not self._interruptible_now():
            return
        self._generation += 1
        if self._stop_synthesis is not None:
            self._stop_synthesis.set()
        while not self._says.empty():
            self._says.get_nowait()
        now = time.monotonic()
        self._playing_until_s = now
        self._segments.clear()
        if self.settings.record_audio:
            self._recording.cut_bot(now - self._t0)
        self._record_meta("barge_ins", int(self._meta("barge_ins") or 0) + 1)
        await self._output.clear()
        # The speaker task sees the new generation, finishes quietly and reports the bot idle.
        self._says.put_nowait((Say(text="", prompt_id="", fixed=False), -1))

    async def _wait_bot_done(self) -> None:
        while self._speaking and self._hangup_reason is None:
            if not self._stalled and self._past(self._no_progress_deadline_s()):
                self._watchdog_fired()
            if self._stalled:
                return  # the bot's audio is stuck: waiting for it would never end
            try:
                item = await asyncio.wait_for(self._inbox.get(), timeout=0.05)
            except TimeoutError:
                continue
            if isinstance(item, _Hangup):
                self._hangup_reason = item.reason
                self._ending = True
            elif isinstance(item, _Failed):
                raise item.error

    def _stamp(self, name: str) -> None:
        clock = self._pending_clock
        if clock is None or clock.has(name):
            return
        clock.stamp(name, time.monotonic())
        turn = self._pending_turn
        if turn is not None:
            turn.timings = clock.timings_ms()
        if name == "first_audio_out":
            latency = clock.latency_ms()
            if latency is not None:
                if turn is not None:
                    turn.latency_ms = latency
                self._latencies_ms.append(latency)
                self._metric("observe_latency_ms", latency)
            self._pending_clock = None
            self._pending_turn = None

    # ---- caller audio ----

    async def _audio_loop(self) -> None:
        try:
            await self._listen_to_caller()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._inbox.put_nowait(_Failed(exc))

    async def _listen_to_caller(self) -> None:
        settings = self.settings
        vad = await asyncio.to_thread(self._engines.new_vad)
        transcriber = await asyncio.to_thread(self._engines.transcriber, self._language)
        turn_config = settings.turn_taking_for(self.sample_rate_hz)
        self._record_meta("vad_threshold", turn_config.threshold)
        turns = TurnTaking(turn_config)
        frame_samples = vad.frame_samples
        frame_ms = frame_samples * 1000.0 / STT_SAMPLE_RATE_HZ
        to_16k = StreamResampler(self.sample_rate_hz, STT_SAMPLE_RATE_HZ, "float32")
        pending = np.zeros(0, dtype=np.float32)
        recent: deque[tuple[float, Float32Array, float]] = deque(
            maxlen=int((settings.pre_roll_ms + settings.turn_taking.min_speech_ms) / frame_ms) + 2)
        utterance: _Utterance | None = None
        last_audio_s = time.monotonic()
        threshold = turn_config.threshold
        neg_threshold = turn_config.neg_threshold

        def on_frame(frame: Float32Array, probability: float, arrived_s: float) -> list[Any]:
            nonlocal utterance
            position_ms = turns.position_ms
            recent.append((position_ms, frame, arrived_s))
            if utterance is not None:
                utterance.frames.append(frame)
                utterance.walls_s.append(arrived_s)
                if probability >= threshold:
                    utterance.silence_start_ms = None
                elif probability < neg_threshold and utterance.silence_start_ms is None:
                    utterance.silence_start_ms = position_ms
            if probability >= threshold:
                self._progress_s = arrived_s
            return turns.update(probability, frame_ms)

        while not self.ended:  # also the way out when a cancellation was lost (see _stop_tasks)
            self._audio_busy = False
            try:
                pcm = await asyncio.wait_for(self._audio_in.get(), timeout=settings.audio_gap_ms / 1000.0)
                self._audio_busy = True
            except TimeoutError:
                pcm = b""
            now = time.monotonic()
            if pcm is None:
                return
            if not pcm:
                # No audio for a while: the wall clock still runs, so an open turn can end.
                if turns.speaking and now - last_audio_s >= settings.audio_gap_ms / 1000.0:
                    gap = np.zeros(frame_samples, dtype=np.float32)
                    while now - last_audio_s >= frame_ms / 1000.0 and turns.speaking:
                        last_audio_s += frame_ms / 1000.0
                        for event in on_frame(gap, 0.0, last_audio_s):
                            utterance = await self._on_turn_event(event, utterance, recent, transcriber,
                                                                  frame_ms)
                continue
            last_audio_s = now
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
            if settings.record_audio:
                self._recording.add_caller(samples, now - self._t0)
            pending = np.concatenate([pending, to_16k.process(int16_to_float32(samples))])
            if settings.record_audio:
                # Stream position -> recording position (the recording pads pauses to the wall clock).
                self._recording_offset_ms = (self._recording.caller_ms() - turns.position_ms
                                             - pending.size * 1000.0 / STT_SAMPLE_RATE_HZ)
            count = pending.size // frame_samples
            if count == 0:
                continue
            frames = pending[: count * frame_samples].reshape(count, frame_samples)
            pending = pending[count * frame_samples:]
            probabilities = await asyncio.to_thread(_probabilities, vad, frames)
            for frame, probability in zip(frames, probabilities, strict=True):
                for event in on_frame(frame, probability, now):
                    utterance = await self._on_turn_event(event, utterance, recent, transcriber, frame_ms)
                if utterance is not None and not utterance.ignored:
                    self._after_frame(utterance, transcriber, turns.position_ms, frame)

    async def _on_turn_event(self, event: Any, utterance: _Utterance | None,
                             recent: deque[tuple[float, Float32Array, float]], transcriber: Any,
                             frame_ms: float) -> _Utterance | None:
        if isinstance(event, SpeechStarted):
            keep_from = event.at_ms - self.settings.pre_roll_ms
            kept = [(pos, frame, wall) for pos, frame, wall in recent if pos >= keep_from]
            ignored = self._speaking and not self._interruptible_now()
            first_ms = kept[0][0] if kept else event.at_ms
            started = _Utterance(start_ms=event.at_ms, frames=[f for _, f, _ in kept],
                                 walls_s=[w for _, _, w in kept], first_frame_ms=first_ms, ignored=ignored)
            if not ignored:
                self._open_turns += 1
                self._inbox.put_nowait(_SpeechStart())
                if self.settings.stt_strategy == "stream":
                    self._start_stream(started, transcriber)
            return started
        if isinstance(event, SpeechEnded) and utterance is not None:
            index = int((event.at_ms - utterance.first_frame_ms) / frame_ms)
            walls = utterance.walls_s
            speech_end_s = walls[min(max(index, 0), len(walls) - 1)] if walls else time.monotonic()
            if utterance.ignored:
                if speech_end_s <= self._protected_until_s:
                    return None  # talk-over: said and done while audio the caller may not cut played
                # Begun under that audio but still going when it ended: an answer (the door plays up to
                # its lead ahead, so the caller heard the end sooner). All of it, from the onset with its
                # pre-roll, is the turn.
                self._open_turns += 1
                self._inbox.put_nowait(_SpeechStart())
            clock = TurnClock()
            clock.stamp("speech_end", speech_end_s)
            if self.settings.record_audio:
                offset = self._recording_offset_ms
                clock.audio_ms = (max(0, round(event.speech_start_ms + offset)), round(event.at_ms + offset))
            self._tasks.append(asyncio.create_task(self._finish_turn(utterance, event, clock, transcriber)))
            return None
        return utterance

    def _after_frame(self, utterance: _Utterance, transcriber: Any, position_ms: float,
                     frame: Float32Array) -> None:
        """Speculation and partials, decided per frame while the caller's turn is open."""
        settings = self.settings
        if utterance.stream_queue is not None:
            utterance.stream_queue.put_nowait(frame)
            return
        silence = utterance.silence_start_ms
        if silence is None:
            utterance.speculation = None  # the caller went on talking: that guess is stale
            now = time.monotonic()
            interval_s = settings.partial_interval_ms / 1000
            if interval_s and now - utterance.last_partial_s >= interval_s:
                utterance.last_partial_s = now
                self._tasks.append(asyncio.create_task(self._partial(utterance.audio(), transcriber)))
            return
        frame_end_ms = position_ms
        if utterance.speculation is None and frame_end_ms - silence >= settings.speculative_after_ms:
            audio = utterance.audio(silence + settings.speculative_after_ms)
            future = asyncio.ensure_future(asyncio.to_thread(self._decode, transcriber, audio))
            # A guess dropped because the caller went on may still fail; its error is not the call's.
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            utterance.speculation = (silence, future)

    def _hints(self) -> tuple[str, ...]:
        """Words for the recogniser's prompt: those the dialogue names on purpose, not the slot's vocabulary.

        As whisper's initial prompt, a list of menu words, sizes and yes/no made tiny.en drop the first
        words of a turn that starts after the pre-roll's silence ("pepperoni, peepsas, please" for "Two
        large pepperoni pizzas, please") and invent endings ("thank you for watching"); BENCHMARKS.md
        measured such hints doubling WER. The dialogue's NLU still matches that vocabulary.
        """
        if self._listen is None:
            return ()
        if self._slot_vocabulary is None:
            self._slot_vocabulary = _slot_vocabulary(self._dialogue, self._language)
        return tuple(h for h in self._listen.hints if h not in self._slot_vocabulary)

    def _decode(self, transcriber: Any, audio: Float32Array) -> Transcript:
        started = time.monotonic()
        result: Transcript = transcriber.transcribe(audio, language=self._language, hints=self._hints())
        self._metric("observe_engine", self._stt_name or "stt", "transcribe", time.monotonic() - started)
        return result

    async def _partial(self, audio: Float32Array, transcriber: Any) -> None:
        if audio.size < STT_SAMPLE_RATE_HZ // 2 or self._partial_busy:
            return
        self._partial_busy = True  # one at a time: partials must not queue up behind each other
        try:
            result = await asyncio.to_thread(self._decode, transcriber, audio)
        except Exception:
            return  # a partial is a courtesy; the final decode reports real failures
        finally:
            self._partial_busy = False
        if result.text.strip() and not self.ended:
            await self._safe_message(wire.transcript(result.text.strip(), final=False))

    def _start_stream(self, utterance: _Utterance, transcriber: Any) -> None:
        queue: asyncio.Queue[Float32Array | None] = asyncio.Queue()
        for frame in utterance.frames:
            queue.put_nowait(frame)
        utterance.stream_queue = queue
        utterance.stream_task = asyncio.create_task(self._run_stream(queue, transcriber))

    async def _run_stream(self, queue: asyncio.Queue[Float32Array | None], transcriber: Any) -> Transcript:
        stream = transcriber.stream(language=self._language, hints=self._hints())
        done = False
        while not done:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            done = batch[-1] is None
            frames = [f for f in batch if f is not None]
            if frames:
                partials = await asyncio.to_thread(stream.accept, np.concatenate(frames))
                for partial in partials:
                    if partial.text.strip():
                        await self._safe_message(wire.transcript(partial.text.strip(), final=False))
        result: Transcript = await asyncio.to_thread(stream.finish)
        return result

    async def _finish_turn(self, utterance: _Utterance, event: SpeechEnded, clock: TurnClock,
                           transcriber: Any) -> None:
        try:
            if utterance.stream_queue is not None and utterance.stream_task is not None:
                utterance.stream_queue.put_nowait(None)
                result = await utterance.stream_task
            elif utterance.speculation is not None:
                # Still set: no voiced frame since the pause began, so the guess heard everything.
                result = await utterance.speculation[1]
                self._record_meta("speculative_hits", int(self._meta("speculative_hits") or 0) + 1)
            else:
                audio = utterance.audio(event.at_ms + self.settings.speculative_after_ms)
                result = await asyncio.to_thread(self._decode, transcriber, audio)
        except Exception as exc:
            # Any failure, not only ours: the main loop waits for this turn and must hear how it ended.
            self._inbox.put_nowait(_Failed(exc))
            return
        finally:
            self._open_turns -= 1
        clock.stamp("stt_final", time.monotonic())
        if result.text.strip():
            self._inbox.put_nowait(_Heard(result, clock))
        else:
            log.info("call %s: a caller turn of %d ms had no words", self.call_id, event.duration_ms)
            self._inbox.put_nowait(_Nothing())

    # ---- webhooks ----

    async def _webhook(self, action: CallWebhook) -> None:
        from voicebot.dialogue.webhook import perform_async  # lazy: only dialogues with webhooks need httpx

        self._inbox.put_nowait(_WebhookDone(await perform_async(action)))

    # ---- the end ----

    async def _finish(self, record: CallRecord, outcome_if_unset: str) -> None:
        self.ended = True
        if self._stop_synthesis is not None:
            self._stop_synthesis.set()
        await self._stop_tasks()
        if record.outcome is None:
            record.outcome = outcome_if_unset
        if self._hangup_reason is not None:
            record.meta.setdefault("end_reason", self._hangup_reason)
        record.ended_at = utc_now_iso()
        self._describe(record)
        audio = self._recording.stereo() if self.settings.record_audio else np.zeros((0, 2), np.int16)
        try:
            # Exactly once, whatever happened above; the store does the writing.
            saving = asyncio.ensure_future(asyncio.to_thread(self._save, record, audio))
            track = getattr(self._runtime, "track_save", None)
            if track is not None:
                track(saving)  # the runtime closes the store only after this save has run
            await asyncio.shield(saving)
        except Exception:
            log.exception("call %s: the call record could not be saved", self.call_id)
        self._metric("call_ended", self.door, record.outcome)
        usage = record.meta["usage"]
        self._metric("call_usage", getattr(self.api_key, "name", None), usage["caller_audio_s"],
                     usage["bot_audio_s"])
        with contextlib.suppress(Exception):
            await self._output.close(record)

    async def _stop_tasks(self) -> None:
        """Cancels the call's tasks and waits for them, never forever.

        A cancellation can be lost: CPython 3.11's ``asyncio.wait_for`` returns the inner result
        instead of raising when the cancel lands after its inner await has completed. The audio task
        waits on ``wait_for`` for every frame; the 10-minute soaks left 2 of 129 and 4 of 120 calls
        that had finished their dialogue waiting here until shutdown. So the audio task also watches
        ``self.ended``, and a task that outlives a round is cancelled again.
        """
        pending = {task for task in self._tasks if not task.done()}
        for task in pending:
            task.cancel()
        for _ in range(STOP_TASK_ROUNDS):
            if not pending:
                return
            try:
                _, pending = await asyncio.wait(pending, timeout=STOP_TASK_ROUND_S)
            except asyncio.CancelledError:
                break  # a shutdown: the record is saved all the same, as before
            for task in pending:
                task.cancel()
        if pending:
            log.error("call %s: %d task(s) did not stop: %s; saving the record anyway", self.call_id,
                      len(pending), ", ".join(task.get_name() for task in pending))

    def _save(self, record: CallRecord, audio: Int16Array) -> None:
        store = getattr(self._runtime, "store", None)
        if store is not None:
            store.save(record, audio, self.sample_rate_hz)

    async def _begin_record(self, record: CallRecord) -> None:
        store = getattr(self._runtime, "store", None)
        if store is not None and hasattr(store, "begin"):
            await asyncio.to_thread(store.begin, record)

    def _describe(self, record: CallRecord) -> None:
        meta = record.meta
        meta.setdefault("dialogue_hash", getattr(self._dialogue, "content_hash", None))
        meta["door"] = self.door
        meta["sample_rate_hz"] = self.sample_rate_hz
        meta["stt_strategy"] = self.settings.stt_strategy
        meta["usage"] = {"caller_audio_s": round(self._caller_samples / self.sample_rate_hz, 3),
                         "bot_audio_s": round(self._bot_samples / self.sample_rate_hz, 3)}
        if self.api_key is not None:
            meta["api_key"] = {"id": self.api_key.key_id, "name": self.api_key.name}
        if self._stt_name is not None:
            meta["stt_model"] = self._stt_name
        if self._tts_name is not None:
            meta["tts_engine"] = self._tts_name.split(":", 1)[0]
            meta["voice"] = self._voice or self._tts_name.split(":", 1)[-1]
            meta["tts_model"] = self._tts_name

    async def _load_engines(self) -> None:
        """Loads (or finds already loaded) this call's engines, off the event loop."""
        transcriber = await asyncio.to_thread(self._engines.transcriber, self._language)
        self._stt_name = transcriber.name
        synthesizer = await asyncio.to_thread(self._engines.synthesizer, self._voice, self._language)
        self._tts_name = synthesizer.name

    def _record_meta(self, key: str, value: Any) -> None:
        if self.record is not None:
            self.record.meta[key] = value

    def _meta(self, key: str) -> Any:
        return self.record.meta.get(key) if self.record is not None else None

    def _metric(self, name: str, *args: Any) -> None:
        metrics = getattr(self._runtime, "metrics", None)
        method = getattr(metrics, name, None)
        if method is None:
            return
        try:
            method(*args)
        except Exception:  # metrics must never end a call
            log.debug("metric %s failed", name, exc_info=True)

    async def _safe_message(self, message: dict[str, Any]) -> None:
        try:
            await self._output.send_message(message)
        except Exception:  # the caller may be gone; the record still gets saved
            log.debug("call %s: message %s not delivered", self.call_id, message.get("type"))


def _earliest(*waits_s: float | None) -> float | None:
    known = [w for w in waits_s if w is not None]
    return min(known) if known else None


def _slot_vocabulary(dialogue: Any, language: str) -> frozenset[str]:
    """Catalogue words and yes/no words: what a Listen carries for every slot that reads them."""
    from voicebot.dialogue.defaults import YES_NO_HINTS

    words = set(YES_NO_HINTS.get(language, ()))
    for catalogue in getattr(dialogue, "catalogues", {}).values():
        words.update(catalogue.words())
    return frozenset(words)


def _probabilities(vad: Any, frames: Float32Array) -> list[float]:
    return [float(vad.speech_probability(frame)) for frame in frames]


async def _in_thread(iterator: Iterator[Int16Array], stop: threading.Event) -> AsyncIterator[Int16Array]:
    """Iterates a blocking generator in a worker thread, yielding each item as it is produced."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def put(item: tuple[str, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        try:
            for value in iterator:
                put(("item", value))
                if stop.is_set():
                    break
        except BaseException as exc:
            put(("error", exc))
        finally:
            put(("done", None))

    future = loop.run_in_executor(None, work)
    try:
        while True:
            kind, value = await queue.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                break
    finally:
        stop.set()
        if not future.done():
            future.add_done_callback(lambda f: f.exception())

