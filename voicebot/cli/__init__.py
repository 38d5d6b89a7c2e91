"""The ``voicebot`` command. Each command group lives in its own module with a ``register``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from voicebot import __version__
from voicebot.errors import VoicebotError

# Command modules, in the order their commands appear in --help.
_COMMAND_MODULES = ("transcribe", "say", "dialogue", "call", "serve", "keys", "voice", "campaign", "report",
                    "review")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicebot",
        description="Self-hosted voice bot: speech-to-text, YAML dialogues, text-to-speech.",
    )
    parser.add_argument("--version", action="version", version=f"voicebot {__version__}")
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: voicebot.yml if present)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"voicebot.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        result: int = args.handler(args)
        return result
    except VoicebotError as exc:
        print(f"voicebot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("voicebot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
