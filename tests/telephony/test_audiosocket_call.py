"""Calls over a real TCP socket: the test plays Asterisk, the service runs a shipped dialogue.

Real models (tiny.en, Silero, Piper) and the real store; speech is Piper audio resampled to 8 kHz.
"""

from __future__ import annotations

import asyncio
import shutil
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.session.helpers import engine_pool
from voicebot.config import Config, PathsConfig
from voicebot.runtime import Runtime
from voicebot.session.settings import SessionSettings
from voicebot.telephony.ami import AmiClient, AmiSettings
from voicebot.telephony.audiosocket_server import AudioSocketServer

from .ami_server import LoopbackAmi
from .asterisk_peer import AsteriskPeer, speech_8k

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    # Only the shipped dialogue under test, so another dialogue's state cannot stop the library loading.
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    shutil.copy(SHIPPED / "satisfaction_survey.yml", dialogues)
    config = Config(paths=PathsConfig(data_dir=tmp_path / "var", dialogues_dir=dialogues))
    rt = Runtime.create(config, load_engines=False)
    rt.engines = engine_pool()
    await rt.start()
    # As the service does at start-up: models loaded and fixed prompts cached before the first call.
    await rt.engines.warm([rt.dialogues.get("satisfaction_survey")])
    yield rt
    await rt.close()


async def serve(runtime: Runtime, **kw: Any) -> AudioSocketServer:
    server = AudioSocketServer(runtime, "127.0.0.1", 0, "satisfaction_survey", **kw)
    await server.start()
    return server


async def stored(runtime: Runtime, call_id: str) -> Any:
    for _ in range(600):  # slow on a loaded machine: the last prompt plays out first
        found = runtime.store.get(call_id)
        if found is not None and found.ended_at:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no finished record for {call_id}")


async def asked(server: AudioSocketServer, peer: AsteriskPeer, prompt_id: str) -> None:
    """Waits until the bot asked ``prompt_id``, finished speaking, and listens.

    Turn-taking by ear (bot_turn_done) is what Asterisk would do, but a loaded CI machine can pause
    between two prompts long enough to look like the end of a turn; the session knows for sure.
    """
    for _ in range(2400):
        session = server._calls.get(peer.call_id)
        record = session.record if session is not None else None
        bot = [t.prompt_id for t in record.turns if t.role == "bot"] if record is not None else []
        if session is not None and bot and bot[-1] == prompt_id and session.awaiting_caller:
            await peer.bot_turn_done(quiet_s=0.5)
            if session.awaiting_caller:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never asked {prompt_id}; it said {bot}")


async def test_survey_call_end_to_end(runtime: Runtime) -> None:
    # A long no-input timeout: on a loaded 2-core machine VAD can trail the wall clock by seconds,
    # and this test is about the door, not about timeouts (test_caller_who_never_speaks is).
    settings = SessionSettings.from_config(runtime.config, no_input_timeout_ms=20_000)
    server = await serve(runtime, session_settings=settings)
    peer = AsteriskPeer(server.port)
    try:
        await peer.connect()
        await asked(server, peer, "ask_consent")
        # One breath, no comma (a comma pause ends the turn), longer than "yes, sure": Silero misses
        # that short answer at 8 kHz in some frame alignments.
        peer.say(speech_8k("Yes I have time for that."))
        await asked(server, peer, "ask_satisfaction")
        peer.dtmf("4")
        await asked(server, peer, "ask_recommend")
        peer.dtmf("9")
        await asked(server, peer, "ask_comment")
        # No comment: the caller stays quiet (on_silence leaves it empty) and the bot says goodbye.
        # A spoken comment is read back for confirmation when STT is unsure, which makes the
        # script depend on the machine's load.
        await peer.wait_closed()
    except AssertionError as exc:
        await peer.hang_up()
        record = await stored(runtime, peer.call_id)
        turns = "\n".join(f"{t.role}: {t.text or t.dtmf}" for t in record.turns)
        raise AssertionError(f"{exc}\noutcome {record.outcome}, turns:\n{turns}") from exc
    finally:
        await peer.hang_up()
        await server.close()
    # Only audio and, at the end, one hang-up were sent to Asterisk.
    assert set(peer.bot.kinds) == {0x10, 0x00} and peer.bot.kinds[-1] == 0x00
    assert peer.bot.kinds.count(0x00) == 1
    record = await stored(runtime, peer.call_id)
    assert record.call_id == peer.call_id
    assert record.outcome == "completed", "\n".join(f"{t.role}|{t.text}|{t.dtmf}" for t in record.turns)
    assert record.slots["consent"] is True
    assert record.slots["satisfaction"] == 4 and record.slots["recommend"] == 9
    assert record.slots["comment"] == ""
    assert [t.dtmf for t in record.turns if t.dtmf] == ["4", "9"]
    assert record.meta.get("door") == "audiosocket"
    audio = runtime.store.audio_path(peer.call_id)
    assert audio is not None and audio.is_file()
    with wave.open(str(audio)) as wav:
        assert wav.getnchannels() == 2 and wav.getnframes() > 8000 * 10


