"""What a caller can answer at this point of a dialogue: the expected answers of one ask.

An IVR engineer would write a speech grammar (SRGS) per question; here it is derived from the dialogue
itself: the slot's values (integers in range as words and digits, yes/no phrasings, catalogue items with
their synonyms), the ask's own ``hints`` as extra phrases, and the global intents that are live. The
recogniser scores these phrases on the audio it has already encoded (engines/whisper.py), and
:func:`choose` decides what the caller said with a rule that can be explained and measured:

1. the free transcript, when it reads as a valid answer to the question;
2. otherwise the expected answer whose meaning is clearly ahead on the audio, once the prior that a
   caller answers the question is taken into account (a lone "Bye." mid-question is far more often a
   misheard "five" than a wish to hang up);
3. otherwise the free transcript as heard, which the dialogue reprompts or confirms.

Everything here is pure: dialogue definitions and numbers in, phrases and decisions out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from voicebot.dialogue import grammar_open
from voicebot.dialogue.model import Dialogue, SlotSpec
from voicebot.dialogue.render import english_number_words
from voicebot.engines.scoring import BARE_ANSWER_WORDS, CONTESTED, NUMBER, STAND_IN_WORDS, YES_NO, plain
from voicebot.engines.substitution import bare_word, heard_substituted, substitute_words
from voicebot.nlu.homophones import EN_NUMBER_HOMOPHONES

if TYPE_CHECKING:
    from voicebot.dialogue.understanding import SlotReader

# Enumerate integer ranges up to this many values (a 0-10 score, a 1-31 day); larger ranges are left to
# the free transcript, whose number parser handles them.
MAX_ENUMERATED_VALUES = 32
INTENT = "intent:"
# log prior of an intent against the question's own answers, per meaning, added to the sharpened scores:
# callers mostly answer what they were asked. At -6 a real caller's "five" that whisper hears as "Bye."
# (FSDD jackson, often) is taken as 5, while 70 of 70 lone "Bye." / "Goodbye." / "Stop." / "Okay, bye."
# said at a score question (7 voices, phone line) still never become a score (BENCHMARKS.md, issue 10).
INTENT_LOG_PRIOR = -6.0
# An expected answer stands in for a transcript that is no valid answer only when it holds this share
# of the posterior among the answers, and when it is not far less likely on the audio than what the
# free decoding heard (log-probability gap, nats): "Bye." for "five" is ~5 nats, "I don't know" for
# "three" far more.
CLEARLY_AHEAD = 0.6
MAX_LOGPROB_GAP = 8.0
MAX_STAND_IN_WORDS = STAND_IN_WORDS
# A sentence with its answer word replaced (engines/substitution.py) stands in for the transcript only
# when it is at most this much less likely on the audio (nats) than what was heard. 6 since scoring reads
# the turn's audio without padding: on the phone corpus's tuning half 4 / 5 / 6 / 8 gave 255 / 258 / 261 /
# 263 of 272 number answers right, no wrong value, 7 / 7 / 7 / 8 read-backs (BENCHMARKS.md, issue 10).
MAX_SUBSTITUTION_GAP = 6.0
# ... and up to this much less likely it is read back rather than taken ("I think you said 5"), never
# taken at once: on the phone corpus's tuning half, 2 more sentence answers right ("Well, how can I?" ->
# "One, how can I?", 6.5 nats), none wrong; at 8 nats a wrong one ("I hope it ten." for "nine out of
# ten", 7.7 nats) (BENCHMARKS.md, issue 10, "eSpeak's misses, seventh round").
READ_BACK_SUBSTITUTION_GAP = 7.0
# A short yes or no is read back, not taken, where the other answer's phrase that its one flipping word
# swapped makes ("That's right." for a heard "Not right.", engines/scoring.py) is at most this much less
# likely on the audio (nats) than what was heard: the one wrong yes/no taken at once on the phone corpus's
# tuning half was 0.8-1.6 nats ahead of it, right answers' listed phrases of the other answer 4.3 or more
# (BENCHMARKS.md, issue 10, "eSpeak's misses, seventh round" and "Year swap and contested yes/no").
CONTEST_GAP = 3.0
# A global intent said in at most this many words may be a misheard answer ("Bye." for "five"), not a
# clear request (read_answer; the dialogue machine confirms such a stop rather than acting on it).
LONE_WORDS = 2
# An answer taken from the grammar with a smaller posterior than this is read back to the caller.
ACCEPT_POSTERIOR = 0.9
# Temperature scaling of the phrases' log-probabilities before the posterior (Guo et al. 2017): fitted by
# log-likelihood on real voices (the phone corpus's FSDD digits, takes 0-9; BENCHMARKS.md, issue 10), where
# the raw scores were under-confident: right answers at a posterior of 0.6-0.9 were read back for nothing.
SCORE_SHARPNESS = 1.5
# A closed question answered in a sentence that the slot's parser reads ("I'd give it a five", "No, I
# haven't"; at a number question, more than BARE_ANSWER_WORDS words, engines/scoring.py): 78 of 78 right
# on the phone corpus whatever whisper's token confidence (0.2-0.96), so that confidence alone no longer
# sends it to a read-back.
SENTENCE_ANSWER_CONFIDENCE = 0.95

# The slot types whose expected answers are numbers (a score, a count).
NUMERIC = frozenset({"integer", "number"})
_KO_SINO = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구", "십")
_KO_NATIVE = ("", "하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉", "열")

_YES_NO: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "yes": ("Yes.", "Yeah.", "Yes, please.", "Sure.", "That's right.", "Correct.", "Yep."),
        "no": ("No.", "Nope.", "No, thank you.", "Not really.", "That's wrong."),
    },
    "ko": {
        "yes": ("네.", "예.", "맞아요.", "네, 맞습니다.", "그렇습니다."),
        "no": ("아니요.", "아니오.", "아니에요.", "아닙니다.", "틀렸어요."),
    },
}
# Phrases that are answers when said but not worth scoring: leaving each out changed no decision on the
# phone corpus, and every row scored costs ~3-8 ms of CPU (BENCHMARKS.md, issue 10). Agent and repeat
# requests are read from the free transcript (said in more than two words); of the stop words only "Bye."
# competes with the answers on the audio ("Bye." for "five"): leaving out "Stop." and "Goodbye." changed no
# decision on either half of the phone corpus's closed asks nor on 70 lone stop words said at the score
# questions, moved no confidence by more than 0.0004, and took 2 of a number question's 8 or 14 rows off.
_UNSCORED = frozenset({"Yes, please.", "Yep.", "No, thank you.", "Not really.", "That's wrong.", "Stop.",
                       "Goodbye."})
_SCORED_INTENTS = frozenset({"stop"})
_INTENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "agent": ("I want to talk to a person.",),
        "repeat": ("Can you repeat that?",),
        "stop": ("Stop.", "Goodbye.", "Bye."),
    },
    "ko": {
        "agent": ("상담원 연결해 주세요.",),
        "repeat": ("다시 말씀해 주세요.",),
        "stop": ("그만하세요.", "끊을게요."),
    },
}


@dataclass(frozen=True, slots=True)
class Phrase:
    """One way to say one answer, written the way the recogniser writes it."""

    text: str
    meaning: str  # the slot value as text ("4", "yes", "pepperoni") or "intent:NAME"
    # Scored on the audio (engines/whisper.py); an unscored phrase is still an answer "as it stands".
    scored: bool = True

    @property
    def is_intent(self) -> bool:
        return self.meaning.startswith(INTENT)


@dataclass(frozen=True, slots=True)
class ExpectedAnswers:
    """The grammar of one ask. ``closed``: the phrases cover every valid answer, so the best of them may
    stand in for a transcript that does not read as one (not so for order lines, dates or free text)."""

    slot: str | None
    slot_type: str
    closed: bool
    phrases: tuple[Phrase, ...]
    # An open ask's requests to the recogniser (grammar_open.py): the words its answers are made of.
    requests: tuple[str, ...] = ()
    # A closed numeric ask's answer words, tried in place of each word of a sentence answer that holds
    # none of them (engines/substitution.py; English only so far).
    substitutes: tuple[str, ...] = ()
    # A phone number said in parts: the digits said before this answer, which it continues.
    so_far: str | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.phrases)

    @property
    def to_score(self) -> tuple[str, ...]:
        """The phrases worth scoring on the audio: only a closed grammar's answers can stand in for the
        transcript (:func:`choose`); an open one asks for a decode restricted to its words, if any."""
        if not self.closed:
            return self.requests
        scored = tuple(p.text for p in self.phrases if p.scored)
        if self.slot_type == "yes_no":  # a yes or no in other words is read as it stands (scoring.py)
            scored = (*scored, YES_NO)
        elif self.slot_type in NUMERIC:  # so is a number said in a sentence
            scored = (*scored, NUMBER)
        return (*scored, substitute_words(self.substitutes)) if self.substitutes else scored

    def meanings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.meaning for p in self.phrases))

    def describe(self) -> list[str]:
        """One line per meaning with its phrases: what ``voicebot validate --grammar`` prints."""
        lines = []
        for meaning in self.meanings():
            scored = [p.text for p in self.phrases if p.meaning == meaning and p.scored]
            unscored = [p.text for p in self.phrases if p.meaning == meaning and not p.scored]
            line = f"{meaning}: " + " | ".join(scored)
            if unscored:
                line += (" " if scored else "") + "(read, not scored: " + " | ".join(unscored) + ")"
            lines.append(line)
        return lines


# An expected phrase with its log-probability on the audio, as the recogniser scored it.
Alternative = tuple[str, float]


@dataclass(frozen=True, slots=True)
class Reading:
    """What the caller is taken to have said, and why."""

    text: str
    confidence: float | None
    source: str  # "free" | "grammar" | "constrained" (grammar_open.py) | "unmatched"
    meaning: str | None = None


def for_slot(dialogue: Dialogue, spec: SlotSpec, extra: Sequence[str] = (),
             read: Callable[[str], object] | None = None) -> ExpectedAnswers:
    """The expected answers to an ask for ``spec``; ``extra`` are the author's phrases (the ask's hints),
    each meaning what ``read`` (the dialogue's slot reader) makes of it."""
    language = dialogue.language
    phrases: list[Phrase] = []
    closed = False
    substitutes: tuple[str, ...] = ()
    kind = spec.type
    if kind in ("integer", "number") and _enumerable(spec):
        assert spec.minimum is not None and spec.maximum is not None
        values = range(int(spec.minimum), int(spec.maximum) + 1)
        for n in values:
            phrases.extend(Phrase(text, str(n), text not in _unscored_korean(n, language))
                           for text in number_phrases(n, language))
        closed = kind == "integer"
        if closed and language == "en" and all(n >= 0 for n in values):
            substitutes = tuple(english_number_words(n) for n in values)
        # A scale's words ("very satisfied", "full marks") are read as said (SlotReader), not scored: scoring
        # "Very satisfied." cost +3.8% CPU at that question and changed none of 273 number answers
        # (BENCHMARKS.md, sixteenth round).
    elif kind == "yes_no":
        phrases.extend(_yes_no_phrases(language))
        closed = True
    elif kind in ("choice", "order_lines") and spec.catalogue:
        for entry in dialogue.catalogues[spec.catalogue].entries:
            # A value like "bbq_chicken" is an identifier, not words; its label says it.
            names = (entry.spoken, *(() if "_" in entry.value else (entry.value,)), *entry.synonyms)
            for said in dict.fromkeys(names):
                phrases.append(Phrase(_sentence(said), entry.value))
        closed = kind == "choice"
    for said in extra:
        found = meaning_of(read(said)) if read is not None else None
        if found is not None:
            phrases.append(Phrase(_sentence(said), found))
    phrases.extend(intent_phrases(dialogue))
    return ExpectedAnswers(spec.name, kind, closed, tuple(dict.fromkeys(phrases)),
                           () if closed else grammar_open.requests_for(dialogue, spec), substitutes)


def intent_phrases(dialogue: Dialogue) -> list[Phrase]:
    b = dialogue.behaviour
    live = {"agent": b.agent_enabled, "repeat": b.repeat_enabled, "stop": b.stop_enabled}
    table = _INTENTS.get(dialogue.language, _INTENTS["en"])
    return [Phrase(text, INTENT + name, name in _SCORED_INTENTS and text not in _UNSCORED)
            for name, texts in table.items() if live[name] for text in texts]


def number_phrases(n: int, language: str) -> tuple[str, ...]:
    """How a caller says the number ``n`` alone, in the recogniser's spelling."""
    if language == "ko":
        said = [f"{n}.", f"{n}점."]
        if 0 <= n <= 10:
            said.append(f"{_KO_SINO[n]}.")
        if 1 <= n <= 10:
            said.append(f"{_KO_NATIVE[n]}.")
        return tuple(said)
    # In words only: scoring "4." beside "Four." cost twice the CPU for no accuracy (the posterior sums a
    # meaning's phrases, and both spellings score alike on the audio; bench/phone_answers.py, issue 10).
    return (f"{english_number_words(n).capitalize()}.",)


def _unscored_korean(n: int, language: str) -> tuple[str, ...]:
    """Korean spellings of ``n`` read but not scored: four scored rows per value ("5.", "5점.", "오.",
    "다섯.") cost +34.6% of a turn's decoding on base. The score form "5점." and the Sino-Korean "오." stay
    scored (what a caller says at a score question); the bare digit and the native "다섯." are still
    answers as they stand, and the parser reads them in a sentence (BENCHMARKS.md, issue 10)."""
    if language != "ko" or not 0 <= n <= 10:
        return ()
    return (f"{n}.", f"{_KO_NATIVE[n]}.") if n else (f"{n}.",)


def choose(free_text: str, free_confidence: float | None, alternatives: Sequence[Alternative],
           expected: ExpectedAnswers | None, meaning: Callable[[str], str | None],
           is_clear_intent: Callable[[str], bool], free_logprob: float | None = None) -> Reading:
    """The rule of the module docstring.

    ``meaning``: what the dialogue reads a text as (the slot value in its phrase form, see
    :func:`meaning_of`), None when it is no valid answer; ``is_clear_intent``: the text is a global
    intent said in more than a word or two, or a request to hold on, kept as heard; ``free_logprob``: the
    free transcript's own log-probability.

    Where the grammar is closed, an answer's confidence is its meaning's posterior over the expected
    answers, intents included (phrasing and casing variants of one answer add up instead of splitting the
    probability, as they do in the transcript's own token probabilities).
    """
    closed = expected is not None and expected.closed
    posterior = meaning_posterior(alternatives, expected) if closed else {}
    heard = meaning(free_text)
    if heard is not None:
        # The posterior speaks for the transcript only where the caller said an expected answer as it
        # stands ("Four.") or in a word or two: "We are three people" is not scored by the bare "Three.".
        as_expected = expected is not None and plain(free_text) in {plain(p.text) for p in expected.phrases}
        # (For numbers only: a yes said as "Go ahead." is no scored phrase, so no posterior speaks for it.)
        bare = as_expected or (len(plain(free_text).split()) <= BARE_ANSWER_WORDS
                               and expected is not None and expected.slot_type in NUMERIC)
        if posterior and bare and not as_expected:
            # A word the parser reads that is no way of saying an answer ("Second." read as 2, where the
            # audio says "seven"): the audio decides, as for a transcript that reads as nothing.
            instead = _stand_in(free_text, alternatives, expected, posterior, free_logprob)
            if instead is not None and instead.meaning != heard:
                return instead
        if posterior and bare:
            confidence: float | None = round(posterior.get(heard, 0.0), 4)
        elif closed:  # a sentence answer, whose phrases' scores the recogniser may not compute (scoring.py)
            confidence = max(free_confidence or 0.0, SENTENCE_ANSWER_CONFIDENCE)
        else:
            confidence = free_confidence
        if _contested(alternatives, meaning, heard, free_logprob):  # read back, never taken at once
            return Reading(free_text, min(confidence or 0.0, ACCEPT_POSTERIOR / 2), "grammar", heard)
        return Reading(free_text, confidence, "free", heard)
    if is_clear_intent(free_text):
        return Reading(free_text, free_confidence, "free")
    instead = _stand_in(free_text, alternatives, expected, posterior, free_logprob)
    if instead is None and closed:
        instead = _substituted(alternatives, meaning, free_logprob, free_text)
    return instead if instead is not None else Reading(free_text, free_confidence, "unmatched")


def _stand_in(free_text: str, alternatives: Sequence[Alternative], expected: ExpectedAnswers | None,
              posterior: dict[str, float], free_logprob: float | None) -> Reading | None:
    """Rule 2: the expected answer that stands in for a short transcript, or None."""
    answers = {m: p for m, p in posterior.items() if not m.startswith(INTENT)}
    # Only a short utterance is a garbled short answer; the phrases are scored without an end token, so a
    # "Yeah." would fit the start of "I'd like to speak to a real person" as well as a yes.
    if not answers or expected is None or len(plain(free_text).split()) > MAX_STAND_IN_WORDS:
        return None
    best, share = max(answers.items(), key=lambda kv: kv[1])
    text, logprob = _best_phrase(alternatives, expected, best)
    clearly_ahead = share / sum(answers.values()) >= CLEARLY_AHEAD
    plausible = free_logprob is None or logprob >= free_logprob - MAX_LOGPROB_GAP
    if not (clearly_ahead and plausible):
        return None
    # A short word that sounded like "bye" keeps a low posterior here, so the dialogue reads the answer
    # back ("I think you said 5. Is that right?") instead of taking it or ending the call.
    return Reading(text, round(share, 4), "grammar", best)


def _contested(alternatives: Sequence[Alternative], meaning: Callable[[str], str | None], heard: str,
               free_logprob: float | None) -> bool:
    """Whether the transcript with its flipping word swapped means another answer and is at most
    :data:`CONTEST_GAP` nats less likely on the audio than what was heard."""
    if free_logprob is None:
        return False
    return any(logprob >= free_logprob - CONTEST_GAP and meaning(text[len(CONTESTED):]) not in (None, heard)
               for text, logprob in alternatives if text.startswith(CONTESTED))


def _substituted(alternatives: Sequence[Alternative], meaning: Callable[[str], str | None],
                 free_logprob: float | None, free_text: str) -> Reading | None:
    """Rule 2 for a sentence answer whose answer word was misheard: the transcript with one word replaced by
    an answer word (engines/substitution.py), when one meaning is clearly ahead among the sentences that
    read as answers and its best sentence is about as likely on the audio as what was heard. Its
    confidence is that share, so below :data:`ACCEPT_POSTERIOR` the dialogue reads it back; a sentence
    between :data:`MAX_SUBSTITUTION_GAP` and :data:`READ_BACK_SUBSTITUTION_GAP` nats less likely is always
    read back, and so is one further behind whose replaced word sounds the same as the answer word
    (:func:`_homophone_swap`)."""
    totals: dict[str, list[float]] = {}
    best: dict[str, Alternative] = {}
    for text, logprob in heard_substituted(alternatives):
        found = meaning(text)
        if found is None:
            continue
        totals.setdefault(found, []).append(SCORE_SHARPNESS * logprob)
        if found not in best or logprob > best[found][1]:
            best[found] = (text, logprob)
    if not totals:
        return None
    posterior = _normalised(totals)
    winner = max(posterior, key=lambda m: posterior[m])
    share = posterior[winner]
    text, logprob = best[winner]
    gap = 0.0 if free_logprob is None else free_logprob - logprob
    if share < CLEARLY_AHEAD or (gap > READ_BACK_SUBSTITUTION_GAP and not _homophone_swap(free_text, text)):
        return None
    confidence = round(share, 4)
    if gap > MAX_SUBSTITUTION_GAP:  # read back, never taken at once
        confidence = min(confidence, ACCEPT_POSTERIOR / 2)
    return Reading(text, confidence, "grammar", winner)


def _homophone_swap(heard: str, sentence: str) -> bool:
    """Whether ``sentence`` is ``heard`` with one word replaced by the number it sounds like ("I'm paid
    for..." -> "I'm paid four..."). The two sound the same, so what the swap costs on the audio is
    whisper's language model preferring "paid for": 7.8-8.2 nats for eSpeak en-gb's "I'd say four"
    (BENCHMARKS.md, issue 10, tenth round). English only, as the homophones are."""
    said, swapped = heard.split(), sentence.split()
    if len(said) != len(swapped):
        return False
    pairs = [(bare_word(a), bare_word(b)) for a, b in zip(said, swapped, strict=True) if a != b]
    return len(pairs) == 1 and EN_NUMBER_HOMOPHONES.get(pairs[0][0]) == pairs[0][1]


_ASKING_FIRST_WORDS = (["sorry"], ["pardon"], ["what"], ["huh"], ["excuse"])


def read_answer(reader: SlotReader, expected: ExpectedAnswers, text: str, confidence: float | None,
                alternatives: Sequence[Alternative], logprob: float | None,
                lone_words: int = LONE_WORDS) -> Reading:
    """:func:`choose` with the dialogue's own reading of words: the slot's parser (yes/no for a yes/no
    question) for answers, and a global intent said in more than ``lone_words`` words as clear. An open
    ask that asked for a restricted decode is read by grammar_open.read_open."""
    if expected.requests and not expected.closed:
        return grammar_open.read_open(reader, expected, text, confidence, alternatives, logprob)
    if expected.slot_type == "yes_no" or expected.slot is None:
        def meaning(said: str) -> str | None:
            return meaning_of(reader.yes_no(said))
    else:
        spec = reader.dialogue.slots[expected.slot]

        def meaning(said: str) -> str | None:
            return meaning_of(reader.read(spec, said, strict=True))

    def clear_intent(said: str) -> bool:
        # "One second." asks for a moment: kept as heard (asked again), never replaced by the scored "One.".
        # "Who is this?" and "are you a robot?" are kept as heard too: the dialogue says who, or what, calls.
        if reader.asks_to_hold(said) or reader.asks_who(said) or reader.asks_if_bot(said):
            return True
        # "Is five the best?": the scored "Five." in its place would be taken as the score.
        if expected.slot is not None and reader.scale_question(reader.dialogue.slots[expected.slot],
                                                               said) == "":
            return True
        # "Sorry, two." for "sorry, who?" at "Do you have two minutes?": a yes or no scored in its place
        # ended the survey as declined. At a yes/no question a caller who starts "sorry" or "what" asks;
        # kept as heard, it is asked again. (At a number question "Sorry." was Piper's "three": not there.)
        if expected.slot_type == "yes_no" and reader.words(said)[:1] in _ASKING_FIRST_WORDS:
            return True
        return reader.intent(said) is not None and len(reader.words(said)) > lone_words

    return choose(text, confidence, alternatives, expected, meaning, clear_intent, logprob)


def meaning_posterior(alternatives: Sequence[Alternative],
                      expected: ExpectedAnswers | None) -> dict[str, float]:
    """P(meaning | audio) over the expected meanings: the phrases' probabilities summed per meaning,
    intents weighted by their prior, normalised."""
    if expected is None:
        return {}
    meaning_of_text = {p.text: p.meaning for p in expected.phrases}
    totals: dict[str, list[float]] = {}
    for text, logprob in alternatives:
        found = meaning_of_text.get(text)
        if found is None:
            continue
        prior = INTENT_LOG_PRIOR if found.startswith(INTENT) else 0.0
        totals.setdefault(found, []).append(SCORE_SHARPNESS * logprob + prior)
    if not totals:
        return {}
    return _normalised(totals)


def _normalised(totals: dict[str, list[float]]) -> dict[str, float]:
    """Each meaning's share of the probability, from its phrases' (sharpened) log-scores."""
    scores = {m: _logsumexp(v) for m, v in totals.items()}
    top = max(scores.values())
    weights = {m: math.exp(s - top) for m, s in scores.items()}
    total = sum(weights.values())
    return {m: w / total for m, w in weights.items()}


def meaning_of(value: object) -> str | None:
    """A slot value in the form ``Phrase.meaning`` uses: "4", "yes", "pepperoni"."""
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _best_phrase(alternatives: Sequence[Alternative], expected: ExpectedAnswers, meaning: str) -> Alternative:
    texts = {p.text for p in expected.phrases if p.meaning == meaning}
    return max((a for a in alternatives if a[0] in texts), key=lambda a: a[1])


def _enumerable(spec: SlotSpec) -> bool:
    if spec.minimum is None or spec.maximum is None:
        return False
    return 0 < spec.maximum - spec.minimum + 1 <= MAX_ENUMERATED_VALUES


def _yes_no_phrases(language: str) -> list[Phrase]:
    table = _YES_NO.get(language, _YES_NO["en"])
    return [Phrase(text, meaning, text not in _UNSCORED)
            for meaning, texts in table.items() for text in texts]


def _sentence(said: str) -> str:
    said = said.strip()
    if not said:
        return said
    said = said[0].upper() + said[1:]
    return said if said[-1] in ".?!" else said + "."


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))
