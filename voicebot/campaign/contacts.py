"""Contacts CSV: each row a person to call, its columns the dialogue's variables.

Rows with a bad phone are kept as :class:`InvalidRow` with their line number, never dropped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebot.errors import CampaignError

_PHONE = re.compile(r"\+?[0-9]{6,15}")
_PUNCTUATION = re.compile(r"[\s\-().]")


@dataclass(frozen=True, slots=True)
class Contact:
    line: int  # 1-based line of the row in the CSV file
    phone: str  # normalised: digits with an optional leading +
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InvalidRow:
    line: int
    reason: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContactList:
    contacts: list[Contact]
    invalid: list[InvalidRow]
    sha256: str  # of the file content: the same file resumes the same campaign


def normalize_phone(raw: str) -> str | None:
    """``"+1 (555) 010-0199"`` -> ``"+15550100199"``; None when it is not a phone number."""
    text = _PUNCTUATION.sub("", raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    return text if _PHONE.fullmatch(text) else None


def mask_phone(phone: str) -> str:
    """For logs: keep only the last two digits."""
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def parse_contacts(text: str, *, phone_column: str = "phone", source: str = "contacts") -> ContactList:
    """Parse CSV text with a header row.

    Raises:
        CampaignError: no header, or no phone column (naming the columns found).
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header_row = next(reader, None)
    if not header_row or not any(h.strip() for h in header_row):
        raise CampaignError(f"{source}: empty file; the first line must name the columns, e.g. phone,name")
    header = [h.strip() for h in header_row]
    lowered = [h.lower() for h in header]
    if phone_column.lower() not in lowered:
        raise CampaignError(f"{source}:1: no {phone_column!r} column (columns: {', '.join(header)}); "
                            "add one or pass --phone-column")
    phone_index = lowered.index(phone_column.lower())
    contacts: list[Contact] = []
    invalid: list[InvalidRow] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for row in reader:
        line_start, line = line + 1, reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        variables = {name: value.strip() for name, value in zip(header, row, strict=False) if name}
        if len(row) != len(header):
            invalid.append(InvalidRow(line_start, f"{len(row)} fields, the header has {len(header)}",
                                      variables))
            continue
        raw_phone = row[phone_index].strip()
        phone = normalize_phone(raw_phone)
        if not raw_phone:
            invalid.append(InvalidRow(line_start, "phone is empty", variables))
        elif phone is None:
            invalid.append(InvalidRow(line_start, f"{raw_phone!r} is not a phone number (expected 6-15 "
                                      "digits, optionally with a leading +)", variables))
        elif phone in seen:
            invalid.append(InvalidRow(line_start, f"same phone as line {seen[phone]}", variables))
        else:
            seen[phone] = line_start
            contacts.append(Contact(line_start, phone, variables))
    return ContactList(contacts, invalid, hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_contacts(path: str | Path, *, phone_column: str = "phone") -> ContactList:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CampaignError(f"{path}: contacts file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError(f"{path}: cannot read contacts (UTF-8 CSV expected): {exc}") from None
    return parse_contacts(text, phone_column=phone_column, source=str(path))
