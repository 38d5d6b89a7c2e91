"""Response latency of the call pipeline: end of caller speech -> first bot audio byte out.

    .venv/bin/python bench/latency.py call --calls 5          # through `voicebot call --realtime`
    .venv/bin/python bench/latency.py ws --calls 5            # through the websocket, real time
    .venv/bin/python bench/latency.py strategy --calls 3      # speculative decode vs streaming partials
    .venv/bin/python bench/latency.py barge-in --trials 5     # how fast the bot stops when interrupted
    .venv/bin/python bench/latency.py all --write             # everything, into BENCHMARKS.md

Caller speech is synthesised with the embedded Piper voice; the dialogue is
bench/dialogues/latency_check.yml (ten caller turns per call, each answered with a live-synthesised
sentence). Latency includes the end-of-turn silence (vad.end_silence_ms, 600 ms by default).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.audio.speech import padded, speech_bounds_ms, synth  # noqa: E402  (bench shares the tests' speech helpers)
from tests.session.helpers import engine_pool, live_server, real_time_caller  # noqa: E402
from voicebot.audio.io import write_wav  # noqa: E402

DIALOGUE = ROOT / "bench" / "dialogues" / "latency_check.yml"
BARGE = ROOT / "tests" / "session" / "barge_check.yml"
ANSWERS = ("Two pizzas, please.", "Three drinks.", "Just one salad.", "Four desserts.", "Six people.",
           "Ten napkins.", "Eight forks.", "Five plates.", "Seven cups.", "About twenty minutes.")
BENCHMARKS = ROOT / "BENCHMARKS.md"


def _turn_audio() -> list[np.ndarray]:
    return [padded(synth(text), 150, 0) for text in ANSWERS]


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    array = np.asarray(values, dtype=float)
    return f"{np.percentile(array, 50):.0f} / {np.percentile(array, 95):.0f}"


def _caller_turns(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in record["turns"] if t["role"] == "caller" and t.get("latency_ms") is not None]


def _row(label: str, turns: list[dict[str, Any]]) -> str:
    latency = [float(t["latency_ms"]) for t in turns]
    stt = [t["timings"].get("stt_final_ms", 0.0) for t in turns]
    tts = [t["timings"]["first_tts_chunk_ms"] - t["timings"]["decision_ms"] for t in turns
           if "first_tts_chunk_ms" in t["timings"] and "decision_ms" in t["timings"]]
    return f"| {label} | {len(turns)} | {_stats(latency)} | {_stats(stt)} | {_stats(tts)} |"


# ---- through `voicebot call` ----


def bench_call(calls: int, pace: str) -> str:
    turns: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, audio in enumerate(_turn_audio()):
            path = Path(tmp) / f"turn{i}.wav"
            write_wav(path, np.clip(audio * 32767, -32768, 32767).astype(np.int16), 16_000)
            files.append(str(path))
        for _ in range(calls):
            argv = [str(ROOT / ".venv" / "bin" / "voicebot"), "call", str(DIALOGUE), "--json", f"--{pace}"]
            for file in files:
                argv += ["--audio", file]
            done = subprocess.run(argv, capture_output=True, text=True, check=True)
            turns += _caller_turns(json.loads(done.stdout))
    return _row(f"`voicebot call --{pace}`", turns)


# ---- through the websocket ----


async def _ws_calls(calls: int, *, barge: bool = False) -> list[dict[str, Any]]:
    import websockets

    turns: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with live_server(Path(tmp), (DIALOGUE,)) as (url, _):
            for _ in range(calls):
                async with websockets.connect(f"{url}/ws?dialogue=latency_check") as ws:
                    await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000}))
                    call = await real_time_caller(ws, _turn_audio(), timeout_s=240)
                turns += _caller_turns(call.record)
    return turns


def bench_ws(calls: int) -> str:
    return _row("websocket `/ws`, real time", asyncio.run(_ws_calls(calls)))


# ---- STT strategy: speculative decode in the trailing silence vs streaming partials ----


async def _strategy(calls: int, strategy: str) -> list[dict[str, Any]]:
    from tests.session.helpers import runtime
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.session.settings import SessionSettings
    from voicebot.transport.file import run_file_call

    dialogue = load_dialogue(DIALOGUE)
    settings = replace(SessionSettings(), stt_strategy=strategy)  # type: ignore[arg-type]
    turns: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(calls):
            result = await run_file_call(runtime(Path(tmp)), dialogue, _turn_audio(), realtime=True,
                                         engines=engine_pool(), settings=settings)
            turns += _caller_turns(result.record.to_json())
    return turns


def bench_strategy(calls: int) -> list[str]:
    return [_row(f"`voicebot call --realtime`, stt_strategy={name}", asyncio.run(_strategy(calls, name)))
            for name in ("speculative", "stream")]


# ---- barge-in ----


async def _barge(trials: int) -> dict[str, list[float]]:
    """Each measure from the first frame of the caller's clip and from where its words begin."""
    import websockets

    clip = padded(synth("Yes, I would."), 0, 0)
    words_s = speech_bounds_ms(clip)[0] / 1000  # Piper's clip begins with ~50 ms of near-silence
    found: dict[str, list[float]] = {"clear": [], "last": [], "clear_words": [], "last_words": []}
    with tempfile.TemporaryDirectory() as tmp:
        async with live_server(Path(tmp), (BARGE,)) as (url, _):
            for _ in range(trials):
                async with websockets.connect(f"{url}/ws?dialogue=barge_check") as ws:
                    await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000}))
                    call = await real_time_caller(ws, [clip, padded(synth("Yes."), 100, 0)],
                                                  barge_in=("ask.wants", 1.5), timeout_s=60)
                onset = call.barge_in_started_s
                if onset is None or not call.clear_at_s or call.last_audio_before_clear_s is None:
                    continue
                found["clear"].append((call.clear_at_s[0] - onset) * 1000)
                found["last"].append((call.last_audio_before_clear_s - onset) * 1000)
                found["clear_words"].append((call.clear_at_s[0] - onset - words_s) * 1000)
                found["last_words"].append((call.last_audio_before_clear_s - onset - words_s) * 1000)
    return found


