"""Glue between voice profiles and the CPU cloning engine (files in, files out)."""

from __future__ import annotations

from voicebot.engines.base import Synthesizer
from voicebot.voice import cpu_clone
from voicebot.voice.clips import load_clip
from voicebot.voice.profile import Profile, Progress


class CpuCloneEngine:
    version = cpu_clone.TRAINING_VERSION

    def build(self, profile: Profile, progress: Progress) -> tuple[str, ...]:
        clips = [load_clip(path) for path in profile.clip_paths()]
        defaults = cpu_clone.TrainingOptions()
        options = cpu_clone.TrainingOptions(
            components=int(profile.settings.get("components", defaults.components)),
            iterations=int(profile.settings.get("iterations", defaults.iterations)),
            refine=bool(profile.settings.get("refine", defaults.refine)))
        model = cpu_clone.train(clips, profile.languages[0], options, progress)
        model.save(profile.directory / cpu_clone.MODEL_FILE)
        return (cpu_clone.MODEL_FILE,)

    def synthesizer(self, profile: Profile, language: str) -> Synthesizer:
        # The checksum prefix in the name keeps prompt caches apart across rebuilds of one voice.
        name = f"{cpu_clone.ENGINE}:{profile.name}@{(profile.checksum or '')[:12]}"
        strength = float(profile.settings.get("strength", cpu_clone.DEFAULT_STRENGTH))
        return cpu_clone.load_synthesizer(profile.directory / cpu_clone.MODEL_FILE, language,
                                          profile.speed, name, strength)
