"""``voicebot say`` end to end, with the real voices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from voicebot.cli import main


def test_writes_a_wav_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hello.wav"
    assert main(["say", "Hello! Your pizza is on its way.", "-o", str(out)]) == 0
    samples, rate_hz = soundfile.read(out, dtype="int16")
    info = soundfile.info(out)
    assert (info.format, info.subtype, info.channels, rate_hz) == ("WAV", "PCM_16", 1, 22_050)
    duration_s = len(samples) / rate_hz
    assert 1.0 < duration_s < 5.0
    assert np.abs(samples).max() > 3000
    printed = capsys.readouterr().out
    assert printed == f"wrote {out} ({duration_s:.2f} s, 22050 Hz, piper:en_US-joe-medium)\n"


def test_korean_uses_espeak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ko.wav"
    assert main(["say", "안녕하세요. 주문하시겠어요?", "--language", "ko", "-o", str(out)]) == 0
    assert soundfile.info(out).duration > 1.0
    assert "espeak:ko" in capsys.readouterr().out


def test_explicit_voice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gb.wav"
    assert main(["say", "Goodbye.", "--voice", "espeak:en-gb", "-o", str(out)]) == 0
    assert soundfile.info(out).frames > 0
    assert "espeak:en-gb" in capsys.readouterr().out


@pytest.mark.parametrize(("target", "reason"), [
    ("missing/out.wav", "does not exist"),
    ("adir.wav", "is a directory"),
    ("out.mp3", "must end in .wav"),
])
def test_bad_output_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       target: str, reason: str) -> None:
    (tmp_path / "adir.wav").mkdir()
    # An unknown voice too: the output is checked first, before any voice loads.
    code = main(["say", "Hello.", "--voice", "nobody", "-o", str(tmp_path / target)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("voicebot: error: ") and reason in err
    assert err.count("\n") == 1
    assert not (tmp_path / "missing").exists()


def test_unknown_voice_exit_2_and_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.wav"
    assert main(["say", "Hello.", "--voice", "nobody", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voicebot: error: unknown voice 'nobody'") and err.count("\n") == 1
    assert not out.exists()


def test_empty_text_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", " ... ", "-o", str(tmp_path / "x.wav")]) == 2
    assert "nothing to say" in capsys.readouterr().err


def test_command_line_exit_code(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "voicebot", "say", "Hi.", "-o", str(tmp_path / "no" / "x.wav")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"voicebot: error: cannot write {tmp_path / 'no' / 'x.wav'}: "
                                        f"directory {tmp_path / 'no'} does not exist; create it first"]
    assert done.stdout == ""
