"""CPU per "Anything else?" turn: the short-answer decode against the order question's request.

The live English transcriber decodes each answer said at "Anything else?" in bench/caller_asides.py's
audio (run that first; var/bench/caller_asides/VOICE/*.wav) twice: as a short answer with nothing to score
(``engines/scoring.SHORT_ANSWER``: 15 s window, beam search; what "Anything else?" listened with before),
and with the order question's expected answers (its request: a greedy free decode over 10 s and, unless
the free transcript is a closer or an intent, a second decode in the menu's words; what it listens with
now). Process time of the second of two decodes each, averaged per group of answers.

    PYTHONPATH=. .venv/bin/python bench/more_turn_cpu.py [--audio var/bench/caller_asides]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from phone_corpus import _slug

ITEMS = ("and a large hawaiian", "and a small veggie")
CLOSERS = ("that's all", "no that's it", "that's everything", "nothing else, thanks", "no")
OTHERS = ("yes", "actually, cancel the pepperoni")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio", type=Path, default=Path("var/bench/caller_asides"))
    args = parser.parse_args(argv)

    from voicebot.audio.io import read_audio
    from voicebot.config import load_config
    from voicebot.dialogue.events import CallerText, Listen
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.dialogue.machine import Conversation
    from voicebot.engines.scoring import SHORT_ANSWER
    from voicebot.session.engines import EnginePool

    transcriber = EnginePool.from_config(load_config(None)).transcriber("en")
    conversation = Conversation(load_dialogue(Path(__file__).resolve().parents[1] / "dialogues" /
                                              "pizza_order.yml"), {})
    conversation.start()
    more = [a for a in conversation.handle(CallerText("two large pepperoni")) if isinstance(a, Listen)][-1]
    assert more.expected is not None
    modes = {"short answer (before)": (SHORT_ANSWER,), "order request (now)": more.expected.to_score}
    cpu: dict[tuple[str, str], list[float]] = {}
    voices = sorted(p for p in args.audio.iterdir() if p.is_dir()) if args.audio.is_dir() else []
    if not voices:
        raise SystemExit(f"error: no voices under {args.audio}: run bench/caller_asides.py first")
    for voice in voices:
        for text in (*ITEMS, *CLOSERS, *OTHERS):
            path = voice / f"{_slug(text)}.wav"
            if not path.is_file():
                continue
            audio = read_audio(path, 16_000)
            group = "items" if text in ITEMS else "closers" if text in CLOSERS else text
            heard = []
            for mode, expected in modes.items():
                transcriber.transcribe(audio, language="en", hints=(), expected=expected)
                started = time.process_time()
                result = transcriber.transcribe(audio, language="en", hints=(), expected=expected)
                cpu.setdefault((group, mode), []).append(1000 * (time.process_time() - started))
                heard.append(result.text)
            print(f"{voice.name:22} {text!r:34} {heard}", file=sys.stderr, flush=True)
    print("| answers | n | " + " | ".join(f"{m}, CPU ms" for m in modes) + " | change |")
    print("|---|---|---|---|---|")
    for group in dict.fromkeys(g for g, _ in cpu):
        before, now = (cpu[(group, m)] for m in modes)
        b, a = sum(before) / len(before), sum(now) / len(now)
        print(f"| {group} | {len(before)} | {b:.0f} | {a:.0f} | {100 * (a - b) / b:+.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
