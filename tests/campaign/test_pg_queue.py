"""The campaign queue in PostgreSQL: several dialers on one campaign against the loopback AMI server.

Calls last longer than a lease, so only the renewal keeps them; a dialer killed mid-call leaves its
contacts to the others, closed as interrupted once its leases have run out and dialled again.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.dialer import AmiDialer, OutboundSettings
from voicebot.campaign.pgstate import PostgresCampaignStore
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.report import build_report, render
from voicebot.campaign.runner import CampaignRunner
from voicebot.campaign.state import ContactState
from voicebot.record import CallRecord, Turn
from voicebot.telephony.ami import AmiClient, AmiSettings
from voicebot.telephony.routing import CallRouter

from ..telephony.ami_server import LoopbackAmi
from .test_campaign_runner import NOW, phone

# Renewed every 0.67 s, a call stopped 1.6 s after the last renewal: short, yet not so short that a
# renewal slowed by a loaded machine loses a lease it should keep.
LEASE_S = 2.0
CALL_S = 4.5  # longer than two leases: a call lives on renewals only


class Dialers:
    """The loopback Asterisk and N dialer processes (each its AMI session, router and store)."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.ami = LoopbackAmi(on_answer=self._answered)
        self.routers = [CallRouter() for _ in range(count)]
        self.dead: set[int] = set()
        self.saved: dict[str, CallRecord] = {}
        self.live: Counter[str] = Counter()  # phone -> calls in progress
        self.overlaps: list[str] = []
        self.owner: dict[str, int] = {}  # call_id -> the dialer that placed it
        self.hung_up: list[str] = []  # calls ended by a Hangup action before their natural end
        self.clients: list[AmiClient] = []
        self.stores = [PostgresCampaignStore(url, lease_s=LEASE_S, worker=f"dialer-{i}")
                       for i in range(count)]

    def _router_of(self, call_id: str) -> int:
        return next(i for i, r in enumerate(self.routers) if call_id in r._expected)

    async def _answered(self, call_id: str, variables: dict[str, str]) -> None:
        owner = self.owner[call_id] = self._router_of(call_id)
        number = next(o.phone for o in self.ami.originates if o.call_id == call_id)
        self.live[number] += 1
        if self.live[number] > 1:
            self.overlaps.append(number)
        try:
            self.routers[owner].call_started(call_id)
            ends_at = asyncio.get_running_loop().time() + CALL_S
            while asyncio.get_running_loop().time() < ends_at:
                await asyncio.sleep(0.02)
                channels = self.ami.channels.values()
                if not any(c.variables.get("VOICEBOT_CALL_ID") == call_id for c in channels):
                    self.hung_up.append(call_id)
                    return  # hung up through AMI: the conversation was cut, no finished record
            if owner in self.dead:
                return  # the worker died with the call: no record
            record = CallRecord(dialogue="satisfaction_survey", language="en", call_id=call_id,
                                outcome="completed", turns=[Turn("bot", "Hello")])
            self.saved[call_id] = record
            self.routers[owner].call_finished(call_id, record)
        finally:
            self.live[number] -= 1

    async def start(self) -> None:
        await self.ami.start()
        for _ in self.routers:
            client = AmiClient(AmiSettings(port=self.ami.port, secret="s3cret", reconnect_min_s=0.05))
            await client.start()
            self.clients.append(client)

    def runner(self, i: int, campaign_id: str) -> CampaignRunner:
        outbound = OutboundSettings(ring_timeout_s=5, connect_timeout_s=5, call_timeout_s=10)
        dialer = AmiDialer(self.clients[i], self.routers[i], outbound)
        return CampaignRunner(self.stores[i], campaign_id, dialer, find_record=self.saved.get, poll_s=0.05)

    async def close(self) -> None:
        for client in self.clients:
            await client.close()
        await self.ami.close()
        for store in self.stores:
            store.close()


def check_once_per_attempt(dialers: Dialers, states: list[ContactState]) -> None:
    originated = Counter(o.call_id for o in dialers.ami.originates)
    assert max(originated.values()) == 1, "a call_id was dialled twice"
    assert dialers.overlaps == [], f"dialled again while the first call was alive: {dialers.overlaps}"
    for contact in states:
        assert contact.status == "done", contact
        assert all(a.state == "final" and a.outcome for a in contact.attempts), contact
        assert [a.attempt_no for a in contact.attempts] == list(range(1, len(contact.attempts) + 1))
        dialled = [o for o in dialers.ami.originates if o.phone == contact.phone]
        assert len(dialled) == len(contact.attempts), contact


async def test_three_dialers_share_a_campaign_and_renew_their_leases(pg_url: str) -> None:
    csv = "phone,name\n" + "".join(f"{phone(i)},Customer {i}\n" for i in range(1, 19))
    # More free call slots than contacts: a contact whose lease ran out would be dialled again at once.
    settings = CampaignSettings("satisfaction_survey", max_concurrent=8, retries=2, retry_after_min=0)
    dialers = Dialers(pg_url, 3)
    dialers.stores[0].create("c1", "survey", settings, parse_contacts(csv), NOW)
    await dialers.start()
    try:
        runs = asyncio.gather(*(dialers.runner(i, "c1").run() for i in range(3)))
        results = await asyncio.wait_for(runs, 90)
    finally:
        await dialers.close()
    assert all(p.status == "finished" and p.done == 18 for p in results)
    store = PostgresCampaignStore(pg_url)
    states = store.contacts("c1")
    store.close()
    check_once_per_attempt(dialers, states)
    # Every number answers: one attempt each; a lease that ran out under a live call would show here.
    assert [len(c.attempts) for c in states] == [1] * 18
    assert {c.final_outcome for c in states} == {"answered"}
    workers = Counter(dialers.owner.values())
    assert len(workers) == 3, f"the calls were not spread over the dialers: {workers}"


