"""Operations API: admin scope, step analytics, usage per key, monthly quotas refused at admission."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.analytics.calls import ORDER, converse
from tests.web.service_fixtures import make_runtime
from voicebot.runtime import Runtime
from voicebot.web.app import create_app


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/console", "/api/analytics/steps?dialogue=pizza_order",
                                  "/api/analytics/steps/daily?dialogue=pizza_order",
                                  "/api/analytics/outcomes?dialogue=pizza_order", "/api/analytics/drift",
                                  "/api/analytics/dialogues", "/api/console/calls"])
def test_console_and_analytics_need_the_admin_scope(client: TestClient, runtime: Runtime, path: str) -> None:
    _, plain = runtime.keys.create("customer")
    _, admin = runtime.keys.create("ops", scopes=["admin"])
    assert client.get(path).status_code == 401
    refused = client.get(path, headers=bearer(plain))
    assert (refused.status_code, refused.json()["error"]) == (403, "scope_required")
    assert "--scope admin" in refused.json()["message"]
    assert client.get(path, headers=bearer(admin)).status_code == 200
    assert client.get(f"{path}{'&' if '?' in path else '?'}token={admin}").status_code == 200


def test_steps_api_answers_from_the_stored_facts(client: TestClient, runtime: Runtime) -> None:
    _, admin = runtime.keys.create("ops", scopes=["admin"])
    runtime.store.save(converse(ORDER, started_at="2026-12-01T10:00:00.000Z"))
    runtime.store.save(converse([ORDER[0], ORDER[1], "twelve main street", ORDER[2], "yes"],
                                started_at="2026-12-02T10:00:00.000Z"))
    body = client.get("/api/analytics/steps?dialogue=pizza_order", headers=bearer(admin)).json()
    phone = next(s for s in body["steps"] if s["step"] == "ask.phone")
    assert (phone["calls"], phone["asked"], phone["not_understood"]) == (2, 3, 1)
    series = client.get("/api/analytics/steps/daily?dialogue=pizza_order",
                        headers=bearer(admin)).json()["days"]
    phone = [(d["day"], d["asked"], d["not_understood"]) for d in series if d["step"] == "ask.phone"]
    assert phone == [("2026-12-01", 1, 0), ("2026-12-02", 2, 1)]
    days = client.get("/api/analytics/outcomes?dialogue=pizza_order&since=2026-12-02",
                      headers=bearer(admin)).json()["days"]
    assert days == [{"day": "2026-12-02", "calls": 1, "outcomes": {"order_placed": 1}}]
    assert client.get("/api/analytics/steps", headers=bearer(admin)).status_code == 400
    bad_date = client.get("/api/analytics/steps?dialogue=x&since=yesterday", headers=bearer(admin))
    assert bad_date.status_code == 400


def test_usage_per_key_and_month(client: TestClient, runtime: Runtime) -> None:
    acme_id, acme = runtime.keys.create("acme")
    beta_id, _ = runtime.keys.create("beta")
    _, admin = runtime.keys.create("ops", scopes=["admin"])
    runtime.store.save(converse(ORDER, started_at="2026-11-30T23:00:00.000Z", key=(acme_id, "acme"),
                                usage=(60.0, 30.0)))
    runtime.store.save(converse(ORDER, started_at="2026-12-01T10:00:00.000Z", key=(acme_id, "acme"),
                                usage=(90.5, 40.25)))
    runtime.store.save(converse(ORDER, started_at="2026-12-03T10:00:00.000Z", key=(beta_id, "beta"),
                                usage=(30.0, 10.0)))
    everyone = client.get("/api/usage?month=2026-12", headers=bearer(admin)).json()["usage"]
    assert [(u["key_name"], u["calls"], u["caller_audio_s"], u["bot_audio_s"]) for u in everyone] == [
        ("acme", 1, 90.5, 40.25), ("beta", 1, 30.0, 10.0)]
    own = client.get("/api/usage?by=day", headers=bearer(acme)).json()["usage"]
    assert [(u["period"], u["calls"]) for u in own] == [("2026-11-30", 1), ("2026-12-01", 1)]
    assert client.get("/api/usage?key=beta", headers=bearer(acme)).status_code == 403
    assert client.get("/api/usage?month=2026-13", headers=bearer(admin)).status_code == 400


def test_a_websocket_call_is_metered_to_its_key(client: TestClient, runtime: Runtime) -> None:
    key_id, token = runtime.keys.create("acme")
    with client.websocket_connect(f"/ws?dialogue=greeter&token={token}") as ws:
        ws.send_json({"type": "start", "sample_rate_hz": 16000})
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(bytes(3200))  # 0.1 s of caller audio
        ws.send_json({"type": "stop"})
        while (message := ws.receive())["type"] == "websocket.send" and "end" not in message.get("text", ""):
            pass
    record = json.loads(message["text"])["record"]
    assert record["meta"]["api_key"] == {"id": key_id, "name": "acme"}
    assert record["meta"]["usage"]["caller_audio_s"] == pytest.approx(0.1, abs=0.001)
    metrics = client.get("/metrics", headers=bearer(token)).text
    assert 'voicebot_key_calls_total{key="acme"} 1.0' in metrics
    [row] = client.get("/api/usage", headers=bearer(token)).json()["usage"]
    assert (row["key_name"], row["calls"]) == ("acme", 1)


def test_a_key_over_its_monthly_quota_is_refused_with_429_and_4402(client: TestClient,
                                                                   runtime: Runtime) -> None:
    from voicebot.analytics.usage import current_month

    key_id, token = runtime.keys.create("small", monthly_quota_min=1.0)
    with client.websocket_connect(f"/ws?dialogue=greeter&token={token}") as ws:
        ws.send_json({"type": "start", "sample_rate_hz": 16000})
        assert ws.receive_json()["type"] == "ready"
    runtime.store.save(converse(ORDER, started_at=f"{current_month()}-01T00:00:01.000Z",
                                key=(key_id, "small"), usage=(61.0, 5.0)))
    with client.websocket_connect(f"/ws?dialogue=greeter&token={token}") as ws:
        error = ws.receive_json()
        closed = ws.receive()
    assert (error["code"], closed["code"]) == ("quota_exceeded", 4402)
    assert "1.0 of its 1 minutes" in error["message"]
    runtime.keys.update("small", clear_quota=True)
    with client.websocket_connect(f"/ws?dialogue=greeter&token={token}") as ws:
        ws.send_json({"type": "start", "sample_rate_hz": 16000})
        assert ws.receive_json()["type"] == "ready"


def test_the_console_masks_phone_numbers_unless_the_key_may_see_them(client: TestClient,
                                                                     runtime: Runtime) -> None:
    _, admin = runtime.keys.create("ops", scopes=["admin"])
    _, trusted = runtime.keys.create("dpo", scopes=["admin", "personal_data"])
    record = converse([ORDER[0], ORDER[1], "555 123 4567", "yes"])
    runtime.store.save(record)
    masked = client.get(f"/api/console/calls/{record.call_id}", headers=bearer(admin)).json()
    assert masked["slots"]["phone"] == "[phone]" and "555 123 4567" not in str(masked)
    listing = client.get("/api/console/calls", headers=bearer(admin)).json()
    assert listing["redacted"] is True and "5551234567" not in str(listing)
    shown = client.get(f"/api/console/calls/{record.call_id}", headers=bearer(trusted)).json()
    assert shown["slots"]["phone"] == "5551234567"
