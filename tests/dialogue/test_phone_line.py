"""What real phone lines showed: empty caller-ID names, free text heard unsure, misheard words."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue.events import CallerText, Dtmf, EndCall, Say, SilenceTimeout
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.render import render

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture(scope="module")
def survey() -> Dialogue:
    return load_dialogue(ROOT / "satisfaction_survey.yml")


@pytest.fixture(scope="module")
def survey_ko() -> Dialogue:
    return load_dialogue(ROOT / "satisfaction_survey_ko.yml")


def _says(actions: list[object]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_empty_caller_name_falls_back_to_the_declared_default(survey: Dialogue, name: str | None) -> None:
    conv = Conversation(survey, {"customer_name": name, "company_name": ""})
    intro = _says(conv.start())[0]
    assert intro.startswith("Hi there, this is the automated assistant from Brightline Internet,")
    assert conv.variables["customer_name"] == "there"


def test_a_given_caller_name_is_used(survey: Dialogue) -> None:
    conv = Conversation(survey, {"customer_name": "Ann"})
    assert _says(conv.start())[0].startswith("Hi Ann, this is")


def test_an_empty_variable_without_a_default_leaves_no_stray_space() -> None:
    dialogue = load_dialogue_bytes(
        b"name: hi\nlanguage: en\noutcomes: [done]\nvariables:\n  who: {type: text}\n"
        b"flows:\n  main:\n    - hangup: done\n      prompt: 'Hi {who}, bye {who}.'\n",
        "inline.yml",
    )
    conv = Conversation(dialogue, {"who": ""})
    assert _says(conv.start()) == ["Hi, bye."]


def _to_comment(conv: Conversation) -> None:
    conv.start()
    conv.handle(CallerText("yes"))
    conv.handle(CallerText("4"))
    conv.handle(CallerText("9"))


def test_free_text_heard_with_low_confidence_is_kept_without_a_read_back(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    _to_comment(conv)
    actions = conv.handle(CallerText("But I can issue one's very helpful.", confidence=0.2))
    assert not any("you said" in text for text in _says(actions))
    assert conv.slots["comment"] == "But I can issue one's very helpful."
    assert isinstance(actions[-1], EndCall) and actions[-1].outcome == "completed"


def test_korean_free_text_is_not_read_back_either(survey_ko: Dialogue) -> None:
    conv = Conversation(survey_ko, {})
    conv.start()
    conv.handle(CallerText("네"))
    conv.handle(CallerText("4점"))
    conv.handle(CallerText("9점"))
    actions = conv.handle(CallerText("기사님이 친절했어요.", confidence=0.2))
    assert not any("맞으신가요" in text for text in _says(actions))
    assert conv.slots["comment"] == "기사님이 친절했어요."


def test_a_read_back_never_doubles_the_full_stop(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    conv.start()
    conv.handle(CallerText("yes"))
    actions = conv.handle(CallerText("Four.", confidence=0.2))
    assert _says(actions) == ["I think you said 4. Is that right?"]


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        ("very helpful.", "I think you said very helpful. Is that right?"),
        ("really?", "I think you said really. Is that right?"),
        ("3.5", "I think you said 3.5. Is that right?"),
    ],
)
def test_a_value_ending_a_sentence_gives_one_full_stop(survey: Dialogue, value: str, spoken: str) -> None:
    template = survey.behaviour.low_confidence_prompt.template
    assert render(template, survey, {}, {}, extra={"value": value}) == spoken


def test_scores_heard_as_homophones_are_numbers_where_a_number_is_asked(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    conv.start()
    conv.handle(CallerText("sure go ahead"))
    conv.handle(CallerText("For."))
    conv.handle(CallerText("ate"))
    assert conv.slots["satisfaction"] == 4
    assert conv.slots["recommend"] == 8


def test_a_phone_number_heard_with_homophones() -> None:
    conv = Conversation(load_dialogue(ROOT / "pizza_order.yml"), {})
    conv.start()
    conv.handle(CallerText("one large pepperoni"))
    conv.handle(CallerText("that's all"))
    conv.handle(CallerText("12 main street"))
    conv.handle(CallerText("five five five one to three for five six seven"))
    assert conv.slots["phone"] == "5551234567"


def test_homophones_stay_words_where_no_number_is_asked(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    conv.start()
    conv.handle(CallerText("yes"))
    conv.handle(CallerText("4"))
    conv.handle(CallerText("9"))
    conv.handle(CallerText("not too bad"))
    assert conv.slots["comment"] == "not too bad"


def _at_satisfaction(dialogue: Dialogue) -> Conversation:
    conv = Conversation(dialogue, {})
    conv.start()
    conv.handle(CallerText("yes" if dialogue.language == "en" else "네"))
    return conv


@pytest.mark.parametrize("heard", ["Bye.", "bye", "Uh, bye.", "stop", "Goodbye."])
def test_a_lone_stop_word_where_a_score_is_asked_is_confirmed(survey: Dialogue, heard: str) -> None:
    conv = _at_satisfaction(survey)
    actions = conv.handle(CallerText(heard, confidence=0.9))
    assert _says(actions) == ["Do you want to end the call?"]
    assert not conv.ended and "satisfaction" not in conv.slots


def test_no_to_ending_asks_the_question_again(survey: Dialogue) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText("Bye."))
    again = _says(conv.handle(CallerText("no")))
    assert len(again) == 1 and again[0].startswith("On a scale of one to five")
    conv.handle(CallerText("five"))
    assert conv.slots["satisfaction"] == 5 and not conv.ended


@pytest.mark.parametrize("answer", [CallerText("five"), CallerText("Five."), Dtmf("5")])
def test_an_answer_to_the_end_question_that_is_a_score_is_taken(survey: Dialogue, answer: object) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText("Bye."))
    assert isinstance(answer, CallerText | Dtmf)
    actions = conv.handle(answer)
    assert conv.slots["satisfaction"] == 5
    assert any(a.prompt_id == "ask_recommend" for a in actions if isinstance(a, Say))


@pytest.mark.parametrize("answer", ["yes", "yes please", "bye", "[dtmf 1]"])
def test_yes_to_ending_ends_the_call(survey: Dialogue, answer: str) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText("Bye."))
    event = Dtmf("1") if answer.startswith("[") else CallerText(answer)
    actions = conv.handle(event)
    assert conv.ended and conv.record.outcome == "declined"
    assert isinstance(actions[-1], EndCall)


def test_silence_after_the_end_question_asks_it_again(survey: Dialogue) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText("Bye."))
    said = _says(conv.handle(SilenceTimeout()))
    assert said == ["Sorry, I didn't hear anything.", "Do you want to end the call?"]


@pytest.mark.parametrize(
    "heard",
    [
        "I don't want to do this survey, goodbye",
        "stop calling me",
        "please take me off your list",
        "I'm not interested",
    ],
)
def test_a_clear_request_still_ends_the_call(survey: Dialogue, heard: str) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText(heard, confidence=0.9))
    assert conv.ended and conv.record.outcome == "declined"


def test_a_short_stop_heard_with_low_confidence_is_confirmed_at_any_question(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    conv.start()
    assert _says(conv.handle(CallerText("Stop it.", confidence=0.2))) == ["Do you want to end the call?"]
    conv.handle(CallerText("no"))
    conv.handle(CallerText("sure"))
    assert conv.slots["consent"] is True


def test_a_clear_stop_at_a_yes_no_question_ends_the_call(survey: Dialogue) -> None:
    conv = Conversation(survey, {})
    conv.start()
    conv.handle(CallerText("stop", confidence=0.9))
    assert conv.ended and conv.record.outcome == "declined"


def test_korean_lone_stop_word_at_a_score_is_confirmed(survey_ko: Dialogue) -> None:
    conv = _at_satisfaction(survey_ko)
    assert _says(conv.handle(CallerText("됐어요"))) == ["통화를 종료할까요?"]
    conv.handle(CallerText("아니요"))
    conv.handle(CallerText("다섯 점"))
    assert conv.slots["satisfaction"] == 5
    conv.handle(CallerText("그만"))
    conv.handle(CallerText("네"))
    assert conv.ended and conv.record.outcome == "declined"


def test_the_step_log_counts_the_end_question_as_a_read_back(survey: Dialogue) -> None:
    conv = _at_satisfaction(survey)
    conv.handle(CallerText("Bye."))
    conv.handle(CallerText("no"))
    results = [(s["step"], s["result"]) for s in conv.record.meta["steps"]]
    assert results[-2:] == [("ask.satisfaction", "read_back"), ("ask.satisfaction", "repeat")]


def test_a_lone_stop_word_at_a_birth_date_is_confirmed() -> None:
    compliance = load_dialogue(ROOT / "sales_compliance.yml")
    conv = Conversation(compliance, {"customer_name": "Dana Lee", "product_name": "Term Life Plus",
                                     "monthly_premium": "$42.50", "birth_date": "1985-03-03"})
    conv.start()
    assert _says(conv.handle(CallerText("Bye."))) == ["Do you want to end the call?"]
    conv.handle(CallerText("march third 1985"))
    assert conv.slots["dob_answer"] == "1985-03-03" and not conv.ended
