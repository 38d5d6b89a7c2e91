import numpy as np
import pytest

from voicebot.audio.pcm import (
    bytes_per_frame,
    float32_to_int16,
    int16_to_float32,
    int16_to_pcm_bytes,
    pcm_bytes_to_int16,
    samples_per_frame,
)
from voicebot.errors import AudioError


def test_int16_float32_round_trip_is_exact_for_every_value() -> None:
    every = np.arange(-32768, 32768, dtype=np.int16)
    floats = int16_to_float32(every)
    assert floats.dtype == np.float32
    assert floats.min() == -1.0 and floats.max() < 1.0
    assert np.array_equal(float32_to_int16(floats), every)


def test_float32_to_int16_clips_instead_of_wrapping() -> None:
    samples = np.array([1.5, -2.0, 1.0, 0.5], np.float32)
    assert float32_to_int16(samples).tolist() == [32767, -32768, 32767, 16384]


def test_pcm_bytes_are_little_endian() -> None:
    assert pcm_bytes_to_int16(b"\x01\x00\xff\xff\x00\x80").tolist() == [1, -1, -32768]
    assert int16_to_pcm_bytes(np.array([1, -1, -32768], np.int16)) == b"\x01\x00\xff\xff\x00\x80"


def test_pcm_bytes_copy_survives_buffer_reuse() -> None:
    buffer = bytearray(b"\x01\x00")
    samples = pcm_bytes_to_int16(buffer)
    buffer[0] = 9
    assert samples.tolist() == [1]


def test_odd_byte_count_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="even number of bytes"):
        pcm_bytes_to_int16(b"\x00\x00\x00")


@pytest.mark.parametrize(("rate_hz", "frame_ms", "samples"), [
    (8000, 20, 160), (16000, 20, 320), (16000, 32, 512), (48000, 10, 480), (22050, 20, 441), (24000, 30, 720),
])
def test_samples_per_frame(rate_hz: int, frame_ms: int, samples: int) -> None:
    assert samples_per_frame(rate_hz, frame_ms) == samples
    assert bytes_per_frame(rate_hz, frame_ms) == 2 * samples


def test_fractional_frame_is_refused() -> None:
    with pytest.raises(AudioError, match="whole number"):
        samples_per_frame(22050, 1)
    with pytest.raises(AudioError):
        samples_per_frame(0, 20)
