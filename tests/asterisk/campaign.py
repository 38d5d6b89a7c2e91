"""Driving an outbound campaign from the customers' side: the campaign runs in the service (HTTP API),
the customers' phone answers, rejects or lets ring as each number's owner would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .phone import Phone
from .service import Service
from .sound import speech_seconds

ANSWER_TEXT = "No, thank you."


def run_campaign(service: Service, customers: Phone, csv: str, *, reject: set[str], name: str,
                 timeout: float = 900, on_greeting: Callable[[int], bool] | None = None,
                 **settings: Any) -> dict[str, Any]:
    """Creates and starts the campaign, plays the customers until it is finished; returns its status.

    ``reject``: numbers whose phone declines the call while it rings (486 from the phone).
    ``on_greeting(n)``: called in the n-th answered call once the bot has greeted and asked; True
    means the call is being cut (the customer then says nothing more).
    """
    created = service.post("/api/campaigns/", {"dialogue": "satisfaction_survey", "contacts_csv": csv,
                                                "name": name, **settings})
    campaign_id = created["id"]
    service.post(f"/api/campaigns/{campaign_id}/start", {})
    customers.quiet()
    seen = customers.mark()
    answered = 0
    heard: list[float] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = service.get(f"/api/campaigns/{campaign_id}")
        if status["status"] == "finished" and not status.get("running"):
            return {**status, "created": created, "heard_s": heard}
        events = customers.events[seen:]
        for event in events:
            seen += 1
            number = str(event.data.get("accountaor", "")).split("@")[0].removeprefix("sip:")
            if event.type == "CALL_INCOMING" and number in reject:
                customers.hangup()  # decline while it rings
            elif event.type == "CALL_ESTABLISHED":
                answered += 1
                customers.new_call()
                customers.command("uafind", str(event.data.get("accountaor")))  # `ausrc` acts on it
                customers.wait_bot_turn()  # greeting and the consent question
                if on_greeting is None or not on_greeting(answered):
                    customers.say(ANSWER_TEXT)
                customers.wait_event("CALL_CLOSED", 60, after=seen)  # the bot says goodbye, hangs up
                customers.quiet()
                heard.append(speech_seconds(customers.heard()))
                break  # re-read the events: more arrived while talking
        time.sleep(0.2)
    raise AssertionError(f"campaign {campaign_id} not finished within {timeout:.0f} s: "
                         f"{service.get(f'/api/campaigns/{campaign_id}')}")


def calls_per_number(customers: Phone) -> dict[str, int]:
    """How many calls reached each number (distinct baresip call ids of incoming calls; a phone that
    answers by itself reports no CALL_INCOMING, only CALL_ESTABLISHED)."""
    calls: dict[str, set[str]] = {}
    for event in customers.events:
        incoming = event.data.get("direction") == "incoming" and event.type.startswith("CALL_")
        if incoming and event.data.get("id"):
            number = str(event.data.get("accountaor", "")).split("@")[0].removeprefix("sip:")
            calls.setdefault(number, set()).add(str(event.data["id"]))
    return {number: len(ids) for number, ids in calls.items()}


def report_rows(service: Service, campaign_id: str) -> dict[int, dict[str, Any]]:
    """The campaign report's rows by CSV line number."""
    report = service.get(f"/api/campaigns/{campaign_id}/report?format=json")
    return {int(row["line"]): row for row in report["contacts"]}
