"""Turn a caller's words or keypad digits into slot values, through the parsers in voicebot.nlu.

One ``SlotReader`` per conversation. Values come back in their call-record (JSON) form: order lines
as dicts, dates as ISO strings, times as "HH:MM". Range, length and pattern checks happen here, so a
value the reader returns is one the slot accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from voicebot.dialogue.defaults import YES_NO_HINTS
from voicebot.dialogue.model import Dialogue, SlotSpec
from voicebot.nlu.homophones import EN_NUMBER_HOMOPHONES
from voicebot.nlu.numbers import EN_UNITS

if TYPE_CHECKING:
    from voicebot.nlu.catalogue import Catalogue
    from voicebot.nlu.order import CountFirst, OrderLine
    from voicebot.nlu.removal import Removal


_LONG_DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s.-]?){6,14}\d(?!\d)")
_KO_DIGIT_ENDING = re.compile(r"(?<=\d)(?:이요|이에요|입니다|이고요|예요|요)(?=\s|$)")


@dataclass(frozen=True, slots=True)
class CorrectionText:
    new_text: str
    old_text: str | None
    names_item: bool = False  # "make the pepperoni a medium": ``old_text`` is the item changed


class SlotReader:
    def __init__(self, dialogue: Dialogue, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.dialogue = dialogue
        self._today = today  # dates said without a year, "tomorrow", "friday" count from here
        self.language = dialogue.language
        self._catalogues: dict[str, Catalogue] = {}
        self._patterns = {
            name: re.compile(spec.pattern, re.IGNORECASE)
            for name, spec in dialogue.slots.items()
            if spec.pattern
        }

    # ---- shared parsers ----

    def catalogue(self, name: str) -> Catalogue:
        if name not in self._catalogues:
            from voicebot.nlu.catalogue import Catalogue

            spec = self.dialogue.catalogues[name]
            entries = {
                e.value: tuple(dict.fromkeys((*e.synonyms, *([e.label] if e.label else ()))))
                for e in spec.entries
            }
            self._catalogues[name] = Catalogue(entries)
        return self._catalogues[name]

    def intent(self, text: str) -> str | None:
        from voicebot.nlu.intents import detect_global_intent

        found = detect_global_intent(text, self.language)
        if found is None:
            return None
        # A GlobalIntent match carries the Intent enum as .name (and the words matched as .phrase).
        intent = found if isinstance(found, Enum) else getattr(found, "name", found)
        return str(getattr(intent, "value", intent))

    def besides_intent(self, text: str) -> str:
        """The words besides the global intent said ("sorry, I didn't hear you" -> "sorry")."""
        from voicebot.nlu.intents import detect_global_intent, words_besides

        found = detect_global_intent(text, self.language)
        phrase = getattr(found, "phrase", None)
        return text if not phrase else words_besides(text, str(phrase), self.language)

    def ends_order(self, text: str) -> bool:
        """Said with order lines, the list is complete: "and a coke, that's all", "and a coke, bye"."""
        return self.says_closer(text) or self.only_farewell(text)

    def only_farewell(self, text: str) -> bool:
        """The only intent in ``text`` is a goodbye ("a large veggie, bye")."""
        from voicebot.nlu.intents import only_farewell

        return only_farewell(text, self.language)

    def asks_to_hold(self, text: str) -> bool:
        """ "One second", "hold on", "잠시만요": a moment asked for, not an answer."""
        from voicebot.nlu.intents import asks_to_hold

        return asks_to_hold(text, self.language)

    def asks_who(self, text: str) -> bool:
        """ "Who is this?", "what's this about?", "누구세요?": who is calling, or why."""
        from voicebot.nlu.intents import asks_who

        return asks_who(text, self.language)

    def asks_back(self, text: str) -> bool:
        """ "By post or email?", "thirty days?", "왜요?": a question asked back rather than an answer."""
        from voicebot.nlu.intents import asks_back

        return asks_back(text, self.language)

    def echoes_question(self, text: str, question: str) -> bool:
        """ "By post or email." to "have you received the documents, by post or by email?"."""
        from voicebot.nlu.intents import echoes_question

        return echoes_question(text, question, self.language)

    def asks_if_bot(self, text: str) -> bool:
        """ "Are you a robot?", "is this a real person?", "사람이에요?": whether a person is speaking."""
        from voicebot.nlu.intents import asks_if_bot

        return asks_if_bot(text, self.language)

    def bare_farewell(self, text: str) -> bool:
        """A goodbye with only thanks or an okay around it ("okay, bye")."""
        from voicebot.nlu.intents import bare_farewell

        return bare_farewell(text, self.language)

    def yes_no_with_farewell(self, text: str) -> bool:
        """A yes or no said with a goodbye ("yes, bye"); not "okay, bye"."""
        from voicebot.nlu.intents import yes_no_with_farewell

        return yes_no_with_farewell(text, self.language)

    def words(self, text: str) -> list[str]:
        """The words said, without hesitations ("uh", "음")."""
        from voicebot.nlu.normalize import words

        return words(text, self.language)

    def yes_no(self, text: str) -> bool | None:
        from voicebot.nlu.yesno import parse_yes_no

        return parse_yes_no(text, self.language)

    def is_closer(self, text: str) -> bool:
        """The whole answer says "that's all" / "nothing else" / "그게 다예요" (or a plain no)."""
        from voicebot.nlu.closer import is_closer

        return is_closer(text, self.language)

    def says_closer(self, text: str) -> bool:
        """A closer somewhere in the answer: "and a coke, that's all"."""
        from voicebot.nlu.closer import says_closer

        return says_closer(text, self.language)

    def number(self, text: str) -> float | None:
        from voicebot.nlu.numbers import parse_number

        value = parse_number(text, self.language)
        return None if value is None else value

    def said_wrong(self, text: str, names: Sequence[str], *, said_no: bool) -> str | None:
        """Which of the slots ``names`` the caller says is wrong, naming it but not its new value: "no, the
        address is wrong", "wrong phone number", "주소가 틀렸어요"."""
        from voicebot.nlu.correction import said_wrong

        things = {name: _words_for(self.dialogue.slots[name], self.language) for name in names}
        return said_wrong(text, self.language, things, said_no=said_no)

    def correction(self, text: str) -> CorrectionText | None:
        from voicebot.nlu.correction import MAKE_NAMED, parse_correction

        found = parse_correction(text, self.language)
        if found is None:
            return None
        new = getattr(found, "new_text", None) or getattr(found, "new", None)
        old = getattr(found, "old_text", None) or getattr(found, "old", None)
        if not new:
            return None
        return CorrectionText(str(new), None if old is None else str(old),
                              getattr(found, "marker", None) == MAKE_NAMED)

    # ---- slot values ----

    def read(self, spec: SlotSpec, text: str, *, strict: bool = False, asked: bool = False,
             earlier: CountFirst | tuple[int, int] | str | None = None) -> Any:
        """The slot's value in ``text``, or None.

        ``strict``: free text (a text slot without a pattern) does not count. ``asked``: the caller was
        asked for this slot, so words that sound like numbers ("for", "to", "ate") are numbers in a
        number, digits or phone answer; heard while asking something else they keep their meaning.
        ``earlier``: part of the answer said before (:meth:`partial_answer`): an order's count and size, which
        the items named now take; a date's month and day, which a year alone now completes; a phone number's
        first digits, which those said now continue.
        """
        text = self._without_claimed(spec, text).strip()
        if not text:
            return None
        kind = spec.type
        if kind in ("integer", "number"):
            if asked:
                from voicebot.nlu.homophones import with_number_homophones

                text = with_number_homophones(text, self.language)
            value = self._in_range(spec, self.number(text))
            if value is None and spec.labels:  # "very satisfied" where the question says five is
                from voicebot.nlu.scale import labelled_number

                value = labelled_number(text, spec.labels, self.language)
            return value
        if kind == "yes_no":
            return self.yes_no(text)
        if kind == "choice":
            assert spec.catalogue is not None
            found = self.catalogue(spec.catalogue).match(text)
            return None if found is None else found.value
        if kind == "order_lines":
            count = earlier if not isinstance(earlier, (tuple, str)) else None
            return self.order_lines(spec, text, count) or None
        if kind == "phone":
            from voicebot.nlu.phone import parse_phone

            return parse_phone(self._unglue_endings(text), self.language, homophones=asked,
                               earlier=earlier if isinstance(earlier, str) else None)
        if kind == "date":
            from voicebot.nlu.dates import date_with_year_said, date_without_year, parse_date

            if spec.needs_year and date_without_year(text, self.language) is not None:
                return None  # "March third" is no birth date: the machine asks for the year
            day = parse_date(text, self.language, today=self._today())
            if day is None and isinstance(earlier, tuple):
                day = date_with_year_said(text, self.language, earlier, today=self._today())
            return None if day is None else day.isoformat()
        if kind == "time":
            from voicebot.nlu.times import parse_time

            t = parse_time(text, self.language)
            return None if t is None else f"{t.hour:02d}:{t.minute:02d}"
        if kind == "digits":
            from voicebot.nlu.digits import parse_digits

            said = parse_digits(self._unglue_endings(text), self.language, homophones=asked)
            return self._digits(spec, said)
        if kind == "text":
            pattern = self._patterns.get(spec.name)
            if pattern is not None:
                # An answer the pattern does not match is no address: "that's all" is asked again. Whisper
                # sometimes writes a house number in words ("Twelve Main Street."): tried with digits too.
                # English only: a Korean count before its counter ("라지로 두 판") is no building number.
                address = _pattern_match(pattern, text)
                # Tried with the house number in digits when it matched none or only the end of a number
                # ("1 20 free main street": whisper's "one twenty three", read as "20 free main street").
                if self.language == "en" and (address is None or _NUMBER_ENDS.search(text[:address.start()])):
                    address = _pattern_match(pattern, _with_digits(text, self.language)) or address
                return None if address is None else address.group(0).strip()
            return None if strict else text
        return None

    def read_dtmf(self, spec: SlotSpec, digits: str) -> Any:
        keys = digits.rstrip("#")
        if not keys or not keys.isdigit():
            return None
        kind = spec.type
        if kind == "digits":
            return self._digits(spec, keys)
        if kind in ("integer", "number"):
            return self._in_range(spec, int(keys))
        if kind == "phone":
            return keys if 7 <= len(keys) <= 15 else None
        if kind == "yes_no":
            b = self.dialogue.behaviour
            return True if keys == b.dtmf_yes else False if keys == b.dtmf_no else None
        if kind == "choice" and spec.catalogue:
            entry = next(
                (e for e in self.dialogue.catalogues[spec.catalogue].entries if e.dtmf == keys), None
            )
            return None if entry is None else entry.value
        if kind == "date" and len(keys) in (6, 8):
            return self.read(spec, keys)
        return None

    def asks_price(self, text: str) -> bool:
        """ "How much is that?", "what's the total?", "얼마예요?": a price asked, not after an order."""
        from voicebot.nlu.intents import price_question_start

        start = price_question_start(text, self.language)
        return start is not None and set(self.words(text[:start])) <= _BEFORE_A_QUESTION

    def price_question(self, spec: SlotSpec, text: str) -> list[dict[str, Any]] | None:
        """The menu items whose price the caller asks ("how much is a large pepperoni?"), as order lines
        (size None where none is said); None when no price is asked of an item, or an order comes first
        ("two large pepperoni, how much is that?" is the order)."""
        from voicebot.nlu.intents import price_question_start

        lines = self._items_asked(spec, text, lambda: price_question_start(text, self.language))
        return [{"name": line.name, "size": line.size, "quantity": int(line.quantity)} for line in lines
                if int(line.quantity) > 0] or None

    def item_question(self, spec: SlotSpec, text: str) -> tuple[str, list[dict[str, Any]]] | None:
        """A question about menu items ("do you have pepperoni?", "is the hawaiian any good?"): its kind
        (nlu.order.item_question) and the items it names, as order lines (size None where none is said);
        None when no item is asked about, or an order comes first."""
        from voicebot.nlu.order import item_question

        asked = item_question(text, self.language)
        if asked is None:
            return None
        kind, start = asked
        lines = [{"name": line.name, "size": line.size, "quantity": 1}
                 for line in self._items_asked(spec, text, lambda: start)]
        return (kind, lines) if lines else None

    def _items_asked(self, spec: SlotSpec, text: str, start: Callable[[], int | None]) -> list[OrderLine]:
        """The menu items named in a question that starts at ``start()`` (a character index; None: no
        question); none at a slot without a menu, or where an order comes before the question."""
        from voicebot.nlu.order import parse_order_lines

        if spec.type not in ("order_lines", "choice") or not spec.catalogue:
            return []
        at = start()
        if at is None:
            return []
        items, sizes = self._order_catalogues(spec)
        if parse_order_lines(text[:at], items, sizes, self.language):
            return []
        return parse_order_lines(text[at:], items, sizes, self.language)

    def asks_off_menu(self, spec: SlotSpec, text: str, *, after_yes: bool = False) -> bool:
        """An order's words that ask for what the menu does not have ("and a coke", "with extra cheese");
        ``after_yes``: also a yes to the read-back that asks for a pizza without something ("yes, no
        onions")."""
        from voicebot.nlu.order import asks_off_menu, yes_without

        if spec.type != "order_lines" or not spec.catalogue:
            return False
        items, sizes = self._order_catalogues(spec)
        return (asks_off_menu(text, items, sizes, self.language)
                or (after_yes and yes_without(text, self.language)))

    def scale_question(self, spec: SlotSpec, text: str) -> str | None:
        """At a score with a range, a question about what its numbers stand for ("is five the best?"): the
        words said after it (often none); None when no such question is asked."""
        from voicebot.nlu.scale import scale_question

        if spec.type not in ("integer", "number") or spec.minimum is None or spec.maximum is None:
            return None
        return scale_question(text, self.language)

    def year_alone(self, spec: SlotSpec, text: str) -> int | None:
        """A year said alone ("1985", "eighty five"), at a date slot that needs the year."""
        from voicebot.nlu.dates import year_alone

        if spec.type != "date" or not spec.needs_year:
            return None
        return year_alone(text, self.language, today=self._today())

    def half_and_half(self, text: str) -> bool:
        """ "Half pepperoni, half veggie", "반반으로요": one pizza of two kinds."""
        from voicebot.nlu.order import half_and_half

        return half_and_half(text, self.language)

    def date_without_year(self, spec: SlotSpec, text: str) -> tuple[int, int] | None:
        """The month and day of a date said without its year, at a date slot that needs the year."""
        from voicebot.nlu.dates import date_without_year

        return date_without_year(text, self.language) if spec.type == "date" and spec.needs_year else None

    def more_of_the_same(self, text: str) -> int | None:
        """How many more of the last thing ordered "another one", "two more", "하나 더" ask for, or None."""
        from voicebot.nlu.order import more_of_the_same

        return more_of_the_same(text, self.language)

    def partial_answer(self, spec: SlotSpec, text: str,
                       earlier: CountFirst | tuple[int, int] | str | None = None,
                       ) -> CountFirst | tuple[int, int] | str | None:
        """Part of an answer that the next one completes, or None: an order's count or size said before its
        items ("three pizzas", "two large ones"); a birth date's month and day without its year ("March
        third", at a date slot that needs the year); a phone number's first digits ("five five five", with
        ``earlier`` the digits said before them)."""
        from voicebot.nlu.order import count_first

        if spec.type == "phone":
            from voicebot.nlu.phone import phone_so_far

            return phone_so_far(self._unglue_endings(text), self.language, homophones=True,
                                earlier=earlier if isinstance(earlier, str) else None)
        if spec.type == "date":
            return self.date_without_year(spec, text)
        if spec.type != "order_lines":
            return None
        items, sizes = self._order_catalogues(spec)
        return count_first(text, items, sizes, self.language)

    def order_lines(self, spec: SlotSpec, text: str,
                    count_first: CountFirst | None = None) -> list[dict[str, Any]]:
        from voicebot.nlu.homophones import with_quantity_homophones
        from voicebot.nlu.order import parse_order_lines, undecided, with_count_first

        items, sizes = self._order_catalogues(spec)
        if undecided(text, items, sizes, self.language):  # "a large or a small pepperoni": asked again
            return []
        removal = self.removal(spec, text)
        if removal is not None:  # "cancel the veggie and add a pepperoni" adds only the pepperoni
            text = removal.rest
        text = self._without_claimed(spec, text)
        def order_word(word: str) -> bool:
            return sizes.match(word) is not None or items.match(word) is not None

        text = with_quantity_homophones(text, self.language, order_word)
        lines = parse_order_lines(text, items, sizes, self.language)
        if count_first is not None:
            lines = with_count_first(lines, count_first, text, self.language)
        return [
            {"name": line.name, "size": line.size or spec.default_size, "quantity": int(line.quantity)}
            for line in lines
            if int(line.quantity) > 0
        ]

    def removal(self, spec: SlotSpec, text: str) -> Removal | None:
        """The order lines ``text`` takes off ("cancel the pepperoni", "페퍼로니는 빼 주세요"), or None."""
        from voicebot.nlu.removal import find_removal

        items, sizes = self._order_catalogues(spec)
        return find_removal(text, items, sizes, self.language)

    def _order_catalogues(self, spec: SlotSpec) -> tuple[Catalogue, Catalogue]:
        """An order slot's items and sizes (no sizes: an empty catalogue)."""
        from voicebot.nlu.catalogue import Catalogue

        assert spec.catalogue is not None
        return self.catalogue(spec.catalogue), self.catalogue(spec.sizes) if spec.sizes else Catalogue({})

    def size(self, spec: SlotSpec, text: str) -> str | None:
        if not spec.sizes:
            return None
        found = self.catalogue(spec.sizes).match(text)
        return None if found is None else str(found.value)

    def max_digits(self, spec: SlotSpec) -> int | None:
        """Keys that complete an answer, so the door need not wait for # or a timeout."""
        if spec.type == "digits":
            return spec.length
        if spec.type == "yes_no":
            return 1
        if spec.type == "integer" and spec.maximum is not None and (spec.minimum or 0) >= 0:
            return len(str(int(spec.maximum)))
        if spec.type == "choice" and spec.catalogue:
            keys = [e.dtmf for e in self.dialogue.catalogues[spec.catalogue].entries if e.dtmf]
            return max(map(len, keys)) if keys else None
        return None

    def hints(self, spec: SlotSpec) -> tuple[str, ...]:
        words: list[str] = []
        if spec.type == "yes_no":
            words.extend(YES_NO_HINTS[self.language])
        for cat in (spec.catalogue, spec.sizes):
            if cat:
                words.extend(self.dialogue.catalogues[cat].words())
        return tuple(dict.fromkeys(words))

    def _without_claimed(self, spec: SlotSpec, text: str) -> str:
        """Blank out words another slot clearly owns, so "48 oak avenue" is never 48 pizzas.

        Text matched by a text slot's pattern belongs to that slot; a run of seven or more digits is a
        phone number and never an order quantity or a menu choice.
        """
        if spec.type == "text":
            return text
        for name, pattern in self._patterns.items():
            if name != spec.name:
                text = pattern.sub(" , ", text)
        if spec.type in ("order_lines", "choice"):
            text = _LONG_DIGIT_RUN.sub(" , ", text)
        return text

    def _unglue_endings(self, text: str) -> str:
        # "6666이요" (it's 6666): the ending's 이 must not be read as the digit 2.
        return _KO_DIGIT_ENDING.sub("", text) if self.language == "ko" else text

    def _in_range(self, spec: SlotSpec, value: float | None) -> float | None:
        if value is None:
            return None
        if spec.type == "integer":
            if float(value) != int(value):
                return None
            value = int(value)
        if spec.minimum is not None and value < spec.minimum:
            return None
        if spec.maximum is not None and value > spec.maximum:
            return None
        return value

    def _digits(self, spec: SlotSpec, digits: str | None) -> str | None:
        if not digits:
            return None
        if spec.length is not None and len(digits) != spec.length:
            return None
        return digits


