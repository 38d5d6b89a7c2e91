"""The substitution request: a sentence answer's words replaced in turn by the answer words."""

from __future__ import annotations

from voicebot.engines.substitution import (
    SUBSTITUTE,
    heard_substituted,
    split_substitution,
    substitute_words,
    variants,
)

NUMBERS = ("one", "two", "three")


def test_the_request_travels_among_the_expected_answers() -> None:
    expected = ("One.", "Two.", substitute_words(["One", "two", "two "]))
    assert split_substitution(expected) == (("one", "two"), ("One.", "Two."))
    assert split_substitution(("One.",)) == ((), ("One.",))


def test_the_first_and_last_words_are_replaced_keeping_punctuation_and_capitals() -> None:
    got = variants("Maybe a fix.", ("six", "ten"))
    assert got == ["Six a fix.", "Ten a fix.", "Maybe a six.", "Maybe a ten."]
    assert variants("I'm safe or...", ("four",)) == ["Four safe or...", "I'm safe four..."]
    assert variants("free out of fight", ("three",))[0] == "three out of fight"


def test_the_scale_end_after_of_is_never_replaced() -> None:
    # "free out of five": replacing "five" would make the sentence read as 5
    assert "free out of three" not in variants("free out of fight", NUMBERS)
    assert "three out of fight" in variants("free out of fight", NUMBERS)


def test_nothing_to_try_where_an_answer_word_or_a_digit_is_heard_or_the_length_is_off() -> None:
    assert variants("I'd say two.", NUMBERS) == []
    assert variants("Maybe 3.", NUMBERS) == []
    assert variants("Fix.", NUMBERS) == []  # one word: the stand-in rule's case
    assert variants("well I think it was a fix more or less", NUMBERS) == []
    assert variants("Maybe a fix.", ()) == []


def test_scored_sentences_come_back_among_the_alternatives() -> None:
    alternatives = [("Four.", -1.0), (SUBSTITUTE + "Maybe a six.", -2.5)]
    assert heard_substituted(alternatives) == [("Maybe a six.", -2.5)]


def test_a_swap_request_scores_the_transcripts_one_set_word_against_each_of_the_set() -> None:
    from voicebot.engines.substitution import split_swap, swap_words, swapped

    months = ("January", "November", "December")
    assert split_swap(("Yes.", swap_words(months))) == (months, ("Yes.",))
    assert swapped("November, 24, 1990.", months) == ["January, 24, 1990.", "November, 24, 1990.",
                                                      "December, 24, 1990."]
    assert swapped("the 24th of november.", months)[2] == "the 24th of December."
    assert swapped("24 12 1990", months) == []  # no month name: nothing to score
    assert swapped("June 30, 2016, December", ("June", "December")) == []  # two: which one?
