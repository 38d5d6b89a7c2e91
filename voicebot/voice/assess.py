"""Measures a built voice against its own clips (the I/O around voice/quality.py): what `voicebot voice
clone` prints at the end and `voicebot voice check NAME` prints again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from voicebot.audio.resample import resample
from voicebot.engines.base import Synthesizer
from voicebot.voice import features, quality
from voicebot.voice.clips import Clip, frame_levels_db, load_clip, speech_fraction
from voicebot.voice.profile import Profile, Progress

HELD_BACK_SETTING = "held_back"
# With fewer clips than this none is held back: training needs them all.
MIN_CLIPS_TO_HOLD_BACK = 4
CHECK_SENTENCES = {
    "en": ("Thank you for calling, how can I help you today?",
           "Your order of two large pizzas will arrive in about thirty minutes.",
           "Could you please confirm your delivery address for me?"),
    "ko": ("안녕하세요, 전화 주셔서 감사합니다. 무엇을 도와드릴까요?",),
}
_RATE_HZ = 16_000


def choose_held_back(clips: Sequence[str]) -> tuple[str, ...]:
    """The clips kept out of training to measure the clone against: the last one, given enough clips."""
    return (clips[-1],) if len(clips) >= MIN_CLIPS_TO_HOLD_BACK else ()


def held_back(profile: Profile) -> tuple[str, ...]:
    value = profile.settings.get(HELD_BACK_SETTING) or ()
    return tuple(str(name) for name in value)


def _analysis(samples: np.ndarray, rate_hz: int) -> features.WorldFeatures:
    return features.analyse(resample(samples.astype(np.float32), rate_hz, _RATE_HZ), _RATE_HZ)


def _stats(items: Sequence[features.WorldFeatures]) -> quality.VoiceStats:
    mcep = np.vstack([f.mcep for f in items])
    f0 = np.concatenate([f.f0_hz for f in items])
    return quality.voice_stats(mcep, f0, features.speech_frames(mcep))


def clip_facts(clip: Clip, transcript: str) -> quality.ClipFacts:
    levels = frame_levels_db(clip.samples, clip.sample_rate_hz)
    return quality.ClipFacts(name=clip.name, transcript=transcript, snr_db=quality.snr_db(levels),
                             speech_s=clip.duration_s * speech_fraction(clip.samples, clip.sample_rate_hz))


def _speak(synth: Synthesizer, texts: Sequence[str], language: str) -> tuple[quality.VoiceStats, float]:
    from voicebot.voice.backend import transcribe_synthesized

    analysed, errors = [], []
    for text in texts:
        chunks = list(synth.synthesize(text))
        audio = (np.concatenate(chunks) if chunks else np.zeros(1, np.int16)).astype(np.float32) / 32768.0
        analysed.append(_analysis(audio, synth.sample_rate_hz))
        heard = transcribe_synthesized(audio, synth.sample_rate_hz, language)
        errors.append(quality.word_error_rate(text, heard))
    return _stats(analysed), float(np.mean(errors))


def _base_voice(profile: Profile, language: str) -> Synthesizer:
    """The voice the clone converts from, at the clone's speed: the base figure the clone is held to."""
    from voicebot.engines.voices import no_profiles, resolve_synthesizer
    from voicebot.voice.backend import BASE_VOICES, base_synthesizer

    if language.split("-")[0] in BASE_VOICES:
        return base_synthesizer(language, profile.speed)
    return resolve_synthesizer(None, language, profile_lookup=no_profiles)


def assess(profile: Profile, progress: Progress | None = None) -> quality.CloneQuality:
    """Speaks check sentences with the clone and the base voice and compares both with the held-back
    clips (all clips when none was held back); checks the clips themselves for what limits a clone."""
    from voicebot.voice.backend import transcribe

    say = progress or (lambda _msg: None)
    language = profile.languages[0]
    texts = CHECK_SENTENCES.get(language.split("-")[0], CHECK_SENTENCES["en"])
    clips = {name: load_clip(profile.directory / name) for name in profile.clips}
    say("checking the clone against your clips")
    analysed = {name: _analysis(clip.samples, clip.sample_rate_hz) for name, clip in clips.items()}
    kept = [name for name in held_back(profile) if name in clips]
    against = kept or list(clips)
    target = _stats([analysed[name] for name in against])
    clone, wer = _speak(profile.synthesizer(language), texts, language)
    base, base_wer = _speak(_base_voice(profile, language), texts, language)
    facts = [clip_facts(clip, transcribe(resample(clip.samples, clip.sample_rate_hz, _RATE_HZ), language))
             for clip in clips.values()]
    spread = 12.0 * _stats(list(analysed.values())).log_f0_spread / np.log(2.0)
    colour, base_colour = quality.colour_distance_db(clone, target), quality.colour_distance_db(base, target)
    pitch = quality.pitch_distance_semitones(clone, target)
    base_pitch = quality.pitch_distance_semitones(base, target)
    gap = quality.gap_closed(colour, base_colour)
    warnings = quality.recording_warnings(facts, spread) + quality.result_warnings(gap, wer, base_wer)
    return quality.CloneQuality(
        held_back=tuple(name.split("/")[-1] for name in against), held_back_trained=not kept,
        colour_db=colour, base_colour_db=base_colour, pitch_semitones=pitch, base_pitch_semitones=base_pitch,
        wer=wer, base_wer=base_wer, warnings=tuple(warnings))
