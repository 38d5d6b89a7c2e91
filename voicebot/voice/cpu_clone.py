"""The default cloning engine: few-shot statistical voice conversion on top of the embedded Piper voice.

Training: transcribe each reference clip, synthesise the same words with the base voice, align the two
with DTW and fit a joint GMM on their mel-cepstra (plus a log-F0 mapping and the target's global
variance, and the target's own frames for frame selection). Synthesis: Piper speaks, and its audio is
analysed with WORLD, converted (voice/mapping.py) and resynthesised block by block as it comes
(voice/stream.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.resample import StreamResampler, resample
from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import AudioError, ConfigError
from voicebot.voice import backend, dtw, features, gmm, mapping, modulation, stream
from voicebot.voice.clips import Clip

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]

ENGINE = "cpu-clone"
# Bump when training changes, so that profiles built by an older version are rebuilt.
TRAINING_VERSION = 3
MODEL_FILE = "conversion.npz"
# How far the spectrum moves from the base voice to the target: 1.0 is all the way (closest voice,
# less intelligible), lower keeps more of Piper's clarity (see BENCHMARKS.md).
DEFAULT_MAPPING = mapping.Mapping()
DEFAULT_STRENGTH = DEFAULT_MAPPING.strength
DEFAULT_PLAN = stream.BlockPlan()
_STT_RATE_HZ = 16_000


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    components: int = 16
    iterations: int = 15
    # A second alignment against the first model's output lines frames up better.
    refine: bool = True
    covariance: str = "full"  # or "diagonal" (see gmm.fit)


@dataclass(frozen=True, slots=True)
class ConversionModel:
    spectral: mapping.SpectralModel
    source_lf0: tuple[float, float]  # mean, std of log F0 (voiced frames)
    target_lf0: tuple[float, float]
    sample_rate_hz: int
    # Target minus base-voice mean of the coded aperiodicity on voiced frames (bands,); None: not learnt.
    aperiodicity_shift: FloatArray | None = None
    base_warp: float = 0.0  # all-pass frequency warp from the base voice's envelope towards the target's
    # The speaker's duration over the base voice's for the same words (trimmed clips): > 1 speaks slower.
    duration_ratio: float = 1.0

    def length_scale(self, how: mapping.Mapping) -> float:
        """The factor on the base voice's durations that ``how.match_rate`` asks for (at most 1.5x
        slower or faster)."""
        return float(np.clip(self.duration_ratio, 2 / 3, 1.5) ** max(0.0, how.match_rate))

    def save(self, path: Path) -> None:
        spectral = self.spectral
        optional: dict[str, npt.NDArray[np.floating]] = {name: value for name, value in (
            ("pair_source", spectral.pair_source), ("pair_target", spectral.pair_target),
            ("source_stats", spectral.source_stats), ("pool_stats", spectral.pool_stats),
            ("ms_kernel", spectral.ms_kernel), ("aperiodicity_shift", self.aperiodicity_shift),
            ("base_warp", np.array(self.base_warp)), ("duration_ratio", np.array(self.duration_ratio)))
            if value is not None}
        arrays: dict[str, Any] = {
            "weights": spectral.gmm.weights, "means": spectral.gmm.means,
            "covariances": spectral.gmm.covariances, "gv_centre": spectral.gv_centre,
            "gv_gain": spectral.gv_gain, "pool": spectral.pool, "source_lf0": np.array(self.source_lf0),
            "target_lf0": np.array(self.target_lf0), "sample_rate_hz": np.array(self.sample_rate_hz),
            **optional}
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> ConversionModel:
        with np.load(path) as data:
            def optional(name: str) -> npt.NDArray[np.float64] | None:
                return data[name] if name in data.files else None

            spectral = mapping.SpectralModel(
                gmm=gmm.JointGmm(weights=data["weights"], means=data["means"],
                                 covariances=data["covariances"]),
                gv_centre=data["gv_centre"], gv_gain=data["gv_gain"], pool=data["pool"],
                pair_source=_float32(optional("pair_source")), pair_target=_float32(optional("pair_target")),
                source_stats=optional("source_stats"), pool_stats=optional("pool_stats"),
                ms_kernel=optional("ms_kernel"))
            return cls(spectral=spectral,
                       source_lf0=(float(data["source_lf0"][0]), float(data["source_lf0"][1])),
                       target_lf0=(float(data["target_lf0"][0]), float(data["target_lf0"][1])),
                       sample_rate_hz=int(data["sample_rate_hz"]),
                       aperiodicity_shift=optional("aperiodicity_shift"),
                       base_warp=float(data["base_warp"]) if "base_warp" in data.files else 0.0,
                       duration_ratio=float(data["duration_ratio"]) if "duration_ratio" in data.files
                       else 1.0)

    def convert(self, samples: npt.NDArray[np.float32], how: mapping.Mapping = DEFAULT_MAPPING
                ) -> npt.NDArray[np.float32]:
        """Converts base-voice audio (float, at ``sample_rate_hz``) towards the target speaker.

        Every step is frame-local, so a segment converts like the same stretch of a whole utterance
        (away from its edges): this is what lets ``ClonedSynthesizer`` stream.
        """
        if samples.size < self.sample_rate_hz // 50:
            return samples.astype(np.float32)
        feats = features.analyse(samples, self.sample_rate_hz)
        mcep = feats.mcep.copy()
        source = feats.mcep[:, 1:]
        target = mapping.map_spectrum(self.spectral, source, how)
        if how.warp_base and self.base_warp:
            source = mapping.frequency_warp(feats.mcep, self.base_warp)[:, 1:]
        mcep[:, 1:] = source + how.strength * (target - source)
        if how.target_mean:
            warp = self.base_warp if how.warp_base else 0.0
            shift = (mapping.class_shift(self.spectral, feats.mcep[:, 1:], warp) if how.mean_per_class
                     else mapping.mean_shift(self.spectral, warp))
            if shift is not None:
                mcep[:, 1:] += (1.0 - how.strength + how.mean_overshoot) * shift
        f0 = feats.f0_hz.copy()
        voiced = f0 > 0
        (sm, ss), (tm, ts) = self.source_lf0, self.target_lf0
        f0[voiced] = np.exp((np.log(f0[voiced]) - sm) / ss * ts + tm)
        aperiodicity = feats.aperiodicity
        if how.target_aperiodicity and self.aperiodicity_shift is not None:
            aperiodicity = aperiodicity.copy()
            # Coded aperiodicity is in dB and at most 0 (fully aperiodic).
            aperiodicity[voiced] = np.minimum(aperiodicity[voiced] + how.strength * self.aperiodicity_shift,
                                              0.0)
        out = features.synthesise(features.WorldFeatures(
            f0_hz=f0, mcep=mcep, aperiodicity=aperiodicity,
            sample_rate_hz=self.sample_rate_hz, fft_size=feats.fft_size))
        if out.size < samples.size:
            out = np.pad(out, (0, samples.size - out.size))
        return out[: samples.size]


class ClonedSynthesizer:
    """A base synthesizer whose audio is converted to the cloned voice block by block as it comes, so
    the first converted audio leaves after the first short block, not after the whole sentence."""

    def __init__(self, base: Synthesizer, model: ConversionModel, name: str,
                 how: mapping.Mapping = DEFAULT_MAPPING, plan: stream.BlockPlan = DEFAULT_PLAN
                 ) -> None:
        if not 0.0 <= how.strength <= 1.0:
            raise ConfigError(f"voice strength must lie between 0 and 1, got {how.strength}")
        if how.method not in mapping.METHODS:
            raise ConfigError(f"voice mapping must be one of {', '.join(mapping.METHODS)}, "
                              f"got {how.method!r}")
        if how.query not in mapping.QUERIES:
            raise ConfigError(f"voice query must be one of {', '.join(mapping.QUERIES)}, got {how.query!r}")
        self._base = base
        self._model = model
        self._how = how
        self._plan = plan
        self.name = name
        self.sample_rate_hz = model.sample_rate_hz
        features.prepare(self.sample_rate_hz)
        # The first conversion of a process builds this model's constants (its frequency-warp matrix
        # among them): about 250 ms of CPU that would otherwise delay the first answer's first chunk.
        model.convert(_warm_up_signal(self.sample_rate_hz), how)

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        # One stream for the whole reply: the base voice's chunks (sentences, and pieces of a sentence
        # with Piper's split decoder) are consecutive stretches of one signal, so they are resampled and
        # converted as one; a chunk resampled or converted on its own would click at its edges.
        to_model = StreamResampler(self._base.sample_rate_hz, self.sample_rate_hz, "float32")
        converter = stream.StreamingConverter(
            lambda segment: self._model.convert(segment, self._how), self.sample_rate_hz, self._plan)
        for chunk in self._base.synthesize(text):
            converter.push(to_model.process(chunk.astype(np.float32) / 32768.0))
            while (block := converter.next_block()) is not None:
                yield _to_int16(block)
        converter.push(to_model.flush())
        rest = converter.finish()
        if rest.size:
            yield _to_int16(rest)


def _warm_up_signal(sample_rate_hz: int) -> npt.NDArray[np.float32]:
    """A quarter second of a voiced, vowel-like tone (deterministic)."""
    t = np.arange(sample_rate_hz // 4) / sample_rate_hz
    harmonics = np.arange(1, 20)[:, None]
    tone: npt.NDArray[np.float32] = (0.1 * np.sum(np.sin(2 * np.pi * 120.0 * harmonics * t) / harmonics,
                                                  axis=0)).astype(np.float32)
    return tone


def _float32(values: npt.NDArray[np.floating] | None) -> npt.NDArray[np.float32] | None:
    return None if values is None else np.asarray(values, dtype=np.float32)


def _to_int16(samples: npt.NDArray[np.float32]) -> Int16Array:
    pcm: Int16Array = np.clip(samples * 32767.0, -32768, 32767).astype(np.int16)
    return pcm


@dataclass(frozen=True, slots=True)
class _Pair:
    source: features.WorldFeatures
    target: features.WorldFeatures


def duration_ratio(pairs: Sequence[_Pair]) -> float:
    """The speaker's duration over the base voice's saying the same words (clips trimmed at both ends)."""
    source = sum(p.source.frames for p in pairs)
    return float(sum(p.target.frames for p in pairs) / source) if source else 1.0


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


@dataclass(frozen=True, slots=True)
class _Aligned:
    """Static frames (without c0) of both voices, paired by DTW, speech only."""

    source: FloatArray
    target: FloatArray
    joint: FloatArray  # [source static, delta; target static, delta]


def _align(pairs: Sequence[_Pair], spectral: mapping.SpectralModel | None) -> _Aligned:
    rows, sources, targets = [], [], []
    for pair in pairs:
        src, tgt = pair.source.mcep[:, 1:], pair.target.mcep[:, 1:]
        # Align on what the source would sound like once converted, when a first model exists.
        speech = features.speech_frames(pair.source.mcep)
        probe = src if spectral is None else mapping.map_spectrum(spectral, src, mapping.Mapping())
        path_s, path_t = dtw.align(probe, tgt)
        both_speech = (speech[path_s]
                       & features.speech_frames(pair.target.mcep)[path_t])
        src_d, tgt_d = features.with_deltas(src), features.with_deltas(tgt)
        rows.append(np.hstack([src_d[path_s[both_speech]], tgt_d[path_t[both_speech]]]))
        sources.append(src[path_s[both_speech]])
        targets.append(tgt[path_t[both_speech]])
    return _Aligned(source=np.vstack(sources), target=np.vstack(targets), joint=np.vstack(rows))


def _aperiodicity_shift(pairs: Sequence[_Pair]) -> FloatArray:
    def voiced_mean(items: list[features.WorldFeatures]) -> FloatArray:
        result: FloatArray = np.vstack([f.aperiodicity[f.f0_hz > 0] for f in items]).mean(axis=0)
        return result

    return voiced_mean([p.target for p in pairs]) - voiced_mean([p.source for p in pairs])


def _modulation_kernel(pairs: Sequence[_Pair], fitted: gmm.JointGmm, centre: FloatArray,
                       target_centre: FloatArray) -> FloatArray | None:
    """The modulation-spectrum post-filter: the target's own trajectories against the converted ones."""
    long_enough = [p for p in pairs if min(p.source.frames, p.target.frames) >= modulation.SEGMENT_FRAMES]
    if not long_enough:
        return None
    converted = [mapping.gmm_trajectory(fitted, p.source.mcep[:, 1:]) for p in long_enough]
    natural = [p.target.mcep[:, 1:] for p in long_enough]
    return modulation.design(modulation.modulation_power(natural, target_centre),
                             modulation.modulation_power(converted, centre))


