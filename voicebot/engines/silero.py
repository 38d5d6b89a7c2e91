"""Silero VAD on onnxruntime, using the ONNX file that faster-whisper ships.

The v6 graph takes 576 samples per call: the last 64 samples of the previous frame followed by
the new 512-sample frame, plus the LSTM state (h, c) carried from call to call. This graph has no
``sr`` input (unlike the full Silero release): 8 kHz lines are upsampled and get their own thresholds
(``SessionSettings.turn_taking_for``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import STT_SAMPLE_RATE_HZ
from voicebot.engines.models import silero_vad_path
from voicebot.errors import AudioError, ModelError

Float32Array = npt.NDArray[np.float32]

FRAME_SAMPLES = 512
CONTEXT_SAMPLES = 64
_STATE_SHAPE = (1, 1, 128)


class SileroVAD:
    """Speech probability per 32 ms frame of 16 kHz audio. One instance per audio stream."""

    sample_rate_hz = STT_SAMPLE_RATE_HZ
    frame_samples = FRAME_SAMPLES
    frame_ms = FRAME_SAMPLES * 1000 / STT_SAMPLE_RATE_HZ

    def __init__(self, threshold: float = 0.5, model_path: str | os.PathLike[str] | None = None,
                 session: Any | None = None) -> None:
        """``session`` shares an already loaded onnxruntime session between streams."""
        self.threshold = threshold
        self._session = session if session is not None else load_session(model_path)
        self.reset()

    @property
    def session(self) -> Any:
        return self._session

    def reset(self) -> None:
        self._h = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(_STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)

    def speech_probability(self, frame: Float32Array) -> float:
        samples = np.asarray(frame, dtype=np.float32).reshape(-1)
        if samples.size != FRAME_SAMPLES:
            raise AudioError(
                f"Silero VAD takes frames of {FRAME_SAMPLES} samples at 16 kHz, got {samples.size}"
            )
        window = np.concatenate([self._context, samples])[np.newaxis, :]
        prob, self._h, self._c = self._session.run(None, {"input": window, "h": self._h, "c": self._c})
        self._context = samples[-CONTEXT_SAMPLES:].copy()
        return float(np.asarray(prob).reshape(-1)[0])

    def is_speech(self, frame: Float32Array) -> bool:
        return self.speech_probability(frame) >= self.threshold

    def probabilities(self, samples: Float32Array) -> list[float]:
        """Probabilities for each whole frame of ``samples``; a trailing partial frame is zero-padded."""
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        remainder = audio.size % FRAME_SAMPLES
        if remainder:
            audio = np.concatenate([audio, np.zeros(FRAME_SAMPLES - remainder, dtype=np.float32)])
        return [self.speech_probability(frame) for frame in audio.reshape(-1, FRAME_SAMPLES)]


def load_session(model_path: str | os.PathLike[str] | None = None) -> Any:
    import onnxruntime  # lazy: only VAD users pay for it

    path = str(model_path) if model_path is not None else str(silero_vad_path())
    options = onnxruntime.SessionOptions()
    # One small frame per call: extra threads only add hand-off cost.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load the Silero VAD model {path}: {exc}") from None
    names = [i.name for i in session.get_inputs()]
    if names != ["input", "h", "c"]:
        raise ModelError(f"{path} is not the Silero v6 VAD this code expects (inputs {names})")
    return session
