"""Render prompt templates: numbers, money, dates, times and orders the way each language says them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from voicebot.dialogue.model import CatalogueSpec, Dialogue, SlotSpec
from voicebot.dialogue.template import Field, Template

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EN_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# Native Korean numerals as they sound before a counter (한 판, 두 판, 스무 판).
_KO_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_KO_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
_CLAUSE_ENDS = frozenset(".,!?;:。")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:])(?=\s|$)")
_CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£"}


def english_number_words(n: int) -> str:
    """0..99 as words ("twenty-one"); larger numbers stay digits, which TTS reads well."""
    if n < 0 or n > 99:
        return str(n)
    if n < 20:
        return _EN_ONES[n]
    tens, ones = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")


def korean_native_count(n: int) -> str:
    """1..99 in native Korean counting form (counter follows); other values stay digits."""
    if n < 1 or n > 99:
        return str(n)
    if n == 20:
        return "스무"
    tens, ones = divmod(n, 10)
    return _KO_NATIVE_TENS[tens] + _KO_NATIVE_ONES[ones]


def format_number(value: float, language: str) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def format_currency(amount: float, currency: str, language: str) -> str:
    """EN/USD: "$42.50" ("$42" when whole); KO/KRW: "4만 5천원"; others: "12.50 CHF"."""
    currency = currency.upper()
    if currency == "KRW":
        return _korean_won(round(amount))
    whole = float(amount).is_integer()
    number = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f"{symbol}{number}"
    return f"{number} {currency}"


def _korean_won(amount: int) -> str:
    # Korean groups by 10^4 (만): 45,000 -> 4만 5천원, 1,200,000 -> 120만원, as written on Korean bills.
    if amount == 0:
        return "0원"
    eok, rest = divmod(amount, 100_000_000)
    man, rest = divmod(rest, 10_000)
    out = []
    if eok:
        out.append(f"{eok}억")
    if man:
        out.append(f"{man}만")
    if rest:
        out.append(_korean_small(rest))
    return " ".join(out) + "원"


def _korean_small(n: int) -> str:
    """1..9999 as "5천3백" or "45" style: thousands and hundreds spelled as units, the rest digits."""
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    text = ""
    if thousands:
        text += f"{thousands}천"
    if hundreds:
        text += f"{hundreds}백"
    if rest:
        text += str(rest)
    return text


def format_date(value: str | dt.date, language: str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{_EN_MONTHS[day.month - 1]} {day.day}, {day.year}"


def format_time(value: str | dt.time, language: str) -> str:
    t = dt.time.fromisoformat(value) if isinstance(value, str) else value
    hour12 = t.hour % 12 or 12
    if language == "ko":
        half = "오전" if t.hour < 12 else "오후"
        return f"{half} {hour12}시" + (f" {t.minute}분" if t.minute else "")
    suffix = "AM" if t.hour < 12 else "PM"
    return f"{hour12}:{t.minute:02d} {suffix}" if t.minute else f"{hour12} {suffix}"


def format_phone(digits: str, language: str) -> str:
    """Digits spaced in the groups people read them in, so TTS says each digit."""
    groups: list[str]
    if len(digits) == 11 and language == "ko":
        groups = [digits[:3], digits[3:7], digits[7:]]
    elif len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    elif len(digits) == 7:
        groups = [digits[:3], digits[3:]]
    elif len(digits) < 7:  # the first part of a number, said back while the caller gives it
        groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    else:
        groups = [digits]
    return ", ".join(" ".join(g) for g in groups)


def format_list(items: Sequence[str], language: str) -> str:
    items = [str(i) for i in items]
    if language == "ko" or len(items) < 2:
        return ", ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def format_yes_no(value: object, language: str) -> str:
    if value is None:
        return ""
    if language == "ko":
        return "네" if value else "아니요"
    return "yes" if value else "no"


def format_order(
    lines: Sequence[Mapping[str, Any]],
    items: CatalogueSpec | None,
    sizes: CatalogueSpec | None,
    language: str,
    counter: str | None,
) -> str:
    spoken: list[str] = []
    for line in lines:
        name = _label(items, str(line.get("name", "")))
        size = _label(sizes, str(line["size"])) if line.get("size") else None
        qty = int(line.get("quantity", 1))
        if language == "ko":
            words = [name] + ([size] if size else []) + [f"{korean_native_count(qty)} {counter or '개'}"]
        else:
            words = [english_number_words(qty)] + ([size] if size else []) + [name]
        spoken.append(" ".join(words))
    return format_list(spoken, language)


def format_price_quote(
    lines: Sequence[Mapping[str, Any]],
    items: CatalogueSpec,
    sizes: CatalogueSpec | None,
    language: str,
    currency: str,
    counter: str | None,
) -> str | None:
    """What the items asked about cost: "One large pepperoni is $17." or, no size said, "One pepperoni is
    $11 small, $14 medium or $17 large."; None when an item has no price."""
    quotes: list[str] = []
    for line in lines:
        entry = items.entry(str(line.get("name")))
        if entry is None or (entry.price is None and not entry.prices):
            return None
        said = format_order([line], items, sizes, language, counter)
        prices = dict(entry.prices)
        size = line.get("size")
        if (size and str(size) in prices) or not prices:
            amount = prices.get(str(size), entry.price) if size else entry.price
            if amount is None:
                return None
            price = format_currency(amount * int(line.get("quantity", 1)), currency, language)
        else:  # each size's price, for one
            said = format_order([{**line, "quantity": 1}], items, sizes, language, counter)
            each = [(_label(sizes, s), format_currency(p, currency, language)) for s, p in entry.prices]
            price = (", ".join(f"{s} {p}" for s, p in each) if language == "ko"
                     else format_list([f"{p} {s}" for s, p in each], language).replace(" and ", " or "))
        if language == "ko":
            quotes.append(f"{said}{_topic_particle(said)} {price}입니다.")
        else:
            verb = "are" if int(line.get("quantity", 1)) > 1 and size else "is"
            quotes.append(f"{said[:1].upper()}{said[1:]} {verb} {price}.")
    return " ".join(quotes) or None


