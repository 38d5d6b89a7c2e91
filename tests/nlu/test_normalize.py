"""Text clean-up, and every parser's promise never to raise on whatever speech-to-text produces."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicebot.nlu.catalogue import Catalogue
from voicebot.nlu.correction import parse_correction
from voicebot.nlu.dates import parse_date, redact_dates
from voicebot.nlu.digits import parse_digits
from voicebot.nlu.intents import detect_global_intent
from voicebot.nlu.normalize import normalize, strip_korean_particles, tokenize, words
from voicebot.nlu.numbers import find_numbers, parse_number
from voicebot.nlu.order import parse_order_lines
from voicebot.nlu.phone import parse_phone, redact_phone_numbers
from voicebot.nlu.times import parse_time
from voicebot.nlu.yesno import parse_yes_no


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Yes, that's RIGHT!", "en", "yes that's right"),
    ("  two   large\tpepperoni\n", "en", "two large pepperoni"),
    ("It costs $2.50.", "en", "it costs 2.50"),
    ("at 7:30 p.m.", "en", "at 7:30 p m"),
    ("don’t", "en", "don't"),
    ("'quoted'", "en", "quoted"),
    ("555-1234", "en", "555 1234"),
    ("네, 맞아요!", "ko", "네 맞아요"),
    ("페퍼로니 피자 두 판이요.", "ko", "페퍼로니 피자 두 판이요"),
    ("ＡＢＣ １２３", "en", "abc 123"),
    ("", "en", ""),
    ("?!...", "ko", ""),
])
def test_normalize(text: str, language: str, expected: str) -> None:
    assert normalize(text, language) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I don't know", "i do not know"), ("that's right", "that is right"), ("thats right", "that is right"),
    ("I'm not sure", "i am not sure"), ("it isn't", "it is not"), ("we can't", "we can not"),
])
def test_contractions_expand(text: str, expected: str) -> None:
    assert normalize(text, "en", expand_contractions=True) == expected


@pytest.mark.parametrize(("word", "expected"), [
    ("페퍼로니를", "페퍼로니"), ("피자가", "피자"), ("둘이요", "둘"), ("판이요", "판"), ("콜라랑", "콜라"),
    ("불고기하고", "불고기"), ("서울에서", "서울"), ("라지로", "라지"), ("맞아요", "맞아"), ("이", "이"),
    ("네", "네"),
    ("사과", "사과"), ("페퍼로니", "페퍼로니"), ("학생입니다", "학생"), ("집으로", "집"),
])
def test_strip_korean_particles(word: str, expected: str) -> None:
    assert strip_korean_particles(word) == expected


def test_normalize_can_strip_particles() -> None:
    assert normalize("페퍼로니를 두 판이요", "ko", strip_particles=True) == "페퍼로니 두 판"


def test_tokens_keep_spans_into_the_original() -> None:
    text = "Two LARGE, 3개 페퍼로니를!"
    tokens = tokenize(text, "ko")
    assert [t.text for t in tokens] == ["two", "large", "3", "개", "페퍼로니를"]
    assert [text[t.start:t.end] for t in tokens] == ["Two", "LARGE", "3", "개", "페퍼로니를"]


def test_words_drop_fillers_but_keep_uh_huh() -> None:
    assert words("uh um yes", "en") == ["yes"]
    assert words("uh huh", "en") == ["uh", "huh"]
    assert words("음 네 어 맞아요", "ko") == ["네", "맞아요"]


_ITEMS = Catalogue({"pepperoni": ["페퍼로니"], "coke": ["콜라"]})
_SIZES = Catalogue({"large": ["라지"]})
_SPEECH = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz 0123456789-:/.,'?") + list(
    "네아니요일이삼사오육칠팔구십백천만한두세판개시월년분반페퍼로니콜라라지")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(text=_SPEECH, language=st.sampled_from(["en", "ko"]))
def test_parsers_never_raise_and_spans_slice_the_input(text: str, language: str) -> None:
    for match in find_numbers(text, language):
        assert text[match.start:match.end] == match.text
    for item in _ITEMS.find_all(text):
        assert 0 <= item.start < item.end <= len(text)
    parse_number(text, language)
    parse_yes_no(text, language)
    parse_order_lines(text, _ITEMS, _SIZES, language)
    parse_date(text, language, today=dt.date(2026, 1, 1))
    parse_time(text, language)
    parse_digits(text, language)
    detect_global_intent(text, language)
    parse_correction(text, language)
    phone = parse_phone(text, language)
    assert phone is None or (phone.isdigit() and 7 <= len(phone) <= 15)
    assert "[phone]" in redact_phone_numbers(text) or phone is None or not phone
    redact_dates(text)
