"""`voicebot transcribe` end to end: real files, real models, a real subprocess where exit codes matter."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.audio.speech import RATE_HZ, espeak_korean, normalize, padded, synth
from voicebot.audio.io import write_wav
from voicebot.audio.pcm import float32_to_int16
from voicebot.cli import main

ORDER = "I would like two large pepperoni pizzas delivered to twelve Main Street."


@pytest.fixture(scope="module")
def order_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "order.wav"
    write_wav(path, float32_to_int16(padded(synth(ORDER), 300, 300)), RATE_HZ)
    return path


def voicebot(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "voicebot", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_plain_text_output(order_wav: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(order_wav)]) == 0
    assert normalize(capsys.readouterr().out) == normalize(ORDER)


def test_json_output(order_wav: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transcribe", str(order_wav), "--language", "en", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert normalize(document["text"]) == normalize(ORDER)
    assert document["language"] == "en"
    assert document["model"] == "faster-whisper:tiny.en"
    assert abs(document["duration_s"] - (synth(ORDER).size / RATE_HZ + 0.6)) < 0.01
    assert document["processing_s"] > 0
    words = [w for s in document["segments"] for w in s["words"]]
    assert {"text", "start_s", "end_s", "probability"} <= set(words[0])
    assert [normalize(w["text"]) for w in words[:2]] == ["i", "would"]


def test_korean_uses_the_multilingual_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ko.wav"
    write_wav(path, float32_to_int16(espeak_korean("안녕하세요 피자 두 판 주문하고 싶어요")), RATE_HZ)
    assert main(["transcribe", str(path), "--language", "ko", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["model"] == "faster-whisper:base" and document["language"] == "ko"
    assert sum("\uac00" <= ch <= "\ud7a3" for ch in document["text"]) >= 5
    assert main(["transcribe", str(path), "--language", "ko", "--engine", "vosk"]) == 0
    assert sum("\uac00" <= ch <= "\ud7a3" for ch in capsys.readouterr().out) >= 5


def test_stereo_44k_input_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from voicebot.audio.resample import resample

    speech = resample(padded(synth("That's all, thank you."), 200, 200), RATE_HZ, 44100)
    stereo = np.stack([float32_to_int16(speech)] * 2, axis=1)
    path = tmp_path / "stereo.wav"
    write_wav(path, stereo, 44100, channels=2)
    assert main(["transcribe", str(path)]) == 0
    assert normalize(capsys.readouterr().out) == normalize("That's all, thank you.")


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", "audio file not found"),
    ("empty", "is empty"),
    ("text", "cannot read audio file"),
    ("no-samples", "no samples"),
])
def test_bad_audio_is_one_line_and_exit_2(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "input.wav"
    if setup == "empty":
        path.write_bytes(b"")
    elif setup == "text":
        path.write_text("hello\n")
    elif setup == "no-samples":
        write_wav(path, np.zeros(0, np.int16), RATE_HZ)
    result = voicebot("transcribe", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("voicebot: error: ") and message in lines[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--language", "klingon"], "unknown language 'klingon'"),
    (["--language", "ko", "--model", "tiny.en"], "English only"),
    (["--model", "large-v3"], "never downloaded"),
    (["--engine", "vosk", "--language", "en"], "use --language ko"),
])
def test_bad_options_are_one_line_and_exit_2(order_wav: Path, args: list[str], message: str) -> None:
    result = voicebot("transcribe", str(order_wav), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_help_names_the_options() -> None:
    result = voicebot("transcribe", "--help")
    assert result.returncode == 0
    for option in ("--language", "--json", "--model", "--engine"):
        assert option in result.stdout
