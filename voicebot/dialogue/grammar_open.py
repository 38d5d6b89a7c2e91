"""Open asks: the words an answer is made of, where the answers themselves cannot be listed.

A closed ask (a score, yes or no) lists its answers and the recogniser scores each (grammar.py). A phone
number or a pizza order has too many answers to list, but few words: digits and "oh" for a phone number,
the menu's items, sizes and quantities for an order. The recogniser decodes such a turn a second time with
only those words allowed (engines/constrained.py), so "five five five, oh one two three" is not written
"555-123" and "one small veggie" not "one small bitgie". :func:`read_open` then decides, as
``grammar.choose`` does for closed asks:

1. the free transcript when it is a global intent or a closer ("I want to talk to a person", "that's
   all": the restricted words cannot say those); the recogniser does not even run the restricted decode
   for such a turn (``constrained.wanted``, the same two readers);
2. for a phone number, the restricted decode's best hypothesis, then the free transcript, where it reads
   as a number of the usual length (7 or 10 digits in North America); otherwise the best hypothesis with
   its one longest run of a repeated digit one digit shorter, where that makes the usual length
   (:func:`shortened_run`: whisper writes "five five five" as four fives), then a runner-up of the usual
   length, both read back ("I think you said ...": the beam's best reading is another number); a free
   transcript with a word that is no digit comes after the runner-ups; a number
   of another length, whichever reading it comes from, is read back too, never taken at once (its
   confidence is set under the dialogue's ``low_confidence``);
3. otherwise the first of the restricted hypotheses that the slot's parser reads as a valid answer;
4. otherwise the free transcript, as before.
A restricted hypothesis far less likely on the audio than the free transcript
(``grammar.MAX_LOGPROB_GAP``) is never taken.

A date is decoded again only where the free transcript does not already read as one
(``constrained.wanted``), in month names, ordinals and digits: in words only whisper cut "January first
nineteen sixty" short when it could not write "1960", and where the free transcript read as a date, the
restricted one was no better (BENCHMARKS.md, issue 10, "Open asks"). English and Korean (a phone
number and an order; see :func:`spoken_in` for what a Korean restricted hypothesis must be made of);
other languages ask for nothing.
Everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from voicebot.dialogue.model import Dialogue, SlotSpec
from voicebot.engines.constrained import (
    DIGITS,
    ONLY,
    allowed_words,
    heard_only,
    only_words,
    short_window,
    split_requests,
    wanted,
)
from voicebot.engines.substitution import heard_substituted, split_swap, swap_words
from voicebot.nlu.numbers import (
    EN_ORDINAL_TEENS,
    EN_ORDINAL_TENS,
    EN_ORDINAL_UNITS,
    EN_TEENS,
    EN_TENS,
    EN_UNITS,
)
from voicebot.nlu.phone import takes_a_number_back, usual_phone_length

if TYPE_CHECKING:
    from voicebot.dialogue.grammar import Alternative, ExpectedAnswers, Reading
    from voicebot.dialogue.understanding import SlotReader

DIGIT_WORDS = ("zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
               "double", "triple")
# What callers put around a phone number; "my number is" read as digits would spoil the number.
PHONE_FILLERS = ("my", "number", "is", "it's", "it", "the")
QUANTITY_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                  "twelve", "a", "an")
# Restricted to digit words, whisper spells "oh oh" as "OO" at times (the letters are allowed for "o").
_OHS = re.compile(r"\b[Oo]{2,3}\b")
# What whisper writes for an "oh" said as [əʊ] after a digit when it may not write "so" (eSpeak en-gb):
# allowed in the restricted decode and read as "oh" after a digit word; it dropped the zero otherwise
# (BENCHMARKS.md, issue 10, open asks).
OH_SOUNDALIKES = ("so", "go")
_DIGIT_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
_OH_AFTER_DIGIT = re.compile(r"\b(" + _DIGIT_WORD + r",? )(?:so|go)\b", re.IGNORECASE)
MONTH_WORDS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                 "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                 "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth", "twenty", "thirty")
DATE_FILLERS = ("the", "of", "it's", "my", "birthday", "is", "on", "born", "in", "and")
# Words a caller says a date or a phone number in, beside numbers written in digits ("1985", "21st"): a
# reading that holds any other word ("March 3rd, 1988, time.", "It's time time, 8, 6, 7, 5, 3, 0, 9.") is
# a misheard answer more often than not, so its value is read back, not taken (:func:`stray_words`).
_SPOKEN_NUMBERS = (*EN_UNITS, *EN_TEENS, *EN_TENS, *EN_ORDINAL_UNITS, *EN_ORDINAL_TEENS, *EN_ORDINAL_TENS,
                   "hundred", "thousand", "oh", "o", "st", "nd", "rd", "th")
_HESITATIONS = ("uh", "um", "er", "erm", "hmm")
DATE_SAID_IN = frozenset(w.lower() for w in (*MONTH_WORDS, *ORDINAL_WORDS, *DATE_FILLERS, *_SPOKEN_NUMBERS,
                                             *_HESITATIONS, "i", "was", "date", "birth", "a", "nineteen"))
PHONE_SAID_IN = frozenset(w.lower() for w in (*DIGIT_WORDS, *PHONE_FILLERS, *_HESITATIONS, "area", "code",
                                              "and", "phone"))
_MONTHS_LOWER = frozenset(m.lower() for m in MONTH_WORDS)
# A date read from the free transcript is read back where its month holds less of the probability than
# this among the twelve months scored in its place (the grammar's ACCEPT_POSTERIOR): on the phone corpus's
# tuning half, eSpeak's "December" heard as "November" held 0.58-0.81, right months 0.81 once, else >= 0.99.
MONTH_SHARE = 0.9
# An order is encoded over 10 s (requests_for), where the free decode's confidence, which its answer
# carries, is lower than over whisper's 30 s window that the dialogues' low_confidence (0.4 by default) was
# set on: held-out read-backs of right orders rose from 7 to 12 (11 here), no wrong value among them. An
# order's confidence is put on the 30 s scale (:func:`over_short_window`), SHORT_WINDOW_READ_BACK going to
# WHOLE_WINDOW_READ_BACK: on the phone corpus's tuning half (45 menus, phone8) as few answers fall under it
# over 10 s as fell under 0.4 over 30 s (2: 0.167 and 0.326 over 30 s, 0.169 and 0.176 over 10 s; the
# next 0.206); no wrong order was under either (BENCHMARKS.md, issue 10, "Open asks over 10 s").
SHORT_WINDOW_READ_BACK = 0.2
WHOLE_WINDOW_READ_BACK = 0.4
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_IN_DIGITS = re.compile(r"\d+(?:st|nd|rd|th)?")
ORDER_FILLERS = ("and", "please", "I'd", "like", "both", "all", "with", "of", "the", "can", "I", "get",
                 "have", "want", "each", "pizza", "pizzas")
# Korean: Sino-Korean digits as said in a phone number (공 and 영 for zero), and whisper's digits; the
# quantities of an order (native numerals before the counter, 한 판, and 하나 둘 셋 said alone).
KO_DIGIT_WORDS = ("공", "영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
KO_PHONE_FILLERS = ("제", "번호는", "번호", "전화번호는", "이에요", "입니다", "예요")
KO_QUANTITY_WORDS = ("한", "두", "세", "네", "다섯", "하나", "둘", "셋", "넷", "판", "개")
KO_ORDER_FILLERS = ("주세요", "이랑", "랑", "하고", "그리고", "피자", "요", "로", "으로", "사이즈")


def open_words(dialogue: Dialogue, spec: SlotSpec) -> tuple[str, ...]:
    """The words an answer to an ask for ``spec`` is made of, or () where that is not worth a decode."""
    if dialogue.language == "ko":
        return _korean_words(dialogue, spec)
    if dialogue.language != "en":
        return ()
    if spec.type in ("phone", "digits"):
        return (*DIGIT_WORDS, *OH_SOUNDALIKES, *PHONE_FILLERS)
    if spec.type == "date":
        # Digits too, with no punctuation: in words only whisper cut "January first nineteen sixty" short.
        return (*MONTH_WORDS, *ORDINAL_WORDS, *DATE_FILLERS, DIGITS)
    if spec.type == "order_lines" and spec.catalogue:
        words: list[str] = []
        for name in (spec.catalogue, spec.sizes):
            if name is None or name not in dialogue.catalogues:
                continue
            for entry in dialogue.catalogues[name].entries:
                names = (entry.spoken, *(() if "_" in entry.value else (entry.value,)), *entry.synonyms)
                words.extend(w for said in names for w in said.split())
        return (*dict.fromkeys(words), *QUANTITY_WORDS, *ORDER_FILLERS)
    return ()


def _korean_words(dialogue: Dialogue, spec: SlotSpec) -> tuple[str, ...]:
    """A Korean phone number's or order's words (no dates: Korean dates are read as whisper writes them)."""
    if spec.type in ("phone", "digits"):
        return (*KO_DIGIT_WORDS, *KO_PHONE_FILLERS, DIGITS)
    if spec.type == "order_lines" and spec.catalogue:
        names = [n for n in (spec.catalogue, spec.sizes) if n is not None and n in dialogue.catalogues]
        words = [w for name in names for entry in dialogue.catalogues[name].entries
                 for said in (entry.spoken, *entry.synonyms) for w in said.split()]
        counter = (spec.counter,) if spec.counter else ()
        return (*dict.fromkeys(words), *KO_QUANTITY_WORDS, *counter, *KO_ORDER_FILLERS)
    return ()


def requests_for(dialogue: Dialogue, spec: SlotSpec) -> tuple[str, ...]:
    """What an open ask passes among the recogniser's ``expected``: one restricted decode, or nothing."""
    words = open_words(dialogue, spec)
    if not words:
        return ()
    if spec.type == "date":
        # A date is not decoded again where the free transcript already reads as one: whisper writes dates
        # well in digits, and the restricted decode's dates were no better there (BENCHMARKS.md). Its month
        # is scored against the other eleven instead, so that a contested month is read back.
        return only_words(words, "date"), swap_words(MONTH_WORDS)
    # An order is heard as well over a short window padded with silence, for less than a third of the CPU;
    # a phone number or a date is not (BENCHMARKS.md, issue 10, "Open asks over 10 s").
    return (only_words(words, short=spec.type == "order_lines"),)


