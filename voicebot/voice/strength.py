"""Which conversion strength suits one speaker (pure): the closest one that stays as intelligible.

Moving further from the base voice brings every bench speaker closer to herself, but it costs
intelligibility for some speakers and not for others (BENCHMARKS.md, "Strength per speaker"). So
`voice clone` tries the strengths from the closest down, has our speech-to-text transcribe each, and keeps
the first that mishears at most ``MAX_EXTRA_MISHEARD_WORDS`` more words than the base voice on the same
sentences, both wideband and through an 8 kHz mu-law phone line (where most of these voices are heard,
and where a too strong conversion lost most: BENCHMARKS.md, fifth round); the measured default is the
floor, kept even when it mishears more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Tried from the first; the last is the default the bench measured for every speaker.
CANDIDATES = (0.8, 0.7, 0.6)
# Of the ~60 words of SELECTION_SENTENCES: one or two words are run-to-run noise (WORLD draws new noise).
MAX_EXTRA_MISHEARD_WORDS = 2
# Not the bench's or the quality check's sentences, so that neither measures what was chosen on it.
SELECTION_SENTENCES = {
    "en": ("We have received your payment and your account is now up to date.",
           "Please hold the line while I check the details of your booking.",
           "The next available appointment is on Tuesday at half past ten.",
           "Would you like me to send a confirmation by text message?",
           "Our opening hours are from nine in the morning until six in the evening."),
}


@dataclass(frozen=True, slots=True)
class StrengthTrial:
    strength: float
    misheard_words: int  # word edits between the sentences and what our STT heard, all sentences
    phone_misheard_words: int | None = None  # the same through the phone line; None: not listened to


@dataclass(frozen=True, slots=True)
class StrengthChoice:
    strength: float
    trials: tuple[StrengthTrial, ...]  # in the order tried; stops at the chosen one
    base_misheard_words: int
    words: int
    base_phone_misheard_words: int | None = None

    def line(self) -> str:
        phone = self.base_phone_misheard_words is not None
        tried = ", ".join(f"{t.strength:g}: {t.misheard_words}"
                          + (f" / {t.phone_misheard_words}" if phone else "") for t in self.trials)
        base = f"{self.base_misheard_words}" + (f" / {self.base_phone_misheard_words}" if phone else "")
        where = " (wideband / phone line)" if phone else ""
        return (f"strength {self.strength:g} chosen: the closest whose speech our speech-to-text mishears "
                f"at most {MAX_EXTRA_MISHEARD_WORDS} words more than the base voice's{where} (words misheard "
                f"of {self.words}: {tried}; base voice {base})")


def acceptable(trial: StrengthTrial, base_misheard_words: int, max_extra: int = MAX_EXTRA_MISHEARD_WORDS,
               base_phone_misheard_words: int | None = None) -> bool:
    """Within ``max_extra`` words of the base voice wideband and, where both were listened to through the
    phone line, there too."""
    if trial.misheard_words - base_misheard_words > max_extra:
        return False
    if trial.phone_misheard_words is None or base_phone_misheard_words is None:
        return True
    return trial.phone_misheard_words - base_phone_misheard_words <= max_extra


def pick(trials: Sequence[StrengthTrial], base_misheard_words: int, floor: float,
         max_extra: int = MAX_EXTRA_MISHEARD_WORDS, base_phone_misheard_words: int | None = None) -> float:
    """The first acceptable trial's strength (trials in the order tried), else ``floor``."""
    for trial in trials:
        if acceptable(trial, base_misheard_words, max_extra, base_phone_misheard_words):
            return trial.strength
    return floor
