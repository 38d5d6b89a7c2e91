"""How good a clone is, as numbers a user can act on (pure: arrays and strings in, a report out).

Speaker similarity here is measured without a neural speaker model (none ships without torch): the
clone's long-term voice colour (mean mel-cepstrum of its speech) is compared with that of clips held
back from training, and set against the base voice's distance to the same clips. ``gap_closed`` is the
share of the base voice's distance the clone removes: 0 sounds as far from the person as the base
voice, 1 matches their colour. Pitch is reported beside it but left out of the share: on the bench's
speakers the mean pitch of a few check sentences and of a held-out clip differ by 1-2 semitones from
reading style alone, and counting it ranked the clones against resemblyzer (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Below these the clips are likely to clone poorly (see docs/voices.md, "How good is my clone").
RECOMMENDED_SPEECH_S = 30.0
MIN_SNR_DB = 25.0
MIN_PITCH_SPREAD_SEMITONES = 1.5
MIN_DISTINCT_WORDS = 40
MIN_GAP_CLOSED = 0.3
MAX_EXTRA_WER = 0.10
_ORDER = 12  # low-order cepstra: the voice's colour, not what is being said


@dataclass(frozen=True, slots=True)
class VoiceStats:
    colour: FloatArray  # mean mel-cepstrum c1..c12 of the speech frames
    log_f0_hz: float  # mean log F0 of the voiced frames
    log_f0_spread: float  # std of log F0 (intonation)


@dataclass(frozen=True, slots=True)
class CloneQuality:
    held_back: tuple[str, ...]  # clips the clone is compared with
    held_back_trained: bool  # True when too few clips to hold any back: the figures flatter the clone
    colour_db: float  # clone's distance in voice colour to the held-back clips (cepstral dB)
    base_colour_db: float
    pitch_semitones: float
    base_pitch_semitones: float
    wer: float  # our STT on the clone speaking the check sentences
    base_wer: float
    warnings: tuple[str, ...]

    @property
    def gap_closed(self) -> float:
        return gap_closed(self.colour_db, self.base_colour_db)

    def lines(self) -> list[str]:
        against = ", ".join(self.held_back)
        note = " (also used for training: too few clips to hold one back, so this flatters the clone)" \
            if self.held_back_trained else " (held back from training)"
        return [
            f"similarity to your voice in {against}{note}: {self.gap_closed:.0%} of the way from the base "
            f"voice (voice colour {self.colour_db:.1f} dB off, base voice {self.base_colour_db:.1f} dB; "
            f"pitch {self.pitch_semitones:.1f} semitones off, base voice {self.base_pitch_semitones:.1f})",
            f"intelligibility: our speech-to-text got {1 - self.wer:.0%} of the check sentences' words right "
            f"(base voice {1 - self.base_wer:.0%})",
            *(f"warning: {w}" for w in self.warnings)]


def voice_stats(mcep: FloatArray, f0_hz: FloatArray, speech: npt.NDArray[np.bool_]) -> VoiceStats:
    """Statistics of one recording (or several concatenated) from its WORLD analysis."""
    voiced = f0_hz[f0_hz > 0]
    log_f0 = np.log(voiced) if voiced.size else np.zeros(1)
    frames = mcep[speech, 1: _ORDER + 1] if speech.any() else mcep[:, 1: _ORDER + 1]
    return VoiceStats(colour=frames.mean(axis=0), log_f0_hz=float(log_f0.mean()),
                      log_f0_spread=float(log_f0.std()))


def colour_distance_db(a: VoiceStats, b: VoiceStats) -> float:
    """Mel-cepstral distance between the two mean spectra, in dB."""
    return float(10.0 / np.log(10.0) * np.sqrt(2.0 * np.sum((a.colour - b.colour) ** 2)))


def pitch_distance_semitones(a: VoiceStats, b: VoiceStats) -> float:
    return float(12.0 * abs(a.log_f0_hz - b.log_f0_hz) / np.log(2.0))


def gap_closed(colour_db: float, base_colour_db: float) -> float:
    """1 - clone distance / base distance, in [-1, 1]; a base voice already within 1 dB counts as 1 dB."""
    return float(np.clip(1.0 - colour_db / max(base_colour_db, 1.0), -1.0, 1.0))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance over the reference length (lowercase, punctuation dropped)."""
    words = len(_words(reference))
    if not words:
        return 0.0 if not _words(hypothesis) else 1.0
    return word_edits(reference, hypothesis) / words


def word_edits(reference: str, hypothesis: str) -> int:
    """Word-level Levenshtein distance (lowercase, punctuation dropped)."""
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, other in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (word != other))
    return row[-1]


def word_count(text: str) -> int:
    return len(_words(text))


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() or ch in "' " else " " for ch in text.lower())
    return cleaned.split()


def snr_db(frame_levels_db: FloatArray) -> float:
    """Speech over background: the loud frames' level minus the quiet frames' level."""
    if frame_levels_db.size == 0:
        return 0.0
    return float(np.percentile(frame_levels_db, 95) - np.percentile(frame_levels_db, 5))


@dataclass(frozen=True, slots=True)
class ClipFacts:
    """What the recording warnings need to know about one clip."""

    name: str
    speech_s: float
    snr_db: float
    transcript: str


def recording_warnings(clips: Sequence[ClipFacts], pitch_spread_semitones: float) -> list[str]:
    """Why the clips may clone poorly: too few, too noisy, too uniform."""
    warnings = []
    total = sum(c.speech_s for c in clips)
    if total < RECOMMENDED_SPEECH_S:
        warnings.append(f"too few clips: {total:.0f} s of speech in all; {RECOMMENDED_SPEECH_S:.0f}-90 s "
                        "gives a closer voice")
    for clip in clips:
        if clip.snr_db < MIN_SNR_DB:
            warnings.append(f"{clip.name} is noisy: speech only {clip.snr_db:.0f} dB above the background "
                            f"(want {MIN_SNR_DB:.0f}+); the noise is learned as part of the voice, record "
                            "in a quiet room close to the microphone")
    if pitch_spread_semitones < MIN_PITCH_SPREAD_SEMITONES:
        warnings.append(f"too uniform: the pitch hardly moves ({pitch_spread_semitones:.1f} semitones of "
                        "spread); read with natural intonation, questions and statements")
    words = {w for c in clips for w in _words(c.transcript)}
    if len(words) < MIN_DISTINCT_WORDS:
        warnings.append(f"too uniform: only {len(words)} different words in all the clips; read varied "
                        "sentences so every sound of the language is heard")
    seen: dict[tuple[str, ...], str] = {}
    for clip in clips:
        key = tuple(_words(clip.transcript))
        if key and key in seen:
            warnings.append(f"{clip.name} says the same words as {seen[key]}: it adds little")
        seen.setdefault(key, clip.name)
    return warnings


def result_warnings(gap: float, wer: float, base_wer: float) -> list[str]:
    """Warnings from the measured clone itself."""
    warnings = []
    if gap < MIN_GAP_CLOSED:
        warnings.append(f"the clone is only {gap:.0%} of the way from the base voice to yours: give more "
                        "and cleaner clips, or raise settings.strength in voice.yml")
    if wer - base_wer > MAX_EXTRA_WER:
        warnings.append(f"the clone is harder to understand than the base voice ({wer:.0%} against "
                        f"{base_wer:.0%} of words misheard): lower settings.strength in voice.yml")
    return warnings