def describe_request(request: str) -> str:
    """One line for ``voicebot validate --grammar``: what a restricted decode may write, and when."""
    swaps = split_swap((request,))[0]
    if swaps:
        return "the free transcript scored again with its word of these replaced by each: " + " ".join(swaps)
    (words,) = split_requests((request,))[0]
    allowed = [("numbers in digits" if w == DIGITS else w) for w in allowed_words(words)]
    when = "" if wanted(words, "", "en") == wanted(words, "1 January 1990", "en") else \
        " (only where the free transcript reads as no date)"
    window = ", over 10 s of audio" if short_window(words) else ""
    return f"decoded again{when}{window}, only: " + " ".join(allowed)


def choose_open(free_text: str, free_confidence: float | None, alternatives: Sequence[Alternative],
                free_logprob: float | None, read: Callable[[str], object], keep_free: Callable[[str], bool],
                max_gap: float, preferred: Callable[[str], bool] | None = None,
                repaired: Callable[[str], str | None] | None = None, doubt: float | None = None,
                trust_free: bool = True) -> Reading:
    """The rule of the module docstring. ``read``: the slot's value in a text (None: no answer);
    ``keep_free``: the free transcript is an intent or a closer, which only it can say; ``preferred``: an
    answer of the usual shape (a phone number of the country's length): the restricted decode's best
    hypothesis, then the free transcript, then the best hypothesis as ``repaired`` (the text of a value of
    the usual shape it may stand for, or None), then a runner-up. A hypothesis that means what the free
    transcript means leaves the transcript as it is. A repaired best hypothesis and a runner-up are
    doubtful (the beam's best reading is another number): their confidence is ``doubt`` where given. A free
    transcript that is not ``trust_free`` (it holds words that are no part of such an answer) comes after
    the runner-ups."""
    from voicebot.dialogue.grammar import Reading

    free_value = read(free_text)
    kept = Reading(free_text, free_confidence, "unmatched" if free_value is None else "free")
    if keep_free(free_text):
        return kept
    heard = [text for text, logprob in heard_only(alternatives)
             if free_logprob is None or logprob >= free_logprob - max_gap]
    candidates = [(text, read(text)) for text in heard]
    unsure = free_confidence if doubt is None else doubt
    if preferred is not None:
        free = ((free_text, free_value),)
        if (trust_free and free_value is not None and preferred(free_text) and candidates
                and candidates[0][1] is not None and preferred(candidates[0][0])
                and _lost_its_start(str(candidates[0][1]), str(free_value))):
            return kept  # "Area code 312 and the number is 555-7001." against "the number is five five ..."
        for text, value in (*candidates[:1], *(free if trust_free else ())):
            if value is not None and preferred(text):
                return kept if value == free_value else Reading(text, free_confidence, "constrained")
        repair = repaired(candidates[0][0]) if repaired is not None and candidates else None
        if repair is not None:
            return Reading(repair, unsure, "constrained")
        for text, value in candidates[1:]:
            if value is not None and preferred(text):
                return kept if value == free_value else Reading(text, unsure, "constrained")
        if free_value is not None and preferred(free_text):
            return kept
    for text, value in candidates:
        if value is not None:
            return kept if value == free_value else Reading(text, free_confidence, "constrained")
    return kept


