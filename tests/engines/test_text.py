"""Sentence splitting and speech normalisation, with literals."""

from __future__ import annotations

import pytest

from voicebot.engines.text import normalize_for_speech, split_sentences


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello there. How are you?", ["Hello there.", "How are you?"]),
    ("Your premium is $3.50 a month. Is that right?", ["Your premium is $3.50 a month.", "Is that right?"]),
    ("Thank you, Mr. Smith. Goodbye!", ["Thank you, Mr. Smith.", "Goodbye!"]),
    ("Dr. Jones and Mrs. Lee agreed. Fine.", ["Dr. Jones and Mrs. Lee agreed.", "Fine."]),
    ("Toppings, e.g. olives, are extra. Okay?", ["Toppings, e.g. olives, are extra.", "Okay?"]),
    ("Deliver to No. 5 Elm Road. Thanks.", ["Deliver to No. 5 Elm Road.", "Thanks."]),
    ("No. I did not sign that.", ["No.", "I did not sign that."]),
    ("Yes. No. Maybe.", ["Yes.", "No.", "Maybe."]),
    ("We open at 9 a.m. Tomorrow works.", ["We open at 9 a.m.", "Tomorrow works."]),
    ("See you at 5 p.m. and bring it.", ["See you at 5 p.m. and bring it."]),
    ("Ask for J. Smith. He knows.", ["Ask for J. Smith.", "He knows."]),
    ("It costs 1,250 dollars... Really?!", ["It costs 1,250 dollars...", "Really?!"]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("  one   two\nthree.  ", ["one two three."]),
    ("First paragraph\n\nSecond paragraph", ["First paragraph", "Second paragraph"]),
    ("", []),
    ("... !?", []),
])
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("안녕하세요. 주문하시겠어요?", ["안녕하세요.", "주문하시겠어요?"]),
    ("네! 감사합니다.", ["네!", "감사합니다."]),
    ("월 보험료는 3.50달러입니다. 맞으십니까?", ["월 보험료는 3.50달러입니다.", "맞으십니까?"]),
    ("감사합니다。다음에 뵙겠습니다！", ["감사합니다。", "다음에 뵙겠습니다！"]),
])
def test_korean(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "ko") == expected


def test_abbreviations_are_english_only() -> None:
    # Outside English a period before a space ends the sentence whatever the word.
    assert split_sentences("Mr. Kim. 네.", "ko") == ["Mr.", "Kim.", "네."]
    assert split_sentences("Thanks, Mr. Kim.", "en-US") == ["Thanks, Mr. Kim."]


def test_long_sentence_is_cut_at_commas() -> None:
    sentence = ("Before we finish, I need to confirm that you received the policy documents by email, "
                "that the monthly premium was explained to you, and that you know about your right "
                "to cancel within thirty days.")
    pieces = split_sentences(sentence, "en")
    assert pieces == [
        "Before we finish, I need to confirm that you received the policy documents by email,",
        "that the monthly premium was explained to you,",
        "and that you know about your right to cancel within thirty days.",
    ]
    assert " ".join(pieces) == sentence


def test_long_sentence_keeps_numbers_and_short_tails() -> None:
    sentence = "The total is 1,250 dollars for " + "very " * 25 + "large pizzas, ok."
    # "1,250" has no space after its comma and ", ok." would leave a tail too short to speak alone.
    assert split_sentences(sentence, "en") == [sentence]


def test_short_sentence_with_commas_stays_whole() -> None:
    text = "One large pepperoni, one small margherita, and a coke."
    assert split_sentences(text, "en", long_sentence_chars=120) == [text]
    assert split_sentences(text, "en", long_sentence_chars=20, min_piece_chars=10) == [
        "One large pepperoni,", "one small margherita,", "and a coke."]


@pytest.mark.parametrize(("text", "expected"), [
    ("Your premium is $42.50 a month.", "Your premium is 42 dollars and 50 cents a month."),
    ("That is $1 or $1.01.", "That is 1 dollar or 1 dollar and 1 cent."),
    ("A total of $1,200.00 today.", "A total of 1200 dollars today."),
    ("Thank you, Mr. Smith and Dr. Jones.", "Thank you, Mr Smith and Dr Jones."),
    ("It is 3.50 euros.", "It is 3.50 euros."),
])
def test_normalize_for_speech(text: str, expected: str) -> None:
    assert normalize_for_speech(text, "en") == expected


def test_normalize_leaves_other_languages_alone() -> None:
    assert normalize_for_speech("$42.50 입니다. Mr. Kim", "ko") == "$42.50 입니다. Mr. Kim"
