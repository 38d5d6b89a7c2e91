"""Our Smart Turn front end against the reference one in the pipecat-ai 1.14.0 wheel, on the same audio.

The reference is pipecat's own code, taken out of the wheel (``pip download --no-deps``, never installed):
``pipecat/audio/turn/smart_turn/_whisper_features.py`` (numpy, vendored from transformers'
WhisperFeatureExtractor) loaded from the file, and the window handling of
``LocalSmartTurnAnalyzerV3._predict_endpoint`` (last 8 s, zero padding in front), restated below because
it is a nested function there. Both feature sets go through the same ONNX session; the table gives the
largest feature and probability differences, and the CPU time of each front end and of the model.

Audio: the no-cut-in corpus (bench/turn_corpus.py), each answer cut where the endpointer asks the model
(200 ms into each pause) and at its end; wideband and through the 8 kHz mu-law line.

    .venv/bin/python bench/turn_features.py [--wheel pipecat_ai-1.14.0-py3-none-any.whl]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from turn_corpus import RATE_HZ, build_corpus

from voicebot.engines.model_fetch import download_wheel
from voicebot.engines.smart_turn import SmartTurnDetector
from voicebot.engines.turn_features import log_mel

REFERENCE_MEMBER = "pipecat/audio/turn/smart_turn/_whisper_features.py"


def load_reference(wheel: Path, directory: Path) -> ModuleType:
    with zipfile.ZipFile(wheel) as archive:
        source = directory / "_whisper_features.py"
        source.write_bytes(archive.read(REFERENCE_MEMBER))
    spec = importlib.util.spec_from_file_location("pipecat_whisper_features", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_features(reference: ModuleType, audio: np.ndarray) -> np.ndarray:
    """LocalSmartTurnAnalyzerV3._predict_endpoint: the last 8 s, zero-padded at the beginning."""
    max_samples = 8 * RATE_HZ
    if len(audio) > max_samples:
        audio = audio[-max_samples:]
    elif len(audio) < max_samples:
        audio = np.pad(audio, (max_samples - len(audio), 0), mode="constant", constant_values=0)
    features: np.ndarray = reference.compute_whisper_log_mel_features(audio, do_normalize=True)
    return features


def clips(limit: int | None) -> list[tuple[str, np.ndarray]]:
    out: list[tuple[str, np.ndarray]] = []
    for sample in build_corpus(voices=("piper-1.0", "espeak-en-us")):
        cuts = [end + 200 for _, end in sample.segments_ms]
        for cut in cuts:
            out.append((f"{sample.key}@{cut}", sample.audio[: round(cut * RATE_HZ / 1000)]))
        if limit is not None and len(out) >= limit:
            break
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, help="a local pipecat-ai 1.14.0 wheel (default: pip download)")
    parser.add_argument("--limit", type=int, help="stop after about this many clips")
    args = parser.parse_args(argv)
    detector = SmartTurnDetector()
    session: Any = detector.session
    with tempfile.TemporaryDirectory(prefix="turn-features-") as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        reference = load_reference(wheel, Path(tmp))
        feature_diffs, probability_diffs = [], []
        ours_ms, theirs_ms, model_ms = [], [], []
        agree = 0
        rows = clips(args.limit)
        log_mel(rows[0][1])  # the first call imports faster-whisper: not part of the front end's cost
        for key, audio in rows:
            t0 = time.process_time()
            ours = log_mel(audio)
            t1 = time.process_time()
            theirs = reference_features(reference, audio)
            t2 = time.process_time()
            (p_ours,) = session.run(None, {"input_features": ours[np.newaxis]})
            t3 = time.process_time()
            (p_theirs,) = session.run(None, {"input_features": theirs[np.newaxis]})
            p1, p2 = float(np.ravel(p_ours)[0]), float(np.ravel(p_theirs)[0])
            ours_ms.append((t1 - t0) * 1000)
            theirs_ms.append((t2 - t1) * 1000)
            model_ms.append((t3 - t2) * 1000)
            feature_diffs.append(float(np.abs(ours - theirs).max()))
            probability_diffs.append(abs(p1 - p2))
            agree += (p1 > 0.5) == (p2 > 0.5)
            print(f"{key:55s} ours {p1:.4f} reference {p2:.4f} features max |diff| {feature_diffs[-1]:.2e}")
    print()
    print("| clips | features max abs diff | probability max abs diff (mean) | same verdict at 0.5 "
          "| front end CPU ours / reference | model CPU |")
    print("|---|---|---|---|---|---|")
    print(f"| {len(rows)} | {max(feature_diffs):.1e} | {max(probability_diffs):.1e} "
          f"({np.mean(probability_diffs):.1e}) | {agree}/{len(rows)} | {np.mean(ours_ms):.1f} / "
          f"{np.mean(theirs_ms):.1f} ms | {np.mean(model_ms):.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
