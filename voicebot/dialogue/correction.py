"""Corrections at a confirmation: "no, three, not two", "make it large", "the address is 12 Oak Street".

Pure functions over the slot values: text in, the one slot value to change out. The machine applies it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from voicebot.dialogue.model import SlotSpec
from voicebot.dialogue.understanding import SlotReader

OrderLines = list[dict[str, Any]]


def correct(
    reader: SlotReader,
    specs: Sequence[SlotSpec],
    slots: Mapping[str, Any],
    text: str,
    answer: bool | None,
) -> tuple[str, Any] | None:
    """The slot a confirmation answer corrects and its new value; None when nothing changes.

    Args:
        reader: reads slot values out of caller text.
        specs: the slots the confirmation may correct (its ``corrects:``).
        slots: the call's slot values now.
        text: what the caller said.
        answer: the caller's yes/no reading of ``text`` (None when neither).
    """
    if not specs:
        return None
    correction = reader.correction(text)
    if answer is True and correction is None:
        # "Yes, and add a large veggie": the yes comes with more pizzas, read back again rather than placed
        # without them. Nothing else said with a yes changes the order.
        for spec in specs:
            if spec.type == "order_lines":
                merged = merge_order_lines(reader, spec, slots.get(spec.name) or [], text)
                if merged is not None:
                    return spec.name, merged
        return None
    candidate = correction.new_text if correction is not None else text
    # First a value only one slot can hold: an item named, an address, a phone number.
    recognised = False
    for spec in specs:
        if spec.type == "order_lines":
            current = slots.get(spec.name) or []
            swapped = None
            if correction is not None and correction.old_text:  # "a veggie, not the pepperoni"
                swapped = swap_order_line(reader, spec, current, correction.old_text, candidate)
            merged = swapped or merge_order_lines(reader, spec, current, candidate)
            if merged is not None:
                return spec.name, merged
            continue
        value = reader.read(spec, candidate, strict=True)
        if value is not None:
            recognised = True
            if value != slots.get(spec.name):
                return spec.name, value
    # Then a bare quantity or size for the order: "no, three, not two", "make it large".
    if recognised or not (correction is not None or answer is False):
        return None
    old_text = correction.old_text if correction is not None else None
    named = correction is not None and correction.names_item  # "make the pepperoni a medium"
    for spec in specs:
        if spec.type != "order_lines":
            continue
        if named and not reader.order_lines(spec, old_text or "") and reader.size(spec, candidate) is None:
            continue  # "make the delivery at six" names no item and no size: no pizza to change
        adjusted = adjust_order_line(reader, spec, slots.get(spec.name) or [], candidate, old_text)
        if adjusted is not None:
            return spec.name, adjusted
    return None


def merge_order_lines(
    reader: SlotReader, spec: SlotSpec, current: Sequence[Mapping[str, Any]], text: str
) -> OrderLines | None:
    """The order with the items named in ``text`` merged in; None when no item is named."""
    new_lines = reader.order_lines(spec, text)
    if not new_lines:
        return None
    lines = [dict(line) for line in current]
    size_said = reader.size(spec, text) is not None
    # "In the pepperoni spicy." (whisper, for "is the pepperoni spicy?") names the pizza with no count: it
    # made two pepperoni one. "A pepperoni" is one.
    count_said = reader.number(text) is not None or bool({"a", "an"} & set(reader.words(text)))
    # Items named again replace the line with the same item; new items are added.
    for new in new_lines:
        same = [line for line in lines if line.get("name") == new["name"]]
        if not same:
            lines.append(new)
            continue
        if count_said:
            same[0]["quantity"] = new["quantity"]
        if size_said:
            same[0]["size"] = new["size"]
    return None if lines == [dict(line) for line in current] else lines


def swap_order_line(
    reader: SlotReader, spec: SlotSpec, current: Sequence[Mapping[str, Any]], item_text: str, text: str
) -> OrderLines | None:
    """ "Switch the pepperoni to a hawaiian": the one line of the item named replaced by the item said, in the
    old line's size and quantity unless the caller says another ("a hawaiian" is no quantity of one). None
    when ``text`` names no item, or ``item_text`` no single line of the order."""
    new_lines = reader.order_lines(spec, text)
    named = {line["name"] for line in reader.order_lines(spec, item_text)}
    old = [line for line in current if line.get("name") in named]
    if len(new_lines) != 1 or len(old) != 1 or new_lines[0]["name"] in named:
        return None
    new = dict(new_lines[0])
    if reader.size(spec, text) is None:
        new["size"] = old[0].get("size", new.get("size"))
    if reader.number(text) is None:
        new["quantity"] = old[0].get("quantity", new.get("quantity"))
    return [new if line is old[0] else dict(line) for line in current]


def adjust_order_line(
    reader: SlotReader,
    spec: SlotSpec,
    current: Sequence[Mapping[str, Any]],
    text: str,
    old_text: str | None,
) -> OrderLines | None:
    """The order with one line's quantity or size changed; None when it is unclear which line or what."""
    lines = [dict(line) for line in current]
    if not lines:
        return None
    size = reader.size(spec, text)
    quantity = reader.number(text)
    if quantity is not None and not (float(quantity).is_integer() and 0 < quantity <= 99):
        quantity = None
    if quantity is None and size is None:
        return None
    old_quantity = reader.number(old_text) if old_text else None
    targets = [line for line in lines if old_quantity is not None and line.get("quantity") == old_quantity]
    named = {line["name"] for line in reader.order_lines(spec, old_text)} if old_text else set()
    if named:  # "make the pepperoni a medium": the line of that item, when there is one
        targets = [line for line in lines if line.get("name") in named]
        if len(targets) != 1:
            return None
    if not targets:
        if len(lines) != 1:
            return None  # which line? the caller has to name the item
        targets = lines
    if quantity is not None:
        targets[0]["quantity"] = int(quantity)
    if size is not None:
        targets[0]["size"] = size
    return lines


def remove_order_lines(
    reader: SlotReader, spec: SlotSpec, current: Sequence[Mapping[str, Any]], text: str
) -> OrderLines | None:
    """The order once ``text``'s removals are made ("cancel the pepperoni", "take one veggie off") and the
    items said with them are merged in ("...and add a large hawaiian"); None when ``text`` takes no item
    off. An item the order does not hold leaves it as it was: the caller named a pizza, not the call."""
    removal = reader.removal(spec, text)
    if removal is None:
        return None
    lines: OrderLines = []
    for line in current:
        line = dict(line)
        name = line.get("name")
        if name in removal.items:
            count = removal.items[name]
            if count is None or count >= int(line.get("quantity") or 1):
                continue
            line["quantity"] = int(line.get("quantity") or 1) - count
        lines.append(line)
    return merge_order_lines(reader, spec, lines, removal.rest) or lines
