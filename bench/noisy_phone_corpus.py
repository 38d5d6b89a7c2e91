"""A noisy copy of the phone-answer corpus's English closed asks on the line, for bench/phone_answers.py.

    python bench/noisy_phone_corpus.py [--corpus var/bench/phone_corpus] OUT_DIR [--snr-db 15]

Every English phone8 file of a number, yes/no or intent ask, with seeded noise mixed in at ``--snr-db`` of
its power (white noise for every other file, three other answers' babble for the rest) and passed through
G.711 mu-law again. The manifest keeps the source's digest, so ``bench/phone_answers.py --corpus OUT_DIR``
reads the copy as it stands and never rebuilds it. Reads the source corpus as built; builds nothing there.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicebot.audio.g711 import ulaw_decode, ulaw_encode  # noqa: E402
from voicebot.audio.io import read_audio, write_wav  # noqa: E402

LINE_HZ = 8_000
ASKS = ("number", "yes_no", "intent")


def noisy(audio: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``audio`` with ``noise`` at ``snr_db`` of its power, never clipped, through mu-law."""
    scale = np.sqrt(np.mean(audio ** 2) / (max(float(np.mean(noise ** 2)), 1e-12) * 10 ** (snr_db / 10)))
    mixed = audio + scale * noise
    mixed *= min(1.0, 0.99 / max(float(np.abs(mixed).max()), 1e-9))
    return np.asarray(ulaw_decode(ulaw_encode((mixed * 32767).astype(np.int16))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT / "var" / "bench" / "phone_corpus")
    parser.add_argument("--snr-db", type=float, default=15.0)
    args = parser.parse_args()
    if not (args.corpus / "corpus.json").is_file():
        print(f"noisy_phone_corpus.py: no corpus.json in {args.corpus} (bench/phone_corpus.py builds it)",
              file=sys.stderr)
        raise SystemExit(2)
    if args.out_dir.resolve() == args.corpus.resolve():
        print("noisy_phone_corpus.py: OUT_DIR must not be the source corpus", file=sys.stderr)
        raise SystemExit(2)
    manifest = json.loads((args.corpus / "corpus.json").read_text(encoding="utf-8"))
    items = [it for it in manifest["items"]
             if it["language"] == "en" and it["condition"] == "phone8" and it["ask"] in ASKS]
    pool = [read_audio(args.corpus / it["file"], LINE_HZ).astype(np.float64) for it in items[:40]]
    for index, item in enumerate(items):
        audio = read_audio(args.corpus / item["file"], LINE_HZ).astype(np.float64)
        rng = np.random.default_rng(zlib.crc32(item["file"].encode()))
        if index % 2 == 0:
            noise = rng.standard_normal(audio.size)
        else:
            noise = np.zeros(audio.size)
            for pick in rng.choice(len(pool), 3, replace=False):
                other = pool[pick]
                looped = np.tile(other, audio.size // max(other.size, 1) + 2)
                start = int(rng.integers(0, max(other.size, 1)))
                noise += looped[start:start + audio.size]
        out = args.out_dir / item["file"]
        out.parent.mkdir(parents=True, exist_ok=True)
        write_wav(out, noisy(audio, noise, args.snr_db), LINE_HZ)
    (args.out_dir / "corpus.json").write_text(json.dumps({**manifest, "items": items}), encoding="utf-8")
    print(f"{len(items)} files at {args.snr_db:g} dB in {args.out_dir}")


if __name__ == "__main__":
    main()
