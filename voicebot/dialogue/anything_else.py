"""After an order is taken, "Anything else?" until the caller says that's all, as a person would ask.

Pure: the caller's answer in, what it means for the order out. The machine asks an order ask's ``more``
prompt after the first answer and again after every answer that adds items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from voicebot.dialogue.model import SlotSpec
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.order import asks_for_more


@dataclass(frozen=True, slots=True)
class MoreAnswer:
    """What an answer to "Anything else?" says.

    ``lines``: order lines to add. ``done``: the list is finished (after adding ``lines``). ``yes``: a bare
    yes, so the bot asks what else. Nothing set: not understood.
    """

    lines: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    yes: bool = False


def read_more(reader: SlotReader, spec: SlotSpec, text: str, *, others: bool,
              current: Sequence[dict[str, Any]] = ()) -> MoreAnswer:
    """The meaning of ``text`` said to "Anything else?"; ``others``: it also filled another slot;
    ``current``: the order so far.

    "no, that's all", "nothing else", "그게 다예요" -> done; "and a small cheese" -> add; "a coke, that's
    all" -> add and done; "yes" -> what else?; "no, just the two large" -> done, nothing added (a no first
    means the caller is repeating the order, not adding to it); "deliver to 12 main street" (another slot
    given) -> done; "and a coke, bye" -> add and done; "alright, bye" -> done. "Another one", "two more",
    "하나 더" -> more of the last line ordered; "one more pepperoni" -> in the size the pepperoni was ordered.
    """
    if reader.is_closer(text):
        return MoreAnswer(done=True)
    answer = reader.yes_no(text)
    if answer is False:
        return MoreAnswer(done=True)
    lines = reader.order_lines(spec, text)
    if lines:
        return MoreAnswer(_sized_as_ordered(reader, spec, text, lines, current),
                          done=others or reader.ends_order(text))
    more = reader.more_of_the_same(text)
    if more is not None and current and not others:
        return MoreAnswer([{**current[-1], "quantity": more}])
    if others or signs_off_after_words(reader, text):
        return MoreAnswer(done=True)
    return MoreAnswer(yes=answer is True)


def _sized_as_ordered(reader: SlotReader, spec: SlotSpec, text: str, lines: list[dict[str, Any]],
                      current: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """ "One more pepperoni" after two large pepperoni is a large one: an item asked for again, with
    "more", "another" or "더" and no size said, takes the size of the one line it was ordered in."""
    if reader.size(spec, text) is not None or not asks_for_more(text, reader.language):
        return lines
    out = []
    for line in lines:
        ordered = [old for old in current if old.get("name") == line["name"]]
        out.append({**line, "size": ordered[0].get("size")} if len(ordered) == 1 else line)
    return out


def says_more_than_items(reader: SlotReader, spec: SlotSpec, text: str, *, others: bool) -> bool:
    """Whether ``text`` means something to "Anything else?" besides order lines: a closer, a yes or no, a
    correction, an item taken off, a global intent, a hold, "who is this?", "are you a robot?", "another
    one", another slot's value, a goodbye.
    Only a turn that means nothing may be replaced by the menu's restricted decode (grammar_open): "yes
    please" or "take the veggie off" heard in menu words only would add a pizza."""
    if others or reader.is_closer(text) or _answers_yes_or_no(reader, text):
        return True
    if reader.correction(text) is not None or reader.removal(spec, text) is not None:
        return True
    if reader.asks_to_hold(text) or reader.asks_who(text) or reader.asks_if_bot(text):
        return True
    if reader.more_of_the_same(text) is not None:  # "another one": the free words say it, not menu words
        return True
    return reader.intent(text) is not None or reader.only_farewell(text)


def _answers_yes_or_no(reader: SlotReader, text: str) -> bool:
    """ "yes please", "no thanks", "nope": a yes or no said first, or alone. Not "and no large wine." (a
    misheard "and a large hawaiian"), where the no is inside the words."""
    if reader.yes_no(text) is None:
        return False
    words = reader.words(text)
    return len(words) <= 2 or reader.yes_no(words[0]) is not None


def signs_off_after_words(reader: SlotReader, text: str) -> bool:
    """ "Alright, bye", or a closer misheard before a goodbye ("My soil, bye!"): done, not a cancellation.

    Asked "Anything else?", a goodbye after other words says the order is complete; a bare "bye" or
    "okay, bye" may mean the call, so it stays a stop (checked when unsure).
    """
    return reader.only_farewell(text) and not reader.bare_farewell(text)


def add_lines(current: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order with ``new`` lines added: the same item in the same size adds up ("another large")."""
    lines = [dict(line) for line in current]
    for line in new:
        same = next(
            (old for old in lines if old.get("name") == line["name"] and old.get("size") == line["size"]),
            None,
        )
        if same is None:
            lines.append(dict(line))
        else:
            same["quantity"] = int(same.get("quantity", 1)) + int(line["quantity"])
    return lines
