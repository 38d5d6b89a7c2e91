"""Campaign rules as pure functions: settings, the calling window, outcomes and retries."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voicebot.errors import CampaignError

# Per-attempt outcomes.
ANSWERED = "answered"
TRANSFERRED = "transferred"
NO_ANSWER = "no_answer"
BUSY = "busy"
FAILED = "failed"
REJECTED = "rejected"
INTERRUPTED = "interrupted"  # the dialer died mid-attempt and no record of the call exists
ATTEMPT_OUTCOMES = (ANSWERED, TRANSFERRED, NO_ANSWER, BUSY, FAILED, REJECTED, INTERRUPTED)
# Worth another try later; a person who answered, was transferred or rejected the call is not re-dialled.
RETRYABLE = frozenset({NO_ANSWER, BUSY, FAILED, INTERRUPTED})

_WINDOW = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class DialWindow:
    """Local hours when calling is allowed, ``start`` inclusive, ``end`` exclusive; may wrap midnight."""

    start: time
    end: time
    timezone: str = "UTC"

    @classmethod
    def parse(cls, text: str, timezone: str = "UTC") -> DialWindow:
        match = _WINDOW.fullmatch(text.strip())
        if not match:
            raise CampaignError(f"window {text!r}: expected HH:MM-HH:MM, e.g. 09:00-20:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise CampaignError(f"window {text!r}: hours 00-23, minutes 00-59")
        if (h1, m1) == (h2 % 24, m2):
            raise CampaignError(f"window {text!r}: start and end are the same time")
        _zone(timezone)
        return cls(time(h1, m1), time(h2 % 24, m2), timezone)

    def contains(self, now: datetime) -> bool:
        local = now.astimezone(_zone(self.timezone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_open(self, now: datetime) -> datetime:
        """``now`` when inside the window, else the next opening (aware datetime)."""
        if self.contains(now):
            return now
        zone = _zone(self.timezone)
        local = now.astimezone(zone)
        opening = datetime.combine(local.date(), self.start, tzinfo=zone)
        if opening <= local:
            opening = datetime.combine(local.date() + timedelta(days=1), self.start, tzinfo=zone)
        return opening.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CampaignError(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris") from None


@dataclass(frozen=True, slots=True)
class CampaignSettings:
    dialogue: str
    max_concurrent: int = 1
    retries: int = 2  # extra attempts after the first, for retryable outcomes only
    retry_after_min: float = 30.0
    window: str | None = None
    timezone: str = "UTC"
    phone_column: str = "phone"

    def __post_init__(self) -> None:
        if self.max_concurrent < 1:
            raise CampaignError("--max-concurrent must be at least 1")
        if self.retries < 0:
            raise CampaignError("--retries must be 0 or more")
        if self.retry_after_min < 0:
            raise CampaignError("--retry-after must be 0 or more minutes")
        if self.window is not None:
            DialWindow.parse(self.window, self.timezone)
        else:
            _zone(self.timezone)

    @property
    def dial_window(self) -> DialWindow | None:
        return DialWindow.parse(self.window, self.timezone) if self.window else None

    @property
    def max_attempts(self) -> int:
        return 1 + self.retries

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CampaignSettings:
        return cls(**data)


def attempt_outcome(dial_outcome: str, dialogue_outcome: str | None) -> str:
    """Outcome of an attempt from the dial result and, when answered, the dialogue's outcome."""
    if dial_outcome == ANSWERED and dialogue_outcome == TRANSFERRED:
        return TRANSFERRED
    return dial_outcome


def next_attempt_due(outcome: str, attempt_no: int, settings: CampaignSettings,
                     now: datetime) -> datetime | None:
    """When to try again, or None when the contact is done."""
    if outcome in RETRYABLE and attempt_no < settings.max_attempts:
        return now + timedelta(minutes=settings.retry_after_min)
    return None


def recovered_dial_outcome(record_outcome: str | None, *, found: bool) -> str:
    """Dial outcome of an attempt whose dialer died, from the call store's record of that call.

    No record: the call never reached the bot. A record that ended with an outcome: the person had the
    conversation (answered, not dialled again). A record cut off with it (no outcome, or ``interrupted``
    as the call store marks calls of dead workers): interrupted, retried under the campaign's rules.
    """
    if found and record_outcome not in (None, INTERRUPTED):
        return ANSWERED
    return INTERRUPTED
