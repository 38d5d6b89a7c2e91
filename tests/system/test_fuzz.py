"""Fuzzing the three parsers that take outside input: the websocket message parser (here), the
AudioSocket codec and the dialogue YAML loader (their fuzz tests live beside them; the slow version
re-runs them with many more examples).

Default suite: 400 websocket texts + 400 JSON-shaped messages + 100 frame sizes. ``-m slow``: 10,000 +
10,000 here, and 10,000 / 3,000 / 1,500 for the codec, codec round-trip and loader fuzzers.
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
    _run(_text_fuzz, st.text(max_size=2000), 10_000)
    _run(_message_fuzz, _messages, 10_000)


@pytest.mark.slow
def test_audiosocket_codec_and_dialogue_loader_fuzz_long() -> None:
    # The fuzz tests beside the codec and loader carry their own settings, which cannot be replaced:
    # their undecorated bodies run here under the same strategies with more examples.
    codec = test_audiosocket_codec
    _run(_inner(codec.test_fuzz_never_raises_and_reports_garbage),
         st.tuples(st.binary(max_size=600), st.lists(st.integers(min_value=1, max_value=50), max_size=20)),
         10_000)
    messages = st.sampled_from([codec.UUID_MSG, codec.AUDIO_8K, codec.DTMF_5, codec.AUDIO_16K, codec.HANGUP])
    _run(_inner(codec.test_fuzz_valid_streams_round_trip),
         st.tuples(st.lists(messages, max_size=30), st.integers(min_value=1, max_value=7)), 3_000)
    _run(_inner(test_loader_errors.test_damaged_dialogues_raise_dialogue_error_or_load), st.data(), 1_500)


def _inner(test: Any) -> Any:
    inner = test.hypothesis.inner_test
    return lambda args: inner(*args) if isinstance(args, tuple) else inner(args)
