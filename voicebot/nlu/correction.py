"""Corrections while a value is being confirmed: "no, three, not two", "make that three", "두 판 말고 세 판".

The parser does not know which slot is being corrected; it returns the new value's words (and the old
value's, when said) so the dialogue re-parses ``new_text`` with the slot's own parser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from voicebot.nlu.homophones import with_number_homophones
from voicebot.nlu.normalize import FILLERS_EN, FILLERS_KO, normalize, strip_korean_particles
from voicebot.nlu.numbers import find_numbers
from voicebot.nlu.yesno import parse_yes_no


@dataclass(frozen=True, slots=True)
class Correction:
    """``new_text``: the value now meant; ``old_text``: the value withdrawn, when said; ``marker``: why."""

    new_text: str
    old_text: str | None
    marker: str


# A yes before an explicit change command: "yes, make it three", "sure, change the veggie to a large".
_EN_YES = ("yes", "yeah", "yep", "okay", "ok", "sure", "alright", "all right")
_EN_LEADING = ("no no", "no", "nope", "sorry", "oops", "oh", "wait", "actually", "correction", "i mean",
               "i meant", "i said", "not quite", "that is wrong", "wrong", "no wait", "hold on",
               # "yes, but make it three": a yes with a change is the change (the read-back is said again).
               *(f"{yes} but" for yes in _EN_YES),
               "but")
_EN_ASKING = r"^(?:can you |could you |please |let us )?"
_EN_MAKE = re.compile(_EN_ASKING + r"(?:make|change|switch) (?:that|it|this)(?: to| into| for)? (.+)$")
# "make the pepperoni a medium", "change the veggie to large": the item named, then what it becomes.
_EN_MAKE_NAMED = re.compile(_EN_ASKING + r"(?:make|change|switch) (?:the|my) (.+)$")
_EN_INSTEAD = re.compile(r"^(.+?) (?:not|instead of|rather than|and not) (.+)$")
_EN_NOT_FIRST = re.compile(r"^not (.+)$")
_EN_NOT_SUBJECT = frozenset({"i", "it", "that", "we", "you", "they", "do", "this", "he", "she", "is", "am"})
_EN_EMPTY_TAILS = frozenset({"thanks", "thank you", "please", "that is all", "nothing", "never mind", "no"})

_KO_LEADING = ("아니 아니", "아니요", "아니오", "아뇨", "아니", "정정할게요", "정정", "잠깐만요", "잠깐만",
               "잠깐", "아 참", "그게 아니라", "아니 그게 아니라", "틀렸어요", "다시",
               *(f"{yes} {but}" for yes in ("네", "예", "좋아요") for but in ("근데", "그런데", "다만")),
               "근데", "그런데")
_KO_INSTEAD = re.compile(r"^(.+?) 말고(?:요)? (.+)$")
_KO_NOT_BUT = re.compile(r"^(.+?)(?:이|가)? 아니(?:고|라|라고요|구요|라요) (.+)$")
_KO_EMPTY_TAILS = frozenset({"괜찮아", "괜찮아요", "괜찮습니다", "됐어", "됐어요", "감사합니다", "고맙습니다",
                             "감사해요"})
# Request verbs after the value: "스몰로 해 주세요" -> "스몰".
_KO_REQUEST_TAIL = re.compile(
    r"(?:\s*(?:으로|로))?\s*(?:해\s*주세요|해\s*줘요|주세요|할게요|할께요|해요|바꿔\s*주세요|변경해\s*주세요|부탁해요|부탁합니다)$"
)
_KO_CHANGE = re.compile(r"^(.+?)(?:으로|로) (?:바꿔|바꾸|변경|해|할게|정정|수정)")


def _clean(text: str, language: str) -> str:
    fillers = FILLERS_EN if language == "en" else FILLERS_KO
    if language == "ko":
        text = _KO_REQUEST_TAIL.sub("", text)
    ws = [w for w in text.split() if w not in fillers]
    if language == "ko" and ws:
        last = strip_korean_particles(ws[-1])
        ws[-1] = last[:-1] if last == ws[-1] and len(last) >= 2 and last.endswith("요") else last
    return " ".join(ws).strip()


def _worth(text: str, language: str) -> bool:
    """A tail that is only "thanks" or a yes/no is not a new value; "네 판" (four) still is."""
    if not text or text in _EN_EMPTY_TAILS or text in _KO_EMPTY_TAILS:
        return False
    return parse_yes_no(text, language) is None or bool(find_numbers(text, language))


def _split_not(rest: str, raw_chunks: list[str]) -> tuple[str, str]:
    """ "not two three" -> ("two", "three"): by the caller's comma, "but", a second number, or one word."""
    if " but " in f" {rest} ":
        old, new = rest.split(" but ", 1)
        return old, new.removeprefix("it is ").removeprefix("make it ")
    if len(raw_chunks) >= 2:
        return raw_chunks[-2].removeprefix("not ").strip(), raw_chunks[-1].strip()
    numbers = find_numbers(rest, "en")
    if len(numbers) >= 2:
        return rest[: numbers[1].start].strip(), rest[numbers[1].start:].strip()
    head, _, tail = rest.partition(" ")
    return head, tail


