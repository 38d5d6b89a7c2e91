"""eSpeak NG text-to-speech through its command line: robotic, but it speaks about a hundred languages.
The last-resort voice for a language without a neural voice (Korean here)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import numpy as np

from voicebot.engines.base import Int16Array
from voicebot.engines.piper import without_leading_silence
from voicebot.engines.text import split_sentences
from voicebot.errors import ConfigError, EngineError, ModelError

DEFAULT_RATE_WPM = 160
_TIMEOUT_S = 30.0
_INSTALL_HINT = "install espeak-ng: sudo apt-get install espeak-ng"


def parse_wav_pcm16(data: bytes) -> tuple[int, Int16Array]:
    """Reads espeak-ng's streamed WAV: its header sizes are placeholders, so the samples are taken as
    everything after the ``data`` chunk header rather than trusting the declared length."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("espeak-ng did not produce WAV audio")
    pos = 12
    sample_rate_hz = 0
    while pos + 8 <= len(data):
        chunk_id = data[pos:pos + 4]
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        body = pos + 8
        if chunk_id == b"fmt ":
            fmt = data[body:body + 16]
            channels = int.from_bytes(fmt[2:4], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            if int.from_bytes(fmt[0:2], "little") != 1 or channels != 1 or bits != 16:
                raise EngineError("espeak-ng produced audio other than mono 16-bit PCM")
            sample_rate_hz = int.from_bytes(fmt[4:8], "little")
        elif chunk_id == b"data":
            if sample_rate_hz == 0:
                raise EngineError("espeak-ng WAV has no format chunk")
            pcm = data[body:]
            pcm = pcm[:len(pcm) // 2 * 2]
            return sample_rate_hz, np.frombuffer(pcm, dtype="<i2").astype(np.int16)
        pos = body + size + (size & 1)
    raise EngineError("espeak-ng WAV has no audio data")


class EspeakSynthesizer:
    """Speaks with an eSpeak NG voice (``espeak-ng --voices`` lists them; "ko", "en-us", "en-gb+f3").

    The voice is checked when the synthesizer is created, which also tells its sample rate.
    """

    def __init__(self, voice: str = "ko", rate_wpm: int = DEFAULT_RATE_WPM, *, pitch: int | None = None,
                 executable: str = "espeak-ng") -> None:
        found = shutil.which(executable)
        if found is None:
            raise ModelError(_INSTALL_HINT)
        if not 80 <= rate_wpm <= 450:
            raise ConfigError(f"espeak-ng rate {rate_wpm} wpm is out of range; use 80 to 450")
        if pitch is not None and not 0 <= pitch <= 99:
            raise ConfigError(f"espeak-ng pitch {pitch} is out of range; use 0 to 99")
        self._executable = found
        self._voice = voice
        self._rate_wpm = rate_wpm
        self._pitch = pitch
        self.name = f"espeak:{voice}"
        self.language = voice.split("+")[0]
        self.sample_rate_hz, _ = self._run("a")

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        """Yields one int16 chunk per sentence; the first trimmed of its leading silence."""
        chunks = (self._run(sentence)[1] for sentence in split_sentences(text, self.language))
        yield from without_leading_silence(chunks, self.sample_rate_hz)

    def _run(self, text: str) -> tuple[int, Int16Array]:
        command = [self._executable, "-v", self._voice, "-s", str(self._rate_wpm), "-b", "1",
                   "--stdin", "--stdout"]
        if self._pitch is not None:
            command[1:1] = ["-p", str(self._pitch)]
        try:
            # Text goes through stdin so a sentence starting with "-" is never read as an option.
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                  timeout=_TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise ModelError(_INSTALL_HINT) from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"espeak-ng took over {_TIMEOUT_S:.0f} s on {text[:40]!r}") from None
        message = done.stderr.decode("utf-8", "replace").strip()
        if "voice does not exist" in message:
            raise ConfigError(f"espeak-ng has no voice {self._voice!r}; list them with: espeak-ng --voices")
        if done.returncode != 0:
            raise EngineError(f"espeak-ng failed (exit {done.returncode}): {message or 'no message'}")
        return parse_wav_pcm16(done.stdout)
