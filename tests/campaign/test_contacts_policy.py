"""Contacts CSV parsing and the pure campaign rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voicebot.campaign.contacts import mask_phone, normalize_phone, parse_contacts
from voicebot.campaign.policy import CampaignSettings, DialWindow, attempt_outcome, next_attempt_due
from voicebot.errors import CampaignError

CSV = (
    "phone,customer_name,product_name\n"          # line 1
    "+1 (555) 010-0101,Ann Lee,Home Plus\n"       # 2
    "not a number,Bob,Home Plus\n"                # 3
    "\n"                                          # 4 blank: skipped
    "0044 20 7946 0018,\"Cruz, Dana\",Life\n"    # 5
    ",Eve,Life\n"                                 # 6
    "+15550100101,Ann again,Home Plus\n"          # 7 duplicate of 2
    "5550102,Fay,\"multi\nline\"\n"               # 8-9
    "5550103,Gus\n"                               # 10 too few fields
    "5550104,Hal,Auto\n"                          # 11
)


def test_valid_and_invalid_rows_keep_their_line_numbers() -> None:
    parsed = parse_contacts(CSV)
    assert [(c.line, c.phone) for c in parsed.contacts] == [
        (2, "+15550100101"), (5, "+442079460018"), (8, "5550102"), (11, "5550104")]
    assert parsed.contacts[1].variables["customer_name"] == "Cruz, Dana"
    assert parsed.contacts[2].variables["product_name"] == "multi\nline"
    assert [(r.line, r.reason.split(" (")[0]) for r in parsed.invalid] == [
        (3, "'not a number' is not a phone number"), (6, "phone is empty"), (7, "same phone as line 2"),
        (10, "2 fields, the header has 3")]
    assert parsed.invalid[0].variables["customer_name"] == "Bob"


def test_missing_phone_column_names_the_columns() -> None:
    with pytest.raises(CampaignError, match=r"no 'phone' column \(columns: number, name\)"):
        parse_contacts("number,name\n5550100,A\n", source="c.csv")
    assert len(parse_contacts("number,name\n5550100,A\n", phone_column="number").contacts) == 1
    with pytest.raises(CampaignError, match="empty file"):
        parse_contacts("")


def test_same_text_same_hash() -> None:
    other = parse_contacts(CSV + "5550199,Z,Q\n")
    assert parse_contacts(CSV).sha256 == parse_contacts(CSV).sha256 != other.sha256


@pytest.mark.parametrize(("raw", "phone"), [
    ("+1 555-010-0199", "+15550100199"), ("(030) 1234.5678", "03012345678"),
    ("0033612345678", "+33612345678"),
    ("12345", None), ("+1555abc", None), ("1234567890123456", None),
])
def test_normalize_phone(raw: str, phone: str | None) -> None:
    assert normalize_phone(raw) == phone


def test_mask_phone_keeps_two_digits() -> None:
    assert mask_phone("+15550100199") == "*" * 10 + "99"


def utc(h: int, m: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, h, m, tzinfo=UTC)


def test_window_in_a_time_zone() -> None:
    window = DialWindow.parse("09:00-20:00", "Asia/Seoul")  # UTC+9
    assert window.contains(utc(0))  # 09:00 in Seoul
    assert not window.contains(utc(11))  # 20:00 in Seoul: end is exclusive
    assert window.next_open(utc(11)) == utc(0, day=3)
    assert window.next_open(utc(5)) == utc(5)


def test_window_across_midnight_and_errors() -> None:
    window = DialWindow.parse("22:00-02:00")
    assert window.contains(utc(23)) and window.contains(utc(1)) and not window.contains(utc(12))
    for bad in ("9-20", "25:00-20:00", "09:00-09:00"):
        with pytest.raises(CampaignError, match="window"):
            DialWindow.parse(bad)
    with pytest.raises(CampaignError, match="time zone"):
        DialWindow.parse("09:00-20:00", "Mars/Olympus")


def test_settings_validate() -> None:
    with pytest.raises(CampaignError, match="max-concurrent"):
        CampaignSettings("d", max_concurrent=0)
    settings = CampaignSettings("d", retries=1, retry_after_min=10, window="09:00-17:00",
                                timezone="Europe/Paris")
    assert CampaignSettings.from_json(settings.to_json()) == settings


def test_retries_only_where_sensible() -> None:
    settings = CampaignSettings("d", retries=1, retry_after_min=10)
    now = utc(10)
    assert next_attempt_due("busy", 1, settings, now) == utc(10, 10)
    assert next_attempt_due("busy", 2, settings, now) is None  # attempts used up
    for final in ("answered", "transferred", "rejected"):
        assert next_attempt_due(final, 1, settings, now) is None
    assert attempt_outcome("answered", "transferred") == "transferred"
    assert attempt_outcome("answered", "compliant") == "answered"
