"""Call records with callers' phone numbers and dates masked, for keys without the personal_data scope.

The same masks as the logs (:func:`voicebot.logs.redact`), applied to what a caller said or gave:
turn texts, slot values and variables. Ids, times and the bot's own metadata are kept.
"""

from __future__ import annotations

from typing import Any

from voicebot.logs import redact


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def redact_record(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record's JSON with personal data masked."""
    out = dict(data)
    out["turns"] = [{**turn, "text": redact(turn.get("text") or ""),
                     **({"dtmf": redact(turn["dtmf"])} if turn.get("dtmf") else {})}
                    for turn in data.get("turns") or []]
    out["slots"] = redact_value(data.get("slots") or {})
    out["variables"] = redact_value(data.get("variables") or {})
    return out
