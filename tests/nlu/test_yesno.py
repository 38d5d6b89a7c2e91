"""Yes/no answers as speech-to-text writes them (lower case, no punctuation, fillers)."""

from __future__ import annotations

import pytest

from voicebot.nlu.yesno import parse_yes_no

EN_YES = [
    "yes", "Yes.", "YES!", "yeah", "yea", "yep", "yup", "sure", "of course", "correct", "that's right",
    "thats right", "that is correct", "i do", "I did", "absolutely", "uh huh", "mm hmm", "right", "exactly",
    "definitely", "certainly", "okay", "ok", "all right", "sure thing", "yes please", "yeah sure",
    "um yes", "uh yeah", "yes i did", "yes i do", "yes that's correct", "i think so", "i believe so",
    "no problem", "no worries", "why not", "sounds good", "go ahead", "yes sir", "you bet", "of course i do",
    "yeah i received them", "yes i understood", "affirmative", "i agree", "it is", "i have", "that's true",
    "uh huh yes", "yes yes", "yeah yeah", "well yes", "so yes", "yes i mean i think so", "yeah, i am",
    "I think I do.", "go for it", "fire away", "sure, if it's quick", "make it quick", "I suppose so",
]
EN_NO = [
    "no", "No.", "nope", "nah", "not really", "i don't", "i dont", "i do not", "incorrect", "that's wrong",
    "that is wrong", "wrong", "no way", "never", "not at all", "absolutely not", "definitely not",
    "of course not", "no thanks", "no thank you", "i didn't", "i did not", "i have not", "i haven't",
    "not yet", "no i did not", "no i don't think so", "i don't think so", "dont think so", "not exactly",
    "not quite", "that's not right", "that is not correct", "uh no", "um no", "yes i mean no", "yeah no",
    "no no no", "not correct", "negative", "it isn't", "i disagree", "no sir", "i never did",
    "yes no", "no wait no",
]
EN_UNCLEAR = [
    "", "maybe", "not sure", "i'm not sure", "i am not sure", "i don't know", "i dont know", "no idea",
    "perhaps", "i guess", "probably", "i don't remember", "i can't remember", "hello", "what", "pizza",
    "i have a question", "i am calling about my order", "uh", "um", "hmm", "two large pepperoni",
    "kind of", "sort of", "it depends", "i don't understand", "possibly", "no idea maybe",
    "yes but i'm not sure", "you know what i am", "I wonder if I did.",
]
# Self-correction: the words after the last marker decide.
EN_CORRECTED = [
    ("yes i mean no", False), ("no i mean yes", True), ("no wait yes", True), ("yes sorry no", False),
    ("no actually yes", True), ("yes actually no", False), ("nope sorry yes", True),
    ("no on second thought yes", True), ("yes scratch that no", False),
]

# Whisper writes capitals and punctuation.
EN_YES += ["Yes, I did.", "Yeah, I have.", "I think so, yes.", "Yes, I understood everything.", "Of course."]
EN_NO += ["No, I haven't.", "No. I didn't get them.", "Not that I know of.", "Nope, not yet."]

