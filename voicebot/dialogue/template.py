"""Prompt templates: text with ``{name}`` or ``{name|filter|filter}`` fields; ``{{`` and ``}}`` escape braces.

Parsing is separate from rendering (voicebot.dialogue.render) so the loader can check every field
name and filter before a call starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILTERS = (
    "number",
    "currency",
    "date",
    "time",
    "order",
    "total",
    "phone",
    "digits",
    "yesno",
    "list",
    "spell",
)
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# A clause or sentence ends here: where a reply's fixed start may be cut off and played from the cache.
_CLAUSE_END = re.compile(r"[,;:.!?](?=\s)")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TemplateSyntaxError(ValueError):
    """A field in a template is malformed; the message says which and how to write it."""


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    filters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    parts: tuple[str | Field, ...]

    @property
    def fixed(self) -> bool:
        return not any(isinstance(p, Field) for p in self.parts)

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parts if isinstance(p, Field))

    @property
    def fixed_head(self) -> str:
        """The start of a templated text that no value changes, up to its last clause or sentence end
        ("Got it," of "Got it, {items}. Anything else?"); "" where there is none, or nothing is templated."""
        if self.fixed or not self.parts or not isinstance(self.parts[0], str):
            return ""
        ends = [m.end() for m in _CLAUSE_END.finditer(self.parts[0])]
        return self.parts[0][: ends[-1]].strip() if ends else ""


def parse_template(source: str) -> Template:
    parts: list[str | Field] = []
    pos = 0
    literal = ""
    for m in _FIELD.finditer(source):
        _check_literal(source[pos : m.start()])
        literal += source[pos : m.start()]
        pos = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
            continue
        pieces = [p.strip() for p in (m.group(1) or "").split("|")]
        name, filters = pieces[0], tuple(pieces[1:])
        if not _NAME.match(name):
            raise TemplateSyntaxError(
                f"bad template field {token!r}: write {{slot_name}} or "
                f"{{slot_name|filter}}; use {{{{ for a literal brace"
            )
        for f in filters:
            if f not in FILTERS:
                raise TemplateSyntaxError(
                    f"unknown filter {f!r} in {token!r}; filters are: " + ", ".join(FILTERS)
                )
        if literal:
            parts.append(literal)
            literal = ""
        parts.append(Field(name, filters))
    _check_literal(source[pos:])
    literal += source[pos:]
    if literal:
        parts.append(literal)
    return Template(source=source, parts=tuple(parts))


def _check_literal(text: str) -> None:
    if "{" in text or "}" in text:
        raise TemplateSyntaxError("unbalanced brace in template; use {{ or }} for a literal brace")
