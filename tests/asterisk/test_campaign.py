"""An outbound campaign through AMI Originate and the provider trunk to the customers' phone.

Contacts: two who answer (and decline the survey), one whose phone rejects the call (486 while it
rings), one who never answers (ringing until the ring timeout), a number nobody has (404 from the far
end) and a row with an invalid number. No retries, so every dialable contact is dialled exactly once.
"""

from __future__ import annotations

import pytest

from .campaign import calls_per_number, report_rows, run_campaign
from .phone import Phone
from .service import Service

pytestmark = pytest.mark.asterisk

CONTACTS = """phone,customer_name
5550101,Ann
5550102,Ben
5550103,Cat
5550199,Dan
12,Eve
5550104,Fay
"""


def test_outbound_campaign_final_states(service: Service, customers: Phone) -> None:
    before = service.call_ids()
    rang_before = calls_per_number(customers)
    status = run_campaign(service, customers, CONTACTS, reject={"5550102"}, name="asterisk states",
                          retries=0, max_concurrent=1)
    rows = report_rows(service, status["id"])
    assert len(status["heard_s"]) == 2 and min(status["heard_s"]) > 3, status["heard_s"]  # not silence
    assert [r["reason"] for r in status["created"]["invalid_rows"]] and \
        [r["line"] for r in status["created"]["invalid_rows"]] == [6], status["created"]
    expected = {2: "answered", 3: "busy", 4: "no_answer", 5: "failed", 7: "answered"}
    assert {line: rows[line]["outcome"] for line in expected} == expected, rows
    assert rows[6]["status"] == "invalid" and rows[6]["attempts"] == 0, rows[6]
    assert all(rows[line]["attempts"] == 1 for line in expected), rows
    # Each number rang at most once on the customers' phone (the unknown one never rang there).
    rang = calls_per_number(customers)
    rang = {n: count - rang_before.get(n, 0) for n, count in rang.items() if count > rang_before.get(n, 0)}
    assert rang == {"5550101": 1, "5550102": 1, "5550103": 1, "5550104": 1}, rang
    # The answered calls: records saved under the campaign's call ids, the dialogue ran on them.
    new = service.call_ids() - before
    for line, name in ((2, "Ann"), (7, "Fay")):
        call_id = rows[line]["call_id"]
        assert call_id in new
        record = service.get(f"/api/calls/{call_id}")
        assert record["variables"]["customer_name"] == name
        assert record["slots"].get("consent") is False and record["outcome"] == "declined", record
        assert rows[line]["dialogue_outcome"] == "declined"
    assert len(new) == 2, new
