"""The bot's voice in a call: the say queue, synthesis sentence by sentence, barge-in.

``Say`` actions are queued with the generation they were asked in; barge-in bumps the generation, so
stale synthesis and playback are dropped wherever they are. What plays when is the :class:`Playout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import numpy as np

from voicebot.audio.pcm import int16_to_pcm_bytes
from voicebot.audio.resample import StreamResampler
from voicebot.dialogue.events import Say
from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.session.context import CallContext
from voicebot.session.inbox import BotIdle, Failed
from voicebot.session.output import BotAudioEnd, BotWords
from voicebot.session.playout import Playout
from voicebot.session.prompts import CachedPrompt

# Silence between a reply's cached fixed start and the rest: the comma's pause, which synthesising the two
# apart leaves out.
HEAD_PAUSE_MS = 100
# Queued by barge-in so the speaker task wakes, sees the new generation and reports the bot idle.
_WAKE = Say(text="", prompt_id="", fixed=False)


class Speaker:
    """Args:
        ctx: the call.
        voice: the dialogue's voice (None: the configured default).
        interruptible: the dialogue's default for its prompts.
        stamp: called with ``first_tts_chunk`` / ``first_audio_out`` (the turn's latency stamps).
    """

    def __init__(self, ctx: CallContext, *, voice: str | None, interruptible: bool,
                 stamp: Callable[[str], None]) -> None:
        self._ctx = ctx
        self._voice = voice
        self._stamp = stamp
        self.playout = Playout(default_interruptible=interruptible)
        self._says: asyncio.Queue[tuple[Say, int]] = asyncio.Queue()
        self._generation = 0  # bumped by barge-in: stale synthesis and playback are dropped
        self._stop_synthesis: threading.Event | None = None
        self.speaking = False  # a Say is queued, being synthesised, or still playing
        self.done_s = ctx.clock()  # when the bot last went quiet
        self.samples_out = 0  # bot audio sent to the door (usage metering)
        self.tts_name: str | None = None

    async def load(self) -> None:
        """Loads (or finds already loaded) the call's voice, off the event loop."""
        ctx = self._ctx
        synthesizer = await asyncio.to_thread(ctx.engines.synthesizer, self._voice, ctx.language)
        self.tts_name = synthesizer.name

    def say(self, say: Say) -> None:
        self.speaking = True
        self._says.put_nowait((say, self._generation))

    def talk_over(self, now_s: float) -> bool:
        """Caller speech starting at ``now_s`` is talk-over: the bot plays audio it may not interrupt."""
        return self.speaking and not self.playout.interruptible_at(now_s)

    def stop(self) -> None:
        """The call is over: synthesis stops after the sentence in progress."""
        if self._stop_synthesis is not None:
            self._stop_synthesis.set()

    async def barge_in(self, *, withdraw: bool = False) -> bool:
        """The caller talks over interruptible audio: drop everything queued. True when it did.
        ``withdraw``: the reply answers a turn taken back, so it stops whatever it is."""
        ctx = self._ctx
        now = ctx.clock()
        if not self.speaking or not (withdraw or self.playout.interruptible_at(now)):
            return False
        self._generation += 1
        self.stop()
        while not self._says.empty():
            self._says.get_nowait()
        self.playout.cut(now)
        if ctx.settings.record_audio:
            ctx.recording.cut_bot(ctx.call_time_s(now))
        await ctx.output.clear()
        self._says.put_nowait((_WAKE, -1))
        return True

    async def run(self) -> None:
        """The speaker task of the call."""
        ctx = self._ctx
        try:
            while True:
                say, generation = await self._says.get()
                if generation == self._generation:
                    await self._speak(say, generation)
                if self._says.empty():
                    if generation == self._generation:
                        await ctx.emit(BotAudioEnd())
                    await self._wait_played(generation)
                    if self._says.empty():
                        self.speaking = False
                        self.playout.saying = None
                        self.done_s = ctx.clock()
                        ctx.inbox.put_nowait(BotIdle())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            ctx.inbox.put_nowait(Failed(exc))

    async def _speak(self, say: Say, generation: int) -> None:
        ctx = self._ctx
        engines = ctx.engines
        synthesizer = await asyncio.to_thread(engines.synthesizer, self._voice, ctx.language)
        if generation != self._generation:
            return
        self.playout.saying = say.interruptible
        await ctx.emit(BotWords(say.text, prompt_id=say.prompt_id))
        cached = engines.cached_prompt(synthesizer, say.text) if say.fixed else None
        if cached is not None:
            # One resampler for the whole prompt: chunks can end mid-word (Piper's pieces, the clone's
            # blocks), and a chunk resampled on its own rings at its edges (a click at each join).
            to_call = StreamResampler(cached.sample_rate_hz, ctx.sample_rate_hz, "int16")
            for chunk in cached.chunks:
                if generation != self._generation:
                    return
                self._stamp("first_tts_chunk")
                await self._play(to_call.process(chunk), say, generation)
            await self._play(to_call.flush(), say, generation)
            return
        stop = threading.Event()
        self._stop_synthesis = stop
        produced: list[Int16Array] = []
        to_call = StreamResampler(synthesizer.sample_rate_hz, ctx.sample_rate_hz, "int16")
        text = say.text
        head = self._cached_head(say, synthesizer)
        if head is not None:
            # "Got it," from the cache while "two large pepperoni. Anything else?" is synthesised: the
            # reply's first audio costs no synthesis (bench/turn_parts.py, BENCHMARKS.md).
            ctx.count_meta("cached_heads")
            for chunk in head.chunks:
                if generation != self._generation:
                    return
                self._stamp("first_tts_chunk")
                await self._play(to_call.process(chunk), say, generation)
            pause = np.zeros(synthesizer.sample_rate_hz * HEAD_PAUSE_MS // 1000, dtype=np.int16)
            await self._play(to_call.process(pause), say, generation)
            text = say.text[len(say.fixed_head):].strip()
        async for chunk in _in_thread(engines.synthesize_chunks(synthesizer, text, stop), stop):
            if generation != self._generation:
                return
            produced.append(chunk)
            self._stamp("first_tts_chunk")
            await self._play(to_call.process(chunk), say, generation)
        await self._play(to_call.flush(), say, generation)
        if say.fixed and not stop.is_set():
            engines.prompts.put(synthesizer.name, say.text, produced, synthesizer.sample_rate_hz)

    def _cached_head(self, say: Say, synthesizer: Synthesizer) -> CachedPrompt | None:
        """The cached audio of the reply's fixed start, where it has one and more text follows."""
        head = say.fixed_head
        if say.fixed or not head or not say.text.startswith(head) or not say.text[len(head):].strip():
            return None
        cached = self._ctx.engines.cached_prompt(synthesizer, head)
        if cached is None or cached.sample_rate_hz != synthesizer.sample_rate_hz:
            return None
        return cached

    async def _play(self, samples: Int16Array, say: Say, generation: int) -> None:
        """Sends ``samples`` (at the call's rate)."""
        ctx = self._ctx
        rate_hz = ctx.sample_rate_hz
        if samples.size == 0 or generation != self._generation:
            return
        now = ctx.clock()
        duration_s = 0.0 if ctx.settings.playback == "instant" else samples.size / rate_hz
        self.playout.add(now, duration_s, say.interruptible)
        if ctx.settings.record_audio:
            ctx.recording.add_bot(samples, ctx.call_time_s(now))
        ctx.deadlines.progressed(now)
        self.samples_out += samples.size
        await ctx.output.send_audio(int16_to_pcm_bytes(samples))
        self._stamp("first_audio_out")

    async def _wait_played(self, generation: int) -> None:
        while generation == self._generation:
            remaining = self.playout.remaining_s(self._ctx.clock())
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 0.05))


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
