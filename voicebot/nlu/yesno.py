"""Yes or no, in English and Korean, from a caller's free answer.

How mixed answers are decided (documented in docs/understanding.md):
1. A self-correction marker ("i mean", "actually", "sorry", "wait", KO "잠깐", "아니 그게 아니라") makes the
   words after the last marker decide, when they carry a yes or a no: "yes i mean no" -> False,
   "no wait yes" -> True.
2. Otherwise an "unsure" phrase ("not sure", "i don't know", "몰라요", "글쎄요") gives None.
3. Otherwise negation wins over a buried yes: "yeah no" -> False, "네 아니요" -> False.
4. An answer in the question's own words ("nobody forced me", "I got them", "강요는 없었어요") decides
   over a bare yes or no said with it: "no, nobody forced me" -> True to "did you take out this policy
   of your own free will, without feeling pressured?", whose "no" agrees with "without feeling pressured".
5. "Later" ("call me back later", "maybe later", "나중에") is a no on its own, but with a yes it is unclear:
   "sure, call me back later" may be a yes to "shall a manager call you back?" and a no to "do you have
   two minutes?". Being busy ("I'm busy right now", "not a good time", "운전 중이에요") is a no.
6. Nothing recognised -> None: the dialogue asks again.
"""

from __future__ import annotations

from enum import Enum

from voicebot.nlu.normalize import KO_REPORTED_SPEECH, words
from voicebot.nlu.phrases import PhraseHit, find_phrases


