"""Sample-rate conversion with soxr, for whole buffers and for frame-by-frame streams."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from voicebot.errors import AudioError

_QUALITY = "HQ"
_DTYPES = {"float32": np.float32, "int16": np.int16}


def _check_rate(rate_hz: int) -> None:
    if not isinstance(rate_hz, int | np.integer) or rate_hz <= 0:
        raise AudioError(f"sample rate must be a positive integer in Hz, got {rate_hz!r}")


def resample(samples: npt.NDArray[Any], from_hz: int, to_hz: int) -> npt.NDArray[Any]:
    """Resamples mono ``samples`` (float32 or int16); returns the same dtype."""
    _check_rate(from_hz)
    _check_rate(to_hz)
    array = np.asarray(samples)
    if from_hz == to_hz or array.size == 0:
        return array.copy()
    result: npt.NDArray[Any] = soxr.resample(array, from_hz, to_hz, quality=_QUALITY)
    return result


class StreamResampler:
    """Resamples a stream chunk by chunk, keeping filter state between chunks.

    Output length per chunk varies by a sample or so (the filter has delay); ``flush()``
    returns the tail held back at the end.
    """

    def __init__(self, from_hz: int, to_hz: int, dtype: str = "float32") -> None:
        _check_rate(from_hz)
        _check_rate(to_hz)
        if dtype not in _DTYPES:
            raise AudioError(f"unsupported sample type {dtype!r}; use float32 or int16")
        self.from_hz = from_hz
        self.to_hz = to_hz
        self.dtype = dtype
        self._passthrough = from_hz == to_hz
        self._stream = None if self._passthrough else soxr.ResampleStream(
            from_hz, to_hz, 1, dtype=dtype, quality=_QUALITY
        )

    def process(self, chunk: npt.NDArray[Any]) -> npt.NDArray[Any]:
        array = np.asarray(chunk, dtype=_DTYPES[self.dtype])
        if self._stream is None:
            return array.copy()
        result: npt.NDArray[Any] = self._stream.resample_chunk(array, last=False)
        return result

    def flush(self) -> npt.NDArray[Any]:
        if self._stream is None:
            return np.zeros(0, dtype=_DTYPES[self.dtype])
        result: npt.NDArray[Any] = self._stream.resample_chunk(
            np.zeros(0, dtype=_DTYPES[self.dtype]), last=True
        )
        self._stream.clear()
        return result
