"""The caller's ear in a call: resample -> VAD -> turn taking -> STT, one caller turn at a time.

Audio from the door arrives at the line rate; frames of 16 kHz go through the VAD (worker thread),
their probabilities through :class:`TurnTaking` (the one place turns start and end), and each turn's
audio to the recogniser (worker thread): speculatively once the caller pauses, or streamed.
The main loop hears about it through the inbox: ``SpeechStart``, then ``Heard`` or ``Nothing``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from voicebot.audio.endpointing import AnswerState, AskTurnModel, Endpointer, EndpointEvent
from voicebot.audio.pcm import int16_to_float32
from voicebot.audio.resample import StreamResampler
from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnEvent, TurnTaking
from voicebot.dialogue import second_opinion
from voicebot.dialogue.completeness import answer_state
from voicebot.dialogue.defaults import YES_NO_HINTS
from voicebot.dialogue.events import Listen
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.engines.base import (
    STT_SAMPLE_RATE_HZ,
    Float32Array,
    Transcriber,
    Transcript,
    TranscriptionStream,
    TurnDetector,
    VoiceActivityDetector,
)
from voicebot.engines.scoring import SHORT_ANSWER
from voicebot.nlu.non_speech import without_non_speech
from voicebot.session.context import CallContext
from voicebot.session.inbox import Failed, Heard, Nothing, SpeechStart, TurnAudio
from voicebot.session.output import CallerWords
from voicebot.session.speaker import Speaker
from voicebot.session.take_back import takes_back
from voicebot.session.timing import TurnClock

log = logging.getLogger(__name__)


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
    guess_ready_s: float | None = None  # when the current speculative decode finished
    joined: TurnAudio | None = None  # the turn this one takes back: its audio comes first
    rejoins: _Utterance | None = None  # ... when that turn had not reached the dialogue yet
    ended: TurnAudio | None = None  # set when the turn ended: its audio as it is decoded
    ended_s: float = 0.0
    superseded: bool = False  # taken back before its transcript went out: it sends none
    text: str | None = None  # its transcript, once decoded

    def audio(self, until_ms: float | None = None) -> Float32Array:
        samples = np.concatenate(self.frames) if self.frames else np.zeros(0, dtype=np.float32)
        if until_ms is not None:
            count = int((until_ms - self.first_frame_ms) * STT_SAMPLE_RATE_HZ / 1000)
            samples = samples[: max(0, count)]
        if self.joined is not None:
            samples = np.concatenate([self.joined.samples, samples])
        return samples


class Listener:
    """Args:
        ctx: the call.
        speaker: the bot's voice (is the caller talking over audio that may not be interrupted?).
        dialogue: the call's dialogue (its vocabulary stays out of the recogniser's prompt).
        listening: what the dialogue listens for now (None while it is not asking).
        resumes: asked with its onset (monotonic s) when a caller turn starts: the audio of the turn
            it takes back (voicebot/session/take_back.py), or None.
    """

    def __init__(self, ctx: CallContext, speaker: Speaker, dialogue: Dialogue,
                 listening: Callable[[], Listen | None],
                 resumes: Callable[[float], TurnAudio | None] = lambda onset_s: None) -> None:
        self._ctx = ctx
        self._speaker = speaker
        self._dialogue = dialogue
        self._listening = listening
        self._resumes = resumes
        self.turns_done = 0  # caller turns whose Heard or Nothing went to the inbox
        self._finishing: _Utterance | None = None  # the last turn that ended, while it is decoded
        self._vocabulary: frozenset[str] | None = None  # words kept out of the STT prompt
        self.audio_in: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.open_turns = 0  # caller turns detected and not yet decoded (they may overlap)
        self.busy = False  # holds caller audio it has not scored yet
        self.stt_name: str | None = None
        self._second: Transcriber | None = None  # stt.second_opinion's model for this call's language
        self._partial_busy = False
        # One decode of this call at a time. The model serialises decodes anyway; this queue is ours, so a
        # guess that went stale while it waited (the caller spoke again) is dropped instead of decoded
        # ahead of the guess that counts, and a partial never starts while a guess runs or waits.
        self._decoding = asyncio.Lock()
        self._odd_byte = b""
        self._holding = False  # the door holds the bot's audio back: a caller may be starting to talk
        self.samples_in = 0  # caller audio pushed by the door (usage metering)

    # ---- input (plain calls from the door) ----

    def push(self, pcm: bytes) -> None:
        """Caller audio, s16le mono at the line rate, any frame size."""
        data = self._odd_byte + pcm
        if len(data) % 2:
            data, self._odd_byte = data[:-1], data[-1:]
        else:
            self._odd_byte = b""
        if data:
            self.samples_in += len(data) // 2
            self.audio_in.put_nowait(data)

    def close(self) -> None:
        self.audio_in.put_nowait(None)

    @property
    def backlog(self) -> bool:
        """Caller audio arrived and not heard yet (a busy CPU): it may hold an answer."""
        return self.busy or not self.audio_in.empty()

    async def load(self) -> None:
        """Loads (or finds already loaded) the call's recogniser, off the event loop."""
        transcriber = await asyncio.to_thread(self._ctx.engines.transcriber, self._ctx.language)
        self.stt_name = transcriber.name

    # ---- the audio task ----

    async def run(self) -> None:
        try:
            await self._listen()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._ctx.inbox.put_nowait(Failed(exc))

    async def _listen(self) -> None:
        ctx = self._ctx
        settings = ctx.settings
        vad: VoiceActivityDetector = await asyncio.to_thread(ctx.engines.new_vad)
        self._transcriber: Transcriber = await asyncio.to_thread(ctx.engines.transcriber, ctx.language)
        self._second = await asyncio.to_thread(ctx.engines.second_opinion, ctx.language)
        self._reader = SlotReader(self._dialogue)
        turn_config = settings.turn_taking_for(ctx.sample_rate_hz)
        ctx.set_meta("vad_threshold", turn_config.threshold)
        self._turns: TurnTaking | Endpointer
        self._endpointer: Endpointer | None = None
        if settings.end_of_turn == "smart_turn":
            self._detector: TurnDetector = await asyncio.to_thread(ctx.engines.turn_detector)
            self._turns = self._endpointer = Endpointer(turn_config, settings.endpointing)
        else:
            self._turns = TurnTaking(turn_config)
        self._threshold = turn_config.threshold
        self._neg_threshold = turn_config.neg_threshold
        frame_samples = vad.frame_samples
        self._frame_ms = frame_samples * 1000.0 / STT_SAMPLE_RATE_HZ
        to_16k = StreamResampler(ctx.sample_rate_hz, STT_SAMPLE_RATE_HZ, "float32")
        pending = np.zeros(0, dtype=np.float32)
        self._recent: deque[tuple[float, Float32Array, float]] = deque(
            maxlen=int((settings.pre_roll_ms + settings.turn_taking.min_speech_ms) / self._frame_ms) + 2)
        self._utterance: _Utterance | None = None
        self._recording_offset_ms = 0.0  # recording position minus stream position of caller audio
        last_audio_s = ctx.clock()
        gap_s = settings.audio_gap_ms / 1000.0
        frame_s = self._frame_ms / 1000.0

        while not ctx.ended:  # also the way out when a cancellation was lost (see CallSession)
            self.busy = False
            try:
                pcm = await asyncio.wait_for(self.audio_in.get(), timeout=gap_s)
                self.busy = True
            except TimeoutError:
                pcm = b""
            now = ctx.clock()
            if pcm is None:
                return
            if not pcm:
                if self._holding:
                    await self._hold(False)  # the line went quiet mid-onset: nothing to wait for
                # No audio for a while: the wall clock still runs, so an open turn can end.
                if self._turns.speaking and now - last_audio_s >= gap_s:
                    gap = np.zeros(frame_samples, dtype=np.float32)
                    while now - last_audio_s >= frame_s and self._turns.speaking:
                        last_audio_s += frame_s
                        self._frame(gap, 0.0, last_audio_s)
                continue
            last_audio_s = now
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
            if settings.record_audio:
                ctx.recording.add_caller(samples, ctx.call_time_s(now))
            pending = np.concatenate([pending, to_16k.process(int16_to_float32(samples))])
            if settings.record_audio:
                # Stream position -> recording position (the recording pads pauses to the wall clock).
                self._recording_offset_ms = (ctx.recording.caller_ms() - self._turns.position_ms
                                             - pending.size * 1000.0 / STT_SAMPLE_RATE_HZ)
            count = pending.size // frame_samples
            if count == 0:
                continue
            frames = pending[: count * frame_samples].reshape(count, frame_samples)
            pending = pending[count * frame_samples:]
            probabilities = await asyncio.to_thread(_probabilities, vad, frames)
            for frame, probability in zip(frames, probabilities, strict=True):
                self._frame(frame, probability, now)
                utterance = self._utterance
                if utterance is not None and not utterance.ignored:
                    self._after_frame(utterance, self._turns.position_ms, frame)
            await self._hold_bot_audio(now)

    async def _hold_bot_audio(self, now_s: float) -> None:
        """While a caller may be starting to talk over interruptible bot audio, the door sends no more
        of it: the bot's voice stops as soon as the onset is in doubt. A turn that starts keeps it
        held until the barge-in clears it; a blip releases it and the audio goes on."""
        speaker = self._speaker
        want = ((self._turns.onset_pending or (self._holding and self._turns.speaking))
                and speaker.speaking and speaker.playout.interruptible_at(now_s))
        if want != self._holding:
            await self._hold(want)

    async def _hold(self, held: bool) -> None:
        self._holding = held
        await self._ctx.output.hold(held)

    def _frame(self, frame: Float32Array, probability: float, arrived_s: float) -> None:
        position_ms = self._turns.position_ms
        self._recent.append((position_ms, frame, arrived_s))
        utterance = self._utterance
        if utterance is not None:
            utterance.frames.append(frame)
            utterance.walls_s.append(arrived_s)
            if probability >= self._threshold:
                utterance.silence_start_ms = None
            elif probability < self._neg_threshold and utterance.silence_start_ms is None:
                utterance.silence_start_ms = position_ms
        if probability >= self._threshold:
            self._ctx.deadlines.progressed(arrived_s)
        for event in self._turns.update(probability, self._frame_ms):
            self._on_event(event)

    def _on_event(self, event: TurnEvent | EndpointEvent) -> None:
        if isinstance(event, AskTurnModel):
            self._ask_turn_model(event)
        else:
            self._utterance = self._on_turn(event, self._utterance)

    # ---- endpointing (session.end_of_turn smart_turn): the judges of a pause ----

    def _ask_turn_model(self, ask: AskTurnModel) -> None:
        utterance = self._utterance
        if utterance is None:
            return
        self._ctx.count_meta("turn_model_asks")
        self._ctx.spawn(self._turn_verdict(utterance, ask, utterance.audio(ask.at_ms)))

    async def _turn_verdict(self, utterance: _Utterance, ask: AskTurnModel, audio: Float32Array) -> None:
        ctx = self._ctx
        started = ctx.clock()
        try:
            probability = await asyncio.to_thread(self._detector.completion_probability, audio)
        except Exception:
            # Without a verdict the ceiling still ends the turn; the call goes on.
            log.exception("call %s: the turn model failed", ctx.call_id)
            return
        if ctx.metrics is not None:
            ctx.metrics.observe_engine(self._detector.name, "end_of_turn", ctx.clock() - started)
        if self._endpointer is not None and self._utterance is utterance:
            for event in self._endpointer.set_completion(ask.pause_start_ms, probability):
                self._on_event(event)

    def _judge_transcript(self, utterance: _Utterance, future: asyncio.Future[Transcript]) -> None:
        """The speculative decode of a pause: the dialogue says whether it answers the question."""
        endpointer = self._endpointer
        pause = None if endpointer is None else endpointer.pause_start_ms
        if endpointer is None or pause is None:
            return
        endpointer.set_answer(AnswerState.PENDING, pause)

        def judge(done: asyncio.Future[Transcript]) -> None:
            if done.cancelled() or self._utterance is not utterance:
                return
            view = AnswerState.UNKNOWN  # a failed guess: the model decides (the final decode reports it)
            if done.exception() is None:
                listen = self._listening()
                spec = self._dialogue.slots.get(listen.slot) if listen is not None and listen.slot else None
                heard = done.result()
                view = answer_state(self._reader, spec, heard.text,
                                    expected=None if listen is None else listen.expected,
                                    alternatives=heard.alternatives, logprob=heard.logprob)
            for event in endpointer.set_answer(view, pause):
                self._on_event(event)

        future.add_done_callback(judge)

    # ---- turn taking: where a caller's turn starts and ends ----

    def _on_turn(self, event: TurnEvent, utterance: _Utterance | None) -> _Utterance | None:
        ctx = self._ctx
        if isinstance(event, SpeechStarted):
            keep_from: float = event.at_ms - ctx.settings.pre_roll_ms
            ignored = self._speaker.talk_over(ctx.clock())
            onset_s = next((wall for pos, _, wall in self._recent if pos >= event.at_ms), ctx.clock())
            joined = None if ignored else self._resumes(onset_s)
            rejoins = None if ignored or joined is not None else self._rejoinable(onset_s)
            if rejoins is not None:
                rejoins.superseded = True
                joined = rejoins.ended
            if joined is not None:
                keep_from = max(keep_from, joined.until_ms)  # the pause it heard is not heard twice
            kept = [(pos, frame, wall) for pos, frame, wall in self._recent if pos >= keep_from]
            first_ms = kept[0][0] if kept else event.at_ms
            started = _Utterance(start_ms=event.at_ms, frames=[f for _, f, _ in kept],
                                 walls_s=[w for _, _, w in kept], first_frame_ms=first_ms, ignored=ignored,
                                 joined=joined, rejoins=rejoins)
            if not ignored:
                self._turn_opened(took_back=joined is not None and rejoins is None)
                if ctx.settings.stt_strategy == "stream":
                    self._start_stream(started)
            return started
        if utterance is not None:
            index = int((event.at_ms - utterance.first_frame_ms) / self._frame_ms)
            walls = utterance.walls_s
            speech_end_s = walls[min(max(index, 0), len(walls) - 1)] if walls else ctx.clock()
            if utterance.ignored:
                if speech_end_s <= self._speaker.playout.protected_until_s:
                    return None  # talk-over: said and done while audio the caller may not cut played
                # Begun under that audio but still going when it ended: an answer (the door plays up to
                # its lead ahead, so the caller heard the end sooner). All of it, from the onset with its
                # pre-roll, is the turn.
                self._turn_opened()
            clock = TurnClock()
            clock.stamp("speech_end", speech_end_s)
            clock.stamp("turn_end", ctx.clock())
            if self._endpointer is not None and self._endpointer.ended_by is not None:
                ctx.count_meta(f"turn_ends_{self._endpointer.ended_by}")
            if ctx.settings.record_audio:
                offset = self._recording_offset_ms
                start_ms = max(0, round(event.speech_start_ms + offset))
                if utterance.joined is not None and utterance.joined.recording_start_ms is not None:
                    start_ms = min(start_ms, utterance.joined.recording_start_ms)
                clock.audio_ms = (start_ms, round(event.at_ms + offset))
            until_ms = event.at_ms + ctx.settings.speculate_after_ms
            utterance.ended = TurnAudio(utterance.audio(until_ms), until_ms,
                                        None if clock.audio_ms is None else clock.audio_ms[0])
            utterance.ended_s = ctx.clock()
            self._finishing = utterance
            ctx.spawn(self._finish_turn(utterance, event, clock))
            return None
        return utterance

    def _rejoinable(self, onset_s: float) -> _Utterance | None:
        """The turn that ended just before, still being decoded, when new words take it back: it has not
        reached the dialogue, so the two are simply one turn."""
        last = self._finishing
        if last is None or not takes_back(self._ctx.settings.take_back, turn_end_s=last.ended_s,
                                          onset_s=onset_s, first_audio_s=None, reply_played=False):
            return None
        return last

    def _turn_opened(self, took_back: bool = False) -> None:
        self.open_turns += 1
        self._ctx.inbox.put_nowait(SpeechStart(took_back))

    def _after_frame(self, utterance: _Utterance, position_ms: float, frame: Float32Array) -> None:
        """Speculation and partials, decided per frame while the caller's turn is open."""
        ctx = self._ctx
        settings = ctx.settings
        if utterance.stream_queue is not None:
            utterance.stream_queue.put_nowait(frame)
            return
        silence = utterance.silence_start_ms
        if silence is None:
            utterance.speculation = None  # the caller went on talking: that guess is stale
            now = ctx.clock()
            interval_s = settings.partial_interval_ms / 1000
            if interval_s and now - utterance.last_partial_s >= interval_s:
                utterance.last_partial_s = now
                ctx.spawn(self._partial(utterance.audio()))
            return
        if utterance.speculation is None and position_ms - silence >= settings.speculate_after_ms:
            audio = utterance.audio(silence + settings.speculate_after_ms)
            future = asyncio.ensure_future(self._speculate(utterance, audio))
            # A guess dropped because the caller went on may still fail; its error is not the call's.
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            utterance.speculation = (silence, future)
            utterance.guess_ready_s = None
            self._judge_transcript(utterance, future)

    # ---- the recogniser: the one place it is called ----

    def _hints(self) -> tuple[str, ...]:
        """Words for the recogniser's prompt: those the dialogue names on purpose, not the slot's vocabulary.

        As whisper's initial prompt, a list of menu words, sizes and yes/no made tiny.en drop the first
        words of a turn that starts after the pre-roll's silence ("pepperoni, peepsas, please" for "Two
        large pepperoni pizzas, please") and invent endings ("thank you for watching"); BENCHMARKS.md
        measured such hints doubling WER. The dialogue's NLU still matches that vocabulary.
        """
        listen = self._listening()
        if listen is None:
            return ()
        if self._vocabulary is None:
            self._vocabulary = slot_vocabulary(self._dialogue)
        return tuple(h for h in listen.hints if h not in self._vocabulary)

    def _expected(self) -> tuple[str, ...]:
        """The question's expected answers, scored on the audio of a final decode (dialogue/grammar.py)."""
        listen = self._listening()
        if listen is None:
            return ()
        if listen.expected is None:
            return (SHORT_ANSWER,) if listen.short_answer else ()
        return listen.expected.to_score

    def _decode(self, audio: Float32Array, partial: bool = False) -> Transcript:
        """A whole utterance (blocking: runs in a worker thread). A partial scores no expected answers."""
        ctx = self._ctx
        started = ctx.clock()
        result = self._transcriber.transcribe(audio, language=ctx.language, hints=self._hints(),
                                              expected=() if partial else self._expected())
        if ctx.metrics is not None:
            ctx.metrics.observe_engine(self.stt_name or "stt", "transcribe", ctx.clock() - started)
        return result

    def _reconsider(self, first: Transcript, audio: Float32Array) -> tuple[Transcript, Transcript | None]:
        """A final transcript the dialogue would not understand, heard again by the second model
        (stt.second_opinion; dialogue/second_opinion.py): the transcript to act on, and the second model's
        where it was asked. Blocking: runs in a worker thread."""
        listen = self._listening()
        expected = None if listen is None else listen.expected
        model = self._second
        if model is None or expected is None or not second_opinion.wanted(self._reader, expected, first):
            return first, None
        ctx = self._ctx
        started = ctx.clock()
        second = model.transcribe(audio, language=ctx.language, hints=self._hints(),
                                  expected=expected.to_score)
        if ctx.metrics is not None:
            ctx.metrics.observe_engine(model.name, "second_opinion", ctx.clock() - started)
        return second_opinion.prefer(self._reader, expected, first, second), second

    def _open_stream(self) -> TranscriptionStream:
        return self._transcriber.stream(language=self._ctx.language, hints=self._hints(),
                                        expected=self._expected())

    # ---- decoding ----

    async def _speculate(self, utterance: _Utterance, audio: Float32Array) -> Transcript:
        """The speculative decode of a pause; cancelled unheard when a newer pause replaced it."""
        async with self._decoding:
            current = utterance.speculation
            if current is None or current[1] is not asyncio.current_task():
                raise asyncio.CancelledError  # stale: the caller spoke again while it waited
            result = await asyncio.to_thread(self._decode, audio)
            if utterance.speculation is not None and utterance.speculation[1] is asyncio.current_task():
                utterance.guess_ready_s = self._ctx.clock()
            return result

    async def _partial(self, audio: Float32Array) -> None:
        if audio.size < STT_SAMPLE_RATE_HZ // 2 or self._partial_busy or self._decoding.locked():
            return
        self._partial_busy = True  # one at a time: partials must not queue up behind each other
        try:
            async with self._decoding:
                result = await asyncio.to_thread(self._decode, audio, True)
        except Exception:
            return  # a partial is a courtesy; the final decode reports real failures
        finally:
            self._partial_busy = False
        if result.text.strip() and not self._ctx.ended:
            await self._ctx.emit(CallerWords(result.text.strip(), final=False))

    def _start_stream(self, utterance: _Utterance) -> None:
        queue: asyncio.Queue[Float32Array | None] = asyncio.Queue()
        if utterance.joined is not None:
            queue.put_nowait(utterance.joined.samples)
        for frame in utterance.frames:
            queue.put_nowait(frame)
        utterance.stream_queue = queue
        utterance.stream_task = self._ctx.spawn(self._run_stream(queue))

    async def _run_stream(self, queue: asyncio.Queue[Float32Array | None]) -> Transcript:
        stream = self._open_stream()
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
                        await self._ctx.emit(CallerWords(partial.text.strip(), final=False))
        return await asyncio.to_thread(stream.finish)

    async def _finish_turn(self, utterance: _Utterance, event: SpeechEnded, clock: TurnClock) -> None:
        ctx = self._ctx
        try:
            if utterance.stream_queue is not None and utterance.stream_task is not None:
                utterance.stream_queue.put_nowait(None)
                result = await utterance.stream_task
            elif utterance.speculation is not None:
                # Still set: no voiced frame since the pause began, so the guess heard everything.
                result = await utterance.speculation[1]
                ctx.count_meta("speculative_hits")
                clock.stamp("transcript_ready", utterance.guess_ready_s or ctx.clock())
            else:
                audio = utterance.audio(event.at_ms + ctx.settings.speculate_after_ms)
                async with self._decoding:
                    result = await asyncio.to_thread(self._decode, audio)
            if self._second is not None and utterance.ended is not None:
                async with self._decoding:
                    result, asked = await asyncio.to_thread(self._reconsider, result, utterance.ended.samples)
                if asked is not None:
                    ctx.count_meta("second_opinions")
                    if result is asked:
                        ctx.count_meta("second_opinions_taken")
        except Exception as exc:
            # Any failure, not only ours: the main loop waits for this turn and must hear how it ended.
            ctx.inbox.put_nowait(Failed(exc))
            return
        finally:
            self.open_turns -= 1
        clock.stamp("transcript_ready", ctx.clock())  # a stream's or a final decode's: just now
        clock.stamp("stt_final", ctx.clock())
        spoken = without_non_speech(result.text, ctx.language)  # "Thanks for watching!" is noise
        if spoken != result.text.strip():
            log.info("call %s: noise written as words dropped from a turn", ctx.call_id)
            result = replace(result, text=spoken)
        utterance.text = result.text.strip()
        if self._finishing is utterance:
            self._finishing = None
        if utterance.superseded:
            return  # its audio starts the turn that took it back
        self.turns_done += 1
        if result.text.strip():
            rejoined = None if utterance.rejoins is None else utterance.rejoins.text or ""
            ctx.inbox.put_nowait(Heard(result, clock, utterance.ended, rejoined))
        else:
            log.info("call %s: a caller turn of %d ms had no words", ctx.call_id, event.duration_ms)
            ctx.inbox.put_nowait(Nothing())


def slot_vocabulary(dialogue: Dialogue) -> frozenset[str]:
    """Catalogue words and yes/no words: what a Listen carries for every slot that reads them."""
    words = set(YES_NO_HINTS.get(dialogue.language, ()))
    for catalogue in dialogue.catalogues.values():
        words.update(catalogue.words())
    return frozenset(words)


def _probabilities(vad: VoiceActivityDetector, frames: Float32Array) -> list[float]:
    return [float(vad.speech_probability(frame)) for frame in frames]
