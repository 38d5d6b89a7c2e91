"""A question's scale words ("where five is very satisfied") read as its numbers."""

from __future__ import annotations

import pytest

from voicebot.nlu.scale import labelled_number, scale_ends, scale_labels, scale_question


@pytest.mark.parametrize(("question", "language", "labels"), [
    ("On a scale of one to five, where five is very satisfied, how satisfied were you?", "en",
     (("very satisfied", 5),)),
    ("On a scale of 1 to 5, 1 being poor and 5 being excellent, how was it?", "en",
     (("poor", 1), ("excellent", 5))),
    ("From 0 to 10, where 0 is not at all likely and 10 is extremely likely?", "en",
     (("not at all likely", 0), ("extremely likely", 10))),
    ("Where eleven is brilliant, from one to five?", "en", ()),  # outside the scale
    ("And from zero to ten, how likely are you to recommend us?", "en", ()),
    ("1점부터 5점 중에서 말씀해 주세요. 5점이 매우 만족입니다.", "ko", (("매우 만족", 5),)),
    ("1점은 매우 불만족, 5점은 매우 만족이에요.", "ko", (("매우 불만족", 1), ("매우 만족", 5))),
])
def test_a_questions_scale_words(question: str, language: str, labels: tuple[tuple[str, int], ...]) -> None:
    assert scale_labels(question, language, 0, 10 if "10" in question or "ten" in question else 5) == labels


EN = (("very satisfied", 5), ("not at all likely", 0))
KO = (("매우 만족", 5), ("매우 불만족", 1))


@pytest.mark.parametrize(("answer", "language", "number"), [
    ("Very satisfied.", "en", 5), ("I was really satisfied", "en", 5),
    ("extremely satisfied, thanks", "en", 5), ("Not at all likely.", "en", 0),
    ("Very satisfying.", "en", 5), ("very dissatisfied", "en", None),
    ("not very satisfied", "en", None), ("I was not really satisfied", "en", None), ("satisfied", "en", None),
    ("very", "en", None),
    ("매우 만족해요", "ko", 5), ("아주 만족했어요", "ko", 5), ("매우 불만족이에요", "ko", 1),
    ("매우 만족하지 않았어요", "ko", None), ("매우 만족은 아니에요", "ko", None), ("만족해요", "ko", None),
])
def test_an_answer_in_the_scales_words(answer: str, language: str, number: int | None) -> None:
    assert labelled_number(answer, EN if language == "en" else KO, language) == number


@pytest.mark.parametrize(("answer", "language", "number"), [
    ("full marks", "en", 5), ("the highest, definitely", "en", 5), ("the lowest", "en", 1),
    ("not the highest", "en", None), ("만점이요", "ko", 5), ("최하점이요", "ko", 1),
    ("만점은 아니에요", "ko", None),
])
def test_any_scales_ends(answer: str, language: str, number: int | None) -> None:
    assert labelled_number(answer, scale_ends(language, 1, 5), language) == number


@pytest.mark.parametrize(("said", "language", "after"), [
    ("is five the best?", "en", ""), ("Is 5 good or bad?", "en", ""), ("does one mean bad", "en", ""),
    ("Five is good, right?", "en", ""), ("Is it out of five?", "en", ""),
    ("Is one the lowest? Then one.", "en", "Then one."),
    # Statements answer; a question without a word for what a number means answers too.
    ("Five is the best.", "en", None), ("four out of five", "en", None), ("is three okay?", "en", None),
    ("not bad, a four", "en", None), ("What? Four.", "en", None),
    ("5점이 최고예요?", "ko", ""), ("일점이 나쁜 거죠?", "ko", ""),
    ("5점이 제일 좋은 거죠? 그럼 5점이요", "ko", "그럼 5점이요"),
    ("사점이요", "ko", None), ("제일 좋았어요", "ko", None),
])
def test_a_question_about_what_the_numbers_mean(said: str, language: str, after: str | None) -> None:
    assert scale_question(said, language) == after
