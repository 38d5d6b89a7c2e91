"""``voicebot call``: an offline phone call through the real streaming pipeline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from voicebot.errors import ConfigError

if TYPE_CHECKING:
    from voicebot.cli.commands import Subcommands
    from voicebot.config import Config
    from voicebot.dialogue.model import Dialogue


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "call", help="an offline call: audio files as the caller's turns, through the streaming pipeline",
        description="Plays each --audio file as one caller turn into DIALOGUE through the same pipeline "
                    "as live calls (VAD, streaming STT, dialogue, sentence-by-sentence TTS) and prints "
                    "what was said, with the response latency of every caller turn.")
    parser.add_argument("dialogue", metavar="DIALOGUE", help="a dialogue YAML file, or the name of one in "
                        "the dialogues directory")
    parser.add_argument("--audio", action="append", required=True, metavar="FILE",
                        help="a caller turn (any format ffmpeg/libsndfile reads); repeat for more turns")
    parser.add_argument("--var", action="append", default=[], metavar="K=V", help="a dialogue variable")
    parser.add_argument("--out", metavar="OUT.wav", help="write the call as a two-channel WAV (caller, bot)")
    parser.add_argument("--json", action="store_true", help="print the call record as JSON")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--realtime", dest="realtime", action="store_true",
                      help="play the files at phone-line speed, silence between turns")
    pace.add_argument("--fast", dest="realtime", action="store_false",
                      help="play each file as soon as the bot waits for it (default)")
    parser.add_argument("--sample-rate", type=int, default=16_000, metavar="HZ",
                        help="the simulated line's sample rate (default 16000; 8000 for a phone line)")
    parser.set_defaults(handler=run, realtime=False)


def parse_vars(items: list[str]) -> dict[str, object]:
    variables: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--var needs KEY=VALUE, got {item!r}")
        variables[key.strip()] = value
    return variables


def _load_dialogue(name: str, config: Config) -> Dialogue:
    from voicebot.dialogue.loader import load_dialogue

    path = Path(name)
    if path.suffix in (".yml", ".yaml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"dialogue file {path} not found")
        return load_dialogue(path)
    candidate = Path(config.paths.dialogues_dir) / f"{name}.yml"
    if not candidate.is_file():
        where = config.paths.dialogues_dir
        raise ConfigError(f"no dialogue {name!r}: pass a .yml file or a name in {where}/")
    return load_dialogue(candidate)


def run(args: argparse.Namespace) -> int:
    from voicebot.audio.io import read_audio, write_wav
    from voicebot.config import load_config
    from voicebot.session.engines import EnginePool
    from voicebot.session.services import LocalServices
    from voicebot.session.settings import SessionSettings
    from voicebot.transport.file import run_file_call

    config = load_config(args.config)
    dialogue = _load_dialogue(args.dialogue, config)
    variables = parse_vars(args.var)
    turns = [read_audio(path, args.sample_rate) for path in args.audio]
    engines = EnginePool.from_config(config)
    # Offline calls are not stored: no store, no metrics; the record is printed instead.
    services = LocalServices(config=config, engines=engines)
    settings = SessionSettings.from_config(config)
    result = asyncio.run(run_file_call(services, dialogue, turns, variables=variables, realtime=args.realtime,
                                       sample_rate_hz=args.sample_rate, engines=engines, settings=settings))
    if args.out:
        write_wav(args.out, result.audio, result.sample_rate_hz, channels=2)
    record = result.record
    if args.json:
        json.dump(record.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for turn in record.turns:
            latency = f"  ({turn.latency_ms} ms)" if turn.latency_ms is not None else ""
            print(f"{turn.role:>6}: {turn.text}{latency}")
        print(f"outcome: {record.outcome}")
    return 1 if record.meta.get("error") else 0
