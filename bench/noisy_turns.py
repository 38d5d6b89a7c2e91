"""How many turns an SNR line (``NOISY_WINDOW_SNR_DB``, voicebot/audio/snr.py) takes for noisy, per corpus.

    python bench/noisy_turns.py [--wer-corpus var/bench/wer_corpus] [--phone-corpus var/bench/phone_corpus]
        [--digits ../shared/data/digits] [--snr-db 25,30,35,40]

A turn under the line is encoded over whisper's whole 30 s window (about 2.5x the CPU of the 15 s one),
so the fraction is the rule's live cost. Per condition of bench/wer.py's corpus, per voice of the
phone-answer corpus (English; its files are padded with digital silence), and for the real FSDD digits
as a live turn would hold them: each recording (trimmed tight to the word) with 300 ms before and 300 ms
after of its own quietest 20 ms frame repeated, i.e. the line's noise in the pre-roll and the pause.
Reads the corpora as built; builds nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicebot.audio.io import read_audio  # noqa: E402
from voicebot.audio.snr import estimate_snr_db, frame_power_db  # noqa: E402
from voicebot.engines.whisper import NOISY_WINDOW_SNR_DB  # noqa: E402

RATE_HZ = 16_000
FRAME = RATE_HZ * 20 // 1000
PAD_FRAMES = 15  # 300 ms


def with_own_noise(audio: np.ndarray) -> np.ndarray:
    """A recording trimmed to the word, given a pre-roll and a pause of its own quietest frame."""
    quietest = int(np.argmin(frame_power_db(audio, RATE_HZ)))
    floor = np.tile(audio[quietest * FRAME:(quietest + 1) * FRAME], PAD_FRAMES)
    return np.concatenate([floor, audio, floor])


def estimates(args: argparse.Namespace) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    if args.wer_corpus:
        manifest = json.loads((args.wer_corpus / "corpus.json").read_text())
        for row in manifest["files"]:
            audio = read_audio(args.wer_corpus / row["file"], RATE_HZ)
            groups[f"wer corpus, {row['condition']}"].append(estimate_snr_db(audio, RATE_HZ))
    if args.phone_corpus:
        for item in json.loads((args.phone_corpus / "corpus.json").read_text())["items"]:
            if item["language"] == "en":
                audio = read_audio(args.phone_corpus / item["file"], RATE_HZ)
                groups[f"phone corpus, {item['voice']} {item['condition']}"].append(
                    estimate_snr_db(audio, RATE_HZ))
    if args.digits:
        for path in sorted(args.digits.glob("*.wav")):
            audio = with_own_noise(read_audio(path, RATE_HZ))
            groups[f"FSDD {path.stem.split('_')[1]}, 8 kHz, its own noise around the word"].append(
                estimate_snr_db(audio, RATE_HZ))
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wer-corpus", type=Path)
    parser.add_argument("--phone-corpus", type=Path)
    parser.add_argument("--digits", type=Path)
    parser.add_argument("--snr-db", default=f"{NOISY_WINDOW_SNR_DB:g}", help="SNR lines in dB, e.g. 30,40")
    args = parser.parse_args()
    try:
        lines = [float(t) for t in args.snr_db.split(",") if t]
    except ValueError:
        print("noisy_turns.py: --snr-db takes numbers, e.g. 30,40", file=sys.stderr)
        raise SystemExit(2) from None
    for corpus in (args.wer_corpus, args.phone_corpus):
        if corpus is not None and not (corpus / "corpus.json").is_file():
            print(f"noisy_turns.py: no corpus.json in {corpus} (build it with its bench/ maker)",
                  file=sys.stderr)
            raise SystemExit(2)
    if args.digits is not None and not args.digits.is_dir():
        print(f"noisy_turns.py: {args.digits} is not a directory of FSDD recordings", file=sys.stderr)
        raise SystemExit(2)
    print("| turns | n | SNR estimate p10 / p50 / p90 (dB) | "
          + " | ".join(f"under {t:g} dB" for t in lines) + " |")
    print("|---|---:|---|" + "---:|" * len(lines))
    for name, values in estimates(args).items():
        v = np.array(values)
        p10, p50, p90 = np.percentile(v, [10, 50, 90])
        cells = " | ".join(f"{100 * float(np.mean(v < t)):.0f}%" for t in lines)
        print(f"| {name} | {v.size} | {p10:.0f} / {p50:.0f} / {p90:.0f} | {cells} |")


if __name__ == "__main__":
    main()
