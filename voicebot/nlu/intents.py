"""Global intents that apply in every dialogue state: ask for a person, ask to repeat, stop the call.

Precision beats recall here: a wrong "agent" or "stop" derails a call, a missed one gets asked again.
So bare words that also occur in ordinary answers are not enough ("bus stop", "사람 두 명"), a negation in
front cancels ("i don't want an agent"), and "what" or "huh" only count as the whole answer. The matched
phrase is returned so the dialogue can tell "cancel" from "goodbye".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from voicebot.nlu.normalize import KO_REPORTED_SPEECH, strip_korean_particles, tokenize, words
from voicebot.nlu.phrases import PhraseHit, find_phrases
from voicebot.nlu.yesno import parse_yes_no


class Intent(StrEnum):
    AGENT = "agent"
    REPEAT = "repeat"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class GlobalIntent:
    """``name`` is "agent", "repeat" or "stop"; ``phrase`` is the phrase recognised, as listed."""

    name: Intent
    phrase: str

    @property
    def value(self) -> str:
        return self.name.value


_A, _R, _S = Intent.AGENT, Intent.REPEAT, Intent.STOP
_PRIORITY = (_A, _S, _R)

_EN: dict[str, Intent] = {
    **dict.fromkeys((
        "agent", "an agent", "live agent", "human", "a human", "human being", "representative",
        "a representative", "real person", "a real person", "live person", "actual person",
        "talk to someone", "speak to someone", "talk to somebody", "speak to somebody",
        "speak with someone", "talk with someone", "talk to a person", "speak to a person",
        "speak with a person", "operator", "customer service", "customer support", "speak to a manager",
        "talk to a manager", "speak to your manager", "talk to your manager", "a supervisor", "transfer me",
        "connect me", "put me through",
    ), _A),
    **dict.fromkeys((
        "repeat", "repeat that", "repeat it", "say that again", "say it again", "say again", "come again",
        "i beg your pardon", "i did not catch that", "i did not catch it", "i did not hear",
        "i did not hear you", "i can not hear you", "i could not hear", "i could not hear you",
        "what did you say", "once more", "one more time", "what do you mean", "sorry what", "what was that",
        "could you repeat",
        "can you repeat", "pardon me", "pardon",
        # Not "I didn't understand" (to "do you understand you can cancel?" it is a no) nor "I didn't get
        # that" (to "have you received the documents?").
        "what was the question", "what is the question", "repeat the question", "say the question again",
        "i missed that", "i missed it", "i missed the question", "you cut out", "you are breaking up",
    ), _R),
    **dict.fromkeys((
        "stop", "stop it", "please stop", "stop calling", "stop calling me", "cancel", "cancel it",
        "cancel that", "cancel the order", "cancel my order", "goodbye", "good bye", "bye", "bye bye",
        "i am not interested", "not interested", "hang up", "i will hang up", "leave me alone",
        "do not call", "do not call me", "do not call me again", "remove me", "remove me from your list",
        "take me off your list", "end the call", "end call", "i have to go", "i got to go", "gotta go",
        "quit", "shut up", "forget it",
    ), _S),
}
# Only as the whole answer (with "sorry"/"please" around): in a sentence they mean something else.
_EN_ALONE = {"what": _R, "huh": _R, "excuse me": _R, "sorry": _R, "pardon": _R, "what what": _R,
             # "Hello?" as the whole answer: the caller did not hear the question (or the line broke up).
             "hello": _R, "hello hello": _R}
_EN_POLITE = frozenset({"sorry", "please", "oh", "i said"})
_EN_BLOCKED_BEFORE = {"stop": frozenset({"bus", "truck", "pit", "next", "last", "one", "first", "final"}),
                      "human": frozenset({"inhuman"})}
# "The agent said I had to": a person the caller tells about, not one asked for (a compliance call's
# answer must not become a transfer).
_TOLD_ABOUT = frozenset({
    "said", "says", "told", "tells", "was", "were", "is", "did", "does", "had", "has", "explained", "called",
    "sold", "asked", "gave", "made", "pushed", "mentioned", "promised", "pressured", "signed", "insisted",
    "convinced", "wanted", "never",
})
_EN_BLOCKED_AFTER = {
    "stop": frozenset({"sign", "light", "lights"}), "human": frozenset({"resources"}) | _TOLD_ABOUT,
    "repeat": frozenset({"customer", "order", "prescription"}),
    **dict.fromkeys(("agent", "representative", "supervisor", "operator", "manager"), _TOLD_ABOUT),
}
_EN_NEGATORS = frozenset({"not", "never", "without", "dont"})
# "Cancel" is the call's (or the order's) only as a command: "you can cancel within thirty days", "yes, I
# know I can cancel", "how do I cancel", "cancel the policy" and "cancel the pepperoni" name something else.
# A compliance call asks "do you understand that you can cancel...?": the answer must not end it.
_CANCEL_BLOCKED_BEFORE = frozenset({"can", "could", "may", "might", "able", "how", "right", "when", "if",
                                    "whether", "allowed", "cannot",
                                    # "what do you mean by cancel?", "what does cancel mean?": asked about
                                    "by", "does", "word"})
_CANCEL_BLOCKED_AFTER = frozenset({
    "mean", "means",
    "within", "in", "if", "before", "after", "for", "by", "at", "during", "anytime", "any", "policy",
    "insurance", "subscription", "contract", "plan", "coverage", "cover", "membership", "account",
    "payment", "payments", "premium", "card",
})
_CANCEL_DETERMINERS = frozenset({"the", "my", "our", "your", "a", "an", "this", "that"})
_CANCEL_OBJECTS = frozenset({"order", "orders", "call", "whole", "survey", "delivery", "thing", "everything",
                             "lot", "request", "it"})

_KO: dict[str, Intent] = {
    **dict.fromkeys((
        "상담원", "상담사", "직원", "담당자", "상담원 연결", "상담사 연결", "사람 연결", "사람한테 연결",
        "사람이랑 통화", "사람하고 통화", "사람이랑 얘기", "사람하고 얘기", "사람 바꿔", "사람 바꿔 주세요",
        "사람 바꿔주세요", "실제 사람", "진짜 사람", "매니저 연결", "상담 연결",
        # As the particle stripper leaves them: "사람이랑 통화하고 싶어요" -> 사람 통화 싶어.
        "사람 통화", "사람 얘기", "사람 이야기", "사람 좀 바꿔", "사람 바꿔줘", "사람 바꿔 줘",
        "사람한테 바꿔", "사람 좀 연결", "사람 연결해", "사장님 바꿔",
        "사람 통화할게", "사람 통화할래", "사람 통화하고", "사람 연결해 줘",
        "사람 얘기할게", "사람 얘기할래", "사람 얘기하고", "사람 좀 연결해",
        # Unstripped ("사람이 통화할 때" is no request): "사람이랑 통화할 수 있어요?"
        "사람이랑 통화할 수", "사람하고 통화할 수", "사람이랑 얘기할 수", "사람하고 얘기할 수",
        "직원분", "매니저", "매니저님", "기계 말고 사람", "로봇 말고 사람", "자동 응답 말고",
    ), _A),
    **dict.fromkeys((
        "다시 말씀해 주세요", "다시 말씀해주세요", "다시 말해 주세요", "다시 말해주세요", "다시 한번",
        "다시 한 번", "다시요", "뭐라고요", "뭐라고", "뭐라구요", "잘 못 들었어요", "못 들었어요",
        "잘 안 들려요", "안 들려요", "다시 해 주세요", "한 번 더", "한번 더", "다시 말씀",
        "뭐라고 하셨어요", "뭐라고 하셨죠", "한 번만 더", "한번만 더", "한 번 더요", "한번 더요",
    ), _R),
    **dict.fromkeys((
        "그만", "그만하세요", "그만해요", "그만해", "그만 하세요", "끊을게요", "끊어요", "끊겠습니다",
        "끊어 주세요", "끊을게", "됐어요", "됐습니다", "필요 없어요", "필요없어요", "필요 없습니다",
        "관심 없어요", "관심없어요", "관심 없습니다", "취소", "취소할게요", "취소해 주세요", "취소해주세요",
        "전화하지 마세요", "전화 하지 마세요", "연락하지 마세요", "안녕히 계세요", "안녕히 계십시오",
    ), _S),
}
_EN_FAREWELLS = frozenset({"goodbye", "good bye", "bye", "bye bye"})
_KO_FAREWELLS = frozenset({"안녕히 계세요", "안녕히 계십시오", "끊을게요", "끊을게", "끊겠습니다"})
# The words of a sign-off and nothing else.
_EN_SIGN_OFF = frozenset({"bye", "goodbye", "good", "okay", "ok", "thanks", "thank", "you"})
_KO_SIGN_OFF = frozenset({
    "안녕히", "계세요", "계십시오", "끊을게요", "끊겠습니다", "네", "감사합니다", "고맙습니다",
})
_SIGN_OFF = {"en": _EN_SIGN_OFF, "ko": _KO_SIGN_OFF}
_KO_ALONE = {"사람": _A, "뭐": _R, "네": _R, "예": _R, "뭐요": _R, "여보세요": _R, "여보세": _R}
_KO_NEGATED_AFTER = frozenset({"말고", "필요", "안", "싫어", "아니고", "아니라"})


def _alone(ws: list[str], table: dict[str, Intent], polite: frozenset[str]) -> GlobalIntent | None:
    core = [w for w in ws if w not in polite] or ws
    phrase = " ".join(core)
    if phrase in table:
        return GlobalIntent(table[phrase], phrase)
    return None


def _allowed_en(hit: PhraseHit[Intent], ws: list[str]) -> bool:
    before = ws[max(0, hit.start - 3): hit.start]
    if hit.label is not _S and any(w in _EN_NEGATORS for w in before):
        return False
    if hit.label is _S and before[-2:] in (["do", "not"], ["can", "not"], ["will", "not"]):
        return False  # "don't hang up", "won't cancel"
    if hit.label is _A and "by" in before[-2:]:
        return False  # "I felt pressured by the agent": told about, not asked for
    head = ws[hit.start]
    tail = ws[hit.end - 1]
    if hit.start > 0 and ws[hit.start - 1] in _EN_BLOCKED_BEFORE.get(head, frozenset()):
        return False
    if hit.phrase == "cancel" and not _cancels_the_call(ws, hit.start, hit.end):
        return False
    return not (hit.end < len(ws) and ws[hit.end] in _EN_BLOCKED_AFTER.get(tail, frozenset()))


def _cancels_the_call(ws: list[str], start: int, end: int) -> bool:
    """ "cancel", "cancel it", "cancel that order": yes. "I can cancel", "cancel within thirty days": no."""
    if any(w in _CANCEL_BLOCKED_BEFORE for w in ws[max(0, start - 3): start]):
        return False
    after = ws[end: end + 2]
    if not after:
        return True
    if after[0] in _CANCEL_DETERMINERS and len(after) > 1:
        return after[1] in _CANCEL_OBJECTS
    return after[0] not in _CANCEL_BLOCKED_AFTER


# "상담원이 꼭 해야 한다고 했어요" (the agent said I had to), "직원이 그렇게 말했어요": a person told about.
_KO_REPORTED = (*KO_REPORTED_SPEECH, "말했", "말씀하셨")


# "보험 취소하고 싶어요" (I want to cancel the policy) cancels the product, not the call.
_KO_CANCELLED_PRODUCTS = frozenset({"보험", "계약", "청약", "가입", "상품", "보험료", "결제", "카드"})


def _allowed_ko(hit: PhraseHit[Intent], ws: list[str]) -> bool:
    after = ws[hit.end: hit.end + 2]
    cancels = hit.label is _S and hit.phrase.startswith("취소") and hit.start > 0
    if cancels and strip_korean_particles(ws[hit.start - 1]) in _KO_CANCELLED_PRODUCTS:
        return False
    if hit.label is _A and any(marker in " ".join(ws[hit.end:]) for marker in _KO_REPORTED):
        return False
    return not (hit.label is _A and any(w.startswith(tuple(_KO_NEGATED_AFTER)) for w in after))


def _intent_hits(text: str, language: str) -> GlobalIntent | list[PhraseHit[Intent]]:
    """A whole-answer intent ("what?"), or every intent phrase allowed in ``text``."""
    ws = words(text, language)
    if not ws:
        return []
    if language == "ko":
        if len(ws) == 1 and ws[0] in ("네", "예") and not text.strip().endswith("?"):
            return []  # a plain "네" is yes; "네?" asks to repeat
        stripped = [strip_korean_particles(w) for w in ws]
        alone = _alone(stripped, _KO_ALONE, frozenset({"좀", "요"}))
        if alone is not None:
            return [] if alone.name is _A and _bot_question_spans(ws, "ko") else alone
        hits = [*(h for h in find_phrases(ws, _KO, "ko") if _allowed_ko(h, ws)),
                *(h for h in find_phrases(stripped, _KO, "ko") if _allowed_ko(h, stripped))]
        return [h for h in hits if not _asked_about(h, ws, "ko")]
    alone = _alone(ws, _EN_ALONE, _EN_POLITE)
    if alone is not None:
        return alone
    return [h for h in find_phrases(ws, _EN, "en") if _allowed_en(h, ws) and not _asked_about(h, ws, "en")]


def _asked_about(hit: PhraseHit[Intent], ws: list[str], language: str) -> bool:
    """A person named in a question whether one is speaking ("is this a real person?", "사람이에요?"), not
    asked for. ``ws`` are the unstripped words; a stripped word keeps its position."""
    return hit.label is _A and any(start <= hit.start and hit.end <= end
                                   for start, end in _bot_question_spans(ws, language))


def detect_global_intent(text: str, language: str) -> GlobalIntent | None:
    """The global intent in ``text`` (agent before stop before repeat), or None."""
    hits = _intent_hits(text, language)
    if isinstance(hits, GlobalIntent):
        return hits
    for intent in _PRIORITY:
        for hit in hits:
            if hit.label is intent:
                return GlobalIntent(intent, hit.phrase)
    return None


def words_besides(text: str, phrase: str, language: str) -> str:
    """The caller's words without the intent's ``phrase`` ("sorry, I didn't hear you" -> "sorry"), or the
    words unchanged where the phrase is not among them as said (a Korean phrase matched without particles)."""
    ws = words(text, language)
    said = phrase.split()
    for k in range(len(ws) - len(said) + 1):
        if ws[k:k + len(said)] == said:
            return " ".join(ws[:k] + ws[k + len(said):])
    return " ".join(ws)


_EN_HOLDS = dict.fromkeys((
    "one second", "a second", "one sec", "a sec", "one moment", "a moment", "one minute", "a minute",
    "hold on", "hang on", "let me think", "let me see", "give me a second", "give me a minute",
), True)  # not "wait" alone: "Wait." may be a misheard "eight", which the scored answers then mend
_KO_HOLDS = dict.fromkeys((
    "잠깐만", "잠깐만요", "잠시만", "잠시만요", "잠깐", "잠시", "잠깐 기다려 주세요", "잠시만 기다려 주세요",
    "생각 좀 해 볼게요", "생각해 볼게요", "기다려 주세요", "기다려주세요", "기다려 줘요",
), True)


def asks_to_hold(text: str, language: str) -> bool:
    """The caller asks for a moment: "one second", "hold on", "잠시만요". Said where a number is asked, "one
    second" is no score of 1 (nlu.numbers reads no number in it), and the recogniser must not replace it
    with the scored answer "One." either: the question is asked again."""
    return _says_any(text, language, _EN_HOLDS, _KO_HOLDS)


def _says_any(text: str, language: str, en: dict[str, bool], ko: dict[str, bool]) -> bool:
    """Whether ``text`` says one of the phrases (Korean: with or without particles)."""
    ws = words(text, language)
    if language == "ko":
        ws = [strip_korean_particles(w) for w in ws] + ws
    return bool(find_phrases(ws, ko if language == "ko" else en, language))


_EN_WHO = dict.fromkeys((
    "who is this", "who is that", "who is calling", "who is speaking", "who are you", "who are you with",
    "who am i speaking to", "who am i speaking with", "who am i talking to", "who am i talking with",
    "who did you say", "who did you say you are", "who did you say you were", "what is this about",
    "what is this regarding", "what is this call about", "what is the call about", "what is this for",
    "what is it about", "why are you calling", "why are you calling me", "what company", "which company",
    "what company is this", "where are you calling from", "where are you from", "who is it", "who's this",
    "what survey", "what kind of survey", "what is the survey about", "what is the survey",
    "who's that", "who's calling", "who's speaking", "who's it", "who's there",
), True)
_KO_WHO = dict.fromkeys((
    "누구세요", "누구시죠", "누구시라고요", "누구신데요", "어디세요", "어디시라고요", "어디신데요",
    "어디시죠", "어디라고요", "무슨 일이세요", "무슨 일로", "무슨 전화", "무슨 용건", "무슨 용건이세요",
    "왜 전화", "왜 전화하셨어요", "왜 전화하셨죠", "어디서 전화", "어디에서 전화", "어디서 전화하셨어요",
    "어디서 전화하셨죠", "어디서 전화했어요", "어디에서 전화하셨어요", "어디서 전화하신 거예요",
    "무슨 일로 전화하셨어요", "무슨 설문", "무슨 설문이요", "무슨 설문이에요", "어떤 설문",
), True)


_EN_BOT = dict.fromkeys((
    *(f"{ask} {what}" for ask in ("are you", "is this", "is that", "am i talking to", "am i speaking to",
                                  "am i speaking with", "am i talking with", "is it")
      for what in ("a robot", "a bot", "a machine", "a computer", "a recording", "an ai", "ai",
                   "a real person", "real person", "a real human", "a person", "a human", "human", "real",
                   "a live person", "automated", "an automated call", "an automated system",
                   "a real agent")),
    "are you for real", "is this a real call", "is this a robocall", "is this a robo call",
    # The question as whisper writes it without its inversion: "It's a real person." for eSpeak's "is this
    # a real person?" (it transferred the call), "You're a robot?".
    *(f"{ask} {what}" for ask in ("it is", "this is", "you are")
      for what in ("a robot", "a bot", "a machine", "a computer", "a recording", "a real person",
                   "real person", "a real human", "a person", "a human", "automated")),
), True)
_KO_BOT = dict.fromkeys((
    *(f"{what}{ending}" for what in ("로봇", "기계", "자동 응답", "자동응답", "녹음", "ARS", "에이아이",
                                     "인공지능", "사람", "진짜 사람", "실제 사람", "상담원")
      for ending in ("이에요", "예요", "인가요", "이세요", "세요", "이죠", "죠", "이야", "야")),
    "사람 맞아요", "사람 맞으세요", "로봇 아니에요", "기계 아니에요", "녹음된 거예요", "자동으로 거는 전화",
), True)


def asks_if_bot(text: str, language: str) -> bool:
    """The caller asks whether a person is speaking: "are you a robot?", "is this a real person?",
    "사람이에요?". A question, not a request for a person ("I want a real person"): the bot says what it is
    and asks its question again; the caller may then ask for a person."""
    return _says_any(text, language, _EN_BOT, _KO_BOT)


def _bot_question_spans(ws: list[str], language: str) -> list[tuple[int, int]]:
    """Where ``ws`` asks whether a person is speaking (:func:`asks_if_bot`)."""
    return [(h.start, h.end) for h in find_phrases(ws, _KO_BOT if language == "ko" else _EN_BOT, language)]


_KO_ORDER_VERBS = ("주세요", "주문", "할게요", "시킬게요", "할께요", "줘요")
_EN_WHAT = ("what", "what's")
_EN_PRICE_WORDS = frozenset({"much", "price", "prices", "priced", "cost", "costs", "expensive", "total"})


def price_question_start(text: str, language: str) -> int | None:
    """Where the caller starts asking a price ("how much is a large pepperoni?", "what does the veggie
    cost?", "페퍼로니 라지는 얼마예요?"), as a character index into ``text``; None when no price is asked.
    English: from the question's first word ("how much", "what's the price", "what does ... cost"); Korean
    puts the question at the end, so from the text's start. "How long will it take" and "얼마나 걸려요" are
    no price."""
    tokens = tokenize(text, language)
    if language == "ko":
        asked = any((t.text.startswith("얼마") and not t.text.startswith("얼마나"))
                    or t.text.startswith("가격") for t in tokens)
        # "불고기 두 판 주세요, 얼마예요?": an order that asks its price is an order.
        ordered = any(t.text.startswith(_KO_ORDER_VERBS) for t in tokens)
        return 0 if asked and not ordered else None
    for k, tok in enumerate(tokens):
        after_how = k > 0 and tokens[k - 1].text == "how"
        if tok.text not in _EN_PRICE_WORDS or (tok.text == "much" and not after_how):
            continue
        start = k - 1 if tok.text == "much" else k
        # "what's the price of", "what does a large pepperoni cost": the question starts at its "what".
        back = next((j for j in range(k - 1, max(-1, k - 8), -1) if tokens[j].text in _EN_WHAT), None)
        return tokens[start if back is None else min(start, back)].start
    return None


def asks_who(text: str, language: str) -> bool:
    """The caller asks who is calling, or why: "who is this?", "what's this about?", "누구세요?". An outbound
    call's first answer is often this; a person says who they are again rather than "Sorry, I didn't catch
    that"."""
    if language == "en" and [w for w in words(text, language)
                             if w not in _EN_POLITE and w not in ("uh", "um", "er")] == ["who"]:
        return True  # "sorry, who?"
    return _says_any(text, language, _EN_WHO, _KO_WHO)


def bare_farewell(text: str, language: str) -> bool:
    """A goodbye with nothing but thanks or an okay around it: "bye", "okay, bye", "thanks, goodbye"."""
    sign_off = _SIGN_OFF.get(language, _EN_SIGN_OFF)
    return only_farewell(text, language) and all(w in sign_off for w in words(text, language))


def only_farewell(text: str, language: str) -> bool:
    """True when ``text``'s only intent is a sign-off: "four, thanks, bye", "그게 다예요, 안녕히 계세요".

    Said with an answer, a goodbye closes the caller's turn rather than asking to stop the call; "cancel
    it, goodbye" or "not interested, bye" still say stop.
    """
    hits = _intent_hits(text, language)
    if isinstance(hits, GlobalIntent) or not hits:
        return False
    farewells = _KO_FAREWELLS if language == "ko" else _EN_FAREWELLS
    return all(hit.label is _S and hit.phrase in farewells for hit in hits)


def yes_no_with_farewell(text: str, language: str) -> bool:
    """A yes or a no said with a goodbye: "yes, bye", "no thanks, goodbye", "아니요 끊을게요".

    The answer stands and the goodbye only closes the turn. Not "okay, bye" nor "네, 안녕히 계세요": there
    the okay or 네 is part of the sign-off, no answer to the question."""
    if not only_farewell(text, language):
        return False
    sign_off = _SIGN_OFF.get(language, _EN_SIGN_OFF)
    rest = [w for w in words(text, language) if w not in sign_off]
    return bool(rest) and parse_yes_no(" ".join(rest), language) is not None


# A question asked back: "what were the main terms again?", "by post or email?", "thirty days?",
# "며칠이라고요?", "왜요?". At a yes/no question the caller is answered best with the question again, whose
# words hold what it asks about; "Please answer yes or no." answered none of them, and three such turns
# ended the call.
_EN_QUESTION_WORDS = frozenset({"what", "why", "how", "which", "who", "when", "where", "whats"})
_KO_QUESTION_WORDS = ("왜", "뭐", "무슨", "며칠", "어떤", "언제", "어디", "무엇", "몇", "어느")


def asks_back(text: str, language: str) -> bool:
    """Whether the caller asks a question (a question mark, or a question word first) rather than answers."""
    ws = words(text, language)
    if not ws:
        return False
    if text.rstrip().endswith("?"):
        return True
    if language == "ko":
        return any(w.startswith(_KO_QUESTION_WORDS) for w in ws)
    return ws[0] in _EN_QUESTION_WORDS


# Words too common to show that an answer says the question back.
_EN_COMMON = frozenset({
    "the", "and", "you", "your", "did", "have", "has", "had", "was", "were", "are", "for", "with", "that",
    "this", "what", "not", "but", "yes", "yeah", "all", "any", "can", "could", "would", "will", "about",
    "from", "into", "its", "our", "out", "who", "how", "why", "which", "when", "where", "they", "them",
})


def echoes_question(text: str, question: str, language: str) -> bool:
    """Whether ``text`` says the question's own words back with little else ("by post or email" to "have
    you received the documents, by post or by email?"): a caller asking back whose question mark the line
    lost. English only: two words of three letters or more from the question, and they are most of what
    was said."""
    if language != "en":
        return False
    asked = set(words(question, language))
    said = [w for w in words(text, language) if len(w) >= 3 and w not in _EN_COMMON]
    shared = [w for w in said if w in asked]
    return len(shared) >= 2 and 2 * len(shared) >= len(said)
