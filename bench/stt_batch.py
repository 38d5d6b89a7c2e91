"""Whether batching concurrent calls' decodes saves CPU: N separate encodes + decodes against one batch of N.

    python bench/stt_batch.py [--corpus var/bench/wer_corpus] [--sizes 1,2,4,8] [--threads 1,0] [--concurrent]
        [--repeats 3] [--window-s 15]

The live final decode's model calls, as voicebot/engines/whisper.py makes them: tiny.en int8, the shipped
encoder window (zero-padded log-mel), the encoder, then the beam-3 decode without timestamps (its
suppressed tokens, no-speech probability and scores). N turn files of the corpus (clean, different
sentences) are decoded N times one by one (as the engine's lock runs them today) and once as one batch
of N (``encode`` of an N x 80 x frames array, ``generate`` with N prompts); per stage, the process CPU
time (every CTranslate2 thread counted) and the wall time, best of ``--repeats``. ``--threads``: the
CTranslate2 intra-op threads (0, CTranslate2's default, is what the product's engine pool uses; 1 is
the benches' one-core figure). The batched transcripts are checked against the separate ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicebot.audio.io import read_audio  # noqa: E402
from voicebot.engines.whisper import DEFAULT_BEAM_SIZE, _window_frames, encoder_input  # noqa: E402

RATE_HZ = 16_000


def _timed(work: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """(best CPU ms, best wall ms, the last result) of ``work`` run ``repeats`` times."""
    cpu, wall, result = float("inf"), float("inf"), None
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        result = work()
        cpu = min(cpu, 1000 * (time.process_time() - c0))
        wall = min(wall, 1000 * (time.perf_counter() - w0))
    return cpu, wall, result


def _row(model: Any, inputs: list[Any], n: int, repeats: int) -> tuple[list[float], int]:
    """[encoder CPU separate, batched, wall separate, batched, decode the same four], same transcripts."""
    import ctranslate2
    import numpy as np
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    tokenizer = Tokenizer(model.hf_tokenizer, False, task="transcribe", language="en")
    prompt = model.get_prompt(tokenizer, [], without_timestamps=True)
    suppress = list(get_suppressed_tokens(tokenizer, [-1]))

    def encode(batch: list[Any]) -> Any:
        return model.encode(np.stack(batch))

    def generate(encoded: Any, count: int) -> list[str]:
        results = model.model.generate(encoded, [prompt] * count, max_length=len(prompt) + 120,
                                       return_scores=True, return_no_speech_prob=True,
                                       suppress_blank=True, suppress_tokens=suppress,
                                       beam_size=DEFAULT_BEAM_SIZE)
        return [tokenizer.decode([t for t in r.sequences_ids[0] if t < tokenizer.eot]).strip()
                for r in results]

    batch = inputs[:n]
    singles = [encode([x]) for x in batch]
    enc_sep_cpu, enc_sep_wall, _ = _timed(lambda: [encode([x]) for x in batch], repeats)
    enc_bat_cpu, enc_bat_wall, encoded = _timed(lambda: encode(batch), repeats)
    dec_sep_cpu, dec_sep_wall, texts = _timed(lambda: [generate(e, 1)[0] for e in singles], repeats)
    batched = ctranslate2.StorageView.from_array(np.ascontiguousarray(np.asarray(encoded)))
    dec_bat_cpu, dec_bat_wall, batch_texts = _timed(lambda: generate(batched, n), repeats)
    same = sum(a == b for a, b in zip(texts, batch_texts, strict=True))
    return [enc_sep_cpu, enc_bat_cpu, enc_sep_wall, enc_bat_wall,
            dec_sep_cpu, dec_bat_cpu, dec_sep_wall, dec_bat_wall], same


def run(corpus: Path, sizes: list[int], threads: list[int], repeats: int, window_s: float) -> list[str]:
    import numpy as np
    from faster_whisper import WhisperModel

    from voicebot.engines.models import resolve_whisper_model

    files = sorted(corpus.glob("*_clean.wav"))[:max(sizes)]
    if len(files) < max(sizes):
        raise SystemExit(f"stt_batch: {corpus} has {len(files)} *_clean.wav files, {max(sizes)} needed "
                         "(python bench/wer.py builds the corpus)")
    audios = [read_audio(f, RATE_HZ) for f in files]
    window = _window_frames(window_s)
    shortest, longest = min(a.size for a in audios) / RATE_HZ, max(a.size for a in audios) / RATE_HZ
    lines = [f"tiny.en int8, {window_s:g} s encoder window ({window} log-mel frames), "
             f"beam {DEFAULT_BEAM_SIZE}, turns {shortest:.1f}-{longest:.1f} s; best of {repeats}; "
             "CPU = process time, all threads",
             "", "| threads | N | encoder CPU ms separate / batched | encoder wall ms separate / batched "
             "| decode CPU ms separate / batched | decode wall ms separate / batched | same transcripts |",
             "|---:|---:|---|---|---|---|---|"]
    for n_threads in threads:
        model = WhisperModel(str(resolve_whisper_model("tiny.en", "en")), device="cpu", compute_type="int8",
                             cpu_threads=n_threads, local_files_only=True)
        inputs = [encoder_input(model.feature_extractor(a)[..., :-1], window) for a in audios]
        model.encode(np.stack(inputs[:1]))  # the first call allocates
        for n in sizes:
            ms, same = _row(model, inputs, n, repeats)
            cells = " | ".join(f"{ms[i]:.0f} / {ms[i + 1]:.0f}" for i in range(0, 8, 2))
            lines.append(f"| {n_threads} | {n} | {cells} | {same} / {n} |")
            print(lines[-1], flush=True)
    return lines


def concurrent(audios: list[Any], sizes: list[int], threads: list[int], repeats: int,
               window_s: float) -> list[str]:
    """The product's decode (``WhisperTranscriber``, a final with beam 3) from N threads at once, with
    ``batch_decodes`` off and on: process CPU ms per turn, and each turn's wall time from the common start."""
    import threading

    from voicebot.engines.whisper import WhisperTranscriber

    lines = ["", "The product's decode, N turns submitted at once from N threads (`WhisperTranscriber`, "
             "final, beam 3); best of repeats by CPU:", "",
             "| threads | N | CPU ms per turn, batch off / on | wall ms mean turn, off / on "
             "| wall ms last turn, off / on | same transcripts |", "|---:|---:|---|---|---|---|"]
    for n_threads in threads:
        pair = {on: WhisperTranscriber("tiny.en", word_timestamps=False, cpu_threads=n_threads,
                                       encoder_window_s=window_s, batch_decodes=on) for on in (False, True)}
        for transcriber in pair.values():
            transcriber.transcribe(audios[0], language="en")  # the first call allocates
        for n in sizes:
            figures: dict[bool, tuple[float, float, float, list[str]]] = {}
            for on, transcriber in pair.items():
                best: tuple[float, float, float, list[str]] | None = None
                for _ in range(repeats):
                    done: dict[int, tuple[float, str]] = {}
                    start_wall, start_cpu = time.perf_counter(), time.process_time()

                    def one(i: int, transcriber: Any = transcriber, start: float = start_wall,
                            done: dict[int, tuple[float, str]] = done) -> None:
                        text = transcriber.transcribe(audios[i], language="en").text
                        done[i] = (1000 * (time.perf_counter() - start), text)

                    workers = [threading.Thread(target=one, args=(i,)) for i in range(n)]
                    for worker in workers:
                        worker.start()
                    for worker in workers:
                        worker.join()
                    cpu = 1000 * (time.process_time() - start_cpu) / n
                    walls = [done[i][0] for i in range(n)]
                    row = (cpu, sum(walls) / n, max(walls), [done[i][1] for i in range(n)])
                    best = row if best is None or row[0] < best[0] else best
                assert best is not None
                figures[on] = best
            off, on_ = figures[False], figures[True]
            same = sum(a == b for a, b in zip(off[3], on_[3], strict=True))
            lines.append(f"| {n_threads} | {n} | {off[0]:.0f} / {on_[0]:.0f} | {off[1]:.0f} / {on_[1]:.0f} "
                         f"| {off[2]:.0f} / {on_[2]:.0f} | {same} / {n} |")
            print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "var" / "bench" / "wer_corpus")
    parser.add_argument("--sizes", default="1,2,4,8")
    parser.add_argument("--threads", default="1,0")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--window-s", type=float, default=15.0)
    parser.add_argument("--concurrent", action="store_true",
                        help="also the product's decode from N threads at once, batch_decodes off and on")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        print("stt_batch: --sizes and --threads take comma-separated integers", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 1 or min(threads) < 0 or args.repeats < 1:
        print("stt_batch: sizes and repeats must be at least 1, threads at least 0", file=sys.stderr)
        return 2
    lines = run(args.corpus, sizes, threads, args.repeats, args.window_s)
    if args.concurrent:
        audios = [read_audio(f, RATE_HZ) for f in sorted(args.corpus.glob("*_clean.wav"))[:max(sizes)]]
        lines += concurrent(audios, sizes, threads, args.repeats, args.window_s)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
