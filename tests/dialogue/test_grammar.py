"""The expected answers of each ask, and the rule that chooses between the transcript and them."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue import grammar
from voicebot.dialogue.events import CallerText, Listen, Say
from voicebot.dialogue.loader import DEFAULT_LOW_CONFIDENCE, load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.engines.scoring import NUMBER, YES_NO

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture(scope="module")
def survey() -> Dialogue:
    return load_dialogue(ROOT / "satisfaction_survey.yml")


@pytest.fixture(scope="module")
def survey_ko() -> Dialogue:
    return load_dialogue(ROOT / "satisfaction_survey_ko.yml")


def _meaning(text: str) -> str | None:
    return {"Four.": "4", "4.": "4", "Five.": "5", "Yes.": "yes"}.get(text)


def _never(text: str) -> bool:
    return False


def test_one_second_is_asked_again_never_taken_as_the_scored_one(survey: Dialogue) -> None:
    # Piper on the phone line saying "one second" at the score question (scores as the recogniser gave
    # them): "One." stood in for it at share 1.0 before a request to hold on was kept as heard.
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    alternatives = [("One.", -7.335), ("Two.", -9.789), ("Three.", -11.022), ("Four.", -12.5),
                    ("Five.", -12.9)]
    reading = grammar.read_answer(SlotReader(survey), expected, "One second.", 0.6, alternatives, -1.844)
    assert (reading.source, reading.meaning, reading.text) == ("free", None, "One second.")
    # a real "one" that whisper heard as "Once." is still mended by the scores
    mended = grammar.read_answer(SlotReader(survey), expected, "Once.", 0.6, alternatives, -6.0)
    assert mended.meaning == "1"


def test_a_score_ask_expects_each_value_in_words_and_the_live_intents(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    assert expected.closed
    meanings = expected.meanings()
    assert [m for m in meanings if not m.startswith("intent:")] == ["1", "2", "3", "4", "5"]
    assert {"intent:agent", "intent:repeat", "intent:stop"} <= set(meanings)
    assert grammar.Phrase("Four.", "4") in expected.phrases
    # one spelling per value is scored: "4." scores like "Four." and would double the CPU
    assert grammar.Phrase("4.", "4") not in expected.phrases
    assert "0" not in meanings and "6" not in meanings


def test_a_zero_to_ten_ask_and_korean_numbers(survey: Dialogue, survey_ko: Dialogue) -> None:
    recommend = grammar.for_slot(survey, survey.slots["recommend"]).meanings()
    assert [m for m in recommend if not m.startswith("intent:")] == [str(n) for n in range(11)]
    ko = grammar.for_slot(survey_ko, survey_ko.slots["satisfaction"])
    five = {p.text for p in ko.phrases if p.meaning == "5"}
    assert {"5.", "5점.", "오.", "다섯."} <= five
    # scored: the score form and the Sino-Korean word; the bare digit and the native word are read only
    scored = {p.text for p in ko.phrases if p.meaning == "5" and p.scored}
    assert scored == {"5점.", "오."}
    assert "5점." in ko.to_score and "다섯." not in ko.to_score
    # a number question's phrases travel with the request that says so (engines/scoring.py); a yes/no
    # question's with its own
    assert NUMBER in ko.to_score and YES_NO not in ko.to_score


def test_yes_no_and_free_text_asks(survey: Dialogue) -> None:
    consent = grammar.for_slot(survey, survey.slots["consent"])
    assert consent.closed and {"yes", "no"} <= set(consent.meanings())
    comment = grammar.for_slot(survey, survey.slots["comment"])
    assert not comment.closed
    assert all(p.is_intent for p in comment.phrases)


def test_a_catalogue_ask_and_the_authors_own_phrases() -> None:
    dialogue = load_dialogue_bytes(b"""
name: drinks
language: en
outcomes: [ended]
catalogues:
  drink:
    cola: [coke]
    water: []
