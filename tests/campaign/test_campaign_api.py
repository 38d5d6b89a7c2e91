"""Campaign reports and the HTTP API (create, start, pause, status, report) behind API keys."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.dialer import AmiDialer, OutboundSettings
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.report import bar_chart_svg, build_report, render
from voicebot.campaign.service import CampaignService, default_store_path
from voicebot.campaign.state import CampaignStore
from voicebot.config import Config, PathsConfig
from voicebot.dialogue.loader import load_dialogue
from voicebot.record import CallRecord
from voicebot.runtime import Runtime
from voicebot.telephony.ami import AmiClient, AmiSettings
from voicebot.telephony.routing import CallRouter
from voicebot.web.app import create_app

from ..telephony.ami_server import LoopbackAmi

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CONTACTS = ("phone,customer_name,product_name,monthly_premium,birth_date\n"
            "+15550100001,Ann Lee,Term Life,42.50,1980-03-03\n"
            "+15550100002,Bo Chan,Term Life,42.50,1975-11-30\n"
            "bad-number,Cy Diaz,Term Life,42.50,1990-01-01\n"
            "+15550100004,Di Evans,Term Life,42.50,1969-07-20\n")


def compliance_record(call_id: str, outcome: str, **slots: object) -> CallRecord:
    return CallRecord(dialogue="sales_compliance", language="en", call_id=call_id, outcome=outcome,
                      slots=dict(slots))


def fill(store: CampaignStore, campaign_id: str) -> None:
    """Line 2 compliant, line 3 flagged on one item, line 5 busy (no retries)."""
    store.begin_attempt(campaign_id, 2, "call-a", NOW)
    store.finish_attempt(campaign_id, 2, 1, "answered", compliance_record(
        "call-a", "compliant", explained_terms=True, received_documents=True, understood_cancellation=True,
        voluntary_signup=True, flagged_items=[]), NOW)
    store.begin_attempt(campaign_id, 3, "call-b", NOW)
    store.finish_attempt(campaign_id, 3, 1, "answered", compliance_record(
        "call-b", "flagged", explained_terms=True, received_documents=False, understood_cancellation=True,
        voluntary_signup=True, flagged_items=["received_documents"]), NOW)
    store.begin_attempt(campaign_id, 5, "call-c", NOW)
    store.finish_attempt(campaign_id, 5, 1, "busy", None, NOW)


def test_compliance_report_formats(tmp_path: Path) -> None:
    store = CampaignStore(tmp_path / "c.db")
    settings = CampaignSettings("sales_compliance", retries=0)
    store.create("cmp", "March", settings, parse_contacts(CONTACTS), NOW)
    fill(store, "cmp")
    dialogue = load_dialogue(SHIPPED / "sales_compliance.yml")
    report = build_report(store, "cmp", dialogue=dialogue, base_url="https://bot.example")
    assert report.items == ["explained_terms", "received_documents", "understood_cancellation",
                            "voluntary_signup"]
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [r["line"] for r in rows] == ["2", "3", "4", "5"]
    ann, bo, bad, di = rows
    assert ann["outcome"] == "answered" and ann["dialogue_outcome"] == "compliant"
    assert ann["received_documents"] == "yes" and ann["flagged_items"] == ""
    assert bo["received_documents"] == "no" and bo["flagged_items"] == "received_documents"
    assert bo["recording_url"] == "https://bot.example/api/calls/call-b/audio"
    assert bo["transcript_url"] == "https://bot.example/api/calls/call-b"
    assert bo["customer_name"] == "Bo Chan"
    assert bad["status"] == "invalid" and "not a phone number" in bad["invalid_reason"]
    assert di["outcome"] == "busy" and di["recording_url"] == ""
    data = json.loads(render(report, "json"))
    assert data["progress"]["outcomes"] == {"answered": 2, "busy": 1}
    page = render(report, "html")
    assert '<td class="flagged">received_documents</td>' in page
    assert 'href="https://bot.example/api/calls/call-a/audio"' in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_survey_report_has_score_distributions(tmp_path: Path) -> None:
    store = CampaignStore(tmp_path / "s.db")
    text = "phone,customer_name\n" + "".join(f"+1555020{i:04d},C{i}\n" for i in range(6))
    settings = CampaignSettings("satisfaction_survey", retries=0)
    store.create("srv", "survey", settings, parse_contacts(text), NOW)
    scores = [(5, 10), (4, 9), (4, 7), (2, 3), (5, 10)]
    for i, (sat, rec) in enumerate(scores):
        store.begin_attempt("srv", i + 2, f"s{i}", NOW)
        store.finish_attempt("srv", i + 2, 1, "answered", CallRecord(
            dialogue="satisfaction_survey", language="en", call_id=f"s{i}", outcome="completed",
            slots={"consent": True, "satisfaction": sat, "recommend": rec}), NOW)
    store.begin_attempt("srv", 7, "s5", NOW)
    store.finish_attempt("srv", 7, 1, "no_answer", None, NOW)
    report = build_report(store, "srv", dialogue=load_dialogue(SHIPPED / "satisfaction_survey.yml"))
    assert report.distributions["satisfaction"] == {1: 0, 2: 1, 3: 0, 4: 2, 5: 2}
    assert report.distributions["recommend"][10] == 2 and sum(report.distributions["recommend"].values()) == 5
    assert report.items == ["callback"]
    page = render(report, "html")
    assert page.count("<svg") == 2
    # Without the dialogue the layout is guessed from the answers.
    guessed = build_report(store, "srv")
    assert guessed.distributions["satisfaction"] == {2: 1, 3: 0, 4: 2, 5: 2}


def test_bar_chart_is_valid_svg_with_one_bar_per_value() -> None:
    svg = ET.fromstring(bar_chart_svg("satisfaction", {1: 0, 2: 3, 3: 1}))
    bars = svg.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 3
    heights = [float(b.get("height", "0")) for b in bars]
    assert heights[0] == 0 and heights[1] > heights[2] > 0


# ---- HTTP API ----


@pytest.fixture
async def service_app(tmp_path: Path) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient, str]]:
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    shutil.copy(SHIPPED / "sales_compliance.yml", dialogues)
    runtime = Runtime.create(Config(paths=PathsConfig(data_dir=tmp_path / "var", dialogues_dir=dialogues)),
                             load_engines=False)
    await runtime.start()
    _, token = runtime.keys.create("ops")
    app = create_app(runtime, manage_runtime=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield runtime, client, token
    service = getattr(app.state, "campaigns", None)
    if service is not None:
        await service.close()
        service.store.close()
    await runtime.close()


async def test_api_needs_a_key(service_app: tuple[Runtime, httpx.AsyncClient, str]) -> None:
    _, client, _ = service_app
    assert (await client.get("/api/campaigns/")).status_code == 401
    assert (await client.post("/api/campaigns/", json={})).status_code == 401


async def test_api_create_status_report_and_start_without_telephony(
        service_app: tuple[Runtime, httpx.AsyncClient, str]) -> None:
    runtime, client, token = service_app
    auth = {"Authorization": f"Bearer {token}"}
    bad = await client.post("/api/campaigns/", headers=auth,
                            json={"dialogue": "nope", "contacts_csv": CONTACTS})
    assert bad.status_code == 400 and "nope" in bad.text
    created = await client.post("/api/campaigns/", headers=auth, json={
        "dialogue": "sales_compliance", "contacts_csv": CONTACTS, "name": "March", "retries": 0,
        "window": "09:00-20:00", "timezone": "America/New_York"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["invalid_rows"] == [{"line": 4, "reason": body["invalid_rows"][0]["reason"]}]
    assert body["total"] == 4 and body["pending"] == 3 and body["invalid"] == 1
    campaign_id = body["id"]
    again = await client.post("/api/campaigns/", headers=auth, json={
        "dialogue": "sales_compliance", "contacts_csv": CONTACTS, "retries": 0,
        "window": "09:00-20:00", "timezone": "America/New_York"})
    assert again.status_code == 200 and again.json()["id"] == campaign_id
    listed = (await client.get("/api/campaigns/", headers=auth)).json()["campaigns"]
    assert [c["id"] for c in listed] == [campaign_id]
    start = await client.post(f"/api/campaigns/{campaign_id}/start", headers=auth)
    assert start.status_code == 409 and "AMI" in start.text
    pause = await client.post(f"/api/campaigns/{campaign_id}/pause", headers=auth)
    assert pause.status_code == 200 and pause.json()["pausing"] is False
    assert (await client.get("/api/campaigns/nope", headers=auth)).status_code == 404
    store = CampaignStore(default_store_path(runtime.config))
    fill(store, campaign_id)
    store.close()
    report = await client.get(f"/api/campaigns/{campaign_id}/report?format=csv", headers=auth)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "received_documents" in report.text.splitlines()[0]
    html = await client.get(f"/api/campaigns/{campaign_id}/report?format=html", headers=auth)
    assert html.headers["content-type"].startswith("text/html") and "March" in html.text
    status = (await client.get(f"/api/campaigns/{campaign_id}", headers=auth)).json()
    assert status["done"] == 3 and status["outcomes"] == {"answered": 2, "busy": 1}
    pdf = await client.get(f"/api/campaigns/{campaign_id}/report?format=pdf", headers=auth)
    assert pdf.status_code == 400


async def test_api_start_dials_through_ami(tmp_path: Path,
                                           service_app: tuple[Runtime, httpx.AsyncClient, str]) -> None:
    runtime, client, token = service_app
    auth = {"Authorization": f"Bearer {token}"}
    ami = LoopbackAmi(outcome_for=lambda phone: "busy" if phone.endswith("1") else "reject")
    await ami.start()
    client_ami = AmiClient(AmiSettings(port=ami.port, secret="s3cret"))
    await client_ami.start()
    try:
        app = client._transport.app  # type: ignore[attr-defined]
        app.state.campaigns = CampaignService(
            CampaignStore(default_store_path(runtime.config)),
            dialer=AmiDialer(client_ami, CallRouter(), OutboundSettings(ring_timeout_s=5)))
        created = (await client.post("/api/campaigns/", headers=auth, json={
            "dialogue": "sales_compliance", "contacts_csv": CONTACTS, "retries": 1, "retry_after_min": 0,
            "max_concurrent": 2})).json()
        started = await client.post(f"/api/campaigns/{created['id']}/start", headers=auth)
        assert started.status_code == 202
        for _ in range(200):
            status = (await client.get(f"/api/campaigns/{created['id']}", headers=auth)).json()
            if status["status"] == "finished":
                break
            await asyncio.sleep(0.05)
        assert status["status"] == "finished"
        assert status["outcomes"] == {"busy": 1, "rejected": 2}
        # Busy is retried once; rejected calls are not.
        assert sorted(o.phone for o in ami.originates) == [
            "+15550100001", "+15550100001", "+15550100002", "+15550100004"]
    finally:
        await client_ami.close()
        await ami.close()
