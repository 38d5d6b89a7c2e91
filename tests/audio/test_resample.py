import numpy as np
import pytest

from voicebot.audio.resample import StreamResampler, resample
from voicebot.errors import AudioError

RATES = [8000, 16000, 22050, 24000, 48000]


def sine(freq_hz: float, rate_hz: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    return (0.5 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def dominant_hz(samples: np.ndarray, rate_hz: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate_hz)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("from_hz", RATES)
@pytest.mark.parametrize("to_hz", RATES)
def test_sine_keeps_its_frequency_and_length(from_hz: int, to_hz: int) -> None:
    out = resample(sine(1000, from_hz), from_hz, to_hz)
    assert out.dtype == np.float32
    assert abs(out.size - to_hz) <= 1
    assert abs(dominant_hz(out, to_hz) - 1000) <= 2
    assert abs(float(np.abs(out[to_hz // 4: -to_hz // 4]).max()) - 0.5) < 0.02


def test_int16_stays_int16() -> None:
    samples = (sine(440, 8000) * 32767).astype(np.int16)
    out = resample(samples, 8000, 16000)
    assert out.dtype == np.int16 and abs(dominant_hz(out.astype(np.float32), 16000) - 440) <= 2


def test_downsampling_removes_what_the_new_rate_cannot_hold() -> None:
    out = resample(sine(6000, 48000), 48000, 8000)  # above the 4 kHz Nyquist limit of 8 kHz
    assert float(np.sqrt(np.mean(out**2))) < 0.01


@pytest.mark.parametrize(("from_hz", "to_hz"), [(8000, 16000), (48000, 16000), (16000, 22050), (24000, 8000)])
def test_stream_in_20ms_frames_matches_the_whole_buffer(from_hz: int, to_hz: int) -> None:
    signal = sine(700, from_hz, 0.5)
    stream = StreamResampler(from_hz, to_hz)
    frame = from_hz // 50
    pieces = [stream.process(signal[i:i + frame]) for i in range(0, signal.size, frame)]
    pieces.append(stream.flush())
    streamed = np.concatenate(pieces)
    assert abs(streamed.size - to_hz // 2) <= 2
    whole = resample(signal, from_hz, to_hz)
    n = min(streamed.size, whole.size)
    assert np.max(np.abs(streamed[:n] - whole[:n])) < 1e-3
    assert abs(dominant_hz(streamed, to_hz) - 700) <= 4


def test_same_rate_stream_passes_through() -> None:
    stream = StreamResampler(16000, 16000, dtype="int16")
    chunk = np.arange(5, dtype=np.int16)
    assert stream.process(chunk).tolist() == [0, 1, 2, 3, 4]
    assert stream.flush().size == 0


def test_bad_rates_and_types_are_audio_errors() -> None:
    with pytest.raises(AudioError):
        resample(sine(1, 8000), 0, 16000)
    with pytest.raises(AudioError):
        StreamResampler(8000, 16000, dtype="float64")
