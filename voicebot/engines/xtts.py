"""Coqui XTTS-v2 through ``coqui-tts`` (the ``xtts`` extra): a user-supplied checkpoint directory,
speaker conditioning computed once from 1-3 clips and kept in the voice profile, streaming synthesis.

XTTS-v2's published weights are under the Coqui Public Model License (non-commercial use only).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import ConfigError, ModelError

LANGUAGES = ("en", "ko")
LATENTS_FILE = "xtts_latents.npz"
MAX_REFERENCE_CLIPS = 3
_CONDITIONING_RATE_HZ = 22_050
_GPT_CONDITIONING_S = 6


def _sdk() -> tuple[Any, Any, Any]:
    try:
        import torch
        from TTS.tts.configs.xtts_config import XttsConfig
        from TTS.tts.models.xtts import Xtts
    except ImportError as exc:
        raise ModelError("the xtts engine needs the 'xtts' extra: "
                         f"pip install 'voicebot[xtts]' ({exc})") from None
    return torch, XttsConfig, Xtts


def _check_device(device: str) -> None:
    torch, _, _ = _sdk()
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for but CUDA is not available here: use --device cpu")
    if not (device == "cpu" or device.startswith("cuda")):
        raise ConfigError(f"device must be 'cpu' or 'cuda', got {device!r}")


@lru_cache(maxsize=2)
def load_model(checkpoint_dir: str, device: str = "cpu") -> Any:
    """Loads an XTTS checkpoint directory (config.json, model.pth, vocab.json) once per process."""
    folder = Path(checkpoint_dir)
    for needed in ("config.json", "model.pth", "vocab.json"):
        if not (folder / needed).is_file():
            raise ModelError(f"{folder} is not an XTTS checkpoint directory: {needed} is missing "
                             "(XTTS weights are never downloaded; point --checkpoint at a local copy)")
    _check_device(device)
    _, xtts_config, xtts = _sdk()
    config = xtts_config()
    config.load_json(str(folder / "config.json"))
    model = xtts(config)
    model.load_checkpoint(config, checkpoint_dir=str(folder), vocab_path=str(folder / "vocab.json"),
                          eval=True)
    return model.to(device)


@dataclass(frozen=True, slots=True)
class XttsLatents:
    """Speaker conditioning: what XTTS keeps of the reference clips."""

    gpt_conditioning: npt.NDArray[np.float32]  # (1, T, C)
    speaker_embedding: npt.NDArray[np.float32]  # (1, D, 1)

    def save(self, path: Path) -> None:
        np.savez(path, gpt_conditioning=self.gpt_conditioning, speaker_embedding=self.speaker_embedding)

    @classmethod
    def load(cls, path: Path) -> XttsLatents:
        with np.load(path) as data:
            return cls(data["gpt_conditioning"].astype(np.float32),
                       data["speaker_embedding"].astype(np.float32))


def compute_latents(model: Any, clips: Sequence[npt.NDArray[np.float32]]) -> XttsLatents:
    """Conditioning from 1-3 clips of float audio at 22.05 kHz (the rate XTTS conditions at).

    Done here from arrays rather than through coqui-tts' file loader, which needs FFmpeg libraries.
    """
    torch, _, _ = _sdk()
    if not 1 <= len(clips) <= MAX_REFERENCE_CLIPS:
        raise ConfigError(f"XTTS conditions on 1 to {MAX_REFERENCE_CLIPS} clips, got {len(clips)}")
    with torch.inference_mode():
        audios = [torch.from_numpy(np.ascontiguousarray(c, dtype=np.float32))[None].to(model.device)
                  for c in clips]
        embeddings = [model.get_speaker_embedding(a, _CONDITIONING_RATE_HZ) for a in audios]
        gpt = model.get_gpt_cond_latents(torch.cat(audios, dim=-1), _CONDITIONING_RATE_HZ,
                                         length=_GPT_CONDITIONING_S, chunk_length=_GPT_CONDITIONING_S)
        speaker = torch.stack(embeddings).mean(dim=0)
    return XttsLatents(gpt.float().cpu().numpy(), speaker.float().cpu().numpy())


class XttsSynthesizer:
    """Streams XTTS speech for one speaker: chunks are yielded as the GPT produces them."""

    def __init__(self, checkpoint_dir: str | os.PathLike[str], latents: XttsLatents | str | os.PathLike[str],
                 *, language: str = "en", device: str = "cpu", speed: float = 1.0,
                 stream_chunk_size: int = 20, seed: int | None = None, name: str | None = None) -> None:
        language = language.split("-")[0]
        if language not in LANGUAGES:
            raise ConfigError(f"the xtts engine speaks {', '.join(LANGUAGES)}, not {language!r}")
        self._model = load_model(str(Path(checkpoint_dir).resolve()), device)
        self._latents = latents if isinstance(latents, XttsLatents) else XttsLatents.load(Path(latents))
        self._language = language
        self._speed = speed
        self._chunk_tokens = stream_chunk_size
        self._seed = seed
        self.sample_rate_hz = int(self._model.args.output_sample_rate)
        self.name = name or f"xtts:{Path(checkpoint_dir).name}"

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        torch, _, _ = _sdk()
        if not text.strip():
            return
        if self._seed is not None:
            torch.manual_seed(self._seed)
        device = self._model.device
        gpt = torch.from_numpy(self._latents.gpt_conditioning).to(device)
        speaker = torch.from_numpy(self._latents.speaker_embedding).to(device)
        from voicebot.engines.text import split_sentences

        # Our own sentence splitter: coqui-tts' needs spaCy, and XTTS limits text per call.
        for sentence in split_sentences(text, self._language):
            with torch.inference_mode():
                stream = self._model.inference_stream(sentence, self._language, gpt, speaker,
                                                      stream_chunk_size=self._chunk_tokens, speed=self._speed)
                for chunk in stream:
                    audio = chunk.float().cpu().numpy().reshape(-1)
                    yield np.clip(audio * 32767.0, -32768, 32767).astype(np.int16)


class XttsVoiceEngine:
    """Profile glue: ``voice.yml`` settings ``checkpoint_dir`` (required) and ``device``."""

    version = 1

    def build(self, profile: Any, progress: Any) -> tuple[str, ...]:
        from voicebot.audio.resample import resample
        from voicebot.voice.clips import load_clip

        model = load_model(_checkpoint(profile), str(profile.settings.get("device", "cpu")))
        paths = profile.clip_paths()[:MAX_REFERENCE_CLIPS]
        progress(f"computing XTTS speaker conditioning from {len(paths)} clip(s)")
        clips = [load_clip(p) for p in paths]
        latents = compute_latents(model, [resample(c.samples, c.sample_rate_hz, _CONDITIONING_RATE_HZ)
                                          for c in clips])
        latents.save(profile.directory / LATENTS_FILE)
        return (LATENTS_FILE,)

    def synthesizer(self, profile: Any, language: str) -> Synthesizer:
        return XttsSynthesizer(_checkpoint(profile), profile.directory / LATENTS_FILE, language=language,
                               device=str(profile.settings.get("device", "cpu")), speed=profile.speed,
                               name=f"xtts:{profile.name}@{(profile.checksum or '')[:12]}")


def _checkpoint(profile: Any) -> str:
    checkpoint = profile.settings.get("checkpoint_dir")
    if not checkpoint:
        raise ConfigError(f"voice {profile.name!r} uses xtts but its voice.yml has no "
                          "settings.checkpoint_dir: add the path of a local XTTS checkpoint")
    return str(checkpoint)
