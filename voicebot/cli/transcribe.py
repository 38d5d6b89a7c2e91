"""CLI command: ``voicebot transcribe AUDIO [--language L] [--json] [--model M] [--engine E]``."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

from voicebot.cli.commands import Subcommands
from voicebot.errors import ConfigError

ENGINES = ("faster-whisper", "vosk")


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "transcribe", help="transcribe an audio file",
        description="Transcribe an audio file (WAV, FLAC, OGG, MP3, ...) with the embedded models: "
                    "whisper tiny.en for English, whisper base for other languages, "
                    "vosk for Korean streaming.",
    )
    parser.add_argument("audio", metavar="AUDIO", help="audio file to transcribe")
    parser.add_argument("--language", metavar="L", default="en",
                        help="spoken language code, e.g. en or ko (default: en); 'auto' detects it "
                             "with the multilingual model")
    parser.add_argument("--json", action="store_true",
                        help="print JSON: text, language, duration_s, processing_s, segments with words")
    parser.add_argument("--model", metavar="M", default=None,
                        help="whisper model: tiny.en, base, or a CTranslate2 model directory; for vosk, "
                             "a vosk model directory (default: picked from the language)")
    parser.add_argument("--engine", metavar="E", default="faster-whisper", choices=ENGINES,
                        help="speech-to-text engine: faster-whisper or vosk (default: faster-whisper)")
    parser.add_argument("--beam-size", metavar="N", type=int, default=None,
                        help="whisper beam size (default: 3; 1 is greedy and a little cheaper)")
    parser.set_defaults(handler=run)


def whisper_languages() -> tuple[str, ...]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # the list whisper was trained on

    return tuple(_LANGUAGE_CODES)


def check_language(language: str | None, engine: str) -> str | None:
    """Returns the language to ask the engine for; None means detect."""
    if language in (None, "", "auto"):
        if engine == "vosk":
            raise ConfigError("the vosk engine cannot detect the language: pass --language ko")
        return None
    code = language.strip().lower()
    if engine == "vosk":
        if code != "ko":
            raise ConfigError(f"the embedded vosk model is Korean: use --language ko, not {language!r}")
        return code
    if code not in whisper_languages():
        raise ConfigError(f"unknown language {language!r}: use a code such as en, ko, es, de or auto")
    return code


def run(args: argparse.Namespace) -> int:
    from voicebot.audio.io import read_audio
    from voicebot.engines.base import STT_SAMPLE_RATE_HZ
    from voicebot.engines.registry import create_transcriber

    language = check_language(args.language, args.engine)
    samples = read_audio(args.audio, STT_SAMPLE_RATE_HZ)  # fail on bad audio before loading a model
    if args.engine == "vosk":
        transcriber = create_transcriber("vosk", model_dir=args.model, language="ko")
    else:
        options = {} if args.beam_size is None else {"beam_size": args.beam_size}
        transcriber = create_transcriber("faster-whisper", model=args.model, language=language, **options)
    started = time.perf_counter()
    transcript = transcriber.transcribe(samples, language=language)
    processing_s = time.perf_counter() - started
    if not args.json:
        print(transcript.text)
        return 0
    document = {
        "text": transcript.text,
        "language": transcript.language,
        "duration_s": round(samples.size / STT_SAMPLE_RATE_HZ, 3),
        "processing_s": round(processing_s, 3),
        "model": transcriber.name,
        "confidence": transcript.confidence,
        "segments": [asdict(segment) for segment in transcript.segments],
    }
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0
