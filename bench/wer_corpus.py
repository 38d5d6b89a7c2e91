"""A synthetic speech corpus for measuring speech-to-text word error rate on call-centre speech.

Sentences typical of pizza orders, satisfaction surveys and insurance sales-compliance calls are
spoken by several voices (Piper joe at three speeds and two noise settings, eSpeak NG English voices)
and written as 16 kHz mono WAV in three conditions:

    clean       as synthesised, resampled to 16 kHz
    telephone   down to 8 kHz, G.711 mu-law round trip, back up to 16 kHz (what Asterisk delivers)
    noisy       white or babble noise mixed in at 15 dB SNR

Everything is seeded, so the same files come out on every run. Usage:

    .venv/bin/python bench/wer_corpus.py OUT_DIR
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.io import write_wav
from voicebot.audio.resample import resample
from voicebot.engines.text import normalize_for_speech

CORPUS_RATE_HZ = 16_000
TELEPHONE_RATE_HZ = 8_000
NOISE_SNR_DB = 15.0
PAD_MS = 250  # silence either side, as a caller's turn has before and after speech
SEED = 20_241
CONDITIONS = ("clean", "telephone", "noisy")
MANIFEST = "corpus.json"

Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Utterance:
    reference: str  # what a perfect transcript says
    spoken: str | None = None  # what the voice is given, when it must differ from the reference
    domain: str = ""


# References use the forms Whisper writes: digits for amounts and house numbers, words for small counts.
SENTENCES: tuple[Utterance, ...] = (
    Utterance("I'd like to order two large pepperoni pizzas.", domain="pizza"),
    Utterance("Can I get a medium margherita with extra cheese?", domain="pizza"),
    Utterance("Please deliver it to 42 Baker Street, apartment 5.", domain="pizza"),
    Utterance("The delivery address is 18 Maple Avenue.", domain="pizza"),
    Utterance("Add a small Hawaiian pizza and a bottle of cola.", domain="pizza"),
    Utterance("No onions on the vegetarian pizza, please.", domain="pizza"),
    Utterance("That's all, thank you.", domain="pizza"),
    Utterance("Actually, make that three pizzas instead of two.", domain="pizza"),
    Utterance("How long will the delivery take?", domain="pizza"),
    Utterance("I want to cancel my order.", domain="pizza"),
    Utterance("Yes, that's correct.", domain="pizza"),
    Utterance("Can I pay by card when the driver arrives?", domain="pizza"),
    Utterance("I would give the service a four out of five.", domain="survey"),
    Utterance("The driver was friendly and the food was still hot.", domain="survey"),
    Utterance("I'd probably recommend you to my friends.", domain="survey"),
    Utterance("Honestly, the wait was far too long.", domain="survey"),
    Utterance("Nine out of ten.", domain="survey"),
    Utterance("I'm not interested in a survey right now.", domain="survey"),
    Utterance("Everything was fine, no complaints.", domain="survey"),
    Utterance("The person on the phone was very helpful.", domain="survey"),
    Utterance("Yes, the agent explained the terms of the policy.", domain="compliance"),
    Utterance("My monthly premium is $42.50.", domain="compliance"),
    Utterance("I received the policy documents by email last week.", domain="compliance"),
    Utterance("No, I did not receive any documents.", domain="compliance"),
    Utterance("I understand that I can cancel within 30 days.", "I understand that I can cancel within "
              "thirty days.", domain="compliance"),
    Utterance("I signed up voluntarily, nobody pressured me.", domain="compliance"),
    Utterance("My date of birth is March 3rd, 1985.", "My date of birth is March third, nineteen "
              "eighty five.", domain="compliance"),
    Utterance("Could you repeat the cancellation period?", domain="compliance"),
    Utterance("I'd like to speak to a real person.", domain="compliance"),
    Utterance("Yes.", domain="compliance"),
    Utterance("No.", domain="compliance"),
    Utterance("Yes, I agree to the terms.", domain="compliance"),
    Utterance("I live at 221 Oak Street in Springfield.", domain="compliance"),
    Utterance("The annual premium comes to $510.", domain="compliance"),
    Utterance("I'm not sure, can you explain it again?", domain="compliance"),
    Utterance("Please send the documents to my home address.", domain="compliance"),
)


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    label: str
    engine: str  # "piper" or "espeak"
    length_scale: float = 1.0
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    espeak_voice: str = ""
    rate_wpm: int = 160


VOICES: tuple[VoiceSpec, ...] = (
    VoiceSpec("piper-joe", "piper"),
    VoiceSpec("piper-joe-fast", "piper", length_scale=0.85),
    VoiceSpec("piper-joe-slow", "piper", length_scale=1.2),
    VoiceSpec("piper-joe-flat", "piper", noise_scale=0.333, noise_w_scale=0.4),
    VoiceSpec("piper-joe-lively", "piper", noise_scale=1.0, noise_w_scale=1.2),
    VoiceSpec("espeak-en-us", "espeak", espeak_voice="en-us", rate_wpm=160),
    VoiceSpec("espeak-en-gb-f3", "espeak", espeak_voice="en-gb+f3", rate_wpm=150),
    VoiceSpec("espeak-en-us-m3", "espeak", espeak_voice="en-us+m3", rate_wpm=175),
)


def _spec_digest() -> str:
    spec = {
        "sentences": [asdict(u) for u in SENTENCES],
        "voices": [asdict(v) for v in VOICES],
        "conditions": CONDITIONS, "snr_db": NOISE_SNR_DB, "pad_ms": PAD_MS, "seed": SEED, "version": 1,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _synthesizer(voice: VoiceSpec, index: int) -> Callable[[str], Int16Array]:
    """Returns text -> 16 kHz int16 audio for one voice, loaded with a fixed seed."""
    from voicebot.engines.espeak import EspeakSynthesizer
    from voicebot.engines.piper import PiperSynthesizer

    synth: PiperSynthesizer | EspeakSynthesizer
    if voice.engine == "piper":
        synth = PiperSynthesizer(length_scale=voice.length_scale, noise_scale=voice.noise_scale,
                                 noise_w_scale=voice.noise_w_scale, seed=SEED + index)
    else:
        synth = EspeakSynthesizer(voice.espeak_voice, rate_wpm=voice.rate_wpm)

    def speak(text: str) -> Int16Array:
        chunks = list(synth.synthesize(normalize_for_speech(text, "en")))
        audio: Int16Array = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        result: Int16Array = resample(audio, synth.sample_rate_hz, CORPUS_RATE_HZ)
        return result

    return speak


def _pad(audio: Int16Array) -> Int16Array:
    pad = np.zeros(CORPUS_RATE_HZ * PAD_MS // 1000, dtype=np.int16)
    return np.concatenate([pad, audio, pad])


def telephone(audio: Int16Array) -> Int16Array:
    """8 kHz and mu-law, as a phone line delivers, then back to 16 kHz."""
    narrow = resample(audio, CORPUS_RATE_HZ, TELEPHONE_RATE_HZ)
    coded = ulaw_decode(ulaw_encode(narrow))
    wide: Int16Array = resample(coded, TELEPHONE_RATE_HZ, CORPUS_RATE_HZ)
    return wide


def _power(signal: Float32Array) -> float:
    return float(np.mean(signal.astype(np.float64) ** 2))


def mix_at_snr(speech: Int16Array, noise: Float32Array, snr_db: float) -> Int16Array:
    """Adds ``noise`` scaled so speech power over noise power is ``snr_db``; never clips."""
    clean = speech.astype(np.float32) / 32768.0
    scale = np.sqrt(_power(clean) / (max(_power(noise), 1e-12) * 10.0 ** (snr_db / 10.0)))
    mixed = clean + noise[:len(clean)] * scale
    peak = float(np.max(np.abs(mixed))) if mixed.size else 0.0
    if peak > 0.99:
        mixed *= 0.99 / peak
    result: Int16Array = (mixed * 32767.0).astype(np.int16)
    return result


def babble(others: list[Int16Array], length: int, rng: np.random.Generator) -> Float32Array:
    """Several other talkers at once, each looped and started at a random offset."""
    total = np.zeros(length, dtype=np.float32)
    for other in others:
        looped = np.tile(other.astype(np.float32) / 32768.0, length // max(len(other), 1) + 2)
        start = int(rng.integers(0, max(len(other), 1)))
        total += looped[start:start + length]
    return total


def _noisy(index: int, clean: Int16Array, pool: list[Int16Array]) -> Int16Array:
    rng = np.random.default_rng(SEED * 1000 + index)
    if index % 2 == 0:
        noise = rng.standard_normal(len(clean)).astype(np.float32)
    else:
        picks = [pool[j] for j in rng.choice(len(pool), size=4, replace=False) if j != index][:3]
        noise = babble(picks, len(clean), rng)
    return mix_at_snr(clean, noise, NOISE_SNR_DB)


def _entries(out_dir: Path) -> Iterator[tuple[int, str, Path]]:
    for index in range(len(SENTENCES)):
        for condition in CONDITIONS:
            yield index, condition, out_dir / f"{index:02d}_{condition}.wav"


def build_corpus(out_dir: Path) -> list[tuple[Path, str, str]]:
    """Writes the corpus into ``out_dir`` (reusing it when already built from the same spec) and
    returns ``(wav_path, reference_text, condition)`` for every file: 16 kHz mono int16 WAVs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = _spec_digest()
    entries = [(path, SENTENCES[index].reference, condition) for index, condition, path in _entries(out_dir)]
    manifest = out_dir / MANIFEST
    if manifest.is_file() and all(path.is_file() for path, _, _ in entries):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("digest") == digest:
                return entries
        except ValueError:
            pass

    speakers: dict[int, Callable[[str], Int16Array]] = {}
    clean_audio: list[Int16Array] = []
    voice_labels: list[str] = []
    # Each voice speaks its sentences in corpus order, so its seeded noise sequence is the same every run.
    for index, utterance in enumerate(SENTENCES):
        voice_index = index % len(VOICES)
        if voice_index not in speakers:
            speakers[voice_index] = _synthesizer(VOICES[voice_index], voice_index)
        clean_audio.append(_pad(speakers[voice_index](utterance.spoken or utterance.reference)))
        voice_labels.append(VOICES[voice_index].label)

    for index, condition, path in _entries(out_dir):
        clean = clean_audio[index]
        if condition == "clean":
            audio = clean
        elif condition == "telephone":
            audio = telephone(clean)
        else:
            audio = _noisy(index, clean, clean_audio)
        write_wav(path, audio, CORPUS_RATE_HZ)

    rows = [{"file": path.name, "reference": ref, "condition": condition,
             "voice": voice_labels[int(path.name[:2])], "domain": SENTENCES[int(path.name[:2])].domain}
            for path, ref, condition in entries]
    manifest.write_text(json.dumps({"digest": digest, "files": rows}, indent=1, ensure_ascii=False),
                        encoding="utf-8")
    return entries


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: bench/wer_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    entries = build_corpus(Path(argv[0]))
    seconds = sum(int(p.stat().st_size - 44) / 2 / CORPUS_RATE_HZ for p, _, _ in entries)
    print(f"{len(entries)} files ({len(SENTENCES)} sentences x {len(CONDITIONS)} conditions, "
          f"{len(VOICES)} voices), {seconds:.0f} s of audio in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
