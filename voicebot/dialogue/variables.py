"""Bind a call's variables: declared defaults for what is missing or blank, typed values normalised.

Variables come from campaign sheets, the command line and Asterisk channel variables, where a caller
without a caller-ID name arrives as "" (``${CALLERID(name)}``): blank counts as not given.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from voicebot.dialogue import model as m
from voicebot.errors import DialogueError


def resolve_variables(dialogue: m.Dialogue, given: dict[str, Any]) -> dict[str, Any]:
    """Apply defaults, check required variables and normalise typed ones (dates to ISO, money to numbers)."""
    out: dict[str, Any] = {}
    where = str(dialogue.path) if dialogue.path else dialogue.name
    for name, spec in dialogue.variables.items():
        value = given.get(name)
        if _blank(value):
            # Asterisk passes ${CALLERID(name)} as "" when the caller has none: "Hi , this is" otherwise.
            value = spec.default
        if _blank(value):
            if spec.required:
                raise DialogueError(
                    f"dialogue {dialogue.name!r} needs variable {name!r}; pass it, e.g. --var {name}=...",
                    file=where,
                    key_path=f"variables.{name}",
                )
            continue
        out[name] = _typed_variable(dialogue, spec, value, where)
    for name, value in given.items():
        out.setdefault(name, value)  # undeclared extras are kept for the record and webhooks
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _typed_variable(dialogue: m.Dialogue, spec: m.VariableSpec, value: Any, where: str) -> Any:
    def bad(expected: str) -> DialogueError:
        # The value is left out on purpose: it may be a birth date, and errors end up in logs.
        return DialogueError(
            f"variable {spec.name!r} is not {expected}",
            file=where,
            key_path=f"variables.{spec.name}",
        )

    if spec.type in ("integer", "number", "currency"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            # Campaign sheets write money as "45,000원", "$42.50" or "42.50 USD".
            digits = re.sub(r"[^0-9.\-]", "", str(value))
            try:
                number = float(digits)
            except ValueError:
                raise bad("a number such as 42.50") from None
        return int(number) if spec.type == "integer" or number.is_integer() else number
    if spec.type == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        for form in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
            try:
                return dt.datetime.strptime(text, form).date().isoformat()
            except ValueError:
                continue
        raise bad("a date written YYYY-MM-DD")
    if spec.type == "yes_no":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise bad("true or false")
    return str(value)
