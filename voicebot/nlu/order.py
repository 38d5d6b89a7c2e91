"""Order lines ("two large pepperoni and a small veggie") from one utterance.

Items and sizes come from catalogues; quantities from :func:`find_numbers`. A quantity belongs to a
neighbouring item only when nothing but sizes, articles, "pizza" or counters stands between them, so
"delivered to 48 oak avenue" is no quantity. Nearest pairs win; on a tie English prefers the item after
the number ("two pepperoni"), Korean the one before ("페퍼로니 두 판"); "and" / "랑" / "하고" end a line. A
size goes to the nearer item (in words), ties to the next item in English and the previous one in
Korean. No quantity means one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from voicebot.nlu.catalogue import Catalogue, CatalogueMatch
from voicebot.nlu.normalize import Token, tokenize, words
from voicebot.nlu.numbers import NumberMatch, corrects_itself, find_numbers, is_korean_counter, parse_number

_MAX_QUANTITY = 100  # "pepperoni for 500 people" is not an order line quantity
_MAX_GAP_WORDS = 4
_EN_GAP_WORDS = frozenset({"a", "an", "the", "of", "x", "times", "pizza", "pizzas", "order", "orders", "more",
                           "uh", "um", "er", "erm", "hmm"})
_KO_GAP_WORDS = frozenset({"피자", "음", "어", "그", "짜리", "정도", "총", "사이즈", "사이즈로", "걸로",
                           "거로", "것으로"})
_EN_ALL_WORDS = frozenset({"both", "all", "each"})
_KO_ALL_WORDS = frozenset({"다", "둘다", "모두", "전부", "전부다", "모두다"})
_KO_CONJUNCTIONS = ("이랑", "랑", "하고", "와", "과", "에다가", "에다")
# "a large pepperoni with extra cheese": after an item, a menu word right after these is a topping on it,
# not another pizza. Not "with" (a side: "a pepperoni with garlic bread") nor "no" ("a veggie, no, a
# pepperoni" corrects the order).
_EN_TOPPING_WORDS = frozenset({"extra", "without", "double"})
_KO_TOPPING_AFTER = ("추가", "토핑", "많이", "듬뿍")


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
    text = said_once(text)
    found_items = _one_name_each(text, items.find_all(text))
    # A menu word said as a topping orders no pizza of its own: "a large pepperoni with extra cheese". In
    # English the first one too ("with extra cheese" said alone to "Anything else?", or with a yes to the
    # read-back, added a margherita); a Korean first item before 추가 orders one ("페퍼로니 추가요").
    topping = _topping if language == "en" else _topping_ko
    kept = 0 if language == "en" else 1
    found_items = [*found_items[:kept], *(m for m in found_items[kept:] if not topping(text, m))]
    if len(found_items) > 1:
        # "a veggie, no, a pepperoni": the item taken back is not ordered.
        found_items = [m for m, nxt in zip(found_items, [*found_items[1:], None], strict=True)
                       if nxt is None or not _taken_back(text[m.end:nxt.start], sizes, language)]
    if not found_items:
        return []
    found_sizes = [s for s in sizes.find_all(text)
                   if not any(_overlaps(s.start, s.end, i.start, i.end) for i in found_items)]
    taken = [(m.start, m.end) for m in (*found_items, *found_sizes)]
    quantities = _quantities(text, language, taken)
    split = _split_by_size(found_items, found_sizes, quantities, text, language)
    if split is not None:
        return split
    tokens = tokenize(text, language)
    starts = [t.start for t in tokens]
    size_of: dict[int, str] = {}
    for_all = [size for size in found_sizes if _said_for_all(size, tokens, language)]
    for size in found_sizes:
        if size in for_all:
            continue
        index = _nearest_item(found_items, size, starts, prefer_next=language != "ko")
        if index is not None and index not in size_of:
            size_of[index] = size.value
    for size in for_all:  # "a pepperoni and a veggie, both large": every item not sized on its own
        for index in range(len(found_items)):
            size_of.setdefault(index, size.value)
    if len(found_items) == 1 and len(found_sizes) > 1 and _CORRECTING.intersection(words(text, language)):
        size_of[0] = found_sizes[-1].value  # "a large pepperoni, no, make it a small": the size said last
    sized = [(s.start, s.end) for s in found_sizes]
    # Every (number, item) pair that may belong together, nearest first; each side is used once.
    pairs: list[tuple[int, int, int, int]] = []
    for n_index, number in enumerate(quantities):
        prev, nxt = _neighbours(found_items, number.start, number.end)
        for k, direction in ((prev, "prev"), (nxt, "next")):
            if k is None:
                continue
            item = found_items[k]
            a_end, b_start = (item.end, number.start) if direction == "prev" else (number.end, item.start)
            gap = [t.text for t in tokens if a_end <= t.start and t.end <= b_start
                   and not any(s <= t.start and t.end <= e for s, e in sized)]
            if direction == "prev" and language == "ko" and _ends_with_conjunction(text[item.start:item.end]):
                continue  # "페퍼로니랑 한 판 …": the number starts the next line
            if _attachable(gap, language):
                preferred = (direction == "next") == (language != "ko")
                pairs.append((len(gap), 0 if preferred else 1, n_index, k))
    quantity_of: dict[int, int] = {}
    used: set[int] = set()
    line_end = found_items[-1].end  # where the last line ends: its item, and its size and count after it
    for _, _, n_index, k in sorted(pairs):
        if n_index not in used and k not in quantity_of:
            quantity_of[k] = int(quantities[n_index].value)
            used.add(n_index)
            if k == len(found_items) - 1:
                line_end = max(line_end, quantities[n_index].end)
    line_end = max([line_end, *(s.end for s in found_sizes if s.start >= found_items[-1].end)])
    for number in quantities:  # "one large pepperoni, no wait, two": the count said again is the one meant
        between = [w for w in words(text[line_end:number.start], language) if not is_korean_counter(w)]
        if (number.start >= line_end and corrects_itself(" ".join(between))
                and set(words(text[number.end:], language)) <= _COUNT_AFTER):
            quantity_of[len(found_items) - 1] = int(number.value)
    return [OrderLine(item.value, size_of.get(k), quantity_of.get(k, 1))
            for k, item in enumerate(found_items)]


def _split_by_size(found_items: list[CatalogueMatch], found_sizes: list[CatalogueMatch],
                   quantities: list[NumberMatch], text: str, language: str) -> list[OrderLine] | None:
    """ "Two pepperoni, one large and one small", "one large and one small pepperoni", "a large pepperoni
    and a small": one item and two or more sizes, each with its own count ("a" is one; the first may have
    none). Read as one line, the order was wrong. Not where a size is taken back ("a large pepperoni, no,
    make it a small"). English only."""
    if language != "en" or len(found_items) != 1 or len(found_sizes) < 2:
        return None
    if _CORRECTING.intersection(words(text, language)) or "or" in words(text, language):
        return None
    lines = []
    for k, size in enumerate(found_sizes):
        before = words(text[:size.start], language)[-1:]
        count = next((n for n in quantities if n.end <= size.start
                      and not words(text[n.end:size.start], language)), None)
        if count is not None:
            lines.append(OrderLine(found_items[0].value, size.value, int(count.value)))
        elif before in (["a"], ["an"]) or k == 0:
            lines.append(OrderLine(found_items[0].value, size.value, 1))
        else:
            return None
    return lines


def _one_name_each(text: str, found: list[CatalogueMatch]) -> list[CatalogueMatch]:
    """Two names of the same item side by side name it once: "a plain cheese pizza" ("plain" and "cheese
    pizza" are both the margherita's) is one pizza."""
    out: list[CatalogueMatch] = []
    for match in found:
        if out and out[-1].value == match.value and not text[out[-1].end:match.start].strip(" ,"):
            continue
        out.append(match)
    return out


@dataclass(frozen=True, slots=True)
class CountFirst:
    """How many, or what size, said before naming the items: "three pizzas", "two large ones", "라지로 두 판".
    A person taking the order asks which ones and keeps the count and size for the answer."""

    quantity: int | None
    size: str | None


# Words that make a bare count an order ("three pizzas", "two large ones"), where "Two." alone may be a
# misheard word: a count said without them, or without a size, is no count of items.
_EN_ORDER_NOUNS = frozenset({"pizza", "pizzas", "one", "ones"})
_KO_ORDER_NOUNS = frozenset({"피자", "판"})


def count_first(text: str, items: Catalogue, sizes: Catalogue, language: str) -> CountFirst | None:
    """The count and size of an order said before its items (:class:`CountFirst`), or None where the
    answer names an item, says no count and no size, or says several of either."""
    text = said_once(text)
    if items.find_all(text):
        return None
    found_sizes = sizes.find_all(text)
    quantities = _quantities(text, language, [(m.start, m.end) for m in found_sizes])
    if len(quantities) > 1 or len(found_sizes) > 1 or not (quantities or found_sizes):
        return None
    said = {t.text for t in tokenize(text, language)}
    # Korean nouns come with particles glued on ("판이요"): a word that starts with one counts.
    nouns = _EN_ORDER_NOUNS if language != "ko" else _KO_ORDER_NOUNS
    named = any(w in nouns or (language == "ko" and w.startswith(tuple(nouns))) for w in said)
    if not found_sizes and not named:
        return None
    return CountFirst(int(quantities[0].value) if quantities else None,
                      str(found_sizes[0].value) if found_sizes else None)


def with_count_first(lines: list[OrderLine], first: CountFirst, text: str, language: str) -> list[OrderLine]:
    """The lines of the answer that names the items after :func:`count_first`: each line said without a
    size takes its size; the one line of an answer that says no count (nor "a") takes its count ("three
    pizzas" ... "pepperoni" is three pepperoni; "two large pizzas" ... "a pepperoni and a veggie" is one
    large of each)."""
    counted = bool(_quantities(text, language, [])) or any(t.text in ("a", "an")
                                                            for t in tokenize(text, language))
    return [OrderLine(line.name, line.size or first.size,
                      first.quantity if first.quantity and len(lines) == 1 and not counted else line.quantity)
            for line in lines]


# "Another one", "two more", "하나 더": more of what was just ordered, said without naming it. Only these
# words may be around the count; "two more pizzas" may be other pizzas (not read here).
_EN_MORE_WORDS = frozenset({
    "another", "more", "one", "and", "please", "of", "those", "that", "them", "it", "the", "same", "just",
    "i", "will", "would", "like", "want", "have", "take", "can", "get", "could", "we", "make", "us", "give",
    "me", "yes", "yeah", "okay", "ok", "sure", "actually", "oh", "let", "add", "do", "again", "a",
})
_KO_MORE_WORDS = frozenset({
    "더", "더요", "주세요", "추가", "추가요", "추가해", "해", "같은", "걸로", "거로", "거", "그거", "그걸로",
    "똑같은", "똑같이", "네", "그리고", "또", "요",
})


def more_of_the_same(text: str, language: str) -> int | None:
    """How many more of the last thing ordered "another one", "one more", "two more", "한 판 더요", "하나 더
    주세요" ask for; None where the words say anything else."""
    ws = words(text, language)
    if not _asks_for_more(ws, language):
        return None
    numbers = _quantities(text, language, [])
    if language == "ko":
        said = {w for w in ws if not is_korean_counter(w)} - _KO_MORE_WORDS
        said -= {n.text for n in numbers}
    else:
        said = set(ws) - _EN_MORE_WORDS - {w for n in numbers for w in n.text.lower().split()}
    if said or len(numbers) > 1 or not (numbers or "another" in ws or language == "ko"):
        return None  # "More." alone may be a yes: the bot asks what else
    return int(numbers[0].value) if numbers else 1


# Words that take something back ("no", "make it", "actually"): a second size said with them changes the
# first, it does not add a line.
_CORRECTING = frozenset({"no", "not", "actually", "make", "mean", "meant", "sorry", "wait", "instead",
                         "change", "rather"})
# What may follow a count said again after the last item: "... no wait, two of them, please".
_COUNT_AFTER = frozenset({"pizza", "pizzas", "of", "them", "please",
                          "판", "개", "판이요", "개요", "판요", "주세요"})
_KO_HALVES = frozenset({"반은", "반", "반이랑", "반하고"})


def half_and_half(text: str, language: str) -> bool:
    """ "Half pepperoni, half veggie", "half and half", "반반으로요": one pizza of two kinds, which a menu of
    whole items cannot take (read as two pizzas, it placed twice the order). "Half a dozen", "two and a
    half" are numbers."""
    ws = words(text, language)
    if language == "ko":
        return any(w.startswith("반반") for w in ws) or sum(w in _KO_HALVES for w in ws) >= 2
    halves = [k for k, w in enumerate(ws) if w == "half" and ws[k + 1:k + 2] not in (["a"], ["an"])
              and ws[k - 2:k] != ["and", "a"]]
    return len(halves) >= 2 or "half and half" in " ".join(ws)


# A question about a menu item, which orders nothing: "do you have pepperoni?", "is the hawaiian any good?",
# "what's on the veggie?", "페퍼로니 있어요?". Read as an order, each placed the pizza it asked about
# ("is the margherita vegetarian?" placed two). Said with an order's words it is the order: "can I get a
# large veggie?", "do you have pepperoni? I'll take two", "페퍼로니 있어요? 그걸로 주세요".
_EN_HAVE = ("do you have", "do you guys have", "do you still have", "do you do", "do you sell", "do you make",
            "have you got", "you have", "you got", "got any", "is there", "are there")
_EN_ASKING = frozenset({"is", "are", "what", "which", "does", "do", "how", "whats"})
_EN_ORDERING = ("i will", "i would", "i want", "i need", "i am going to", "we will", "we would", "we want",
                "we need", "we'll", "can i", "could i", "may i", "can we", "could we", "can you", "could you",
                "give me", "get me", "let me", "let us", "i'll", "order", "add", "make it", "i take",
                "please", "gimme", "send")
_KO_HAVE = ("있어요", "있나요", "있습니까", "있죠", "있을까요", "되나요", "돼요", "있으세요")
_KO_ABOUT = ("맛있", "매워", "매운", "맵", "뭐", "무슨", "어때", "어떤",
             "들어가", "들어있", "들어간", "인기")
_KO_ORDERING = ("주세요", "주문", "할게요", "시킬게요", "할께요", "줘요",
                "로요", "으로요", "이요", "해요", "해주")
_KO_ASKING_ENDS = ("나요", "까요", "가요", "죠")


def item_question(text: str, language: str) -> tuple[str, int] | None:
    """Whether ``text`` asks about menu items rather than ordering them, and where the question starts (a
    character index): "have" for whether there is one ("do you have pepperoni?"), "about" for anything
    else ("is the pepperoni spicy?"); None for no question, or one said with an order's words. The caller
    checks that an item is named, and that no order comes before the question."""
    ws = words(text, language)
    if not ws:
        return None
    if language == "ko":
        if any(w.startswith(_KO_ORDERING) or w.endswith(_KO_ORDERING) for w in ws):
            return None
        question = text.rstrip().endswith("?")
        if any(w.startswith(_KO_HAVE) for w in ws) and (question or ws[-1].startswith(_KO_HAVE)):
            return "have", 0
        asking = question or ws[-1].endswith(_KO_ASKING_ENDS)
        return ("about", 0) if asking and any(w.startswith(_KO_ABOUT) for w in ws) else None
    said = " ".join(ws)
    if any(f" {phrase} " in f" {said} " for phrase in _EN_ORDERING):
        return None
    tokens = tokenize(text, language)
    for k, tok in enumerate(tokens):
        # A question starts the words, after "so" or "oh", or a clause: "two pepperoni, is that spicy?".
        opens = k == 0 or tokens[k - 1].text in _EN_LEAD_INS or any(c in ",.?!;" for c in
                                                                      text[tokens[k - 1].end:tok.start])
        if not opens:
            continue
        rest = " ".join(t.text for t in tokens[k:k + 4])
        if any(f"{rest} ".startswith(f"{phrase} ") for phrase in _EN_HAVE):
            return "have", tok.start
        following = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if tok.text.split("'")[0] in _EN_ASKING and following != "about":  # "how about a pepperoni" orders
            return "about", tok.start
    return None


_EN_LEAD_INS = frozenset({"so", "and", "oh", "um", "uh", "okay", "ok", "well", "sorry", "hey", "also", "hi",
                          "hello", "yeah", "hmm", "first"})


# What the menu cannot make, said with an order: "and a coke", "with extra cheese", "without onions", "an
# extra large", "gluten free", "콜라도 주세요", "치즈 추가요". The order's pizzas are taken; these words
# were dropped without a word, and the caller heard an order read back that was not what they asked for.
_EN_ADDING = frozenset({"and", "with", "without", "plus", "extra", "add"})
_EN_MODIFIERS = ("gluten free", "thin crust", "thick crust", "deep dish", "stuffed crust", "extra large",
                 "well done", "extra crispy", "dairy free", "vegan", "cauliflower crust", "with no",
                 "hold the")
_EN_SKIPPED = frozenset({"a", "an", "some", "the", "of", "uh", "um", "er", "erm", "hmm", "also"})
# Words that go on after "and" / "with" without naming anything: "and that's all", "with my wife".
_EN_NO_THING = frozenset({
    "that", "that's", "thats", "it", "is", "all", "everything", "thanks", "thank", "you", "please", "then",
    "i", "we", "my", "our", "me", "us", "for", "to", "maybe", "so", "yeah", "yes", "no", "nothing", "else",
    "one", "ones", "pizza", "pizzas", "another", "more", "same", "too", "as", "well", "just", "only", "can",
    "could", "would", "will", "do", "get", "have", "like", "want", "need", "make", "this", "those", "these",
    "them", "they", "he", "she", "his", "her", "their", "your", "what", "how", "if", "when", "oh", "okay",
    "ok", "right", "actually", "size", "sizes", "let", "hold", "wait", "sorry", "delivery", "deliver",
    "pickup", "bye", "goodbye", "cheers", "there", "here", "now", "later", "again", "order", "total", "half",
    "both", "each", "other", "put", "send", "bring", "add", "also", "not", "don't", "but", "or", "and",
    "with", "in", "on", "at", "by", "from", "up", "into", "out", "about", "am", "are", "was", "be", "kids",
    "family", "friends", "wife", "husband", "dinner", "lunch", "tonight", "today", "tomorrow", "address",
    "number", "phone", "street", "cash", "card", "tip", "change", "love",
})
_KO_OFF_MENU = ("콜라", "사이다", "음료", "맥주", "윙", "치킨", "스파게티", "파스타",
                "샐러드", "감자튀김", "갈릭", "소스", "피클", "씬", "크러스트", "토핑", "엑스트라")
_KO_CHANGES = ("추가", "빼고", "빼서", "없이", "많이", "듬뿍")
_KO_MORE_OF_IT = frozenset({"더", "피자", "하나", "하나만", "걸로", "거", "것도", "그것도", "똑같은", "같은"})


def asks_off_menu(text: str, items: Catalogue, sizes: Catalogue, language: str) -> bool:
    """Whether an order's words ask for something the menu does not have, or a change to what it has: "and
    a coke", "with extra cheese", "an extra large", "콜라도 하나요", "양파 빼고요"."""
    tokens = tokenize(text, language)
    found_items = items.find_all(text)
    found_sizes = sizes.find_all(text)
    on_menu = [(m.start, m.end) for m in (*found_items, *found_sizes)]

    def menu_word(tok: Token) -> bool:
        return any(s <= tok.start and tok.end <= e for s, e in on_menu)

    def size_word(tok: Token) -> bool:
        return any(m.start <= tok.start and tok.end <= m.end for m in found_sizes) and not any(
            m.start <= tok.start and tok.end <= m.end for m in found_items)

    if language == "ko":
        for k, tok in enumerate(tokens):
            if menu_word(tok):
                continue
            if tok.text.startswith(_KO_OFF_MENU):
                return True
            if not tok.text.startswith(_KO_CHANGES) or k == 0:
                continue
            before = tokens[k - 1]
            # "양파 빼고", "올리브 추가요": a change to a pizza. After a count or a size ("한 판
            # 추가요", "라지 추가요") a pizza is added; "페퍼로니는 빼 주세요" takes one off; "치즈
            # 추가요" after a pizza ("페퍼로니 라지 한 판 치즈 추가요") tops it.
            counted = (is_korean_counter(before.text) or parse_number(before.text, language) is not None
                       or before.text in _KO_MORE_OF_IT)
            if not menu_word(before) and not counted:
                return True
            topped = [m for m in found_items if m.end <= before.end]
            if len(topped) > 1 and topped[-1].start <= before.start:
                return True
        return False
    said = " ".join(t.text for t in tokens)
    if any(f" {m} " in f" {said} " for m in _EN_MODIFIERS):
        return True
    for k, tok in enumerate(tokens):
        # Whisper at 8 kHz writes "and a coke" as "in a coat": "in" with an article adds as "and" does.
        heard_and = tok.text == "in" and tokens[k + 1:k + 2] and tokens[k + 1].text in ("a", "an", "the")
        if tok.text not in _EN_ADDING and not heard_and:
            continue
        # A size names no thing: what follows it does ("and a large wine", whisper's "large hawaiian").
        following = [t for t in tokens[k + 1:] if t.text not in _EN_SKIPPED and not t.text.isdigit()
                     and parse_number(t.text, language) is None and not size_word(t)]
        if not following:
            continue
        first = following[0]
        if menu_word(first):
            if tok.text in _EN_TOPPING_WORDS:  # "extra pepperoni", "without pepperoni" change a pizza
                return True
            continue
        if first.text not in _EN_NO_THING and first.text.isalpha():
            return True
    return False


# "Yes, no onions please": a yes to the read-back that asks for a pizza without something; the yes/no reader
# hears the "no" as the answer, and the order was started over. Not "yes, no problem".
_EN_YES_FIRST = frozenset({"yes", "yeah", "yep", "yup", "sure", "okay", "ok", "correct", "right", "perfect"})
_EN_NO_IDIOMS = frozenset({"problem", "problems", "worries", "worry", "rush", "hurry", "doubt", "question",
                           "questions", "changes", "change", "way", "need"})


def yes_without(text: str, language: str) -> bool:
    """A yes that asks for something left off a pizza: "yes, no onions please", "yes but no olives"."""
    if language != "en":
        return False
    said = [t.text for t in tokenize(text, language)]
    if not said or said[0] not in _EN_YES_FIRST:
        return False
    return any(word == "no" and following.isalpha() and following not in _EN_NO_THING
               and following not in _EN_NO_IDIOMS for word, following in pairwise(said))


def undecided(text: str, items: Catalogue, sizes: Catalogue, language: str) -> bool:
    """Two sizes or two items with "or" between them: "a large or a small pepperoni", "pepperoni or
    hawaiian, I don't mind", "라지 아니면 레귤러". The caller has not chosen; the first one said was taken."""
    tokens = tokenize(text, language)
    found = sorted([(m.start, m.end, "item", m.value) for m in items.find_all(text)]
                   + [(m.start, m.end, "size", m.value) for m in sizes.find_all(text)])
    for tok in tokens:
        if tok.text not in (("아니면", "아님") if language == "ko" else ("or",)):
            continue
        before = [f for f in found if f[1] <= tok.start]
        after = [f for f in found if f[0] >= tok.end]
        if before and after:
            a, b = before[-1], after[0]
            if a[2] == b[2] and a[3] != b[3]:
                return True
    return False


def asks_for_more(text: str, language: str) -> bool:
    """Whether ``text`` asks for more ("another", "more", "더"): "one more pepperoni", "하나 더"."""
    return _asks_for_more(words(text, language), language)


def _asks_for_more(ws: list[str], language: str) -> bool:
    if language == "ko":
        return any(w.startswith("더") for w in ws)
    return "another" in ws or "more" in ws


def _quantities(text: str, language: str, taken: list[tuple[int, int]]) -> list[NumberMatch]:
    """The numbers of ``text`` that may count items: whole, not ordinal, at most _MAX_QUANTITY, outside
    ``taken``."""
    return [n for n in find_numbers(text, language)
            if not n.ordinal and isinstance(n.value, int) and 0 < n.value <= _MAX_QUANTITY
            and not any(_overlaps(n.start, n.end, s, e) for s, e in taken)]


def _taken_back(between: str, sizes: Catalogue, language: str) -> bool:
    """The words between two items take the first back: "a veggie, no, a pepperoni", "a large veggie, sorry,
    I mean a large pepperoni" (the next item's size and count aside)."""
    said = [w for w in between.split()
            if sizes.match(w.strip(",.!?")) is None and not find_numbers(w, language)]
    return corrects_itself(" ".join(said))


def said_once(text: str) -> str:
    """ "a small margarita, a small margarita,": the same words twice over are one order, not two. Whisper
    writes a short turn out twice now and then (greedy decoding); a caller who wants two says "two"."""
    words = text.split()
    half = len(words) // 2
    keys = [w.strip(",.!?;:").lower() for w in words]
    if half and len(words) % 2 == 0 and keys[:half] == keys[half:]:
        return " ".join(words[:half]).rstrip(",;:")
    return text


def _topping(text: str, item: CatalogueMatch) -> bool:
    """The item is said as a topping of the one before: "with extra cheese", "without pepperoni", "with no
    cheese" ("no" alone may correct: "a veggie, no, a pepperoni")."""
    before = [w.strip(",.!?").lower() for w in text[:item.start].split()]
    return bool(before) and (before[-1] in _EN_TOPPING_WORDS or before[-2:] == ["with", "no"])


def _topping_ko(text: str, item: CatalogueMatch) -> bool:
    """ "페퍼로니 라지 한 판 치즈 추가요": a menu word followed by 추가 (extra) or 많이 (lots of) tops
    the pizza before it."""
    after = text[item.end:].split()
    return bool(after) and after[0].startswith(_KO_TOPPING_AFTER)


def _said_for_all(size: CatalogueMatch, tokens: list[Token], language: str) -> bool:
    """True for a size said of every item: "both large", "all large", "large for both", "둘 다 라지", and
    a size said of pizzas before naming them ("two large pizzas, one pepperoni and one veggie")."""
    before = [t.text for t in tokens if t.end <= size.start][-2:]
    after = [t.text for t in tokens if t.start >= size.end][:2]
    if language == "ko":
        return any(w in _KO_ALL_WORDS for w in before)
    for_all = (after[:1] == ["for"] and after[1:] in (["both"], ["all"])) or after[:1] == ["pizzas"]
    return for_all or any(w in _EN_ALL_WORDS for w in before)


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


def _ends_with_conjunction(word: str) -> bool:
    return len(word) > 1 and word.endswith(_KO_CONJUNCTIONS)


def _attachable(gap: list[str], language: str) -> bool:
    """Only sizes, articles, "pizza" and counters may sit between a quantity and its item."""
    if len(gap) > _MAX_GAP_WORDS:
        return False
    if language == "ko":
        return all((w in _KO_GAP_WORDS or is_korean_counter(w)) and not _ends_with_conjunction(w)
                   for w in gap)
    return all(w in _EN_GAP_WORDS for w in gap)
