"""Fuzzy lookup of menu items, sizes and other closed vocabularies in caller speech.

Matching is by word n-grams, not substrings, so "no" never hides inside "nothing". Hangul is compared
letter by letter (jamo), so one wrong vowel in "페파로니" costs a little, not a whole syllable. Short names
("coke", "콜라", "큰") must match exactly: a fuzzy score on three letters means nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from voicebot.nlu.normalize import Token, is_hangul, normalize, strip_korean_particles, tokenize

_MIN_FUZZY_LETTERS = 5  # below this, only an exact match counts
_MIN_FUZZY_SYLLABLES = 3


@dataclass(frozen=True, slots=True)
class CatalogueMatch:
    """``value`` (the canonical name) matched ``text[start:end]`` with a 0–100 ``score``."""

    value: str
    score: float
    start: int
    end: int
    synonym: str = ""


@dataclass(frozen=True, slots=True)
class _Synonym:
    value: str
    words: str  # normalised words joined by one space
    form: str  # comparison form: Hangul decomposed, spaces dropped for Korean
    fuzzy: bool
    n_words: int


def _jamo(text: str) -> str:
    out: list[str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out.append(chr(0x1100 + code // 588) + chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(ch)
    return "".join(out)


def _form(words: str) -> str:
    if any(is_hangul(ch) for ch in words):
        return _jamo(words.replace(" ", ""))
    return words


def _close_in_length(said: str, name: str) -> bool:
    """ "pepper" is not a misheard "pepperoni": a fuzzy match may miss only a few letters."""
    return abs(len(said) - len(name)) <= max(2, len(name) // 4)


def _can_be_fuzzy(words: str) -> bool:
    hangul = sum(1 for ch in words if is_hangul(ch))
    if hangul:
        return hangul >= _MIN_FUZZY_SYLLABLES
    return len(words.replace(" ", "")) >= _MIN_FUZZY_LETTERS


class Catalogue:
    """Canonical values and their synonyms (any language): ``{"vegetarian": ["veggie", "야채"]}``.

    The canonical value is itself a synonym.
    """

    def __init__(self, entries: Mapping[str, Sequence[str]]) -> None:
        synonyms: list[_Synonym] = []
        for value, names in entries.items():
            for name in (value, *names):
                words = normalize(name, "ko" if any(is_hangul(c) for c in name) else "en")
                if not words:
                    continue
                fuzzy = _can_be_fuzzy(words)
                synonyms.append(_Synonym(value, words, _form(words), fuzzy, len(words.split())))
        self._synonyms = tuple(synonyms)
        self._exact: dict[str, _Synonym] = {}
        for syn in synonyms:
            self._exact.setdefault(syn.form, syn)
        self._fuzzy = [s for s in synonyms if s.fuzzy]
        self._fuzzy_forms = [s.form for s in self._fuzzy]
        self._max_words = max((s.n_words for s in synonyms), default=1) + 1
        self.values = tuple(entries)

    def __repr__(self) -> str:
        return f"Catalogue({list(self.values)!r})"

    def _candidates(self, text: str, score_cutoff: float) -> list[CatalogueMatch]:
        tokens = tokenize(text, "ko")
        found: list[CatalogueMatch] = []
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + self._max_words) + 1):
                for variant in _variants(tokens[i:j]):
                    best = self._score(variant, score_cutoff)
                    if best is not None:
                        syn, score = best
                        start, end = tokens[i].start, tokens[j - 1].end
                        found.append(CatalogueMatch(syn.value, score, start, end, syn.words))
            found.extend(self._inside_hangul(tokens[i]))
        return found

    def _score(self, words: str, score_cutoff: float) -> tuple[_Synonym, float] | None:
        form = _form(words)
        exact = self._exact.get(form)
        if exact is not None:
            return exact, 100.0
        if not _can_be_fuzzy(words):
            return None
        # rapidfuzz scores every fuzzy name in one call; the best few are checked for length.
        for _, score, index in process.extract(form, self._fuzzy_forms, scorer=fuzz.ratio,
                                               score_cutoff=score_cutoff, limit=8):
            syn = self._fuzzy[index]
            if _close_in_length(form, syn.form):
                return syn, float(score)
        return None

    def _inside_hangul(self, token: Token) -> list[CatalogueMatch]:
        """Korean glued words: "페퍼로니라지" holds "페퍼로니" and "라지"."""
        if not is_hangul(token.text):
            return []
        found = []
        for syn in self._synonyms:
            if syn.n_words == 1 and is_hangul(syn.words) and len(syn.words) >= 2 and syn.words != token.text:
                at = token.text.find(syn.words)
                if at >= 0:
                    start = token.start + at
                    found.append(CatalogueMatch(syn.value, 100.0, start, start + len(syn.words), syn.words))
        return found

    def match(self, text: str, score_cutoff: float = 80) -> CatalogueMatch | None:
        """The best single match in ``text`` (highest score, then longest), or None."""
        candidates = self._candidates(text, score_cutoff)
        if not candidates:
            return None
        return max(candidates, key=lambda m: (m.score, m.end - m.start, -m.start))

    def find_all(self, text: str, score_cutoff: float = 80) -> list[CatalogueMatch]:
        """Every match, best first when they overlap, returned in text order."""
        chosen: list[CatalogueMatch] = []
        candidates = self._candidates(text, score_cutoff)
        ranked = sorted(candidates, key=lambda m: (-m.score, m.start - m.end, m.start))
        for cand in ranked:
            if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
                chosen.append(cand)
        return sorted(chosen, key=lambda m: m.start)


def _variants(tokens: Sequence[Token]) -> list[str]:
    """The n-gram as said, plus without Korean particles or an English plural "s"."""
    words = [t.text for t in tokens]
    out = [" ".join(words)]
    last = words[-1]
    if is_hangul(last):
        stripped = strip_korean_particles(last)
        if stripped != last:
            out.append(" ".join([*words[:-1], stripped]))
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        out.append(" ".join([*words[:-1], last[:-1]]))
        if last.endswith("es"):
            out.append(" ".join([*words[:-1], last[:-2]]))
    return out