def _lost_its_start(restricted: str, free: str) -> bool:
    """The restricted decode's number is the end of the free transcript's, which is longer: it lost what
    it may not write before the number ("area code 312 and the number is ...", 7 of 10 digits)."""
    return len(free) > len(restricted) and free.endswith(restricted)


def spell_ohs(text: str) -> str:
    """"OO" as "oh oh": two zeros, as a caller says them in a phone number; "so" or "go" after a digit
    word as "oh" (:data:`OH_SOUNDALIKES`)."""
    text = _OHS.sub(lambda m: " ".join("oh" for _ in m.group(0)), text)
    while (spelled := _OH_AFTER_DIGIT.sub(r"\1oh", text)) != text:  # "five so so one": one at a time
        text = spelled
    return text


def month_share(text: str, alternatives: Sequence[Alternative], read: Callable[[str], object]) -> float:
    """The share of the probability that the date read from ``text`` holds among the same sentence with
    each month in its place, as the recogniser scored them (a swap request); 1.0 where none was scored."""
    from voicebot.dialogue.grammar import SCORE_SHARPNESS, _normalised

    totals: dict[str, list[float]] = {}
    for said, logprob in heard_substituted(alternatives):
        found = read(said)
        if found is not None:
            totals.setdefault(str(found), []).append(SCORE_SHARPNESS * logprob)
    own = read(text)
    if own is None or str(own) not in totals:
        return 1.0
    return _normalised(totals)[str(own)]


