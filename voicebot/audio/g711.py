"""G.711 mu-law and A-law, bit-exact with the ITU reference (the Sun g711.c algorithm).

Encoding looks up a 65536-entry table indexed by the int16 sample; decoding a 256-entry one.
Tables are built once, on first use.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

Int16Array = npt.NDArray[np.int16]
UInt8Array = npt.NDArray[np.uint8]

# Segment end points of the reference encoder: mu-law works on 14-bit, A-law on 13-bit magnitudes.
_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)
_ULAW_BIAS = 0x84
_ULAW_CLIP = 8159


def _all_int16() -> npt.NDArray[np.int32]:
    return np.arange(-32768, 32768, dtype=np.int32)


@cache
def _ulaw_encode_table() -> UInt8Array:
    pcm = _all_int16() >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    segment = np.searchsorted(_ULAW_SEG_END, magnitude, side="left")
    mantissa = (magnitude >> (np.minimum(segment, 7) + 1)) & 0x0F
    code = np.where(segment >= 8, 0x7F, (segment << 4) | mantissa)
    return ((code ^ mask) & 0xFF).astype(np.uint8)


@cache
def _ulaw_decode_table() -> Int16Array:
    inverted = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((inverted & 0x0F) << 3) + _ULAW_BIAS) << ((inverted & 0x70) >> 4)
    linear = np.where(inverted & 0x80, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS)
    return linear.astype(np.int16)


@cache
def _alaw_encode_table() -> UInt8Array:
    pcm = _all_int16() >> 3
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    magnitude = np.where(pcm >= 0, pcm, -pcm - 1)
    segment = np.searchsorted(_ALAW_SEG_END, magnitude, side="left")
    shift = np.where(segment < 2, 1, np.minimum(segment, 7))
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> shift) & 0x0F))
    return ((code ^ mask) & 0xFF).astype(np.uint8)


@cache
def _alaw_decode_table() -> Int16Array:
    value = np.arange(256, dtype=np.int32) ^ 0x55
    segment = (value & 0x70) >> 4
    base = (value & 0x0F) << 4
    magnitude = np.where(
        segment == 0, base + 8, (base + 0x108) << np.maximum(segment - 1, 0)
    )
    linear = np.where(value & 0x80, magnitude, -magnitude)
    return linear.astype(np.int16)


def _as_codes(data: bytes | bytearray | memoryview | npt.ArrayLike) -> UInt8Array:
    if isinstance(data, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(data), dtype=np.uint8)
    return np.asarray(data, dtype=np.uint8)


def ulaw_encode(samples: npt.ArrayLike) -> bytes:
    """int16 samples -> mu-law bytes (one byte per sample)."""
    index = np.asarray(samples, dtype=np.int16).astype(np.int32) + 32768
    return bytes(_ulaw_encode_table()[index].tobytes())


def ulaw_decode(data: bytes | bytearray | memoryview | npt.ArrayLike) -> Int16Array:
    """mu-law bytes -> int16 samples."""
    return _ulaw_decode_table()[_as_codes(data)]


def alaw_encode(samples: npt.ArrayLike) -> bytes:
    """int16 samples -> A-law bytes (one byte per sample)."""
    index = np.asarray(samples, dtype=np.int16).astype(np.int32) + 32768
    return bytes(_alaw_encode_table()[index].tobytes())


def alaw_decode(data: bytes | bytearray | memoryview | npt.ArrayLike) -> Int16Array:
    """A-law bytes -> int16 samples."""
    return _alaw_decode_table()[_as_codes(data)]