def _strip_leading(text: str, markers: tuple[str, ...]) -> tuple[str, str | None]:
    found: str | None = None
    changed = True
    while changed:
        changed = False
        for marker in sorted(markers, key=len, reverse=True):
            if text == marker or text.startswith(marker + " "):
                found = found or marker
                text = text[len(marker):].strip()
                changed = True
                break
    return text, found


MAKE_NAMED = "make the"  # the marker of "make the pepperoni a medium": ``old_text`` names the item


def _item_and_value(rest: str) -> tuple[str, str] | None:
    """ "pepperoni a medium" -> ("pepperoni", "a medium"); "veggie to large", "pepperonis three": split where
    the new value starts (after "to" / "into", at "a" / "an", at a number, else the last word)."""
    for word in (" into ", " to "):
        if word in rest:
            item, _, value = rest.partition(word)
            return (item, value) if item and value else None
    for article in (" a ", " an "):
        if article in rest:
            item, _, value = rest.rpartition(article)
            return (item, article.strip() + " " + value) if item and value else None
    numbers = find_numbers(rest, "en")
    if numbers and numbers[-1].start > 0:
        return rest[: numbers[-1].start].strip(), rest[numbers[-1].start:].strip()
    item, _, value = rest.rpartition(" ")
    return (item, value) if item and value else None


def _parse_en(text: str) -> Correction | None:
    chunks = [normalize(c, "en", expand_contractions=True) for c in re.split(r"[,;.!?]", text)]
    chunks = [_clean(c, "en") for c in chunks if _clean(c, "en")]
    s = " ".join(chunks)
    rest, marker = _strip_leading(s, _EN_LEADING)
    if marker is None and (after_yes := _strip_leading(rest, _EN_YES))[1] is not None \
            and (_EN_MAKE.match(after_yes[0]) or _EN_MAKE_NAMED.match(after_yes[0])):
        rest, marker = after_yes
    if m := _EN_MAKE.match(rest):
        # "make it free": whisper's "three" on the phone line (a number word's homophone, alone)
        return Correction(with_number_homophones(m[1], "en"), None, marker or "make that")
    if (m := _EN_MAKE_NAMED.match(rest)) and (split := _item_and_value(m[1])) is not None:
        return Correction(split[1], split[0], MAKE_NAMED)
    if m := _EN_NOT_FIRST.match(rest):
        said_apart = len(chunks) >= 2 and chunks[-2].startswith(("not ", marker or "\0"))
        tail_chunks = chunks[-2:] if said_apart else []
        old, new = _split_not(m[1], [c for c in tail_chunks if c.startswith("not ")] + tail_chunks[-1:])
        if new and _worth(new, "en"):
            return Correction(new, old or None, marker or "not")
    if m := _EN_INSTEAD.match(rest):
        new, old = m[1], m[2]
        if (new.split()[0] not in _EN_NOT_SUBJECT and len(new.split()) <= 4 and len(old.split()) <= 4
                and _worth(new, "en")):
            return Correction(new, old, marker or "instead")
    if marker is not None and _worth(rest, "en"):
        return Correction(rest, None, marker)
    return None