def stray_words(text: str, said_in: frozenset[str]) -> list[str]:
    """The words of ``text`` that are neither numbers in digits ("1985", "21st") nor among ``said_in``
    (lower case): "March 3rd, 1988, time." -> ["time"]."""
    return [w for w in _WORD.findall(text.lower()) if w not in said_in and not _IN_DIGITS.fullmatch(w)]


def shortened_run(digits: str) -> str | None:
    """``digits`` with its longest run of one repeated digit one digit shorter, where that run is the only
    one so long and at least three digits long ("55550199" -> "5550199"); None otherwise. Whisper repeats a
    digit said in a run ("five five five" written "five five five five"), not one said once."""
    runs = [match.span() for match in re.finditer(r"(\d)\1*", digits)]
    lengths = [end - start for start, end in runs]
    if not lengths or max(lengths) < 3 or lengths.count(max(lengths)) != 1:
        return None
    start, _ = runs[lengths.index(max(lengths))]
    return digits[:start] + digits[start + 1:]


def spoken_in(text: str, words: Sequence[str]) -> bool:
    """Whether every Hangul syllable of ``text`` is a syllable of ``words``. A Korean restricted decode is
    leaky: whisper writes most Korean words in byte pieces ("페퍼로니" is five tokens, three of them parts of
    a syllable), and the pieces allowed for one word combine into other syllables ("도뭐로" for a phone
    number). Such a hypothesis is no answer in the ask's words. Text without Hangul passes."""
    from voicebot.nlu.normalize import is_hangul

    allowed = {ch for word in words for ch in word if is_hangul(ch)}
    return all(ch in allowed for ch in text if is_hangul(ch))


def over_short_window(confidence: float) -> float:
    """The confidence of an order heard over the short window (:data:`SHORT_WINDOW_READ_BACK`) on the
    scale the dialogues' ``low_confidence`` is set for (whisper's whole window): piecewise linear, with
    :data:`SHORT_WINDOW_READ_BACK` going to :data:`WHOLE_WINDOW_READ_BACK`, 0 to 0 and 1 to 1."""
    short, whole = SHORT_WINDOW_READ_BACK, WHOLE_WINDOW_READ_BACK
    if confidence < short:
        return round(confidence * whole / short, 4)
    return round(min(1.0, whole + (confidence - short) * (1.0 - whole) / (1.0 - short)), 4)


