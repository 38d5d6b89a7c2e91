"""Global intents (agent, repeat, stop) and corrections, with the answers that must not trigger them."""

from __future__ import annotations

import pytest

from voicebot.nlu.correction import MAKE_NAMED, Correction, parse_correction
from voicebot.nlu.intents import (
    GlobalIntent,
    Intent,
    asks_back,
    asks_to_hold,
    asks_who,
    bare_farewell,
    detect_global_intent,
    echoes_question,
    only_farewell,
)

EN_INTENTS = [
    ("an agent that speaks spanish", "agent", "an agent"), ("the agent please", "agent", "agent"),
    ("agent", "agent", "agent"), ("Agent!", "agent", "agent"), ("human", "agent", "human"),
    ("can i talk to a human", "agent", "a human"), ("representative please", "agent", "representative"),
    ("real person", "agent", "real person"), ("i want to talk to someone", "agent", "talk to someone"),
    ("let me speak to a person", "agent", "speak to a person"), ("operator", "agent", "operator"),
    ("uh can i speak to your manager", "agent", "speak to your manager"),
    ("live agent", "agent", "live agent"),
    ("customer service please", "agent", "customer service"), ("stop i want a human", "agent", "a human"),
    ("repeat that", "repeat", "repeat that"), ("say that again", "repeat", "say that again"),
    ("pardon", "repeat", "pardon"), ("pardon me", "repeat", "pardon me"), ("what?", "repeat", "what"),
    ("sorry what", "repeat", "what"), ("huh", "repeat", "huh"), ("come again", "repeat", "come again"),
    ("sorry i didn't catch that", "repeat", "i did not catch that"),
    ("what was that", "repeat", "what was that"),
    ("hello?", "repeat", "hello"), ("Hello, hello?", "repeat", "hello hello"),
    ("can you repeat the question", "repeat", "can you repeat"), ("excuse me", "repeat", "excuse me"),
    ("one more time please", "repeat", "one more time"), ("what do you mean", "repeat", "what do you mean"),
    ("sorry?", "repeat", "sorry"),
    ("stop", "stop", "stop"), ("stop calling me", "stop", "stop calling me"), ("cancel", "stop", "cancel"),
    ("cancel my order", "stop", "cancel my order"), ("goodbye", "stop", "goodbye"), ("bye", "stop", "bye"),
    ("i'm not interested", "stop", "i am not interested"),
    ("not interested thanks", "stop", "not interested"),
    ("hang up", "stop", "hang up"), ("please stop", "stop", "please stop"),
    ("don't call me again", "stop", "do not call me again"), ("leave me alone", "stop", "leave me alone"),
    ("take me off your list", "stop", "take me off your list"), ("uh cancel it", "stop", "cancel it"),
    ("i want to cancel", "stop", "cancel"), ("cancel the whole thing", "stop", "cancel"),
    ("cancel, goodbye", "stop", "cancel"), ("cancel that order", "stop", "cancel that"),
]
EN_NO_INTENT = [
    "", "yes", "no", "two large pepperoni", "i live near the bus stop", "a person at 12 main street",
    "i do not want an agent", "what size do you have", "please don't hang up", "human resources department",
    "i'm a repeat customer", "what do you have", "the next stop", "twelve", "my name is agent smith",
    "i don't need a human", "what time is it", "stop sign on the corner", "that's what i said",
]
# A person the caller tells about, as a compliance call hears it: no transfer.
EN_NO_INTENT += ["well the agent said i had to", "the agent told me it was free",
                 "your representative was pushy", "a supervisor called me", "the manager promised a discount",
                 "honestly i felt pressured by the agent", "i was signed up by a representative"]
# "Cancel" that names something else than the call: the compliance call's own question, a policy, a pizza.
EN_NO_INTENT += ["yes i know i can cancel", "yes, i can cancel within thirty days", "how do i cancel",
                 "yes, cancel within 30 days for a refund", "i want to cancel the policy",
                 "uh cancel the pepperoni"]
EN_NO_INTENT.remove("my name is agent smith")  # "agent" alone counts; asserting either way would be a guess

