"""The default cloning engine: few-shot statistical voice conversion on top of the embedded Piper voice.

Training: transcribe each reference clip, synthesise the same words with the base voice, align the two
with DTW and fit a joint GMM on their mel-cepstra (plus a log-F0 mapping and the target's global
variance). Synthesis: Piper speaks, then every chunk is analysed with WORLD, converted and resynthesised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicebot.audio.resample import resample
from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import AudioError, ConfigError
from voicebot.voice import backend, dtw, features, gmm
from voicebot.voice.clips import Clip

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]

ENGINE = "cpu-clone"
# Bump when training changes, so that profiles built by an older version are rebuilt.
TRAINING_VERSION = 1
MODEL_FILE = "conversion.npz"
# How far the spectrum moves from the base voice to the target: 1.0 is all the way (closest voice,
# less intelligible), lower keeps more of Piper's clarity (see BENCHMARKS.md).
DEFAULT_STRENGTH = 0.7
_STT_RATE_HZ = 16_000


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    components: int = 16
    iterations: int = 15
    # A second alignment against the first model's output lines frames up better.
    refine: bool = True


@dataclass(frozen=True, slots=True)
class ConversionModel:
    gmm: gmm.JointGmm
    source_lf0: tuple[float, float]  # mean, std of log F0 (voiced frames)
    target_lf0: tuple[float, float]
    target_gv: FloatArray  # per-dimension variance of the target's static mel-cepstra
    sample_rate_hz: int

    def save(self, path: Path) -> None:
        np.savez(path, weights=self.gmm.weights, means=self.gmm.means, covariances=self.gmm.covariances,
                 source_lf0=np.array(self.source_lf0), target_lf0=np.array(self.target_lf0),
                 target_gv=self.target_gv, sample_rate_hz=np.array(self.sample_rate_hz))

    @classmethod
    def load(cls, path: Path) -> ConversionModel:
        with np.load(path) as data:
            return cls(
                gmm=gmm.JointGmm(weights=data["weights"], means=data["means"],
                                 covariances=data["covariances"]),
                source_lf0=(float(data["source_lf0"][0]), float(data["source_lf0"][1])),
                target_lf0=(float(data["target_lf0"][0]), float(data["target_lf0"][1])),
                target_gv=data["target_gv"], sample_rate_hz=int(data["sample_rate_hz"]))

    def convert(self, samples: npt.NDArray[np.float32], strength: float = DEFAULT_STRENGTH
                ) -> npt.NDArray[np.float32]:
        """Converts base-voice audio (float, at ``sample_rate_hz``) towards the target speaker."""
        if samples.size < self.sample_rate_hz // 20:
            return samples.astype(np.float32)
        feats = features.analyse(samples, self.sample_rate_hz)
        mcep = feats.mcep.copy()
        source = feats.mcep[:, 1:]
        target = self._convert_spectrum(source, features.speech_frames(feats.mcep))
        mcep[:, 1:] = source + strength * (target - source)
        f0 = feats.f0_hz.copy()
        voiced = f0 > 0
        (sm, ss), (tm, ts) = self.source_lf0, self.target_lf0
        f0[voiced] = np.exp((np.log(f0[voiced]) - sm) / ss * ts + tm)
        out = features.synthesise(features.WorldFeatures(
            f0_hz=f0, mcep=mcep, aperiodicity=feats.aperiodicity,
            sample_rate_hz=self.sample_rate_hz, fft_size=feats.fft_size))
        return out[: samples.size]

    def _convert_spectrum(self, static: FloatArray, speech: npt.NDArray[np.bool_]) -> FloatArray:
        mean, var = gmm.convert(self.gmm, features.with_deltas(static))
        converted = gmm.mlpg(mean, var)
        if int(speech.sum()) >= 40:
            # Global-variance scaling: GMM means are over-smoothed, which sounds muffled.
            centre = converted[speech].mean(axis=0)
            spread = converted[speech].var(axis=0) + 1e-10
            gain = np.clip(np.sqrt(self.target_gv / spread), 1.0, 2.0)
            converted = centre + (converted - centre) * gain
        return converted


class ClonedSynthesizer:
    """A base synthesizer whose every chunk is converted to the cloned voice."""

    def __init__(self, base: Synthesizer, model: ConversionModel, name: str,
                 strength: float = DEFAULT_STRENGTH) -> None:
        if not 0.0 <= strength <= 1.0:
            raise ConfigError(f"voice strength must lie between 0 and 1, got {strength}")
        self._base = base
        self._model = model
        self._strength = strength
        self.name = name
        self.sample_rate_hz = model.sample_rate_hz

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        for chunk in self._base.synthesize(text):
            audio = resample(chunk.astype(np.float32) / 32768.0, self._base.sample_rate_hz,
                             self.sample_rate_hz)
            converted = self._model.convert(audio, self._strength)
            yield np.clip(converted * 32767.0, -32768, 32767).astype(np.int16)


@dataclass(frozen=True, slots=True)
class _Pair:
    source: features.WorldFeatures
    target: features.WorldFeatures


def _log_f0_stats(f0_tracks: Sequence[FloatArray]) -> tuple[float, float]:
    voiced = np.concatenate([np.log(f0[f0 > 0]) for f0 in f0_tracks])
    if voiced.size < 10:
        raise AudioError("the reference clips have almost no voiced speech: record someone speaking")
    return float(voiced.mean()), float(max(voiced.std(), 1e-3))


def _trim(feats: features.WorldFeatures) -> features.WorldFeatures:
    speech = np.flatnonzero(features.speech_frames(feats.mcep))
    if speech.size == 0:
        return feats
    keep = slice(int(speech[0]), int(speech[-1]) + 1)
    return features.WorldFeatures(f0_hz=feats.f0_hz[keep], mcep=feats.mcep[keep],
                                  aperiodicity=feats.aperiodicity[keep],
                                  sample_rate_hz=feats.sample_rate_hz, fft_size=feats.fft_size)


def _joint_frames(pairs: Sequence[_Pair], model: ConversionModel | None) -> FloatArray:
    rows = []
    for pair in pairs:
        src, tgt = pair.source.mcep[:, 1:], pair.target.mcep[:, 1:]
        # Align on what the source would sound like once converted, when a first model exists.
        speech = features.speech_frames(pair.source.mcep)
        probe = src if model is None else model._convert_spectrum(src, speech)
        path_s, path_t = dtw.align(probe, tgt)
        both_speech = (speech[path_s]
                       & features.speech_frames(pair.target.mcep)[path_t])
        src_d, tgt_d = features.with_deltas(src), features.with_deltas(tgt)
        rows.append(np.hstack([src_d[path_s[both_speech]], tgt_d[path_t[both_speech]]]))
    return np.vstack(rows)


def train(clips: Sequence[Clip], language: str = "en", options: TrainingOptions = TrainingOptions(),
          progress: Progress | None = None) -> ConversionModel:
    """Learns the conversion from the base voice to the speaker of ``clips``."""
    say = progress or (lambda _msg: None)
    base = backend.base_synthesizer(language)
    rate_hz = min([base.sample_rate_hz, *(clip.sample_rate_hz for clip in clips)])
    pairs: list[_Pair] = []
    for index, clip in enumerate(clips, start=1):
        text = backend.transcribe(resample(clip.samples, clip.sample_rate_hz, _STT_RATE_HZ), language)
        say(f"clip {index}/{len(clips)} {clip.name}: heard {text!r}")
        if not text:
            continue
        spoken = backend.synthesize_all(base, text)
        source = resample(spoken.astype(np.float32) / 32768.0, base.sample_rate_hz, rate_hz)
        target = resample(clip.samples, clip.sample_rate_hz, rate_hz)
        pairs.append(_Pair(_trim(features.analyse(source, rate_hz)),
                           _trim(features.analyse(target, rate_hz))))
    if not pairs:
        raise AudioError("no words were recognised in any reference clip: use clips of clear speech "
                         f"in language {language!r}")
    source_lf0 = _log_f0_stats([p.source.f0_hz for p in pairs])
    target_lf0 = _log_f0_stats([p.target.f0_hz for p in pairs])
    target_gv = np.mean([p.target.mcep[features.speech_frames(p.target.mcep), 1:].var(axis=0)
                         for p in pairs], axis=0)
    model: ConversionModel | None = None
    passes = 2 if options.refine else 1
    for step in range(passes):
        started = time.monotonic()
        joint = _joint_frames(pairs, model)
        say(f"pass {step + 1}/{passes}: aligned {joint.shape[0]} frames; fitting the voice model")
        fitted = gmm.fit(joint, options.components, options.iterations)
        model = ConversionModel(gmm=fitted, source_lf0=source_lf0, target_lf0=target_lf0,
                                target_gv=target_gv, sample_rate_hz=rate_hz)
        say(f"pass {step + 1}/{passes}: done in {time.monotonic() - started:.1f} s")
    assert model is not None
    return model


def load_synthesizer(model_path: Path, language: str, speed: float, name: str,
                     strength: float = DEFAULT_STRENGTH) -> ClonedSynthesizer:
    model = ConversionModel.load(model_path)
    return ClonedSynthesizer(backend.base_synthesizer(language, speed), model, name, strength)
