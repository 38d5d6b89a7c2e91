"""Does taking a turn back cost normal turns anything? The same calls with it on and off, A B A B.

Each call is bench/latency.py's (bench/dialogues/latency_check.yml, ten Piper answers, each said in one
go once the bot has finished) through the file door in real time with the real models. Such turns are
never taken back (the caller speaks after the reply has played), so what the two sides differ in is the
bookkeeping: a dialogue snapshot and the turn's audio kept per turn. Prints p50 / p95 response latency per
side, the paired per-turn difference, and the take-backs seen (expected: none).

    .venv/bin/python bench/take_back_latency.py [--calls 4] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import DIALOGUE, _caller_turns, _turn_audio

from tests.session.helpers import engine_pool, runtime
from voicebot.dialogue.loader import load_dialogue
from voicebot.session.settings import SessionSettings
from voicebot.session.take_back import TakeBackConfig
from voicebot.transport.file import run_file_call

SIDES = {"on": SessionSettings(), "off": replace(SessionSettings(), take_back=TakeBackConfig(window_ms=0))}


async def run(calls: int) -> dict[str, dict[str, list[float] | int]]:
    dialogue = load_dialogue(DIALOGUE)
    found: dict[str, dict[str, list[float] | int]] = {name: {"latency_ms": [], "take_backs": 0}
                                                      for name in SIDES}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(calls):
            for name, settings in SIDES.items():
                result = await run_file_call(runtime(Path(tmp)), dialogue, _turn_audio(), realtime=True,
                                             engines=engine_pool(), settings=settings)
                record = result.record.to_json()
                side = found[name]
                latency = side["latency_ms"]
                assert isinstance(latency, list)
                latency += [float(t["latency_ms"]) for t in _caller_turns(record)]
                side["take_backs"] = int(side["take_backs"]) + int(record["meta"].get("take_backs", 0))
                print(f"call {i + 1} {name}: {len(latency)} turns", flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=4, help="calls per side")
    parser.add_argument("--json", type=Path, help="write the per-turn latencies here")
    args = parser.parse_args(argv)
    found = asyncio.run(run(args.calls))
    for name, side in found.items():
        values = np.array(side["latency_ms"])
        print(f"take-back {name}: {values.size} turns, p50 {np.percentile(values, 50):.0f} ms, "
              f"p95 {np.percentile(values, 95):.0f} ms, take-backs {side['take_backs']}")
    on, off = (np.array(found[name]["latency_ms"]) for name in ("on", "off"))
    if on.size == off.size:
        diff = on - off
        print(f"paired per-turn difference on - off: median {np.median(diff):.0f} ms, "
              f"mean {diff.mean():.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
