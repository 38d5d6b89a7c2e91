"""Fuzzing the three parsers that take outside input: the websocket message parser (here), the
AudioSocket codec and the dialogue YAML loader (their fuzz tests live beside them; the slow version
re-runs them with many more examples).

Default suite: 400 websocket texts + 400 JSON-shaped messages. ``-m slow``: 20,000 + 20,000 here, and
20,000 / 5,000 / 3,000 for the codec, codec round-trip and loader fuzzers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dialogue import test_loader_errors
from tests.telephony import test_audiosocket_codec
from voicebot.protocol import websocket as wire

ACCEPTED = (wire.Start, wire.DtmfInput, wire.TextInput, wire.Stop)

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["start", "dtmf", "text", "stop", "", "START", "audio"]) | st.text(max_size=8)},
    optional={"sample_rate_hz": _values | st.sampled_from([8000, 16000, 48000]),
              "encoding": _values | st.just("pcm_s16le"), "variables": _values,
              "digits": _values | st.from_regex(r"[0-9*#A-D]{0,6}", fullmatch=True),
              "text": _values, "protocol_version": _values})


def _check(raw: str) -> Any:
    parsed = wire.parse_client_text(raw)  # must never raise
    if isinstance(parsed, wire.ProtocolViolation):
        assert parsed.code and parsed.message and int(parsed.close_code) >= 1000
    else:
        assert isinstance(parsed, ACCEPTED)
        if isinstance(parsed, wire.Start):
            assert isinstance(parsed.sample_rate_hz, int) and parsed.sample_rate_hz > 0
            assert isinstance(parsed.variables, dict)
        if isinstance(parsed, wire.DtmfInput):
            assert parsed.digits and set(parsed.digits) <= set("0123456789*#ABCD")
        if isinstance(parsed, wire.TextInput):
            assert parsed.text.strip() == parsed.text and parsed.text
    return parsed


def _text_fuzz(raw: str) -> None:
    _check(raw)


def _message_fuzz(message: dict[str, Any]) -> None:
    _check(json.dumps(message))


def _frame_fuzz(size: int) -> None:
    violation = wire.check_audio_frame(bytes(size))
    assert (violation is None) == (size <= wire.MAX_FRAME_BYTES)


def _run(test: Any, strategy: Any, examples: int) -> None:
    with_data: Any = given(strategy)
    runner: Any = settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    runner(with_data(test))()


def test_websocket_parser_fuzz() -> None:
    _run(_text_fuzz, st.text(max_size=200), 400)
    _run(_message_fuzz, _messages, 400)
    _run(_frame_fuzz, st.integers(0, 2 * wire.MAX_FRAME_BYTES), 100)


@pytest.mark.slow
def test_websocket_parser_fuzz_long() -> None:
    _run(_text_fuzz, st.text(max_size=2000), 20_000)
    _run(_message_fuzz, _messages, 20_000)


@pytest.mark.slow
def test_audiosocket_codec_and_dialogue_loader_fuzz_long() -> None:
    long = settings(max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck))
    long(test_audiosocket_codec.test_fuzz_never_raises_and_reports_garbage)()
    settings(long, max_examples=5_000)(test_audiosocket_codec.test_fuzz_valid_streams_round_trip)()
    loader = test_loader_errors.test_damaged_dialogues_raise_dialogue_error_or_load
    settings(long, max_examples=3_000)(loader)()
