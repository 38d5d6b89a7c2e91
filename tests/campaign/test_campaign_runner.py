"""A 50-contact campaign through the AMI client against the loopback AMI server, killed and resumed."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.dialer import AmiDialer, OutboundSettings
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.runner import CampaignRunner
from voicebot.campaign.state import CampaignStore, Progress
from voicebot.record import CallRecord, Turn
from voicebot.telephony.ami import AmiClient, AmiSettings
from voicebot.telephony.routing import CallRouter

from ..telephony.ami_server import LoopbackAmi

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def phone(i: int) -> str:
    return f"+1555010{i:04d}"


def fate(i: int, answered_before: Counter[str]) -> str:
    """Line i's number: always busy, no answer then answer, rejects, or answers."""
    if i % 5 == 0:
        return "busy"
    if i % 7 == 0:
        return "no_answer" if answered_before[phone(i)] == 0 else "answer"
    if i % 13 == 0:
        return "reject"
    return "answer"


class Harness:
    """The loopback Asterisk, the AMI client and the router of one dialer process."""

    def __init__(self, store_path: Path) -> None:
        self.tries: Counter[str] = Counter()
        self.saved: dict[str, CallRecord] = {}  # the call store: records of answered calls
        self.ami = LoopbackAmi(outcome_for=self._outcome, on_answer=self._answered)
        self.store_path = store_path
        self.router = CallRouter()
        self.current_names: dict[str, str] = {}  # call_id -> contact name, set by the dialer

    def _outcome(self, number: str) -> str:
        index = int(number[-4:])
        outcome = fate(index, self.tries)
        self.tries[number] += 1
        return outcome

    async def _answered(self, call_id: str, variables: dict[str, str]) -> None:
        # The AudioSocket leg: the call connects, the dialogue runs, the record is saved.
        self.router.call_started(call_id)
        await asyncio.sleep(0.02)
        name = self.current_names.get(call_id, "")
        record = CallRecord(dialogue="satisfaction_survey", language="en", call_id=call_id,
                            outcome="transferred" if name.endswith("3") else "completed",
                            turns=[Turn("bot", f"Hello {name}")])
        self.saved[call_id] = record
        self.router.call_finished(call_id, record)


async def test_fifty_contacts_with_a_crash_in_the_middle(tmp_path: Path) -> None:
    csv = "phone,name\n" + "".join(f"{phone(i)},Customer {i}\n" for i in range(1, 51))
    contacts = parse_contacts(csv)
    settings = CampaignSettings("satisfaction_survey", max_concurrent=5, retries=2, retry_after_min=0)
    harness = Harness(tmp_path / "campaigns.db")
    await harness.ami.start()
    ami_settings = AmiSettings(port=harness.ami.port, secret="s3cret", reconnect_min_s=0.05)
    outbound = OutboundSettings(ring_timeout_s=5, connect_timeout_s=5, call_timeout_s=5)

    class NamingDialer(AmiDialer):
        async def dial(self, request):  # type: ignore[no-untyped-def]
            harness.current_names[request.call_id] = request.variables["name"]
            return await super().dial(request)

    try:
        # First run: killed once 20 contacts are done, with calls in flight.
        store = CampaignStore(harness.store_path)
        store.create("c1", "survey", settings, contacts, NOW)
        client = AmiClient(ami_settings)
        await client.start()
        enough = asyncio.Event()

        def watch(progress: Progress) -> None:
            if progress.done >= 20:
                enough.set()

        runner = CampaignRunner(store, "c1", NamingDialer(client, harness.router, outbound),
                                find_record=harness.saved.get, poll_s=0.05, on_progress=watch)
        task = asyncio.create_task(runner.run())
        await asyncio.wait_for(enough.wait(), 30)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()
        store.close()
        interrupted_open = CampaignStore(harness.store_path).open_attempts("c1")
        assert interrupted_open, "the kill should leave attempts open"

        # Second run: a new process resumes from the database.
        await asyncio.sleep(0.1)  # calls of the killed dialer finish on the Asterisk side
        harness.router = CallRouter()
        store = CampaignStore(harness.store_path)
        client = AmiClient(ami_settings)
        await client.start()
        runner = CampaignRunner(store, "c1", NamingDialer(client, harness.router, outbound),
                                find_record=harness.saved.get, poll_s=0.05)
        progress = await asyncio.wait_for(runner.run(), 60)
        await client.close()
    finally:
        await harness.ami.close()

    assert progress.status == "finished" and progress.done == 50 and progress.pending == 0
    states = store.contacts("c1")
    originated = Counter(o.call_id for o in harness.ami.originates)
    assert max(originated.values()) == 1, "a call_id was dialled twice"
    attempt_ids = {a.call_id for c in states for a in c.attempts}
    assert set(originated) <= attempt_ids
    for contact in states:
        assert contact.phone is not None
        i = int(contact.phone[-4:])
        numbers = [a.attempt_no for a in contact.attempts]
        assert numbers == list(range(1, len(numbers) + 1))
        assert all(a.state == "final" and a.outcome for a in contact.attempts)
        assert contact.status == "done"
        assert contact.final_outcome == contact.attempts[-1].outcome
        # Every originate of this number belongs to one of its attempts.
        dialled = [o for o in harness.ami.originates if o.phone == contact.phone]
        assert len(dialled) <= len(contact.attempts) <= 3
        if i % 5 == 0:
            assert contact.final_outcome in ("busy", "interrupted")
            assert len(contact.attempts) == 3
        elif i % 13 == 0 and i % 7:
            assert contact.final_outcome == "rejected"
        else:
            assert contact.final_outcome in ("answered", "transferred")
            assert contact.attempts[-1].record is not None
            if contact.final_outcome == "transferred":
                assert contact.attempts[-1].dialogue_outcome == "transferred"
        # Nobody who answered is dialled again.
        answered_at = [a.attempt_no for a in contact.attempts if a.outcome in ("answered", "transferred")]
        assert len(answered_at) <= 1 and (not answered_at or answered_at[0] == len(contact.attempts))
    # The restart closed each open attempt once: answered if its record exists, else interrupted.
    for attempt in interrupted_open:
        closed = next(a for c in states for a in c.attempts if a.call_id == attempt.call_id)
        expected = "interrupted" if attempt.call_id not in harness.saved else closed.outcome
        assert closed.outcome == expected
