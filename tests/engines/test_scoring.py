"""Which closed answers are worth scoring against the expected phrases (engines/scoring.py)."""

from __future__ import annotations

from voicebot.engines.scoring import NUMBER, YES_NO, contested, split_flag, worth_scoring

# A 0-10 score question's scored phrases, and a yes/no question's (dialogue/grammar.py).
SCORES = ("Zero.", "One.", "Two.", "Three.", "Four.", "Five.", "Six.", "Seven.", "Eight.", "Nine.", "Ten.",
          "Stop.", "Goodbye.", "Bye.")
YES_NO_PHRASES = ("Yes.", "Yeah.", "Sure.", "That's right.", "Correct.", "No.", "Nope.", "Stop.", "Goodbye.",
                  "Bye.")


def test_a_short_transcript_is_scored_whatever_it_reads_as() -> None:
    # phone-corpus transcripts: "Four." (an expected phrase), "4." (a bare answer), "Bye." for "five"
    for heard in ("Four.", "4.", "Bye.", "Probably a coupe.", "um, free."):
        assert worth_scoring(heard, SCORES, "en")


def test_a_sentence_is_read_as_it_stands_and_not_scored() -> None:
    # the dialogue never lets a bare phrase stand in for four or more words, nor judges a sentence by them
    for heard in ("I'd give it a five.", "Put me through to a manager.", "I give you a hand."):
        assert not worth_scoring(heard, SCORES, "en")
    assert not worth_scoring("Four.", (), "en")


def test_a_phrase_longer_than_the_stand_in_limit_keeps_its_own_length() -> None:
    assert worth_scoring("I would say yes please.", ("I would say yes please.", "No."), "en")
    assert not worth_scoring("I would say yes please thanks.", ("I would say yes please.", "No."), "en")


def test_a_yes_or_no_in_other_words_is_not_scored_but_an_expected_one_and_a_garbled_one_are() -> None:
    # eSpeak en-gb on the phone line: "yeah sure" -> "Yeah sure.", "no I haven't" -> "No, I haven't."
    assert not worth_scoring("Yeah sure.", YES_NO_PHRASES, "en", yes_no=True)
    assert not worth_scoring("No, I haven't.", YES_NO_PHRASES, "en", yes_no=True)
    assert worth_scoring("Yeah.", YES_NO_PHRASES, "en", yes_no=True)  # its confidence is the posterior
    assert worth_scoring("Next slide.", YES_NO_PHRASES, "en", yes_no=True)  # eSpeak's "that's right"
    assert worth_scoring("Yeah sure.", YES_NO_PHRASES, "en")  # not a yes/no question: a short answer


def test_a_number_said_in_a_sentence_is_not_scored_but_a_bare_or_unread_one_is() -> None:
    # phone-corpus transcripts at a 0-10 score question: the dialogue takes these as they stand
    for heard in ("I'd say four.", "Probably the two.", "Four, I guess.", "A solid 7."):
        assert not worth_scoring(heard, SCORES, "en", number=True), heard
        assert worth_scoring(heard, SCORES, "en"), heard  # not a number question: a short answer
    # a word or two is judged by its posterior ("Second." for "seven"); "for" is no number without its
    # homophone, which the dialogue reads through the scores; eleven is out of range; two numbers are none
    for heard in ("Second.", "Um, three.", "I'd say for.", "I'd say eleven.", "Two or three."):
        assert worth_scoring(heard, SCORES, "en", number=True), heard
    assert worth_scoring("Four.", SCORES, "en", number=True)
    assert worth_scoring("I'd say four.", (*SCORES, "I'd say four."), "en", number=True)  # an author's phrase


def test_the_yes_no_and_number_requests_travel_among_the_expected_answers() -> None:
    assert split_flag(("Yes.", YES_NO, "No."), YES_NO) == (True, ("Yes.", "No."))
    assert split_flag(("Yes.",), YES_NO) == (False, ("Yes.",))
    assert split_flag(("One.", NUMBER, "Two."), NUMBER) == (True, ("One.", "Two."))
    assert split_flag(("One.",), NUMBER) == (False, ("One.",))


def test_a_short_yes_or_no_with_a_word_that_flips_it_is_contested_by_the_other_answers_phrase() -> None:
    assert contested("Not right.", YES_NO_PHRASES, "en") == ["That's right."]
    assert contested("not right", YES_NO_PHRASES, "en") == ["that's right"]
    # "Not right." is no expected phrase: a right "That's right." is not contested by it
    assert contested("That's right.", YES_NO_PHRASES, "en") == []
    assert contested("That's right.", (*YES_NO_PHRASES, "Not right."), "en") == ["Not right."]
    # no flipping word, a flip that reads as the same answer or as none, two such words, a sentence
    for said in ("Yes.", "No.", "Not really.", "That's not right.", "No, that's wrong.",
                 "Not right now, sorry."):
        assert contested(said, (*YES_NO_PHRASES, "That's really.", "Not wrong."), "en") == [], said
    assert contested("Not right.", YES_NO_PHRASES, "ko") == []  # measured on English only
