"""Items taken off an order: "cancel the pepperoni", "take the veggie off", "페퍼로니는 빼 주세요".

Said while an order is being taken, "cancel" with a menu item names the item, not the call: the caller
who says "actually, cancel the pepperoni" at "Anything else?" keeps the rest of the order. The words
outside the removal may still add items ("cancel the veggie and add a large pepperoni", "페퍼로니 빼고
불고기 두 판"), so they are handed back as ``rest`` for the order parser. Pure: text and catalogues in.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.nlu.catalogue import Catalogue, CatalogueMatch
from voicebot.nlu.normalize import Token, merge_spans, tokenize
from voicebot.nlu.numbers import NumberMatch, find_numbers, is_korean_counter

# Verbs that take what follows off the order ("cancelled": whisper often writes "cancel the" so). Not "no"
# ("no, pepperoni" corrects to a pepperoni), not "without" (a topping: nlu.order), not "hold" ("hold the
# onions" is a topping too).
_EN_VERBS: tuple[tuple[str, ...], ...] = (
    ("cancel",), ("cancelled",), ("canceled",), ("remove",), ("delete",), ("drop",), ("scratch",),
    ("skip",), ("lose",),
    ("forget", "about"), ("forget",), ("get", "rid", "of"), ("take", "off"), ("take", "out"),
    ("take", "away"), ("leave", "out"), ("leave", "off"), ("don't", "want"), ("dont", "want"),
    ("do", "not", "want"), ("no", "longer", "want"), ("take",), ("leave",),
)
# "take the pepperoni off": the verb's particle after the item. "take a large pepperoni" is an order.
_EN_PARTICLE_AFTER = {"take": frozenset({"off", "out", "away"}), "leave": frozenset({"off", "out"})}
_EN_NEGATORS = frozenset({"don't", "dont", "not", "never", "won't", "wont", "can't", "cant", "didn't"})
# Words that may stand between the verb and the items it takes off.
_EN_SPAN_WORDS = frozenset({
    "the", "a", "an", "of", "my", "that", "those", "these", "pizza", "pizzas", "and", "both", "all",
    "order", "orders", "please", "ones", "also", "too", "actually", "just", "one", "for", "me",
})
# "페퍼로니는 빼 주세요", "페퍼로니 한 판 취소해 주세요", "페퍼로니 빼고 불고기 두 판".
_KO_VERB_STARTS = ("빼", "취소", "없애", "제외")
_KO_POLITE_AFTER = frozenset({"주세요", "줘", "줘요", "주시고", "주시고요", "해", "해요", "해줘", "해주세요",
                              "요", "할게요", "주실래요"})
_KO_SPAN_WORDS = frozenset({
    "피자", "그", "그거", "그건", "그것", "도", "다", "전부", "모두", "그냥", "은", "는",
})
_KO_MAX_GAP = 4  # words between the item and the verb: "페퍼로니랑 불고기 한 판 빼 주세요"


@dataclass(frozen=True, slots=True)
class Removal:
    """``items``: each item taken off and how many (None: the whole line); ``rest``: the words left."""

    items: dict[str, int | None]
    rest: str


def find_removal(text: str, items: Catalogue, sizes: Catalogue, language: str) -> Removal | None:
    """The items ``text`` takes off an order, or None when it takes none off."""
    tokens = tokenize(text, language)
    found = items.find_all(text)
    if not tokens or not found:
        return None
    numbers = [n for n in find_numbers(text, language) if not n.ordinal and isinstance(n.value, int)]
    spans = (_spans_ko(tokens, found, numbers, sizes, text) if language == "ko"
             else _spans_en(tokens, found, numbers, sizes, text))
    if not spans:
        return None
    taken: dict[str, int | None] = {}
    for start, end in spans:
        inside = [m for m in found if start <= m.start and m.end <= end]
        for k, item in enumerate(inside):
            after = inside[k - 1].end if k else start
            counts = [n for n in numbers if after <= n.start and n.end <= item.start]
            if language == "ko":  # "페퍼로니 한 판 빼 주세요": the count follows the item
                following = inside[k + 1].start if k + 1 < len(inside) else end
                counts = [n for n in numbers if item.end <= n.start and n.end <= following]
            taken[item.value] = int(counts[-1].value) if counts else None
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return Removal(taken, " ".join(rest.split())) if taken else None


def _in_any(token: Token, spans: list[tuple[int, int]]) -> bool:
    return any(start <= token.start and token.end <= end for start, end in spans)


def _spans_en(tokens: list[Token], found: list[CatalogueMatch], numbers: list[NumberMatch],
              sizes: Catalogue, text: str) -> list[tuple[int, int]]:
    said = [(m.start, m.end) for m in (*found, *sizes.find_all(text))] + [(n.start, n.end) for n in numbers]
    words = [t.text for t in tokens]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        verb = next((v for v in _EN_VERBS if tuple(words[i:i + len(v)]) == v), None)
        negated = i > 0 and words[i - 1] in _EN_NEGATORS  # "don't cancel the pepperoni"
        if verb is None or negated:
            i += 1
            continue
        j = i + len(verb)
        while j < len(tokens) and (words[j] in _EN_SPAN_WORDS or _in_any(tokens[j], said)):
            j += 1
        particles = _EN_PARTICLE_AFTER.get(verb[0])
        if particles is not None and len(verb) == 1:
            if j >= len(tokens) or words[j] not in particles:
                i += 1
                continue  # "take a large pepperoni" orders one
            j += 1
        end = tokens[j - 1].end
        if any(tokens[i].start <= m.start and m.end <= end for m in found):
            spans.append((tokens[i].start, end))
        i = j
    return spans


def _spans_ko(tokens: list[Token], found: list[CatalogueMatch], numbers: list[NumberMatch],
              sizes: Catalogue, text: str) -> list[tuple[int, int]]:
    said = [(m.start, m.end) for m in (*found, *sizes.find_all(text))] + [(n.start, n.end) for n in numbers]
    spans: list[tuple[int, int]] = []
    for item in found:
        for k, token in enumerate(t for t in tokens if t.start >= item.end):
            if token.text.startswith(_KO_VERB_STARTS):
                after = [t for t in tokens if t.start >= token.end]
                polite = next((i for i, t in enumerate(after) if t.text not in _KO_POLITE_AFTER), len(after))
                spans.append((item.start, after[polite - 1].end if polite else token.end))
                break
            between = token.text in _KO_SPAN_WORDS or is_korean_counter(token.text) or _in_any(token, said)
            if k >= _KO_MAX_GAP or not between:
                break
    return merge_spans(spans)  # "페퍼로니랑 불고기 빼 주세요": two items, one verb, one span
