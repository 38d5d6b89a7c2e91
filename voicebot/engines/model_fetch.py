"""Set-up step: put the models that no installable package provides as a module into the model cache.

Smart Turn v3.2 (end-of-turn model, BSD 2-Clause) ships only inside the ``pipecat-ai`` wheel, whose
dependencies are heavy. ``make install`` runs ``python -m voicebot.engines.model_fetch``: it downloads
that one wheel without dependencies (``pip download --no-deps``), takes the ONNX file and the licence
out of it, checks the file's SHA-256, and renames it into place, so a reader never sees half a model.
Run again, it does nothing when the cached file is already the right one.

    python -m voicebot.engines.model_fetch [--wheel pipecat_ai-1.14.0-py3-none-any.whl] [--cache-dir D]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from voicebot.engines.models import SMART_TURN_FILE, cache_root
from voicebot.errors import ModelError

PIPECAT_REQUIREMENT = "pipecat-ai==1.14.0"
SMART_TURN_MEMBER = f"pipecat/audio/turn/smart_turn/data/{SMART_TURN_FILE}"
SMART_TURN_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
LICENSE_MEMBER = "pipecat_ai-1.14.0.dist-info/licenses/LICENSE"
_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def is_fetched(target: Path, sha256: str = SMART_TURN_SHA256) -> bool:
    return target.is_file() and sha256_of(target) == sha256


def smart_turn_target(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    return cache_root(cache_dir) / "models" / SMART_TURN_FILE


def extract_smart_turn(wheel: Path, target: Path, *, sha256: str = SMART_TURN_SHA256,
                       member: str = SMART_TURN_MEMBER) -> Path:
    """Copies ``member`` out of ``wheel`` to ``target`` (atomically) and checks its SHA-256."""
    if is_fetched(target, sha256):
        return target
    if not wheel.is_file():
        raise ModelError(f"{wheel} is not a file: give the path of the {PIPECAT_REQUIREMENT} wheel")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging_name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    staging = Path(staging_name)
    try:
        digest = hashlib.sha256()
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, os.fdopen(fd, "wb") as out:
                for block in iter(lambda: src.read(_CHUNK), b""):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
        except KeyError:
            raise ModelError(f"{wheel} has no {member}: is it the {PIPECAT_REQUIREMENT} wheel?") from None
        except zipfile.BadZipFile:
            raise ModelError(f"{wheel} is not a wheel (zip) file") from None
        if digest.hexdigest() != sha256:
            raise ModelError(
                f"{member} in {wheel} has SHA-256 {digest.hexdigest()}, expected {sha256}: "
                "the wheel is not the one this voicebot was checked with"
            )
        staging.chmod(0o644)  # mkstemp makes it private; the cache is shared like any model
        os.replace(staging, target)
    except OSError as exc:
        raise ModelError(f"cannot write {target}: {exc}; check free space and permissions") from None
    finally:
        staging.unlink(missing_ok=True)
    return target


def _extract_license(wheel: Path, target: Path) -> None:
    """The BSD 2-Clause notice travels with the model file (best effort: the model works without it)."""
    notice = target.with_name(target.stem + ".LICENSE")
    try:
        with zipfile.ZipFile(wheel) as archive:
            notice.write_bytes(archive.read(LICENSE_MEMBER))
    except (KeyError, OSError, zipfile.BadZipFile):
        pass


def download_wheel(directory: Path, requirement: str = PIPECAT_REQUIREMENT) -> Path:
    """``pip download --no-deps`` of the one wheel into ``directory``; returns the wheel's path."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", str(directory), requirement]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ModelError(f"cannot run pip to download {requirement}: {exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        reason = lines[-1] if lines else f"pip exited with {done.returncode}"
        raise ModelError(
            f"cannot download {requirement} for the Smart Turn model ({reason}); check the network or "
            "the package index, or pass --wheel FILE, or set turn.model_path to a copy of the model"
        )
    wheels = sorted(directory.glob("pipecat_ai-*.whl"))
    if not wheels:
        raise ModelError(f"pip downloaded no pipecat_ai wheel for {requirement} into {directory}")
    return wheels[0]


def fetch_smart_turn(cache_dir: str | os.PathLike[str] | None = None, wheel: Path | None = None) -> Path:
    """The cached Smart Turn model, fetched first when missing or damaged."""
    target = smart_turn_target(cache_dir)
    if is_fetched(target):
        return target
    if wheel is not None:
        extract_smart_turn(wheel, target)
        _extract_license(wheel, target)
        return target
    with tempfile.TemporaryDirectory(prefix="voicebot-fetch-") as tmp:
        downloaded = download_wheel(Path(tmp))
        extract_smart_turn(downloaded, target)
        _extract_license(downloaded, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m voicebot.engines.model_fetch",
        description="Put the Smart Turn end-of-turn model into the model cache (run by make install).",
    )
    parser.add_argument("--wheel", type=Path,
                        help=f"a local {PIPECAT_REQUIREMENT} wheel instead of pip download")
    parser.add_argument("--cache-dir", type=Path,
                        help="model cache (default $VOICEBOT_CACHE_DIR or ~/.cache/voicebot)")
    args = parser.parse_args(argv)
    try:
        path = fetch_smart_turn(args.cache_dir, args.wheel)
    except ModelError as exc:
        print(f"voicebot: error: {exc}", file=sys.stderr)
        return 2
    print(f"Smart Turn model: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
