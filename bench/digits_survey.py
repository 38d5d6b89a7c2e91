"""Real people answering the satisfaction survey on a phone line: FSDD digits through `voicebot call`.

Each call is the shipped satisfaction_survey at 8 kHz: the consent answer and the comment are Piper joe
("yes", "no, everything was fine"), the two scores are real recordings from the Free Spoken Digit
Dataset (../shared/data/digits, three speakers): satisfaction 1-5, recommend 0-9, chosen with a fixed
seed. Every turn goes through a G.711 mu-law round trip with 300 ms of line silence either side. A
call with satisfaction <= 2 also answers the callback question ("no thanks").

The calls run through the same code as `voicebot call satisfaction_survey --sample-rate 8000 --fast
--json --audio ...` (in this process with one engine pool, or with --subprocess the command itself),
and the report gives the share of scores right and every call that did not end "completed".

The caller listens (unless --fixed-turns): a read-back of the value said gets "yes", of another value
"no", "do you want to end the call?" gets "no", and "sorry?" the same answer again. A file call cannot
wait to hear the bot, so the call is played again with the answers its prompts called for until every
caller turn answered its own prompt (the pipeline gives the same transcript for the same audio).

    .venv/bin/python bench/digits_survey.py [--calls 30] [--seed 7] [--digits DIR] [--subprocess]
        [--config voicebot.yml] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
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
NO = "No."
# What the caller answers each prompt with (a reprompt of a score is answered with the same take again).
PLANNED = {"ask_consent": 0, "ask_satisfaction": 1, "ask_satisfaction_again": 1, "ask_recommend": 2,
           "ask_recommend_again": 2, "ask_comment": 3, "ask_callback": 4}
# Prompts after which a person says the last answer again ("Sorry, what was that?").
REPEATED = {"global.no_match", "global.correction"}
MAX_TRIES = 5


@dataclass(frozen=True, slots=True)
class PlannedCall:
    index: int
    satisfaction: int
    recommend: int
    satisfaction_file: Path
    recommend_file: Path
    turns: tuple[Path, ...]
    yes: Path | None = None
    no: Path | None = None


def answers(call: PlannedCall, record: dict[str, Any]) -> list[Path]:
    """What a person would have said to each prompt of ``record`` that the caller answered: the planned
    answer to a question; yes to a read-back of the value said, no to any other read-back or to "do you
    want to end the call?"; the last answer again after "sorry?"."""
    said: list[Path] = []
    prompt, text, last = "", "", call.turns[0]
    values = {1: call.satisfaction, 2: call.recommend}
    asked = 0
    for turn in record.get("turns", []):
        if turn.get("role") == "bot":
            prompt, text = str(turn.get("prompt_id", "")), str(turn.get("text", ""))
            if prompt in PLANNED:
                asked = PLANNED[prompt]
            continue
        if prompt in PLANNED and PLANNED[prompt] < len(call.turns):
            last = call.turns[PLANNED[prompt]]
            said.append(last)
        elif prompt == "global.low_confidence" and asked in values and call.yes and call.no:
            said.append(call.yes if re.search(rf"\b{values[asked]}\b", text) else call.no)
        elif prompt == "global.stop_check" and call.no:
            said.append(call.no)
        else:  # "sorry?" and anything unplanned: the last answer again
            said.append(last)
    return said


def converse(call: PlannedCall, run: Callable[[list[Path]], dict[str, Any]]) -> dict[str, Any]:
    """The call as a person who listens would make it: played with the planned turns, then again with the
    answers the bot's prompts called for, until each caller turn answered its prompt (the pipeline is
    deterministic for the same audio, so each run replays the earlier turns as they went)."""
    turns = list(call.turns)
    record = run(turns)
    for _ in range(MAX_TRIES - 1):
        wanted = answers(call, record)
        played = turns[:len(wanted)]
        if wanted == played:
            return record
        first = next(i for i, (a, b) in enumerate(zip(wanted, played, strict=False)) if a != b) \
            if any(a != b for a, b in zip(wanted, played, strict=False)) else len(played)
        asked = {PLANNED[str(t.get("prompt_id"))] for t in record.get("turns", [])
                 if t.get("role") == "bot" and t.get("prompt_id") in PLANNED}
        rest = [t for i, t in enumerate(call.turns) if i not in asked]
        turns = wanted[:first + 1] + rest
        record = run(turns)
    return record


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
    names = ("consent", "comment", "callback", "no")
    consent, comment, callback, no = (out_dir / f"{name}.wav" for name in names)
    for path, text in ((consent, CONSENT), (comment, COMMENT), (callback, CALLBACK), (no, NO)):
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
        calls.append(PlannedCall(index, satisfaction, recommend, picks[0], picks[1], tuple(turns),
                                 yes=consent, no=no))
    return calls


def command(call: PlannedCall) -> list[str]:
    argv = ["voicebot", "call", DIALOGUE, "--sample-rate", str(LINE_HZ), "--fast", "--json"]
    for turn in call.turns:
        argv += ["--audio", str(turn)]
    return argv


def run_in_process(calls: Sequence[PlannedCall], config_path: Path | None,
                   listening: bool = True) -> list[dict[str, Any]]:
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

    def run(paths: list[Path]) -> dict[str, Any]:
        turns = [read_audio(path, LINE_HZ) for path in paths]
        result = asyncio.run(run_file_call(runtime, dialogue, turns, variables={}, realtime=False,
                                           sample_rate_hz=LINE_HZ, engines=engines, settings=settings))
        record: dict[str, Any] = result.record.to_json()
        return record

    for call in calls:
        records.append(converse(call, run) if listening else run(list(call.turns)))
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
    parser.add_argument("--subprocess", action="store_true",
                        help="run the voicebot call command (it plays the planned turns: --fixed-turns)")
    parser.add_argument("--fixed-turns", action="store_true",
                        help="play the planned turns whatever the bot says (a read-back then gets the next "
                             "score as its answer); by default the caller answers what the bot asked")
    parser.add_argument("--config", type=Path, help="voicebot.yml to use")
    parser.add_argument("--json", type=Path, help="write every call's record and verdict here")
    args = parser.parse_args(argv)
    if args.calls < 1:
        print("error: --calls must be at least 1", file=sys.stderr)
        return 2
    calls = plan_calls(args.calls, args.seed, args.digits, args.out, args.first_take)
    print("each call is: " + " ".join(command(calls[0])), file=sys.stderr)
    started = time.perf_counter()
    records = (run_subprocess(calls, args.config) if args.subprocess
               else run_in_process(calls, args.config, listening=not args.fixed_turns))
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
    asked = {prompt: sum(t.get("prompt_id") == prompt for r in records for t in r.get("turns", []))
             for prompt in ("global.low_confidence", "global.stop_check", "global.no_match")}
    print(f"{len(calls)} calls, {right}/{scores} scores right ({100 * right / scores:.1f}%), "
          f"outcomes {outcomes}, read-backs {asked['global.low_confidence']}, "
          f"'end the call?' {asked['global.stop_check']}, 'sorry?' {asked['global.no_match']}, "
          f"{time.perf_counter() - started:.0f} s wall")
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
