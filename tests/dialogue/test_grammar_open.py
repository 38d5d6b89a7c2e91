"""Open asks (grammar_open.py): the words a phone number or an order is made of, and the rule that takes
a decode restricted to them over the free transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue import grammar, grammar_open
from voicebot.dialogue.events import CallerText, Listen, Say
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.engines.constrained import (
    DIGITS,
    ONLY,
    allowed_words,
    heard_only,
    only_words,
    short_window,
    split_requests,
    wanted,
)
from voicebot.engines.substitution import SUBSTITUTE, split_swap

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture(scope="module")
def pizza() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order.yml")


_DIGITS = {"oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
           "seven": "7"}


def _phone(text: str) -> str | None:
    digits = "".join(_DIGITS.get(w, "") for w in text.lower().replace(",", " ").split())
    return digits if len(digits) >= 7 else None


def _never(text: str) -> bool:
    return False


def test_a_request_travels_among_the_expected_answers_and_its_decode_comes_back_tagged() -> None:
    request = only_words(["five", "oh", " ", "five", "my"])
    assert request == ONLY + "five oh my"
    assert split_requests(("Yes.", request, "No.")) == (("five oh my",), ("Yes.", "No."))
    heard = (("Yes.", -1.0), (ONLY + "five five five", -4.5), (ONLY + "five five", -5.0))
    assert heard_only(heard) == [("five five five", -4.5), ("five five", -5.0)]
    assert heard_only((("Yes.", -1.0),)) == []


def test_phone_and_order_asks_ask_for_their_words_and_closed_asks_do_not(pizza: Dialogue) -> None:
    phone = grammar.for_slot(pizza, pizza.slots["phone"])
    assert not phone.closed and phone.phrases  # the live intents are still listed, not scored
    assert phone.to_score == phone.requests and len(phone.requests) == 1
    words = allowed_words(split_requests(phone.to_score)[0][0])
    assert {"oh", "zero", "five", "double", "my", "number", "so"} <= set(words)
    items = grammar_open.open_words(pizza, pizza.slots["items"])
    assert {"pepperoni", "margherita", "cheese", "pineapple", "barbecue", "large", "two"} <= set(items)
    assert "bbq_chicken" not in items  # an identifier, not a word
    # An order is encoded over the short window, a phone number over whisper's whole one.
    (order,) = split_requests(grammar.for_slot(pizza, pizza.slots["items"]).to_score)[0]
    assert short_window(order) and not short_window(split_requests(phone.to_score)[0][0])
    assert "pepperoni" in allowed_words(order) and not any(w.startswith("<|") for w in allowed_words(order))
    assert "over 10 s" in grammar_open.describe_request(ONLY + order)
    assert grammar.for_slot(pizza, pizza.slots["confirmed"]).requests == ()  # closed: phrases are scored
    assert grammar.for_slot(pizza, pizza.slots["address"]).to_score == ()


def test_a_date_ask_asks_for_months_ordinals_and_digits_unless_the_transcript_reads_as_a_date() -> None:
    compliance = load_dialogue(ROOT / "sales_compliance.yml")
    date_slot = next(s for s in compliance.slots.values() if s.type == "date")
    request, months = grammar.for_slot(compliance, date_slot).to_score
    (words,) = split_requests((request,))[0]
    assert {"December", "twenty", "fourth", "of", DIGITS} <= set(allowed_words(words))
    assert not wanted(words, "December 24, 1990.", "en")  # heard whole: no second decode
    assert wanted(words, "No member, thank you. I have seen 50,000.", "en")
    # ... and its month scored against the other eleven
    assert split_swap((months,))[0] == grammar_open.MONTH_WORDS
    described = grammar_open.describe_request(months)
    assert described.endswith("replaced by each: " + " ".join(grammar_open.MONTH_WORDS))


@pytest.fixture(scope="module")
def compliance() -> Dialogue:
    return load_dialogue(ROOT / "sales_compliance.yml")


def _months(text: str, month: str, logprobs: dict[str, float]) -> list[tuple[str, float]]:
    """The swap request's sentences as the recogniser returns them: ``text`` with each month in place of
    ``month``, scored as given (-30 for a month not named)."""
    return [(SUBSTITUTE + text.replace(month, m), logprobs.get(m, -30.0)) for m in grammar_open.MONTH_WORDS]


def test_a_date_whose_month_the_audio_does_not_clearly_prefer_is_read_back(compliance: Dialogue) -> None:
    reader = SlotReader(compliance)
    expected = grammar.for_slot(compliance, compliance.slots["dob_answer"])
    low = compliance.behaviour.low_confidence
    # eSpeak en-gb's "December twenty fourth nineteen ninety" on the phone line: "November" by ~0.6 nats
    contested = _months("November, 24, 1990.", "November", {"November": -6.9, "December": -7.5})
    assert grammar_open.month_share("November, 24, 1990.", contested,
                                    lambda t: reader.read(compliance.slots["dob_answer"], t)) < 0.9
    reading = grammar_open.read_open(reader, expected, "November, 24, 1990.", 0.62, contested, -6.0)
    assert reading.text == "November, 24, 1990." and reading.confidence is not None
    assert reading.confidence < low
    # Piper's, its month 7 nats ahead of any other: taken at the transcript's confidence
    clear = _months("December 24, 1990.", "December", {"December": -3.0, "November": -10.1})
    reading = grammar_open.read_open(reader, expected, "December 24, 1990.", 0.71, clear, -3.0)
    assert reading.confidence == 0.71
    # no month scored (no swap request's sentences): as before
    assert grammar_open.read_open(reader, expected, "December 24, 1990.", 0.71, [], -3.0).confidence == 0.71


def test_a_date_or_phone_number_with_a_stray_word_or_from_the_restricted_decode_is_read_back(
        compliance: Dialogue, pizza: Dialogue) -> None:
    assert grammar_open.stray_words("March 3rd, 1988, time.", grammar_open.DATE_SAID_IN) == ["time"]
    assert grammar_open.stray_words("It's the 21st of October 1988.", grammar_open.DATE_SAID_IN) == []
    assert grammar_open.stray_words("It's time time, 8, 6, 7, 5, 3, 0, 9.",
                                    grammar_open.PHONE_SAID_IN) == ["time", "time"]
    assert grammar_open.stray_words("My number is 555-867-5309.", grammar_open.PHONE_SAID_IN) == []
    low = compliance.behaviour.low_confidence
    reader = SlotReader(compliance)
    expected = grammar.for_slot(compliance, compliance.slots["dob_answer"])
    for heard in ("March 3rd, 1988, time.", "June 30, 2016, December"):  # eSpeak's, both wrong
        reading = grammar_open.read_open(reader, expected, heard, 0.6, [], -6.0)
        assert reading.text == heard and reading.confidence is not None and reading.confidence < low
    assert grammar_open.read_open(reader, expected, "It's August 8, 1979.", 0.6, [], -6.0).confidence == 0.6
    # a date only the restricted decode wrote (the free transcript read as none) is read back
    restricted = [(ONLY + "November 2nd 2015", -2.0)]
    reading = grammar_open.read_open(reader, expected, "November, second, ID 50, I.", 0.6, restricted, -6.0)
    assert reading.source == "constrained" and reading.confidence is not None and reading.confidence < low
    # eSpeak's "it's five five five, eight six seven, five three oh nine": seven digits, but "time time"
    phone = grammar.for_slot(pizza, pizza.slots["phone"])
    pizza_reader = SlotReader(pizza)
    heard = "It's time time, 8, 6, 7, 5, 3, 0, 9."
    reading = grammar_open.read_open(pizza_reader, phone, heard, 0.64, [], -9.0)
    assert reading.confidence is not None and reading.confidence < pizza.behaviour.low_confidence
    reading = grammar_open.read_open(pizza_reader, phone, "It's 555-867-5309.", 0.71, [], -4.0)
    assert reading.confidence == 0.71


def test_a_phone_ask_is_always_decoded_again_and_a_request_names_a_known_kind(pizza: Dialogue) -> None:
    (words,) = split_requests(grammar.for_slot(pizza, pizza.slots["phone"]).to_score)[0]
    assert wanted(words, "555-1199.", "en")  # the usual length, yet "oh" may have become "one"
    with pytest.raises(ValueError, match="unknown kind"):
        only_words(["five"], unless="menu")


def test_no_restricted_decode_where_the_free_transcript_is_an_intent_or_a_closer(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    for slot in ("items", "phone"):
        (words,) = split_requests(grammar.for_slot(pizza, pizza.slots[slot]).to_score)[0]
        # eSpeak's and Piper's requests at the order and phone steps, as whisper wrote them
        for heard in ("That's all.", "No, that's it.", "Nothing else. Thanks.", "Can I speak to someone?",
                      "Let me talk to a human."):
            assert reader.intent(heard) is not None or reader.is_closer(heard)  # kept as heard anyway
            assert not wanted(words, heard, "en"), heard
        # misheard closers, and orders: decoded again
        for heard in ("Next all.", "Not bad, everything.", "One small bitgie.", "555-1199."):
            assert wanted(words, heard, "en"), heard


def test_a_phone_number_of_an_unusual_length_is_read_back_not_taken(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    low = pizza.behaviour.low_confidence
    # eSpeak en-gb-m3's "six one seven, five five five, oh oh four two" on the phone line: every hypothesis
    # lost an "oh" (nine digits), so the number is read back to the caller
    lost = [(ONLY + "six one seven five five five oh four two", -3.078),
            (ONLY + "Six one seven five five five oh four two", -3.872)]
    reading = grammar_open.read_open(reader, expected, "6, 1, 7, 5, 5, so 4, 2.", 0.6437, lost, -7.049)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "617555042"
    assert reading.confidence is not None and reading.confidence < low
    # Piper's, heard whole by the restricted decode: ten digits, taken at the decode's confidence
    whole = [(ONLY + "six one seven five five five oh oh four two", -1.457),
             (ONLY + "six one seven five five five oh four two", -4.252)]
    reading = grammar_open.read_open(reader, expected, "617-550042", 0.6551, whole, -2.961)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "6175550042"
    assert reading.confidence == 0.6551


def test_a_restricted_number_that_lost_the_area_code_gives_way_to_the_whole_one(pizza: Dialogue) -> None:
    """Piper's "area code three one two and the number is five five five, seven oh oh one": the restricted
    decode may not write "area code", so its best hypothesis is the last seven digits."""
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    lost = [(ONLY + "the number is five five five seven oh oh one", -4.624),
            (ONLY + "the number is five five five seven oh one", -4.55)]
    free = "Area Code 312 and the number is 555-7001."
    reading = grammar_open.read_open(reader, expected, free, 0.74, lost, -3.2)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "3125557001"
    # Where the free transcript is the shorter one, the restricted decode's whole number stands.
    whole = [(ONLY + "three one two five five five seven oh oh one", -3.0)]
    reading = grammar_open.read_open(reader, expected, "555-7001.", 0.74, whole, -3.2)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "3125557001"


def test_a_korean_open_ask_asks_for_its_words_as_an_english_one_does() -> None:
    korean = load_dialogue(ROOT / "pizza_order_ko.yml")
    (phone,) = split_requests(grammar.for_slot(korean, korean.slots["phone"]).to_score)[0]
    assert {"공", "영", "일", "구", "번호는", DIGITS} <= set(allowed_words(phone)) and not short_window(phone)
    (order,) = split_requests(grammar.for_slot(korean, korean.slots["items"]).to_score)[0]
    assert {"페퍼로니", "불고기", "라지", "레귤러", "두", "판", "주세요"} <= set(allowed_words(order))
    assert "pepperoni" not in allowed_words(order) and short_window(order)  # Korean words only
    assert grammar.for_slot(korean, korean.slots["address"]).to_score == ()
    compliance = load_dialogue(ROOT / "sales_compliance_ko.yml")
    assert grammar.for_slot(compliance, compliance.slots["dob_answer"]).to_score == ()  # read as written
    assert grammar_open.usual_phone_length("01012345678", "ko") and grammar_open.usual_phone_length(
        "021234567", "ko")
    assert not grammar_open.usual_phone_length("020333333333333", "ko")
    assert not grammar_open.usual_phone_length("22222222", "ko")


def test_a_korean_hypothesis_in_syllables_outside_the_asks_words_is_no_answer() -> None:
    korean = load_dialogue(ROOT / "pizza_order_ko.yml")
    reader = SlotReader(korean)
    words = grammar_open.open_words(korean, korean.slots["phone"])
    assert grammar_open.spoken_in("공일공 일이삼사", words) and grammar_open.spoken_in("010-1234", words)
    assert not grammar_open.spoken_in("도뭐로 파우시 유고사사미", words)  # byte pieces made other syllables
    phone = grammar.for_slot(korean, korean.slots["phone"])
    leaky = [(ONLY + "도뭐로 오사 삼이 일이삼사", -5.0)]
    assert grammar.read_answer(reader, phone, "도미오 도미 삼사", 0.3, leaky, -6.0).source == "unmatched"
    said = [(ONLY + "공일공 일이삼사 오육칠팔", -5.0)]
    reading = grammar.read_answer(reader, phone, "고니 고니 삼사옥시파옥", 0.3, said, -6.0)
    assert reading.source == "constrained"
    assert reader.read(korean.slots["phone"], reading.text, asked=True) == "01012345678"
    items = grammar.for_slot(korean, korean.slots["items"])
    reading = grammar.read_answer(reader, items, "구고기 한판.", 0.4, [(ONLY + "불고기 한판", -4.0)], -5.0)
    assert reading.text == "불고기 한판" and reading.source == "constrained"
    reading = grammar.read_answer(reader, items, "불고기 한판.", 0.3, [(ONLY + "불고기 한판", -4.0)], -5.0)
    assert reading.confidence == 0.3  # the short window's scale was measured on English orders only


def test_the_restricted_decode_stands_in_when_it_reads_as_an_answer() -> None:
    alternatives = [(ONLY + "six one seven five five five oh oh four two", -6.4)]
    reading = grammar_open.choose_open("617-555042", 0.45, alternatives, -8.0, _phone, _never, 8.0)
    assert reading == grammar.Reading("six one seven five five five oh oh four two", 0.45, "constrained")


def test_the_free_transcript_stays_when_the_restricted_decode_is_no_answer_or_far_less_likely() -> None:
    short = [(ONLY + "five five", -3.0)]
    assert grammar_open.choose_open("555", 0.4, short, -5.0, _phone, _never, 8.0).source == "unmatched"
    far = [(ONLY + "five five five oh one two three", -30.0)]
    reading = grammar_open.choose_open("I don't have a phone.", 0.6, far, -9.0, _phone, _never, 8.0)
    assert reading == grammar.Reading("I don't have a phone.", 0.6, "unmatched")
    said = "five five five oh one two three"
    spelled = [(ONLY + "Five, five, five, oh, one, two, three.", -4.0)]
    same = grammar_open.choose_open(said, 0.8, spelled, -4.0, _phone, _never, 8.0)
    assert same == grammar.Reading(said, 0.8, "free")  # the same number: the transcript stays as heard
    assert grammar_open.choose_open(said, 0.8, [], None, _phone, _never, 8.0).source == "free"


def test_the_first_valid_hypothesis_wins_and_a_phone_number_of_the_usual_length_first() -> None:
    nbest = [(ONLY + "five five", -3.0), (ONLY + "two five five five oh one two three", -3.5),
             (ONLY + "five five five oh one two three", -3.9)]
    reading = grammar_open.choose_open("55", 0.4, nbest, -5.0, _phone, _never, 8.0)
    assert reading.text == "two five five five oh one two three"  # the first valid one

    def seven(text: str) -> bool:
        return len(text.split()) == 7

    reading = grammar_open.choose_open("55", 0.4, nbest, -5.0, _phone, _never, 8.0, seven)
    assert reading.text == "five five five oh one two three" and reading.source == "constrained"
    said = "five five five oh one two three"
    reading = grammar_open.choose_open(said, 0.7, nbest[:2], -5.0, _phone, _never, 8.0, seven)
    assert reading == grammar.Reading(said, 0.7, "free")  # the free transcript has the usual length
    assert grammar_open.usual_phone_length("5550123", "en")
    assert grammar_open.usual_phone_length("16175550042", "en")
    assert not grammar_open.usual_phone_length("61755500042", "en")
    assert not grammar_open.usual_phone_length("555012", "en")


def test_a_run_one_digit_too_long_is_shortened_only_where_it_is_the_one_longest_run() -> None:
    assert grammar_open.shortened_run("55550123") == "5550123"
    assert grammar_open.shortened_run("55550199") == "5550199"  # "99" is shorter than "5555"
    assert grammar_open.shortened_run("3125557001") == "312557001"
    assert grammar_open.shortened_run("55500012") is None  # two runs of three: which one grew is unknown
    assert grammar_open.shortened_run("61755042") is None  # no digit said three times in a row
    assert grammar_open.shortened_run("") is None


def test_the_free_transcript_of_the_usual_length_comes_before_a_runner_up_which_is_read_back() -> None:
    def seven(text: str) -> bool:
        return len(str(_phone(text) or "")) == 7

    # Piper's "five five five, oh one two three": the beam's best hypothesis repeats a five, its third drops
    # the "oh" to make seven digits; the free transcript had them right
    nbest = [(ONLY + "five five five five oh one two three", -1.22),
             (ONLY + "Five five five five oh one two three", -1.84),
             (ONLY + "five five five five one two three", -3.42)]
    said = "five five five oh one two three"
    reading = grammar_open.choose_open(said, 0.46, nbest, -3.9, _phone, _never, 8.0, seven, doubt=0.2)
    assert reading == grammar.Reading(said, 0.46, "free")
    # without it, the runner-up is taken only to be read back (the beam's best reading is another number)
    reading = grammar_open.choose_open("five", 0.46, nbest, -3.9, _phone, _never, 8.0, seven, doubt=0.2)
    assert reading == grammar.Reading("five five five five one two three", 0.2, "constrained")
    # a best hypothesis of the usual length is taken as before
    reading = grammar_open.choose_open("five", 0.46, nbest[2:], -3.9, _phone, _never, 8.0, seven, doubt=0.2)
    assert reading == grammar.Reading("five five five five one two three", 0.46, "constrained")


def test_a_phone_number_with_a_run_one_digit_too_long_is_read_back_with_the_run_shortened(
        pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    # Piper joe at 1.0 saying "my number is five five five, oh one nine nine" on the phone line (the
    # recogniser's n-best): whisper wrote four fives in each reading; the last one dropped the "oh" instead
    nbest = [(ONLY + "My number is five five five five oh one nine nine", -2.61),
             (ONLY + "My number is five five five five the one nine nine", -3.02),
             (ONLY + "My number is five five five five one nine nine", -3.14)]
    reading = grammar.read_answer(reader, expected, "My number is 555-199-199.", 0.68, nbest, -3.88)
    assert reading.source == "constrained"
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "5550199"
    assert reading.confidence is not None and reading.confidence < pizza.behaviour.low_confidence  # read back
    # two runs as long as each other: no guess, the runner-up of seven digits is read back
    tied = [(ONLY + "five five five oh oh oh one two", -2.0), (ONLY + "five five five oh oh one two", -3.0)]
    reading = grammar.read_answer(reader, expected, "555-000-12", 0.6, tied, -4.0)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "5550012"
    assert reading.confidence is not None and reading.confidence < pizza.behaviour.low_confidence


def test_a_free_transcript_with_stray_words_comes_after_a_runner_up_of_the_usual_length(
        pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    # eSpeak en-gb-m3's "four one five, five five five, two six seven one" (the recogniser's n-best): the
    # free transcript's seven digits lost the area code ("For one time"); the runner-up has all ten
    nbest = [(ONLY + "four one five five five two six seven one", -1.65),
             (ONLY + "Four one five five five two six seven one", -2.18),
             (ONLY + "four one five five five five two six seven one", -2.60)]
    said = "For one time, five, five, five, two, six, seven, one."
    reading = grammar.read_answer(reader, expected, said, 0.6, nbest, -4.76)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "4155552671"
    assert reading.confidence is not None and reading.confidence < pizza.behaviour.low_confidence  # read back
    # a free transcript of digits alone comes before the runner-up
    reading = grammar.read_answer(reader, expected, "555-2671", 0.6, nbest, -4.76)
    assert reading.text == "555-2671" and reading.source == "free"


def test_oo_in_a_phone_number_is_two_zeros_and_so_after_a_digit_is_oh(pizza: Dialogue) -> None:
    assert grammar_open.spell_ohs("seven OO one, ooo") == "seven oh oh one, oh oh oh"
    assert grammar_open.spell_ohs("good food") == "good food"
    assert grammar_open.spell_ohs("five five five so one two three") == "five five five oh one two three"
    assert grammar_open.spell_ohs("Six one seven, go go four two") == "Six one seven, oh oh four two"
    assert grammar_open.spell_ohs("So my number is five") == "So my number is five"  # not after a digit
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    said = ((ONLY + "Three one two five five five seven OO one", -6.0),)
    reading = grammar.read_answer(reader, expected, "3-1-2-55 7-0-01", 0.5, said, -8.0)
    assert reading.text == "Three one two five five five seven oh oh one" and reading.source == "constrained"
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "3125557001"


def test_an_intent_or_a_closer_is_never_replaced(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["items"])
    forced = [(ONLY + "I'd like a pepperoni", -7.0)]
    for said in ("I want to talk to a person.", "That's all."):
        reading = grammar.read_answer(reader, expected, said, 0.7, forced, -6.0)
        assert reading.text == said and reading.source != "constrained"


def test_the_dialogues_own_reader_takes_the_digits_the_free_decode_lost(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    alternatives = ((ONLY + "Six, one, seven, five, five, five, oh, oh, four, two.", -6.1),)
    reading = grammar.read_answer(reader, expected, "617-555042", 0.5, alternatives, -8.0)
    assert reading.source == "constrained"
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "6175550042"


def test_the_order_heard_in_the_menus_words_is_taken_and_the_record_keeps_what_was_heard(
        pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    listen = next(a for a in conv.start() if isinstance(a, Listen))
    assert listen.slot == "items" and listen.expected is not None and listen.expected.requests
    heard = CallerText("One small bitgie and a large wine.", 0.41,
                       ((ONLY + "One small veggie and a large hawaiian.", -5.2),), logprob=-7.5)
    says = [a.text for a in conv.handle(heard) if isinstance(a, Say)]
    assert any("small vegetarian" in s.lower() or "small veggie" in s.lower() for s in says), says
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert caller.text == "One small veggie and a large hawaiian." and caller.heard == heard.text


def test_a_date_of_birth_with_a_stray_word_is_read_back_before_it_is_checked(compliance: Dialogue) -> None:
    # eSpeak's "March third nineteen eighty five" heard "March 3rd, 1988, time.": a wrong year would fail
    # the identity check; the caller is asked instead, says no, and is asked for the date again
    conv = Conversation(compliance, {"customer_name": "Dana Lee", "product_name": "Term Life Plus",
                                     "monthly_premium": "$42.50", "birth_date": "1985-03-03"})
    listen = next(a for a in conv.start() if isinstance(a, Listen))
    assert listen.slot == "dob_answer"
    says = [a.text for a in conv.handle(CallerText("March 3rd, 1988, time.", 0.62, (), logprob=-9.0))
            if isinstance(a, Say)]
    assert any("I think you said" in s for s in says), says
    says = [a.text for a in conv.handle(CallerText("No.", 0.9)) if isinstance(a, Say)]
    assert not any("doesn't match" in s for s in says), says
    says = [a.text for a in conv.handle(CallerText("March 3, 1985.", 0.8, (), logprob=-3.0))
            if isinstance(a, Say)]
    assert not any("I think you said" in s or "doesn't match" in s for s in says), says
    assert conv.record.slots["dob_answer"] == "1985-03-03"


def test_an_orders_confidence_over_the_short_window_is_put_on_the_whole_windows_scale() -> None:
    # the short window's read-back threshold goes to the whole window's; 0 and 1 stay; order is kept
    assert grammar_open.over_short_window(0.2) == 0.4
    assert grammar_open.over_short_window(0.1) == 0.2
    assert grammar_open.over_short_window(0.0) == 0.0
    assert grammar_open.over_short_window(1.0) == 1.0
    assert grammar_open.over_short_window(0.6) == 0.7
    assert grammar_open.over_short_window(0.19) < 0.4 < grammar_open.over_short_window(0.21)
    values = [grammar_open.over_short_window(c / 100) for c in range(101)]
    assert values == sorted(values)


def _order_says(pizza: Dialogue, text: str, confidence: float) -> list[str]:
    conv = Conversation(pizza, {})
    listen = next(a for a in conv.start() if isinstance(a, Listen))
    assert listen.slot == "items" and listen.expected is not None
    assert grammar_open.short_window(split_requests(listen.expected.requests)[0][0])
    heard = CallerText(text, confidence, ((ONLY + "Two large pepperoni", -3.1),), logprob=-3.0)
    return [a.text for a in conv.handle(heard) if isinstance(a, Say)]


def test_an_order_heard_over_the_short_window_is_read_back_only_under_its_own_threshold(
        pizza: Dialogue) -> None:
    # "Two large pepperoni" at 0.33 over 10 s: read back under the dialogue's 0.4 before, taken now
    says = _order_says(pizza, "Two large pepperoni", 0.33)
    assert not any("I think you said" in s for s in says), says
    says = _order_says(pizza, "Two large pepperoni", 0.15)
    assert any("I think you said" in s for s in says), says


def test_a_phone_number_keeps_the_dialogues_threshold(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"], (), read=lambda said: said)
    assert not any(short_window(w) for w in split_requests(expected.requests)[0])
    reading = grammar_open.read_open(reader, expected, "555 867 5309", 0.33, (), -3.0)
    assert reading.confidence == 0.33


def test_part_of_a_phone_number_is_read_from_the_restricted_decode(pizza: Dialogue) -> None:
    """eSpeak's "five five five" alone, a phone number's first part, came back "time time time": the
    restricted decode's digits are a part (the dialogue says them back), and with the part said before
    them, the rest of the number."""
    from dataclasses import replace

    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    heard = [(ONLY + "five five five", -2.1), (ONLY + "five five", -3.0)]
    reading = grammar_open.read_open(reader, expected, "time time time", 0.41, heard, -3.3)
    assert reading.source == "constrained"
    assert reader.partial_answer(pizza.slots["phone"], reading.text) == "555"
    rest = [(ONLY + "one two three four five six seven", -2.5)]
    reading = grammar_open.read_open(reader, replace(expected, so_far="555"), "123 for 567 time", 0.5, rest,
                                     -3.0)
    assert reader.read(pizza.slots["phone"], reading.text, asked=True, earlier="555") == "5551234567"


def test_a_phone_number_taken_back_keeps_the_free_transcript(pizza: Dialogue) -> None:
    """The restricted decode cannot write "no sorry": its reading of "555 123 4567, no sorry, 4568" was the
    number taken back."""
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    restricted = [(ONLY + "five five five one two three four five six seven", -1.9)]
    free = "It's 555-123-4567, no sorry, 456-8."
    reading = grammar_open.read_open(reader, expected, free, 0.7, restricted, -3.1)
    assert reading.text == free
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "5551234568"
