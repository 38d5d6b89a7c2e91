"""G.711 must be bit-exact: phones and Asterisk decode what we encode with the reference tables."""

import warnings

import numpy as np
import pytest

from voicebot.audio.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

EVERY_INT16 = np.arange(-32768, 32768, dtype=np.int16)
EVERY_CODE = bytes(range(256))


def reference() -> object:
    """Python 3.11's audioop is the ITU reference implementation; it warns because 3.13 drops it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop
    return audioop


# Spot values from the ITU G.711 tables (as in the Sun reference g711.c).
@pytest.mark.parametrize(("linear", "ulaw"), [
    (0, 0xFF), (-1, 0x7E), (1, 0xFF), (32767, 0x80), (-32768, 0x00), (1000, 0xCE), (-1000, 0x4E), (100, 0xF2),
])
def test_ulaw_literal_values(linear: int, ulaw: int) -> None:
    assert ulaw_encode(np.array([linear], np.int16)) == bytes([ulaw])


@pytest.mark.parametrize(("code", "linear"), [
    (0xFF, 0), (0x7F, 0), (0x80, 32124), (0x00, -32124), (0xCE, 988),
])
def test_ulaw_decode_literal_values(code: int, linear: int) -> None:
    assert ulaw_decode(bytes([code])).tolist() == [linear]


@pytest.mark.parametrize(("linear", "alaw"), [
    (0, 0xD5), (-1, 0x55), (32767, 0xAA), (-32768, 0x2A), (1000, 0xFA), (-1000, 0x7A),
])
def test_alaw_literal_values(linear: int, alaw: int) -> None:
    assert alaw_encode(np.array([linear], np.int16)) == bytes([alaw])


@pytest.mark.parametrize(("code", "linear"), [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256)])
def test_alaw_decode_literal_values(code: int, linear: int) -> None:
    assert alaw_decode(bytes([code])).tolist() == [linear]


def test_ulaw_matches_reference_for_every_sample_and_code() -> None:
    ref = reference()
    assert ulaw_encode(EVERY_INT16) == ref.lin2ulaw(EVERY_INT16.astype("<i2").tobytes(), 2)  # type: ignore[attr-defined]
    expected = np.frombuffer(ref.ulaw2lin(EVERY_CODE, 2), "<i2")  # type: ignore[attr-defined]
    assert np.array_equal(ulaw_decode(EVERY_CODE), expected)


def test_alaw_matches_reference_for_every_sample_and_code() -> None:
    ref = reference()
    assert alaw_encode(EVERY_INT16) == ref.lin2alaw(EVERY_INT16.astype("<i2").tobytes(), 2)  # type: ignore[attr-defined]
    expected = np.frombuffer(ref.alaw2lin(EVERY_CODE, 2), "<i2")  # type: ignore[attr-defined]
    assert np.array_equal(alaw_decode(EVERY_CODE), expected)


@pytest.mark.parametrize(("encode", "decode"), [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)])
def test_round_trip_is_idempotent_and_close(encode, decode) -> None:  # type: ignore[no-untyped-def]
    decoded = decode(encode(EVERY_INT16))
    assert encode(decoded) == encode(EVERY_INT16)  # a decoded value encodes to the same code
    error = np.abs(decoded.astype(np.int32) - EVERY_INT16.astype(np.int32))
    # Companding keeps the relative error under ~6% above the smallest step.
    assert np.all(error <= np.maximum(64, np.abs(EVERY_INT16.astype(np.int32)) * 0.07))


def test_decode_accepts_arrays_and_memoryview() -> None:
    codes = np.array([0xFF, 0x80], np.uint8)
    assert ulaw_decode(codes).tolist() == ulaw_decode(memoryview(bytes(codes))).tolist() == [0, 32124]