KO_INTENTS = [
    ("한 번만 더 말해 주세요", "repeat", "한 번만 더"), ("한 번 더요", "repeat", "한 번 더요"),
    ("상담원", "agent", "상담원"), ("사람", "agent", "사람"), ("직원", "agent", "직원"),
    ("여보세요?", "repeat", "여보세"),
    ("사람이요", "agent", "사람"),
    ("상담사 연결해 주세요", "agent", "상담사"), ("상담원이랑 통화하고 싶어요", "agent", "상담원"),
    ("상담원 연결", "agent", "상담원 연결"), ("사람 바꿔 주세요", "agent", "사람 바꿔 주세요"),
    ("진짜 사람이랑 얘기하고 싶어요", "agent", "진짜 사람"), ("담당자 바꿔 주세요", "agent", "담당자"),
    ("다시 말씀해 주세요", "repeat", "다시 말씀해 주세요"), ("다시요", "repeat", "다시요"),
    ("뭐라고요", "repeat", "뭐라고요"), ("네?", "repeat", "네"),
    ("잘 못 들었어요", "repeat", "잘 못 들었어요"),
    ("다시 한번 말씀해 주세요", "repeat", "다시 한번"), ("뭐라고 하셨어요", "repeat", "뭐라고 하셨어요"),
    ("그만", "stop", "그만"), ("그만하세요", "stop", "그만하세요"), ("끊을게요", "stop", "끊을게요"),
    ("됐어요", "stop", "됐어요"), ("필요 없어요", "stop", "필요 없어요"),
    ("관심 없어요", "stop", "관심 없어요"),
    ("주문 취소할게요", "stop", "취소할게요"), ("전화하지 마세요", "stop", "전화하지 마세요"),
    ("상담원 필요 없어요", "stop", "필요 없어요"),
]
KO_NO_INTENT = [
    "상담원이 꼭 해야 한다고 했어요", "직원이 그렇게 말했어요",
    "", "네", "예", "아니요", "페퍼로니 두 판", "사람 두 명이요", "상담원 말고요", "서울시 강남구",
    "다섯 사람",
    "맞아요", "열두 시", "1985년 3월 3일",
    "보험 취소하고 싶어요", "계약을 취소할게요",  # the policy, not the call
]


@pytest.mark.parametrize(("text", "name", "phrase"), EN_INTENTS)
def test_english_global_intents(text: str, name: str, phrase: str) -> None:
    assert detect_global_intent(text, "en") == GlobalIntent(Intent(name), phrase)


@pytest.mark.parametrize("text", EN_NO_INTENT)
def test_english_answers_are_not_intents(text: str) -> None:
    assert detect_global_intent(text, "en") is None


@pytest.mark.parametrize(("text", "name", "phrase"), KO_INTENTS)
def test_korean_global_intents(text: str, name: str, phrase: str) -> None:
    assert detect_global_intent(text, "ko") == GlobalIntent(Intent(name), phrase)


@pytest.mark.parametrize("text", KO_NO_INTENT)
def test_korean_answers_are_not_intents(text: str) -> None:
    assert detect_global_intent(text, "ko") is None


def test_intent_compares_as_plain_string() -> None:
    intent = detect_global_intent("agent please", "en")
    assert intent is not None
    assert intent.name == "agent"
    assert intent.value == "agent"


@pytest.mark.parametrize(("text", "language", "farewell"), [
    ("two large pepperoni, bye", "en", True), ("that's all, thanks, goodbye", "en", True),
    ("bye", "en", True), ("불고기 라지 두 판 안녕히 계세요", "ko", True),
    ("이게 다예요 끊을게요", "ko", True),
    ("cancel it, goodbye", "en", False), ("not interested, bye", "en", False),
    ("put me through, bye", "en", False),
    ("two large pepperoni", "en", False), ("what?", "en", False), ("취소할게요 안녕히 계세요", "ko", False),
])
def test_only_a_farewell(text: str, language: str, farewell: bool) -> None:
    assert only_farewell(text, language) is farewell


@pytest.mark.parametrize(("text", "language", "hold"), [
    ("One second.", "en", True), ("hold on", "en", True), ("give me a minute", "en", True),
    ("let me think", "en", True), ("잠시만요", "ko", True), ("잠깐만 기다려 주세요", "ko", True),
    ("four", "en", False), ("Wait.", "en", False), ("no one", "en", False), ("네 점이요", "ko", False),
    ("일 분만 기다려 주세요", "ko", True),
])
def test_asking_to_hold_on(text: str, language: str, hold: bool) -> None:
    assert asks_to_hold(text, language) is hold


