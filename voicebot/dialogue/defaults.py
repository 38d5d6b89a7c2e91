"""Built-in wording for global behaviour, per language; a dialogue overrides any of it under ``global:``."""

from __future__ import annotations

DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "agent": "Of course. I'll connect you with a member of our team now. Please hold.",
        "stop": "No problem. Thank you for your time. Goodbye.",
        "stop_check": "Do you want to end the call?",
        "silence": "Sorry, I didn't hear anything.",
        "silence_end": (
            "I'm sorry, I still can't hear you, so I'll end the call now. Please call us back. Goodbye."
        ),
        "no_match": "Sorry, I didn't catch that.",
        "hold": "Sure, take your time.",
        "bot": "I'm an automated assistant.",
        "bot_agent": "I'm an automated assistant. If you'd like a person, just say so.",
        "year": "And the year?",
        "half": "Sorry, I can only take whole pizzas from the menu, not half and half.",
        "total_so_far": "That comes to {amount} so far.",
        "scale_ends": "{lowest} is the lowest and {highest} the highest.",
        "menu_only": "I can only tell you what's on the menu and what it costs.",
        "off_menu": "Sorry, I can only take what's on the menu, as it comes.",
        "number_so_far": "{digits}, go on.",
        "low_confidence": "I think you said {value}. Is that right?",
        "correction": "Thanks, I've changed that.",
        "failure": "I'm having trouble understanding, so let me connect you with someone who can help.",
    },
    "ko": {
        "agent": "네, 상담원에게 연결해 드리겠습니다. 잠시만 기다려 주세요.",
        "stop": "알겠습니다. 시간 내 주셔서 감사합니다. 안녕히 계세요.",
        "stop_check": "통화를 종료할까요?",
        "silence": "죄송합니다, 말씀이 잘 들리지 않았어요.",
        "silence_end": (
            "계속 말씀이 들리지 않아 통화를 종료하겠습니다. 다시 연락 부탁드립니다. 안녕히 계세요."
        ),
        "no_match": "죄송합니다, 잘 이해하지 못했어요.",
        "hold": "네, 천천히 말씀해 주세요.",
        "bot": "저는 자동 응답 서비스입니다.",
        "bot_agent": "저는 자동 응답 서비스입니다. 상담원 연결을 원하시면 말씀해 주세요.",
        "year": "연도도 말씀해 주시겠어요?",
        "half": "죄송하지만 반반 주문은 받을 수 없어요.",
        "total_so_far": "지금까지 {amount}입니다.",
        "scale_ends": "가장 낮은 점수는 {lowest}점, 가장 높은 점수는 {highest}점입니다.",
        "menu_only": "메뉴 이름과 가격만 안내해 드릴 수 있어요.",
        "off_menu": "죄송하지만 메뉴에 있는 그대로만 주문받을 수 있어요.",
        "number_so_far": "{digits}, 계속 말씀해 주세요.",
        "low_confidence": "{value}, 맞으신가요?",
        "correction": "네, 수정했습니다.",
        "failure": "제가 잘 이해하지 못해서 상담원에게 연결해 드리겠습니다.",
    },
}

# How callers end a list ("Anything else?"): heard as hints at that question.
CLOSER_HINTS: dict[str, tuple[str, ...]] = {
    "en": ("that's all", "that's it", "nothing else", "no thanks"),
    "ko": ("그게 다예요", "없어요", "이상입니다", "됐어요"),
}

# Words callers use to answer yes/no questions: speech recognition is biased towards them.
YES_NO_HINTS: dict[str, tuple[str, ...]] = {
    "en": ("yes", "no", "yeah", "nope", "correct", "that's right"),
    "ko": ("네", "예", "아니요", "아니오", "맞아요", "아니에요"),
}