KO_YES = [
    "네", "네.", "예", "응", "맞아요", "맞습니다", "그래요", "좋아요", "알겠습니다", "네 맞아요", "네네",
    "넵",
    "예 맞습니다", "음 네", "어 네", "그럼요", "물론이죠", "당연하죠", "네 받았어요", "받았습니다", "했어요",
    "네 이해했습니다", "이해했어요", "네 그렇습니다", "맞아", "응 맞아", "좋습니다", "네 알겠어요", "그렇죠",
    "동의합니다", "네 들었어요", "오케이", "네 있어요", "예예", "네, 맞습니다.", "자발적으로 했어요",
    "이메일로 받았는데요", "우편으로 왔는데요", "설명 들었는데요", "그러세요", "물어보세요", "짧게 해 주세요",
]
KO_NO = [
    "아니요", "아뇨", "아니", "아니에요", "아닙니다", "틀려요", "틀렸어요", "안 했어요", "안했어요",
    "아니요 안 받았어요", "못 받았어요", "못받았어요", "안 받았습니다", "없어요", "싫어요", "전혀요",
    "아니오",
    "음 아니요", "네 아니요", "아니 틀렸어요", "그렇지 않아요", "이해 못 했어요", "아닌데요", "별로요",
    "아니요 몰랐어요", "안 들었어요", "설명 못 들었는데요", "안 받았습니다", "못 봤어요",
]
KO_UNCLEAR = [
    "", "몰라요", "모르겠어요", "잘 모르겠어요", "글쎄요", "아마", "기억이 안 나요", "네?", "예?",
    "안녕하세요",
    "페퍼로니 두 판", "음", "어", "헷갈려요",
]
# Reported speech is what someone said, not the caller's yes ("했어요" alone is one).
KO_UNCLEAR += ["상담원이 꼭 해야 한다고 했어요", "직원이 가입하라고 하셨어요"]
KO_CORRECTED = [("네 잠깐만요 아니요", False), ("아니요 잠깐 네", True)]


@pytest.mark.parametrize("text", EN_YES)
def test_english_yes(text: str) -> None:
    assert parse_yes_no(text, "en") is True


@pytest.mark.parametrize("text", EN_NO)
def test_english_no(text: str) -> None:
    assert parse_yes_no(text, "en") is False


@pytest.mark.parametrize("text", EN_UNCLEAR)
def test_english_unclear(text: str) -> None:
    assert parse_yes_no(text, "en") is None


@pytest.mark.parametrize(("text", "expected"), EN_CORRECTED + [(t, e) for t, e in KO_CORRECTED])
def test_last_self_correction_wins(text: str, expected: bool) -> None:
    language = "ko" if any("\uac00" <= c <= "\ud7a3" for c in text) else "en"
    assert parse_yes_no(text, language) is expected


@pytest.mark.parametrize("text", KO_YES)
def test_korean_yes(text: str) -> None:
    assert parse_yes_no(text, "ko") is True


@pytest.mark.parametrize("text", KO_NO)
def test_korean_no(text: str) -> None:
    assert parse_yes_no(text, "ko") is False


@pytest.mark.parametrize("text", KO_UNCLEAR)
def test_korean_unclear(text: str) -> None:
    assert parse_yes_no(text, "ko") is None


# Not now: a no to "do you have two minutes?"; "later" with a yes is unclear ("sure, call me back later" may
# answer "shall a manager call you back?"). "Right now" is no "right".
NOT_NOW_NO = [
    "I'm busy", "I'm busy right now", "right now I'm driving", "okay, but I'm busy", "busy", "later",
    "not right now", "now is not a good time", "this is a bad time", "I'm in a meeting", "I'm at work",
    "can you call me back later", "call me later", "maybe later", "try again tomorrow", "I can't talk now",
    "that won't be necessary", "not today",
]
NOT_NOW_UNCLEAR = ["sure, call me back later", "okay, try again tomorrow", "he was busy",
                   "I'll read them later"]
KO_NOT_NOW_NO = ["지금 운전 중이라서요",
                 "지금 바빠요", "지금은 좀 바빠서요", "나중에 전화해 주세요", "나중에요", "운전 중이에요",
                 "회의 중이에요", "지금은 통화하기 어려워요", "바빠", "지금은 좀 곤란한데요"]
KO_NOT_NOW_UNCLEAR = ["네 나중에 전화 주세요"]
# The question's own words said back: "have you received the documents?" "I got them."
ECHO_YES = ["I got them", "I think I got them", "I did get them", "I received them",
            "I receive them by email.", "I understand the premium", "understood",
            "yes, I got them, I'll read them later"]
