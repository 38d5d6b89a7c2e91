"""CLI command: ``voicebot say TEXT -o OUT.wav [--voice NAME] [--language L]``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from voicebot.cli.commands import Subcommands
from voicebot.errors import AudioError, ConfigError


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "say", help="speak text into a WAV file",
        description="Synthesise TEXT with a voice and write it to a WAV file at the voice's sample rate.",
    )
    parser.add_argument("text", metavar="TEXT", help="what to say; several sentences are fine")
    parser.add_argument("-o", "--output", metavar="OUT.wav", required=True, help="WAV file to write")
    parser.add_argument("--voice", metavar="NAME", default=None,
                        help="'default', 'joe', 'espeak:LANG', a Piper .onnx file, or a profile in voices/")
    parser.add_argument("--language", metavar="L", default="en",
                        help="language of TEXT, e.g. en or ko (default: en); picks the default voice")
    parser.set_defaults(handler=run)


def check_writable(path: Path) -> None:
    """Fails before any synthesis when ``path`` cannot become a WAV file."""
    if path.suffix.lower() != ".wav":
        raise ConfigError(f"output {path} must end in .wav; voicebot say writes WAV files")
    if path.is_dir():
        raise AudioError(f"cannot write {path}: it is a directory; name a .wav file")
    parent = path.parent
    if not parent.is_dir():
        raise AudioError(f"cannot write {path}: directory {parent} does not exist; create it first")
    if path.exists() and not os.access(path, os.W_OK):
        raise AudioError(f"cannot write {path}: permission denied")
    if not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise AudioError(f"cannot write {path}: no permission to create files in {parent}")


def run(args: argparse.Namespace) -> int:
    from voicebot.audio.io import write_wav
    from voicebot.engines.voices import resolve_synthesizer

    output = Path(args.output)
    text = args.text.strip()
    if not text:
        raise ConfigError("nothing to say: TEXT is empty")
    check_writable(output)
    synthesizer = resolve_synthesizer(args.voice, args.language)
    chunks = list(synthesizer.synthesize(text))
    if not chunks:
        raise ConfigError(f"nothing to say: {args.text!r} has no words to speak")
    samples = np.concatenate(chunks)
    write_wav(output, samples, synthesizer.sample_rate_hz)
    duration_s = len(samples) / synthesizer.sample_rate_hz
    print(f"wrote {output} ({duration_s:.2f} s, {synthesizer.sample_rate_hz} Hz, {synthesizer.name})")
    return 0