@dataclass(frozen=True, slots=True)
class TrainingData:
    """The reference clips analysed next to the base voice speaking the same words."""

    pairs: tuple[_Pair, ...]
    sample_rate_hz: int


def prepare(clips: Sequence[Clip], language: str = "en", progress: Progress | None = None) -> TrainingData:
    """Transcribes each clip, has the base voice say the same words, and analyses both."""
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
    return TrainingData(tuple(pairs), rate_hz)


def fit(data: TrainingData, options: TrainingOptions = TrainingOptions(),
        progress: Progress | None = None) -> ConversionModel:
    """Fits the conversion on prepared pairs."""
    say = progress or (lambda _msg: None)
    pairs = data.pairs
    source_lf0 = _log_f0_stats([p.source.f0_hz for p in pairs])
    target_lf0 = _log_f0_stats([p.target.f0_hz for p in pairs])
    target_speech = [p.target.mcep[features.speech_frames(p.target.mcep), 1:] for p in pairs]
    target_gv = np.mean([frames.var(axis=0) for frames in target_speech], axis=0)
    pool = np.vstack(target_speech).astype(np.float32)
    spectral: mapping.SpectralModel | None = None
    passes = 2 if options.refine else 1
    source_speech = np.vstack([p.source.mcep[features.speech_frames(p.source.mcep), 1:] for p in pairs])
    for step in range(passes):
        started = time.monotonic()
        aligned = _align(pairs, spectral)
        say(f"pass {step + 1}/{passes}: aligned {aligned.joint.shape[0]} frames; fitting the voice model")
        fitted = gmm.fit(aligned.joint, options.components, options.iterations, covariance=options.covariance)
        # The post-filters' gains, fixed now so that conversion stays frame-local.
        converted = np.vstack([
            mapping.gmm_trajectory(fitted, p.source.mcep[:, 1:])[features.speech_frames(p.source.mcep)]
            for p in pairs])
        centre, gain = mapping.global_variance_gain(converted, target_gv)
        spectral = mapping.SpectralModel(
            gmm=fitted, gv_centre=centre, gv_gain=gain, pool=pool,
            pair_source=aligned.source.astype(np.float32), pair_target=aligned.target.astype(np.float32),
            source_stats=mapping.speaker_stats(source_speech),
            pool_stats=mapping.speaker_stats(pool.astype(np.float64)),
            ms_kernel=_modulation_kernel(pairs, fitted, centre, pool.mean(axis=0)))
        say(f"pass {step + 1}/{passes}: done in {time.monotonic() - started:.1f} s")
    assert spectral is not None
    return ConversionModel(spectral=spectral, source_lf0=source_lf0, target_lf0=target_lf0,
                           sample_rate_hz=data.sample_rate_hz, aperiodicity_shift=_aperiodicity_shift(pairs),
                           base_warp=mapping.best_warp(spectral.pair_source.astype(np.float64),
                                                       spectral.pair_target.astype(np.float64))
                           if spectral.pair_source is not None and spectral.pair_target is not None else 0.0,
                           duration_ratio=duration_ratio(pairs))


def train(clips: Sequence[Clip], language: str = "en", options: TrainingOptions = TrainingOptions(),
          progress: Progress | None = None) -> ConversionModel:
    """Learns the conversion from the base voice to the speaker of ``clips``."""
    return fit(prepare(clips, language, progress), options, progress)


def base_voice(model: ConversionModel, language: str, speed: float, how: mapping.Mapping) -> Synthesizer:
    """The base voice ``model`` converts from: at the voice's ``speed``, brought towards the speaker's own
    rate as far as ``how.match_rate`` asks. The clone and its strength choice both speak through it."""
    return backend.base_synthesizer(language, speed / model.length_scale(how))


def load_synthesizer(model_path: Path, language: str, speed: float, name: str,
                     how: mapping.Mapping = DEFAULT_MAPPING) -> ClonedSynthesizer:
    model = ConversionModel.load(model_path)
    return ClonedSynthesizer(base_voice(model, language, speed, how), model, name, how)