# What may come before a question that is only a question: "and how much is that?", "okay, so what's the
# total?"
_BEFORE_A_QUESTION = frozenset({"and", "so", "okay", "ok", "oh", "well", "also", "then", "sorry", "wait",
                                "hey"})

# How callers name a slot: its name's words, and the words for its kind ("the number", "주소").
_SLOT_WORDS = {
    "en": {"phone": ("phone", "number", "phone number"), "date": ("date", "birthday", "date of birth"),
           "time": ("time",), "address": ("address", "street")},
    "ko": {"phone": ("전화번호", "번호", "연락처"), "date": ("날짜", "생일", "생년월일"), "time": ("시간",),
           "address": ("주소",)},
}


def _words_for(spec: SlotSpec, language: str) -> tuple[str, ...]:
    table = _SLOT_WORDS.get(language, _SLOT_WORDS["en"])
    own = (spec.name.replace("_", " "),) if language == "en" else ()
    kinds = [kind for kind in table if kind == spec.type or kind in spec.name.split("_")]
    return tuple(dict.fromkeys((*own, *(w for kind in kinds for w in table[kind]))))


def _pattern_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """What ``pattern`` (a text slot's, an address) reads in ``text``: the last one said after taking
    another back ("12 Oak Street, no sorry, 14 Oak Street"), otherwise the first."""
    from voicebot.nlu.numbers import corrects_itself

    found = list(pattern.finditer(text))
    if not found:
        return None
    meant = found[0]
    for later in found[1:]:
        if corrects_itself(text[meant.end():later.start()]):
            meant = later
    return meant


