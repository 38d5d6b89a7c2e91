"""Word error rate of the speech-to-text defaults, and of the levers that might improve them.

The corpus comes from bench/wer_corpus.py (36 call-centre sentences, 8 voices, clean / telephone /
noisy). Each configuration transcribes every file; WER (jiwer) is reported per condition after a
normalisation that forgives case, punctuation and digits-versus-words.

Three ways to the same model, side by side (issue 10: the product's path must not lose accuracy the
model has):
    plain     faster-whisper itself: tiny.en int8, beam 3, temperature 0, without_timestamps=True, no
              prompt, condition_on_previous_text=False (its other options at faster-whisper's defaults)
    product   WhisperTranscriber as constructed by default (what `voicebot transcribe` uses)
    live      the transcriber the live engine pool builds for English from voicebot.yml's stt settings
and the product with one of its settings changed at a time (``product-*``).

    .venv/bin/python bench/wer.py [--corpus DIR] [--config NAME ...] [--set issue10|levers]
        [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicebot.audio.io import read_audio

Float32Array = npt.NDArray[np.float32]
RATE_HZ = 16_000
DEFAULT_CORPUS = Path("var/bench/wer_corpus")

# What each dialogue expects to hear: the words a dialogue would pass as hints.
DOMAIN_HINTS: dict[str, tuple[str, ...]] = {
    "pizza": ("pepperoni", "margherita", "Hawaiian", "vegetarian", "pizza", "delivery", "cola", "order"),
    "survey": ("recommend", "service", "driver", "survey", "out of five", "out of ten"),
    "compliance": ("premium", "policy", "documents", "cancellation", "voluntarily", "terms", "date of birth"),
}

_SMALL_NUMBERS = {w: str(i) for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
])}


def normalize(text: str) -> str:
    """Lowercase words, no punctuation, numbers as digits: "$42.50" == "42.50", "two" == "2"."""
    from text_to_num import alpha2digit

    text = alpha2digit(text.lower().replace("-", " "), "en")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points only
    text = re.sub(r"[^\w\s.']", " ", text)
    return " ".join(_SMALL_NUMBERS.get(word, word) for word in text.split())


@dataclass(frozen=True, slots=True)
class Config:
    name: str
    model: str = "tiny.en"
    beam_size: int = 3
    vad_trim: bool = False
    hints: bool = False
    conditions: tuple[str, ...] = ("clean", "telephone", "noisy")
    description: str = ""
    path: str = "product"  # "product" (WhisperTranscriber), "plain" (faster-whisper) or "live" (engine pool)
    # Product levers; None keeps WhisperTranscriber's default.
    temperatures: tuple[float, ...] | None = None
    word_timestamps: bool | None = None
    without_timestamps: bool | None = None


CONFIGS: tuple[Config, ...] = (
    Config("default", description="tiny.en int8, beam 3, temperature fallback bounded to (0, 0.4)"),
    Config("greedy", beam_size=1, description="tiny.en, greedy (beam 1)"),
    Config("beam5", beam_size=5, description="tiny.en, beam size 5"),
    Config("beam5-vad-trim", beam_size=5, vad_trim=True, description="tiny.en, beam 5, Silero trimming"),
    Config("base", model="base", beam_size=1, description="multilingual base, greedy, language=en"),
    Config("greedy-vad-trim", beam_size=1, vad_trim=True,
           description="tiny.en greedy on audio trimmed to Silero speech +/-200 ms"),
    Config("greedy-hints", beam_size=1, hints=True,
           description="tiny.en greedy with the dialogue's expected words as initial prompt"),
    Config("plain", path="plain", description="faster-whisper tiny.en, beam 3, temperature 0, no timestamps"),
    Config("product", description="WhisperTranscriber() as constructed by default"),
    Config("live", path="live", description="the live engine pool's English transcriber (voicebot.yml stt)"),
    Config("product-temp0", temperatures=(0.0,), description="product, temperature 0 only (no fallback)"),
    Config("product-no-words", word_timestamps=False, description="product without word timestamps"),
    Config("product-no-ts", without_timestamps=True,
           description="product decoding without timestamp tokens (without_timestamps=True)"),
    Config("product-prompt", hints=True, description="product with the domain's words as initial prompt"),
    Config("product-as-plain", temperatures=(0.0,), word_timestamps=False, without_timestamps=True,
           description="product with all three levers at plain's settings"),
    Config("base-product", model="base",
           description="multilingual base through WhisperTranscriber, language=en"),
)
SETS: dict[str, tuple[str, ...]] = {
    "issue10": ("plain", "product", "live"),
    "levers": ("product", "product-temp0", "product-no-words", "product-no-ts", "product-prompt",
               "product-as-plain"),
}


@dataclass(slots=True)
class Result:
    config: str
    wer: dict[str, float] = field(default_factory=dict)
    mean_latency_ms: dict[str, float] = field(default_factory=dict)
    mean_cpu_ms: dict[str, float] = field(default_factory=dict)
    rtf: dict[str, float] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


def vad_trimmer() -> Callable[[Float32Array], Float32Array]:
    from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
    from voicebot.engines.silero import SileroVAD

    detector = SileroVAD()
    pad = RATE_HZ // 5

    def trim(audio: Float32Array) -> Float32Array:
        detector.reset()
        machine = TurnTaking(TurnTakingConfig(end_silence_ms=1000))
        events: list[Any] = []
        for probability in detector.probabilities(audio):
            events += machine.update(probability, detector.frame_ms)
        events += machine.finish()
        starts = [e.at_ms for e in events if isinstance(e, SpeechStarted)]
        ends = [e.at_ms for e in events if isinstance(e, SpeechEnded)]
        if not starts:
            return audio
        first = max(0, starts[0] * RATE_HZ // 1000 - pad)
        last = min(audio.size, ends[-1] * RATE_HZ // 1000 + pad)
        return audio[first:last]

    return trim


def load_corpus(corpus_dir: Path) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from wer_corpus import MANIFEST, build_corpus

    manifest = corpus_dir / MANIFEST
    # An evaluation set exported from labelled production turns ('voicebot review export --eval-set DIR')
    # is read as it is; anything else is the synthetic corpus, built if needed.
    exported = manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")).get("source") \
        == "review"
    if not exported:
        build_corpus(corpus_dir)
    rows: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    for row in rows:
        row["path"] = corpus_dir / row["file"]
    return rows


Recognize = Callable[[Float32Array, Sequence[str]], str]  # (16 kHz audio, hints) -> text


def plain_recognizer(config: Config) -> Recognize:
    """faster-whisper with the issue's plain settings, on the same CTranslate2 directory."""
    from faster_whisper import WhisperModel

    from voicebot.engines.models import resolve_whisper_model

    model = WhisperModel(str(resolve_whisper_model(config.model, "en")), device="cpu", compute_type="int8",
                         local_files_only=True)

    def recognize(audio: Float32Array, hints: Sequence[str]) -> str:
        segments, _ = model.transcribe(audio, language="en", beam_size=config.beam_size, temperature=0.0,
                                       without_timestamps=True, initial_prompt=", ".join(hints) or None,
                                       condition_on_previous_text=False, vad_filter=False)
        return " ".join(s.text.strip() for s in segments).strip()

    return recognize


