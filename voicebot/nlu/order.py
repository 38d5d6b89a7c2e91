"""Order lines ("two large pepperoni and a small veggie") from one utterance.

Items and sizes come from catalogues; quantities from :func:`find_numbers`. Attachment follows word
order: in English a quantity comes before its item ("two pepperoni"), in Korean after it
("페퍼로니 두 판"); when that item already has a quantity, the other neighbour gets it. A size goes to the
nearer item (in words), ties to the next item in English and the previous one in Korean. No quantity
means one.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.nlu.catalogue import Catalogue, CatalogueMatch
from voicebot.nlu.normalize import tokenize
from voicebot.nlu.numbers import NumberMatch, find_numbers

_MAX_QUANTITY = 100  # "pepperoni for 500 people" is not an order line quantity


@dataclass(frozen=True, slots=True)
class OrderLine:
    name: str
    size: str | None
    quantity: int


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _word_gap(starts: list[int], a_end: int, b_start: int) -> int:
    """How many word pieces start between two spans."""
    return sum(1 for s in starts if a_end <= s < b_start)


def parse_order_lines(text: str, items: Catalogue, sizes: Catalogue, language: str) -> list[OrderLine]:
    """Order lines in the order they were said; empty when no item is named."""
    found_items = items.find_all(text)
    if not found_items:
        return []
    found_sizes = [s for s in sizes.find_all(text)
                   if not any(_overlaps(s.start, s.end, i.start, i.end) for i in found_items)]
    taken = [(m.start, m.end) for m in (*found_items, *found_sizes)]
    quantities = [n for n in find_numbers(text, language)
                  if not n.ordinal and isinstance(n.value, int) and 0 < n.value <= _MAX_QUANTITY
                  and not any(_overlaps(n.start, n.end, s, e) for s, e in taken)]
    starts = [t.start for t in tokenize(text, language)]
    size_of: dict[int, str] = {}
    for size in found_sizes:
        index = _nearest_item(found_items, size, starts, prefer_next=language != "ko")
        if index is not None and index not in size_of:
            size_of[index] = size.value
    quantity_of: dict[int, int] = {}
    # The number nearest its item wins: English reads right to left ("two pizzas, one pepperoni").
    for number in (reversed(quantities) if language != "ko" else quantities):
        index = _quantity_owner(found_items, number, quantity_of, prefer_next=language != "ko")
        if index is not None:
            quantity_of[index] = int(number.value)
    return [OrderLine(item.value, size_of.get(k), quantity_of.get(k, 1))
            for k, item in enumerate(found_items)]


def _neighbours(found_items: list[CatalogueMatch], start: int, end: int) -> tuple[int | None, int | None]:
    before = [k for k, item in enumerate(found_items) if item.end <= start]
    after = [k for k, item in enumerate(found_items) if item.start >= end]
    return (before[-1] if before else None), (after[0] if after else None)


def _nearest_item(found_items: list[CatalogueMatch], size: CatalogueMatch, starts: list[int],
                  *, prefer_next: bool) -> int | None:
    prev, nxt = _neighbours(found_items, size.start, size.end)
    if prev is None or nxt is None:
        return nxt if prev is None else prev
    gap_prev = _word_gap(starts, found_items[prev].end, size.start)
    gap_next = _word_gap(starts, size.end, found_items[nxt].start)
    if gap_prev == gap_next:
        return nxt if prefer_next else prev
    return prev if gap_prev < gap_next else nxt


def _quantity_owner(found_items: list[CatalogueMatch], number: NumberMatch, quantity_of: dict[int, int],
                    *, prefer_next: bool) -> int | None:
    prev, nxt = _neighbours(found_items, number.start, number.end)
    first, second = (nxt, prev) if prefer_next else (prev, nxt)
    for index in (first, second):
        if index is not None and index not in quantity_of:
            return index
    return None