def _topic_particle(word: str) -> str:
    """은 after a final consonant ("한 판은"), 는 after a vowel ("한 개는")."""
    last = word[-1:]
    return "은" if "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 else "는"


def order_total(
    lines: Sequence[Mapping[str, Any]], items: CatalogueSpec | None, default_size: str | None
) -> float:
    total = 0.0
    for line in lines:
        entry = items.entry(str(line.get("name"))) if items else None
        if entry is None:
            continue
        price = entry.price
        size = line.get("size") or default_size
        if entry.prices:
            price = dict(entry.prices).get(str(size), price)
        total += (price or 0.0) * int(line.get("quantity", 1))
    return round(total, 2)


def _label(catalogue: CatalogueSpec | None, value: str) -> str:
    entry = catalogue.entry(value) if catalogue else None
    return entry.spoken if entry else value


def render(
    template: Template,
    dialogue: Dialogue,
    slots: Mapping[str, Any],
    variables: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The text of a prompt for the current slots and variables. Unfilled fields render empty."""
    out: list[str] = []
    parts = template.parts
    for i, part in enumerate(parts):
        if isinstance(part, str):
            out.append(part)
            continue
        value = _render_field(part, dialogue, slots, variables, extra)
        after = parts[i + 1] if i + 1 < len(parts) else ""
        if isinstance(after, str) and after[:1] in _CLAUSE_ENDS:
            # "I think you said {value}." with a heard "Four." must not say "Four.."
            value = value.rstrip("".join(_CLAUSE_ENDS) + " ")
        out.append(value)
    text = " ".join("".join(out).split())
    # An empty field leaves its space before the punctuation: "Hi , this is".
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def _render_field(
    field: Field,
    dialogue: Dialogue,
    slots: Mapping[str, Any],
    variables: Mapping[str, Any],
    extra: Mapping[str, Any] | None,
) -> str:
    spec: SlotSpec | None = dialogue.slots.get(field.name)
    if extra is not None and field.name in extra:
        value = extra[field.name]
        spec = extra.get("__spec__")
    elif spec is not None:
        value = slots.get(field.name)
    else:
        value = variables.get(field.name)
    if value is None or value == "":
        return ""
    filters = list(field.filters)
    if not filters:
        filters = [_default_filter(field.name, spec, dialogue)]
    for f in filters:
        value = _apply(f, value, spec, dialogue)
    return str(value) if not isinstance(value, str) else value


def _default_filter(name: str, spec: SlotSpec | None, dialogue: Dialogue) -> str:
    if spec is not None:
        return {
            "order_lines": "order",
            "date": "date",
            "time": "time",
            "phone": "phone",
            "yes_no": "yesno",
            "list": "list",
            "integer": "number",
            "number": "number",
            "choice": "spell",
        }.get(spec.type, "")
    var = dialogue.variables.get(name)
    if var is not None:
        return {
            "currency": "currency",
            "date": "date",
            "yes_no": "yesno",
            "integer": "number",
            "number": "number",
        }.get(var.type, "")
    return ""


def _apply(name: str, value: Any, spec: SlotSpec | None, dialogue: Dialogue) -> Any:
    lang = dialogue.language
    items = dialogue.catalogues.get(spec.catalogue) if spec and spec.catalogue else None
    sizes = dialogue.catalogues.get(spec.sizes) if spec and spec.sizes else None
    try:
        if name == "" or value is None:
            return value
        if name == "number":
            return format_number(float(value), lang)
        if name == "currency":
            return format_currency(float(value), dialogue.currency, lang)
        if name == "date":
            return format_date(str(value), lang)
        if name == "time":
            return format_time(str(value), lang)
        if name == "order" and isinstance(value, list):
            return format_order(value, items, sizes, lang, spec.counter if spec else None)
        if name == "total" and isinstance(value, list):
            return order_total(value, items, spec.default_size if spec else None)
        if name == "phone":
            return format_phone(str(value), lang)
        if name == "digits":
            return " ".join(str(value))
        if name == "yesno":
            return format_yes_no(value, lang)
        if name == "list" and isinstance(value, list):
            return format_list([str(v) for v in value], lang)
        if name == "spell":
            return _label(items, str(value))
    except (ValueError, TypeError):
        # A variable given in the wrong shape renders as given rather than failing the call.
        return value
    return value
