"""Real people answering the satisfaction survey on a phone line: FSDD digits through `voicebot call`.

Each call is the shipped satisfaction_survey at 8 kHz: the consent answer and the comment are Piper joe
("yes", "no, everything was fine"), the two scores are real recordings from the Free Spoken Digit
Dataset (../shared/data/digits, three speakers): satisfaction 1-5, recommend 0-9, chosen with a fixed
seed. Every turn goes through a G.711 mu-law round trip with 300 ms of line silence either side. A
call with satisfaction <= 2 also answers the callback question ("no thanks").

The calls run through the same code as `voicebot call satisfaction_survey --sample-rate 8000 --fast
--json --audio ...` (in this process with one engine pool, or with --subprocess the command itself),
and the report gives the share of scores right and every call that did not end "completed".

    .venv/bin/python bench/digits_survey.py [--calls 30] [--seed 7] [--digits DIR] [--subprocess]
        [--config voicebot.yml] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from phone_corpus import DEFAULT_DIGITS, fsdd_files

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.io import read_audio, write_wav
from voicebot.audio.resample import resample

Int16Array = npt.NDArray[np.int16]
LINE_HZ = 8_000
PAD_MS = 300
DIALOGUE = "satisfaction_survey"
OUT_DIR = Path("var/bench/digits_survey")
CONSENT = "yes"
COMMENT = "No, everything was fine."
CALLBACK = "No thanks."


@dataclass(frozen=True, slots=True)
class PlannedCall:
    index: int
    satisfaction: int
    recommend: int
    satisfaction_file: Path
    recommend_file: Path
    turns: tuple[Path, ...]


def _line(samples: Int16Array) -> Int16Array:
    pad = np.zeros(LINE_HZ * PAD_MS // 1000, dtype=np.int16)
    return ulaw_decode(ulaw_encode(np.concatenate([pad, samples, pad])))


def _from_file(path: Path) -> Int16Array:
    return np.round(read_audio(path, LINE_HZ) * 32767.0).astype(np.int16)


def _spoken(text: str) -> Int16Array:
    from voicebot.engines.piper import PiperSynthesizer

    synth = PiperSynthesizer(seed=1)
    audio = np.concatenate(list(synth.synthesize(text)))
    result: Int16Array = resample(audio, synth.sample_rate_hz, LINE_HZ)
    return result


def plan_calls(count: int, seed: int, digits_dir: Path, out_dir: Path,
               first_take: int = 0) -> list[PlannedCall]:
    """Picks each call's two recordings (takes ``first_take``..49) and writes its turn files (8 kHz WAV)
    under ``out_dir``."""
    recordings = [r for r in fsdd_files(digits_dir, takes=50) if r[3] >= first_take]
    if not recordings:
        raise SystemExit(f"error: no FSDD recordings (D_speaker_take.wav) in {digits_dir}")
    by_digit: dict[int, list[Path]] = {}
    for path, digit, _, _ in recordings:
        by_digit.setdefault(digit, []).append(path)
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    consent, comment, callback = (out_dir / f"{name}.wav" for name in ("consent", "comment", "callback"))
    for path, text in ((consent, CONSENT), (comment, COMMENT), (callback, CALLBACK)):
        if not path.is_file():
            write_wav(path, _line(_spoken(text)), LINE_HZ)
    calls = []
    for index in range(count):
        satisfaction = 1 + index % 5
        recommend = int(rng.integers(0, 10))
        picks = []
        for digit in (satisfaction, recommend):
            source = by_digit[digit][int(rng.integers(0, len(by_digit[digit])))]
            target = out_dir / f"call{index:03d}_{source.name}"
            write_wav(target, _line(_from_file(source)), LINE_HZ)
            picks.append(target)
        turns = [consent, picks[0], picks[1], comment] + ([callback] if satisfaction <= 2 else [])
        calls.append(PlannedCall(index, satisfaction, recommend, picks[0], picks[1], tuple(turns)))
    return calls


def command(call: PlannedCall) -> list[str]:
    argv = ["voicebot", "call", DIALOGUE, "--sample-rate", str(LINE_HZ), "--fast", "--json"]
    for turn in call.turns:
        argv += ["--audio", str(turn)]
    return argv


def run_in_process(calls: Sequence[PlannedCall], config_path: Path | None) -> list[dict[str, Any]]:
    """What `voicebot call` does (voicebot/cli/call.py), with one engine pool for every call."""
    from voicebot.cli.call import _load_dialogue
    from voicebot.config import load_config
    from voicebot.session.engines import EnginePool
    from voicebot.session.services import LocalServices
    from voicebot.session.settings import SessionSettings
    from voicebot.transport.file import run_file_call

    config = load_config(config_path)
    dialogue = _load_dialogue(DIALOGUE, config)
    engines = EnginePool.from_config(config)
    runtime = LocalServices(config=config, engines=engines)
    settings = SessionSettings.from_config(config)
    records = []
    for call in calls:
        turns = [read_audio(path, LINE_HZ) for path in call.turns]
        result = asyncio.run(run_file_call(runtime, dialogue, turns, variables={}, realtime=False,
                                           sample_rate_hz=LINE_HZ, engines=engines, settings=settings))
        records.append(result.record.to_json())
        print(f"call {call.index}: {summary(call, records[-1])}", file=sys.stderr, flush=True)
    return records


def run_subprocess(calls: Sequence[PlannedCall], config_path: Path | None) -> list[dict[str, Any]]:
    executable = str(Path(sys.executable).with_name("voicebot"))
    records = []
    for call in calls:
        argv = [executable, *command(call)[1:]]
        if config_path is not None:
            argv[1:1] = ["--config", str(config_path)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"error: {' '.join(argv)} failed: {done.stderr.strip()[-300:]}")
        records.append(json.loads(done.stdout))
        print(f"call {call.index}: {summary(call, records[-1])}", file=sys.stderr, flush=True)
    return records


def _heard(record: dict[str, Any]) -> list[str]:
    return [t.get("text", "") for t in record.get("turns", []) if t.get("role") == "caller"]


def summary(call: PlannedCall, record: dict[str, Any]) -> str:
    slots = record.get("slots", {})
    return (f"said {call.satisfaction}/{call.recommend}, got {slots.get('satisfaction')}/"
            f"{slots.get('recommend')}, outcome {record.get('outcome')}, heard {_heard(record)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=30, help="number of calls (default 30)")
    parser.add_argument("--seed", type=int, default=7, help="which recordings (default 7)")
    parser.add_argument("--digits", type=Path, default=DEFAULT_DIGITS, help="FSDD directory")
    parser.add_argument("--first-take", type=int, default=0, metavar="N",
                        help="only takes N-49 of each digit: 10 leaves out the phone corpus's takes 0-9, "
                             "on which the grammar's confidence was calibrated (default 0)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"turn files (default {OUT_DIR})")
    parser.add_argument("--subprocess", action="store_true", help="run the voicebot call command itself")
    parser.add_argument("--config", type=Path, help="voicebot.yml to use")
    parser.add_argument("--json", type=Path, help="write every call's record and verdict here")
    args = parser.parse_args(argv)
    if args.calls < 1:
        print("error: --calls must be at least 1", file=sys.stderr)
        return 2
    calls = plan_calls(args.calls, args.seed, args.digits, args.out, args.first_take)
    print("each call is: " + " ".join(command(calls[0])), file=sys.stderr)
    started = time.perf_counter()
    records = (run_subprocess if args.subprocess else run_in_process)(calls, args.config)
    right = 0
    failures = []
    for call, record in zip(calls, records, strict=True):
        slots = record.get("slots", {})
        right += (slots.get("satisfaction") == call.satisfaction) + (slots.get("recommend") == call.recommend)
        if record.get("outcome") != "completed" or slots.get("satisfaction") != call.satisfaction \
                or slots.get("recommend") != call.recommend:
            failures.append(f"call {call.index} ({call.satisfaction_file.name}, {call.recommend_file.name}): "
                            + summary(call, record))
    outcomes: dict[str, int] = {}
    for record in records:
        outcomes[str(record.get("outcome"))] = outcomes.get(str(record.get("outcome")), 0) + 1
    scores = 2 * len(calls)
    print(f"{len(calls)} calls, {right}/{scores} scores right ({100 * right / scores:.1f}%), "
          f"outcomes {outcomes}, {time.perf_counter() - started:.0f} s wall")
    for line in failures:
        print("  " + line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        results = [{"said": [c.satisfaction, c.recommend], "turns": [str(t) for t in c.turns], "record": r}
                   for c, r in zip(calls, records, strict=True)]
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
