"""Text-to-speech speed: time to the first audio chunk and real-time factor, per voice and text length.

    .venv/bin/python bench/tts.py [--runs N] [--write]

Real-time factor = synthesis time / audio duration (below 1 is faster than real time). Time to first
chunk is what a caller waits for once the bot's text is known; sentence chunking keeps it at the cost
of the first sentence, not of the whole reply. ``--write`` replaces the "Text-to-speech" section of
BENCHMARKS.md with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voicebot.engines.base import Synthesizer

SECTION = "## Text-to-speech"
BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "short": "Yes, that's correct.",
        "medium": "Thank you for calling Mario's Pizza. What would you like to order today?",
        "long": ("Before we finish, I need to confirm a few things. Did our agent explain that your monthly "
                 "premium is $42.50? You can cancel within thirty days at no cost. Did you sign up of your "
                 "own free will?"),
    },
    "ko": {
        "short": "네, 맞습니다.",
        "medium": "마리오 피자에 전화해 주셔서 감사합니다. 무엇을 주문하시겠어요?",
        "long": ("통화를 마치기 전에 몇 가지를 확인하겠습니다. 상담원이 월 보험료를 설명해 드렸나요? "
                 "삼십 일 안에 무료로 해지하실 수 있습니다. 본인의 뜻으로 가입하셨습니까?"),
    },
}


@dataclass(frozen=True, slots=True)
class Row:
    voice: str
    length: str
    sentences: int
    audio_s: float
    first_chunk_ms: float
    total_ms: float
    load_ms: float

    @property
    def rtf(self) -> float:
        return self.total_ms / 1000.0 / self.audio_s


def measure(synthesizer: Synthesizer, text: str, runs: int) -> tuple[int, float, float, float]:
    """Median first-chunk and total times over ``runs`` runs, after one warm-up."""
    firsts: list[float] = []
    totals: list[float] = []
    samples = chunks = 0
    for attempt in range(runs + 1):
        started = time.perf_counter()
        first = 0.0
        samples = chunks = 0
        for chunk in synthesizer.synthesize(text):
            if chunks == 0:
                first = time.perf_counter() - started
            chunks += 1
            samples += len(chunk)
        total = time.perf_counter() - started
        if attempt:  # the first run warms caches (espeak data, onnxruntime arenas)
            firsts.append(first)
            totals.append(total)
    return (chunks, samples / synthesizer.sample_rate_hz, statistics.median(firsts) * 1000,
            statistics.median(totals) * 1000)


def run(runs: int) -> list[Row]:
    from voicebot.engines.espeak import EspeakSynthesizer
    from voicebot.engines.piper import PiperSynthesizer

    rows: list[Row] = []
    voices: list[tuple[str, Callable[[], Synthesizer]]] = [
        ("en", PiperSynthesizer), ("ko", lambda: EspeakSynthesizer("ko")),
    ]
    for language, factory in voices:
        started = time.perf_counter()
        synthesizer = factory()
        load_ms = (time.perf_counter() - started) * 1000
        for length, text in TEXTS[language].items():
            chunks, audio_s, first_ms, total_ms = measure(synthesizer, text, runs)
            rows.append(Row(synthesizer.name, length, chunks, audio_s, first_ms, total_ms, load_ms))
    return rows


def table(rows: list[Row], runs: int) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        f"`.venv/bin/python bench/tts.py --runs {runs} --write` — median of {runs} runs after a warm-up, "
        f"{os.cpu_count()} CPU cores ({cpu}), shared with other work while measured. Real-time factor "
        "(RTF) = synthesis time / audio duration. First chunk = time until the first sentence's audio "
        "is ready (what the caller waits for); Piper's first chunk is trimmed of its leading 50-60 ms "
        "of silence.",
        "",
        "| voice | text | sentences | audio s | first chunk ms | total ms | RTF | load ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r.voice} | {r.length} | {r.sentences} | {r.audio_s:.2f} | {r.first_chunk_ms:.0f} "
                     f"| {r.total_ms:.0f} | {r.rtf:.3f} | {r.load_ms:.0f} |")
    lines += [
        "",
        "The speech-to-text WER corpus comes from `bench/wer_corpus.py OUT_DIR`: 36 call-centre sentences "
        "(pizza orders, surveys, insurance compliance answers) spoken by 8 voices (Piper joe at length "
        "scale 0.85/1.0/1.2 and two noise settings, three eSpeak NG English voices), each written clean, "
        "telephone (8 kHz G.711 mu-law round trip) and noisy (white or babble noise at 15 dB SNR): "
        "108 seeded 16 kHz WAVs, byte-identical on every run.",
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replaces this benchmark's section of BENCHMARKS.md, leaving every other section as it is."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(SECTION + "\n")
    if start < 0:
        path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(SECTION))
    rest = text[end + 1:] if end >= 0 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"update the section in {BENCHMARKS.name}")
    args = parser.parse_args(argv)
    section = table(run(args.runs), args.runs)
    print(section)
    if args.write:
        write_section(BENCHMARKS, section)
        print(f"updated {BENCHMARKS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
