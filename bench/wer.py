"""Word error rate of the speech-to-text defaults, and of the levers that might improve them.

The corpus comes from bench/wer_corpus.py (36 call-centre sentences, 8 voices, clean / telephone /
noisy). Each configuration transcribes every file; WER (jiwer) is reported per condition after a
normalisation that forgives case, punctuation and digits-versus-words.

    .venv/bin/python bench/wer.py [--corpus DIR] [--config NAME ...] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
)


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

    build_corpus(corpus_dir)
    rows: list[dict[str, Any]] = json.loads((corpus_dir / MANIFEST).read_text(encoding="utf-8"))["files"]
    for row in rows:
        row["path"] = corpus_dir / row["file"]
    return rows


def evaluate(config: Config, rows: Sequence[dict[str, Any]]) -> Result:
    import jiwer

    from voicebot.engines.whisper import WhisperTranscriber

    transcriber = WhisperTranscriber(config.model, beam_size=config.beam_size, language="en")
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
            text = transcriber.transcribe(audio, language="en", hints=hints).text
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
    parser.add_argument("--json", type=Path, help="write results, including every mistranscription, here")
    args = parser.parse_args(argv)
    rows = load_corpus(args.corpus)
    chosen = [c for c in CONFIGS if not args.config or c.name in args.config]
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
