"""The phone-line answer corpus: what callers answer to the shipped dialogues, as a phone line carries it.

The answers (bench/phone_corpus_spec.py) are spoken by Piper joe at three speeds and by several eSpeak NG
voices (Korean by eSpeak ko), each written in two conditions:

    clean16   as synthesised, resampled to 16 kHz
    phone8    down to 8 kHz and through a G.711 mu-law round trip: what Asterisk delivers (8 kHz WAV)

plus real people: the FSDD digits (../shared/data/digits, 8 kHz) through the same mu-law round trip, as
survey scores. ``--set sign-offs`` makes a separate small corpus instead (English voices, no FSDD):
goodbyes said with a closer or an order ("that's all, bye"), in var/bench/sign_off_corpus; ``--set holds``
asks to hold on where a score is asked ("one moment please"), in var/bench/hold_corpus; ``--set own-words``
yes and no in the caller's own words ("I'm busy right now", "nobody forced me") and "who is this?", in
var/bench/own_words_corpus; ``--set other-ways`` answers said otherwise than the bot's example (a date
with the year first, an area code said apart, "he explained it", "are you a robot?"), in
var/bench/other_ways_corpus.

Everything is seeded; a rebuild from the same spec reuses the files. The manifest
(corpus.json, and corpus.csv for a spreadsheet) has one row per file: its ask type, the dialogue and
step it answers, the reference text, the expected slot value or intent, voice and condition.

    .venv/bin/python bench/phone_corpus.py [--set answers|sign-offs|holds|own-words|other-ways] [--out DIR]
        [--digits DIR] [--takes N]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from phone_corpus_spec import (
    ENGLISH,
    HOLDS,
    KOREAN,
    OTHER_WAYS,
    OWN_WORDS,
    SIGN_OFFS,
    Answer,
    fsdd_answer,
)

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.io import read_audio, write_wav
from voicebot.audio.resample import resample

Int16Array = npt.NDArray[np.int16]

DEFAULT_OUT = Path("var/bench/phone_corpus")


class AnswerSet(NamedTuple):
    english: tuple[Answer, ...]
    korean: tuple[Answer, ...]
    with_fsdd: bool  # the real FSDD digits too
    default_out: Path


SETS: dict[str, AnswerSet] = {
    "answers": AnswerSet(ENGLISH, KOREAN, True, DEFAULT_OUT),
    "sign-offs": AnswerSet(SIGN_OFFS, (), False, Path("var/bench/sign_off_corpus")),
    "holds": AnswerSet(HOLDS, (), False, Path("var/bench/hold_corpus")),
    "own-words": AnswerSet(OWN_WORDS, (), False, Path("var/bench/own_words_corpus")),
    "other-ways": AnswerSet(OTHER_WAYS, (), False, Path("var/bench/other_ways_corpus")),
}
DEFAULT_DIGITS = Path(__file__).resolve().parents[2] / "shared" / "data" / "digits"
MANIFEST = "corpus.json"
MANIFEST_CSV = "corpus.csv"
CONDITIONS = {"clean16": 16_000, "phone8": 8_000}
PAD_MS = 250  # silence either side, as a caller's turn has before and after speech
SEED = 10_010
VERSION = 1
_FSDD_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    label: str
    engine: str  # "piper" or "espeak"
    language: str = "en"
    length_scale: float = 1.0
    espeak_voice: str = ""
    rate_wpm: int = 160
    pitch: int | None = None


VOICES: tuple[VoiceSpec, ...] = (
    VoiceSpec("piper-joe-0.8", "piper", length_scale=0.8),
    VoiceSpec("piper-joe-1.0", "piper", length_scale=1.0),
    VoiceSpec("piper-joe-1.2", "piper", length_scale=1.2),
    VoiceSpec("espeak-en-us", "espeak", espeak_voice="en-us", rate_wpm=160),
    VoiceSpec("espeak-en-gb", "espeak", espeak_voice="en-gb", rate_wpm=150),
    VoiceSpec("espeak-en-us-f3", "espeak", espeak_voice="en-us+f3", rate_wpm=175, pitch=70),
    VoiceSpec("espeak-en-gb-m3-slow", "espeak", espeak_voice="en-gb+m3", rate_wpm=130, pitch=35),
    VoiceSpec("espeak-ko", "espeak", language="ko", espeak_voice="ko", rate_wpm=160),
    VoiceSpec("espeak-ko-f3-slow", "espeak", language="ko", espeak_voice="ko+f3", rate_wpm=135, pitch=60),
)


def language_of(answer: Answer) -> str:
    return "ko" if answer.dialogue.endswith("_ko") else "en"


def fsdd_files(digits_dir: Path, takes: int) -> list[tuple[Path, int, str, int]]:
    """(path, digit, speaker, take) for takes 0..takes-1 of every digit and speaker found."""
    found = []
    for path in sorted(digits_dir.glob("*.wav")) if digits_dir.is_dir() else []:
        m = _FSDD_NAME.match(path.name)
        if m and int(m.group(3)) < takes:
            found.append((path, int(m.group(1)), m.group(2), int(m.group(3))))
    return found


def phone_line(audio: Int16Array, from_hz: int) -> Int16Array:
    """8 kHz and a G.711 mu-law round trip, as a phone line delivers it (stays at 8 kHz)."""
    narrow = resample(audio, from_hz, CONDITIONS["phone8"])
    return ulaw_decode(ulaw_encode(narrow))


def _pad(audio: Int16Array, rate_hz: int) -> Int16Array:
    pad = np.zeros(rate_hz * PAD_MS // 1000, dtype=np.int16)
    return np.concatenate([pad, audio, pad])


def _synthesizer(voice: VoiceSpec, index: int) -> tuple[Callable[[str], Int16Array], int]:
    """text -> int16 audio at the voice's own rate, and that rate."""
    from voicebot.engines.espeak import EspeakSynthesizer
    from voicebot.engines.piper import PiperSynthesizer
    from voicebot.engines.text import normalize_for_speech

    synth: PiperSynthesizer | EspeakSynthesizer
    if voice.engine == "piper":
        synth = PiperSynthesizer(length_scale=voice.length_scale, seed=SEED + index)
    else:
        synth = EspeakSynthesizer(voice.espeak_voice, rate_wpm=voice.rate_wpm, pitch=voice.pitch)

    def speak(text: str) -> Int16Array:
        chunks = list(synth.synthesize(normalize_for_speech(text, voice.language)))
        audio: Int16Array = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return audio

    return speak, synth.sample_rate_hz