slots:
  drink: {type: choice, catalogue: drink}
  ok: {type: yes_no}
flows:
  main:
    - ask: drink
      prompt: "Cola or water?"
      hints: ["a cold one"]
    - hangup: ended
""", "drinks.yml")
    expected = grammar.for_slot(dialogue, dialogue.slots["drink"], ("sparkling water", "nonsense"),
                                read=lambda said: "water" if "water" in said else None)
    assert grammar.Phrase("Coke.", "cola") in expected.phrases
    assert grammar.Phrase("Sparkling water.", "water") in expected.phrases
    assert not any(p.text == "Nonsense." for p in expected.phrases)
    assert expected.closed


def test_the_free_transcript_wins_when_it_is_an_answer_and_its_confidence_is_the_posterior(
        survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    alternatives = [("Four.", -0.5), ("4.", -1.5), ("Five.", -6.0), ("Bye.", -9.0)]
    reading = grammar.choose("Four.", 0.31, alternatives, expected, _meaning, _never)
    assert reading.source == "free" and reading.text == "Four."
    assert reading.confidence is not None and reading.confidence > 0.95


def test_a_lone_bye_that_the_audio_puts_close_to_five_becomes_five_with_a_low_confidence(
        survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    alternatives = [("Five.", -3.0), ("5.", -4.0), ("Four.", -9.0), ("Bye.", -0.4), ("Goodbye.", -5.0)]
    reading = grammar.choose("Bye.", 0.5, alternatives, expected, _meaning, _never, free_logprob=-0.4)
    assert reading.source == "grammar" and reading.meaning == "5" and reading.text == "Five."
    assert reading.confidence is not None and reading.confidence < grammar.ACCEPT_POSTERIOR


def test_no_expected_answer_stands_in_when_none_is_clearly_ahead_or_plausible(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    flat = [("Three.", -4.0), ("Four.", -4.1), ("Two.", -4.2)]
    assert grammar.choose("I don't know.", 0.6, flat, expected, _meaning, _never).source == "unmatched"
    far = [("Three.", -20.0), ("Four.", -30.0)]
    reading = grammar.choose("I don't know.", 0.6, far, expected, _meaning, _never, free_logprob=-2.0)
    assert reading.source == "unmatched" and reading.text == "I don't know."


def test_a_clear_request_is_never_replaced(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    reading = grammar.choose("I want to talk to a person.", 0.8, [("Four.", -2.0)], expected, _meaning,
                             lambda text: True)
    assert reading.source == "free" and reading.text == "I want to talk to a person."


def _ask_satisfaction(survey: Dialogue) -> tuple[Conversation, Listen]:
    conv = Conversation(survey, {})
    conv.start()
    actions = conv.handle(CallerText("Yes.", 0.99))
    listen = next(a for a in actions if isinstance(a, Listen))
    assert listen.slot == "satisfaction" and listen.expected is not None
    return conv, listen


def test_the_dialogue_reads_back_a_score_taken_from_the_grammar(survey: Dialogue) -> None:
    conv, listen = _ask_satisfaction(survey)
    assert listen.expected is not None
    heard = CallerText("Bye.", 0.5, (("Five.", -3.0), ("5.", -4.0), ("Bye.", -0.4)), logprob=-0.4)
    says = [a.text for a in conv.handle(heard) if isinstance(a, Say)]
    assert says == ["I think you said 5. Is that right?"]
    assert not conv.ended
    caller = conv.record.turns[-2]
    assert caller.text == "Five." and caller.heard == "Bye."
    conv.handle(CallerText("Yes.", 0.99))
    assert conv.slots["satisfaction"] == 5


def test_the_dialogue_takes_a_clear_score_at_once(survey: Dialogue) -> None:
    conv, _ = _ask_satisfaction(survey)
    actions = conv.handle(CallerText("Four.", 0.31, (("Four.", -0.2), ("4.", -2.0), ("Five.", -7.0)),
                                     logprob=-0.3))
    assert conv.slots["satisfaction"] == 4
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert caller.text == "Four." and caller.heard is None
    assert caller.confidence is not None and caller.confidence > 0.99  # the posterior, not 0.31
    assert any(isinstance(a, Listen) and a.slot == "recommend" for a in actions)


def test_an_answer_said_in_a_sentence_is_not_judged_by_the_bare_phrases(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    alternatives = [("Three.", -9.0), ("Two.", -8.5), ("Four.", -9.5)]  # no bare answer was said
    reading = grammar.choose("We are three people.", 0.32, alternatives, expected,
                             lambda text: "3" if "three" in text else None, _never)
    # "Two." scores best at the start of the audio, but the sentence says three: it is taken as heard,
    # without a read-back for whisper's low token confidence (such readings: 78 of 78 right, measured)
    assert reading.source == "free" and reading.meaning == "3"
    assert reading.confidence == grammar.SENTENCE_ANSWER_CONFIDENCE
    kept = grammar.choose("Three people.", 0.32, alternatives, expected,
                          lambda text: "3" if "three" in text.lower() else None, _never)
    assert kept.confidence is not None and kept.confidence < 0.5  # two words: a bare answer, scored


def test_a_short_word_the_parser_misreads_is_judged_by_the_audio(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["recommend"])
    # FSDD, jackson saying "seven" on the phone line: whisper wrote "Second.", which reads as 2
    alternatives = [("Seven.", -6.8), ("Ten.", -7.0), ("Two.", -7.6), ("Six.", -11.0)]
    reading = grammar.choose("Second.", 0.7, alternatives, expected, lambda text: "2", _never)
    assert reading.meaning == "2" and reading.confidence is not None
    assert reading.confidence < DEFAULT_LOW_CONFIDENCE  # read back, never stored as it stands


def test_after_a_read_back_the_value_said_again_is_not_turned_into_a_yes(survey: Dialogue) -> None:
    conv, _ = _ask_satisfaction(survey)
    bye = CallerText("Bye.", 0.5, (("Five.", -3.0), ("5.", -4.0), ("Bye.", -0.4)), logprob=-0.4)
    actions = conv.handle(bye)
    listen = next(a for a in actions if isinstance(a, Listen))
    assert listen.expected is None  # "Is that right?" takes a yes, a no or the value again
    conv.handle(CallerText("Four.", 0.9, (("Sure.", -2.0),), logprob=-0.5))
    assert conv.slots["satisfaction"] == 4


def test_a_sentence_that_is_no_answer_is_never_replaced_by_a_short_one(survey: Dialogue) -> None:
    consent = grammar.for_slot(survey, survey.slots["consent"])
    heard = "I'd like to speak to a real persian."  # misheard; neither an answer nor a clear intent
    reading = grammar.choose(heard, 0.6, [("Yeah.", -3.0), ("No.", -9.0)], consent,
                             lambda text: None, _never, free_logprob=-2.0)
    assert reading.source == "unmatched" and reading.text == heard


def test_a_word_the_parser_misreads_gives_way_to_the_answer_the_audio_favours(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["recommend"])
    # the held-out FSDD recording jackson_10 of "seven": whisper wrote "Second." (read as 2)
    alternatives = [("Seven.", -4.965), ("Ten.", -8.43), ("Two.", -10.305), ("Four.", -10.446)]
    reading = grammar.choose("Second.", 0.7, alternatives, expected, lambda text: "2", _never, -2.38)
    assert (reading.source, reading.meaning) == ("grammar", "7")
    assert reading.confidence is not None and reading.confidence >= grammar.ACCEPT_POSTERIOR
    # a yes said in words no scored phrase covers is left to the parser: the audio cannot speak for it
    consent = grammar.for_slot(survey, survey.slots["consent"])
    go_ahead = grammar.choose("Go ahead.", 0.8, [("No.", -6.0), ("Yes.", -6.5)], consent,
                              lambda text: "yes", _never, -1.0)
    assert (go_ahead.source, go_ahead.meaning) == ("free", "yes")
    assert go_ahead.confidence == grammar.SENTENCE_ANSWER_CONFIDENCE


def test_a_five_heard_as_bye_is_a_five_but_a_real_bye_is_no_score(survey: Dialogue) -> None:
    expected = grammar.for_slot(survey, survey.slots["satisfaction"])

    def stop_or_nothing(text: str) -> str | None:
        return None

    # held-out FSDD jackson_33 saying "five" on the phone line (scores as the recogniser gave them)
    five = grammar.choose("Bye.", 0.6, [("Bye.", -3.31), ("Five.", -5.531), ("Goodbye.", -9.335),
                                        ("Three.", -10.966)], expected, stop_or_nothing, _never, -1.297)
    assert (five.source, five.meaning) == ("grammar", "5")
    assert five.confidence is not None and five.confidence >= grammar.ACCEPT_POSTERIOR
    # eSpeak en-gb saying "Bye." at the same question: "Five." is far behind on the audio
    said = [("Bye.", -1.878), ("Goodbye.", -8.666), ("Five.", -10.237), ("One.", -12.999),
            ("Three.", -13.033)]
    bye = grammar.choose("Bye.", 0.9, said, expected, stop_or_nothing, _never, -1.22)
    assert bye.source == "unmatched" and bye.meaning is None  # the dialogue asks whether to end the call
    posterior = grammar.meaning_posterior(said, expected)
    assert posterior["intent:stop"] > 0.99


def test_a_sentence_answer_with_its_number_misheard_is_read_through_the_substituted_words(
        survey: Dialogue) -> None:
    from voicebot.engines.substitution import SUBSTITUTE

    expected = grammar.for_slot(survey, survey.slots["recommend"])
    assert "six" in expected.substitutes and any(s.startswith(SUBSTITUTE) for s in expected.to_score)
    reader = SlotReader(survey)
    # eSpeak en-us-f3 saying "maybe a six" (scores as the recogniser gave them): whisper wrote "Maybe a fix."
    alternatives = [("Six.", -12.166), ("Bye.", -12.514), ("Three.", -12.835),
                    (SUBSTITUTE + "Maybe a six.", -4.691), (SUBSTITUTE + "Maybe a five.", -11.109),
                    (SUBSTITUTE + "Maybe a one.", -11.598), (SUBSTITUTE + "Six a fix.", -14.0)]
    reading = grammar.read_answer(reader, expected, "Maybe a fix.", 0.6, alternatives, -1.643)
    assert (reading.source, reading.meaning, reading.text) == ("grammar", "6", "Maybe a six.")
    assert reading.confidence is not None and reading.confidence >= grammar.ACCEPT_POSTERIOR
    # the same on the phone line: "Maybe a six." is 8 nats less likely than what was heard, so nothing
    # stands in and the question is asked again
    far = [("One.", -13.794), (SUBSTITUTE + "Maybe a six.", -9.41), (SUBSTITUTE + "Maybe one fix.", -11.388)]
    assert grammar.read_answer(reader, expected, "Maybe a fix.", 0.6, far, -1.462).source == "unmatched"
    # eSpeak en-gb's "maybe a six" on the phone line, scored on the turn's audio alone: 4.7 nats below what
    # was heard, within the gap
    gb = [(SUBSTITUTE + "Maybe a six.", -7.279), (SUBSTITUTE + "Maybe a one.", -12.817),
          (SUBSTITUTE + "Maybe a three.", -14.262), (SUBSTITUTE + "Maybe a two.", -14.7)]
    reading = grammar.read_answer(reader, expected, "Maybe a fix.", 0.5946, gb, -2.599)
    assert (reading.source, reading.meaning) == ("grammar", "6")
    # a score question in Korean asks for no substitution
    survey_ko = load_dialogue(ROOT / "satisfaction_survey_ko.yml")
    assert grammar.for_slot(survey_ko, survey_ko.slots["recommend"]).substitutes == ()


def test_a_substituted_sentence_a_little_further_behind_is_read_back_never_taken(survey: Dialogue) -> None:
    from voicebot.engines.substitution import SUBSTITUTE

    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    reader = SlotReader(survey)
    # eSpeak en-gb-m3's "one out of five" on the phone line, heard "Well, how can I?" (scores as the
    # recogniser gave them): "One, how can I?" is 6.5 nats below what was heard, past MAX_SUBSTITUTION_GAP
    said = [(SUBSTITUTE + "One, how can I?", -11.619), (SUBSTITUTE + "Two, how can I?", -16.506),
            (SUBSTITUTE + "Four, how can I?", -17.277), (SUBSTITUTE + "Well, how can Five?", -16.719)]
    reading = grammar.read_answer(reader, expected, "Well, how can I?", 0.4843, said, -5.075)
    assert (reading.source, reading.meaning, reading.text) == ("grammar", "1", "One, how can I?")
    assert reading.confidence is not None and reading.confidence < grammar.ACCEPT_POSTERIOR  # read back
    conv, _ = _ask_satisfaction(survey)
    says = [a.text for a in conv.handle(CallerText("Well, how can I?", 0.4843, tuple(said), logprob=-5.075))
            if isinstance(a, Say)]
    assert any("I think you said" in s for s in says) and "satisfaction" not in conv.slots, says
    # a nat further (7.7 nats: "I hope it ten." for eSpeak en-us's "nine out of ten"): nothing stands in
    farther = [(SUBSTITUTE + "One, how can I?", -12.8), (SUBSTITUTE + "Two, how can I?", -16.506)]
    far = grammar.read_answer(reader, expected, "Well, how can I?", 0.48, farther, -5.075)
    assert far.source == "unmatched"


def test_a_homophone_swapped_for_its_number_is_read_back_however_far_behind(survey: Dialogue) -> None:
    from voicebot.engines.substitution import SUBSTITUTE

    expected = grammar.for_slot(survey, survey.slots["satisfaction"])
    reader = SlotReader(survey)
    # eSpeak en-gb's "I'd say four" on the phone line, heard "I'm paid for..." (scores as the recogniser gave
    # them): "four" sounds as "for" does, and the 7.8 nats are whisper preferring "paid for"
    said = [("Bye.", -11.3), ("Four.", -11.49), ("Five.", -11.94), (SUBSTITUTE + "I'm paid four...", -10.72),
            (SUBSTITUTE + "I'm paid five...", -13.9), (SUBSTITUTE + "I'm paid one...", -14.6),
            (SUBSTITUTE + "Four paid for...", -16.2)]
    reading = grammar.read_answer(reader, expected, "I'm paid for...", 0.61, said, -2.944)
    assert (reading.source, reading.meaning, reading.text) == ("grammar", "4", "I'm paid four...")
    assert reading.confidence is not None and reading.confidence < grammar.ACCEPT_POSTERIOR  # read back
    # as far behind, a word that does not sound like the number is no answer ("I hope it can." for "nine
    # out of ten": "I hope it ten." 7.8 nats behind)
    can = [(SUBSTITUTE + "I hope it ten.", -12.61), (SUBSTITUTE + "I hope it one.", -17.31)]
    assert grammar.read_answer(reader, expected, "I hope it can.", 0.45, can, -4.796).source == "unmatched"
    # a homophone that is not that number's ("to" is two): the usual gap holds
    to = [(SUBSTITUTE + "I went four.", -12.0), (SUBSTITUTE + "I went one.", -16.0)]
    assert grammar.read_answer(reader, expected, "I went to.", 0.45, to, -3.0).source == "unmatched"


def test_a_homophone_swap_is_one_word_that_sounds_as_the_number_it_became() -> None:
    assert grammar._homophone_swap("I'm paid for...", "I'm paid four...")
    assert grammar._homophone_swap("To, I think.", "Two, I think.")
    assert not grammar._homophone_swap("I'm paid for...", "I'm paid five...")
    assert not grammar._homophone_swap("I hope it can.", "I hope it ten.")
    assert not grammar._homophone_swap("Maybe a fix.", "Maybe a six.")
    assert not grammar._homophone_swap("for for", "four four")  # two words changed


def test_a_sentence_answer_comes_unscored_and_is_still_read_by_the_grammar(survey: Dialogue) -> None:
    # The recogniser scores no bare phrase against four words or more (engines/scoring.py): the transcript
    # comes with its log-probability and no alternatives, and is taken as a sentence answer, not confirmed
    # for whisper's low token confidence.
    conv, _ = _ask_satisfaction(survey)
    actions = conv.handle(CallerText("I'd give it a four.", 0.31, (), logprob=-2.1))
    assert conv.slots["satisfaction"] == 4
    assert [t for t in conv.record.turns if t.role == "caller"][-1].confidence == \
        grammar.SENTENCE_ANSWER_CONFIDENCE
    assert any(isinstance(a, Listen) and a.slot == "recommend" for a in actions)
    # eSpeak en-us's "I'd give you a ten" on the phone line: only the substituted sentences were scored
    substituted = (("<|substitute|>I give you a ten.", -8.829), ("<|substitute|>I give you a nine.", -10.766),
                   ("<|substitute|>I give you a one.", -11.798), ("<|substitute|>I give you a two.", -12.828))
    conv.handle(CallerText("I give you a hand.", 0.4766, substituted, logprob=-5.188))
    assert conv.slots["recommend"] == 10


def test_typed_text_without_a_log_probability_is_not_read_by_the_grammar(survey: Dialogue) -> None:
    conv, _ = _ask_satisfaction(survey)
    conv.handle(CallerText("I'd give it a four.", 0.31))
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert caller.confidence == 0.31  # chat and other recognisers: as before


def test_a_yes_or_no_whose_flipped_words_are_about_as_likely_is_read_back(survey: Dialogue) -> None:
    from voicebot.engines.scoring import CONTESTED

    expected = grammar.for_slot(survey, survey.slots["consent"])
    reader = SlotReader(survey)
    # eSpeak en-gb-m3's "that's right" on the phone line, heard "Not right." (the recogniser's scores):
    # "That's right." 1.6 nats behind, under CONTEST_GAP
    flipped = [(CONTESTED + "That's right.", -4.75)]
    reading = grammar.read_answer(reader, expected, "Not right.", 0.95, flipped, -3.13)
    assert (reading.text, reading.meaning, reading.source) == ("Not right.", "no", "grammar")
    assert reading.confidence is not None and reading.confidence < grammar.ACCEPT_POSTERIOR
    conv = Conversation(survey, {})
    conv.start()
    says = [a.text for a in conv.handle(CallerText("Not right.", 0.95, tuple(flipped), logprob=-3.13))
            if isinstance(a, Say)]
    assert any("I think you said" in s for s in says) and "consent" not in conv.slots, says
    # a right "Not right." whose flip is far behind (4.3 nats or more on the corpus's tuning half): taken
    far = grammar.read_answer(reader, expected, "Not right.", 0.95, [(CONTESTED + "That's right.", -8.0)],
                              -3.13)
    assert (far.source, far.confidence) == ("free", 0.95)
    # a flip that means the same answer, or no log-probability to weigh it against: taken as heard
    same = grammar.read_answer(reader, expected, "Not right.", 0.95, [(CONTESTED + "Not good.", -3.0)], -3.13)
    assert same.source == "free"
    assert grammar.read_answer(reader, expected, "Not right.", 0.95, flipped, None).source == "free"
