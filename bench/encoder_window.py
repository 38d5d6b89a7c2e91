"""Whisper's encoder window (``stt.encoder_window_s``) against word error rate and CPU, in one run.

    python bench/encoder_window.py [--windows 10,15,20,24,30] [--retry-windows 15]
        [--conditions clean,telephone] [--fallback-logprob=-0.5,-0.7] [--json OUT.json]
        [--noisy-window] [--noisy-snr-db 25,30,40] [--part first|second]
        [--retry-logprob=-0.5,-0.7,-1] [--halves] [--product]

On bench/wer.py's corpus (built under var/bench/wer_corpus if missing), every file is decoded by the
live engine pool's decode (tiny.en int8, beam 3, temperatures 0 / 0.4, no word timestamps: the window
decode) once per window, and by plain faster-whisper (beam 3, temperature 0, no timestamps; issue 10's
reference: the product's path must not be worse than it). Per window and condition: WER (bench/wer.py's
normalisation), words wrong, utterances better / worse than the 30 s window, and process CPU ms per
decode (one CTranslate2 thread, so the figure is a core's work, not the wall time under load).

``--retry-windows W``: the product's own retry as well (``WhisperTranscriber(encoder_window_s=W)`` with its
default ``window_retry_logprob``: an unsure short-window final is decoded again over 30 s, the likelier
kept); the plain windows above run with the retry and the noisy-turn window off.

``--noisy-window``: with ``--retry-windows W``, the product before free finals took 30 s as well
(``W+retry+noisy``: a turn whose estimated SNR, voicebot/audio/snr.py, is under ``NOISY_WINDOW_SNR_DB`` is
encoded over 30 s at once); ``W+retry`` then runs with that rule off (the product before it). Every window
above is the free window too (``free_window_s=W``): these turns have no expected answers.

``--product``: the transcriber with its default settings as well (``WhisperTranscriber()``: the window of a
turn without expected answers is ``FREE_WINDOW_S``).

``--noisy-snr-db T``: that rule computed from the same decodes, no extra run: the 30 s decode where the
file's estimated SNR is under T, else the ``W+retry`` decode (the table says how many took 30 s).

``--part first|second``: summarise only the first or the second half of the corpus's sentences (a tuning
half and a held-out half; every file's SNR estimate is in the JSON as ``snr_db``).

``--fallback-logprob T``: a rule computed from the same decodes, no extra run: decode with the shortest
window of ``--windows`` >= 15 s first, and decode again over 30 s when that transcript's mean token
log-probability is below T (CPU = the short decode, plus the 30 s decode where it fell back).

``--retry-logprob T``: the product's rules computed from the same decodes for every window of ``--windows``
under 30 s and every line T: a turn under ``NOISY_WINDOW_SNR_DB`` takes the 30 s decode at once, any other
is decoded over the window and again over 30 s when its mean token log-probability is under T, the
likelier of the two kept (``retry 15 -1`` is the shipped default; the table gives the turns that decoded
30 s at all).

``--halves``: three tables in one run: the first half of the sentences (tuning), the second (held out),
and the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from wer import DEFAULT_CORPUS, RATE_HZ, load_corpus, normalize  # noqa: E402

from voicebot.audio.io import read_audio  # noqa: E402
from voicebot.audio.snr import estimate_snr_db  # noqa: E402
from voicebot.engines.whisper import NOISY_WINDOW_SNR_DB  # noqa: E402


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
        retry_windows: list[float], noisy_window: bool, product: bool) -> list[dict[str, Any]]:
    from faster_whisper import WhisperModel

    from voicebot.engines.models import resolve_whisper_model
    from voicebot.engines.whisper import WhisperTranscriber

    transcribers = {f"{w:g}": WhisperTranscriber("tiny.en", language="en", word_timestamps=False,
                                                 cpu_threads=1, encoder_window_s=w, window_retry_logprob=None,
                                                 noisy_window_snr_db=None, free_window_s=w)
                    for w in windows}
    for w in retry_windows:
        transcribers[f"{w:g}+retry"] = WhisperTranscriber("tiny.en", language="en", word_timestamps=False,
                                                          cpu_threads=1, encoder_window_s=w,
                                                          noisy_window_snr_db=None, free_window_s=w)
        if noisy_window:
            transcribers[f"{w:g}+retry+noisy"] = WhisperTranscriber("tiny.en", language="en",
                                                                    word_timestamps=False, cpu_threads=1,
                                                                    encoder_window_s=w, free_window_s=w)
    if product:
        transcribers["product"] = WhisperTranscriber("tiny.en", language="en", word_timestamps=False,
                                                     cpu_threads=1)
    plain = WhisperModel(str(resolve_whisper_model("tiny.en", "en")), device="cpu", compute_type="int8",
                         cpu_threads=1, local_files_only=True)
    rows = [r for r in load_corpus(corpus) if r["condition"] in conditions]
    out = []
    for i, row in enumerate(rows):
        audio = read_audio(row["path"], RATE_HZ)
        item: dict[str, Any] = {"file": row["file"], "condition": row["condition"], "voice": row["voice"],
                                "ref": normalize(row["reference"]), "audio_s": round(audio.size / RATE_HZ, 2),
                                "snr_db": round(estimate_snr_db(audio, RATE_HZ), 2),
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
              fallbacks: list[float], noisy_thresholds: list[float],
              retry_lines: Sequence[float] = ()) -> list[str]:
    names = list(items[0]["decodes"])
    windows = [n for n in names if n not in ("plain", "product") and "retry" not in n]
    retried = next((n for n in names if n.endswith("+retry")), None)
    first = min((w for w in windows if float(w) >= 15), key=float, default=None)
    base = "30" if "30" in windows else None

    def retry(item: dict[str, Any], name: str) -> tuple[str, float, bool]:
        _, window, line = name.split(" ")
        wide = item["decodes"]["30"]
        if item["snr_db"] < NOISY_WINDOW_SNR_DB:
            return wide["hyp"], wide["cpu_ms"], True
        short = item["decodes"][window]
        if short["avg_logprob"] >= float(line):
            return short["hyp"], short["cpu_ms"], False
        kept = wide if wide["avg_logprob"] >= short["avg_logprob"] else short
        return kept["hyp"], short["cpu_ms"] + wide["cpu_ms"], True

    def pick(item: dict[str, Any], name: str) -> tuple[str, float]:
        if name.startswith("retry "):
            return retry(item, name)[:2]
        if name.startswith("noisy"):
            taken = "30" if item["snr_db"] < float(name.split(" ")[1]) else str(retried)
            return item["decodes"][taken]["hyp"], item["decodes"][taken]["cpu_ms"]
        if not name.startswith("fallback"):
            decode = item["decodes"][name]
            return decode["hyp"], decode["cpu_ms"]
        threshold = float(name.split(" ")[1])
        short = item["decodes"][first]
        if short["avg_logprob"] >= threshold or base is None:
            return short["hyp"], short["cpu_ms"]
        return item["decodes"][base]["hyp"], short["cpu_ms"] + item["decodes"][base]["cpu_ms"]

    configs = names + ([f"fallback {t:g}" for t in fallbacks] if first and base else []) \
        + ([f"noisy {t:g}" for t in noisy_thresholds] if retried and base else []) \
        + ([f"retry {w} {t:g}" for w in windows if float(w) < 30 for t in retry_lines] if base else [])
    lines = ["| decode | " + " | ".join(f"WER {c} (wrong / words)" for c in conditions)
             + " | utterances better / worse than 30 s | CPU ms per decode, "
             + " / ".join(conditions) + " | files under the SNR line (retry rules: decoded over 30 s) |",
             "|---|" + "---|" * (len(conditions) + 3)]
    for name in configs:
        cells, cpu, better, worse, under = [], [], 0, 0, []
        for condition in conditions:
            chosen = [(it, *pick(it, name)) for it in items if it["condition"] == condition]
            rate, wrong, words = _wer([(it["ref"], hyp) for it, hyp, _ in chosen])
            cells.append(f"{100 * rate:.1f}% ({wrong} / {words})")
            if name.startswith("retry "):
                under.append(f"{sum(retry(it, name)[2] for it, _, _ in chosen)}/{len(chosen)}")
            elif name.startswith("noisy") or name.endswith("+noisy"):
                line = float(name.split(" ")[1]) if name.startswith("noisy") else NOISY_WINDOW_SNR_DB
                under.append(f"{sum(it['snr_db'] < line for it, _, _ in chosen)}/{len(chosen)}")
            cpu.append(sum(c for _, _, c in chosen) / max(1, len(chosen)))
            if base is not None:
                for it, hyp, _ in chosen:
                    delta = _utterance_errors(it["ref"], hyp) - _utterance_errors(it["ref"],
                                                                                  it["decodes"][base]["hyp"])
                    better += delta < 0
                    worse += delta > 0
        label = f"{name} s" if name not in ("plain", "product") and not name.startswith("fallback") else name
        if name == "product":
            label = "the product's defaults (WhisperTranscriber(); these turns have no expected answers)"
        if name.endswith("+retry"):
            label = f"{name.removesuffix('+retry')} s, the product's 30 s retry (WhisperTranscriber)"
        if name.endswith("+retry+noisy"):
            label = (f"{name.removesuffix('+retry+noisy')} s, the product's 30 s retry, 30 s under "
                     f"{NOISY_WINDOW_SNR_DB:g} dB SNR (WhisperTranscriber)")
        if name.startswith("noisy"):
            label = f"{retried}, but 30 s under {name.split(' ')[1]} dB SNR"
        if name.startswith("fallback"):
            label = f"{first} s, 30 s again below avg log-prob {name.split(' ')[1]}"
        if name.startswith("retry "):
            label = (f"{name.split(' ')[1]} s, 30 s retry under {name.split(' ')[2]}, 30 s under "
                     f"{NOISY_WINDOW_SNR_DB:g} dB SNR")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {better} / {worse} | "
                     f"{' / '.join(f'{c:.0f}' for c in cpu)} | {' / '.join(under)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", default="10,15,20,24,30", help="encoder windows in seconds, 10-30")
    parser.add_argument("--retry-windows", default="", help="windows to run with the product's 30 s retry")
    parser.add_argument("--conditions", default="clean,telephone", help="corpus conditions (clean, "
                        "telephone, noisy)")
    parser.add_argument("--fallback-logprob", default="", help="thresholds for the decode-again rule")
    parser.add_argument("--noisy-window", action="store_true", help="the product's noisy-turn window too")
    parser.add_argument("--product", action="store_true", help="the product's default settings too")
    parser.add_argument("--noisy-snr-db", default="", help="SNR lines for the 30 s-when-noisy rule")
    parser.add_argument("--part", choices=("first", "second"), help="summarise one half of the sentences")
    parser.add_argument("--halves", action="store_true", help="tables for each half and the whole")
    parser.add_argument("--retry-logprob", default="", help="retry lines for the product's rules")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="write every decode here")
    parser.add_argument("--from-json", type=Path, help="summarise an earlier --json instead of decoding")
    args = parser.parse_args()
    try:
        windows = [float(w) for w in args.windows.split(",")]
        fallbacks = [float(t) for t in args.fallback_logprob.split(",") if t]
        retry_windows = [float(w) for w in args.retry_windows.split(",") if w]
        noisy_thresholds = [float(t) for t in args.noisy_snr_db.split(",") if t]
        retry_lines = [float(t) for t in args.retry_logprob.split(",") if t]
    except ValueError:
        print("encoder_window.py: --windows, --fallback-logprob, --noisy-snr-db and --retry-logprob take "
              "numbers, e.g. 15,30",
              file=sys.stderr)
        raise SystemExit(2) from None
    if any(not 10 <= w <= 30 for w in windows + retry_windows):
        print("encoder_window.py: windows must be between 10 and 30 seconds", file=sys.stderr)
        raise SystemExit(2)
    conditions = [c for c in args.conditions.split(",") if c]
    if args.from_json:
        items = json.loads(args.from_json.read_text())
    else:
        items = run(windows, conditions, args.corpus, retry_windows, args.noisy_window, args.product)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(items, indent=1))
    if (noisy_thresholds or retry_lines) and any("snr_db" not in it for it in items):
        items = [{**it, "snr_db": estimate_snr_db(read_audio(args.corpus / it["file"], RATE_HZ), RATE_HZ)}
                 for it in items]
    half = (max(int(it["file"][:2]) for it in items) + 1) // 2
    for part in ("first", "second", None) if args.halves else (args.part,):
        chosen = [it for it in items if part is None or (int(it["file"][:2]) < half) == (part == "first")]
        title = {"first": f"first half (sentences 00-{half - 1:02d}, tuning)",
                 "second": f"second half (sentences {half:02d}-, held out)", None: "whole corpus"}[part]
        print(f"\n{title}: {len(chosen)} files")
        print("\n".join(summarise(chosen, conditions, fallbacks, noisy_thresholds, retry_lines)))


if __name__ == "__main__":
    main()
