"""Call admission: key checks, dialogue restriction, per-key and server-wide concurrency limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.service_fixtures import make_runtime
from voicebot.errors import (
    AdmissionError,
    DialogueNotAllowedError,
    MissingKeyError,
    TooManyCallsError,
    UnknownKeyError,
)
from voicebot.runtime import Runtime
from voicebot.web.auth import token_from


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    rt = make_runtime(tmp_path, max_concurrent_calls=3)
    yield rt
    await rt.close()


async def test_key_admits_a_call_and_frees_the_slot(runtime: Runtime) -> None:
    _, token = runtime.keys.create("ops")
    async with runtime.admit_call(token, "greeter") as key:
        assert key.name == "ops"
        assert runtime.admission.active_calls == 1
    assert runtime.admission.active_calls == 0


async def test_slot_is_freed_when_the_call_fails(runtime: Runtime) -> None:
    _, token = runtime.keys.create("ops", max_concurrent_calls=1)
    with pytest.raises(RuntimeError):
        async with runtime.admit_call(token, "greeter"):
            raise RuntimeError("network lost")
    async with runtime.admit_call(token, "greeter"):
        pass


@pytest.mark.parametrize(("token", "error"), [(None, MissingKeyError), ("vb_0_x", UnknownKeyError)])
async def test_bad_keys_close_with_4401(runtime: Runtime, token: str | None,
                                   error: type[AdmissionError]) -> None:
    with pytest.raises(error) as info:
        async with runtime.admit_call(token, "greeter"):
            pass
    assert (info.value.http_status, info.value.close_code) == (401, 4401)


async def test_dialogue_not_allowed_is_403(runtime: Runtime) -> None:
    _, token = runtime.keys.create("greeter-only", ["greeter"])
    with pytest.raises(DialogueNotAllowedError) as info:
        async with runtime.admit_call(token, "farewell"):
            pass
    assert (info.value.http_status, info.value.close_code) == (403, 4403)


async def test_per_key_limit_is_429_and_other_keys_still_get_in(runtime: Runtime) -> None:
    _, small = runtime.keys.create("small", max_concurrent_calls=1)
    _, other = runtime.keys.create("other")
    async with runtime.admit_call(small, "greeter"):
        with pytest.raises(TooManyCallsError) as info:
            async with runtime.admit_call(small, "greeter"):
                pass
        assert (info.value.http_status, info.value.close_code) == (429, 4429)
        async with runtime.admit_call(other, "greeter"):
            assert runtime.admission.active_calls == 2


async def test_server_wide_limit_applies_to_trusted_doors_too(runtime: Runtime) -> None:
    _, token = runtime.keys.create("ops")
    async with runtime.admit_call(token, "greeter"), runtime.admit_call(None, "greeter", trusted=True), \
            runtime.admit_call(token, "farewell"):
        with pytest.raises(TooManyCallsError, match="limit of 3"):
            async with runtime.admit_call(None, "greeter", trusted=True):
                pass
    assert runtime.admission.active_calls == 0


async def test_insecure_mode_admits_without_key(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path, insecure_no_auth=True)
    async with runtime.admit_call(None, "greeter") as key:
        assert key.allows("anything")
    await runtime.close()


def test_token_from_header_or_query() -> None:
    assert token_from({"authorization": "Bearer abc"}, {"token": "q"}) == "abc"
    assert token_from({"authorization": "bearer  abc "}, {}) == "abc"
    assert token_from({"authorization": "Basic abc"}, {"token": "q"}) == "q"
    assert token_from({}, {}) is None
