"""Smart Turn v3.2 on onnxruntime: the probability that the caller's turn is complete.

An 8 M-parameter whisper-tiny encoder with a classifier head, trained on 23 languages (Korean
among them), by Daily (BSD 2-Clause). It reads the last 8 s of the turn as log-mel features
(voicebot/engines/turn_features.py) and returns a sigmoid probability. The ONNX file comes out of
the pipecat-ai wheel at set-up time (voicebot/engines/model_fetch.py).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.models import smart_turn_path
from voicebot.engines.turn_features import N_FRAMES, N_MELS, log_mel
from voicebot.errors import AudioError, ModelError

Float32Array = npt.NDArray[np.float32]


class SmartTurnDetector:
    """One instance may serve every call: onnxruntime sessions run concurrently from threads."""

    name = "smart-turn-v3.2"

    def __init__(self, model_path: str | os.PathLike[str] | None = None, *, threads: int = 1,
                 session: Any | None = None) -> None:
        """``model_path``: the ONNX file (default: the one in the model cache); ``session`` shares an
        already loaded onnxruntime session."""
        self._session = session if session is not None else load_session(model_path, threads=threads)

    @property
    def session(self) -> Any:
        return self._session

    def completion_probability(self, samples: Float32Array) -> float:
        audio = np.asarray(samples, dtype=np.float32).reshape(-1)
        if audio.size == 0:
            raise AudioError("the turn detector needs some audio of the turn, got none")
        features = log_mel(audio)[np.newaxis]
        (output,) = self._session.run(None, {"input_features": features})
        return float(np.clip(np.asarray(output).reshape(-1)[0], 0.0, 1.0))


def load_session(model_path: str | os.PathLike[str] | None = None, *, threads: int = 1) -> Any:
    import onnxruntime  # lazy: only turn-detector users pay for it

    path = str(smart_turn_path(model_path))
    options = onnxruntime.SessionOptions()
    # One short inference per pause; more threads would take cores from the other calls' decodes.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load the Smart Turn model {path}: {exc}") from None
    inputs = session.get_inputs()
    if [i.name for i in inputs] != ["input_features"] or list(inputs[0].shape[1:]) != [N_MELS, N_FRAMES]:
        shapes = [(i.name, i.shape) for i in inputs]
        raise ModelError(f"{path} is not a Smart Turn v3 model (inputs {shapes}); check turn.model_path")
    return session
