import json
from pathlib import Path

import pytest

from tests.voice.conftest import SENTENCES, espeak_clip
from voicebot.cli import main


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("cli-clips")
    return [espeak_clip(folder / f"c{i}.wav", text) for i, text in enumerate(SENTENCES)]


def test_clone_then_list_then_say(clips: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    voices = tmp_path / "voices"
    code = main(["voice", "clone", "maria", *map(str, clips), "--voices-dir", str(voices)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "voice 'maria' ready" in out and "--voice maria" in out
    assert "checking 3 clip(s)" in err and "fitting the voice model" in err  # the progress display
    assert (voices / "maria" / "sample.wav").is_file()

    assert main(["voice", "list", "--voices-dir", str(voices)]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("maria\tcpu-clone\ten\t3 clip(s)")

    # `voicebot say --voice NAME` finds the profile through $VOICEBOT_VOICES_DIR.
    monkeypatch.setenv("VOICEBOT_VOICES_DIR", str(voices))
    out_wav = tmp_path / "hello.wav"
    assert main(["say", "Hello, your pizza is on its way.", "-o", str(out_wav), "--voice", "maria"]) == 0
    import soundfile

    audio, rate_hz = soundfile.read(out_wav)
    assert rate_hz == 22050 and audio.size > rate_hz
    capsys.readouterr()

    # A dialogue names the voice; an offline call speaks with it.
    dialogue = tmp_path / "survey.yml"
    text = (Path(__file__).parents[2] / "dialogues" / "satisfaction_survey.yml").read_text()
    dialogue.write_text(text.replace("\nlanguage: en\n", "\nlanguage: en\nvoice: maria\n", 1))
    caller = espeak_clip(tmp_path / "caller.wav", "no thanks", voice="en-us+m3")
    assert main(["call", str(dialogue), "--audio", str(caller), "--json", "--fast"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["meta"]["voice"] == "maria"
    assert record["meta"]["tts_model"].startswith("cpu-clone:maria@")
    assert record["turns"][0]["role"] == "bot"

    # The name is taken now.
    assert main(["voice", "clone", "maria", *map(str, clips), "--voices-dir", str(voices)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_bad_clips_stop_the_clone_with_every_reason(clips: list[Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np
    import soundfile

    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(16000 * 3, np.int16), 16000)
    phone = tmp_path / "phone.wav"
    soundfile.write(phone, (np.sin(np.arange(8000 * 3) * 0.3) * 8000).astype(np.int16), 8000)
    code = main(["voice", "clone", "bad", str(silent), str(phone), "--voices-dir", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert code == 2
    assert "voicebot: error: the reference clips cannot be used" in err
    assert "silent.wav: is silent" in err and "phone.wav: sample rate 8000 Hz is too low" in err
    assert not (tmp_path / "v" / "bad").exists()


def test_check_reports_without_cloning(clips: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "check", *map(str, clips)]) == 0
    assert "s of audio in all: 30-90 s gives a closer voice" in capsys.readouterr().out


def test_xtts_needs_a_checkpoint(clips: list[Path], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "clone", "x", *map(str, clips), "--engine", "xtts",
                 "--voices-dir", str(tmp_path)]) == 2
    assert "needs --checkpoint DIR" in capsys.readouterr().err


def test_clone_help_states_the_weight_licences(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["voice", "clone", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "NON-COMMERCIAL" in text and "MIT-licensed" in text