async def test_tcp_reset_mid_call_saves_the_record(runtime: Runtime) -> None:
    server = await serve(runtime)
    peer = AsteriskPeer(server.port)
    try:
        await peer.connect()
        await peer.bot_turn_done()
        peer.say(speech_8k("Yes I have time for that."))
        await peer.bot_started_speaking()
        await asyncio.sleep(1.0)  # the bot is asking the next question
        await peer.reset()
        record = await stored(runtime, peer.call_id)
    finally:
        await peer.reset()
        await server.close()
    assert record.outcome == "hangup"
    assert record.meta.get("end_reason") in ("network_lost", "caller_hangup")
    assert record.slots.get("consent") is True


async def test_caller_who_never_speaks(runtime: Runtime) -> None:
    # No caller audio at all, as behind Wait(): timeouts must run on the wall clock,
    # and the bot must keep Asterisk fed with frames the whole time.
    settings = SessionSettings.from_config(runtime.config, no_input_timeout_ms=1500)
    server = await serve(runtime, session_settings=settings)
    peer = AsteriskPeer(server.port, send_silence=False)
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        await peer.connect()
        await peer.wait_closed()
        elapsed_s = loop.time() - started
    finally:
        await peer.hang_up()
        await server.close()
    record = await stored(runtime, peer.call_id)
    assert record.outcome == "no_answer"
    assert peer.bot.hangup
    # 20 ms frames for the whole call, silence included (Asterisk hangs up after 2 s without).
    assert peer.bot.frames >= 0.8 * elapsed_s / 0.02
    assert peer.bot.frames > peer.bot.voiced_frames


async def test_hang_up_during_bot_speech_at_16k(runtime: Runtime) -> None:
    server = await serve(runtime)
    peer = AsteriskPeer(server.port, rate_hz=16000)
    try:
        await peer.connect()
        await peer.bot_started_speaking()
        await peer.hang_up()  # Asterisk closes the socket; no 0x00 message
        record = await stored(runtime, peer.call_id)
    finally:
        await peer.hang_up()
        await server.close()
    assert record.outcome == "hangup"
    assert record.meta.get("end_reason") == "caller_hangup"
    assert not [t for t in record.turns if t.role == "caller"]
    # The bot answered in the call's rate: slin16 is kind 0x12 on Asterisk 22.10.
    assert set(peer.bot.kinds) == {0x12}


async def test_unroutable_call_is_hung_up(tmp_path: Path, runtime: Runtime) -> None:
    server = AudioSocketServer(runtime, "127.0.0.1", 0, default_dialogue=None)
    await server.start()
    peer = AsteriskPeer(server.port)
    try:
        await peer.connect()
        await peer.wait_closed(10)
    finally:
        await peer.hang_up()
        await server.close()
    assert peer.bot.kinds == [0x00]


async def test_ami_routing_and_transfer_to_an_agent(runtime: Runtime) -> None:
    # The dialplan set VOICEBOT_DIALOGUE / VOICEBOT_VAR_* and VOICEBOT_CALL_ID; AMI reported them.
    ami = LoopbackAmi()
    await ami.start()
    client = AmiClient(AmiSettings(port=ami.port, secret="s3cret"))
    await client.start()
    server = AudioSocketServer(runtime, "127.0.0.1", 0, default_dialogue=None, ami=client)
    await server.start()
    peer = AsteriskPeer(server.port)
    live = ami.inbound_channel("PJSIP/6001-00000007", {
        "VOICEBOT_DIALOGUE": "satisfaction_survey", "VOICEBOT_VAR_CUSTOMER_NAME": "Gil",
        "VOICEBOT_CALL_ID": peer.call_id})
    try:
        await peer.connect()
        await asked(server, peer, "ask_consent")
        peer.dtmf("0")  # the keypad's way to ask for a person
        for _ in range(600):
            redirects = [a for a in ami.actions if a.get("Action") == "Redirect"]
            if redirects:
                break
            await asyncio.sleep(0.05)
        assert redirects, "no AMI Redirect"
        await peer.hang_up()  # the channel left AudioSocket() for the queue
        record = await stored(runtime, peer.call_id)
    finally:
        await peer.hang_up()
        await server.close()
        await client.close()
        await ami.close()
    [redirect] = redirects
    assert redirect["Channel"] == live.channel
    target = (redirect["Context"], redirect["Exten"], redirect["Priority"])
    assert target == ("voicebot-transfer", "agents", "1")
    assert record.outcome == "transferred"
    assert record.variables["customer_name"] == "Gil"
    assert record.turns[0].text.startswith("Hi Gil,")
    assert 0x00 not in peer.bot.kinds  # a hang-up now would drop the caller on the way to the agent