async def test_a_killed_dialer_leaves_its_contacts_to_the_others_after_its_lease(pg_url: str) -> None:
    csv = "phone,name\n" + "".join(f"{phone(i)},Customer {i}\n" for i in range(1, 9))
    settings = CampaignSettings("satisfaction_survey", max_concurrent=2, retries=2, retry_after_min=0)
    dialers = Dialers(pg_url, 2)
    dialers.stores[0].create("c1", "survey", settings, parse_contacts(csv), NOW)
    await dialers.start()
    try:
        doomed = asyncio.create_task(dialers.runner(0, "c1").run())
        survivor = asyncio.create_task(dialers.runner(1, "c1").run())
        while len(dialers.ami.originates) < 4 or 0 not in dialers.owner.values():
            await asyncio.sleep(0.05)  # until the doomed dialer has a call answered and alive
        killed_at = datetime.now(UTC)
        dialers.dead.add(0)
        doomed.cancel()  # its calls die with it; its attempts stay open with their leases
        await asyncio.gather(doomed, return_exceptions=True)
        left_open = dialers.stores[1].open_attempts("c1")
        progress = await asyncio.wait_for(survivor, 90)
    finally:
        await dialers.close()
    assert progress.status == "finished" and progress.done == 8
    store = PostgresCampaignStore(pg_url)
    states = store.contacts("c1")
    report = build_report(store, "c1")
    csv_report = render(report, "csv")
    store.close()
    check_once_per_attempt(dialers, states)
    orphans = {a.call_id for a in left_open if dialers.owner.get(a.call_id) == 0}
    assert orphans, "the killed dialer had no call in flight"
    for contact in states:
        for attempt in contact.attempts:
            if attempt.call_id in orphans:
                assert attempt.outcome == "interrupted"
                assert attempt.ended_at is not None
                # Closed only once its lease (last renewed at most a third of a lease earlier) ran out.
                ended = datetime.fromisoformat(attempt.ended_at.replace("Z", "+00:00"))
                assert ended >= killed_at + timedelta(seconds=LEASE_S * 0.6)
                retry = contact.attempts[attempt.attempt_no]  # the next one, by the survivor
                assert retry.outcome == "answered"
    # The report counts both attempts of each contact whose first call died with its dialer.
    assert sum(1 for row in report.rows if row["attempts"] == 2) == len(orphans)
    assert csv_report.count("\n") == 9


async def test_a_dialer_that_cannot_renew_hangs_up_before_another_retries(pg_url: str) -> None:
    csv = "phone,name\n" + f"{phone(1)},Customer 1\n"
    settings = CampaignSettings("satisfaction_survey", max_concurrent=1, retries=2, retry_after_min=0)
    dialers = Dialers(pg_url, 2)
    dialers.stores[0].create("c1", "survey", settings, parse_contacts(csv), NOW)
    await dialers.start()
    try:
        first = asyncio.create_task(dialers.runner(0, "c1").run())
        while not dialers.owner:
            await asyncio.sleep(0.02)
        call_id = next(iter(dialers.owner))
        # Another session holds the attempt's row: the renewal waits on the lock (up to lock_timeout, 5 s),
        # far past the lease. A real fault, as a long transaction or a stalled server would cause.
        with psycopg.connect(pg_url) as blocker:
            blocker.execute("SELECT * FROM attempts FOR UPDATE")
            deadline = asyncio.get_running_loop().time() + 30
            while call_id not in dialers.hung_up:
                assert asyncio.get_running_loop().time() < deadline, "the call was not stopped"
                await asyncio.sleep(0.05)
            await asyncio.sleep(LEASE_S)
            blocker.rollback()
        second = asyncio.create_task(dialers.runner(1, "c1").run())
        progress = await asyncio.wait_for(second, 60)
        await asyncio.wait_for(first, 60)
    finally:
        await dialers.close()
    assert progress.done == 1
    store = PostgresCampaignStore(pg_url)
    (contact,) = store.contacts("c1")
    store.close()
    check_once_per_attempt(dialers, [contact])
    hangups = [a for a in dialers.ami.actions if (a.get("Action") or "").lower() == "hangup"]
    assert hangups, "the dialer that lost its lease did not hang its call up"
    assert [a.outcome for a in contact.attempts] == ["interrupted", "answered"]
    assert contact.attempts[0].call_id == call_id


def test_campaign_status_and_report_read_the_postgresql_queue(pg_url: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from voicebot.cli import main

    store = PostgresCampaignStore(pg_url)
    store.create("c1", "survey", CampaignSettings("satisfaction_survey"),
                 parse_contacts(f"phone,name\n{phone(1)},Ann\n{phone(2)},Bob\n12,Bad\n"), NOW)
    (claim,) = store.claim("c1", NOW, 1)
    store.finish_attempt("c1", claim.contact.line, claim.attempt_no, "busy", None, NOW)
    store.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOICEBOT_STORE__URL", pg_url)  # the same store.url as the records
    assert main(["campaign", "status", "--json"]) == 0
    (status,) = json.loads(capsys.readouterr().out)
    assert (status["campaign_id"], status["total"], status["invalid"], status["pending"]) == ("c1", 3, 1, 2)
    assert main(["campaign", "report", "c1", "--format", "csv"]) == 0
    rows = {row["line"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    # Line 2 was busy once: its retry is due, so it is still pending with one attempt.
    assert (rows["2"]["status"], rows["2"]["attempts"]) == ("pending", "1")
    assert rows["3"]["status"] == "pending" and rows["4"]["status"] == "invalid"