@pytest.mark.parametrize(("text", "language", "bare"), [
    ("bye", "en", True), ("Okay, bye.", "en", True), ("thank you, goodbye", "en", True),
    ("안녕히 계세요", "ko", True), ("alright, bye", "en", False), ("that's all, bye", "en", False),
    ("cancel it, goodbye", "en", False), ("네 그게 다예요 안녕히 계세요", "ko", False),
])
def test_a_bare_farewell(text: str, language: str, bare: bool) -> None:
    assert bare_farewell(text, language) is bare


C = Correction
EN_CORRECTIONS = [
    ("no, three, not two", C("three", "two", "no")), ("no three not two", C("three", "two", "no")),
    ("make that three", C("three", None, "make that")), ("make it three", C("three", None, "make that")),
    ("actually three", C("three", None, "actually")), ("not two, three", C("three", "two", "not")),
    ("not two three", C("three", "two", "not")), ("not two but three", C("three", "two", "not")),
    ("three not two", C("three", "two", "instead")), ("three instead of two", C("three", "two", "instead")),
    ("sorry I meant large", C("large", None, "sorry")), ("no the large one", C("the large one", None, "no")),
    ("change it to a medium", C("a medium", None, "make that")), ("uh no um three", C("three", None, "no")),
    ("not large, small", C("small", "large", "not")), ("no no four", C("four", None, "no no")),
    ("actually make it a small", C("a small", None, "actually")),
    ("i said three", C("three", None, "i said")),
    ("i meant the fifth of march", C("the fifth of march", None, "i meant")),
    ("wait, five five five one two three four", C("five five five one two three four", None, "wait")),
    ("small rather than large", C("small", "large", "instead")),
    # The item named, then what it becomes: old_text is the item.
    ("make the pepperoni a medium", C("a medium", "pepperoni", MAKE_NAMED)),
    ("change the veggie to large", C("large", "veggie", MAKE_NAMED)),
    ("can you make the pepperonis three", C("three", "pepperonis", MAKE_NAMED)),
    ("switch my pepperoni to a hawaiian", C("a hawaiian", "pepperoni", MAKE_NAMED)),
    ("make the barbecue chicken large", C("large", "barbecue chicken", MAKE_NAMED)),
    # A yes with a change is the change: "yes, but make it three" at the read-back.
    ("yes but make it three", C("three", None, "yes but")), ("yes, make it three", C("three", None, "yes")),
    ("yes, but the address is 14 oak avenue", C("the address is 14 oak avenue", None, "yes but")),
    ("okay but make it large", C("large", None, "okay but")),
    # As whisper writes eSpeak's "yes, but make it three" on the phone line.
    ("Yes, but make it free.", C("three", None, "yes but")),
    ("Yes, let's make it free", C("three", None, "yes")),
]
EN_NOT_CORRECTIONS = [
    "", "no", "yes", "three", "no thanks", "i do not want it", "no no", "nope", "not really", "yes please",
    "two large pepperoni", "sorry", "actually yes", "no that's wrong", "that is not it", "yes that's right",
    "yes, a large veggie", "yes, thank you", "yes but", "yes, 12 main street",
]
KO_CORRECTIONS = [
    ("아니 세 판이요", C("세 판", None, "아니")), ("두 판 말고 세 판", C("세 판", "두 판", "말고")),
    ("세 판이 아니라 네 판", C("네 판", "세 판", "아니라")),
    ("세 판으로 바꿔 주세요", C("세 판", None, "바꿔")),
    ("아니 세 판으로 해 주세요", C("세 판", None, "아니")),
    ("라지 말고 스몰로 해주세요", C("스몰", "라지", "말고")),
    ("불고기 말고 페퍼로니 주세요", C("페퍼로니", "불고기", "말고")),
    ("정정할게요 세 판", C("세 판", None, "정정할게요")),
    ("아니요 세 판이요", C("세 판", None, "아니요")), ("음 아니 두 개요", C("두 개", None, "아니")),
    ("라지로 변경해 주세요", C("라지", None, "바꿔")),
    ("페퍼로니를 레귤러로 바꿔 주세요", C("레귤러", "페퍼로니", MAKE_NAMED)),
    ("네 근데 세 판으로 해 주세요", C("세 판", None, "네 근데")),
    ("네 세 판으로 바꿔 주세요", C("세 판", None, "바꿔")),
    ("네 판으로 바꿔 주세요", C("네 판", None, "바꿔")),
]
KO_NOT_CORRECTIONS = [
    "", "아니요", "네", "세 판이요", "아니요 괜찮아요", "아니 아니", "네 맞아요", "아뇨 됐어요",
]