class _Polarity(Enum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    MARKER = "marker"
    LATER = "later"  # not now: a no alone, unclear with a yes (module docstring, 5)
    NEITHER = "neither"  # words that look like a yes and are not: "right now"


_Y, _N, _U, _M = _Polarity.YES, _Polarity.NO, _Polarity.UNSURE, _Polarity.MARKER
_L, _X = _Polarity.LATER, _Polarity.NEITHER

# How much pressure a caller says they felt: "I was a bit pressured", "the agent was kind of pushy".
_DEGREES = ("a bit", "a little", "a little bit", "kind of", "sort of", "somewhat", "quite", "very", "really",
            "bit")
_PRESSURE_WORDS = ("pressured", "pushed", "forced", "pushy")
_EN: dict[str, _Polarity] = {
    **dict.fromkeys((
        "yes", "yeah", "yea", "yep", "yup", "ya", "yah", "yeh", "yess", "sure", "of course", "correct",
        "that is correct", "that is right", "right", "exactly", "absolutely", "definitely", "certainly",
        "indeed", "uh huh", "mhm", "mm hmm", "um hmm", "affirmative", "ok", "okay", "alright", "all right",
        "fine", "sounds good", "go ahead", "please do", "yes please", "true", "i think so", "i believe so",
        "i guess so", "i agree", "agreed", "no problem", "no worries", "not a problem", "why not",
        "no doubt", "you bet", "totally", "that works", "perfect", "sure thing", "yes sir", "yes maam",
        "it is correct", "that is true", "i did indeed", "you got it", "that is it", "yeah sure",
        # A read-back's "Shall I place the order?" answered in its words.
        "place the order", "place my order", "place it", "put it through", "put the order through",
        "put the order in", "put it in",
        # "Do you have two minutes?" answered as people do: "go for it", "fire away", "make it quick".
        "go for it", "fire away", "make it quick", "if it is quick", "as long as it is quick", "i suppose so",
    ), _Y),
    **dict.fromkeys((
        "no", "nope", "nah", "naw", "not really", "incorrect", "that is wrong", "wrong", "not at all",
        "absolutely not", "definitely not", "certainly not", "of course not", "no way", "never", "negative",
        "i do not think so", "do not think so", "i do not believe so", "not true", "false", "no thanks",
        "no thank you", "i disagree", "not yet", "not correct", "not right", "that is not right",
        "that is not correct", "that is incorrect", "it is wrong", "it is not", "that is not it",
        "i do not", "i did not", "i have not", "i am not", "we do not", "we did not", "not exactly",
        "no sir", "no maam", "i never did", "not that i know of", "i do not agree", "not quite",
        "nothing like that",
    ), _N),
    **dict.fromkeys((
        "maybe", "not sure", "i am not sure", "i do not know", "do not know", "i do not remember",
        "i can not remember", "i can not recall", "no idea", "i have no idea", "perhaps", "possibly",
        "it depends", "depends", "kind of", "sort of", "i forget", "i forgot", "dunno", "i am unsure",
        "unsure", "i guess", "probably", "probably not", "i do not understand", "i am confused",
    ), _U),
    **dict.fromkeys(("i mean", "actually", "sorry", "wait", "rather", "scratch that", "on second thought"),
                    _M),
    # The answer said back in the question's words: "have you received the documents?" "I got them."
    **dict.fromkeys(_EN_ECHO := (
        "i got them", "i got it", "got them", "got it", "i received them", "i received it", "i received",
        "i receive them", "i receive it", "i have received", "received them", "i did get", "i did get them",
        "i did receive", "i have them", "i have got them", "i understood", "understood", "i understand the",
        "i understand that", "i understand it", "i understand everything", "i understand all",
    ), _Y),
    # The question's words said back as a statement, weaker than the echoes above (a bare no still wins):
    # "did the adviser explain the main terms?" "He explained it."; "have you received the documents?"
    # "They came in the mail."; "do you understand that you can cancel?" "I'm aware."
    **dict.fromkeys((
        *(f"{verb} {what}" for verb in ("explained", "went through")
          for what in ("it", "them", "everything", "it all", "all of it", "the terms", "it to me",
                       "them to me", "everything to me", "it all with me", "it with me",
                       "everything with me")),
        "they came", "they arrived", "it came", "it arrived", "came in the mail", "came by mail",
        "came by email", "came by post", "came in the post", "got an email", "got the email",
        "got the documents", "got the papers", "got the letter", "received the documents",
        "received an email",
        "i know that", "i am aware", "i am aware of that", "aware of that", "well aware", "fully aware",
    ), _Y),
    **dict.fromkeys((
        "did not explain", "never explained", "nobody explained", "no one explained", "not explained",
        "did not go through", "never went through", "still waiting", "waiting for them", "not arrived",
        "did not arrive", "did not come", "has not come", "have not come", "never came", "never arrived",
        "i did not know", "did not know that", "i was not aware", "not aware", "i had no idea",
    ), _N),
    # A compliance call asks "did you take out this policy of your own free will, without feeling
    # pressured?": a caller answers in its words, and "no one forced me" is a yes, not a no. Whisper on the
    # phone line often drops the -d ("Nobody force me.", "I didn't feel pressure."): both forms are listed.
    **dict.fromkeys(_EN_FREE_WILL := (
        *(f"{who} {verb} me" for who in ("nobody", "no one")
          for verb in ("forced", "force", "pressured", "pressure", "pushed", "push", "made")),
        *(f"{subject} not {verb}" for subject in ("i was", "i did", "i felt", "was", "did", "felt")
          for verb in ("pressured", "pressure", "forced", "force", "pushed", "feel pressured",
                       "feel pressure", "feel any pressure", "feel forced")),
        "i never felt pressured", "not pressured", "no pressure", "no pressure at all", "my own choice",
        "my choice", "my own decision", "my decision", "my own free will", "of my own free will",
        "i chose it", "i wanted it", "i decided myself", "i decided on my own", "it was my idea",
        "not pushy", "was not pushy", "were not pushy",
        *(f"{subject}not {feel}{degree} {verb}" for subject in ("", "i did ", "i was ", "did ", "was ")
          for feel in ("", "feel ") for degree in _DEGREES for verb in _PRESSURE_WORDS),
    ), _Y),
    **dict.fromkeys(_EN_PRESSURED := (
        "i was pressured", "i felt pressured", "i felt pressure", "i did feel pressured",
        "i did feel pressure", "i was forced", "i felt forced", "i was pushed", "they pressured me",
        "pressured me into", "forced me to", "forced me into", "pushed me into", "he pushed me",
        "she pushed me", "they pushed me", "the agent pushed me",
        # Said with a degree: "I was a bit pressured honestly", "the agent was kind of pushy".
        *(f"{degree} {verb}" for degree in _DEGREES for verb in _PRESSURE_WORDS),
        "was pushy", "were pushy", "too pushy",
    ), _N),
    # Not now (module docstring, 5): a no to "do you have two minutes?".
    **dict.fromkeys((
        "i am busy", "we are busy", "bit busy", "kind of busy", "pretty busy", "really busy", "too busy",
        "busy right now", "busy now", "busy at the moment", "bad time",
        "not a good time", "not a great time", "not the best time", "not a good moment", "not now",
        "i am driving", "i am at work", "i am working", "i am in a meeting", "in a meeting", "i can not talk",
        "can not talk", "i can not talk now", "no time", "i have no time", "not today",
        "in the middle of something", "not necessary", "that will not be necessary", "not needed",
    ), _N),
    **dict.fromkeys((
        "call me later", "call me back later", "call back later", "call later", "maybe later",
        "later maybe", "another time", "some other time", "another day", "try again later", "try later",
        "try again tomorrow", "call tomorrow", "call me tomorrow", "call back tomorrow",
        "call me back tomorrow", "call me another time", "call me back another time",
    ), _L),
    # "I'm busy right now" is no "right".
    **dict.fromkeys(("right now", "right here", "right there", "right back"), _X),
}
# Bare verb answers ("i do", "it is") count only when they end the answer: "i have a question" is no yes.
_EN_TRAILING_YES = {"i do": _Y, "i did": _Y, "i have": _Y, "i am": _Y, "it is": _Y, "we do": _Y,
                    "we did": _Y, "i would": _Y, "i will": _Y, "i understand": _Y, "i do understand": _Y}
# ... and not at the end of a clause that one of these opens: "you know what i am" is no yes (whisper's
# reading of eSpeak's "no I haven't" on the phone line, BENCHMARKS.md, issue 10).
_EN_CLAUSE_OPENERS = frozenset({"what", "who", "where", "when", "why", "how", "which", "whether", "if"})

_KO: dict[str, _Polarity] = {
    **dict.fromkeys((
        "네", "네네", "넵", "넹", "네에", "예", "예예", "예에", "응", "응응", "웅", "그래", "그래요",
        "그럼요", "그럼", "그렇습니다", "그렇죠", "그렇지", "그렇네요", "맞아", "맞아요", "맞습니다",
        "맞죠", "맞네요", "맞는데요", "좋아", "좋아요", "좋습니다", "알겠습니다", "알겠어요", "알았어요",
        "알았습니다", "물론", "물론이죠", "물론입니다", "당연하죠", "당연히", "당연하지", "했어요",
        "했습니다", "했죠", "했는데요", "받았어요", "받았습니다", "받았죠", "이해했어요", "이해했습니다",
        "이해합니다", "이해해요", "들었어요", "들었습니다", "있어요", "있습니다", "확인했습니다",
        "확인했어요", "동의합니다", "동의해요", "오케이", "예스", "그렇게 해 주세요", "그렇게 해주세요",
        "부탁해요", "부탁합니다", "맞는 말씀이에요", "정확해요", "정확합니다", "그렇게 할게요",
        "자발적으로 했어요", "주문해 주세요", "주문할게요", "주문 넣어 주세요", "그대로 해 주세요",
        "그대로 주문해 주세요", "왔어요", "도착했어요", "우편으로 왔어요", "메일로 왔어요", "알고 있어요",
        "알고 있습니다", "설명해 주셨어요", "설명해 줬어요", "설명 다 들었어요",
        # The same said with the soft "-는데요" ending: "이메일로 받았는데요".
        "받았는데요", "왔는데요", "들었는데요", "이해했는데요", "알고 있는데요", "도착했는데요",
        # "설문 괜찮으세요?" answered as people do: "그러세요", "물어보세요", "짧게 해 주세요".
        "그러세요", "그러시죠", "그렇게 하세요", "해 보세요", "해보세요", "말씀하세요", "물어보세요",
        "짧게 해 주세요", "짧게 해주세요", "빨리 해 주세요", "빨리 해주세요",
    ), _Y),
    **dict.fromkeys((
        "아니요", "아니오", "아뇨", "아니", "아니에요", "아닙니다", "아니야", "아니었어요", "아닌데요",
        "아니거든요", "아닌데", "틀려요", "틀렸어요", "틀립니다", "틀린데요", "없어요", "없습니다",
        "없었어요", "싫어요", "싫어", "싫습니다", "안 돼요", "안 됩니다", "전혀요", "전혀", "별로요", "노",
        "이해 못 했어요", "이해 안 돼요", "이해가 안 돼요", "못 했어요", "안 했어요", "아니 안 했어요",
        "그렇지 않아요", "그렇지 않습니다", "그런 적 없어요", "몰랐어요", "몰랐습니다", "설명 안 해",
        "설명을 안 해", "아직 안 왔어요",
    ), _N),
    **dict.fromkeys((
        "몰라요", "모르겠어요", "모르겠습니다", "잘 모르겠어요", "잘 모르겠습니다", "글쎄요", "글쎄",
        "아마", "아마도", "기억이 안 나요", "기억 안 나요", "기억이 안 납니다", "헷갈려요", "잘 몰라요",
        "모르겠는데요",
    ), _U),
    **dict.fromkeys(("잠깐", "잠깐만", "잠깐만요", "아 참", "정정할게요", "그게 아니라", "아니 그게 아니라"),
                    _M),
    # "본인 의사로 가입하셨나요?" (of your own free will?): "강요 안 받았어요" (nobody forced me) is a yes.
    **dict.fromkeys(_KO_FREE_WILL := (
        "제 의지로", "제 의지로 했어요", "제 뜻으로", "제 뜻으로 했어요", "제가 원해서",
        "원해서 했어요", "제가 선택했어요", "제가 결정했어요", "강요받지 않았어요", "강요받지 않았습니다",
        "강요 안 받았어요", "강요 안 받았습니다", "강요받은 적 없어요", "강요받은 적 없습니다",
        "강요는 없었어요", "강요 없었어요", "압박 없었어요", "압박은 없었어요", "압박받지 않았어요",
        "직접 신청했어요", "직접 가입했어요", "제가 직접 했어요", "제가 하고 싶어서",
        "부담 없었어요", "부담은 없었어요", "부담스럽지 않았어요",
    ), _Y),
    **dict.fromkeys(_KO_PRESSURED := (
        "강요받았어요", "강요받았습니다", "강요당했어요", "압박받았어요", "압박을 받았어요",
        "부담스러웠어요", "부담스러웠습니다", "부담됐어요", "부담이 됐어요", "압박감을 느꼈어요",
        "압박감 느꼈어요", "억지로 했어요", "억지로 가입했어요", "어쩔 수 없이 했어요",
        "어쩔 수 없이 가입했어요",
    ), _N),
    # Not now (module docstring, 5).
    **dict.fromkeys((
        "바빠요", "바쁩니다", "바빠서요", "바쁜데요", "바쁘거든요", "운전 중", "운전 중이에요",
        "운전 중이라서요", "운전 중이라", "회의 중이라서요", "일하는 중이라서요",
        "운전중이에요", "회의 중", "회의 중이에요", "회의중이에요", "일하는 중이에요",
        "통화하기 어려워요", "통화 어려워요", "곤란해요", "곤란합니다", "곤란한데요", "곤란해서요",
        "시간 없어요", "시간이 없어요",
    ), _N),
    **dict.fromkeys((
        f"{when} {then}" for when in ("나중에", "다음에", "이따", "이따가")
        for then in ("다시", "전화", "전화해", "전화해 주세요", "전화 주세요", "연락", "연락해 주세요",
                     "연락 주세요", "해요", "할게요")
    ), _L),
    **dict.fromkeys(("나중에요", "다음에요"), _L),
}

# The answer in the question's own words decides over a bare yes or no said with it (module docstring,
# 4): "did you take out this policy of your own free will, without feeling pressured?" "No, nobody forced
# me." The "no" answers "without feeling pressured"; the words say what the caller means.
_IN_THE_QUESTIONS_WORDS = frozenset((*_EN_ECHO, *_EN_FREE_WILL, *_EN_PRESSURED, *_KO_FREE_WILL,
                                     *_KO_PRESSURED))

# Only as the whole answer: "yes, I'll read them later" is a yes, "he was busy" no answer at all.
_ALONE: dict[str, dict[str, _Polarity]] = {
    "en": {"busy": _N, "later": _L, "later please": _L},
    "ko": {"바빠": _N, "나중에": _L, "다음에": _L, "이따가": _L},
}


_KO_VERB_ENDINGS = ("요", "다", "죠", "데", "어", "아")


def _ko_glued_negation(word: str) -> bool:
    """ "안했어요" / "못받았어요": a negating prefix glued to a yes verb."""
    return word[:1] in ("안", "못") and _KO.get(word[1:]) is _Y and len(word) > 2


def _classify(hits: list[PhraseHit[_Polarity]], ws: list[str], language: str) -> list[_Polarity]:
    polarities: list[_Polarity] = []
    for hit in hits:
        polarity = hit.label
        negators = ("not", "never") if language == "en" else ("안", "못")
        if polarity is _Y and hit.start > 0 and ws[hit.start - 1] in negators:
            polarity = _N  # "not exactly", "I never got them", "안 받았어요"
        polarities.append(polarity)
    return polarities


def _decide(polarities: list[_Polarity]) -> bool | None:
    if _N in polarities:
        return False
    if _Y in polarities:
        return None if _L in polarities else True
    return False if _L in polarities else None


def parse_yes_no(text: str, language: str) -> bool | None:
    """True for yes, False for no, None when unclear (see the module docstring for mixed answers)."""
    ws = words(text, language)
    if not ws:
        return None
    if language == "ko" and len(ws) == 1 and ws[0] in ("네", "예") and text.strip().endswith("?"):
        return None  # "네?" is "pardon?", not "yes"
    if language == "ko" and any(marker in " ".join(ws) for marker in KO_REPORTED_SPEECH):
        return None  # "꼭 해야 한다고 했어요": what someone said, no yes of the caller's ("했어요")
    alone = _ALONE[language].get(" ".join(ws))
    if alone is not None:
        return _decide([alone])
    table = _EN if language == "en" else _KO
    hits = find_phrases(ws, table, language)
    if language == "en":
        trailing = find_phrases(ws[-3:], _EN_TRAILING_YES, language)
        offset = len(ws) - len(ws[-3:])
        covered = {k for h in hits for k in range(h.start, h.end)}
        for hit in trailing:
            start, end = hit.start + offset, hit.end + offset
            opened = start > 0 and ws[start - 1] in _EN_CLAUSE_OPENERS
            if end == len(ws) and not covered & set(range(start, end)) and not opened:
                hits.append(PhraseHit(hit.phrase, hit.label, start, end))
        hits.sort(key=lambda h: h.start)
    else:
        covered = {k for h in hits for k in range(h.start, h.end)}
        hits += [PhraseHit(w, _N, i, i + 1) for i, w in enumerate(ws) if _ko_glued_negation(w)]
        # "못 들었는데요", "안 받았습니다": 안/못 before any polite verb is a no.
        hits += [PhraseHit(w, _N, i, i + 1) for i, w in enumerate(ws)
                 if i > 0 and ws[i - 1] in ("안", "못") and i not in covered and w.endswith(_KO_VERB_ENDINGS)]
        hits.sort(key=lambda h: h.start)
    polarities = _classify(hits, ws, language)
    said = [p for hit, p in zip(hits, polarities, strict=True) if hit.phrase in _IN_THE_QUESTIONS_WORDS]
    if _M in polarities:
        last = len(polarities) - 1 - polarities[::-1].index(_M)
        after = _decide(polarities[last + 1:])
        if after is not None and _U not in polarities[last + 1:]:
            return after
        polarities = [p for p in polarities if p is not _M]
    if _U in polarities:
        return None
    return _decide(said) if said else _decide(polarities)

