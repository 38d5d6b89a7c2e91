"""Glue between voice profiles and the CPU cloning engine (files in, files out)."""

from __future__ import annotations

from collections.abc import Mapping as SettingsMap
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from voicebot.audio.resample import resample
from voicebot.engines.base import Synthesizer
from voicebot.errors import ConfigError
from voicebot.voice import backend, cpu_clone, gmm, mapping, quality, strength
from voicebot.voice.clips import load_clip
from voicebot.voice.profile import Profile, Progress


def training_options(settings: SettingsMap[str, Any]) -> cpu_clone.TrainingOptions:
    defaults = cpu_clone.TrainingOptions()
    covariance = str(settings.get("covariance", defaults.covariance))
    if covariance not in gmm.COVARIANCES:
        raise ConfigError(f"voice setting covariance must be one of {', '.join(gmm.COVARIANCES)}, "
                          f"got {covariance!r}")
    return cpu_clone.TrainingOptions(
        components=int(settings.get("components", defaults.components)),
        iterations=int(settings.get("iterations", defaults.iterations)),
        refine=bool(settings.get("refine", defaults.refine)), covariance=covariance)


def default_settings() -> dict[str, Any]:
    """The runtime settings `voice clone` writes into a new cpu-clone voice.yml (chosen by bench/clone.py;
    written out so that a voice keeps speaking as it was checked when the defaults move on)."""
    defaults = mapping.Mapping()
    return {"strength": defaults.strength, "warp_base": defaults.warp_base,
            "target_mean": defaults.target_mean, "mean_overshoot": defaults.mean_overshoot}


def runtime_mapping(settings: SettingsMap[str, Any]) -> mapping.Mapping:
    defaults = mapping.Mapping()
    try:
        return mapping.Mapping(
            strength=float(settings.get("strength", defaults.strength)),
            method=str(settings.get("mapping", defaults.method)),
            neighbours=int(settings.get("neighbours", defaults.neighbours)),
            smooth_frames=int(settings.get("smooth_frames", defaults.smooth_frames)),
            query=str(settings.get("query", defaults.query)),
            gmm_below=int(settings.get("gmm_below", defaults.gmm_below)),
            modulation=bool(settings.get("modulation", defaults.modulation)),
            target_aperiodicity=bool(settings.get("target_aperiodicity", defaults.target_aperiodicity)),
            warp_base=bool(settings.get("warp_base", defaults.warp_base)),
            target_mean=bool(settings.get("target_mean", defaults.target_mean)),
            mean_overshoot=float(settings.get("mean_overshoot", defaults.mean_overshoot)),
            mean_per_class=bool(settings.get("mean_per_class", defaults.mean_per_class)),
            match_rate=float(settings.get("match_rate", defaults.match_rate)),
            global_variance=bool(settings.get("global_variance", defaults.global_variance)),
            global_variance_max_gain=float(settings.get("global_variance_max_gain",
                                                        defaults.global_variance_max_gain)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"a cpu-clone voice setting is not a number: {exc}") from None


class CpuCloneEngine:
    version = cpu_clone.TRAINING_VERSION

    def build(self, profile: Profile, progress: Progress) -> tuple[str, ...]:
        held = {str(name) for name in profile.settings.get("held_back") or ()}
        clips = [load_clip(profile.directory / name) for name in profile.clips if name not in held]
        model = cpu_clone.train(clips, profile.languages[0], training_options(profile.settings), progress)
        model.save(profile.directory / cpu_clone.MODEL_FILE)
        return (cpu_clone.MODEL_FILE,)

    def synthesizer(self, profile: Profile, language: str) -> Synthesizer:
        # The checksum prefix in the name keeps prompt caches apart across rebuilds of one voice.
        name = f"{cpu_clone.ENGINE}:{profile.name}@{(profile.checksum or '')[:12]}"
        return cpu_clone.load_synthesizer(profile.directory / cpu_clone.MODEL_FILE, language,
                                          profile.speed, name, runtime_mapping(profile.settings))


def choose_strength(model: cpu_clone.ConversionModel, base: Synthesizer, how: mapping.Mapping,
                    language: str, candidates: Sequence[float] = strength.CANDIDATES,
                    progress: Progress | None = None,
                    max_extra: int = strength.MAX_EXTRA_MISHEARD_WORDS) -> strength.StrengthChoice | None:
    """The closest strength that our speech-to-text hears about as well as the base voice
    (voice/strength.py); None when there are no selection sentences for ``language``."""
    say = progress or (lambda _msg: None)
    sentences = strength.SELECTION_SENTENCES.get(language.split("-")[0])
    if not sentences or not candidates:
        return None

    def misheard(audio: Any, rate_hz: int) -> list[int]:
        return [quality.word_edits(text, backend.transcribe_synthesized(a, rate_hz, language))
                for text, a in zip(sentences, audio, strict=True)]

    spoken = [backend.synthesize_all(base, text).astype(np.float32) / 32768.0 for text in sentences]
    base_misheard = sum(misheard(spoken, base.sample_rate_hz))
    source = [resample(a, base.sample_rate_hz, model.sample_rate_hz) for a in spoken]
    trials: list[strength.StrengthTrial] = []
    for value in candidates:
        converted = [model.convert(a, replace(how, strength=value)) for a in source]
        trials.append(strength.StrengthTrial(value, sum(misheard(converted, model.sample_rate_hz))))
        say(f"strength {value:g}: {trials[-1].misheard_words} word(s) misheard (base voice {base_misheard})")
        if strength.acceptable(trials[-1], base_misheard, max_extra):
            break
    return strength.StrengthChoice(strength=strength.pick(trials, base_misheard, candidates[-1], max_extra),
                                   trials=tuple(trials), base_misheard_words=base_misheard,
                                   words=sum(quality.word_count(text) for text in sentences))


def choose_profile_strength(profile: Profile,
                            progress: Progress | None = None) -> strength.StrengthChoice | None:
    """:func:`choose_strength` for a built cpu-clone profile, with its other runtime settings."""
    language = profile.languages[0]
    model = cpu_clone.ConversionModel.load(profile.directory / cpu_clone.MODEL_FILE)
    how = runtime_mapping(profile.settings)
    return choose_strength(model, cpu_clone.base_voice(model, language, profile.speed, how), how, language,
                           progress=progress)
