"""Set-up's model fetch: the Smart Turn file out of a wheel, checked, atomic, idempotent."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from voicebot.engines import model_fetch
from voicebot.engines.models import smart_turn_path
from voicebot.errors import ModelError

REPO = Path(__file__).resolve().parents[2]
CONTENT = b"an onnx graph, byte for byte" * 1000
SHA = hashlib.sha256(CONTENT).hexdigest()


def wheel(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "pipecat_ai-1.14.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_extracts_the_model_and_then_leaves_it_alone(tmp_path: Path) -> None:
    source = wheel(tmp_path, {model_fetch.SMART_TURN_MEMBER: CONTENT, "pipecat/other.py": b"x"})
    target = tmp_path / "cache" / "models" / "m.onnx"
    assert model_fetch.extract_smart_turn(source, target, sha256=SHA) == target
    assert target.read_bytes() == CONTENT
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.onnx"]  # no staging file left
    source.unlink()  # a second run must not need the wheel at all
    assert model_fetch.extract_smart_turn(source, target, sha256=SHA) == target


def test_a_damaged_cached_copy_is_replaced(tmp_path: Path) -> None:
    source = wheel(tmp_path, {model_fetch.SMART_TURN_MEMBER: CONTENT})
    target = tmp_path / "m.onnx"
    target.write_bytes(CONTENT[:100])  # an interrupted copy from some older tool
    model_fetch.extract_smart_turn(source, target, sha256=SHA)
    assert target.read_bytes() == CONTENT


def test_a_wrong_file_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    source = wheel(tmp_path, {model_fetch.SMART_TURN_MEMBER: b"something else"})
    target = tmp_path / "cache" / "m.onnx"
    with pytest.raises(ModelError, match="SHA-256"):
        model_fetch.extract_smart_turn(source, target, sha256=SHA)
    assert list(target.parent.iterdir()) == []


def test_a_wheel_without_the_model_is_named(tmp_path: Path) -> None:
    source = wheel(tmp_path, {"pipecat/__init__.py": b""})
    with pytest.raises(ModelError, match=re.escape(f"has no {model_fetch.SMART_TURN_MEMBER}")):
        model_fetch.extract_smart_turn(source, tmp_path / "m.onnx", sha256=SHA)
    not_a_zip = tmp_path / "broken.whl"
    not_a_zip.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a wheel"):
        model_fetch.extract_smart_turn(not_a_zip, tmp_path / "m.onnx", sha256=SHA)


def test_cli_fails_in_one_line_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "voicebot.engines.model_fetch", "--cache-dir", str(tmp_path),
         "--wheel", str(tmp_path / "missing.whl")],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "missing.whl is not a file" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_runtime_never_downloads_and_says_how_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=re.escape("python -m voicebot.engines.model_fetch")):
        smart_turn_path(cache_dir=tmp_path)
    with pytest.raises(ModelError, match=re.escape("turn.model_path")):
        smart_turn_path(tmp_path / "nowhere.onnx")
    given = tmp_path / "mine.onnx"
    given.write_bytes(b"x")
    assert smart_turn_path(given) == given


def test_the_installed_model_is_the_checked_one() -> None:
    """make install put it in the model cache; it is the file this code was checked with."""
    assert model_fetch.is_fetched(smart_turn_path())
