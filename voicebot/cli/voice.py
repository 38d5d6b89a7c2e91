"""CLI commands: ``voice clone``, ``voice list``, ``voice check``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from voicebot.config import voices_dir_from_env

_ENGINE_HELP = (
    "cloning engine: 'cpu-clone' (default; converts the embedded Piper voice, runs on any CPU), "
    "'xtts' (Coqui XTTS-v2, needs voicebot[xtts] and a checkpoint directory given with --checkpoint; "
    "XTTS-v2 weights are under the Coqui Public Model License: NON-COMMERCIAL use only) or "
    "'openvoice' (OpenVoice v2 tone-colour conversion of the Piper voice, needs voicebot[xtts] and "
    "--checkpoint; its weights are MIT-licensed)"
)


def _voices_dir(args: argparse.Namespace) -> Path:
    if args.voices_dir:
        return Path(args.voices_dir)
    return voices_dir_from_env() or Path("voices")


def _progress() -> Any:
    started = time.monotonic()

    def show(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show


def _clone(args: argparse.Namespace) -> int:
    from voicebot.errors import ConfigError
    from voicebot.voice.clone import clone_voice

    settings: dict[str, Any] = {"speed": args.speed}
    if args.checkpoint:
        settings["checkpoint_dir"] = str(Path(args.checkpoint).resolve())
    elif args.engine in ("xtts", "openvoice"):
        raise ConfigError(f"the {args.engine} engine needs --checkpoint DIR (no weights are downloaded)")
    if args.device:
        settings["device"] = args.device
    result = clone_voice(args.name, args.clips, voices_dir=_voices_dir(args), engine=args.engine,
                         languages=args.language or ["en"], settings=settings, force=args.force,
                         progress=_progress())
    print(f"voice {result.profile.name!r} ready in {result.profile.directory}; "
          f"listen to {result.sample_path}")
    if result.strength is not None:
        print(result.strength.line())
    if result.quality is not None:
        for line in result.quality.lines():
            print(line)
    print(f"use it: voicebot say 'Hello' -o hello.wav --voice {result.profile.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from voicebot.voice.profile import list_profiles

    voices_dir = Path(args.voices_dir) if args.voices_dir else None
    profiles = list_profiles(voices_dir)
    if args.json:
        print(json.dumps([{"name": p.name, "engine": p.engine, "languages": list(p.languages),
                           "clips": len(p.clips), "path": str(p.directory)} for p in profiles]))
        return 0
    if not profiles:
        print("no voices yet: create one with voicebot voice clone NAME CLIP...", file=sys.stderr)
        return 0
    for p in profiles:
        print(f"{p.name}\t{p.engine}\t{','.join(p.languages)}\t{len(p.clips)} clip(s)\t{p.directory}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from voicebot.voice.clips import check_clips, load_clip

    if len(args.clips) == 1 and not Path(args.clips[0]).exists():
        return _check_voice(args.clips[0], args.voices_dir)
    clips = [load_clip(path) for path in args.clips]
    problems = check_clips(clips)
    for problem in problems:
        print(("error: " if problem.fatal else "note: ") + str(problem))
    if not problems:
        print(f"{len(clips)} clip(s), {sum(c.duration_s for c in clips):.1f} s: fine for cloning")
    return 1 if any(p.fatal for p in problems) else 0


def _check_voice(name: str, voices_dir: str | None) -> int:
    from voicebot.errors import ConfigError
    from voicebot.voice.assess import assess
    from voicebot.voice.profile import find_profile

    profile = find_profile(name, voices_dir)
    if profile is None:
        raise ConfigError(f"{name!r} is neither a clip file nor a voice (see: voicebot voice list)")
    if "strength" in profile.settings:
        print(f"strength in use: {profile.settings['strength']} (settings.strength in "
              f"{profile.directory / 'voice.yml'})")
    for line in assess(profile, _progress()).lines():
        print(line)
    return 0


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    voice = sub.add_parser("voice", help="voice profiles and voice cloning")
    voice_sub = voice.add_subparsers(dest="voice_command", metavar="SUBCOMMAND")
    voice.set_defaults(handler=lambda _args: (voice.print_help(), 2)[1])

    clone = voice_sub.add_parser(
        "clone", help="clone a voice from reference clips",
        description="Checks the clips (length, sample rate, clipping, silence, one speaker), builds "
                    "voices/NAME/ (with 4 or more clips the last is held back from training), writes "
                    "voices/NAME/sample.wav, then prints how close the clone is to the held-back clip and "
                    "how intelligible it is, with warnings when the clips are too few, noisy or uniform. "
                    + _ENGINE_HELP + ".")
    clone.add_argument("name", help="voice name: lowercase letters, digits, '-' and '_'")
    clone.add_argument("clips", nargs="+", metavar="CLIP",
                       help="reference recordings of one speaker (WAV/FLAC/MP3, 16 kHz or more; "
                            "30-90 s in all is best)")
    clone.add_argument("--engine", default="cpu-clone", choices=("cpu-clone", "xtts", "openvoice"),
                       help=_ENGINE_HELP)
    clone.add_argument("--language", action="append", metavar="L",
                       help="language the voice speaks (repeat for several; default en)")
    clone.add_argument("--speed", type=float, default=1.0, help="speaking rate, 1.0 is normal")
    clone.add_argument("--checkpoint", metavar="DIR", help="model checkpoint directory (xtts, openvoice)")
    clone.add_argument("--device", choices=("cpu", "cuda"), help="where xtts/openvoice run (default: cpu)")
    clone.add_argument("--voices-dir", metavar="DIR",
                       help="where profiles live (default: $VOICEBOT_VOICES_DIR or ./voices)")
    clone.add_argument("--force", action="store_true", help="replace an existing voice of that name")
    clone.set_defaults(handler=_clone)

    listing = voice_sub.add_parser("list", help="list voice profiles")
    listing.add_argument("--voices-dir", metavar="DIR",
                         help="folder to list (default: $VOICEBOT_VOICES_DIR, else ./voices and "
                              "~/.local/share/voicebot/voices)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    check = voice_sub.add_parser(
        "check", help="check reference clips without cloning, or measure a cloned voice again",
        description="With clip files: the clip checks only. With the NAME of a voice: speaks check "
                    "sentences with it and prints how close it is to the held-back clip(s) and how "
                    "intelligible it is, with warnings about the clips.")
    check.add_argument("clips", nargs="+", metavar="CLIP|NAME")
    check.add_argument("--voices-dir", metavar="DIR",
                       help="where to find NAME (default: $VOICEBOT_VOICES_DIR, else ./voices and "
                            "~/.local/share/voicebot/voices)")
    check.set_defaults(handler=_check)
