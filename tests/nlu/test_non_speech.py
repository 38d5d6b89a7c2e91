"""What whisper writes for noise is no caller's words."""

from __future__ import annotations

import pytest

from voicebot.nlu.non_speech import without_non_speech


@pytest.mark.parametrize(("text", "language", "spoken"), [
    ("Thank you for watching.", "en", ""), ("Thank you very much for watching.", "en", ""),
    ("Four. Thanks for watching!", "en", "Four."), ("Subtitles by the Amara.org community", "en", ""),
    ("[Music]", "en", ""), ("(coughing)", "en", ""), ("♪", "en", ""), ("[BLANK_AUDIO]", "en", ""),
    ("You.", "en", ""), ("...", "en", ""),
    # A caller's own thanks and words stay.
    ("Thank you.", "en", "Thank you."), ("No thank you.", "en", "No thank you."),
    ("Are you a robot?", "en", "Are you a robot?"), ("I'd like to thank you for your help", "en",
                                                    "I'd like to thank you for your help"),
    ("시청해 주셔서 감사합니다.", "ko", ""), ("네. 시청해주셔서 감사합니다", "ko", "네."),
    ("감사합니다", "ko", "감사합니다"),
])
def test_noise_written_as_words(text: str, language: str, spoken: str) -> None:
    assert without_non_speech(text, language) == spoken
