import json
from pathlib import Path

import pytest

from tests.voice.conftest import SENTENCES, espeak_clip
from voicebot.cli import main


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("cli-clips")
    return [espeak_clip(folder / f"c{i}.wav", text) for i, text in enumerate(SENTENCES)]


@pytest.fixture(scope="module")
def maria(clips: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """`voicebot voice clone maria`, once: the voices folder, stdout and stderr."""
    import contextlib
    import io

    voices = tmp_path_factory.mktemp("cli-voices")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["voice", "clone", "maria", *map(str, clips), "--voices-dir", str(voices)])
    assert code == 0, err.getvalue()
    return voices, out.getvalue(), err.getvalue()


def test_clone_reports_progress_and_how_good_the_clone_is(maria: tuple[Path, str, str]) -> None:
    voices, out, err = maria
    assert "voice 'maria' ready" in out and "--voice maria" in out
    assert "checking 3 clip(s)" in err and "fitting the voice model" in err  # the progress display
    assert (voices / "maria" / "sample.wav").is_file()
    # How good the clone is: three clips are too few to hold one back, and the report says so.
    assert "similarity to your voice in 01.wav, 02.wav, 03.wav (also used for training" in out
    assert "intelligibility: our speech-to-text got" in out
    assert "warning: too few clips" in out


def test_cloned_voice_is_listed_and_speaks(maria: tuple[Path, str, str], clips: list[Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    voices = maria[0]
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

    # The name is taken now.
    assert main(["voice", "clone", "maria", *map(str, clips), "--voices-dir", str(voices)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_dialogue_call_speaks_with_the_cloned_voice(maria: tuple[Path, str, str], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEBOT_VOICES_DIR", str(maria[0]))
    dialogue = tmp_path / "survey.yml"
    text = (Path(__file__).parents[2] / "dialogues" / "satisfaction_survey.yml").read_text()
    dialogue.write_text(text.replace("\nlanguage: en\n", "\nlanguage: en\nvoice: maria\n", 1))
    caller = espeak_clip(tmp_path / "caller.wav", "no thanks", voice="en-us+m3")
    assert main(["call", str(dialogue), "--audio", str(caller), "--json", "--fast"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["meta"]["voice"] == "maria"
    assert record["meta"]["tts_model"].startswith("cpu-clone:maria@")
    assert record["turns"][0]["role"] == "bot"


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


def test_check_of_an_unknown_name_says_what_it_is_not(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voice", "check", "nobody", "--voices-dir", str(tmp_path)]) == 2
    assert "'nobody' is neither a clip file nor a voice" in capsys.readouterr().err


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
