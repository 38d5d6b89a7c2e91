"""Where a turn's response latency goes, per reply: the parts the call record's timings keep.

    PYTHONPATH=. .venv/bin/python bench/turn_parts.py [--calls 3] [--caller pizza|latency_check]
        [--json OUT.json]

Real-time calls through the file door (the session of live calls, engines loaded once, fixed prompts
cached as on a live server) with the side-by-side's four pizza_order caller turns (bench/side_by_side.py:
Piper joe, length scale 1.15) or bench/latency.py's ten latency_check answers. Per reply, p50 over the
calls, in ms, from the call record's ``timings`` (voicebot/session/timing.py):

- pause: end of caller speech -> end of turn decided (VAD pause + the judges: turn model, dialogue);
- decode wait: end of turn -> final transcript (0 when the speculative decode of the last pause was
  ready); "ready before end" is how long before the end of turn that transcript was there;
- dialogue: final transcript -> the bot's decision; TTS: decision -> first chunk; out: first chunk ->
  first audio byte out;
and which judge ended the turns (the call meta's ``turn_ends_*``). Settings come from the config and
``VOICEBOT_*`` variables, as for ``voicebot call``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PARTS = ("pause", "decode_wait", "ready_before_end", "dialogue", "tts", "out", "latency")


def parts(timings: dict[str, float], latency_ms: float) -> dict[str, float | None]:
    """One turn's parts in ms (None where a stamp is missing)."""
    def gap(a: str | None, b: str) -> float | None:
        start = 0.0 if a is None else timings.get(f"{a}_ms")
        end = timings.get(f"{b}_ms")
        return None if start is None or end is None else round(end - start, 1)

    ready = gap("transcript_ready", "turn_end")
    return {"pause": gap(None, "turn_end"), "decode_wait": gap("turn_end", "stt_final"),
            "ready_before_end": None if ready is None else max(0.0, ready),
            "dialogue": gap("stt_final", "decision"), "tts": gap("decision", "first_tts_chunk"),
            "out": gap("first_tts_chunk", "first_audio_out"), "latency": float(latency_ms)}


def _audio(caller: str) -> tuple[Path, list[Any], list[str]]:
    if caller == "pizza":
        from side_by_side import CALLER_TURNS, caller_audio

        turns = [a.astype(np.float32) / 32768.0 for a in caller_audio()]
        return ROOT / "dialogues" / "pizza_order.yml", turns, [name for _, name in CALLER_TURNS]
    from latency import ANSWERS, DIALOGUE, _turn_audio

    return DIALOGUE, _turn_audio(), [text.rstrip(".") for text in ANSWERS]


async def _calls(calls: int, caller: str) -> tuple[list[str], list[dict[str, Any]]]:
    from tests.session.helpers import engine_pool, runtime
    from voicebot.config import load_config
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.session.settings import SessionSettings
    from voicebot.transport.file import run_file_call

    path, audio, names = _audio(caller)
    dialogue = load_dialogue(path)
    settings = SessionSettings.from_config(load_config())
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(calls):
            result = await run_file_call(runtime(Path(tmp)), dialogue, audio, realtime=True,
                                         engines=engine_pool(), settings=settings)
            records.append(result.record.to_json())
    return names, records


def summarize(names: list[str], records: list[dict[str, Any]]) -> dict[str, Any]:
    rows: dict[str, dict[str, list[float]]] = {n: {p: [] for p in PARTS} for n in [*names, "all"]}
    ends: Counter[str] = Counter()
    for record in records:
        ends.update({k[len("turn_ends_"):]: int(v) for k, v in record["meta"].items()
                     if k.startswith("turn_ends_")})
        ends["speculative_hits"] += int(record["meta"].get("speculative_hits") or 0)
        caller = [t for t in record["turns"] if t["role"] == "caller" and t.get("latency_ms") is not None]
        for name, turn in zip(names, caller, strict=False):
            for part, value in parts(turn.get("timings") or {}, turn["latency_ms"]).items():
                if value is not None:
                    rows[name][part].append(value)
                    rows["all"][part].append(value)
    p50 = {n: {p: (round(float(np.percentile(v, 50))) if v else None) for p, v in row.items()}
           for n, row in rows.items()}
    p95_all = {p: (round(float(np.percentile(v, 95))) if v else None) for p, v in rows["all"].items()}
    return {"calls": len(records), "p50": p50, "p95_all": p95_all, "turn_ends": dict(ends),
            "texts": [[t["text"] for t in r["turns"] if t["role"] == "caller"] for r in records]}


def markdown(summary: dict[str, Any]) -> str:
    head = "| reply | " + " | ".join(PARTS) + " |"
    lines = [head, "|---|" + "---:|" * len(PARTS)]
    for name, row in summary["p50"].items():
        lines.append(f"| {name} | " + " | ".join(_cell(row[p]) for p in PARTS) + " |")
    lines.append("| all, p95 | " + " | ".join(_cell(summary["p95_all"][p]) for p in PARTS) + " |")
    lines.append("")
    lines.append("turn ends: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["turn_ends"].items())))
    return "\n".join(lines)


def _cell(value: int | None) -> str:
    return "-" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--caller", choices=("pizza", "latency_check"), default="pizza")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be 1 or more")
    names, records = asyncio.run(_calls(args.calls, args.caller))
    summary = summarize(names, records)
    print(markdown(summary))
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": summary, "records": records}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
