"""Whisper's encoder window (``stt.encoder_window_s``) against word error rate and CPU, in one run.

    python bench/encoder_window.py [--windows 10,15,20,24,30] [--retry-windows 15]
        [--conditions clean,telephone] [--fallback-logprob=-0.5,-0.7] [--json OUT.json]

On bench/wer.py's corpus (built under var/bench/wer_corpus if missing), every file is decoded by the
live engine pool's decode (tiny.en int8, beam 3, temperatures 0 / 0.4, no word timestamps: the window
decode) once per window, and by plain faster-whisper (beam 3, temperature 0, no timestamps; issue 10's
reference: the product's path must not be worse than it). Per window and condition: WER (bench/wer.py's
normalisation), words wrong, utterances better / worse than the 30 s window, and process CPU ms per
decode (one CTranslate2 thread, so the figure is a core's work, not the wall time under load).

``--retry-windows W``: the product's own retry as well (``WhisperTranscriber(encoder_window_s=W)`` with its
default ``window_retry_logprob``: an unsure short-window final is decoded again over 30 s, the likelier
kept); the plain windows above run with the retry off.

``--fallback-logprob T``: a rule computed from the same decodes, no extra run: decode with the shortest
window of ``--windows`` >= 15 s first, and decode again over 30 s when that transcript's mean token
log-probability is below T (CPU = the short decode, plus the 30 s decode where it fell back).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from wer import DEFAULT_CORPUS, RATE_HZ, load_corpus, normalize  # noqa: E402

from voicebot.audio.io import read_audio  # noqa: E402


def _wer(pairs: list[tuple[str, str]]) -> tuple[float, int, int]:
    """(WER, words wrong, reference words) over (reference, hypothesis) pairs, normalised."""
    import jiwer

    refs, hyps = [p[0] for p in pairs], [p[1] for p in pairs]
    out = jiwer.process_words(refs, hyps)
    wrong = out.substitutions + out.deletions + out.insertions
    words = out.substitutions + out.deletions + out.hits
    return wrong / words, wrong, words


def _utterance_errors(ref: str, hyp: str) -> int:
    return _wer([(ref, hyp)])[1]


def run(windows: list[float], conditions: list[str], corpus: Path,
        retry_windows: list[float]) -> list[dict[str, Any]]:
    from faster_whisper import WhisperModel

    from voicebot.engines.models import resolve_whisper_model
    from voicebot.engines.whisper import WhisperTranscriber

    transcribers = {f"{w:g}": WhisperTranscriber("tiny.en", language="en", word_timestamps=False,
                                                 cpu_threads=1, encoder_window_s=w, window_retry_logprob=None)
                    for w in windows}
    for w in retry_windows:
        transcribers[f"{w:g}+retry"] = WhisperTranscriber("tiny.en", language="en", word_timestamps=False,
                                                          cpu_threads=1, encoder_window_s=w)
    plain = WhisperModel(str(resolve_whisper_model("tiny.en", "en")), device="cpu", compute_type="int8",
                         cpu_threads=1, local_files_only=True)
    rows = [r for r in load_corpus(corpus) if r["condition"] in conditions]
    out = []
    for i, row in enumerate(rows):
        audio = read_audio(row["path"], RATE_HZ)
        item: dict[str, Any] = {"file": row["file"], "condition": row["condition"], "voice": row["voice"],
                                "ref": normalize(row["reference"]), "audio_s": round(audio.size / RATE_HZ, 2),
                                "decodes": {}}
        for window, transcriber in transcribers.items():
            started = time.process_time()
            result = transcriber.transcribe(audio, language="en")
            cpu_ms = 1000 * (time.process_time() - started)
            logprob = result.segments[0].avg_logprob if result.segments else -10.0
            item["decodes"][window] = {"hyp": normalize(result.text), "cpu_ms": round(cpu_ms, 1),
                                              "avg_logprob": round(logprob, 4)}
        started = time.process_time()
        segments, _ = plain.transcribe(audio, language="en", beam_size=3, temperature=0.0,
                                       without_timestamps=True, condition_on_previous_text=False,
                                       vad_filter=False)
        text = " ".join(s.text.strip() for s in segments).strip()
        item["decodes"]["plain"] = {"hyp": normalize(text),
                                    "cpu_ms": round(1000 * (time.process_time() - started), 1),
                                    "avg_logprob": 0.0}
        out.append(item)
        print(f"{i + 1}/{len(rows)}", file=sys.stderr, end="\r", flush=True)
    return out


def summarise(items: list[dict[str, Any]], conditions: list[str],
              fallbacks: list[float]) -> list[str]:
    names = list(items[0]["decodes"])
    windows = [n for n in names if n != "plain" and not n.endswith("retry")]
    first = min((w for w in windows if float(w) >= 15), key=float, default=None)
    base = "30" if "30" in windows else None

    def pick(item: dict[str, Any], name: str) -> tuple[str, float]:
        if not name.startswith("fallback"):
            decode = item["decodes"][name]
            return decode["hyp"], decode["cpu_ms"]
        threshold = float(name.split(" ")[1])
        short = item["decodes"][first]
        if short["avg_logprob"] >= threshold or base is None:
            return short["hyp"], short["cpu_ms"]
        return item["decodes"][base]["hyp"], short["cpu_ms"] + item["decodes"][base]["cpu_ms"]

    configs = names + ([f"fallback {t:g}" for t in fallbacks] if first and base else [])
    lines = ["| decode | " + " | ".join(f"WER {c} (wrong / words)" for c in conditions)
             + " | utterances better / worse than 30 s | CPU ms per decode |",
             "|---|" + "---|" * (len(conditions) + 2)]
    for name in configs:
        cells, cpu, better, worse = [], [], 0, 0
        for condition in conditions:
            chosen = [(it, *pick(it, name)) for it in items if it["condition"] == condition]
            rate, wrong, words = _wer([(it["ref"], hyp) for it, hyp, _ in chosen])
            cells.append(f"{100 * rate:.1f}% ({wrong} / {words})")
            cpu += [c for _, _, c in chosen]
            if base is not None:
                for it, hyp, _ in chosen:
                    delta = _utterance_errors(it["ref"], hyp) - _utterance_errors(it["ref"],
                                                                                  it["decodes"][base]["hyp"])
                    better += delta < 0
                    worse += delta > 0
        label = f"{name} s" if name not in ("plain",) and not name.startswith("fallback") else name
        if name.endswith("+retry"):
            label = f"{name.removesuffix('+retry')} s, the product's 30 s retry (WhisperTranscriber)"
        if name.startswith("fallback"):
            label = f"{first} s, 30 s again below avg log-prob {name.split(' ')[1]}"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {better} / {worse} | "
                     f"{sum(cpu) / max(1, len(cpu)):.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", default="10,15,20,24,30", help="encoder windows in seconds, 10-30")
    parser.add_argument("--retry-windows", default="", help="windows to run with the product's 30 s retry")
    parser.add_argument("--conditions", default="clean,telephone", help="corpus conditions (clean, "
                        "telephone, noisy)")
    parser.add_argument("--fallback-logprob", default="", help="thresholds for the decode-again rule")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="write every decode here")
    parser.add_argument("--from-json", type=Path, help="summarise an earlier --json instead of decoding")
    args = parser.parse_args()
    try:
        windows = [float(w) for w in args.windows.split(",")]
        fallbacks = [float(t) for t in args.fallback_logprob.split(",") if t]
        retry_windows = [float(w) for w in args.retry_windows.split(",") if w]
    except ValueError:
        print("encoder_window.py: --windows and --fallback-logprob take numbers, e.g. 15,30", file=sys.stderr)
        raise SystemExit(2) from None
    if any(not 10 <= w <= 30 for w in windows + retry_windows):
        print("encoder_window.py: windows must be between 10 and 30 seconds", file=sys.stderr)
        raise SystemExit(2)
    conditions = [c for c in args.conditions.split(",") if c]
    if args.from_json:
        items = json.loads(args.from_json.read_text())
    else:
        items = run(windows, conditions, args.corpus, retry_windows)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(items, indent=1))
    print(f"{len(items)} files")
    print("\n".join(summarise(items, conditions, fallbacks)))


if __name__ == "__main__":
    main()