def _slug(text: str) -> str:
    ascii_words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return ascii_words[:40] or hashlib.sha1(text.encode()).hexdigest()[:8]


def _row(answer: Answer, item_id: str, voice: str, source: str, condition: str, file: str) -> dict[str, Any]:
    return {"id": item_id, "file": file, "language": language_of(answer), "ask": answer.ask,
            "dialogue": answer.dialogue, "step": answer.step, "reference": answer.text,
            "expected": answer.expected, "intent": answer.intent, "voice": voice, "source": source,
            "condition": condition, "sample_rate_hz": CONDITIONS[condition]}


def _digest(fsdd: Sequence[tuple[Path, int, str, int]], answer_set: str = "answers") -> str:
    chosen = SETS[answer_set]
    spec = {"answers": [asdict(a) for a in (*chosen.english, *chosen.korean)],
            "voices": [asdict(v) for v in VOICES],
            "fsdd": [p.name for p, *_ in fsdd], "conditions": CONDITIONS, "pad_ms": PAD_MS, "seed": SEED,
            "version": VERSION}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def read_manifest(out_dir: Path) -> list[dict[str, Any]]:
    """The corpus's rows, each with ``path`` set to its WAV file."""
    rows: list[dict[str, Any]] = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["items"]
    for row in rows:
        row["path"] = out_dir / row["file"]
    return rows


class CorpusError(Exception):
    """A corpus directory that cannot be used as it stands."""


def corpus_rows(out_dir: Path = DEFAULT_OUT, digits_dir: Path = DEFAULT_DIGITS, takes: int = 10,
                *, log: Callable[[str], None] = lambda _: None) -> list[dict[str, Any]]:
    """The corpus in ``out_dir`` as it stands, built only where there is none. A bench never rewrites a
    corpus made from another spec or FSDD set: a checkout elsewhere (a copy under /tmp) finds no FSDD at
    its ../shared, and rebuilding from there once rewrote the shared corpus mid-run. This module's own
    command rebuilds it."""
    out_dir = Path(out_dir)
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        return build_corpus(out_dir, digits_dir, takes, log=log)
    try:
        stored_manifest = json.loads(manifest.read_text(encoding="utf-8"))
        stored, answer_set = stored_manifest.get("digest"), stored_manifest.get("set", "answers")
        rows = read_manifest(out_dir)
    except (ValueError, KeyError) as exc:
        raise CorpusError(f"{manifest} is unreadable ({exc}); rebuild it with bench/phone_corpus.py") from exc
    missing = [row["file"] for row in rows if not row["path"].is_file()]
    if missing:
        raise CorpusError(f"{len(missing)} files of {manifest} are missing (first: {missing[0]}); "
                          "rebuild it with bench/phone_corpus.py")
    with_fsdd = answer_set in SETS and SETS[answer_set].with_fsdd
    fsdd = fsdd_files(Path(digits_dir), takes) if with_fsdd else []
    if answer_set not in SETS or stored != _digest(fsdd, answer_set):
        log(f"note: {out_dir} was built from another spec or FSDD set than this checkout's; used as it is "
            "(bench/phone_corpus.py rebuilds it)")
    return rows