def bench_barge(trials: int) -> list[str]:
    found = asyncio.run(_barge(trials))
    return [
        f"| caller's words begin -> last bot audio frame received | {len(found['last_words'])} "
        f"| {_stats(found['last_words'])} |",
        f"| caller's words begin -> `clear` received (the client stops playing) "
        f"| {len(found['clear_words'])} | {_stats(found['clear_words'])} |",
        f"| caller's clip begins -> last bot audio frame received | {len(found['last'])} "
        f"| {_stats(found['last'])} |",
        f"| caller's clip begins -> `clear` received | {len(found['clear'])} | {_stats(found['clear'])} |"]


def write_section(lines: list[str]) -> None:
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    section = "## Response latency\n\n" + "\n".join(lines).rstrip() + "\n"
    start = text.find("## Response latency")
    if start < 0:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + 3)
        text = text[:start] + section + (text[end:] if end >= 0 else "")
    BENCHMARKS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("call", "ws", "strategy", "barge-in", "all"))
    parser.add_argument("--calls", type=int, default=5, help="calls of 10 caller turns each (default 5)")
    parser.add_argument("--trials", type=int, default=5, help="barge-in trials (default 5)")
    parser.add_argument("--pace", choices=("realtime", "fast"), default="realtime")
    parser.add_argument("--write", action="store_true", help="write the results into BENCHMARKS.md")
    args = parser.parse_args()
    started = time.monotonic()
    header = ["| path | caller turns | latency ms p50 / p95 | STT final after speech end ms p50 / p95 "
              "| TTS first chunk after decision ms p50 / p95 |", "|---|---:|---:|---:|---:|"]
    rows: list[str] = []
    barge: list[str] = []
    if args.mode in ("call", "all"):
        rows.append(bench_call(args.calls, args.pace))
        print(rows[-1], flush=True)
    if args.mode in ("ws", "all"):
        rows.append(bench_ws(args.calls))
        print(rows[-1], flush=True)
    if args.mode in ("strategy", "all"):
        for row in bench_strategy(max(1, args.calls // 2)):
            rows.append(row)
            print(row, flush=True)
    if args.mode in ("barge-in", "all"):
        barge = bench_barge(args.trials)
        print("\n".join(barge), flush=True)
    print(f"({time.monotonic() - started:.0f} s)")
    if args.write:
        lines = [
            f"`.venv/bin/python bench/latency.py {args.mode} --calls {args.calls} --trials {args.trials} "
            "--write` — 2 CPU cores (x86_64) shared with other work while measured; whisper tiny.en int8 "
            "greedy, Silero VAD, Piper en_US-joe-medium; dialogue bench/dialogues/latency_check.yml (ten "
            "caller turns per call, each reply synthesised live). Latency = first bot audio byte out minus "
            "end of caller speech, so it includes the 600 ms end-of-turn silence (vad.end_silence_ms).",
            "", *header, *rows, ""]
        if barge:
            lines += ["Barge-in (websocket, caller starts talking 1.5 s into a 7 s question; client-side "
                      "clock, so network time on 127.0.0.1 is included):", "",
                      "| measure | trials | ms p50 / p95 |", "|---|---:|---:|", *barge, ""]
        write_section(lines)


if __name__ == "__main__":
    main()
