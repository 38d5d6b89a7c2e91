"""The HTTP API through starlette's TestClient: auth, call records, audio, dialogues, metrics."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient

from tests.web.service_fixtures import make_runtime
from voicebot.record import CallRecord, Turn
from voicebot.runtime import Runtime
from voicebot.web.app import create_app


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as c:
        yield c


def _save_call(runtime: Runtime, dialogue: str, outcome: str, *, audio: bool = True) -> CallRecord:
    record = CallRecord(dialogue=dialogue, language="en", outcome=outcome,
                        turns=[Turn(role="bot", text="Hello. Shall we finish?", prompt_id="hello"),
                               Turn(role="caller", text="yes", latency_ms=480)],
                        meta={"door": "websocket", "dialogue_hash": "abc"})
    runtime.store.begin(record)
    pcm = np.stack([np.full(1600, 1000, np.int16), np.full(1600, -1000, np.int16)], axis=1)
    runtime.store.save(record, pcm if audio else None, 16000)
    return record


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_healthz_needs_no_key_and_names_nothing(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["dialogues_loaded"], body["active_calls"]) == ("ok", 2, 0)
    assert "greeter" not in response.text


@pytest.mark.parametrize("path", ["/api/calls", "/api/calls/x", "/api/calls/x/audio", "/api/dialogues",
                                  "/metrics"])
def test_api_refuses_requests_without_a_valid_key(client: TestClient, runtime: Runtime, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("vb_000000000000_nope")).json()["error"] == "unknown_key"
    _, token = runtime.keys.create("old")
    runtime.keys.revoke("old")
    response = client.get(path, params={"token": token})
    assert (response.status_code, response.json()["error"]) == (401, "revoked_key")
    assert response.headers["www-authenticate"] == "Bearer"


def test_list_fetch_and_download_a_call(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create("ops")
    first = _save_call(runtime, "greeter", "done")
    second = _save_call(runtime, "farewell", "hangup", audio=False)

    listing = client.get("/api/calls", headers=bearer(token)).json()
    assert listing["total"] == 2
    assert {c["call_id"] for c in listing["calls"]} == {first.call_id, second.call_id}
    only = client.get("/api/calls", params={"outcome": "done", "token": token}).json()
    assert [c["call_id"] for c in only["calls"]] == [first.call_id]

    fetched = client.get(f"/api/calls/{first.call_id}", headers=bearer(token)).json()
    assert fetched["turns"][1] == {"role": "caller", "text": "yes", "latency_ms": 480}
    assert (fetched["status"], fetched["outcome"], fetched["has_audio"]) == ("completed", "done", True)

    audio = client.get(f"/api/calls/{first.call_id}/audio", headers=bearer(token))
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["content-disposition"].startswith("inline")
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert (wav.getnchannels(), wav.getframerate(), wav.getnframes()) == (2, 16000, 1600)

    assert client.get(f"/api/calls/{second.call_id}/audio", headers=bearer(token)).status_code == 404
    assert client.get("/api/calls/nope", headers=bearer(token)).status_code == 404


def test_key_limited_to_a_dialogue_sees_only_its_calls(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create("greeter-only", ["greeter"])
    mine = _save_call(runtime, "greeter", "done")
    other = _save_call(runtime, "farewell", "done")
    listing = client.get("/api/calls", headers=bearer(token)).json()
    assert [c["call_id"] for c in listing["calls"]] == [mine.call_id]
    assert client.get(f"/api/calls/{other.call_id}", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/calls/{other.call_id}/audio", headers=bearer(token)).status_code == 404
    forbidden = client.get("/api/calls", params={"dialogue": "farewell"}, headers=bearer(token))
    assert (forbidden.status_code, forbidden.json()["error"]) == (403, "dialogue_not_allowed")
    names = [d["name"] for d in client.get("/api/dialogues", headers=bearer(token)).json()["dialogues"]]
    assert names == ["greeter"]
    assert client.post("/api/dialogues/reload", headers=bearer(token)).status_code == 403


def test_time_window_filter(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create()
    for day in ("01", "02", "03"):
        record = CallRecord(dialogue="greeter", language="en", outcome="done",
                            started_at=f"2026-03-{day}T10:00:00.000Z")
        runtime.store.save(record)
    window = client.get("/api/calls", params={"since": "2026-03-02", "until": "2026-03-03T00:00:00Z"},
                        headers=bearer(token)).json()
    assert [c["started_at"] for c in window["calls"]] == ["2026-03-02T10:00:00.000Z"]
    assert window["total"] == 1
    exact = client.get("/api/calls", headers=bearer(token),
                       params={"since": "2026-03-02T10:00:00Z", "until": "2026-03-02T11:01+01:00"}).json()
    assert [c["started_at"] for c in exact["calls"]] == ["2026-03-02T10:00:00.000Z"]
    assert client.get("/api/calls", params={"since": "yesterday"}, headers=bearer(token)).status_code == 400


def test_bad_paging_parameters_are_400(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create()
    assert client.get("/api/calls", params={"limit": "ten"}, headers=bearer(token)).status_code == 400
    assert client.get("/api/calls", params={"limit": "100000"}, headers=bearer(token)).status_code == 400


def test_dialogues_lists_content_hashes(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create()
    body = client.get("/api/dialogues", headers=bearer(token)).json()
    greeter = next(d for d in body["dialogues"] if d["name"] == "greeter")
    assert greeter["language"] == "en" and len(greeter["content_hash"]) == 64
    assert body["last_reload"]["ok"] and body["last_reload"]["tests_passed"] == 1


def test_reload_keeps_running_version_until_new_one_passes(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create()
    folder = runtime.config.paths.dialogues_dir
    in_call = runtime.dialogues.get("greeter")  # a call in progress holds this object

    (folder / "greeter.yml").write_text((folder / "greeter.yml").read_text().replace("Goodbye.", "Bye now."))
    test_file = folder / "tests" / "greeter.yml"
    test_file.write_text(test_file.read_text().replace("outcome: done", "outcome: cancelled"))
    failed = client.post("/api/dialogues/reload", headers=bearer(token))
    assert failed.status_code == 422
    assert "caller agrees" in failed.json()["errors"][0]
    assert runtime.dialogues.get("greeter") is in_call

    (folder / "greeter.yml").write_text("name: greeter\nlanguage: en\nbogus: 1\n")
    test_file.write_text(test_file.read_text().replace("outcome: cancelled", "outcome: done"))
    invalid = client.post("/api/dialogues/reload", headers=bearer(token)).json()
    assert not invalid["ok"] and "greeter.yml" in invalid["errors"][0]
    assert runtime.dialogues.get("greeter") is in_call

    from tests.web.service_fixtures import GREETER
    (folder / "greeter.yml").write_text(GREETER.replace("Goodbye.", "Bye now."))
    ok = client.post("/api/dialogues/reload", headers=bearer(token)).json()
    assert ok["ok"] and ok["version"] == 2
    current = runtime.dialogues.get("greeter")
    assert current is not in_call and current.content_hash != in_call.content_hash
    assert in_call.prompts["bye"].template.source == "Goodbye."  # the old call finishes on its version


def test_metrics_exposition_counts_calls(client: TestClient, runtime: Runtime) -> None:
    _, token = runtime.keys.create()
    runtime.metrics.call_started("websocket", "greeter")
    runtime.metrics.observe_latency_ms(640)
    runtime.metrics.observe_engine("faster-whisper", "transcribe", 0.21)
    runtime.metrics.call_ended("websocket", "done")
    response = client.get("/metrics", headers=bearer(token))
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'voicebot_calls_total{dialogue="greeter",door="websocket"} 1.0' in text
    assert 'voicebot_call_outcomes_total{outcome="done"} 1.0' in text
    assert "voicebot_calls_active 0.0" in text
    assert 'voicebot_response_latency_seconds_bucket{le="0.8"} 1.0' in text
    assert 'voicebot_engine_seconds_count{engine="faster-whisper",op="transcribe"} 1.0' in text
    assert 'voicebot_auth_failures_total{reason="missing_key"}' not in text
    client.get("/metrics")
    assert 'voicebot_auth_failures_total{reason="missing_key"} 1.0' in client.get(
        "/metrics", headers=bearer(token)).text


def test_widget_files_are_public_and_embeddable(client: TestClient) -> None:
    from voicebot.web.app import STATIC_DIR

    assert client.get("/").headers["content-type"].startswith("text/html")
    for path in sorted(STATIC_DIR.iterdir()):
        response = client.get(f"/static/{path.name}", headers={"Origin": "https://shop.example"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
    assert client.get("/static/%2e%2e/app.py").status_code == 404


def test_insecure_mode_needs_no_key(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path, insecure_no_auth=True)
    with TestClient(create_app(runtime)) as client:
        assert client.get("/api/calls").json()["total"] == 0
        assert client.get("/metrics").status_code == 200


def test_websocket_door_is_mounted_and_checks_the_key(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/ws?dialogue=greeter") as ws:
        ws.send_json({"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le", "variables": {}})
        while True:
            ws.receive_json()
    assert info.value.code == 4401
