from pathlib import Path

import numpy as np
import pytest
import soundfile

from voicebot.audio.io import read_audio, write_wav
from voicebot.errors import AudioError


def tone(rate_hz: int, seconds: float = 0.5, freq_hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    return (0.3 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def test_write_then_read_at_the_same_rate(tmp_path: Path) -> None:
    samples = (tone(16000) * 32767).astype(np.int16)
    path = tmp_path / "a.wav"
    write_wav(path, samples, 16000)
    info = soundfile.info(str(path))
    assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    back = read_audio(path)
    assert back.dtype == np.float32
    assert np.max(np.abs(back - samples / 32768.0)) < 1e-6


def test_stereo_44k_becomes_16k_mono(tmp_path: Path) -> None:
    left = (tone(44100) * 32767).astype(np.int16)
    stereo = np.stack([left, left], axis=1)
    path = tmp_path / "stereo.wav"
    write_wav(path, stereo, 44100, channels=2)
    assert soundfile.info(str(path)).channels == 2
    mono = read_audio(path, sample_rate_hz=16000)
    assert abs(mono.size - 8000) <= 1
    assert abs(float(np.abs(mono[2000:6000]).max()) - 0.3) < 0.01


def test_mp3_is_read_through_pyav(tmp_path: Path) -> None:
    import av

    path = tmp_path / "tone.mp3"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mp3", rate=22050)
        stream.layout = "mono"
        samples = tone(22050, 1.0)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = 22050
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    audio = read_audio(path)
    assert 15000 < audio.size < 18500
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.fft.rfftfreq(audio.size, 1 / 16000)[int(np.argmax(spectrum))] - 440) < 5


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="not found"):
        read_audio(tmp_path / "nope.wav")


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        read_audio(path)


def test_wav_without_samples(tmp_path: Path) -> None:
    path = tmp_path / "silent.wav"
    write_wav(path, np.zeros(0, np.int16), 16000)
    with pytest.raises(AudioError, match="no samples"):
        read_audio(path)


def test_text_file_is_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n")
    with pytest.raises(AudioError, match="cannot read audio file"):
        read_audio(path)


def test_directory_is_not_audio(tmp_path: Path) -> None:
    with pytest.raises(AudioError):
        read_audio(tmp_path)


def test_write_to_missing_directory_is_an_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="cannot write"):
        write_wav(tmp_path / "no" / "such" / "dir.wav", np.zeros(10, np.int16), 8000)


def test_interleaved_channels_must_divide(tmp_path: Path) -> None:
    with pytest.raises(AudioError):
        write_wav(tmp_path / "x.wav", np.zeros(5, np.int16), 8000, channels=2)
