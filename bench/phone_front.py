"""bench/phone_answers.py with a front end on the phone line's audio: does tiny.en hear 8 kHz answers better
when the turn's waveform is changed before whisper's log-mel? (issue 10, eighth round; BENCHMARKS.md "A front
end for 8 kHz lines").

Every 8 kHz corpus file is read at its own rate, brought to 16 kHz and changed by ``--front`` before the
transcriber sees it; other files are read as phone_answers.py reads them. Every other argument is
phone_answers.py's.

    none            to 16 kHz with the product's resampler (voicebot.audio.resample: soxr HQ), the baseline
    soxr:Q          soxr at quality Q (QQ, LQ, MQ, HQ, VHQ)
    linear          linear interpolation to 16 kHz (a weak filter: an image of 0-4 kHz is left in 4-8 kHz)
    gain:DB         a fixed gain of DB dB
    peak:DB         the turn's peak to DB dBFS
    hfnoise:DB      white noise in 4-8 kHz only (FFT mask) at DB dBFS RMS, seeded by the turn's length
    mirror:DB       0-4 kHz folded into 4-8 kHz (the signal times (-1)^n) at DB dB under the signal
    dither:DB       white noise over the whole band at DB dBFS RMS (-90: a perturbation no one hears)
    preemph:A       pre-emphasis y[n] = x[n] - A x[n-1]

    PYTHONPATH=$PWD .venv/bin/python bench/phone_front.py --front mirror:-25 --corpus var/bench/phone_corpus \
        --mode grammar --condition phone8 --language en --ask number --every 2 --start 1 --json OUT.json
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import phone_answers

from voicebot.audio.io import read_audio
from voicebot.audio.resample import resample

Float32Array = npt.NDArray[np.float32]
LINE_HZ = 8_000
STT_HZ = 16_000


def _db(value: float) -> float:
    return float(10.0 ** (value / 20.0))


def _noise(size: int, seed: int) -> Float32Array:
    return np.random.default_rng(seed).standard_normal(size).astype(np.float32)


def upper_band_noise(size: int, seed: int) -> Float32Array:
    """Unit-RMS white noise with nothing under 4 kHz, at 16 kHz."""
    spectrum = np.fft.rfft(_noise(size, seed))
    spectrum[np.fft.rfftfreq(size, 1.0 / STT_HZ) < LINE_HZ / 2] = 0
    out = np.fft.irfft(spectrum, size).astype(np.float32)
    return out / np.float32(np.sqrt(np.mean(out ** 2)) + 1e-12)


def front_end(line: Float32Array, spec: str) -> Float32Array:
    """8 kHz ``line`` audio to 16 kHz through the front end ``spec`` (see the module's docstring)."""
    kind, _, arg = spec.partition(":")
    if kind == "soxr":
        wide = soxr.resample(line, LINE_HZ, STT_HZ, quality=arg)
    elif kind == "linear":
        wide = np.interp(np.arange(2 * line.size) / 2.0, np.arange(line.size), line)
    else:  # the product's own resampler, so that the baseline stays the product's
        wide = resample(line, LINE_HZ, STT_HZ)
    y = np.asarray(wide, dtype=np.float32)
    if kind == "gain":
        y = y * _db(float(arg))
    elif kind == "peak":
        y = y * (_db(float(arg)) / (float(np.abs(y).max()) + 1e-9))
    elif kind == "hfnoise":
        y = y + upper_band_noise(y.size, y.size) * _db(float(arg))
    elif kind == "mirror":
        y = y + y * np.where(np.arange(y.size) % 2, -1.0, 1.0).astype(np.float32) * _db(float(arg))
    elif kind == "dither":
        y = y + _noise(y.size, y.size) * _db(float(arg))
    elif kind == "preemph":
        y = np.append(y[:1], y[1:] - float(arg) * y[:-1])
    elif kind not in ("none", "soxr", "linear"):
        raise SystemExit(f"error: unknown --front {spec!r}")
    return np.ascontiguousarray(y, dtype=np.float32)


def main() -> int:
    argv = sys.argv[1:]
    spec = "none"
    if "--front" in argv:
        at = argv.index("--front")
        spec = argv[at + 1]
        del argv[at:at + 2]
    front_end(np.zeros(LINE_HZ, dtype=np.float32), spec)  # an unknown spec fails before any model loads

    def read(path: str | os.PathLike[str], rate_hz: int = STT_HZ) -> Any:
        info = soundfile.info(str(path))
        if info.samplerate != LINE_HZ or rate_hz != STT_HZ:
            return read_audio(path, rate_hz)
        line, _ = soundfile.read(str(path), dtype="float32")
        return front_end(line, spec)

    phone_answers.read_audio = read  # type: ignore[attr-defined]
    return phone_answers.main(argv)


if __name__ == "__main__":
    sys.exit(main())
