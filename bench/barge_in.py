"""Barge-in onset: how soon a caller who talks over the bot is heard, and how often the bot would stop
for a sound that is not the caller taking the turn (a cough, a click, a breath, handling noise, a beep,
a backchannel such as "mm-hmm").

Offline, frame by frame, with the real Silero VAD (32 ms frames) and voicebot/audio/turn_taking.py,
for each onset rule (``THRESHOLD:MS``: a run of frames at or above THRESHOLD for MS starts the turn
before ``min_speech_ms``; ``off``: only ``min_speech_ms``). A turn start is what stops the bot.
The onset hold (``onset_pending``: the door holds the bot's audio back, keeping it, while an onset is
undecided) is reported for the session's own onset rule: how soon it holds a caller's speech, and how
often a sound that is not a turn only pauses the bot's audio for a moment.

- speech: the first words of the no-cut-in corpus (bench/turn_corpus.py: 25 answers, 5 voices, at
  the same level, -60 dBFS noise floor). Onset delay: where the turn start is noticed (the end of
  that frame) minus the first 10 ms window within 40 dB of the loudest.
- sounds: synthesised here (seeded), each at two levels (peak 0.5, the corpus speech's, and 0.15),
  on the same noise floor; backchannels said by Piper and eSpeak. "Stops the bot": a turn starts.

The phone band (8 kHz mu-law, back to 16 kHz) uses the narrowband thresholds the session uses.

    .venv/bin/python bench/barge_in.py [--rules off,0.9:64,0.9:96,0.8:96] [--bands wideband,phone]
        [--voices piper-1.0,...]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from turn_corpus import ANSWERS, RATE_HZ, VOICES, Float32Array, build_corpus, speak, through_phone_line
from turn_eval import FRAME_MS, NARROWBAND, turn_config, vad_probabilities

from voicebot.audio.turn_taking import SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.errors import ConfigError

LEVELS = (0.5, 0.15)
BACKCHANNELS = ("Mm-hmm.", "Uh-huh.", "Hmm.", "Okay.", "Yeah.", "Right.")
BACKCHANNEL_VOICES = ("piper-1.0", "espeak-en-us")
# Short voiced sounds that are not a turn (a grunt, a throat noise, a cut-off "uh", a lip smack with
# voice): the start of a spoken word cut to this long, with 5 ms fades.
BLIP_WORDS = ("Hm.", "Uh.", "Ah.")
BLIP_MS = (64, 96, 128)
# Someone else talking in the room or on a TV, this far down from the caller's level.
BACKGROUND = ("The weather tomorrow will be sunny and warm.", "Now back to the studio for the news.")
BACKGROUND_LEVELS = (0.03, 0.08)


@dataclass(frozen=True, slots=True)
class Clip:
    kind: str  # "speech", a sound's name, or "backchannel"
    key: str
    band: str
    audio: Float32Array
    onset_ms: int | None = None  # speech: where the words begin


def _rule(text: str) -> tuple[float, int]:
    if text == "off":
        return 1.0, 96
    threshold, ms = text.split(":")
    return float(threshold), int(ms)


def config_for(rule: str, band: str) -> TurnTakingConfig:
    threshold, ms = _rule(rule)
    base = TurnTakingConfig(fast_onset_threshold=1.0)
    if band == "phone":
        base = dataclasses.replace(base, **NARROWBAND)  # type: ignore[arg-type]
    return dataclasses.replace(base, fast_onset_threshold=max(threshold, base.threshold), fast_onset_ms=ms)


# ---- sounds ----


def _noise(rng: np.random.Generator, seconds: float, low_hz: float, high_hz: float) -> Float32Array:
    white = rng.standard_normal(round(seconds * RATE_HZ))
    sos = signal.butter(4, [low_hz, high_hz], btype="bandpass", fs=RATE_HZ, output="sos")
    return np.asarray(signal.sosfilt(sos, white), dtype=np.float32)


def _decay(seconds: float, tau_s: float, attack_s: float = 0.005) -> Float32Array:
    t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    return np.asarray(np.minimum(1.0, t / attack_s) * np.exp(-t / tau_s), dtype=np.float32)


def _buzz(rng: np.random.Generator, seconds: float, pitch_hz: float) -> Float32Array:
    """A glottal-like pulse train through two vowel-ish resonances: the voiced part of a cough."""
    n = round(seconds * RATE_HZ)
    pulses = np.zeros(n)
    period = RATE_HZ / pitch_hz
    positions = np.arange(0, n, period) + rng.uniform(-2, 2, size=len(np.arange(0, n, period)))
    pulses[np.clip(positions.astype(int), 0, n - 1)] = 1.0
    out = pulses
    for centre_hz in (600.0, 1400.0):
        b, a = signal.iirpeak(centre_hz, 5.0, fs=RATE_HZ)
        out = signal.lfilter(b, a, out)
    return np.asarray(out, dtype=np.float32)


def _cough(rng: np.random.Generator, tau_s: float, voiced: bool) -> Float32Array:
    burst = _noise(rng, 0.35, 300, 4000) * _decay(0.35, tau_s)
    if voiced:
        buzz = _buzz(rng, 0.35, rng.uniform(140, 220)) * _decay(0.35, tau_s * 1.5, 0.02)
        burst = burst / (np.abs(burst).max() + 1e-9) + 0.8 * buzz / (np.abs(buzz).max() + 1e-9)
    return np.asarray(burst, dtype=np.float32)


def _click(rng: np.random.Generator) -> Float32Array:
    t = np.arange(round(0.012 * RATE_HZ)) / RATE_HZ
    ring = np.sin(2 * np.pi * rng.uniform(1500, 4000) * t) * np.exp(-t / 0.002)
    return np.asarray(ring + 0.3 * rng.standard_normal(t.size) * np.exp(-t / 0.001), dtype=np.float32)


def _sequence(parts: Sequence[Float32Array], gap_s: float) -> Float32Array:
    gap = np.zeros(round(gap_s * RATE_HZ), np.float32)
    pieces: list[Float32Array] = []
    for part in parts:
        pieces += [part, gap]
    return np.concatenate(pieces[:-1])


def _tone(freqs_hz: Sequence[float], seconds: float) -> Float32Array:
    t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
    ramp = np.minimum(1.0, np.minimum(t, seconds - t) / 0.005)
    return np.asarray(sum(np.sin(2 * np.pi * f * t) for f in freqs_hz) * ramp, dtype=np.float32)


def sounds(seed: int) -> Iterator[tuple[str, Float32Array]]:
    """Non-speech sounds a caller's line carries, three variants each."""
    rng = np.random.default_rng(seed)
    for tau in (0.05, 0.09, 0.14):
        yield "cough (noise burst)", _cough(rng, tau, voiced=False)
        yield "cough (voiced)", _cough(rng, tau, voiced=True)
        yield "double cough", _sequence([_cough(rng, tau, True), _cough(rng, tau * 0.8, True)], 0.18)
    for count in (1, 3, 6):
        yield "clicks / typing", _sequence([_click(rng) for _ in range(count)], rng.uniform(0.08, 0.2))
    for seconds in (0.15, 0.3, 0.6):
        t = np.arange(round(seconds * RATE_HZ)) / RATE_HZ
        thud = np.sin(2 * np.pi * rng.uniform(70, 140) * t) * np.exp(-t / 0.06)
        yield "knock / thud", np.asarray(thud + 0.2 * _noise(
            rng, seconds, 100, 2000) * _decay(seconds, 0.03), dtype=np.float32)
        envelope = np.sin(np.pi * np.arange(round(seconds * 1.5 * RATE_HZ)) / round(seconds * 1.5 * RATE_HZ))
        yield "breath", _noise(rng, seconds * 1.5, 400, 2500) * envelope.astype(np.float32)
        yield "rustle (handling noise)", _noise(rng, seconds, 100, 7000) * np.asarray(
            0.5 + 0.5 * np.abs(np.sin(np.arange(round(seconds * RATE_HZ)) / RATE_HZ * 2 * np.pi * 7)),
            dtype=np.float32)
        yield "beep / DTMF", _tone((1000.0,) if seconds < 0.5 else (697.0, 1209.0), seconds)