def build_corpus(out_dir: Path = DEFAULT_OUT, digits_dir: Path = DEFAULT_DIGITS, takes: int = 10,
                 *, log: Callable[[str], None] = lambda _: None,
                 answer_set: str = "answers") -> list[dict[str, Any]]:
    """Writes the corpus into ``out_dir`` unless it is already there from the same spec; returns the rows."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = SETS[answer_set]
    fsdd = fsdd_files(Path(digits_dir), takes) if chosen.with_fsdd else []
    digest = _digest(fsdd, answer_set)
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        try:
            same = json.loads(manifest.read_text(encoding="utf-8")).get("digest") == digest
        except ValueError:
            same = False
        if same:
            rows = read_manifest(out_dir)
            if all(row["path"].is_file() for row in rows):
                return rows

    rows: list[dict[str, Any]] = []
    for voice_index, voice in enumerate(VOICES):
        answers = chosen.english if voice.language == "en" else chosen.korean
        if not answers:
            continue
        speak, native_hz = _synthesizer(voice, voice_index)
        log(f"{voice.label}: {len(answers)} answers")
        for index, answer in enumerate(answers):
            item_id = f"{voice.language}-{index:03d}-{_slug(answer.text)}"
            audio = speak(answer.text)
            for condition, rate_hz in CONDITIONS.items():
                if condition == "clean16":
                    line = resample(audio, native_hz, rate_hz)
                else:
                    line = phone_line(audio, native_hz)
                file = f"{voice.label}/{condition}/{item_id}.wav"
                (out_dir / file).parent.mkdir(parents=True, exist_ok=True)
                write_wav(out_dir / file, _pad(line, rate_hz), rate_hz)
                rows.append(_row(answer, item_id, voice.label, voice.engine, condition, file))
    if chosen.with_fsdd:
        log(f"fsdd: {len(fsdd)} recordings from {digits_dir}")
    for path, digit, speaker, take in fsdd:
        answer = fsdd_answer(digit)
        recording = np.round(read_audio(path, CONDITIONS["phone8"]) * 32767.0).astype(np.int16)
        file = f"fsdd-{speaker}/phone8/{path.stem}.wav"
        (out_dir / file).parent.mkdir(parents=True, exist_ok=True)
        # FSDD is trimmed tight to the word: pad it like the synthetic answers.
        line = ulaw_decode(ulaw_encode(recording))
        write_wav(out_dir / file, _pad(line, CONDITIONS["phone8"]), CONDITIONS["phone8"])
        item_id = f"fsdd-{digit}-{speaker}-{take:02d}"
        rows.append(_row(answer, item_id, f"fsdd-{speaker}", "fsdd", "phone8", file))

    manifest.write_text(json.dumps({"digest": digest, "set": answer_set, "items": rows}, indent=1,
                                   ensure_ascii=False), encoding="utf-8")
    with open(out_dir / MANIFEST_CSV, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "expected": json.dumps(row["expected"], ensure_ascii=False)})
    return read_manifest(out_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="answer_set", choices=sorted(SETS), default="answers",
                        help="answers: the shipped dialogues' answers and FSDD (default); "
                             "sign-offs: goodbyes said with a closer or an order; holds: 'one moment please' "
                             "where a score is asked; own-words: yes and no in the caller's own words, and "
                             "'who is this?'; other-ways: dates, phone numbers and compliance answers said "
                             "otherwise, and 'are you a robot?'")
    parser.add_argument("--out", type=Path, default=None,
                        help="corpus directory (default: var/bench/phone_corpus, sign_off_corpus, "
                             "hold_corpus, own_words_corpus or other_ways_corpus by --set)")
    parser.add_argument("--digits", type=Path, default=DEFAULT_DIGITS,
                        help="FSDD directory (D_speaker_take.wav); missing: synthetic voices only")
    parser.add_argument("--takes", type=int, default=10, help="FSDD takes per digit and speaker (default 10)")
    args = parser.parse_args(argv)
    if args.takes < 0:
        print("error: --takes must be 0 or more", file=sys.stderr)
        return 2
    args.out = args.out or SETS[args.answer_set].default_out
    rows = build_corpus(args.out, args.digits, args.takes, answer_set=args.answer_set,
                        log=lambda message: print(message, file=sys.stderr, flush=True))
    seconds = sum((row["path"].stat().st_size - 44) / 2 / row["sample_rate_hz"] for row in rows)
    voices = sorted({row["voice"] for row in rows})
    print(f"{len(rows)} files, {len(voices)} voices, {seconds / 60:.1f} min of audio in {args.out}; "
          f"manifest {args.out / MANIFEST} and {args.out / MANIFEST_CSV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
