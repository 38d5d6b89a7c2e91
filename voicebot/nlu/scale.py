"""The words a question gives the ends of its scale, and a caller who answers in them.

"On a scale of one to five, where five is very satisfied, ...": a caller who says "very satisfied" means
5. The labels come from the question itself (:func:`scale_labels`), so the author writes nothing more;
an answer means a label's number only when it holds all of the label's words, in order, and does not
deny them ("not very satisfied", "매우 만족하지 않아요" are asked again, as a bare "satisfied" is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from voicebot.nlu.normalize import words
from voicebot.nlu.numbers import parse_number

Label = tuple[str, int]  # the label's words, normalised; the number it stands for

# "where five is very satisfied", "1 being poor and 5 being excellent", "10 means extremely likely".
_EN_LABEL = re.compile(
    r"(?P<num>\b[\w-]+)\s+(?:is|means|being|for|=)\s+(?P<label>[a-z][a-z' -]*?)"
    r"(?=\s*(?:[,.;:?!)]|\band\b|\bor\b|$))",
    re.IGNORECASE,
)
# "5점이 매우 만족입니다", "1점은 매우 불만족, 5점은 매우 만족이에요".
_KO_LABEL = re.compile(
    r"(?P<num>\d+|[영일이삼사오육칠팔구십]+)\s*점\s*(?:이|은|는|이면|은요)\s+(?P<label>[가-힣 ]+?)"
    r"(?=\s*(?:입니다|이에요|예요|이고|이며|[,.?!]|$))"
)
_MAX_LABEL_WORDS = 4
_STEM = 6
_EN_DENIALS = frozenset({"not", "never", "no"})
_KO_DENIALS = ("안", "못")
# A label's "very" said another way: "really satisfied", "아주 만족해요".
_INTENSIFIERS = {
    "en": frozenset({"very", "really", "extremely", "so", "super", "totally", "completely", "highly"}),
    "ko": frozenset({"매우", "아주", "정말", "너무", "진짜", "완전", "엄청", "무척"}),
}


def scale_labels(text: str, language: str, lowest: float, highest: float) -> tuple[Label, ...]:
    """The labels ``text`` (a question) gives numbers from ``lowest`` to ``highest``."""
    found: list[Label] = []
    for m in (_EN_LABEL if language == "en" else _KO_LABEL).finditer(text):
        value = parse_number(m["num"], language)
        said = words(m["label"], language)
        if value is None or not float(value).is_integer() or not lowest <= value <= highest:
            continue
        if not said or len(said) > _MAX_LABEL_WORDS or parse_number(m["label"], language) is not None:
            continue
        found.append((" ".join(said), int(value)))
    return tuple(dict.fromkeys(found))


_TOP = {"en": ("full marks", "top marks", "perfect score", "top score", "the highest"),
        "ko": ("만점", "최고점", "최고 점수")}
_BOTTOM = {"en": ("the lowest", "lowest score"), "ko": ("최하점", "최저점", "최저 점수")}


def scale_ends(language: str, lowest: float, highest: float) -> tuple[Label, ...]:
    """What any scale's ends are called: "full marks", "the lowest", "만점", "최하점"."""
    return (*((said, int(highest)) for said in _TOP.get(language, ())),
            *((said, int(lowest)) for said in _BOTTOM.get(language, ())))


def labelled_number(text: str, labels: Iterable[Label], language: str) -> int | None:
    """The number whose label the answer says ("very satisfied" -> 5), or None."""
    said = words(text, language)
    for label, value in sorted(labels, key=lambda lv: -len(lv[0].split())):
        at = _find(said, label.split(), language)
        if at is not None and not _denied(said, at, len(label.split()), language):
            return value
    return None


def _find(said: list[str], label: list[str], language: str) -> int | None:
    """Where the label's words start in ``said``. A Korean word may carry an ending ("만족했어요")."""
    strong = _INTENSIFIERS.get(language, frozenset())
    for i in range(len(said) - len(label) + 1):
        pairs = zip(said[i:i + len(label)], label, strict=True)
        if all(s == w or (language == "ko" and s.startswith(w)) or (w in strong and s in strong)
               or _same_stem(s, w, language) for s, w in pairs):
            return i
    return None


def _same_stem(said: str, label: str, language: str) -> bool:
    """ "Satisfying" for "satisfied" (whisper writes either): long English words alike in their first six
    letters."""
    return language == "en" and min(len(said), len(label)) >= _STEM and said[:_STEM] == label[:_STEM]


def _denied(said: list[str], at: int, length: int, language: str) -> bool:
    if language == "en":
        return any(w in _EN_DENIALS for w in said[max(0, at - 2):at])
    # "만족하지 않았어요", "안 만족했어요", "만족 못 했어요", "매우 만족은 아니에요": denied around the label.
    return any(w in _KO_DENIALS or "않" in w or w.startswith("아니")
               for w in said[max(0, at - 1):at + length + 2])


# A caller asking what the numbers stand for: "is five the best?", "does one mean bad?", "is it out of ten?",
# "5점이 최고예요?". Their number is no answer: a score taken from "is five the best?" was saved, and the
# caller's real answer went to the next question.
_EN_MEANING = frozenset({
    "best", "worst", "highest", "lowest", "high", "low", "higher", "lower", "top", "bottom", "good", "bad",
    "better", "worse", "mean", "means", "meaning", "maximum", "minimum", "max", "min", "positive", "negative",
})
_EN_ASKING = frozenset({"is", "does", "do", "what", "which", "are", "so"})
_KO_MEANING = ("최고", "최저", "제일", "가장", "좋은", "좋다", "나쁜", "나쁘",
               "높은", "높을", "낮은", "낮을", "뜻", "의미", "만점")
_KO_ASKING = ("나요", "가요", "까요", "죠", "거예요", "건가요", "인가요")
_SENTENCES = re.compile(r"(?<=[?.!])\s+")


def scale_question(text: str, language: str) -> str | None:
    """The words said after a question about what the scale's numbers stand for ("is five the best?" ->
    "", "is one the lowest? then one" -> "then one"); None when no such question is asked. A statement
    ("five is the best", "4 out of 5") answers."""
    sentences = _SENTENCES.split(text.strip())
    asked = None
    for k, sentence in enumerate(sentences):
        if _asks_meaning(sentence, language):
            asked = k
    if asked is None:
        return None
    return " ".join(sentences[asked + 1:])


def _asks_meaning(sentence: str, language: str) -> bool:
    said = words(sentence, language)
    if not said:
        return False
    question = sentence.rstrip().endswith("?")
    if language == "ko":
        question = question or said[-1].endswith(_KO_ASKING)
        return question and any(w.startswith(_KO_MEANING) or "제일" in w or "가장" in w for w in said)
    if not (question or said[0] in _EN_ASKING):
        return False
    out_of = " out of " in f" {' '.join(said)} "
    return out_of or any(w in _EN_MEANING for w in said)
