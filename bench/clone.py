"""Voice cloning benchmark: speaker similarity, intelligibility and speed of the CPU clone engine.

For each LibriSpeech speaker in /work/shared/data/speakers (or --speakers DIR): clone from its first
clips, hold out the rest, synthesise test sentences with the base voice and with the clone, and report
  - speaker similarity: resemblyzer cosine between each utterance and the held-out clips' centroid
    (target) and the other speakers' centroids (distractors);
  - intelligibility: WER of our STT (whisper tiny.en) on base and cloned speech;
  - real-time factor and time to the first audio chunk, base and cloned.
resemblyzer needs torch, so it runs in a separate venv (.bench-venv) that this script creates if missing.

    .venv/bin/python bench/clone.py [--speakers DIR] [--reference-clips 6] [--out bench/results/clone.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".bench-venv"
TORCH_WHEEL_DIR = Path("/opt/wheels")
SENTENCES = (
    "Thank you for calling, how can I help you today?",
    "Your order of two large pizzas will arrive in about thirty minutes.",
    "Could you please confirm your delivery address for me?",
    "I understand, let me transfer you to one of my colleagues.",
)

_EMBED = r"""
import json, sys
import numpy as np
from resemblyzer import VoiceEncoder, preprocess_wav
jobs = json.load(open(sys.argv[1]))
encoder = VoiceEncoder("cpu", verbose=False)
out = {}
for path in jobs:
    out[path] = encoder.embed_utterance(preprocess_wav(path)).tolist()
