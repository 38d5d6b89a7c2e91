"""Bounds on whisper's repetition loops: how many tokens a stretch of speech can hold, and the text of a
loop cut back to its first round. Pure functions, no I/O.

tiny.en sometimes goes on writing after the last word of a turn ("... in about 30 minutes. So, we're going
to take a look at what we're going to do, and we're going to take a look at ..." until 448 tokens): seconds
of CPU for a one-second answer, and a transcript that no parser should read.
"""

from __future__ import annotations

import re

# Speech holds at most ~8 tokens a second (fast English: 5 words of ~1.6 tokens; Korean on the
# multilingual tokenizer: ~8 syllables of ~1.3 tokens); twice that, plus room for a short turn's
# punctuation and a number written out, never cuts a real transcript.
TOKENS_PER_SECOND = 15
MIN_TOKENS = 16
# A phrase that comes back this many times in a row is a loop, not speech ("five five five" is a phone
# number's three fives: it is only cut once the text already compresses like a loop).
_ROUNDS = 3
_MAX_PHRASE_WORDS = 24
_KEY = re.compile(r"[^\w']+")


def token_budget(seconds: float, ceiling: int) -> int:
    """The most tokens worth decoding for ``seconds`` of audio, never over ``ceiling``."""
    return min(ceiling, MIN_TOKENS + int(TOKENS_PER_SECOND * max(seconds, 0.0)))


def without_loop(text: str, max_compression_ratio: float) -> str:
    """``text`` cut back to a loop's first round when it compresses like a loop (faster-whisper's measure
    and threshold for one), else unchanged: a phone number's "five five five" is speech."""
    from faster_whisper.transcribe import get_compression_ratio

    return cut_loop(text) if text and get_compression_ratio(text) > max_compression_ratio else text


def cut_loop(text: str) -> str:
    """``text`` up to the end of the first round of the earliest phrase repeated three times in a row
    (words compared without case or punctuation); unchanged when no phrase repeats so."""
    words = text.split()
    keys = [_KEY.sub("", word.lower()) for word in words]
    for start in range(len(words)):
        for size in range(1, min(_MAX_PHRASE_WORDS, (len(words) - start) // _ROUNDS) + 1):
            phrase = keys[start:start + size]
            if all(keys[start + k * size:start + (k + 1) * size] == phrase for k in range(1, _ROUNDS)):
                return " ".join(words[:start + size]).rstrip(",;:-")
    return text