def _parse_ko(text: str) -> Correction | None:
    said = " ".join(w for w in normalize(text, "ko").split() if w not in FILLERS_KO)
    rest, marker = _strip_leading(_clean(said, "ko"), _KO_LEADING)
    for pattern, name in ((_KO_INSTEAD, "말고"), (_KO_NOT_BUT, "아니라")):
        if m := pattern.match(rest):
            old = " ".join(strip_korean_particles(w) for w in m[1].split())
            new = _clean(m[2], "ko")
            if _worth(new, "ko"):
                return Correction(new, old, marker or name)
    said_rest, said_marker = _strip_leading(said, _KO_LEADING)
    if m := _KO_CHANGE.match(said_rest):
        changed = _clean(m[1], "ko")
        yes, _, after = changed.partition(" ")
        if yes in ("네", "예") and find_numbers(after, "ko"):
            changed = after  # "네 세 판으로 바꿔 주세요": a yes, then three (not "네 판", four)
        item, _, value = changed.partition(" ")
        if value and item.endswith(("을", "를")) and len(item) > 1:  # "페퍼로니를 레귤러로 바꿔 주세요"
            return Correction(value, strip_korean_particles(item), MAKE_NAMED)
        return Correction(changed, None, said_marker or "바꿔")
    if marker is not None and _worth(rest, "ko"):
        return Correction(rest, None, marker)
    return None


def parse_correction(text: str, language: str) -> Correction | None:
    """A correction with its new value, or None when ``text`` corrects nothing.

    "no, three, not two" -> new "three", old "two"; "make that three" -> new "three";
    "아니 세 판이요" -> new "세 판"; "두 판 말고 세 판" -> new "세 판", old "두 판". A bare "no" or "yes" is
    not a correction: that is :func:`parse_yes_no`'s job.
    """
    return _parse_ko(text) if language == "ko" else _parse_en(text)


_EN_WRONG = ("wrong", "not right", "incorrect", "not correct", "a mistake", "not my", "is not it", "change",
             "fix", "typo", "different", "not that")
_KO_WRONG = ("틀렸", "틀려", "틀린", "잘못", "바꿔", "바꾸", "아니", "아녜", "다르", "달라", "수정", "변경")


def said_wrong(text: str, language: str, things: Mapping[str, Sequence[str]], *, said_no: bool) -> str | None:
    """Which of ``things`` (a key and the words that name it: "address", "phone number") the caller says is
    wrong without saying the right value: "no, the address is wrong", "wrong phone number", "주소가 틀렸어요".

    A bare mention counts after a no ("no, the address"). None when no thing is named, or more than one.
    """
    said = normalize(text, language, expand_contractions=True) if language == "en" else normalize(text, "ko")
    padded = f" {said} ".replace(" number of ", " ")  # "the number of pizzas is wrong" names no phone
    # English names also with -s / -es: whisper wrote "No, the address is wrong." as "No, he addresses wrong."
    named = [key for key, names in things.items()
             if any(any(f" {name}{end} " in padded for end in ("", "s", "es")) if language == "en"
                    else (name in said) for name in names)]
    if len(named) != 1:
        return None
    wrong = _EN_WRONG if language == "en" else _KO_WRONG
    if said_no or any((f" {w} " in padded) if language == "en" else (w in said) for w in wrong):
        return named[0]
    return None
