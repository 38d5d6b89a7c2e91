"""A campaign call over the real path: AMI originate -> AudioSocket with the UUID -> the dialogue runs
with the contact's variables -> the record comes back to the campaign."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.session.helpers import engine_pool
from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.dialer import AmiDialer, OutboundSettings
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.runner import CampaignRunner
from voicebot.campaign.state import CampaignStore
from voicebot.config import Config, PathsConfig
from voicebot.runtime import Runtime
from voicebot.telephony.ami import AmiClient, AmiSettings
from voicebot.telephony.audiosocket_server import AudioSocketServer
from voicebot.telephony.routing import CallRouter

from ..telephony.ami_server import LoopbackAmi
from ..telephony.asterisk_peer import AsteriskPeer

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    shutil.copy(SHIPPED / "satisfaction_survey.yml", dialogues)
    rt = Runtime.create(Config(paths=PathsConfig(data_dir=tmp_path / "var", dialogues_dir=dialogues)),
                        load_engines=False)
    rt.engines = engine_pool()
    await rt.start()
    yield rt
    await rt.close()


async def test_campaign_call_runs_the_dialogue_with_contact_variables(tmp_path: Path,
                                                                      runtime: Runtime) -> None:
    router = CallRouter()
    server = AudioSocketServer(runtime, "127.0.0.1", 0, router=router)
    await server.start()
    peers: list[AsteriskPeer] = []

    async def answered(call_id: str, variables: dict[str, str]) -> None:
        # Asterisk runs voicebot-outbound: AudioSocket(${VOICEBOT_CALL_ID},${VOICEBOT_AUDIOSOCKET}).
        host, port = variables["VOICEBOT_AUDIOSOCKET"].rsplit(":", 1)
        assert host == "127.0.0.1"
        peer = AsteriskPeer(int(port), call_id=call_id)
        peers.append(peer)
        await peer.connect()
        await peer.bot_started_speaking()
        await peer.hang_up()  # the customer hangs up during the greeting

    ami = LoopbackAmi(outcome_for=lambda phone: "answer" if phone.endswith("1") else "busy",
                      on_answer=answered)
    await ami.start()
    client = AmiClient(AmiSettings(port=ami.port, secret="s3cret"))
    await client.start()
    store = CampaignStore(tmp_path / "campaigns.db")
    contacts = parse_contacts("phone,customer_name\n+15550100001,Dana\n+15550100002,Eli\n")
    store.create("v1", "voice", CampaignSettings("satisfaction_survey", retries=0), contacts,
                 datetime.now(UTC))
    dialer = AmiDialer(client, router, OutboundSettings(audiosocket=f"127.0.0.1:{server.port}",
                                                        connect_timeout_s=30, call_timeout_s=120))
    try:
        runner = CampaignRunner(store, "v1", dialer, find_record=runtime.store.get, poll_s=0.1)
        progress = await runner.run()
    finally:
        await client.close()
        await ami.close()
        for peer in peers:
            await peer.hang_up()
        await server.close()
    assert progress.outcomes == {"answered": 1, "busy": 1}
    dana = store.contacts("v1")[0]
    [attempt] = dana.attempts
    assert attempt.dialogue_outcome == "hangup"
    record = runtime.store.get(attempt.call_id)
    assert record is not None and record.call_id == peers[0].call_id
    assert record.variables["customer_name"] == "Dana"
    assert record.turns[0].text.startswith("Hi Dana,")
    store.close()
