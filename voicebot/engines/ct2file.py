"""The variable index of a CTranslate2 ``model.bin``: tells a complete file from one cut short.

CTranslate2 itself only says "invalid payload size" when it meets a truncated variable. Reading the
index (names, shapes and byte counts, seeking over the weights) finds the same fault before loading,
names the first variable cut short and how many bytes the file lacks. Binary format version 6 (what
CTranslate2 4 writes): a version, the spec name and revision, the variable count, then for each
variable its name, rank, dimensions, data type, byte count and bytes.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

_KNOWN_VERSIONS = (6,)


@dataclass(frozen=True, slots=True)
class Truncation:
    variable: str  # the first variable whose bytes run past the end of the file
    needed_bytes: int  # the file must be at least this long to hold it
    file_bytes: int


def _read(handle: BinaryIO, fmt: str) -> tuple[int, ...]:
    size = struct.calcsize(fmt)
    data = handle.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack(fmt, data)


def _string(handle: BinaryIO) -> str:
    (length,) = _read(handle, "<H")
    data = handle.read(length)
    if len(data) != length:
        raise EOFError
    return data.rstrip(b"\0").decode("utf-8", "replace")


def find_truncation(path: str | os.PathLike[str]) -> Truncation | None:
    """The first variable cut short, or None when every variable's bytes are in the file.

    A file of an unknown format version is not judged (None): CTranslate2 will say what it thinks.
    """
    file_bytes = os.path.getsize(path)
    with open(path, "rb") as handle:
        name = "(header)"
        try:
            (version,) = _read(handle, "<I")
            if version not in _KNOWN_VERSIONS:
                return None
            _string(handle)  # spec name, e.g. WhisperSpec
            _read(handle, "<I")  # spec revision
            (count,) = _read(handle, "<I")
            for _ in range(count):
                name = "(index)"
                name = _string(handle)
                (rank,) = _read(handle, "<B")
                _read(handle, "<" + "I" * rank)
                _read(handle, "<B")  # data type
                (payload,) = _read(handle, "<I")
                end = handle.tell() + payload
                if end > file_bytes:
                    return Truncation(name, end, file_bytes)
                handle.seek(end)
        except EOFError:
            return Truncation(name, file_bytes + 1, file_bytes)
    return None
