"""One call: drives the dialogue and ends the call; one saved record however it ends.

The parts (docs/architecture.md): the :class:`Listener` hears the caller (audio task), the
:class:`Speaker` talks (speaker task), and ``run()`` here is the one place that feeds the dialogue
and carries out its actions, so dialogue state has a single owner and needs no locks. Deadlines
(silence, watchdog, maximum duration) run on the injected clock, even when the door sends no audio.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voicebot.dialogue import events as ev
from voicebot.dialogue.machine import Conversation, Snapshot
from voicebot.dialogue.model import Dialogue
from voicebot.engines.base import Int16Array
from voicebot.errors import VoicebotError
from voicebot.record import CallRecord, Turn, utc_now_iso
from voicebot.session import inbox
from voicebot.session.context import CallContext
from voicebot.session.deadlines import Deadlines, earliest, silence_wait_s
from voicebot.session.ending import EndReason
from voicebot.session.engines import EnginePool
from voicebot.session.listener import Listener
from voicebot.session.output import CallerWords, CallFailed, SessionOutput
from voicebot.session.recording import CallRecording
from voicebot.session.services import CallServices
from voicebot.session.settings import SessionSettings
from voicebot.session.speaker import Speaker
from voicebot.session.take_back import bot_audio_heard_ms, takes_back, undoable
from voicebot.session.timing import PendingTurn, TurnClock
from voicebot.session.watchdog import guard

if TYPE_CHECKING:
    from voicebot.store.keys import ApiKey

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Applied:
    """The caller's last turn, applied and undoable: what taking it back needs."""

    snapshot: Snapshot  # the dialogue before it
    listen: ev.Listen  # what the dialogue listened for when it came
    listen_since_s: float
    heard: ev.CallerText
    clock: TurnClock
    audio: inbox.TurnAudio


@dataclass(frozen=True, slots=True)
class _Cut:
    """A caller turn taken back, until the turn that joined it reaches the dialogue."""

    heard: ev.CallerText
    bot_audio_ms: float  # of the reply to it that the caller heard
    rolled_back: bool  # the dialogue had taken it (False: it ended and was joined before it got there)


