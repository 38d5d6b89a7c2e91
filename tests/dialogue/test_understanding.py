"""Slot values read from caller words and keys, through the real NLU parsers, in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from voicebot.dialogue.events import CallerText, Dtmf, Say
from voicebot.dialogue.loader import load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader

TYPES = """\
name: types_{lang}
language: {lang}
outcomes: [done]
catalogues:
  departments:
    billing: {{synonyms: [bill, invoice, 요금, 청구], dtmf: "1"}}
    technical: {{synonyms: [internet, broken, 인터넷, 고장], dtmf: "2"}}
slots:
  when: {{type: time}}
  day: {{type: date}}
  pin: {{type: digits, length: 4}}
  department: {{type: choice, catalogue: departments}}
  guests: {{type: integer, min: 1, max: 12}}
  ok: {{type: yes_no}}
  phone: {{type: phone}}
  note: {{type: text}}
flows:
  main:
    - ask: when
      prompt: "?"
    - say: "{{when}} {{day}} {{pin|digits}} {{department}} {{guests}} {{ok}} {{phone}}"
      id: summary
    - hangup: done
"""


def _dialogue(lang: str) -> Dialogue:
    return load_dialogue_bytes(TYPES.format(lang=lang).encode(), f"types_{lang}.yml")


@pytest.fixture(scope="module")
def readers() -> dict[str, SlotReader]:
    return {lang: SlotReader(_dialogue(lang)) for lang in ("en", "ko")}


@pytest.mark.parametrize(
    ("lang", "slot", "text", "value"),
    [
        ("en", "when", "seven thirty pm", "19:30"),
        ("ko", "when", "오후 세 시 반", "15:30"),
        ("en", "day", "march third nineteen eighty five", "1985-03-03"),
        ("ko", "day", "1985년 3월 3일", "1985-03-03"),
        ("en", "pin", "one two three four", "1234"),
        ("en", "pin", "one two three", None),
        ("en", "department", "my invoice is wrong", "billing"),
        ("ko", "department", "인터넷이 안 돼요", "technical"),
        ("en", "guests", "we are four people", 4),
        ("en", "guests", "twenty", None),
        ("en", "guests", "three and a half", None),  # no whole number: asked again, never taken as 3
        ("ko", "guests", "다섯 명이요", 5),
        ("en", "ok", "yeah", True),
        ("ko", "ok", "아니요", False),
        ("en", "phone", "five five five one two three four five six seven", "5551234567"),
        ("ko", "phone", "010 1234 5678이요", "01012345678"),
        ("en", "note", "  leave it at the door  ", "leave it at the door"),
    ],
)
def test_read_from_words(readers: dict[str, SlotReader], lang: str, slot: str, text: str, value: Any) -> None:
    reader = readers[lang]
    assert reader.read(reader.dialogue.slots[slot], text) == value


@pytest.mark.parametrize(
    ("slot", "keys", "value"),
    [
        ("pin", "1234#", "1234"),
        ("pin", "12#", None),
        ("department", "2", "technical"),
        ("guests", "3", 3),
        ("guests", "30", None),
        ("ok", "1", True),
        ("ok", "2", False),
        ("ok", "7", None),
        ("phone", "5551234567#", "5551234567"),
        ("day", "19850303", "1985-03-03"),
        ("note", "5", None),
    ],
)
def test_read_from_keys(readers: dict[str, SlotReader], slot: str, keys: str, value: Any) -> None:
    reader = readers["en"]
    assert reader.read_dtmf(reader.dialogue.slots[slot], keys) == value


@pytest.mark.parametrize(
    ("lang", "spoken"),
    [
        ("en", "7:30 PM March 3, 1985 1 2 3 4 billing 4 yes 5 5 5, 1 2 3, 4 5 6 7"),
        ("ko", "오후 7시 30분 1985년 3월 3일 1 2 3 4 billing 4 네 5 5 5, 1 2 3, 4 5 6 7"),
    ],
)
def test_values_are_spoken_per_language(lang: str, spoken: str) -> None:
    conv = Conversation(_dialogue(lang), {})
    conv.start()
    conv.record.slots.update(
        {
            "day": "1985-03-03",
            "pin": "1234",
            "department": "billing",
            "guests": 4,
            "ok": True,
            "phone": "5551234567",
        }
    )
    actions = conv.handle(CallerText("7:30 pm" if lang == "en" else "오후 일곱 시 삼십 분"))
    summary = next(a for a in actions if isinstance(a, Say) and a.prompt_id == "summary")
    assert summary.text == spoken


def test_hints_carry_catalogue_words_and_yes_no(readers: dict[str, SlotReader]) -> None:
    reader = readers["ko"]
    assert {"billing", "요금", "청구", "인터넷"} <= set(reader.hints(reader.dialogue.slots["department"]))
    assert {"네", "아니요"} <= set(reader.hints(reader.dialogue.slots["ok"]))


def test_keypad_answer_in_conversation() -> None:
    conv = Conversation(_dialogue("en"), {})
    conv.start()
    conv.handle(Dtmf("1930"))  # a time is not typed on the keypad: asked again, not guessed
    assert "when" not in conv.record.slots


@pytest.mark.parametrize(
    ("slot", "keys"),
    [("pin", 4), ("ok", 1), ("guests", 2), ("department", 1), ("phone", None), ("day", None)],
)
def test_keys_that_complete_an_answer(readers: dict[str, SlotReader], slot: str, keys: int | None) -> None:
    reader = readers["en"]
    assert reader.max_digits(reader.dialogue.slots[slot]) == keys


def test_relative_dates_count_from_the_conversations_today() -> None:
    import datetime as dt

    conv = Conversation(_dialogue("en"), {}, today=lambda: dt.date(2026, 12, 31))
    reader = conv._reader
    assert reader.read(reader.dialogue.slots["day"], "tomorrow") == "2027-01-01"
    assert reader.read(reader.dialogue.slots["day"], "march third") == "2026-03-03"


@pytest.mark.parametrize(("said", "address"), [
    ("twelve main street", "12 main street"),  # whisper writes a house number in words now and then
    ("Forty two Elm Street.", "42 Elm Street"),
    ("one two three Oak Avenue", "123 Oak Avenue"),  # said digit by digit
    ("12 Main Street", "12 Main Street"),
    # said in parts, as house numbers are: it was "23 main street", "34 elm street", "5 park avenue"
    ("one twenty three main street", "123 main street"),
    ("twelve thirty four elm street", "1234 elm street"),
    ("one oh five park avenue", "105 park avenue"),
    ("two twenty one b baker street", "221 b baker street"),
    # a house number taken back: the one meant instead
    ("12 Oak Street, no sorry, 14 Oak Street", "14 Oak Street"),
    ("twelve oak street, actually fourteen oak street", "14 oak street"),
    ("12 Oak Street and 14 Oak Street", "12 Oak Street"),
    # whisper on a phone line: "one twenty three" as "1 20 free"; a street named in number words stays
    ("1 20 free main street.", "123 main street"),
    ("12 One Tree Hill Road", "12 One Tree Hill Road"),
])
def test_an_address_with_its_house_number_in_words(said: str, address: str) -> None:
    from pathlib import Path

    from voicebot.dialogue.loader import load_dialogue

    pizza = load_dialogue(Path(__file__).parents[2] / "dialogues" / "pizza_order.yml")
    assert SlotReader(pizza).read(pizza.slots["address"], said, strict=True) == address
    assert SlotReader(pizza).read(pizza.slots["address"], "that's all", strict=True) is None
