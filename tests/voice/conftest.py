"""Reference clips the tests make themselves: espeak-ng's female English voice, a speaker clearly unlike
the Piper base voice, so the conversion has something to learn."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SENTENCES = (
    "The quick brown fox jumps over the lazy dog while the children play in the garden.",
    "Please call me back tomorrow morning, I would like to order two large pizzas.",
    "My favourite colour is green, and I usually walk to work when the weather is nice.",
)
# A fourth clip for the cloned voice: with four, clone_voice holds the last one back for its check.
HELD_BACK_SENTENCE = "Would you like to hear about our special offers before you place your order today?"


def espeak_clip(path: Path, text: str, voice: str = "en-us+f3") -> Path:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is missing: run make system-deps")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


@pytest.fixture(scope="session")
def female_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    return [espeak_clip(folder / f"ref{i}.wav", text)
            for i, text in enumerate((*SENTENCES, HELD_BACK_SENTENCE))]


@pytest.fixture(scope="session")
def cloned(tmp_path_factory: pytest.TempPathFactory, female_clips: list[Path]):  # type: ignore[no-untyped-def]
    from voicebot.voice.clips import ClipLimits
    from voicebot.voice.clone import clone_voice

    voices = tmp_path_factory.mktemp("voices")
    # Few components and one pass: the tests check the pipeline, the bench checks the quality.
    return clone_voice("ana", female_clips, voices_dir=voices,
                       settings={"speed": 1.0, "components": 4, "iterations": 8, "refine": False},
                       limits=ClipLimits(min_total_s=4.0))