class CallSession:
    """A call through the streaming pipeline. Build it, push input from the door, await ``run()``.

    ``clock`` (monotonic seconds) and ``today`` are injected for tests; the defaults are the real ones.
    """

    def __init__(self, services: CallServices, *, dialogue: Dialogue, variables: dict[str, object],
                 sample_rate_hz: int, output: SessionOutput, door: str, call_id: str | None = None,
                 engines: EnginePool | None = None, settings: SessionSettings | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self._services = services
        self._dialogue = dialogue
        self._variables = dict(variables)
        self._today = today
        self.door = door
        config = services.config
        pool = engines or services.engines or (EnginePool.from_config(config) if config else EnginePool())
        self.settings = settings or (SessionSettings.from_config(config) if config else SessionSettings())
        now = clock()
        self.call_id = call_id = call_id or uuid.uuid4().hex
        self.sample_rate_hz = sample_rate_hz
        self._ctx = ctx = CallContext(
            call_id=call_id, language=dialogue.language, sample_rate_hz=sample_rate_hz,
            settings=self.settings, clock=clock, engines=pool, output=output, metrics=services.metrics,
            recording=CallRecording(sample_rate_hz),
            deadlines=Deadlines(now, self.settings.no_progress_timeout_s, self.settings.max_call_duration_s))
        self._speaker = Speaker(ctx, voice=dialogue.voice, interruptible=dialogue.interruptible,
                                stamp=self._stamp)
        self._listener = Listener(ctx, self._speaker, dialogue, lambda: self._listen, self._resumes)
        self._listen: ev.Listen | None = None
        self._listen_since_s = 0.0
        self._deferred: deque[tuple[ev.CallerText | ev.Dtmf, TurnClock | None]] = deque()
        self._caller_idle_since_s = now
        self._pending: PendingTurn | None = None
        self._turns_done = 0  # the listener's Heard and Nothing handled here
        self._applied: _Applied | None = None  # the last caller turn, while it may be taken back
        self._taking_back: _Applied | None = None  # the listener joined its audio to a new turn
        self._heard_of_reply_ms = 0.0  # ... when the caller had heard this much of the reply to it
        self._reopened: _Cut | None = None  # rolled back; the joined turn is on its way
        self._ending = False
        self._hangup_reason: str | None = None
        self._stalled = False  # the watchdog ended the call: nothing left to wait for
        self.api_key: ApiKey | None = None  # the key that admitted the call, set by the door (usage)

    @property
    def ended(self) -> bool:
        return self._ctx.ended

    @property
    def record(self) -> CallRecord | None:
        return self._ctx.record

    # ---- input from the door (plain calls, safe from the event loop) ----

    def push_audio(self, pcm: bytes) -> None:
        """Caller audio, s16le mono at ``sample_rate_hz``, any frame size."""
        if not self.ended and pcm:
            self._listener.push(pcm)

    def push_dtmf(self, digits: str) -> None:
        if not self.ended:
            self._ctx.inbox.put_nowait(inbox.Digits(digits))

    def push_text(self, text: str) -> None:
        if not self.ended:
            self._ctx.inbox.put_nowait(inbox.Typed(text))

    def hangup(self, reason: EndReason = EndReason.CALLER_HANGUP, detail: str | None = None) -> None:
        """The caller is gone (hung up, network lost). The call ends without waiting for bot audio."""
        if not self.ended:
            self._ctx.inbox.put_nowait(inbox.Hangup(EndReason(reason).detail(detail)))
            self._listener.close()

    def call_audio(self) -> Int16Array:
        """The call so far as (n, 2) int16 at ``sample_rate_hz``: caller left, bot right."""
        return self._ctx.recording.stereo()

    @property
    def awaiting_caller(self) -> bool:
        """True while the dialogue waits for the caller and the bot is silent."""
        return (self._listen is not None and not self._speaker.speaking and self._listener.open_turns == 0
                and not self._ending)

    # ---- the call ----

    async def run(self) -> CallRecord:
        """Runs the call until it ends; saves exactly one call record, however it ends."""
        ctx = self._ctx
        if ctx.record is not None:
            raise RuntimeError("a CallSession runs once")
        ctx.deadlines = Deadlines(ctx.clock(), self.settings.no_progress_timeout_s,
                                  self.settings.max_call_duration_s)
        record = CallRecord(dialogue=self._dialogue.name, language=ctx.language, call_id=ctx.call_id,
                            variables=dict(self._variables))
        ctx.record = record
        outcome_if_unset = "error"
        run_task = asyncio.current_task()
        watch = asyncio.create_task(guard(ctx, run_task, self._playing_until_s),
                                    name=f"guard-{ctx.call_id}") if run_task is not None else None
        try:
            conversation = Conversation(self._dialogue, self._variables, ctx.call_id, today=self._today)
            record = ctx.record = conversation.record
            self._describe(record)
            await self._listener.load()  # off the event loop: the first call of a language waits here
            await self._speaker.load()
            self._describe(record)
            store = self._services.store
            if store is not None:
                await asyncio.to_thread(store.begin, record)
            if ctx.metrics is not None:
                ctx.metrics.call_started(self.door, self._dialogue.name)
            ctx.spawn(self._listener.run(), name=f"audio-{ctx.call_id}")
            ctx.spawn(self._speaker.run(), name=f"speaker-{ctx.call_id}")
            await self._apply(conversation, conversation.start())
            await self._main_loop(conversation)
            outcome_if_unset = self._hangup_reason or "ended"
        except asyncio.CancelledError:
            if ctx.guard_fired and run_task is not None and run_task.uncancel() == 0:
                # Our own guard, not a shutdown: end the call here and save it.
                outcome_if_unset = EndReason.NO_PROGRESS.value
                record.meta["end_reason"] = EndReason.STUCK.value
            else:
                outcome_if_unset = record.meta["end_reason"] = EndReason.SERVER_SHUTDOWN.value
                raise
        except VoicebotError as exc:
            log.warning("call %s failed: %s", ctx.call_id, exc)
            record.meta["error"] = str(exc)
            await ctx.emit(CallFailed("call_failed", str(exc)))
        except Exception as exc:
            log.exception("call %s failed", ctx.call_id)
            record.meta["error"] = f"internal error: {type(exc).__name__}"
            await ctx.emit(CallFailed("internal_error", "the call failed inside the server"))
        finally:
            if watch is not None:
                watch.cancel()
            await self._finish(record, outcome_if_unset)
        return record

    def _playing_until_s(self) -> float:
        return self._speaker.playout.playing_until_s

    async def _main_loop(self, conversation: Conversation) -> None:
        ctx = self._ctx
        while not self._ending:
            timeout_s = earliest(self._silence_wait_s(),
                                 ctx.deadlines.wait_s(self._playing_until_s(), ctx.clock()))
            try:
                item = await asyncio.wait_for(ctx.inbox.get(), timeout=timeout_s)
            except TimeoutError:
                if self._watchdog_fired():
                    break
                if self.awaiting_caller and self._silence_wait_s() == 0.0 and not self._listener.backlog:
                    await self._deliver(conversation, ev.SilenceTimeout(), None)
                continue
            await self._handle(conversation, item)
            if conversation.ended:
                self._ending = True
        self._restore_reopened(conversation)
        if self._hangup_reason is None and not self._stalled:
            await self._wait_bot_done()

    def _watchdog_fired(self) -> bool:
        """Ends the call when a limit has passed; True when it did."""
        ctx = self._ctx
        reason = ctx.deadlines.expired(self._playing_until_s(), ctx.clock())
        if reason is None:
            return False
        if reason is EndReason.NO_PROGRESS:
            # The state that kept the call waiting: what to look at if this ever shows up in a log.
            log.warning("call %s: nothing happened for %g s (listening=%s speaking=%s open_turns=%d "
                        "audio_backlog=%s); ending it", ctx.call_id, self.settings.no_progress_timeout_s,
                        self._listen is not None, self._speaker.speaking, self._listener.open_turns,
                        self._listener.backlog)
            self._stalled = True
        self._ending = True
        if ctx.record is not None:
            if ctx.record.outcome is None:
                ctx.record.outcome = reason.value
            ctx.record.meta["end_reason"] = reason.value
        if ctx.metrics is not None:
            ctx.metrics.watchdog(reason)
        return True

    async def _handle(self, conversation: Conversation, item: inbox.InboxItem) -> None:
        ctx = self._ctx
        ctx.deadlines.progressed(ctx.clock())
        match item:
            case inbox.SpeechStart(took_back=took_back):
                if took_back and self._taking_back is not None:
                    await self._take_back(conversation, self._taking_back)
                else:
                    await self._barge_in()
            case inbox.Heard(transcript=transcript, clock=clock, audio=audio, rejoined=rejoined):
                self._turns_done += 1
                text = transcript.text.strip()
                await ctx.emit(CallerWords(text, final=True))
                heard = ev.CallerText(text, transcript.confidence, transcript.alternatives,
                                      transcript.logprob)
                if rejoined is not None:
                    ctx.count_meta("take_backs")
                    self._reopened = _Cut(ev.CallerText(rejoined), 0.0, False)  # it had no reply yet
                await self._deliver(conversation, heard, clock, audio)
            case inbox.Nothing():
                self._turns_done += 1
                self._caller_idle_since_s = ctx.clock()
                reopened, self._reopened = self._reopened, None
                if reopened is not None:  # the joined turn had no words: the one taken back stands
                    await self._deliver(conversation, reopened.heard, None)
            case inbox.Digits(digits=digits):
                await self._barge_in()
                await self._deliver(conversation, ev.Dtmf(digits), None)
            case inbox.Typed(text=text):
                await self._barge_in()
                await self._deliver(conversation, ev.CallerText(text), None)
            case inbox.WebhookDone(result=result):
                self._applied = self._taking_back = None  # the dialogue moved on from the last turn
                await self._apply(conversation, conversation.handle(result))
            case inbox.Hangup(reason=reason):
                self._hangup_reason = reason
                self._ending = True
                self._restore_reopened(conversation)
                with contextlib.suppress(VoicebotError):
                    conversation.handle(ev.CallerHangup(reason))  # records the outcome; nobody is listening
            case inbox.Failed(error=error):
                raise error
            case inbox.BotIdle():
                pass  # only wakes the loop so the silence timer restarts from the end of bot speech

    async def _barge_in(self) -> None:
        if await self._speaker.barge_in():
            self._ctx.count_meta("barge_ins")

    async def _deliver(self, conversation: Conversation, event: ev.CallerText | ev.Dtmf | ev.SilenceTimeout,
                       clock: TurnClock | None, audio: inbox.TurnAudio | None = None) -> None:
        # Whatever reaches the dialogue now comes after the last turn: that one stays.
        self._applied = self._taking_back = None
        if self._listen is None and not isinstance(event, ev.SilenceTimeout):
            # The dialogue is not asking yet (a webhook runs, or the bot is mid-sentence before its
            # Listen): keep the words for the next Listen instead of dropping them.
            self._deferred.append((event, clock))
            return
        listen, self._listen = self._listen, None
        now = self._ctx.clock()
        self._ctx.deadlines.progressed(now)
        turns_before = len(conversation.record.turns)
        # A spoken turn the caller may still take back keeps the dialogue's state from before it.
        undo = (_Applied(conversation.snapshot(), listen, self._listen_since_s, event, clock, audio)
                if self.settings.take_back.enabled and listen is not None and clock is not None
                and audio is not None and isinstance(event, ev.CallerText) else None)
        at_confirm = conversation.at_confirm
        actions = conversation.handle(event)
        caller_turns = [t for t in conversation.record.turns[turns_before:] if t.role == "caller"]
        reopened = self._reopened if clock is not None else None  # the joined turn is a caller's turn
        if reopened is not None:
            self._reopened = None
        if reopened is not None and caller_turns:
            self._log_take_back(conversation, caller_turns[-1], reopened)
        if clock is not None:
            self._pending = PendingTurn(clock, caller_turns[-1] if caller_turns else None)
            self._pending.stamp("decision", self._ctx.clock())
        if undo is not None and undoable(actions, call_ended=conversation.ended, answered_confirm=at_confirm):
            self._applied = undo
        await self._apply(conversation, actions)

    # ---- taking a turn back (voicebot/session/take_back.py) ----

    def _resumes(self, onset_s: float) -> inbox.TurnAudio | None:
        """The listener's question when a caller turn starts: the audio of the turn it takes back."""
        applied = self._applied
        if (applied is None or self._listener.open_turns
                or self._listener.turns_done != self._turns_done):
            return None  # nothing to take back, or a later turn is still on its way here
        first_audio_s = applied.clock.stamps_s.get("first_audio_out")
        turn_end_s = applied.clock.stamps_s.get("turn_end")
        if turn_end_s is None or not takes_back(
                self.settings.take_back, turn_end_s=turn_end_s, onset_s=onset_s,
                first_audio_s=first_audio_s,
                reply_played=first_audio_s is not None and not self._speaker.speaking):
            return None
        self._applied, self._taking_back = None, applied
        self._heard_of_reply_ms = bot_audio_heard_ms(onset_s, first_audio_s)
        return applied.audio

    async def _take_back(self, conversation: Conversation, applied: _Applied) -> None:
        """Stops the reply, and the dialogue goes back to before the turn; the joined turn comes next."""
        self._taking_back = None
        await self._speaker.barge_in(withdraw=True)
        conversation.restore(applied.snapshot)
        self._listen, self._listen_since_s = applied.listen, applied.listen_since_s
        self._pending = None
        self._reopened = _Cut(applied.heard, self._heard_of_reply_ms, True)
        self._ctx.count_meta("take_backs")
        log.info("call %s: the caller went on after %r; that turn is taken back", self._ctx.call_id,
                 applied.heard.text)

    def _log_take_back(self, conversation: Conversation, turn: Turn, reopened: _Cut) -> None:
        """The joined turn says which turn it took back; the record keeps what the caller heard of the
        reply that was stopped."""
        turn.taken_back = reopened.heard.text
        entry = {"turn": conversation.record.turns.index(turn), "cut_text": reopened.heard.text,
                 "bot_audio_ms": round(reopened.bot_audio_ms), "rolled_back": reopened.rolled_back}
        conversation.record.meta.setdefault("taken_back", []).append(entry)

    def _restore_reopened(self, conversation: Conversation) -> None:
        """The call ends before the joined turn arrived: the turn taken back stands in the record."""
        reopened, self._reopened = self._reopened, None
        if reopened is not None and not conversation.ended:
            with contextlib.suppress(VoicebotError):
                conversation.handle(reopened.heard)

    async def _apply(self, conversation: Conversation, actions: list[ev.Action]) -> None:
        for action in actions:
            match action:
                case ev.Say():
                    self._speaker.say(action)
                case ev.Listen():
                    self._listen = action
                    self._listen_since_s = self._ctx.clock()
                case ev.CallWebhook():
                    self._ctx.spawn(self._webhook(action))
                case ev.Transfer(target=target, reason=reason):
                    await self._wait_bot_done()
                    await self._ctx.output.transfer(target, reason)
                    self._ctx.set_meta("transfer_target", target)
                case ev.EndCall():
                    self._ending = True
        if self._listen is not None and self._deferred and not self._ending:
            event, clock = self._deferred.popleft()
            await self._deliver(conversation, event, clock)

    def _silence_wait_s(self) -> float | None:
        """Seconds until the silence timeout fires, or None while it cannot (bot or caller busy)."""
        if not self.awaiting_caller or self._listen is None:
            return None
        timeout_ms = self.settings.no_input_timeout_ms or self._listen.timeout_ms
        since = max(self._listen_since_s, self._speaker.done_s, self._caller_idle_since_s)
        remaining = silence_wait_s(self._ctx.clock(), since, timeout_ms)
        if remaining == 0.0 and self._listener.backlog:
            # Caller audio that arrived in time is still waiting for the VAD (a busy CPU): it may
            # hold the answer, so the timeout waits until it has been heard.
            return 0.05
        return remaining

    async def _wait_bot_done(self) -> None:
        ctx = self._ctx
        while self._speaker.speaking and self._hangup_reason is None:
            now = ctx.clock()
            stuck_at = ctx.deadlines.no_progress_at(self._playing_until_s(), now)
            if not self._stalled and stuck_at is not None and now >= stuck_at:
                self._watchdog_fired()
            if self._stalled:
                return  # the bot's audio is stuck: waiting for it would never end
            try:
                item = await asyncio.wait_for(ctx.inbox.get(), timeout=0.05)
            except TimeoutError:
                continue
            if isinstance(item, inbox.Hangup):
                self._hangup_reason = item.reason
                self._ending = True
            elif isinstance(item, inbox.Failed):
                raise item.error

    def _stamp(self, name: str) -> None:
        pending = self._pending
        if pending is None or pending.clock.has(name):
            return
        pending.stamp(name, self._ctx.clock())
        if name == "first_audio_out":
            latency = pending.clock.latency_ms()
            if latency is not None and self._ctx.metrics is not None:
                self._ctx.metrics.observe_latency_ms(latency)
            self._pending = None

    async def _webhook(self, action: ev.CallWebhook) -> None:
        from voicebot.dialogue.webhook import perform_async  # lazy: only dialogues with webhooks need httpx

        self._ctx.inbox.put_nowait(inbox.WebhookDone(await perform_async(action)))

    # ---- the end ----

    async def _finish(self, record: CallRecord, outcome_if_unset: str) -> None:
        ctx = self._ctx
        ctx.ended = True
        self._speaker.stop()
        await ctx.stop_tasks()
        if record.outcome is None:
            record.outcome = outcome_if_unset
        if self._hangup_reason is not None:
            record.meta.setdefault("end_reason", self._hangup_reason)
        record.ended_at = utc_now_iso()
        self._describe(record)
        audio = ctx.recording.stereo() if self.settings.record_audio else np.zeros((0, 2), np.int16)
        store = self._services.store
        try:
            if store is not None:
                # Exactly once, whatever happened above; the store does the writing.
                saving = asyncio.ensure_future(
                    asyncio.to_thread(store.save, record, audio, ctx.sample_rate_hz))
                self._services.track_save(saving)  # the service closes the store only after this save
                await asyncio.shield(saving)
        except Exception:
            log.exception("call %s: the call record could not be saved", ctx.call_id)
        if ctx.metrics is not None:
            ctx.metrics.call_ended(self.door, record.outcome)
            usage = record.meta["usage"]
            ctx.metrics.call_usage(self.api_key.name if self.api_key else None, usage["caller_audio_s"],
                                   usage["bot_audio_s"])
        with contextlib.suppress(Exception):
            await ctx.output.close(record)

    def _describe(self, record: CallRecord) -> None:
        meta = record.meta
        meta.setdefault("dialogue_hash", self._dialogue.content_hash)
        meta["door"] = self.door
        meta["sample_rate_hz"] = self.sample_rate_hz
        meta["stt_strategy"] = self.settings.stt_strategy
        meta["usage"] = {"caller_audio_s": round(self._listener.samples_in / self.sample_rate_hz, 3),
                         "bot_audio_s": round(self._speaker.samples_out / self.sample_rate_hz, 3)}
        if self.api_key is not None:
            meta["api_key"] = {"id": self.api_key.key_id, "name": self.api_key.name}
        if self._listener.stt_name is not None:
            meta["stt_model"] = self._listener.stt_name
        tts_name = self._speaker.tts_name
        if tts_name is not None:
            meta["tts_engine"] = tts_name.split(":", 1)[0]
            meta["voice"] = self._dialogue.voice or tts_name.split(":", 1)[-1]
            meta["tts_model"] = tts_name
