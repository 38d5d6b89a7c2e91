"""Asterisk restarted in the middle of a campaign: the service's AMI session reconnects, the campaign
goes on, every contact is reached once, and none is dialled twice."""

from __future__ import annotations

import pytest

from .asterisk import Asterisk
from .campaign import calls_per_number, report_rows, run_campaign
from .phone import Phone
from .service import Service

pytestmark = pytest.mark.asterisk

CONTACTS = """phone,customer_name
5550101,Ann
5550104,Fay
5550106,Gus
"""


def test_asterisk_restart_mid_campaign(service: Service, customers: Phone, asterisk: Asterisk) -> None:
    rang_before = calls_per_number(customers)
    starts = asterisk.starts
    log_start = service.log.stat().st_size

    def restart_in_first_call(answered: int) -> bool:
        if answered == 1:
            asterisk.restart()  # the first call is cut; its record says so
            return True
        return False

    # A contact dialled while Asterisk is down fails at once (the originate never left) and is retried.
    status = run_campaign(service, customers, CONTACTS, reject=set(), name="asterisk restart", retries=2,
                          retry_after_min=0.05, on_greeting=restart_in_first_call)
    assert asterisk.starts == starts + 1
    rows = report_rows(service, status["id"])
    assert {line: rows[line]["outcome"] for line in (2, 3, 4)} == {2: "answered", 3: "answered",
                                                                    4: "answered"}, rows
    assert [rows[line]["dialogue_outcome"] for line in (3, 4)] == ["declined", "declined"], rows
    cut = service.get(f"/api/calls/{rows[2]['call_id']}")
    assert cut["ended_at"] and cut["meta"].get("end_reason") == "caller_hangup", cut
    rang = calls_per_number(customers)
    assert {n: rang.get(n, 0) - rang_before.get(n, 0) for n in ("5550101", "5550104", "5550106")} == \
        {"5550101": 1, "5550104": 1, "5550106": 1}
    assert len(status["heard_s"]) == 3 and min(status["heard_s"]) > 3, status["heard_s"]
    # The service's AMI session was lost with the restart and logged in again.
    log = service.log.read_text(errors="replace")[log_start:]
    lost = log.find("AMI connection lost")
    assert lost >= 0 and log.find("AMI logged in", lost) > lost, log[-3000:]
