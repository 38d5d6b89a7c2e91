"""What callers answer to the shipped dialogues' questions: the phone-line answer corpus's script.

Each answer names the question it belongs to (dialogue + the ask's slot), its ask type, the words said
and what the dialogue should make of them: a slot value in call-record form (ints, booleans, order
lines as dicts, ISO dates, phone digits) or, for a request rather than an answer, the intent
("agent", "stop", or "closer" for "that's all").

Kept apart from the audio making (bench/phone_corpus.py) so the benchmark and tests can read it
without loading a voice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASK_TYPES = ("number", "yes_no", "menu", "date", "phone", "intent")


@dataclass(frozen=True, slots=True)
class Answer:
    ask: str  # one of ASK_TYPES
    dialogue: str  # a shipped dialogue's name (dialogues/NAME.yml)
    step: str  # the slot the dialogue is asking for when the caller says this
    text: str  # the words said, which is also the reference transcript
    expected: Any = None  # the slot value the dialogue should read (None for an intent)
    intent: str | None = None  # "agent", "stop", "closer", "hold", "who", "bot": the caller asks, not answers


def _n(step: str, text: str, value: int, dialogue: str = "satisfaction_survey") -> Answer:
    return Answer("number", dialogue, step, text, value)


def _yn(dialogue: str, step: str, text: str, value: bool) -> Answer:
    return Answer("yes_no", dialogue, step, text, value)


def _menu(text: str, *lines: tuple[int, str, str], dialogue: str = "pizza_order") -> Answer:
    return Answer("menu", dialogue, "items", text,
                  [{"name": name, "size": size, "quantity": quantity} for quantity, size, name in lines])


def _date(text: str, iso: str) -> Answer:
    return Answer("date", "sales_compliance", "dob_answer", text, iso)


def _phone(text: str, digits: str, dialogue: str = "pizza_order") -> Answer:
    return Answer("phone", dialogue, "phone", text, digits)


def _intent(dialogue: str, step: str, text: str, intent: str) -> Answer:
    return Answer("intent", dialogue, step, text, None, intent)


ENGLISH: tuple[Answer, ...] = (
    # Survey scores, 1-5: the plain word, a digit, and the ways people wrap it.
    _n("satisfaction", "one", 1), _n("satisfaction", "two", 2), _n("satisfaction", "three", 3),
    _n("satisfaction", "four", 4), _n("satisfaction", "five", 5), _n("satisfaction", "4", 4),
    _n("satisfaction", "a five", 5), _n("satisfaction", "I'd say four", 4),
    _n("satisfaction", "three out of five", 3), _n("satisfaction", "probably a two", 2),
    _n("satisfaction", "I'd give it a five", 5), _n("satisfaction", "four, I guess", 4),
    _n("satisfaction", "definitely a five", 5), _n("satisfaction", "one out of five", 1),
    _n("satisfaction", "five out of five", 5), _n("satisfaction", "um, three", 3),
    # Survey scores, 0-10.
    _n("recommend", "zero", 0), _n("recommend", "one", 1), _n("recommend", "two", 2),
    _n("recommend", "three", 3), _n("recommend", "four", 4), _n("recommend", "five", 5),
    _n("recommend", "six", 6), _n("recommend", "seven", 7), _n("recommend", "eight", 8),
    _n("recommend", "nine", 9), _n("recommend", "ten", 10), _n("recommend", "I'd say nine", 9),
    _n("recommend", "probably an eight", 8), _n("recommend", "ten out of ten", 10),
    _n("recommend", "a solid seven", 7), _n("recommend", "maybe a six", 6),
    _n("recommend", "nine out of ten", 9), _n("recommend", "I'd give you a ten", 10),
    _n("recommend", "8", 8),
    # Yes / no, in the three dialogues' questions.
    _yn("satisfaction_survey", "consent", "yes", True),
    _yn("satisfaction_survey", "consent", "yeah sure", True),
    _yn("satisfaction_survey", "consent", "sure go ahead", True),
    _yn("satisfaction_survey", "consent", "sure", True),
    _yn("satisfaction_survey", "consent", "okay", True),
    _yn("satisfaction_survey", "consent", "yeah", True),
    _yn("satisfaction_survey", "consent", "go ahead", True),
    _yn("satisfaction_survey", "consent", "no thanks", False),
    _yn("satisfaction_survey", "consent", "nope", False),
    _yn("satisfaction_survey", "consent", "no", False),
    _yn("satisfaction_survey", "consent", "not right now", False),
    _yn("satisfaction_survey", "callback", "yes please", True),
    _yn("satisfaction_survey", "callback", "no, that's fine", False),
    _yn("sales_compliance", "explained_terms", "yes", True),
    _yn("sales_compliance", "explained_terms", "yes he did", True),
    _yn("sales_compliance", "explained_terms", "no he didn't", False),
    _yn("sales_compliance", "received_documents", "yes I have", True),
    _yn("sales_compliance", "received_documents", "no I haven't", False),
    _yn("sales_compliance", "understood_cancellation", "that's right", True),
    _yn("sales_compliance", "understood_cancellation", "correct", True),
    _yn("sales_compliance", "understood_cancellation", "yep", True),
    _yn("sales_compliance", "voluntary_signup", "yes I did", True),
    _yn("sales_compliance", "voluntary_signup", "absolutely", True),
    _yn("sales_compliance", "voluntary_signup", "no", False),
    _yn("pizza_order", "confirmed", "yes please", True),
    _yn("pizza_order", "confirmed", "that's right", True),
    _yn("pizza_order", "confirmed", "no, that's wrong", False),
    # Orders from pizza_order's menu (sizes default to medium).
    _menu("two large pepperoni", (2, "large", "pepperoni")),
    _menu("a margherita and a cola", (1, "medium", "margherita")),
    _menu("one small veggie and a large hawaiian", (1, "small", "vegetarian"), (1, "large", "hawaiian")),
    _menu("three medium barbecue chicken pizzas", (3, "medium", "bbq_chicken")),
    _menu("a large pepperoni", (1, "large", "pepperoni")),
    _menu("two margheritas", (2, "medium", "margherita")),
    _menu("a pepperoni and a veggie, both large", (1, "large", "pepperoni"), (1, "large", "vegetarian")),
    _menu("one hawaiian please", (1, "medium", "hawaiian")),
    _menu("a small cheese pizza", (1, "small", "margherita")),
    _menu("two large pepperoni and one medium margherita", (2, "large", "pepperoni"),
          (1, "medium", "margherita")),
    _menu("I'd like a barbecue chicken", (1, "medium", "bbq_chicken")),
    _menu("four small pepperoni pizzas", (4, "small", "pepperoni")),
    _menu("a large ham and pineapple", (1, "large", "hawaiian")),
    # Dates of birth for the compliance identity check.
    _date("March third nineteen eighty five", "1985-03-03"),
    _date("the fifth of July nineteen seventy two", "1972-07-05"),
    _date("December twenty fourth nineteen ninety", "1990-12-24"),
    _date("May twelfth two thousand", "2000-05-12"),
    _date("January first nineteen sixty", "1960-01-01"),
    _date("it's August eighth nineteen seventy nine", "1979-08-08"),
    _date("the twenty first of October nineteen eighty eight", "1988-10-21"),
    _date("February fourteenth nineteen ninety five", "1995-02-14"),
    _date("June thirtieth nineteen sixty seven", "1967-06-30"),
    _date("November second nineteen fifty nine", "1959-11-02"),
    # Phone numbers, with "oh" for zero.
    _phone("five five five, oh one two three", "5550123"),
    _phone("two one two, five five five, oh one nine eight", "2125550198"),
    _phone("my number is five five five, oh one nine nine", "5550199"),
    _phone("four one five, five five five, two six seven one", "4155552671"),
    _phone("six one seven, five five five, oh oh four two", "6175550042"),
    _phone("it's five five five, eight six seven, five three oh nine", "5558675309"),
    _phone("three one two, five five five, seven oh oh one", "3125557001"),
    # Requests instead of answers: a person, a stop, and the order's closers.
    _intent("satisfaction_survey", "satisfaction", "can I talk to a person", "agent"),
    _intent("sales_compliance", "explained_terms", "I'd like to speak to a real person", "agent"),
    _intent("pizza_order", "items", "can I speak to someone", "agent"),
    _intent("pizza_order", "phone", "let me talk to a human", "agent"),
    _intent("satisfaction_survey", "recommend", "put me through to a manager", "agent"),
    _intent("satisfaction_survey", "consent", "I'm not interested", "stop"),
    _intent("satisfaction_survey", "consent", "please stop calling me", "stop"),
    _intent("pizza_order", "items", "that's all", "closer"),
    _intent("pizza_order", "items", "no that's it", "closer"),
    _intent("pizza_order", "items", "that's everything", "closer"),
    _intent("pizza_order", "items", "nothing else, thanks", "closer"),
)

# A set of its own (bench/phone_corpus.py --set sign-offs), so the answers' halves above stay as they were:
# goodbyes said at the end of an order, where a person hears "I'm done", not "cancel it".
SIGN_OFFS: tuple[Answer, ...] = (
    _intent("pizza_order", "items", "that's all, bye", "closer"),
    _intent("pizza_order", "items", "no that's it, thanks, bye", "closer"),
    _intent("pizza_order", "items", "nothing else, goodbye", "closer"),
    _intent("pizza_order", "items", "that's everything, thank you, goodbye", "closer"),
    _intent("pizza_order", "items", "okay that's all, bye bye", "closer"),
    _menu("two large pepperoni, bye", (2, "large", "pepperoni")),
    _menu("one small veggie please, goodbye", (1, "small", "vegetarian")),
)

# Another set of its own (--set holds): asking to hold on where a number is asked. No value may be read;
# the right outcome is the question asked again.
HOLDS: tuple[Answer, ...] = tuple(
    _intent("satisfaction_survey", step, text, "hold")
    for step in ("satisfaction", "recommend")
    for text in ("one moment please", "wait a second", "one second", "hold on one second", "give me a minute",
                 "just a sec", "one sec")
)

# Another (--set own-words): yes and no in the caller's own words, and "who is this?". Not now is a no to the
# survey's consent ("I'm busy right now" had been a yes, from "right"); the compliance call's questions
# answered in their own words ("I got them", "nobody forced me"); who is calling asked at the first
# question (right: the question comes again after the opening, nothing taken).
OWN_WORDS: tuple[Answer, ...] = (
    *(_yn("satisfaction_survey", "consent", text, False) for text in (
        "I'm busy right now", "sorry, I'm busy", "now is not a good time", "can you call me back later",
        "I'm driving right now", "I'm in a meeting", "maybe later")),
    _yn("sales_compliance", "explained_terms", "I understand the terms", True),
    _yn("sales_compliance", "received_documents", "I got them last week", True),
    _yn("sales_compliance", "received_documents", "I received them by email", True),
    *(_yn("sales_compliance", "voluntary_signup", text, True) for text in (
        "nobody forced me", "no one pressured me", "it was my own decision", "I didn't feel pressured")),
    _yn("sales_compliance", "voluntary_signup", "I felt pressured", False),
    *(_intent("satisfaction_survey", "consent", text, "who") for text in (
        "who is this?", "who's calling?", "what is this about?", "sorry, who?")),
    _intent("sales_compliance", "dob_answer", "who am I talking to?", "who"),
)

# Another (--set other-ways): answers said in other ways than the bot's example. Dates with the year first
# or as three numbers, a phone number with its area code said apart; the compliance call's answers said
# back as statements, and a no that agrees with "without feeling pressured"; a size said of the pizzas
# before naming them; and "are you a robot?" (right: the bot says what it is, nothing taken).
OTHER_WAYS: tuple[Answer, ...] = (
    _date("nineteen eighty five, March third", "1985-03-03"),
    _date("three three eighty five", "1985-03-03"),
    _date("twelve twenty four nineteen ninety", "1990-12-24"),
    _date("my birthday is July fifth and I was born in nineteen seventy two", "1972-07-05"),
    _phone("area code four one five, then five five five, two six seven one", "4155552671"),
    _phone("area code three one two and the number is five five five, seven oh oh one", "3125557001"),
    *(_yn("sales_compliance", "voluntary_signup", text, True) for text in (
        "no, nobody forced me", "no, it was my own decision", "no, I wasn't pressured")),
    _yn("sales_compliance", "explained_terms", "he explained it", True),
    _yn("sales_compliance", "explained_terms", "she went through everything with me", True),
    _yn("sales_compliance", "explained_terms", "nobody explained anything", False),
    _yn("sales_compliance", "received_documents", "they came in the mail", True),
    _yn("sales_compliance", "received_documents", "I'm still waiting for them", False),
    _yn("sales_compliance", "understood_cancellation", "I know that", True),
    _yn("sales_compliance", "understood_cancellation", "I didn't know that", False),
    _menu("two large pizzas, one pepperoni and one veggie", (1, "large", "pepperoni"),
          (1, "large", "vegetarian")),
    *(_intent("satisfaction_survey", "consent", text, "bot") for text in (
        "are you a robot?", "is this a real person?", "am I talking to a machine?")),
    _intent("satisfaction_survey", "satisfaction", "is this a recording?", "bot"),
)

_KO_SURVEY = "satisfaction_survey_ko"
_KO_PIZZA = "pizza_order_ko"

KOREAN: tuple[Answer, ...] = (
    _n("satisfaction", "사", 4, _KO_SURVEY),
    _n("satisfaction", "네 점", 4, _KO_SURVEY),
    _n("satisfaction", "4점", 4, _KO_SURVEY),
    _n("satisfaction", "다섯 점이요", 5, _KO_SURVEY),
    _n("satisfaction", "오 점", 5, _KO_SURVEY),
    _n("satisfaction", "삼점", 3, _KO_SURVEY),
    _n("satisfaction", "세 점이요", 3, _KO_SURVEY),
    _n("satisfaction", "일 점", 1, _KO_SURVEY),
    _n("satisfaction", "두 점", 2, _KO_SURVEY),
    _n("recommend", "아홉 점", 9, _KO_SURVEY),
    _n("recommend", "십 점", 10, _KO_SURVEY),
    _n("recommend", "칠점이요", 7, _KO_SURVEY),
    _n("recommend", "영 점", 0, _KO_SURVEY),
    _n("recommend", "팔 점이요", 8, _KO_SURVEY),
    _n("recommend", "여섯 점", 6, _KO_SURVEY),
    _n("recommend", "열 점이요", 10, _KO_SURVEY),
    _yn(_KO_SURVEY, "consent", "네", True),
    _yn(_KO_SURVEY, "consent", "예", True),
    _yn(_KO_SURVEY, "consent", "아니요", False),
    _yn(_KO_SURVEY, "consent", "네 좋아요", True),
    _yn(_KO_SURVEY, "consent", "아니요 괜찮아요", False),
    _yn(_KO_SURVEY, "consent", "네 괜찮습니다", True),
    _yn(_KO_SURVEY, "consent", "아니요 지금은 바빠요", False),
    _yn("sales_compliance_ko", "explained_terms", "네 설명 들었어요", True),
    _yn("sales_compliance_ko", "received_documents", "아니요 못 받았어요", False),
    _intent(_KO_SURVEY, "satisfaction", "상담원 연결해 주세요", "agent"),
    _intent(_KO_SURVEY, "recommend", "사람이랑 통화하고 싶어요", "agent"),
    _intent(_KO_SURVEY, "consent", "직원 바꿔 주세요", "agent"),
    # Open asks of pizza_order_ko: orders from its menu (sizes default to 레귤러) and mobile numbers in
    # Sino-Korean digits.
    _menu("페퍼로니 라지 두 판", (2, "large", "pepperoni"), dialogue=_KO_PIZZA),
    _menu("불고기 한 판", (1, "medium", "bulgogi"), dialogue=_KO_PIZZA),
    _menu("치즈 피자 레귤러 하나", (1, "medium", "cheese"), dialogue=_KO_PIZZA),
    _menu("콤비네이션 라지 한 판이랑 포테이토 한 판", (1, "large", "combination"), (1, "medium", "potato"),
          dialogue=_KO_PIZZA),
    _menu("감자 피자 세 판 주세요", (3, "medium", "potato"), dialogue=_KO_PIZZA),
    _phone("공일공 일이삼사 오육칠팔", "01012345678", _KO_PIZZA),
    _phone("공일공 구팔칠육 오사삼이", "01098765432", _KO_PIZZA),
    _phone("제 번호는 공일공 오오오 일이삼사", "0105551234", _KO_PIZZA),
    _phone("영일영 삼삼사 칠칠팔구", "0103347789", _KO_PIZZA),
)

# Real people: FSDD digits (0-9) asked as survey scores; 1-5 as satisfaction, the rest as recommend.


def fsdd_answer(digit: int) -> Answer:
    step = "satisfaction" if 1 <= digit <= 5 else "recommend"
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return _n(step, words[digit], digit)