ECHO_NO = ["I didn't get them", "I never got them", "I haven't received them", "no, I never received them",
           "no, I haven't got them"]
# The question's words said back as a statement: explained, came, aware.
STATEMENT_YES = ["place the order", "yes please place the order", "put it through",
                 "he explained it", "she explained everything", "they went through it all with me",
                 "they came in the mail", "I got an email with them", "I know that", "I'm aware"]
STATEMENT_NO = ["I'm still waiting for them", "I didn't know that", "he didn't explain it",
                "nobody explained anything", "it was not explained", "no, he explained it",
                "I'm not aware of that", "they never came", "I know what you mean but no",
                "don't place the order"]
KO_STATEMENT_YES = ["네 왔어요", "알고 있어요", "설명해 주셨어요", "그대로 주문해 주세요"]
KO_STATEMENT_NO = ["아직 안 왔어요", "몰랐어요", "설명 안 해 주셨어요"]
# "Did you take out this policy of your own free will, without feeling pressured?"
FREE_WILL_YES = ["nobody forced me", "no one forced me", "no one pressured me into it",
                 "I didn't feel pressured", "it was my choice", "yes, it was my own decision",
                 "of my own free will", "no pressure at all",
                 "No one pressure me.", "I didn't feel pressure.", "Nobody force me.",  # whisper, 8 kHz
                 # The question's words decide over a bare no, which agrees with "without feeling pressured".
                 "no, nobody forced me", "no, no one pressured me", "no, I wasn't pressured",
                 "no, it was my own decision", "not pressured, no", "no no, I wanted it", "no, I got them"]
FREE_WILL_NO = ["I felt pressured", "I felt pressure.", "the agent pushed me", "I was forced to",
                "they pressured me into it", "yes, I was pressured", "no, I felt pressured",
                "nobody forced me, I mean I was pressured", "yes but I felt pressured"]
KO_FREE_WILL_YES = ["강요 안 받았어요", "강요받지 않았어요", "제 의지로 가입했어요", "제가 원해서 가입했어요",
                    "네 제 뜻으로 했어요", "아뇨 강요는 없었어요", "아니요 제 뜻으로 가입했어요",
                    "제가 직접 신청했어요"]
KO_FREE_WILL_NO = ["강요받았어요", "압박을 받았어요", "네 강요받았어요"]


IN_THEIR_OWN_WORDS = [
    *((text, "en", False) for text in NOT_NOW_NO + ECHO_NO + FREE_WILL_NO + STATEMENT_NO),
    *((text, "en", True) for text in ECHO_YES + FREE_WILL_YES + STATEMENT_YES
      + ["right", "yes, right", "right away"]),
    *((text, "en", None) for text in NOT_NOW_UNCLEAR),
    *((text, "ko", False) for text in KO_NOT_NOW_NO + KO_FREE_WILL_NO + KO_STATEMENT_NO),
    *((text, "ko", True) for text in KO_FREE_WILL_YES + KO_STATEMENT_YES),
    *((text, "ko", None) for text in KO_NOT_NOW_UNCLEAR),
]


@pytest.mark.parametrize(("text", "language", "expected"), IN_THEIR_OWN_WORDS)
def test_answers_in_the_callers_own_words(text: str, language: str, expected: bool | None) -> None:
    assert parse_yes_no(text, language) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I was a bit pressured honestly", False), ("the agent was kind of pushy", False),
    ("I felt a little pressured", False), ("no, I didn't feel a bit pressured", True),
    ("I wasn't really pressured", True), ("the agent wasn't pushy at all", True),
])
def test_pressure_said_with_a_degree(text: str, expected: bool) -> None:
    assert parse_yes_no(text, "en") is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("솔직히 좀 부담스러웠어요", False), ("어쩔 수 없이 가입했어요", False), ("부담은 없었어요", True),
])
def test_korean_pressure_in_other_words(text: str, expected: bool) -> None:
    assert parse_yes_no(text, "ko") is expected
