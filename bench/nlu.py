"""Cost of understanding one caller turn: each nlu parser on typical utterances, per call.

    .venv/bin/python bench/nlu.py [--runs N]

Prints the median microseconds per call for each parser and language, and the import time of
voicebot.nlu (what a worker pays once).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicebot.nlu.catalogue import Catalogue
from voicebot.nlu.correction import parse_correction
from voicebot.nlu.dates import parse_date, redact_dates
from voicebot.nlu.intents import detect_global_intent
from voicebot.nlu.numbers import parse_number
from voicebot.nlu.order import parse_order_lines
from voicebot.nlu.phone import parse_phone, redact_phone_numbers
from voicebot.nlu.times import parse_time
from voicebot.nlu.yesno import parse_yes_no

ITEMS = Catalogue({
    "pepperoni": ["pepperoni pizza", "페퍼로니", "페퍼로니 피자"],
    "vegetarian": ["veggie", "veggie pizza", "야채", "야채 피자"],
    "margherita": ["margarita", "마르게리타"],
    "hawaiian": ["hawaiian pizza", "하와이안"],
    "bulgogi": ["불고기", "불고기 피자"],
    "coke": ["cola", "콜라"],
})
SIZES = Catalogue({
    "large": ["big", "라지", "큰"], "medium": ["regular", "미디엄"], "small": ["스몰", "작은"],
})

CASES: dict[str, dict[str, str]] = {
    "number": {"en": "uh twenty five please", "ko": "음 스물다섯 개요"},
    "yes_no": {"en": "yeah that's right i did", "ko": "네 맞아요 받았습니다"},
    "order": {"en": "two large pepperoni and a small veggie and a coke",
              "ko": "페퍼로니 라지 두 판이랑 불고기 한 판 그리고 콜라 두 개"},
    "date": {"en": "the third of march nineteen eighty five", "ko": "천구백팔십오년 삼월 삼일"},
    "time": {"en": "seven thirty in the evening", "ko": "오후 세 시 반"},
    "phone": {"en": "five five five one two three four", "ko": "공일공 일이삼사 오육칠팔"},
    "intent": {"en": "can i talk to a real person please", "ko": "상담원 연결해 주세요"},
    "correction": {"en": "no three not two", "ko": "두 판 말고 세 판"},
}
PARSERS: dict[str, Callable[[str, str], object]] = {
    "number": parse_number,
    "yes_no": parse_yes_no,
    "order": lambda text, language: parse_order_lines(text, ITEMS, SIZES, language),
    "date": parse_date,
    "time": parse_time,
    "phone": parse_phone,
    "intent": detect_global_intent,
    "correction": parse_correction,
}


def _median_us(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    print("| parser | en µs | ko µs |")
    print("|---|---:|---:|")
    for name, fn in PARSERS.items():
        cells = [f"{_median_us(functools.partial(fn, CASES[name][lang], lang), args.runs):.0f}"
                 for lang in ("en", "ko")]
        print(f"| {name} | {cells[0]} | {cells[1]} |")
    log_line = "caller said five five five one two three four, born march 3rd 1985 / 1985년 3월 3일"
    redact_us = _median_us(lambda: redact_phone_numbers(redact_dates(log_line)), args.runs)
    print(f"| redact (phone + dates, one log line) | {redact_us:.0f} | |")
    code = "import time; t = time.perf_counter(); import voicebot.nlu.order, voicebot.nlu.dates, " \
           "voicebot.nlu.intents, voicebot.nlu.correction, voicebot.nlu.phone, voicebot.nlu.times; " \
           "print((time.perf_counter() - t) * 1000)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    print(f"\nimport voicebot.nlu (all parsers, fresh process): {float(out.stdout):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