def _with_digits(text: str, language: str) -> str:
    """ "twelve main street" -> "12 main street": number words as digits (ordinals stay words). A house
    number said in parts is one number: "one twenty three" -> 123, "twelve thirty four" -> 1234, "one oh
    five" -> 105 (find_numbers reads each part on its own: "1 23")."""
    from voicebot.nlu.numbers import find_numbers

    out = text
    for found in sorted(find_numbers(text, language), key=lambda n: n.start, reverse=True):
        if not found.ordinal and float(found.value).is_integer():
            out = f"{out[:found.start]}{int(found.value)}{out[found.end:]}"
    # "20 free" (whisper's "twenty three" on a phone line): a unit's homophone after tens is that unit.
    out = _TENS_THEN_UNIT.sub(lambda m: str(int(m.group(1)) + int(m.group(2) or _UNIT_SOUNDALIKES[
        m.group(3).lower()])), out)
    out = _SPOKEN_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), out)  # "1 2 3 oak avenue" -> "123 ..."
    return _NUMBER_IN_PARTS.sub(lambda m: re.sub(r"\s+|oh|o", lambda p: "0" if p.group(0).strip() else "",
                                                 m.group(0), flags=re.IGNORECASE), out)


_SPOKEN_DIGITS = re.compile(r"\b\d(?:\s+\d\b)+")
# The number homophones (nlu.homophones) as digits; not "nein", never read inside an address.
_UNIT_SOUNDALIKES = {word: str(EN_UNITS[number]) for word, number in EN_NUMBER_HOMOPHONES.items()
                     if word != "nein"}
_TENS_THEN_UNIT = re.compile(r"\b([2-9]0)\s+(?:([1-9])|(" + "|".join(_UNIT_SOUNDALIKES) + r"))\b",
                             re.IGNORECASE)
# A number, in digits or words, right before a match: the match may hold only the end of the house number.
_NUMBER_ENDS = re.compile(r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|oh))\W*$", re.IGNORECASE)
# One or two digits, then two-digit parts or "oh" and a digit: "1 23", "12 34", "1 oh 5", "12 oh 5".
_NUMBER_IN_PARTS = re.compile(r"\b\d{1,2}(?:\s+(?:(?:oh|o)\s+\d|[1-9]\d)\b)+", re.IGNORECASE)
