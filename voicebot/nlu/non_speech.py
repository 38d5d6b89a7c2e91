"""What whisper writes for noise, not speech: its training subtitles ("Thanks for watching!", "Subtitles
by the Amara.org community", "시청해 주셔서 감사합니다"), sound labels ("[Music]", "(coughing)", "♪") and
the lone "you" it gives near-silence.

On a phone line a breath, a cough or the line's own noise can come back as one of these. Taken as words
they were recorded as the survey's comment, word for word ("Thank you for watching."), or stood for an
answer. They are removed from a transcript; a transcript with nothing else is no words at all.
"""

from __future__ import annotations

import re

_EN_PHRASES = (
    r"thank(?:s| you)(?: (?:so|very) much)? for watching",
    r"thanks for listening", r"please subscribe(?: to (?:my|our|the) channel)?", r"like and subscribe",
    r"[^.!?]*amara org[^.!?]*", r"subtitles by [^.!?]*", r"see you in the next video",
)
_KO_PHRASES = (
    r"시청해\s?주셔서\s?감사합니다", r"구독과\s?좋아요[^.!?]*", r"구독\s?좋아요[^.!?]*",
    r"자막\s?제공[^.!?]*", r"다음\s?영상에서\s?만나요", r"MBC\s?뉴스[^.!?]*",
)
_LABELS = re.compile(r"\[[^\]]*\]|\([^)]*\)|[♪♫]+")
_PHRASES = {
    language: re.compile(r"(?:^|(?<=[\s.,!?]))(?:" + "|".join(phrases) + r")[.!?]*", re.IGNORECASE)
    for language, phrases in (("en", _EN_PHRASES), ("ko", _KO_PHRASES))
}
_LONE = {"en": re.compile(r"^\W*you\W*$", re.IGNORECASE)}


def without_non_speech(text: str, language: str) -> str:
    """``text`` without what whisper writes for noise: "Four. Thanks for watching!" -> "Four."; "[Music]"
    -> "". A caller's own "thank you" stays."""
    cleaned = _LABELS.sub(" ", re.sub(r"(?i)amara\.org", "amara org", text))
    phrases = _PHRASES.get(language)
    if phrases is not None:
        cleaned = phrases.sub(" ", cleaned)
    cleaned = " ".join(cleaned.split())
    lone = _LONE.get(language)
    if lone is not None and lone.match(cleaned):
        return ""
    return "" if not re.search(r"\w", cleaned) else cleaned
