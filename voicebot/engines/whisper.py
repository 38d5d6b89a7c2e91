"""faster-whisper (CTranslate2) transcriber with growing-buffer streaming.

Whisper is not a streaming model: a stream keeps the utterance's audio and re-decodes the whole
buffer (greedy, no fallback) at most every ``partial_interval_ms`` to show partials; the final
transcript is one full decode on ``finish()``, identical to :meth:`WhisperTranscriber.transcribe`.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import STT_SAMPLE_RATE_HZ, Segment, Transcript, Word
from voicebot.engines.models import (
    ENGLISH_WHISPER,
    MULTILINGUAL_WHISPER,
    default_whisper_model,
    resolve_whisper_model,
)
from voicebot.errors import ConfigError, EngineError

Float32Array = npt.NDArray[np.float32]

# Live turns: at most one re-decode at a higher temperature (DESIGN pitfall: an unbounded fallback
# costs seconds and makes transcripts change from run to run).
LIVE_TEMPERATURES: tuple[float, ...] = (0.0, 0.4)
# Finals: beam 3 cut WER on the synthetic corpus from 10.4% to 8.4% (clean), exactly as beam 5 did,
# at a lower cost (BENCHMARKS.md); partials stay greedy since they are thrown away.
DEFAULT_BEAM_SIZE = 3
# Whisper pads to 30 s anyway; below this there is nothing to decode.
_MIN_SAMPLES = STT_SAMPLE_RATE_HZ // 10


@dataclass(frozen=True, slots=True)
class _DecodeOptions:
    language: str | None
    initial_prompt: str | None
    temperatures: tuple[float, ...]
    word_timestamps: bool
    beam_size: int


class WhisperTranscriber:
    """Implements :class:`voicebot.engines.base.Transcriber`. Thread-safe; calls block.

    ``hints`` become the initial prompt. Pass rare words only (names, product names): generic
    domain words made tiny.en invent trailing words and doubled its WER (BENCHMARKS.md).
    """

    def __init__(self, model: str | os.PathLike[str] | None = ENGLISH_WHISPER, device: str = "cpu",
                 compute_type: str = "int8", beam_size: int = DEFAULT_BEAM_SIZE, cpu_threads: int = 0,
                 language: str | None = None, temperatures: Sequence[float] = LIVE_TEMPERATURES,
                 word_timestamps: bool = True, partial_interval_ms: int = 1000,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        if beam_size < 1:
            raise ConfigError(f"beam_size must be at least 1, got {beam_size}")
        if not temperatures:
            raise ConfigError("temperatures needs at least one value, e.g. [0.0]")
        chosen = str(model) if model not in (None, "", "auto") else default_whisper_model(language)
        model_dir = resolve_whisper_model(chosen, language, cache_dir)
        self.model_dir = model_dir
        label = chosen if chosen in (ENGLISH_WHISPER, MULTILINGUAL_WHISPER) else Path(model_dir).name
        self.name = f"faster-whisper:{label}"
        self.language = language
        self.beam_size = beam_size
        self.temperatures = tuple(float(t) for t in temperatures)
        self.word_timestamps = word_timestamps
        self.partial_interval_ms = partial_interval_ms
        from faster_whisper import WhisperModel  # lazy: pulls in ctranslate2 and av

        try:
            self._model = WhisperModel(str(model_dir), device=device, compute_type=compute_type,
                                       cpu_threads=cpu_threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(
                f"cannot load whisper model {model_dir} on {device}/{compute_type}: {exc}"
            ) from None
        self.english_only = not bool(self._model.model.is_multilingual)
        # One decode at a time per model: CTranslate2 would queue them anyway, and this keeps
        # partial decodes from piling up behind finals.
        self._lock = threading.Lock()

    def _language(self, language: str | None) -> str | None:
        lang = language or self.language
        if self.english_only:
            if lang not in (None, "en"):
                raise ConfigError(
                    f"{self.name} understands English only, not {lang!r}: "
                    f"use the {MULTILINGUAL_WHISPER} model"
                )
            return "en"
        return lang

    def _options(self, language: str | None, hints: Sequence[str], *, partial: bool) -> _DecodeOptions:
        prompt = ", ".join(h.strip() for h in hints if h.strip()) or None
        return _DecodeOptions(
            language=self._language(language),
            initial_prompt=prompt,
            temperatures=(self.temperatures[0],) if partial else self.temperatures,
            word_timestamps=self.word_timestamps and not partial,
            beam_size=1 if partial else self.beam_size,
        )

    def transcribe(self, samples: Float32Array, *, language: str | None = None,
                   hints: Sequence[str] = ()) -> Transcript:
        return self._decode(samples, self._options(language, hints, partial=False), final=True)

    def stream(self, *, language: str | None = None, hints: Sequence[str] = ()) -> WhisperStream:
        return WhisperStream(self, self._options(language, hints, partial=True),
                             self._options(language, hints, partial=False))

    def _decode(self, samples: Float32Array, options: _DecodeOptions, *, final: bool) -> Transcript:
        audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        if audio.size < _MIN_SAMPLES:
            return Transcript(text="", final=final, language=options.language, confidence=0.0)
        with self._lock:
            try:
                lazy_segments, info = self._model.transcribe(
                    audio,
                    language=options.language,
                    beam_size=options.beam_size,
                    best_of=1,
                    temperature=list(options.temperatures),
                    initial_prompt=options.initial_prompt,
                    word_timestamps=options.word_timestamps,
                    condition_on_previous_text=False,
                    # Never drop a turn: no_speech_prob only lowers the confidence we report.
                    no_speech_threshold=None,
                    vad_filter=False,
                )
                # Iterating the generator is the decoding: do it here, inside the blocking call.
                raw = list(lazy_segments)
            except (RuntimeError, ValueError) as exc:
                raise EngineError(f"{self.name} failed to transcribe: {exc}") from None
        segments = tuple(_segment(s) for s in raw)
        text = " ".join(s.text for s in segments if s.text).strip()
        if not any(ch.isalnum() for ch in text):
            text = ""  # silence decodes to a lone "." or "..."; that is no words, not a turn
        return Transcript(text=text, final=final, language=info.language, segments=segments,
                          confidence=_confidence(segments) if text else 0.0)


class WhisperStream:
    """One utterance: ``accept()`` 16 kHz float32 chunks, ``finish()`` for the final."""

    def __init__(self, transcriber: WhisperTranscriber, partial_options: _DecodeOptions,
                 final_options: _DecodeOptions) -> None:
        self._transcriber = transcriber
        self._partial_options = partial_options
        self._final_options = final_options
        self._chunks: list[Float32Array] = []
        self._samples = 0
        self._decoded_at_samples = 0
        self._last_partial = ""
        self._interval_samples = transcriber.partial_interval_ms * STT_SAMPLE_RATE_HZ // 1000
        self._finished = False

    @property
    def duration_s(self) -> float:
        return self._samples / STT_SAMPLE_RATE_HZ

    def audio(self) -> Float32Array:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]

    def accept(self, samples: Float32Array) -> list[Transcript]:
        if self._finished:
            raise EngineError("this transcription stream is finished; start a new one per utterance")
        chunk = np.asarray(samples, dtype=np.float32).reshape(-1)
        if chunk.size:
            self._chunks.append(chunk.copy())
            self._samples += chunk.size
        if self._transcriber.partial_interval_ms <= 0:
            return []
        if self._samples - self._decoded_at_samples < self._interval_samples:
            return []
        self._decoded_at_samples = self._samples
        partial = self._transcriber._decode(self.audio(), self._partial_options, final=False)
        if not partial.text or partial.text == self._last_partial:
            return []
        self._last_partial = partial.text
        return [partial]

    def finish(self) -> Transcript:
        self._finished = True
        return self._transcriber._decode(self.audio(), self._final_options, final=True)


def _segment(raw: Any) -> Segment:
    words = tuple(
        Word(text=w.word.strip(), start_s=round(float(w.start), 3), end_s=round(float(w.end), 3),
             probability=round(float(w.probability), 4))
        for w in (raw.words or ())
    )
    return Segment(text=raw.text.strip(), start_s=round(float(raw.start), 3), end_s=round(float(raw.end), 3),
                   words=words, avg_logprob=float(raw.avg_logprob), no_speech_prob=float(raw.no_speech_prob))


def _confidence(segments: Sequence[Segment]) -> float:
    """Mean word probability where words exist, else exp(mean token log-probability)."""
    probabilities = [w.probability for s in segments for w in s.words if w.probability is not None]
    if probabilities:
        return round(float(np.mean(probabilities)), 4)
    logprobs = [s.avg_logprob for s in segments if s.avg_logprob is not None]
    if not logprobs:
        return 0.0
    return round(min(1.0, math.exp(float(np.mean(logprobs)))), 4)

