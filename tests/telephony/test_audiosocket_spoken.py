"""Whole calls answered by voice on a phone line: the test plays Asterisk over real TCP at 8 kHz, the
caller's speech goes through G.711 mu-law as a phone network carries it, and every answer is spoken
(no keypad). Each shipped dialogue must end with the right slots.

Real models (tiny.en, Silero, Piper), the real store, audio the test makes with Piper.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.session.helpers import engine_pool
from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.config import Config, PathsConfig
from voicebot.runtime import Runtime
from voicebot.session.settings import SessionSettings
from voicebot.telephony.audiosocket_server import AudioSocketServer
from voicebot.telephony.routing import CallRoute

from .asterisk_peer import AsteriskPeer, speech_8k
from .test_audiosocket_call import asked, stored

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues"
DIALOGUES = ("satisfaction_survey", "pizza_order", "sales_compliance")


def phone_line(text: str) -> bytes:
    """Piper speech at 8 kHz through a mu-law round trip: what Asterisk hands over from a G.711 call."""
    pcm = np.frombuffer(speech_8k(text), dtype="<i2")
    return ulaw_decode(ulaw_encode(pcm)).astype("<i2").tobytes()


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    for name in DIALOGUES:
        shutil.copy(SHIPPED / f"{name}.yml", dialogues)
    config = Config(paths=PathsConfig(data_dir=tmp_path / "var", dialogues_dir=dialogues))
    rt = Runtime.create(config, load_engines=False)
    rt.engines = engine_pool()
    await rt.start()
    await rt.engines.warm([rt.dialogues.get(name) for name in DIALOGUES])
    yield rt
    await rt.close()


async def call(runtime: Runtime, dialogue: str, script: list[tuple[str, str]],
               variables: dict[str, str] | None = None) -> Any:
    """Answers each (prompt id, words) once the bot asked it, then waits for the bot to hang up."""
    settings = SessionSettings.from_config(runtime.config, no_input_timeout_ms=20_000)
    server = AudioSocketServer(runtime, "127.0.0.1", 0, dialogue, session_settings=settings)
    await server.start()
    peer = AsteriskPeer(server.port)
    if variables:  # as a campaign dialer announces the call it originates
        server.router.expect(peer.call_id, CallRoute(dialogue, variables, source="campaign"))
    try:
        await peer.connect()
        for prompt_id, words in script:
            await asked(server, peer, prompt_id)
            peer.say(phone_line(words))
        await peer.wait_closed()
    except AssertionError as exc:
        await peer.hang_up()
        record = await stored(runtime, peer.call_id)
        turns = "\n".join(f"{t.role}: {t.text or t.dtmf} ({t.confidence})" for t in record.turns)
        raise AssertionError(f"{exc}\noutcome {record.outcome}, turns:\n{turns}") from exc
    finally:
        await peer.hang_up()
        await server.close()
    return await stored(runtime, peer.call_id)


def _turns(record: Any) -> str:
    return "\n".join(f"{t.role}|{t.text}|{t.heard}|{t.confidence}" for t in record.turns)


async def test_a_survey_answered_by_voice(runtime: Runtime) -> None:
    record = await call(runtime, "satisfaction_survey", [
        ("ask_consent", "Yes I have time for that."),
        ("ask_satisfaction", "Four."),
        ("ask_recommend", "I'd say nine."),
        ("ask_comment", "The technician was very helpful."),
    ])
    assert record.outcome == "completed", _turns(record)
    assert record.slots["consent"] is True
    assert record.slots["satisfaction"] == 4 and record.slots["recommend"] == 9, _turns(record)
    assert "helpful" in record.slots["comment"].lower()


async def test_a_pizza_order_by_voice(runtime: Runtime) -> None:
    record = await call(runtime, "pizza_order", [
        ("ask_items", "Two large pepperoni pizzas please."),
        ("ask_more", "No that's all."),
        ("ask_address", "Twelve Main Street."),
        ("ask_phone", "Five five five one two three four five six seven."),
        ("confirm_order", "Yes please."),
    ])
    assert record.outcome == "order_placed", _turns(record)
    assert record.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 2}]
    assert "main street" in record.slots["address"].lower()
    assert record.slots["phone"] == "5551234567"


async def test_a_compliance_call_by_voice(runtime: Runtime) -> None:
    record = await call(runtime, "sales_compliance", [
        ("ask_dob", "March third nineteen eighty five."),
        ("ask_terms", "Yes they did."),
        ("ask_documents", "Yes I have."),
        ("ask_cancellation", "Yes."),
        ("ask_voluntary", "Yes of course."),
    ], variables={"customer_name": "Dana Lee", "product_name": "Term Life Plus",
                  "monthly_premium": "42.50", "birth_date": "1985-03-03"})
    assert record.outcome == "compliant", _turns(record)
    for slot in ("explained_terms", "received_documents", "understood_cancellation", "voluntary_signup"):
        assert record.slots[slot] is True, _turns(record)
