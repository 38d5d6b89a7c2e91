"""The validated, immutable form of a dialogue file. The loader builds it; the machine walks it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebot.dialogue.condition import Condition
from voicebot.dialogue.template import Template

SLOT_TYPES = (
    "integer",
    "number",
    "yes_no",
    "choice",
    "order_lines",
    "phone",
    "date",
    "time",
    "text",
    "digits",
    "list",
)
VARIABLE_TYPES = ("text", "integer", "number", "currency", "date", "yes_no")
# Outcomes every dialogue may end with without declaring them.
BUILTIN_OUTCOMES = ("transferred", "hangup", "no_answer", "ended", "error")


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    value: str
    synonyms: tuple[str, ...] = ()
    label: str | None = None  # how the bot says it; defaults to the value
    dtmf: str | None = None
    price: float | None = None
    prices: tuple[tuple[str, float], ...] = ()  # per size

    @property
    def spoken(self) -> str:
        return self.label or self.value


@dataclass(frozen=True, slots=True)
class CatalogueSpec:
    name: str
    entries: tuple[CatalogueEntry, ...]

    def entry(self, value: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if e.value == value), None)

    def words(self) -> tuple[str, ...]:
        out: list[str] = []
        for e in self.entries:
            out.append(e.value)
            if e.label:
                out.append(e.label)
            out.extend(e.synonyms)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class SlotSpec:
    name: str
    type: str
    minimum: float | None = None
    maximum: float | None = None
    catalogue: str | None = None  # choice: the catalogue; order_lines: the items
    sizes: str | None = None  # order_lines
    default_size: str | None = None
    counter: str | None = None  # order_lines, Korean counter word (판, 개)
    length: int | None = None  # digits: exact length
    pattern: str | None = None  # text: a regex that lets the slot be recognised at any ask
    anywhere: bool = False  # may be filled from an answer to another ask (mixed initiative)
    needs_year: bool = False  # date: a date said without its year ("March third") asks for the year
    # integer, number: words that stand for a number ("very satisfied" -> 5), the author's `labels` and those
    # the slot's questions give their scale ("where five is very satisfied")
    labels: tuple[tuple[str, int], ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class VariableSpec:
    name: str
    type: str = "text"
    required: bool = False
    default: Any = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Prompt:
    id: str
    template: Template


@dataclass(frozen=True, slots=True)
class Say:
    prompt: Prompt
    interruptible: bool | None = None


@dataclass(frozen=True, slots=True)
class Ask:
    id: str
    slot: str
    prompt: Prompt
    reprompt: Prompt | None
    max_attempts: int
    on_failure: tuple[Step, ...] | None
    timeout_ms: int | None
    interruptible: bool | None
    force: bool
    hints: tuple[str, ...]
    on_silence: tuple[Step, ...] | None = None  # instead of the global reprompt-then-end
    more: Prompt | None = None  # order_lines: "Anything else?" after each answer, until "that's all"


@dataclass(frozen=True, slots=True)
class Confirm:
    id: str
    prompt: Prompt
    reprompt: Prompt | None
    slot: str | None
    corrects: tuple[str, ...]
    on_yes: tuple[Step, ...]
    on_no: tuple[Step, ...]
    max_attempts: int
    on_failure: tuple[Step, ...] | None
    timeout_ms: int | None
    interruptible: bool | None


@dataclass(frozen=True, slots=True)
class If:
    condition: Condition
    then: tuple[Step, ...]
    otherwise: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class SetValues:
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Append:
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Clear:
    slots: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CallFlow:
    flow: str


@dataclass(frozen=True, slots=True)
class Goto:
    flow: str


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: Template
    method: str
    payload: tuple[tuple[str, Template], ...]
    timeout_ms: int
    save: tuple[tuple[str, str], ...]  # slot <- dotted key in the JSON result
    on_error: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class TransferStep:
    reason: str
    target: str | None
    prompt: Prompt | None


@dataclass(frozen=True, slots=True)
class Hangup:
    outcome: str
    prompt: Prompt | None


Step = (
    Say | Ask | Confirm | If | SetValues | Append | Clear | CallFlow | Goto | Webhook | TransferStep | Hangup
)


@dataclass(frozen=True, slots=True)
class GlobalBehaviour:
    """What happens at any ask, whatever the step: overridable per dialogue under ``global:``."""

    agent_enabled: bool
    agent_prompt: Prompt | None
    agent_reason: str
    agent_target: str | None
    agent_dtmf: str | None
    repeat_enabled: bool
    repeat_dtmf: str | None
    stop_enabled: bool
    stop_prompt: Prompt | None
    stop_outcome: str
    stop_check_prompt: Prompt  # asked when a stop may be a misheard word ("five" heard as "Bye.")
    silence_reprompts: int
    silence_prompt: Prompt
    silence_end_prompt: Prompt | None
    silence_outcome: str
    no_match_prompt: Prompt
    # said to "one second" / "잠시만요" at a question, which is then asked again without counting an attempt
    hold_prompt: Prompt | None
    # said to "are you a robot?" / "is this a real person?" at a question, which is then asked again without
    # counting an attempt (a caller who asks is told; some places require it)
    bot_prompt: Prompt | None
    # said after a date without its year ("March third") where the slot needs_year: "And the year?"
    year_prompt: Prompt
    # said to "half pepperoni, half veggie" at an order, which is then asked again without counting an attempt
    half_prompt: Prompt
    low_confidence: float
    low_confidence_prompt: Prompt
    correction_prompt: Prompt | None
    on_failure: tuple[Step, ...]
    dtmf_yes: str
    dtmf_no: str


@dataclass(frozen=True, slots=True)
class Dialogue:
    name: str
    language: str
    voice: str | None
    description: str
    path: Path | None
    content_hash: str
    interruptible: bool
    timeout_ms: int
    locale: str
    currency: str
    outcomes: tuple[str, ...]
    variables: dict[str, VariableSpec]
    catalogues: dict[str, CatalogueSpec]
    slots: dict[str, SlotSpec]
    prompts: dict[str, Prompt]
    flows: dict[str, tuple[Step, ...]]
    start_flow: str
    behaviour: GlobalBehaviour
    all_prompts: tuple[Prompt, ...] = field(default=())

    def fixed_prompts(self) -> list[str]:
        """Prompt texts with no template fields: their audio can be synthesised ahead of calls."""
        return list(dict.fromkeys(p.template.source for p in self.all_prompts if p.template.fixed))

    def fixed_heads(self) -> list[str]:
        """The fixed starts of templated prompts (``Template.fixed_head``): cached like fixed prompts."""
        return list(dict.fromkeys(h for p in self.all_prompts if (h := p.template.fixed_head)))

    def allows_outcome(self, outcome: str) -> bool:
        return outcome in self.outcomes or outcome in BUILTIN_OUTCOMES

    def asks(self) -> Iterator[Ask]:
        """Every ask of every flow, branches included, in the order written."""

        def walk(steps: Iterable[Step]) -> Iterator[Ask]:
            for step in steps:
                if isinstance(step, Ask):
                    yield step
                    yield from walk(step.on_failure or ())
                    yield from walk(step.on_silence or ())
                elif isinstance(step, If):
                    yield from walk(step.then)
                    yield from walk(step.otherwise)
                elif isinstance(step, Confirm):
                    yield from walk(step.on_yes)
                    yield from walk(step.on_no)

        for steps in self.flows.values():
            yield from walk(steps)