def product_recognizer(config: Config) -> Recognize:
    """WhisperTranscriber with the config's levers; the rest of its decoding untouched."""
    import functools

    from voicebot.engines.whisper import WhisperTranscriber

    options: dict[str, Any] = {"beam_size": config.beam_size, "language": "en"}
    if config.temperatures is not None:
        options["temperatures"] = config.temperatures
    if config.word_timestamps is not None:
        options["word_timestamps"] = config.word_timestamps
    transcriber = WhisperTranscriber(config.model, **options)
    if config.without_timestamps is not None:
        # Not a constructor option: pass it through to faster-whisper under the transcriber's own call.
        model = transcriber._model
        model.transcribe = functools.partial(model.transcribe, without_timestamps=config.without_timestamps)

    def recognize(audio: Float32Array, hints: Sequence[str]) -> str:
        return transcriber.transcribe(audio, language="en", hints=hints).text

    return recognize


def live_recognizer(config: Config) -> Recognize:
    from voicebot.config import load_config
    from voicebot.session.engines import EnginePool

    transcriber = EnginePool.from_config(load_config()).transcriber("en")

    def recognize(audio: Float32Array, hints: Sequence[str]) -> str:
        return transcriber.transcribe(audio, language="en", hints=hints).text

    return recognize


RECOGNIZERS: dict[str, Callable[[Config], Recognize]] = {
    "plain": plain_recognizer, "product": product_recognizer, "live": live_recognizer,
}


