"""Voice cloning benchmark: speaker similarity, intelligibility and speed of the CPU clone engine.

For each LibriSpeech speaker in /work/shared/data/speakers (or --speakers DIR): clone from its first
clips, hold out the rest, synthesise test sentences with the base voice and with the clone under every
setting in SETTINGS (one run), and report, wideband and through an 8 kHz mu-law phone line:
  - speaker similarity: resemblyzer cosine between each utterance and the held-out clips' centroid
    (target) and the other speakers' centroids (distractors); at 8 kHz the held-out clips go through
    the same phone line;
  - intelligibility: WER of our STT (whisper tiny.en) on base and cloned speech;
  - real-time factor and time to the first audio chunk (wall and CPU), base and cloned.
resemblyzer needs torch, so it runs in a separate venv (.bench-venv) that this script creates if missing.

    .venv/bin/python bench/clone.py [--speakers DIR] [--reference-clips 6] [--settings NAME ...]
        [--cache DIR] [--out bench/results/clone.json] [--whole-sentences]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".bench-venv"
TORCH_WHEEL_DIR = Path("/opt/wheels")
# name -> (training variant, runtime mapping); the engine's default is "gmm16-warp-mean-over0.6-gv1.5@auto"
# (was "gmm16@0.7", then "gmm16-warp@0.6", "gmm16-warp@auto", "gmm16-warp-mean@auto",
# "gmm16-warp-mean-over0.3@auto").
TRAINING = {"full16": {}, "diag64": {"components": 64, "covariance": "diagonal"}}
SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "gmm16@0.7": ("full16", {"strength": 0.7, "global_variance_max_gain": 2.0}),
    "gmm16@1.0": ("full16", {"strength": 1.0, "global_variance_max_gain": 2.0}),
    "gmm16-nogv@0.7": ("full16", {"strength": 0.7, "global_variance": False}),
    "gmm16-gv1.3@0.7": ("full16", {"strength": 0.7, "global_variance_max_gain": 1.3}),
    "gmm16@0.6": ("full16", {"strength": 0.6, "global_variance_max_gain": 2.0}),
    "gmm64d@0.7": ("diag64", {"strength": 0.7, "global_variance_max_gain": 2.0}),
    "gmm64d@1.0": ("diag64", {"strength": 1.0, "global_variance_max_gain": 2.0}),
    "knn4@0.7": ("full16", {"strength": 0.7, "method": "knn", "neighbours": 4}),
    "knn4@1.0": ("full16", {"strength": 1.0, "method": "knn", "neighbours": 4}),
    "knn8@0.85": ("full16", {"strength": 0.85, "method": "knn", "neighbours": 8, "smooth_frames": 5}),
    # Frame selection by content: paired (base-voice frames DTW-paired with the target's) or normalised
    # (each speaker's frames normalised by its own mean and spread); "blend8" keeps mel-cepstral
    # coefficients 1-8 from the GMM and takes the rest from the selection.
    "knn-paired4@0.7": ("full16", {"strength": 0.7, "method": "knn", "query": "paired"}),
    "knn-paired4@1.0": ("full16", {"strength": 1.0, "method": "knn", "query": "paired"}),
    "knn-norm4@1.0": ("full16", {"strength": 1.0, "method": "knn", "query": "normalised"}),
    "blend8-paired@0.85": ("full16", {"strength": 0.85, "method": "knn", "query": "paired", "gmm_below": 8}),
    "blend8-paired@1.0": ("full16", {"strength": 1.0, "method": "knn", "query": "paired", "gmm_below": 8}),
    # Post-filters and aperiodicity: "ms" = modulation-spectrum post-filter instead of global variance,
    # "ap" = the aperiodicity shifted to the target's mean.
    "gmm16-ms@0.7": ("full16", {"strength": 0.7, "modulation": True}),
    "gmm16-ap@0.7": ("full16", {"strength": 0.7, "target_aperiodicity": True}),
    "gmm16-ms-ap@0.7": ("full16", {"strength": 0.7, "modulation": True, "target_aperiodicity": True}),
    # "warp": the blend starts from the base spectrum frequency-warped towards the target (a vocal-tract
    # length change learnt from the paired frames) instead of the base spectrum as it is.
    "gmm16-warp@0.7": ("full16", {"strength": 0.7, "warp_base": True}),
    "gmm16-warp@0.6": ("full16", {"strength": 0.6, "warp_base": True}),
    "gmm16-warp@0.5": ("full16", {"strength": 0.5, "warp_base": True}),
    "gmm16-warp@0.8": ("full16", {"strength": 0.8, "warp_base": True}),
    # "auto": the strength `voice clone` chooses for each speaker (voice/strength.py: the closest of 0.8,
    # 0.7, 0.6 that our STT hears within 2 words of the base voice on sentences not used below).
    "gmm16-warp@auto": ("full16", {"strength": "auto", "warp_base": True}),
    "gmm16-warp@auto1": ("full16", {"strength": "auto1", "warp_base": True}),  # within 1 word, not 2
    # "mean": the long-term mean spectrum moved all the way to the target's, the strength blending the rest.
    "gmm16-warp-mean@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True}),
    "gmm16-warp-mean@auto": ("full16", {"strength": "auto", "warp_base": True, "target_mean": True}),
    # "over0.3": the long-term mean moved 0.3 of the base-to-target distance beyond the target's (a
    # caricature); "rate": Piper speaks at the speaker's own rate (learnt duration ratio), "rate0.5"
    # half-way (geometrically).
    "gmm16-warp-mean-over0.3@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                "mean_overshoot": 0.3}),
    "gmm16-warp-mean-over0.6@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                "mean_overshoot": 0.6}),
    "gmm16-warp-mean-over0.3@auto": ("full16", {"strength": "auto", "warp_base": True, "target_mean": True,
                                                 "mean_overshoot": 0.3}),
    # "auto" listens wideband and through the phone line since the sixth round; "autowide" wideband only
    # (the chooser of the rounds before).
    "gmm16-warp-mean-over0.3@autowide": ("full16", {"strength": "autowide", "warp_base": True,
                                                     "target_mean": True, "mean_overshoot": 0.3}),
    "gmm16-warp-mean-rate@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                             "match_rate": 1.0}),
    "gmm16-warp-mean-rate0.5@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                "match_rate": 0.5}),
    "gmm16-warp-mean-over0.3-rate@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                     "mean_overshoot": 0.3, "match_rate": 1.0}),
    "gmm16-warp-mean-rate@auto": ("full16", {"strength": "auto", "warp_base": True, "target_mean": True,
                                              "match_rate": 1.0}),
    "gmm16-warp-mean-over0.3-rate@auto": ("full16", {"strength": "auto", "warp_base": True,
                                                      "target_mean": True, "mean_overshoot": 0.3,
                                                      "match_rate": 1.0}),
    # "class": the mean difference per sound class (the GMM components' target minus base means, weighted
    # by each frame's component posteriors) instead of one over all speech.
    "gmm16-warp-mean-class@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                              "mean_per_class": True}),
    "gmm16-warp-mean-class@auto": ("full16", {"strength": "auto", "warp_base": True, "target_mean": True,
                                               "mean_per_class": True}),
    "gmm16-warp-mean-class-rate@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                   "mean_per_class": True, "match_rate": 1.0}),
    "gmm16-warp-mean-class-over0.3@0.6": ("full16", {"strength": 0.6, "warp_base": True,
                                                      "target_mean": True, "mean_per_class": True,
                                                      "mean_overshoot": 0.3}),
    # Sixth round: the overshoot half-way between 0.3 and 0.6, the default at 0.7, and the target's
    # aperiodicity ("ap") on top of the default.
    "gmm16-warp-mean-over0.45@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                 "mean_overshoot": 0.45}),
    "gmm16-warp-mean-over0.3@0.7": ("full16", {"strength": 0.7, "warp_base": True, "target_mean": True,
                                                "mean_overshoot": 0.3}),
    "gmm16-warp-mean-over0.3-ap@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                   "mean_overshoot": 0.3, "target_aperiodicity": True}),
    # "gv1.3": the variance post-filter's gain capped at 1.3 (the full gain brought speaker 1998's clone
    # closer to speaker 1688 than to her: bench/results/clone_round6_explore.txt).
    "gmm16-warp-mean-over0.3-gv1.3@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                      "mean_overshoot": 0.3,
                                                      "global_variance_max_gain": 1.3}),
    "gmm16-warp-mean-over0.6-gv1.3@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                      "mean_overshoot": 0.6,
                                                      "global_variance_max_gain": 1.3}),
    "gmm16-warp-mean-over0.6-gv1.5@0.6": ("full16", {"strength": 0.6, "warp_base": True, "target_mean": True,
                                                      "mean_overshoot": 0.6,
                                                      "global_variance_max_gain": 1.5}),
    "gmm16-warp-mean-over0.6-gv1.3@auto": ("full16", {"strength": "auto", "warp_base": True,
                                                       "target_mean": True, "mean_overshoot": 0.6,
                                                       "global_variance_max_gain": 1.3}),
    "gmm16-warp-mean-over0.6-gv1.5@auto": ("full16", {"strength": "auto", "warp_base": True,
                                                       "target_mean": True, "mean_overshoot": 0.6,
                                                       "global_variance_max_gain": 1.5}),
    "blend8-paired-warp@0.7": ("full16", {"strength": 0.7, "method": "knn", "query": "paired", "gmm_below": 8,
                                          "warp_base": True}),
}
# The settings above were named before the warped base, the target's mean, the overshoot and the cap of
# 1.5 on the variance gain became the engine's defaults: off (gain up to 2) unless named.
_BEFORE_WARP = {"warp_base": False, "target_mean": False, "mean_overshoot": 0.0,
                "global_variance_max_gain": 2.0}
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


def timed_synthesis(synth, text: str) -> tuple[np.ndarray, float, float, float, float]:  # type: ignore[no-untyped-def]
    """Audio, wall seconds, wall seconds to the first chunk, CPU seconds to the first chunk, CPU seconds
    (all threads of this process: the fair cost figure when the machine is shared)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    first = first_cpu = None
    chunks = []
    for chunk in synth.synthesize(text):
        if first is None:
            first, first_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        chunks.append(chunk)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return np.concatenate(chunks), total, first or total, first_cpu or cpu, cpu


