"""Glue between voice profiles and the CPU cloning engine (files in, files out)."""

from __future__ import annotations

from collections.abc import Mapping as SettingsMap
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
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
            "target_mean": defaults.target_mean, "mean_overshoot": defaults.mean_overshoot,
            "global_variance_max_gain": defaults.global_variance_max_gain}


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
                    max_extra: int = strength.MAX_EXTRA_MISHEARD_WORDS,
                    phone_line: bool = True) -> strength.StrengthChoice | None:
    """The closest strength that our speech-to-text hears about as well as the base voice, wideband and
    (``phone_line``) through an 8 kHz mu-law line (voice/strength.py); None when there are no selection
    sentences for ``language``."""
    say = progress or (lambda _msg: None)
    sentences = strength.SELECTION_SENTENCES.get(language.split("-")[0])
    if not sentences or not candidates:
        return None

    def misheard(audio: Any, rate_hz: int) -> tuple[int, int | None]:
        def edits(clips: Any, at_hz: int) -> int:
            return sum(quality.word_edits(text, backend.transcribe_synthesized(a, at_hz, language))
                       for text, a in zip(sentences, clips, strict=True))

        wide = edits(audio, rate_hz)
        if not phone_line:
            return wide, None
        return wide, edits([through_phone_line(a, rate_hz) for a in audio], PHONE_RATE_HZ)

    spoken = [backend.synthesize_all(base, text).astype(np.float32) / 32768.0 for text in sentences]
    base_misheard, base_phone = misheard(spoken, base.sample_rate_hz)
    source = [resample(a, base.sample_rate_hz, model.sample_rate_hz) for a in spoken]
    trials: list[strength.StrengthTrial] = []
    for value in candidates:
        converted = [model.convert(a, replace(how, strength=value)) for a in source]
        trials.append(strength.StrengthTrial(value, *misheard(converted, model.sample_rate_hz)))
        phone = "" if base_phone is None else f", {trials[-1].phone_misheard_words} on the phone line"
        say(f"strength {value:g}: {trials[-1].misheard_words} word(s) misheard{phone} "
            f"(base voice {base_misheard}" + ("" if base_phone is None else f", {base_phone}") + ")")
        if strength.acceptable(trials[-1], base_misheard, max_extra, base_phone):
            break
    return strength.StrengthChoice(
        strength=strength.pick(trials, base_misheard, candidates[-1], max_extra, base_phone),
        trials=tuple(trials), base_misheard_words=base_misheard,
        words=sum(quality.word_count(text) for text in sentences), base_phone_misheard_words=base_phone)


PHONE_RATE_HZ = 8_000


def through_phone_line(samples: npt.NDArray[np.float32], rate_hz: int) -> npt.NDArray[np.float32]:
    """Float audio as a caller hears it: at 8 kHz through G.711 mu-law and back (floats at 8 kHz)."""
    narrow = resample(np.asarray(samples, dtype=np.float32), rate_hz, PHONE_RATE_HZ)
    pcm = np.clip(narrow * 32767.0, -32768, 32767).astype(np.int16)
    heard: npt.NDArray[np.float32] = (ulaw_decode(ulaw_encode(pcm)).astype(np.float32) / 32768.0)
    return heard


def choose_profile_strength(profile: Profile,
                            progress: Progress | None = None) -> strength.StrengthChoice | None:
    """:func:`choose_strength` for a built cpu-clone profile, with its other runtime settings."""
    language = profile.languages[0]
    model = cpu_clone.ConversionModel.load(profile.directory / cpu_clone.MODEL_FILE)
    how = runtime_mapping(profile.settings)
    return choose_strength(model, cpu_clone.base_voice(model, language, profile.speed, how), how, language,
                           progress=progress)