def read_open(reader: SlotReader, expected: ExpectedAnswers, text: str, confidence: float | None,
              alternatives: Sequence[Alternative], logprob: float | None) -> Reading:
    """:func:`choose_open` with the dialogue's own reading: the slot's parser as asked for (homophones
    of digits count), global intents and closers, and the usual length of a phone number."""
    from voicebot.dialogue.grammar import MAX_LOGPROB_GAP

    assert expected.slot is not None
    spec = reader.dialogue.slots[expected.slot]
    language = reader.dialogue.language

    def value(said: str) -> object:
        # A birth date without its year ("March 3rd.") is an answer here: the dialogue asks for the year. So
        # is a year alone, the answer to that: the dialogue puts it with the month and day said before. So
        # is part of a phone number ("5 5 5"), which the dialogue says back; with the parts said before it.
        return (reader.read(spec, said, strict=True, asked=True, earlier=expected.so_far)
                or reader.date_without_year(spec, said) or reader.year_alone(spec, said)
                or (reader.partial_answer(spec, said, expected.so_far) if spec.type == "phone" else None))

    def keep_free(said: str) -> bool:
        # A phone number taken back ("555-123-4567, no sorry, 4568"): the restricted decode cannot write the
        # words that take it back, and its reading was the number taken back (Piper, 3 of 3 calls).
        return (reader.intent(said) is not None or reader.is_closer(said)
                or (spec.type == "phone" and takes_a_number_back(said, language)))

    def usual(said: str) -> bool:
        return usual_phone_length(str(value(said)), language)

    def repaired(said: str) -> str | None:
        """A phone number one digit too long in a run ("five five five five oh one two three"): that run
        one digit shorter, where the number then has the usual length."""
        found = value(said)
        shorter = shortened_run(str(found)) if found is not None else None
        return shorter if shorter is not None and usual_phone_length(shorter, language) else None

    words = open_words(reader.dialogue, spec)

    def strays(said: str) -> bool:
        """A word that is no part of a phone number ("time time" for "five five five"; in Korean a
        syllable outside the ask's words)."""
        return bool(stray_words(said, PHONE_SAID_IN)) if language == "en" else not spoken_in(said, words)

    low = reader.dialogue.behaviour.low_confidence / 2  # a confidence that has the answer read back
    alternatives = [(text, lp) for text, lp in alternatives
                    if not text.startswith(ONLY) or spoken_in(text[len(ONLY):], words)]
    if spec.type in ("phone", "digits"):
        alternatives = [(ONLY + spell_ohs(said), lp) for said, lp in heard_only(alternatives)]
    phone = spec.type == "phone"
    # A free transcript with a word that is no digit ("For one time, five, five, five, ...") lost part of
    # the number more often than not: a runner-up of the usual length comes first (read back either way).
    reading = choose_open(text, confidence, alternatives, logprob, value, keep_free, MAX_LOGPROB_GAP,
                          usual if phone else None, repaired if phone else None, low,
                          trust_free=not strays(text))
    if language not in ("en", "ko") or keep_free(reading.text) or value(reading.text) is None:
        return reading
    if spec.type == "phone":
        # No reading of the usual length: whisper lost or added a digit (4 of the 10 wrong phone numbers of
        # the phone corpus's tuning half were such readings, and none of its right ones); a word that is no
        # digit inside the number ("time time" for "five five five"; in Korean a syllable outside the
        # ask's words); BENCHMARKS.md, issue 10.
        unsure = not usual_phone_length(str(value(reading.text)), language) or strays(reading.text)
    elif spec.type == "date" and language == "en":
        # A date the restricted decode wrote where the free transcript read as none, one with a stray word
        # ("November, second, ID 50, I.") or two month names, or one whose month the audio does not clearly
        # prefer to the other months ("November, 24, 1990." for eSpeak's "December"): BENCHMARKS.md, issue 10.
        months = sum(w in _MONTHS_LOWER for w in _WORD.findall(reading.text.lower()))
        unsure = (reading.source == "constrained" or months > 1
                  or bool(stray_words(reading.text, DATE_SAID_IN))
                  or month_share(reading.text, alternatives, value) < MONTH_SHARE)
    else:
        unsure = False
        short = any(short_window(words) for words in split_requests(expected.requests)[0])
        # Measured on English orders only: a Korean order keeps the dialogue's threshold.
        if spec.type == "order_lines" and short and language == "en" and reading.confidence is not None:
            reading = replace(reading, confidence=over_short_window(reading.confidence))
    if unsure:  # read back to the caller rather than taken
        return replace(reading, confidence=min(reading.confidence or low, low))
    return reading
