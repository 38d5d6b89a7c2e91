"""G.711 A-law and mu-law lines: a customer's phone that offers only one of them gets a working call in
that codec (Asterisk's trunk endpoint allows both; the bot always gets signed linear audio)."""

from __future__ import annotations

import re

import pytest

from .campaign import report_rows, run_campaign
from .phone import Phone
from .service import Service

pytestmark = pytest.mark.asterisk

CONTACTS = """phone,customer_name
5550105,Alaw
5550106,Mulaw
"""


def test_alaw_and_mulaw_lines(service: Service, customers: Phone) -> None:
    log_start = customers.log.stat().st_size
    status = run_campaign(service, customers, CONTACTS, reject=set(), name="asterisk codecs", retries=0)
    rows = report_rows(service, status["id"])
    assert [rows[line]["outcome"] for line in (2, 3)] == ["answered", "answered"], rows
    assert [rows[line]["dialogue_outcome"] for line in (2, 3)] == ["declined", "declined"], rows
    assert len(status["heard_s"]) == 2 and min(status["heard_s"]) > 3, status["heard_s"]
    log = customers.log.read_text(errors="replace")[log_start:]
    decoders = re.findall(r"Set audio decoder: (\w+) 8000Hz", log)
    assert decoders == ["PCMA", "PCMU"], decoders
    for line in (2, 3):
        record = service.get(f"/api/calls/{rows[line]['call_id']}")
        assert record["slots"].get("consent") is False, record