@pytest.mark.parametrize(("text", "expected"), EN_CORRECTIONS)
def test_english_corrections(text: str, expected: Correction) -> None:
    assert parse_correction(text, "en") == expected


@pytest.mark.parametrize("text", EN_NOT_CORRECTIONS)
def test_english_non_corrections(text: str) -> None:
    assert parse_correction(text, "en") is None


@pytest.mark.parametrize(("text", "expected"), KO_CORRECTIONS)
def test_korean_corrections(text: str, expected: Correction) -> None:
    assert parse_correction(text, "ko") == expected


@pytest.mark.parametrize("text", KO_NOT_CORRECTIONS)
def test_korean_non_corrections(text: str) -> None:
    assert parse_correction(text, "ko") is None


WHO = [("who is this?", "en"), ("Who's calling?", "en"), ("uh, sorry, who?", "en"), ("what survey?", "en"),
       ("무슨 설문이요?", "ko"),
       ("what's this about", "en"), ("who am I talking to", "en"), ("why are you calling me?", "en"),
       ("누구세요?", "ko"), ("무슨 일이세요?", "ko"), ("어디서 전화하셨어요?", "ko")]
NOT_WHO = [("yes", "en"), ("who knows", "en"), ("the technician, whoever he was, was late", "en"),
           ("hello?", "en"), ("네", "ko"), ("여보세요?", "ko")]


@pytest.mark.parametrize(("text", "language"), WHO)
def test_asks_who_is_calling(text: str, language: str) -> None:
    assert asks_who(text, language)


@pytest.mark.parametrize(("text", "language"), NOT_WHO)
def test_does_not_ask_who_is_calling(text: str, language: str) -> None:
    assert not asks_who(text, language)


@pytest.mark.parametrize(("text", "phrase", "rest"), [
    ("sorry, I didn't hear you", "i did not hear you", "sorry"),
    ("no, I didn't hear anything about that", "i did not hear", "no anything about that"),
    ("can you repeat the question?", "can you repeat", "the question"),
    ("다시 한 번", "한번", "다시 한 번"),  # not among the words as said: all of them
])
def test_the_words_besides_an_intent(text: str, phrase: str, rest: str) -> None:
    from voicebot.nlu.intents import words_besides

    assert words_besides(text, phrase, "en" if text.isascii() else "ko") == rest


@pytest.mark.parametrize(("text", "intent"), [
    ("what do you mean by cancel?", "repeat"), ("what does cancel mean", None), ("cancel my order", "stop"),
    ("sorry, I didn't hear you", "repeat"), ("what was the question?", "repeat"),
])
def test_asking_about_the_word_cancel_ends_nothing(text: str, intent: str | None) -> None:
    from voicebot.nlu.intents import detect_global_intent

    found = detect_global_intent(text, "en")
    assert (None if found is None else found.name.value) == intent


@pytest.mark.parametrize(("text", "language", "asked"), [
    ("by post or email?", "en", True), ("what were the main terms again", "en", True),
    ("thirty days?", "en", True), ("why do you need my birthday", "en", True),
    ("며칠이라고요?", "ko", True), ("왜요", "ko", True), ("무슨 약관이요", "ko", True),
    ("yes", "en", False), ("I got them by email", "en", False), ("네 받았어요", "ko", False),
])
def test_a_question_asked_back(text: str, language: str, asked: bool) -> None:
    assert asks_back(text, language) is asked


@pytest.mark.parametrize(("text", "echoes"), [
    ("I post or email.", True), ("by post or email.", True), ("the policy documents by post?", True),
    ("Microsoft, or email.", False), ("the documents", False), ("I got them by email", False),
    ("post", False),
])
def test_the_question_said_back(text: str, echoes: bool) -> None:
    question = "Second, have you received the policy documents, by post or by email?"
    assert echoes_question(text, question, "en") is echoes
