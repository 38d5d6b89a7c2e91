"""Voice-activity cost: Silero v6 (onnxruntime, one thread) per 32 ms frame, the same figure
scaled to a 30 ms frame, and the pure turn-taking update per frame.

    .venv/bin/python bench/vad.py [--frames N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicebot.audio.turn_taking import TurnTaking
from voicebot.engines.silero import SileroVAD


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=3000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    # Alternating noise and silence, so the RNN sees both kinds of input.
    audio = (rng.standard_normal(args.frames * 512) * 0.05).astype(np.float32)
    audio.reshape(-1, 512)[::2] = 0.0
    frames = audio.reshape(-1, 512)
    vad = SileroVAD()
    for frame in frames[:50]:
        vad.speech_probability(frame)
    vad.reset()
    costs = []
    probabilities = []
    for frame in frames:
        t0 = time.perf_counter()
        probabilities.append(vad.speech_probability(frame))
        costs.append(time.perf_counter() - t0)
    machine = TurnTaking()
    t0 = time.perf_counter()
    for p in probabilities:
        machine.update(p, 32.0)
    turn_us = (time.perf_counter() - t0) / len(probabilities) * 1e6
    us = np.asarray(costs) * 1e6
    print(f"{len(frames)} frames of 512 samples (32 ms at 16 kHz)")
    print("| step | mean us/frame | median | p99 | share of one core (real time) |")
    print("|---|---|---|---|---|")
    print(f"| Silero v6, 32 ms frame | {us.mean():.0f} | {np.median(us):.0f} | {np.percentile(us, 99):.0f} "
          f"| {us.mean() / 32000 * 100:.2f}% |")
    print(f"| Silero v6, per 30 ms of audio | {us.mean() * 30 / 32:.0f} | | | |")
    print(f"| turn-taking update | {turn_us:.1f} | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