json.dump(out, open(sys.argv[2], "w"))
"""


def ensure_bench_venv() -> Path:
    python = BENCH_VENV / "bin" / "python"
    check = [str(python), "-c", "import resemblyzer, torch"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print("creating .bench-venv with torch (CPU) and resemblyzer ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    wheels = sorted(TORCH_WHEEL_DIR.glob("torch-*cpu*.whl")) if TORCH_WHEEL_DIR.is_dir() else []
    torch = [str(wheels[-1])] if wheels else ["torch"]  # a CPU wheel on disk when there is one
    subprocess.run([str(python), "-m", "pip", "install", "-q", *torch], check=True)
    # resemblyzer still imports pkg_resources, which setuptools 81 dropped.
    subprocess.run([str(python), "-m", "pip", "install", "-q", "resemblyzer", "setuptools<81"], check=True)
    return python


def embed(paths: list[str], work: Path) -> dict[str, np.ndarray]:
    python = ensure_bench_venv()
    jobs, result = work / "jobs.json", work / "embeddings.json"
    jobs.write_text(json.dumps(paths))
    subprocess.run([str(python), "-c", _EMBED, str(jobs), str(result)], check=True)
    return {k: np.asarray(v) for k, v in json.loads(result.read_text()).items()}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def timed_synthesis(synth, text: str) -> tuple[np.ndarray, float, float, float]:  # type: ignore[no-untyped-def]
    """Audio, wall seconds, wall seconds to the first chunk, CPU seconds (all threads of this process:
    the fair cost figure when the machine is shared)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    first = None
    chunks = []
    for chunk in synth.synthesize(text):
        if first is None:
            first = time.perf_counter() - started
        chunks.append(chunk)
    total = time.perf_counter() - started
    return np.concatenate(chunks), total, first or total, time.process_time() - cpu_started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", default="/work/shared/data/speakers")
    parser.add_argument("--reference-clips", type=int, default=6)
    parser.add_argument("--strengths", type=float, nargs="+", default=[1.0, 0.7, 0.5])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "clone.json"))
    args = parser.parse_args()

    from voicebot.audio.io import read_audio, write_wav
    from voicebot.voice import cpu_clone, mapping
    from voicebot.voice.backend import base_synthesizer, transcribe
    from voicebot.voice.clips import load_clip

    speakers_dir = Path(args.speakers)
    speakers = sorted(p.name for p in speakers_dir.iterdir() if p.is_dir())
    genders = {}
    for line in (speakers_dir / "SPEAKERS.TXT").read_text().splitlines():
        parts = [x.strip() for x in line.split("|")]
        if parts and parts[0] in speakers:
            genders[parts[0]] = parts[1]
    work = Path(tempfile.mkdtemp(prefix="clone-bench-"))
    base = base_synthesizer("en")
    rows: dict[str, dict[str, Any]] = {}
    utterances: dict[str, list[str]] = {}  # "base" or "speaker/clone@strength" -> wav paths
    heldout: dict[str, list[str]] = {}
    base_stats = _new_stats()
    for speaker in speakers:
        clips = sorted((speakers_dir / speaker).glob("*.flac"))
        reference, held = clips[: args.reference_clips], clips[args.reference_clips:]
        heldout[speaker] = [str(p) for p in held]
        loaded = [load_clip(p) for p in reference]
        started = time.perf_counter()
        model = cpu_clone.train(loaded, "en")
        train_s = time.perf_counter() - started
        reference_s = round(sum(c.duration_s for c in loaded), 1)
        rows[speaker] = {"sex": genders.get(speaker, "?"), "reference_s": reference_s,
                         "train_s": round(train_s, 1)}
        engines = [(f"clone@{strength}", cpu_clone.ClonedSynthesizer(
                        base, model, speaker, mapping.Mapping(strength=strength)))
                   for strength in args.strengths]
        if speaker == speakers[0]:
            engines.insert(0, ("base", base))
        for kind, engine in engines:
            stats = base_stats if kind == "base" else _new_stats()
            for index, text in enumerate(SENTENCES):
                audio, total, first, cpu = timed_synthesis(engine, text)
                path = work / f"{speaker}-{kind}-{index}.wav"
                write_wav(path, audio, engine.sample_rate_hz)
                stats["seconds"] += total
                stats["cpu_s"] += cpu
                stats["audio_s"] += audio.size / engine.sample_rate_hz
                stats["first_s"].append(first)
                stats["refs"].append(text)
                stats["hyps"].append(transcribe(read_audio(path, 16_000), "en"))
                utterances.setdefault("base" if kind == "base" else f"{speaker}/{kind}", []).append(str(path))
            if kind != "base":
                rows[speaker][kind] = _summary(stats)
        print(speaker, rows[speaker], file=sys.stderr, flush=True)

    all_paths = [p for items in utterances.values() for p in items] + [p for v in heldout.values() for p in v]
    vectors = embed(all_paths, work)
    centroid = {s: np.mean([vectors[p] for p in heldout[s]], axis=0) for s in speakers}
    for speaker in speakers:
        others = [s for s in speakers if s != speaker]
        rows[speaker]["similarity_base"] = _similarity(vectors, utterances["base"], centroid[speaker])
        rows[speaker]["similarity_base_to_others"] = round(float(np.mean(
            [_similarity(vectors, utterances["base"], centroid[o]) for o in others])), 3)
        for strength in args.strengths:
            paths = utterances[f"{speaker}/clone@{strength}"]
            entry = rows[speaker][f"clone@{strength}"]
            assert isinstance(entry, dict)
            entry["similarity"] = _similarity(vectors, paths, centroid[speaker])
            entry["similarity_to_others"] = round(float(np.mean(
                [_similarity(vectors, paths, centroid[o]) for o in others])), 3)
    summary = {"load_average_1min": round(os.getloadavg()[0], 1),
               "sentences": list(SENTENCES), "reference_clips": args.reference_clips, "speakers": rows,
               "base": _summary(base_stats)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


def _new_stats() -> dict[str, Any]:
    return {"seconds": 0.0, "cpu_s": 0.0, "audio_s": 0.0, "first_s": [], "refs": [], "hyps": []}


def _summary(stats: dict[str, Any]) -> dict[str, Any]:
    import jiwer

    return {"rtf": round(stats["seconds"] / stats["audio_s"], 3),
            "cpu_rtf": round(stats["cpu_s"] / stats["audio_s"], 3),
            "first_chunk_ms": round(1000 * float(np.median(stats["first_s"]))),
            "wer": round(jiwer.wer(_norm(stats["refs"]), _norm(stats["hyps"])), 3)}


def _similarity(vectors: dict[str, np.ndarray], paths: list[str], centre: np.ndarray) -> float:
    return round(float(np.mean([cosine(vectors[p], centre) for p in paths])), 3)


def _norm(texts: list[str]) -> list[str]:
    import re

    return [re.sub(r"[^a-z0-9' ]+", " ", t.lower()).strip() for t in texts]


if __name__ == "__main__":
    raise SystemExit(main())
