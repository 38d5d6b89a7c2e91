"""Loaded engines shared by every call of a process: transcribers per language, the VAD model,
synthesizers per voice, and the per-voice prompt cache.

Loading is blocking and slow, so it happens once, in worker threads, and ``warm`` does it at
start-up for the loaded dialogues instead of on the first caller's time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from voicebot.engines.base import Int16Array, Synthesizer, Transcriber, TurnDetector, VoiceActivityDetector
from voicebot.session.fallback import DEFAULT_CHUNK_TIMEOUT_S, with_fallback
from voicebot.session.prompts import CachedPrompt, PromptCache

if TYPE_CHECKING:
    from voicebot.config import Config
    from voicebot.dialogue.model import Dialogue

log = logging.getLogger(__name__)

TranscriberFactory = Callable[[str], Transcriber]  # language -> transcriber
# language -> the model that hears again a turn the first did not understand, or None (stt.second_opinion)
SecondOpinionFactory = Callable[[str], Transcriber | None]
SynthesizerFactory = Callable[[str | None, str], Synthesizer]  # (voice, language) -> synthesizer
VadFactory = Callable[[object], VoiceActivityDetector]  # shared model handle -> per-call detector
TurnDetectorFactory = Callable[[], TurnDetector]  # one detector, shared by every call

# Piper starts every utterance with 50-60 ms of near-silence; it would count against latency.
_LEADING_SILENCE_LEVEL = 200  # int16 amplitude, about -44 dBFS
_KEEP_BEFORE_ONSET_MS = 10


def trim_leading_silence(samples: Int16Array, sample_rate_hz: int) -> Int16Array:
    """Drops near-silence before the first audible sample, keeping a few ms so the onset is clean."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _LEADING_SILENCE_LEVEL)
    if loud.size == 0:
        return samples
    start = max(0, int(loud[0]) - sample_rate_hz * _KEEP_BEFORE_ONSET_MS // 1000)
    return samples[start:]


def _default_transcriber(language: str) -> Transcriber:
    return whisper_factory()(language)


Loader = Callable[..., Transcriber]  # create_transcriber's signature: (engine, **options) -> transcriber


def _create(engine: str, **options: object) -> Transcriber:
    from voicebot.engines.registry import create_transcriber  # lazy: loads STT SDKs

    return create_transcriber(engine, **options)


def shared_loader(create: Loader = _create) -> Loader:
    """``create``, once per engine and options whatever the language: Korean's transcriber and English's
    second opinion are then one base model in memory (~180 MB, not twice). Safe because every caller
    names its language at each decode. Not locked: the pool calls it under its own lock."""
    loaded: dict[tuple[str, str], Transcriber] = {}

    def load(engine: str, **options: object) -> Transcriber:
        named = sorted((name, repr(value)) for name, value in options.items() if name != "language")
        key = (engine, repr(named))
        found = loaded.get(key)
        if found is None:
            found = loaded[key] = create(engine, **options)
        return found

    return load


def whisper_factory(*, engine: str = "faster-whisper", model_en: str = "tiny.en",
                    model_multilingual: str = "base", load: Loader = _create,
                    **options: object) -> TranscriberFactory:
    """A transcriber factory from the ``stt`` settings: tiny.en for English, base otherwise."""

    def create(language: str) -> Transcriber:
        if engine != "faster-whisper":
            return load(engine, language=language)
        model = model_en if language == "en" else model_multilingual
        # Word timestamps cost an alignment pass on every live turn and nothing here uses them.
        return load(engine, model=model, language=language, word_timestamps=False, **options)

    return create


def second_opinion_factory(second_opinion: str, *, engine: str = "faster-whisper", model_en: str = "tiny.en",
                           load: Loader = _create, **options: object) -> SecondOpinionFactory:
    """The ``stt.second_opinion`` model for English turns tiny.en did not understand (issue 10): None for
    other languages (Korean already hears with base), for ``none``, for another engine, and for another
    English model (measured with tiny.en only)."""

    def create(language: str) -> Transcriber | None:
        from voicebot.engines.models import ENGLISH_WHISPER

        if second_opinion == "none" or engine != "faster-whisper" or language != "en" \
                or model_en != ENGLISH_WHISPER:
            return None
        from voicebot.engines.whisper import WhisperTranscriber

        model = load(engine, model=second_opinion, language=language, word_timestamps=False, **options)
        # Beam 3 as the first model (greedy lost two of the turns it heard right and took a wrong value), but
        # no retry over the whole window: the same readings for a quarter less CPU (BENCHMARKS.md, issue 10).
        return model.without_window_retry() if isinstance(model, WhisperTranscriber) else model

    return create


def _default_synthesizer(voice: str | None, language: str) -> Synthesizer:
    from voicebot.engines.voices import VoiceLibrary  # lazy: loads TTS SDKs

    synthesizer: Synthesizer = VoiceLibrary().get(voice, language)
    return synthesizer


def _default_vad_model() -> object:
    from voicebot.engines.silero import load_session

    return load_session()


def _default_turn_detector() -> TurnDetector:
    from voicebot.engines.registry import create_turn_detector

    return create_turn_detector()


def _default_vad(model: object) -> VoiceActivityDetector:
    from voicebot.engines.silero import SileroVAD

    return SileroVAD(session=model)


class EnginePool:
    """Engines loaded once per process and shared by all calls (they are safe to call from threads)."""

    def __init__(self, *, transcriber_factory: TranscriberFactory | None = None,
                 synthesizer_factory: SynthesizerFactory | None = None,
                 vad_factory: VadFactory | None = None,
                 vad_model_loader: Callable[[], object] | None = None,
                 prompt_cache: PromptCache | None = None,
                 tts_chunk_timeout_s: float = DEFAULT_CHUNK_TIMEOUT_S,
                 turn_detector_factory: TurnDetectorFactory | None = None,
                 second_opinion_factory: SecondOpinionFactory | None = None) -> None:
        self._transcriber_factory = transcriber_factory or _default_transcriber
        self._second_opinion_factory = second_opinion_factory or (lambda language: None)
        self._second_opinions: dict[str, Transcriber | None] = {}
        self._synthesizer_factory = synthesizer_factory or _default_synthesizer
        self._vad_factory = vad_factory or _default_vad
        self._vad_model_loader = vad_model_loader or _default_vad_model
        self.prompts = prompt_cache or PromptCache()
        self._tts_chunk_timeout_s = tts_chunk_timeout_s
        self._transcribers: dict[str, Transcriber] = {}
        self._synthesizers: dict[tuple[str | None, str], Synthesizer] = {}
        self._vad_model: object = None
        self._vad_loaded = False
        self._turn_detector_factory = turn_detector_factory or _default_turn_detector
        self._turn_detector: TurnDetector | None = None
        self._lock = threading.Lock()  # loads happen in worker threads; load each engine once
        self._warm_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config) -> EnginePool:
        """Engines as ``voicebot.config.Config`` describes them."""
        stt = config.stt
        options: dict[str, object] = {
            "device": stt.device, "compute_type": stt.compute_type, "beam_size": stt.beam_size,
            "encoder_window_s": stt.encoder_window_s, "batch_decodes": stt.batch_decodes,
            "noisy_window_snr_db": stt.noisy_window_snr_db, "free_window_s": stt.free_window_s}
        load = shared_loader()
        factory = whisper_factory(engine=stt.engine, model_en=stt.model_en,
                                  model_multilingual=stt.model_multilingual, load=load, **options)
        second = second_opinion_factory(stt.second_opinion, engine=stt.engine, model_en=stt.model_en,
                                        load=load, **options)
        default_voice = config.tts.voice

        def synthesizer(voice: str | None, language: str) -> Synthesizer:
            return _default_synthesizer(voice or default_voice, language)

        turn = config.turn

        def turn_detector() -> TurnDetector:
            from voicebot.engines.registry import create_turn_detector

            options = {} if turn.model_path is None else {"model_path": turn.model_path}
            return create_turn_detector(turn.detector, **options)

        return cls(transcriber_factory=factory, synthesizer_factory=synthesizer,
                   tts_chunk_timeout_s=config.tts.chunk_timeout_s, turn_detector_factory=turn_detector,
                   second_opinion_factory=second)

    # ---- blocking accessors (call from worker threads) ----

    def transcriber(self, language: str) -> Transcriber:
        with self._lock:
            found = self._transcribers.get(language)
            if found is None:
                found = self._transcriber_factory(language)
                self._transcribers[language] = found
            return found

    def second_opinion(self, language: str) -> Transcriber | None:
        """The model that hears again a turn the language's transcriber did not understand, or None;
        loaded on first use, once per process, and shared by every call."""
        with self._lock:
            if language not in self._second_opinions:
                self._second_opinions[language] = self._second_opinion_factory(language)
            return self._second_opinions[language]

    def synthesizer(self, voice: str | None, language: str) -> Synthesizer:
        with self._lock:
            key = (voice, language)
            found = self._synthesizers.get(key)
            if found is None:
                # A voice that raises or hangs mid-call falls back to eSpeak (session/fallback.py).
                found = with_fallback(self._synthesizer_factory(voice, language), language,
                                      timeout_s=self._tts_chunk_timeout_s)
                self._synthesizers[key] = found
            return found

    def new_vad(self) -> VoiceActivityDetector:
        """A detector for one audio stream (it carries state), sharing the loaded model."""
        with self._lock:
            if not self._vad_loaded:
                self._vad_model = self._vad_model_loader()
                self._vad_loaded = True
            model = self._vad_model
        return self._vad_factory(model)

    def turn_detector(self) -> TurnDetector:
        """The end-of-turn model, loaded on first use (session.end_of_turn smart_turn)."""
        with self._lock:
            if self._turn_detector is None:
                self._turn_detector = self._turn_detector_factory()
            return self._turn_detector

    def synthesize_chunks(self, synthesizer: Synthesizer, text: str,
                          stop: threading.Event | None = None) -> Iterator[Int16Array]:
        """Synthesises ``text`` sentence by sentence, the first chunk's leading silence trimmed.

        ``stop`` ends the work between sentences (barge-in); a sentence already being synthesised
        finishes first, since the engines cannot be interrupted mid-call.
        """
        first = True
        for chunk in synthesizer.synthesize(text):
            if stop is not None and stop.is_set():
                return
            samples = np.asarray(chunk, dtype=np.int16).reshape(-1)
            if first:
                samples = trim_leading_silence(samples, synthesizer.sample_rate_hz)
                first = False
            if samples.size:
                yield samples

    def cached_prompt(self, synthesizer: Synthesizer, text: str) -> CachedPrompt | None:
        return self.prompts.get(synthesizer.name, text)

    def cache_prompt(self, synthesizer: Synthesizer, text: str) -> CachedPrompt:
        """Synthesises a fixed prompt into the cache (blocking) unless it is there already."""
        if (synthesizer.name, text) not in self.prompts:
            chunks = list(self.synthesize_chunks(synthesizer, text))
            self.prompts.put(synthesizer.name, text, chunks, synthesizer.sample_rate_hz)
        entry = self.prompts.get(synthesizer.name, text)
        assert entry is not None
        return entry

    # ---- async ----

    async def warm(self, dialogues: Iterable[Dialogue]) -> None:
        """Loads the engines the dialogues need and fills the prompt cache with their fixed prompts."""
        for dialogue in dialogues:
            await asyncio.to_thread(self._warm_one, dialogue)

    def _warm_one(self, dialogue: Dialogue) -> None:
        # Start-up and a reload may warm the same dialogue at once: one synthesises, the other waits
        # and then finds every prompt cached.
        with self._warm_lock:
            self._warm_locked(dialogue)

    def _warm_locked(self, dialogue: Dialogue) -> None:
        language = dialogue.language
        self.transcriber(language)
        self.second_opinion(language)
        self.new_vad()
        synthesizer = self.synthesizer(dialogue.voice, language)
        for text in (*dialogue.fixed_prompts(), *dialogue.fixed_heads()):
            self.cache_prompt(synthesizer, text)
        log.info("warmed dialogue %s: %d prompts cached", dialogue.name, len(self.prompts))