def _placed(sound: Float32Array, level: float, seed: int) -> Float32Array:
    peak = float(np.abs(sound).max())
    scaled = sound * (level / peak) if peak > 0 else sound
    audio = np.concatenate([np.zeros(round(0.4 * RATE_HZ), np.float32), scaled.astype(np.float32),
                            np.zeros(round(1.0 * RATE_HZ), np.float32)])
    rng = np.random.default_rng(seed)
    return np.asarray(audio + rng.standard_normal(audio.size) * 10 ** (-60 / 20), dtype=np.float32)


def _blip(word: Float32Array, ms: int) -> Float32Array:
    loud = np.nonzero(np.abs(word) > np.abs(word).max() * 0.01)[0]
    part = word[loud[0]: loud[0] + ms * RATE_HZ // 1000].copy()
    fade = 5 * RATE_HZ // 1000
    part[:fade] *= np.linspace(0, 1, fade, dtype=np.float32)
    part[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)
    return part


def clips(bands: Sequence[str], voices: Sequence[str]) -> Iterator[Clip]:
    for sample in build_corpus(voices=voices, bands=bands, answers=ANSWERS):
        yield Clip("speech", sample.key, sample.band, sample.audio, sample.segments_ms[0][0])
    # (kind, key or None to number it, the sound or what a voice says: (text, voice, cut to ms), level),
    # in the order the seeds follow.
    Said = tuple[str, str, int | None]
    made: list[tuple[str, str | None, Float32Array | Said, float]] = [
        (name, None, sound, level) for name, sound in sounds(seed=7) for level in LEVELS]
    made += [(f"vocal blip, {ms} ms", f"{text}/{voice}/{ms}/{level}", (text, voice, ms), level)
             for text in BLIP_WORDS for voice in BACKCHANNEL_VOICES for ms in BLIP_MS for level in LEVELS]
    made += [(kind, f"{text}/{voice}/{level}", (text, voice, None), level)
             for kind, texts, levels in (("voice in the background", BACKGROUND, BACKGROUND_LEVELS),
                                         ("backchannel", BACKCHANNELS, LEVELS))
             for text in texts for voice in BACKCHANNEL_VOICES for level in levels]
    index = 0
    for band in bands:
        for kind, key, source, level in made:
            if isinstance(source, tuple):
                text, voice, ms = source
                source = speak(text, voice) if ms is None else _blip(speak(text, voice), ms)
            audio = _placed(source, level, index)
            index += 1
            yield Clip(kind, key or f"{kind}/{index}/{level}", band,
                       through_phone_line(audio) if band == "phone" else audio)


def first_start_ms(probabilities: Sequence[float], config: TurnTakingConfig) -> float | None:
    """Where (audio time) a turn start is noticed: the end of the frame that completes it."""
    turns = TurnTaking(config)
    for i, p in enumerate(probabilities):
        if any(isinstance(e, SpeechStarted) for e in turns.update(p, FRAME_MS)):
            return (i + 1) * FRAME_MS
    return None


@dataclass(frozen=True, slots=True)
class Hold:
    """What the onset hold (voicebot/audio/turn_taking.py ``onset_pending``) did on a clip."""

    first_ms: float | None  # end of the first frame that held the bot's audio back
    held_ms: float  # how long it was held in all, until a turn started or the clip ended
    stopped: bool  # a turn started (the bot stops)


def hold_of(probabilities: Sequence[float], config: TurnTakingConfig) -> Hold:
    turns = TurnTaking(config)
    first: float | None = None
    held = 0.0
    for i, p in enumerate(probabilities):
        if any(isinstance(e, SpeechStarted) for e in turns.update(p, FRAME_MS)):
            return Hold(first if first is not None else (i + 1) * FRAME_MS, held, True)
        if turns.onset_pending:
            first = (i + 1) * FRAME_MS if first is None else first
            held += FRAME_MS
    return Hold(first, held, False)


def _stats(values: Sequence[float]) -> str:
    if not values:
        return "-"
    array = np.asarray(values)
    return f"{np.percentile(array, 50):.0f} / {np.percentile(array, 95):.0f} / {array.max():.0f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", default="off,0.9:64,0.8:64,0.7:64,0.7:32,0.5:64")
    parser.add_argument("--bands", default="wideband,phone")
    parser.add_argument("--voices", default=",".join(VOICES))
    args = parser.parse_args(argv)
    rules = args.rules.split(",")
    try:
        for rule in rules:
            config_for(rule, "wideband")
    except (ValueError, ConfigError) as exc:
        print(f"bad --rules: {exc}", file=sys.stderr)
        return 2
    bands = args.bands.split(",")
    # rule -> band -> kind -> list of (start noticed or None, onset)
    found: dict[str, dict[str, dict[str, list[tuple[float | None, int | None]]]]] = {
        r: {b: {} for b in bands} for r in rules}
    peaks: dict[tuple[str, str], list[float]] = {}  # (band, kind) -> each clip's highest VAD probability
    holds: dict[tuple[str, str], list[tuple[Hold, int | None]]] = {}  # (band, kind) -> (hold, onset)
    for clip in clips(bands, args.voices.split(",")):
        probabilities = vad_probabilities(clip)  # type: ignore[arg-type]
        peaks.setdefault((clip.band, clip.kind), []).append(max(probabilities))
        session = turn_config(clip.band)  # the session's own, the onset rule included
        holds.setdefault((clip.band, clip.kind), []).append((hold_of(probabilities, session), clip.onset_ms))
        for rule in rules:
            start = first_start_ms(probabilities, config_for(rule, clip.band))
            found[rule][clip.band].setdefault(clip.kind, []).append((start, clip.onset_ms))
    print("| band | rule | speech: onset delay ms p50 / p95 / max | speech missed | sounds that stop the bot "
          "| backchannels that stop the bot |")
    print("|---|---|---|---|---|---|")
    for band in bands:
        for rule in rules:
            kinds = found[rule][band]
            speech = kinds.get("speech", [])
            delays = [s - o for s, o in speech if s is not None and o is not None]
            missed = sum(1 for s, _ in speech if s is None)
            noise = [s for kind, hits in kinds.items() if kind not in ("speech", "backchannel")
                     for s, _ in hits]
            back = [s for s, _ in kinds.get("backchannel", [])]
            print(f"| {band} | {rule} | {_stats(delays)} | {missed}/{len(speech)} "
                  f"| {sum(s is not None for s in noise)}/{len(noise)} "
                  f"| {sum(s is not None for s in back)}/{len(back)} |")
    print("\nBy sound (stops the bot / clips), per rule:")
    kinds_all = sorted({k for r in rules for b in bands for k in found[r][b] if k != "speech"})
    print("| band | sound | highest VAD probability, median / max | " + " | ".join(rules) + " |")
    print("|---|---|---|" + "---|" * len(rules))
    for band in bands:
        for kind in kinds_all:
            cells = []
            for rule in rules:
                hits = found[rule][band].get(kind, [])
                cells.append(f"{sum(s is not None for s, _ in hits)}/{len(hits)}")
            peak = peaks.get((band, kind), [0.0])
            print(f"| {band} | {kind} | {np.median(peak):.2f} / {max(peak):.2f} | "
                  + " | ".join(cells) + " |")
    print("\nThe onset hold, with the session's onset rule: the door sends no more bot audio from the first "
          "frame at or above neg_threshold until a turn starts (then clear) or at most onset_hold_ms (then "
          "the audio goes on):")
    print("| band | clips | held | held and not stopped (audio goes on) | held ms, longest without a stop "
          "| speech: held from, ms after the words begin, p50 / p95 / max |")
    print("|---|---|---:|---:|---:|---|")
    for band in bands:
        for kind in ["speech", *kinds_all]:
            held_clips = holds.get((band, kind), [])
            held = [h for h, _ in held_clips if h.first_ms is not None]
            free = [h for h in held if not h.stopped]
            since = [h.first_ms - o for h, o in held_clips if h.first_ms is not None and o is not None]
            longest = f"{max(h.held_ms for h in free):.0f}" if free else "-"
            print(f"| {band} | {kind} | {len(held_clips)} | {len(held)} | {len(free)} | {longest} "
                  f"| {_stats(since) if kind == 'speech' else '-'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
