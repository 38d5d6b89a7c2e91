"""``voicebot voice clone``: check the clips, lay out the profile folder, build it, write a sample."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from voicebot.audio.io import write_wav
from voicebot.errors import AudioError, ConfigError
from voicebot.voice.assess import HELD_BACK_SETTING, assess, choose_held_back
from voicebot.voice.clips import ClipLimits, ClipProblem, check_clips, load_clip
from voicebot.voice.profile import ENGINES, NAME_PATTERN, PROFILE_FILE, Profile, Progress
from voicebot.voice.quality import CloneQuality
from voicebot.voice.strength import StrengthChoice

DEFAULT_ENGINE = "cpu-clone"
SAMPLE_FILE = "sample.wav"
SAMPLE_TEXTS = {
    "en": "Hello, this is my new voice. Thank you for calling, how can I help you today?",
    "ko": "안녕하세요, 새 목소리입니다. 전화 주셔서 감사합니다. 무엇을 도와드릴까요?",
}


@dataclass(frozen=True, slots=True)
class CloneResult:
    profile: Profile
    advice: tuple[ClipProblem, ...]  # problems that did not stop cloning
    sample_path: Path
    quality: CloneQuality | None = None  # None when the check was not asked for
    strength: StrengthChoice | None = None  # cpu-clone, when the strength was chosen for this speaker


def clone_voice(name: str, clip_paths: Sequence[str | os.PathLike[str]], *,
                voices_dir: str | os.PathLike[str],
                engine: str = DEFAULT_ENGINE, languages: Sequence[str] = ("en",),
                settings: Mapping[str, Any] | None = None, force: bool = False,
                limits: ClipLimits | None = None, progress: Progress | None = None,
                check: bool = True) -> CloneResult:
    say = progress or (lambda _msg: None)
    if not NAME_PATTERN.match(name):
        raise ConfigError(f"voice name {name!r} is not allowed: use lowercase letters, digits, '-' and '_'")
    if engine not in ENGINES:
        raise ConfigError(f"unknown voice engine {engine!r}: choose one of {', '.join(sorted(ENGINES))}")
    target = Path(voices_dir) / name
    if (target / PROFILE_FILE).exists() and not force:
        raise ConfigError(f"voice {name!r} already exists in {target}: pick another name or use --force")

    say(f"checking {len(clip_paths)} clip(s)")
    clips = [load_clip(path) for path in clip_paths]
    problems = check_clips(clips, limits or ClipLimits())
    fatal = [p for p in problems if p.fatal]
    if fatal:
        raise AudioError("the reference clips cannot be used:\n  " + "\n  ".join(str(p) for p in fatal))
    for problem in problems:
        say(f"note: {problem}")

    # Build in a scratch folder and swap it in, so a failed clone never leaves half a profile.
    scratch = Path(voices_dir) / f".{name}.building"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "clips").mkdir(parents=True)
    names = []
    for index, path in enumerate(clip_paths, start=1):
        source = Path(path)
        copy_name = f"clips/{index:02d}{source.suffix.lower() or '.wav'}"
        shutil.copyfile(source, scratch / copy_name)
        names.append(copy_name)
    chosen = dict(settings or {"speed": 1.0})
    if engine == "cpu-clone":
        from voicebot.voice.cpu_engine import default_settings

        for key, value in default_settings().items():
            chosen.setdefault(key, value)
    if check and HELD_BACK_SETTING not in chosen:
        # One clip stays out of training so that the check compares the clone with unseen speech.
        held = choose_held_back(names)
        if held:
            chosen[HELD_BACK_SETTING] = list(held)
    profile = Profile(name=name, directory=scratch, engine=engine, languages=tuple(languages),
                      clips=tuple(names), settings=chosen)
    try:
        profile = profile.build(say)
        choice = None
        if engine == "cpu-clone" and "strength" not in (settings or {}):
            from voicebot.voice.cpu_engine import choose_profile_strength

            say("choosing the conversion strength for this voice")
            choice = choose_profile_strength(profile, say)
            if choice is not None:
                profile = replace(profile, settings={**profile.settings, "strength": choice.strength})
                profile.save()
        say("writing a sample")
        synth = profile.synthesizer()
        chunks = list(synth.synthesize(SAMPLE_TEXTS.get(profile.languages[0].split("-")[0],
                                                        SAMPLE_TEXTS["en"])))
        write_wav(scratch / SAMPLE_FILE, np.concatenate(chunks) if chunks else np.zeros(0, np.int16),
                  synth.sample_rate_hz)
        report = assess(profile, say) if check else None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    scratch.replace(target)
    final = Profile(name=profile.name, directory=target, engine=profile.engine, languages=profile.languages,
                    clips=profile.clips, settings=profile.settings, checksum=profile.checksum,
                    artefacts=profile.artefacts)
    return CloneResult(final, tuple(p for p in problems if not p.fatal), target / SAMPLE_FILE, report, choice)
