"""Closers: how a caller says they have finished ("that's all", "nothing else", "그게 다예요", "이상입니다").

Asked "Anything else?", a closer ends the list. Anywhere a free answer is taken down (an address, a
comment), a closer is not the answer. Two questions, two functions: :func:`says_closer` finds a closer
somewhere in the answer ("and a coke, that's all"), :func:`is_closer` says the whole answer is one
("no, that's it, thanks"), so a comment that happens to end in "that's all" is still a comment.
"""

from __future__ import annotations

from voicebot.nlu.normalize import strip_korean_particles, words
from voicebot.nlu.phrases import find_phrases

_EN = frozenset({
    "that is all", "that is it", "that will be all", "that will be it", "that would be all",
    "that would be it", "that should be all", "that should be it", "that should do it", "that does it",
    "that is everything", "that is enough", "that is all i need", "that is all i want", "that will do",
    "nothing else", "nothing more", "nothing", "no more", "nothing further", "nope that is it",
    "i am done", "i am good", "i am fine", "we are good", "we are done", "all done", "done", "all good",
    "no thanks", "no thank you", "just that", "just those", "only that", "that is about it",
    "i think that is it", "i think that is all", "no that is it", "no that is all", "that is the lot",
    "that'll be all", "that'll be it", "that'll do", "that'd be all", "that'd be it", "thatll be all",
    "no comment", "no comments", "nothing to add", "nothing to say", "nothing to report",
})
# Polite words, hesitations and a sign-off around a closer: "no, that's it for now, thanks, bye".
_EN_AROUND = frozenset({
    "no", "nope", "nah", "uh", "um", "oh", "well", "okay", "ok", "yeah", "yes", "so", "i", "think", "guess",
    "thanks", "thank", "you", "please", "for", "now", "today", "really", "actually", "just", "and", "then",
    "right", "cheers", "great", "bye", "goodbye",
})
_EN_NO = frozenset({"no", "nope", "nah"})
_KO = frozenset({
    "그게 다예요", "그게 다에요", "그게 다입니다", "그게 다야", "그게 다", "이게 다예요", "그거 다예요",
    "그게 전부예요", "그게 전부에요", "그게 전부입니다", "전부예요", "다예요", "이상입니다", "이상이에요",
    "이상이요", "이상", "없어요", "없습니다", "없어", "없네요", "없고요", "더 없어요", "더는 없어요",
    "다른 건 없어요", "다른 거 없어요", "그거면 돼요", "그거면 됐어요", "그거면 충분해요", "그걸로 돼요",
    "그걸로 할게요", "됐어요", "됐습니다", "괜찮아요", "괜찮습니다", "끝이에요", "끝입니다", "끝",
    "그것만 주세요", "그거만 주세요", "그렇게만 주세요", "필요 없어요", "더 필요 없어요",
    "다른 건 필요 없어요", "다른 거 필요 없어요", "다른 건 괜찮아요", "필요 없습니다", "그거면 충분합니다",
    "그걸로 충분해요", "그걸로 주세요", "이걸로 주세요", "이걸로 할게요", "이게 끝이에요", "그게 끝이에요",
    "이걸로 끝이에요", "이걸로 끝", "주문 끝", "그게 다요",
})
_KO_AROUND = frozenset({
    "아니요", "아니오", "아뇨", "아니", "네", "예", "음", "어", "아", "그냥", "일단", "감사합니다",
    "고맙습니다", "지금은", "이제", "그럼", "그러면", "더", "안녕히", "계세요", "계십시오", "끊을게요",
    "끊겠습니다", "특별히", "딱히", "별로", "그다지",  # "특별히 없어요" (nothing in particular)
})
_KO_NO = frozenset({"아니요", "아니오", "아뇨", "아니"})


def closer_phrases(language: str) -> tuple[str, ...]:
    """Every listed closer, e.g. for the answers expected at "Anything else?" (contractions expanded)."""
    return tuple(sorted(_KO if language == "ko" else _EN))


def _hits(text: str, language: str) -> tuple[list[str], set[int]]:
    """The answer's words and the indices of the words that belong to a closer phrase."""
    ws = words(text, language)
    if language == "ko":
        found = find_phrases(ws, dict.fromkeys(_KO, True), "ko")
        found += find_phrases([strip_korean_particles(w) for w in ws], dict.fromkeys(_KO, True), "ko")
    else:
        found = find_phrases(ws, dict.fromkeys(_EN, True), "en")
    covered = {i for hit in found for i in range(hit.start, hit.end)}
    if language == "en":
        # "that is not all", "not nothing": a negation just before a closer undoes it.
        covered = {i for i in covered if not (i > 0 and ws[i - 1] == "not" and i - 1 not in covered)}
    return ws, covered


def says_closer(text: str, language: str) -> bool:
    """True when the caller says they are done somewhere in ``text``: "a coke, and that's all"."""
    _, covered = _hits(text, language)
    return bool(covered)


def is_closer(text: str, language: str) -> bool:
    """True when the whole answer is a closer: "no that's it", "nothing else, thanks", "그게 다예요".

    A plain "no" ("no thank you", "아니요") is one too: asked for more, or for a comment, it means none.
    """
    ws, covered = _hits(text, language)
    around, no = (_KO_AROUND, _KO_NO) if language == "ko" else (_EN_AROUND, _EN_NO)
    if not covered and not any(w in no for w in ws):
        return False
    return all(i in covered or w in around for i, w in enumerate(ws))
