"""``voicebot call``: an offline call from audio files, through the real pipeline and models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.audio.speech import padded, synth
from tests.session.helpers import DIALOGUE_PATH
from voicebot.audio.io import write_wav
from voicebot.cli import main


def _wav(path: Path, text: str) -> str:
    write_wav(path, np.clip(padded(synth(text), 200, 0) * 32767, -32768, 32767).astype(np.int16), 16_000)
    return str(path)


def test_call_prints_the_record_with_per_turn_latency_and_writes_two_channel_audio(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    turns = [_wav(tmp_path / f"t{i}.wav", t) for i, t in enumerate(("Yes, please.", "Three.", "Yes."))]
    out = tmp_path / "call.wav"
    argv = ["call", str(DIALOGUE_PATH), "--json", "--fast", "--out", str(out)]
    for turn in turns:
        argv += ["--audio", turn]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["outcome"] == "done" and record["slots"] == {"wants": True, "size": 3}
    caller = [t for t in record["turns"] if t["role"] == "caller"]
    assert caller and all(isinstance(t["latency_ms"], int) and t["latency_ms"] > 0 for t in caller)
    assert record["meta"]["door"] == "file"
    info = soundfile.info(str(out))
    assert info.channels == 2 and info.samplerate == 16_000 and info.duration > 3


def test_call_without_json_prints_the_conversation(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", str(DIALOGUE_PATH), "--audio", _wav(tmp_path / "no.wav", "No, thank you.")]) == 0
    text = capsys.readouterr().out
    assert "bot: Would you like a pizza today?" in text
    assert "caller: no" in text.lower() and " ms)" in text


def test_call_reports_a_missing_audio_file_clearly(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", str(DIALOGUE_PATH), "--audio", str(tmp_path / "missing.wav")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voicebot: error:") and "missing.wav" in err


def test_call_reports_a_bad_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", str(DIALOGUE_PATH), "--audio", "x.wav", "--var", "novalue"]) == 2
    assert "--var needs KEY=VALUE" in capsys.readouterr().err
