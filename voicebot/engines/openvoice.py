"""OpenVoice v2 tone-colour conversion through ``coqui-tts`` (the ``xtts`` extra): the Piper base voice,
converted chunk by chunk towards the target speaker's tone-colour embedding.

The checkpoint directory is OpenVoice's converter folder (``config.json`` + ``checkpoint.pth``); its
weights are MIT-licensed. Nothing is downloaded.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import ConfigError, ModelError

EMBEDDINGS_FILE = "openvoice_se.npz"
# Sentences the base voice speaks once at build time to measure its own tone colour.
_BASE_VOICE_TEXTS = (
    "Thank you for calling. How can I help you today?",
    "Please tell me your address and your phone number.",
    "Your order will arrive in about thirty minutes.",
)


def _sdk() -> tuple[Any, Any, Any]:
    try:
        import torch
        from TTS.vc.configs.openvoice_config import OpenVoiceArgs, OpenVoiceConfig
        from TTS.vc.models.openvoice import OpenVoice
    except ImportError as exc:
        raise ModelError("the openvoice engine needs the 'xtts' extra: "
                         f"pip install 'voicebot[xtts]' ({exc})") from None
    return torch, (OpenVoiceConfig, OpenVoiceArgs), OpenVoice


@lru_cache(maxsize=2)
def load_converter(checkpoint_dir: str, device: str = "cpu") -> Any:
    """Loads OpenVoice's tone-colour converter once per process."""
    folder = Path(checkpoint_dir)
    for needed in ("config.json", "checkpoint.pth"):
        if not (folder / needed).is_file():
            raise ModelError(f"{folder} is not an OpenVoice converter directory: {needed} is missing "
                             "(weights are never downloaded; point --checkpoint at a local copy)")
    torch, (config_cls, args_cls), model_cls = _sdk()
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for but CUDA is not available here: use --device cpu")
    original = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    known = {f.name for f in dataclasses.fields(args_cls)}
    args = args_cls(**{k: v for k, v in original.get("model", {}).items() if k in known})
    config = config_cls(model_args=args)
    data = original.get("data", {})
    audio = config.audio
    rate_hz = int(data.get("sampling_rate", audio.input_sample_rate))
    audio.input_sample_rate = audio.output_sample_rate = rate_hz
    audio.fft_size = int(data.get("filter_length", audio.fft_size))
    audio.hop_length = int(data.get("hop_length", audio.hop_length))
    audio.win_length = int(data.get("win_length", audio.win_length))
    model = model_cls(config)
    state = torch.load(folder / "checkpoint.pth", map_location="cpu", weights_only=True)
    model.load_state_dict(state.get("model", state), strict=True)
    return model.to(device).eval()


def tone_colour(model: Any, clips: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    """Mean tone-colour embedding of float clips at the converter's sample rate."""
    torch, _, _ = _sdk()
    if not clips:
        raise ConfigError("OpenVoice needs at least one clip to measure a tone colour")
    with torch.inference_mode():
        embeddings = [model.extract_se(torch.from_numpy(np.ascontiguousarray(c, dtype=np.float32)))[0]
                      for c in clips]
        mean = torch.stack(embeddings).mean(dim=0)
    result: npt.NDArray[np.float32] = mean.float().cpu().numpy()
    return result


class OpenVoiceSynthesizer:
    """A base synthesizer whose chunks are converted to the target tone colour."""

    def __init__(self, base: Synthesizer, checkpoint_dir: str, source_se: npt.NDArray[np.float32],
                 target_se: npt.NDArray[np.float32], *, device: str = "cpu", name: str = "openvoice") -> None:
        self._base = base
        self._model = load_converter(str(Path(checkpoint_dir).resolve()), device)
        self._source = source_se
        self._target = target_se
        self.sample_rate_hz = int(self._model.config.audio.output_sample_rate)
        self.name = name

    def convert(self, samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        torch, _, _ = _sdk()
        audio = self._model.config.audio
        if samples.size < audio.win_length:
            return samples
        from TTS.utils.audio.torch_transforms import wav_to_spec

        device = self._model.device
        with torch.inference_mode():
            wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))[None, None].to(device)
            spec = wav_to_spec(wave, n_fft=audio.fft_size, hop_length=audio.hop_length,
                               win_length=audio.win_length, center=False)
            out = self._model.inference(spec, {"g_src": torch.from_numpy(self._source).to(device),
                                                "g_tgt": torch.from_numpy(self._target).to(device)})
        converted: npt.NDArray[np.float32] = out["model_outputs"][0, 0].float().cpu().numpy()
        return converted

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        from voicebot.audio.resample import resample

        for chunk in self._base.synthesize(text):
            wave = resample(chunk.astype(np.float32) / 32768.0, self._base.sample_rate_hz,
                            self.sample_rate_hz)
            converted = self.convert(wave)
            yield np.clip(converted * 32767.0, -32768, 32767).astype(np.int16)


class OpenVoiceEngine:
    """Profile glue: ``voice.yml`` settings ``checkpoint_dir`` (required) and ``device``."""

    version = 1

    def build(self, profile: Any, progress: Any) -> tuple[str, ...]:
        from voicebot.audio.resample import resample
        from voicebot.voice.backend import base_synthesizer, synthesize_all
        from voicebot.voice.clips import load_clip

        model = load_converter(_checkpoint(profile), str(profile.settings.get("device", "cpu")))
        rate_hz = int(model.config.audio.input_sample_rate)
        progress(f"measuring the target tone colour from {len(profile.clips)} clip(s)")
        clips = [load_clip(p) for p in profile.clip_paths()]
        target = tone_colour(model, [resample(c.samples, c.sample_rate_hz, rate_hz) for c in clips])
        progress("measuring the base voice's tone colour")
        base = base_synthesizer(profile.languages[0])
        spoken = [resample(synthesize_all(base, text).astype(np.float32) / 32768.0, base.sample_rate_hz,
                           rate_hz) for text in _BASE_VOICE_TEXTS]
        source = tone_colour(model, spoken)
        np.savez(profile.directory / EMBEDDINGS_FILE, source=source, target=target)
        return (EMBEDDINGS_FILE,)

    def synthesizer(self, profile: Any, language: str) -> Synthesizer:
        from voicebot.voice.backend import base_synthesizer

        with np.load(profile.directory / EMBEDDINGS_FILE) as data:
            source, target = data["source"], data["target"]
        # Each base chunk is converted on its own: whole sentences, not Piper's pieces of one.
        base = base_synthesizer(language, profile.speed, whole_sentences=True)
        return OpenVoiceSynthesizer(base, _checkpoint(profile), source, target,
                                    device=str(profile.settings.get("device", "cpu")),
                                    name=f"openvoice:{profile.name}@{(profile.checksum or '')[:12]}")


def _checkpoint(profile: Any) -> str:
    checkpoint = profile.settings.get("checkpoint_dir")
    if not checkpoint:
        raise ConfigError(f"voice {profile.name!r} uses openvoice but its voice.yml has no "
                          "settings.checkpoint_dir: add the path of a local OpenVoice converter folder")
    return str(checkpoint)
