"""What real phone lines showed: empty caller-ID names, free text heard unsure, misheard words."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue.events import CallerText, EndCall, Say
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