def evaluate(config: Config, rows: Sequence[dict[str, Any]]) -> Result:
    import jiwer

    recognize = RECOGNIZERS[config.path](config)
    trim = vad_trimmer() if config.vad_trim else None
    result = Result(config.name)
    for condition in config.conditions:
        refs: list[str] = []
        hyps: list[str] = []
        seconds_audio = 0.0
        seconds_work = 0.0
        seconds_cpu = 0.0
        for row in (r for r in rows if r["condition"] == condition):
            audio = read_audio(row["path"], RATE_HZ)
            seconds_audio += audio.size / RATE_HZ
            started, cpu_started = time.perf_counter(), time.process_time()
            if trim is not None:
                audio = trim(audio)
            hints = DOMAIN_HINTS.get(row["domain"], ()) if config.hints else ()
            text = recognize(audio, hints)
            seconds_work += time.perf_counter() - started
            seconds_cpu += time.process_time() - cpu_started
            ref, hyp = normalize(row["reference"]), normalize(text)
            refs.append(ref)
            hyps.append(hyp)
            if ref != hyp:
                result.errors.append({"file": row["file"], "voice": row["voice"], "ref": ref, "hyp": hyp})
        result.wer[condition] = round(float(jiwer.wer(refs, hyps)), 4)
        result.mean_latency_ms[condition] = round(1000 * seconds_work / len(refs), 1)
        result.mean_cpu_ms[condition] = round(1000 * seconds_cpu / len(refs), 1)
        result.rtf[condition] = round(seconds_work / seconds_audio, 3)
    return result


def markdown(results: Sequence[Result]) -> str:
    conditions = ("clean", "telephone", "noisy")
    header = " | ".join(f"WER {c}" for c in conditions)
    lines = [f"| config | {header} | mean latency ms (clean) | mean CPU ms (clean) | RTF (clean) |",
             "|---" * (len(conditions) + 4) + "|"]
    for r in results:
        cells = [f"{100 * r.wer[c]:.1f}%" if c in r.wer else "-" for c in conditions]
        lines.append(f"| {r.config} | " + " | ".join(cells)
                     + f" | {r.mean_latency_ms.get('clean', 0):.0f} | {r.mean_cpu_ms.get('clean', 0):.0f}"
                     + f" | {r.rtf.get('clean', 0):.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus directory (built if needed)")
    parser.add_argument("--config", action="append", choices=[c.name for c in CONFIGS],
                        help="configurations to run (default: all)")
    parser.add_argument("--set", choices=sorted(SETS), help="a named group of configurations: issue10 "
                        "(plain, product, live), levers (the product with one setting changed at a time)")
    parser.add_argument("--condition", action="append", choices=["clean", "telephone", "noisy"],
                        help="only these conditions (default: each configuration's own)")
    parser.add_argument("--json", type=Path, help="write results, including every mistranscription, here")
    args = parser.parse_args(argv)
    rows = load_corpus(args.corpus)
    wanted = set(args.config or ()) | set(SETS.get(args.set or "", ()))
    chosen = [c for c in CONFIGS if not wanted or c.name in wanted]
    if args.condition:
        chosen = [replace(c, conditions=tuple(x for x in c.conditions if x in args.condition))
                  for c in chosen]
    results = []
    for config in chosen:
        result = evaluate(config, rows)
        results.append(result)
        print(f"{config.name}: WER {result.wer} latency_ms {result.mean_latency_ms} "
              f"cpu_ms {result.mean_cpu_ms} rtf {result.rtf}",
              file=sys.stderr, flush=True)
    print(f"{len(rows)} files, {len({r['file'][:2] for r in rows})} sentences")
    print(markdown(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([r.__dict__ if not hasattr(r, "__slots__") else
                                         {k: getattr(r, k) for k in r.__slots__} for r in results],
                                        indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