def phone_line(path: Path, out: Path) -> Path:
    """The file as a caller hears it: 8 kHz, G.711 mu-law, decoded again."""
    from voicebot.audio.g711 import ulaw_decode, ulaw_encode
    from voicebot.audio.io import read_audio, write_wav

    narrow = read_audio(path, 8_000)
    pcm = np.clip(narrow * 32767.0, -32768, 32767).astype(np.int16)
    write_wav(out, ulaw_decode(ulaw_encode(pcm)), 8_000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speakers", default="/work/shared/data/speakers")
    parser.add_argument("--reference-clips", type=int, default=6)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--cache", help="keep prepared training data and models here between runs")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "clone.json"))
    parser.add_argument("--call", metavar="SPEAKER",
                        help="instead: per-turn latency of `voicebot call --fast` with SPEAKER's clone "
                             "(default settings) against the base voice, calls alternating")
    parser.add_argument("--calls", type=int, default=2, help="calls per voice with --call (10 turns each)")
    parser.add_argument("--markdown", metavar="JSON", help="instead: print the tables of a finished run")
    parser.add_argument("--whole-sentences", action="store_true",
                        help="Piper renders each sentence in one go (as before the split decoder)")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return 0
    if args.call:
        return call_latency(Path(args.speakers) / args.call, args.reference_clips, args.calls,
                            Path(args.cache) if args.cache else None, Path(args.out))

    from voicebot.audio.io import read_audio, write_wav
    from voicebot.voice import cpu_clone, mapping
    from voicebot.voice.backend import base_synthesizer, transcribe_synthesized
    from voicebot.voice.clips import load_clip
    from voicebot.voice.cpu_engine import choose_strength

    speakers_dir = Path(args.speakers)
    speakers = sorted(p.name for p in speakers_dir.iterdir() if p.is_dir())
    genders = {}
    for line in (speakers_dir / "SPEAKERS.TXT").read_text().splitlines():
        parts = [x.strip() for x in line.split("|")]
        if parts and parts[0] in speakers:
            genders[parts[0]] = parts[1]
    work = Path(tempfile.mkdtemp(prefix="clone-bench-"))
    cache = Path(args.cache) if args.cache else work
    cache.mkdir(parents=True, exist_ok=True)

    def fresh_base(scale: float) -> Any:
        # A new, seeded Piper for every voice and every strength choice: Piper's noise (its rhythm and
        # texture) goes on from sentence to sentence within one instance, so a shared one gave each
        # setting other base audio, and the strength choice other sentences, depending on what had been
        # said before (the run-to-run noise of the earlier rounds). Now every setting converts the same
        # base audio and a run repeats.
        return base_synthesizer("en", 1.0 / scale, whole_sentences=args.whole_sentences)

    rows: dict[str, dict[str, Any]] = {}
    # "base" or "speaker/setting" -> wav paths (wideband) and their phone-line copies
    utterances: dict[str, list[str]] = {}
    heldout: dict[str, list[str]] = {}
    stats: dict[str, dict[str, Any]] = {"base": _new_stats()}
    for speaker in speakers:
        clips = sorted((speakers_dir / speaker).glob("*.flac"))
        reference, held = clips[: args.reference_clips], clips[args.reference_clips:]
        heldout[speaker] = [str(p) for p in held]
        loaded = [load_clip(p) for p in reference]
        rows[speaker] = {"sex": genders.get(speaker, "?"),
                         "reference_s": round(sum(c.duration_s for c in loaded), 1), "train_s": {}}
        data_file = cache / f"{speaker}-{args.reference_clips}.pkl"
        if data_file.is_file():
            data = pickle.loads(data_file.read_bytes())
        else:
            started = time.process_time()
            data = cpu_clone.prepare(loaded, "en")
            rows[speaker]["prepare_cpu_s"] = round(time.process_time() - started, 1)
            data_file.write_bytes(pickle.dumps(data))
        models = {}
        for variant in sorted({SETTINGS[name][0] for name in args.settings}):
            model_file = cache / f"{speaker}-{args.reference_clips}-{variant}.npz"
            if model_file.is_file():
                models[variant] = cpu_clone.ConversionModel.load(model_file)
                continue
            started = time.process_time()
            models[variant] = cpu_clone.fit(data, cpu_clone.TrainingOptions(**TRAINING[variant]))
            rows[speaker]["train_s"][variant] = round(time.process_time() - started, 1)
            models[variant].save(model_file)
        # Models cached before the duration ratio was learnt: the same figure from the same data.
        ratio = cpu_clone.duration_ratio(data.pairs)
        models = {v: replace(m, duration_ratio=ratio) for v, m in models.items()}
        rows[speaker]["duration_ratio"] = round(ratio, 3)
        engines: list[tuple[str, Any]] = []
        for name in args.settings:
            variant, chosen = SETTINGS[name]
            how = {**_BEFORE_WARP, **chosen}
            scale = models[variant].length_scale(mapping.Mapping(**{**how, "strength": 1.0}))
            if str(how["strength"]).startswith("auto"):
                started = time.process_time()
                probe = mapping.Mapping(**{**how, "strength": 1.0})  # each candidate replaces the strength
                choice = choose_strength(models[variant], fresh_base(scale), probe, "en",
                                         max_extra=1 if how["strength"] == "auto1" else 2,
                                         phone_line=how["strength"] != "autowide")
                assert choice is not None
                how["strength"] = choice.strength
                rows[speaker].setdefault("chosen_strength", {})[name] = {
                    "strength": choice.strength, "cpu_s": round(time.process_time() - started, 1),
                    "trials": [[t.strength, t.misheard_words, t.phone_misheard_words] for t in choice.trials],
                    "base_misheard_words": choice.base_misheard_words,
                    "base_phone_misheard_words": choice.base_phone_misheard_words, "words": choice.words}
            engines.append((name, cpu_clone.ClonedSynthesizer(fresh_base(scale), models[variant], speaker,
                                                              mapping.Mapping(**how))))
        if speaker == speakers[0]:
            engines.insert(0, ("base", fresh_base(1.0)))
        for kind, engine in engines:
            key = "base" if kind == "base" else f"{speaker}/{kind}"
            entry = stats["base"] if kind == "base" else stats.setdefault(kind, _new_stats())
            per_speaker = _new_stats()
            for index, text in enumerate(SENTENCES):
                audio, total, first, first_cpu, cpu = timed_synthesis(engine, text)
                path = work / f"{key.replace('/', '-')}-{index}.wav"
                write_wav(path, audio, engine.sample_rate_hz)
                narrow = phone_line(path, path.with_suffix(".8k.wav"))
                for bucket in (entry, per_speaker):
                    bucket["seconds"] += total
                    bucket["cpu_s"] += cpu
                    bucket["audio_s"] += audio.size / engine.sample_rate_hz
                    bucket["first_s"].append(first)
                    bucket["first_cpu_s"].append(first_cpu)
                    bucket["refs"].append(text)
                    bucket["hyps"].append(transcribe_synthesized(read_audio(path, 16_000), 16_000))
                    bucket["hyps_8k"].append(transcribe_synthesized(read_audio(narrow, 16_000), 16_000))
                utterances.setdefault(key, []).append(str(path))
            if kind != "base":
                rows[speaker][kind] = _wer(per_speaker)
        print(speaker, json.dumps(rows[speaker]), file=sys.stderr, flush=True)

    held_narrow = {s: [str(phone_line(Path(p), work / f"held-{s}-{i}.8k.wav")) for i, p in enumerate(paths)]
                   for s, paths in heldout.items()}
    narrow_of = {p: str(Path(p).with_suffix(".8k.wav")) for items in utterances.values() for p in items}
    all_paths = ([p for items in utterances.values() for p in items] + list(narrow_of.values())
                 + [p for v in heldout.values() for p in v] + [p for v in held_narrow.values() for p in v])
    vectors = embed(all_paths, work)
    for band, held_paths, pick in (("", heldout, lambda p: p), ("_8k", held_narrow, lambda p: narrow_of[p])):
        centroid = {s: np.mean([vectors[p] for p in held_paths[s]], axis=0) for s in speakers}
        for speaker in speakers:
            others = [s for s in speakers if s != speaker]
            base_paths = [pick(p) for p in utterances["base"]]
            rows[speaker][f"similarity_base{band}"] = _similarity(vectors, base_paths, centroid[speaker])
            rows[speaker][f"similarity_base_to_others{band}"] = round(float(np.mean(
                [_similarity(vectors, base_paths, centroid[o]) for o in others])), 3)
            # How far her own held-out clips are from the other speakers' (the bench's ceiling on margins).
            rows[speaker][f"heldout_to_each{band}"] = {
                o: _similarity(vectors, held_paths[speaker], centroid[o]) for o in others}
            for name in args.settings:
                paths = [pick(p) for p in utterances[f"{speaker}/{name}"]]
                entry = rows[speaker][name]
                entry[f"similarity{band}"] = _similarity(vectors, paths, centroid[speaker])
                to_others = [_similarity(vectors, paths, centroid[o]) for o in others]
                entry[f"similarity_to_others{band}"] = round(float(np.mean(to_others)), 3)
                entry[f"similarity_to_each{band}"] = dict(zip(others, to_others, strict=True))
                entry[f"closest_is_self{band}"] = bool(entry[f"similarity{band}"] > max(to_others))
    settings_summary = {}
    for name in args.settings:
        per = [rows[s][name] for s in speakers]
        settings_summary[name] = {
            "training": SETTINGS[name][0], "mapping": SETTINGS[name][1], **_summary(stats[name]),
            **{key: round(float(np.mean([p[key] for p in per])), 3)
               for key in ("similarity", "similarity_to_others", "wer", "similarity_8k",
                           "similarity_to_others_8k", "wer_8k")},
            "min_margin": round(float(min(p["similarity"] - p["similarity_to_others"] for p in per)), 3),
            "all_closest_to_self": all(p["closest_is_self"] for p in per),
            "all_closest_to_self_8k": all(p["closest_is_self_8k"] for p in per),
            **({"chosen_strength": {s: rows[s]["chosen_strength"][name]["strength"] for s in speakers}}
               if str(SETTINGS[name][1].get("strength")).startswith("auto") else {})}
    summary = {"load_average_1min": round(os.getloadavg()[0], 1),
               "piper": "whole sentences" if args.whole_sentences else "split decoder",
               "sentences": list(SENTENCES), "reference_clips": args.reference_clips,
               "settings": settings_summary, "base": _summary(stats["base"]), "speakers": rows}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


_RUN_CLI = "import sys; from voicebot.cli import main; sys.exit(main(sys.argv[1:]))"


def call_latency(speaker_dir: Path, reference_clips: int, calls: int, cache: Path | None, out: Path) -> int:
    """Per-turn response latency through the file door, base voice against a clone, A B A B."""
    import shutil

    sys.path.insert(0, str(ROOT))
    from bench.latency import DIALOGUE, _caller_turns, _turn_audio
    from voicebot.audio.io import write_wav
    from voicebot.voice import cpu_clone
    from voicebot.voice.profile import Profile

    work = Path(tempfile.mkdtemp(prefix="clone-call-"))
    clips = sorted(speaker_dir.glob("*.flac"))[:reference_clips]
    voices = work / "voices"
    folder = voices / "clone"
    (folder / "clips").mkdir(parents=True)
    names = []
    for index, clip in enumerate(clips, start=1):
        names.append(f"clips/{index:02d}.flac")
        shutil.copyfile(clip, folder / names[-1])
    profile = Profile(name="clone", directory=folder, engine="cpu-clone", languages=("en",),
                      clips=tuple(names), settings={"speed": 1.0})
    model_file = cache / f"{speaker_dir.name}-{reference_clips}-full16.npz" if cache else None
    if model_file is not None and model_file.is_file():  # the model the main bench trained on these clips
        shutil.copyfile(model_file, folder / cpu_clone.MODEL_FILE)
        profile = Profile(**{**{f: getattr(profile, f) for f in ("name", "directory", "engine", "languages",
                                                                "clips", "settings")},
                             "checksum": profile.current_checksum(), "artefacts": (cpu_clone.MODEL_FILE,)})
        profile.save()
    else:
        profile.build(lambda msg: print(msg, file=sys.stderr))
    dialogues = {"base": DIALOGUE, "clone": work / "latency_check_clone.yml"}
    text = DIALOGUE.read_text()
    dialogues["clone"].write_text(text.replace("language: en\n", "language: en\nvoice: clone\n", 1))
    files = []
    for i, audio in enumerate(_turn_audio()):
        path = work / f"turn{i}.wav"
        write_wav(path, np.clip(audio * 32767, -32768, 32767).astype(np.int16), 16_000)
        files.append(str(path))
    env = {**os.environ, "VOICEBOT_VOICES_DIR": str(voices), "PYTHONPATH": str(ROOT)}
    turns: dict[str, list[dict[str, Any]]] = {"base": [], "clone": []}
    for _ in range(calls):
        for voice in ("base", "clone"):
            argv = [sys.executable, "-c", _RUN_CLI, "call", str(dialogues[voice]), "--json", "--fast"]
            for file in files:
                argv += ["--audio", file]
            done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
            turns[voice] += _caller_turns(json.loads(done.stdout))
    result = {}
    for voice, items in turns.items():
        latency = np.array([float(t["latency_ms"]) for t in items])
        tts = np.array([t["timings"]["first_tts_chunk_ms"] - t["timings"]["decision_ms"] for t in items
                        if "first_tts_chunk_ms" in t["timings"] and "decision_ms" in t["timings"]])
        result[voice] = {"turns": len(items), "latency_ms_p50": round(float(np.median(latency))),
                         "latency_ms_p95": round(float(np.percentile(latency, 95))),
                         "tts_first_chunk_ms_p50": round(float(np.median(tts))) if tts.size else None}
    summary = {"speaker": speaker_dir.name, "calls_per_voice": calls, "load_average_1min":
               round(os.getloadavg()[0], 1), **result}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


def markdown(summary: dict[str, Any]) -> str:
    """The BENCHMARKS.md tables of one run: settings (means over speakers), then per speaker."""
    speakers = summary["speakers"]
    base = summary["base"]
    mean_base = {band: round(float(np.mean([row[f"similarity_base{band}"]
                                            for row in speakers.values()])), 3) for band in ("", "_8k")}
    others_base = {band: round(float(np.mean([row[f"similarity_base_to_others{band}"]
                                              for row in speakers.values()])), 3) for band in ("", "_8k")}
    lines = ["| setting | similarity → target | → other speakers | every speaker closest to self | WER | "
             "8 kHz similarity → target | 8 kHz → others | 8 kHz closest to self | 8 kHz WER | "
             "first chunk ms wall / CPU | RTF wall / CPU |", "|---|" + "---:|" * 10,
             f"| base voice | {mean_base['']} | {others_base['']} | – | {base['wer']} | {mean_base['_8k']} | "
             f"{others_base['_8k']} | – | {base['wer_8k']} | {base['first_chunk_ms']} / "
             f"{base['first_chunk_cpu_ms']} | {base['rtf']} / {base['cpu_rtf']} |"]
    for name, row in summary["settings"].items():
        lines.append(
            f"| {name} | {row['similarity']} | {row['similarity_to_others']} | "
            f"{'yes' if row['all_closest_to_self'] else 'no'} | {row['wer']} | {row['similarity_8k']} | "
            f"{row['similarity_to_others_8k']} | {'yes' if row['all_closest_to_self_8k'] else 'no'} | "
            f"{row['wer_8k']} | {row['first_chunk_ms']} / {row['first_chunk_cpu_ms']} | "
            f"{row['rtf']} / {row['cpu_rtf']} |")
    names = list(summary["settings"])
    lines += ["", "| speaker | sex | base → target | " + " | ".join(names) + " |",
              "|---|---|---:|" + "---:|" * len(names)]
    bands = (("", "similarity"), ("_8k", "8 kHz similarity"), ("wer", "WER"), ("wer_8k", "8 kHz WER"))
    for band, label in bands:
        for speaker, row in speakers.items():
            if band.startswith("wer"):
                cells = [str(row[n][band]) for n in names]
                first = "–"
            else:
                cells = [f"{row[n]['similarity' + band]} ({row[n]['similarity_to_others' + band]})"
                         for n in names]
                first = str(row[f"similarity_base{band}"])
            lines.append(f"| {speaker} {label} | {row['sex']} | {first} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _new_stats() -> dict[str, Any]:
    return {"seconds": 0.0, "cpu_s": 0.0, "audio_s": 0.0, "first_s": [], "first_cpu_s": [], "refs": [],
            "hyps": [], "hyps_8k": []}


def _wer(stats: dict[str, Any]) -> dict[str, Any]:
    import jiwer

    return {"wer": round(jiwer.wer(_norm(stats["refs"]), _norm(stats["hyps"])), 3),
            "wer_8k": round(jiwer.wer(_norm(stats["refs"]), _norm(stats["hyps_8k"])), 3)}


def _summary(stats: dict[str, Any]) -> dict[str, Any]:
    return {"rtf": round(stats["seconds"] / stats["audio_s"], 3),
            "cpu_rtf": round(stats["cpu_s"] / stats["audio_s"], 3),
            "first_chunk_ms": round(1000 * float(np.median(stats["first_s"]))),
            "first_chunk_cpu_ms": round(1000 * float(np.median(stats["first_cpu_s"]))),
            # Per test sentence (median over speakers): the first one has a comma, so Piper's first
            # chunk is its first clause; the others are said in one chunk.
            "first_chunk_cpu_ms_by_sentence": [
                round(1000 * float(np.median(stats["first_cpu_s"][i::len(SENTENCES)])))
                for i in range(min(len(SENTENCES), len(stats["first_cpu_s"])))],
            **_wer(stats)}


def _similarity(vectors: dict[str, np.ndarray], paths: list[str], centre: np.ndarray) -> float:
    return round(float(np.mean([cosine(vectors[p], centre) for p in paths])), 3)


def _norm(texts: list[str]) -> list[str]:
    import re

    return [re.sub(r"[^a-z0-9' ]+", " ", t.lower()).strip() for t in texts]


if __name__ == "__main__":
    raise SystemExit(main())
