"""Speech-to-text cost: real-time factor and per-utterance latency of whisper tiny.en and base
(int8, CPU) on clean 16 kHz speech and on telephone audio (8 kHz, mu-law round trip, back to
16 kHz), plus the process RSS once the default models are loaded.

    .venv/bin/python bench/stt.py [--corpus DIR] [--utterances N] [--threads N]

Utterances are the clean files of bench/wer_corpus.py (built if missing). Latency is the time of
one ``transcribe()`` call on a whole turn: what a caller waits for after they stop speaking.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.io import read_audio
from voicebot.audio.pcm import float32_to_int16, int16_to_float32
from voicebot.audio.resample import resample

Float32Array = npt.NDArray[np.float32]
RATE_HZ = 16_000


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def telephone(audio: Float32Array) -> Float32Array:
    narrow = resample(audio, RATE_HZ, 8000)
    coded = int16_to_float32(ulaw_decode(ulaw_encode(float32_to_int16(narrow))))
    wide: Float32Array = resample(coded, 8000, RATE_HZ)
    return wide


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("var/bench/wer_corpus"))
    parser.add_argument("--utterances", type=int, default=16)
    parser.add_argument("--threads", type=int, default=0, help="CTranslate2 CPU threads (0: its default)")
    args = parser.parse_args(argv)

    from wer_corpus import build_corpus

    entries = [e for e in build_corpus(args.corpus) if e[2] == "clean"][: args.utterances]
    clean = [read_audio(path, RATE_HZ) for path, _, _ in entries]
    phone = [telephone(a) for a in clean]
    audio_s = sum(a.size for a in clean) / RATE_HZ

    from voicebot.engines.silero import SileroVAD
    from voicebot.engines.whisper import WhisperTranscriber

    gc.collect()
    rss = {"start": rss_mib()}
    started = time.perf_counter()
    tiny = WhisperTranscriber("tiny.en", cpu_threads=args.threads)  # the default: beam 3
    load_s = {"tiny.en": time.perf_counter() - started}
    rss["+ tiny.en"] = rss_mib()
    SileroVAD()
    rss["+ silero"] = rss_mib()
    started = time.perf_counter()
    base = WhisperTranscriber("base", cpu_threads=args.threads)
    load_s["base"] = time.perf_counter() - started
    rss["+ base"] = rss_mib()

    print(f"{len(clean)} utterances, {audio_s:.1f} s of audio, mean {audio_s / len(clean):.2f} s; "
          f"cpu cores {os.cpu_count()}; threads {args.threads or 'default'}")
    # Wall time suffers when other processes share the CPU; process CPU time much less so.
    print("| model | audio | RTF (wall) | latency median ms | latency p90 ms | CPU ms median | CPU RTF |")
    print("|---|---|---|---|---|---|---|")
    greedy = WhisperTranscriber("tiny.en", cpu_threads=args.threads, beam_size=1)
    beam5 = WhisperTranscriber("tiny.en", cpu_threads=args.threads, beam_size=5)
    rows = (("tiny.en beam 3 (default)", tiny), ("tiny.en beam 1", greedy), ("tiny.en beam 5", beam5),
            ("base beam 3", base))
    for name, transcriber in rows:
        transcriber.transcribe(clean[0], language="en")  # warm-up: first call allocates buffers
        for label, batch in (("clean 16 kHz", clean), ("telephone 8 kHz mu-law", phone)):
            latencies = []
            cpu = []
            for audio in batch:
                t0, c0 = time.perf_counter(), time.process_time()
                transcriber.transcribe(audio, language="en")
                latencies.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            rtf = sum(latencies) / audio_s
            ms = [1000 * x for x in latencies]
            cpu_ms = [1000 * x for x in cpu]
            print(f"| {name} | {label} | {rtf:.3f} | {statistics.median(ms):.0f} | {percentile(ms, 90):.0f} "
                  f"| {statistics.median(cpu_ms):.0f} | {sum(cpu) / audio_s:.3f} |", flush=True)
    print()
    print("| model | load s |")
    print("|---|---|")
    for name, seconds in load_s.items():
        print(f"| {name} | {seconds:.2f} |")
    print()
    print("| process | RSS MiB |")
    print("|---|---|")
    for label, mib in rss.items():
        print(f"| {label} | {mib:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
