"""A campaign whose AMI connection drops (twice) while calls are in flight: the client reconnects, the
campaign finishes, every contact ends with a final outcome, and no call is dialled twice.

Reuses the loopback Asterisk and the harness of tests/campaign/test_campaign_runner.py.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from tests.campaign.test_campaign_runner import NOW, Harness, phone
from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.dialer import AmiDialer, OutboundSettings
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.runner import CampaignRunner
from voicebot.campaign.state import CampaignStore, Progress
from voicebot.telephony.ami import AmiClient, AmiSettings


async def test_ami_drops_during_a_campaign_and_the_campaign_still_finishes(tmp_path: Path) -> None:
    csv = "phone,name\n" + "".join(f"{phone(i)},Customer {i}\n" for i in range(1, 21))
    settings = CampaignSettings("satisfaction_survey", max_concurrent=5, retries=2, retry_after_min=0)
    harness = Harness(tmp_path / "campaigns.db")
    await harness.ami.start()
    client = AmiClient(AmiSettings(port=harness.ami.port, secret="s3cret", reconnect_min_s=0.05))
    drops = 0

    def watch(progress: Progress) -> None:
        nonlocal drops
        if progress.done >= 4 * (drops + 1) and drops < 2:
            drops += 1
            asyncio.get_running_loop().create_task(harness.ami.drop_connections())

    try:
        store = CampaignStore(harness.store_path)
        store.create("c1", "survey", settings, parse_contacts(csv), NOW)
        await client.start()
        runner = CampaignRunner(store, "c1", AmiDialer(client, harness.router,
                                                       OutboundSettings(ring_timeout_s=2, connect_timeout_s=2,
                                                                        call_timeout_s=2)),
                                find_record=harness.saved.get, poll_s=0.05, on_progress=watch)
        progress = await asyncio.wait_for(runner.run(), 120)
    finally:
        await client.close()
        await harness.ami.close()
    assert drops == 2 and client.connections >= 3
    assert progress.status == "finished" and progress.done == 20 and progress.pending == 0
    originated = Counter(o.call_id for o in harness.ami.originates)
    assert max(originated.values()) == 1, "a call_id was dialled twice"
    for contact in store.contacts("c1"):
        assert contact.status == "done" and contact.final_outcome, contact
        assert all(a.state == "final" and a.outcome for a in contact.attempts), contact
