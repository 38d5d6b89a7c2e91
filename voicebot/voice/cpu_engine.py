"""Glue between voice profiles and the CPU cloning engine (files in, files out)."""

from __future__ import annotations

from collections.abc import Mapping as SettingsMap
from typing import Any

from voicebot.engines.base import Synthesizer
from voicebot.errors import ConfigError
from voicebot.voice import cpu_clone, gmm, mapping
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
    return {"strength": defaults.strength, "warp_base": defaults.warp_base}


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
