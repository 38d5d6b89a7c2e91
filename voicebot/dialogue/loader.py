"""Load and validate dialogue files. Every mistake becomes a DialogueError with file, line and key path.

The format is described in docs/dialogues.md; voicebot/dialogue/schema.json mirrors it for editors.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from voicebot.dialogue import model as m
from voicebot.dialogue.condition import ConditionSyntaxError, parse_condition
from voicebot.dialogue.defaults import DEFAULT_TEXTS
from voicebot.dialogue.template import Template, TemplateSyntaxError, parse_template
from voicebot.dialogue.yamlpos import KeyPath, LocatedDocument, parse_located
from voicebot.errors import DialogueError

LANGUAGES = ("en", "ko")
DEFAULT_LOW_CONFIDENCE = 0.4  # below it a heard value is checked with the caller
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PROMPT_REF = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # snake_case: looks like a prompt id, not text

TOP_KEYS = (
    "name",
    "language",
    "voice",
    "description",
    "locale",
    "currency",
    "interruptible",
    "timeout_ms",
    "outcomes",
    "variables",
    "catalogues",
    "slots",
    "prompts",
    "global",
    "start",
    "flows",
)
SLOT_KEYS = (
    "type",
    "min",
    "max",
    "catalogue",
    "sizes",
    "default_size",
    "counter",
    "length",
    "pattern",
    "anywhere",
    "needs_year",
    "labels",
    "description",
)
VARIABLE_KEYS = ("type", "required", "default", "description")
ENTRY_KEYS = ("synonyms", "label", "dtmf", "price")
GLOBAL_KEYS = (
    "agent",
    "repeat",
    "stop",
    "silence",
    "no_match",
    "hold",
    "bot",
    "year",
    "half",
    "low_confidence",
    "correction",
    "on_failure",
    "dtmf",
)
STEP_OPTIONS: dict[str, tuple[str, ...]] = {
    "say": ("id", "interruptible"),
    "ask": (
        "id",
        "prompt",
        "reprompt",
        "max_attempts",
        "on_failure",
        "timeout_ms",
        "interruptible",
        "force",
        "hints",
        "on_silence",
        "more",
    ),
    "confirm": (
        "id",
        "slot",
        "corrects",
        "on_yes",
        "on_no",
        "reprompt",
        "max_attempts",
        "on_failure",
        "timeout_ms",
        "interruptible",
    ),
    "if": ("then", "else"),
    "set": (),
    "append": (),
    "clear": (),
    "call": (),
    "goto": (),
    "action": ("url", "method", "payload", "timeout_ms", "save", "on_error"),
    "transfer": ("prompt", "target"),
    "hangup": ("prompt",),
}


def load_dialogue(path: str | Path) -> m.Dialogue:
    """Read, validate and build a dialogue. Raises DialogueError naming file, line and key path."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DialogueError(
            f"cannot read dialogue file: {exc.strerror}; check the path", file=str(path)
        ) from None
    return load_dialogue_bytes(data, str(path), path)


def load_dialogue_bytes(data: bytes, file: str, path: Path | None = None) -> m.Dialogue:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DialogueError("dialogue files must be UTF-8 text", file=file) from None
    doc = parse_located(text, file)
    return _Builder(doc, hashlib.sha256(data).hexdigest(), path).build()


def load_dialogue_dir(directory: str | Path) -> dict[str, m.Dialogue]:
    """Every ``*.yml`` / ``*.yaml`` in a directory (not tests/), keyed by dialogue name."""
    out: dict[str, m.Dialogue] = {}
    for p in sorted(Path(directory).iterdir()):
        if p.is_file() and p.suffix in (".yml", ".yaml"):
            d = load_dialogue(p)
            if d.name in out:
                raise DialogueError(
                    f"dialogue name {d.name!r} is also used by {out[d.name].path}; names must be unique",
                    file=str(p),
                    key_path="name",
                )
            out[d.name] = d
    return out


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Builder:
    def __init__(self, doc: LocatedDocument, content_hash: str, path: Path | None) -> None:
        self.doc = doc
        self.content_hash = content_hash
        self.path = path
        self.language = "en"
        self.slots: dict[str, m.SlotSpec] = {}
        self.variables: dict[str, m.VariableSpec] = {}
        self.catalogues: dict[str, m.CatalogueSpec] = {}
        self.prompts: dict[str, m.Prompt] = {}
        self.outcomes: tuple[str, ...] = ()
        self.all_prompts: list[m.Prompt] = []
        self.flow_refs: list[tuple[KeyPath, str]] = []
        self.outcome_refs: list[tuple[KeyPath, str]] = []
        self.step_builders: dict[str, Callable[[KeyPath, dict[str, Any], str], m.Step]] = {
            "say": self._step_say,
            "ask": self._step_ask,
            "confirm": self._step_confirm,
            "if": self._step_if,
            "set": self._step_set,
            "append": self._step_append,
            "clear": self._step_clear,
            "call": self._step_call,
            "goto": self._step_goto,
            "action": self._step_action,
            "transfer": self._step_transfer,
            "hangup": self._step_hangup,
        }

    # ---- small typed readers ----

    def err(self, path: KeyPath, message: str) -> DialogueError:
        return self.doc.error(path, message)

    def mapping(self, path: KeyPath, value: object, allowed: Iterable[str], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.err(path, f"expected a mapping (key: value lines) for {what}, got {_kind(value)}")
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                raise self.err(
                    (*path, key),
                    f"unknown key {key!r} in {what}{_suggest(key, allowed)}; "
                    f"allowed keys: {', '.join(allowed)}",
                )
        return value

    def string(self, path: KeyPath, value: object, what: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.err(path, f"expected text for {what}, got {_kind(value)}")
        return str(value)

    def name(self, path: KeyPath, value: object, what: str) -> str:
        text = self.string(path, value, what)
        if not _NAME.match(text):
            raise self.err(
                path,
                f"{what} {text!r} must be lower-case letters, digits and underscores, starting with a letter",
            )
        return text

    def integer(self, path: KeyPath, value: object, what: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.err(path, f"expected a whole number >= {minimum} for {what}, got {value!r}")
        return value

    def number(self, path: KeyPath, value: object, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.err(path, f"expected a number for {what}, got {value!r}")
        return float(value)

    def boolean(self, path: KeyPath, value: object, what: str) -> bool:
        if not isinstance(value, bool):
            raise self.err(path, f"expected true or false for {what}, got {value!r}")
        return value

    def str_list(self, path: KeyPath, value: object, what: str) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list):
            raise self.err(path, f"expected a list of words for {what}, got {_kind(value)}")
        return tuple(self.string((*path, i), v, what) for i, v in enumerate(value))

    def slot_ref(self, path: KeyPath, value: object, types: tuple[str, ...] | None = None) -> str:
        text = self.string(path, value, "a slot name")
        if text not in self.slots:
            raise self.err(
                path, f"unknown slot {text!r}{_suggest(text, self.slots)}; declare it under slots:"
            )
        if types and self.slots[text].type not in types:
            raise self.err(
                path,
                f"slot {text!r} has type {self.slots[text].type}; expected a slot of type "
                + " or ".join(types),
            )
        return text

    def template(self, path: KeyPath, text: str, extra_names: tuple[str, ...] = ()) -> Template:
        try:
            tpl = parse_template(text)
        except TemplateSyntaxError as exc:
            raise self.err(path, str(exc)) from None
        known = set(self.slots) | set(self.variables) | set(extra_names)
        for f in tpl.fields:
            if f.name not in known:
                raise self.err(
                    path,
                    f"template field {{{f.name}}} names no slot or variable"
                    f"{_suggest(f.name, known)}; declare it under slots: or variables:",
                )
        return tpl

    def prompt(
        self, path: KeyPath, value: object, default_id: str, extra_names: tuple[str, ...] = ()
    ) -> m.Prompt:
        text = self.string(path, value, "a prompt")
        if text in self.prompts:
            return self.prompts[text]
        if _PROMPT_REF.match(text):
            raise self.err(
                path,
                f"unknown prompt {text!r}{_suggest(text, self.prompts)}; define it under "
                "prompts: or write the sentence itself",
            )
        if not text.strip():
            raise self.err(path, "a prompt must not be empty")
        p = m.Prompt(default_id, self.template(path, text, extra_names))
        self.all_prompts.append(p)
        return p

    # ---- sections ----

    def build(self) -> m.Dialogue:
        root_value = self.doc.value
        if root_value is None:
            raise self.err((), "the dialogue file is empty; start with name:, language: and flows:")
        root = self.mapping((), root_value, TOP_KEYS, "the dialogue")
        for key in ("name", "language", "flows"):
            if key not in root:
                raise self.err((), f"missing required key {key!r} at the top of the dialogue")
        name = self.name(("name",), root["name"], "dialogue name")
        language = self.string(("language",), root["language"], "language")
        if language not in LANGUAGES:
            raise self.err(
                ("language",), f"unsupported language {language!r}; use one of: {', '.join(LANGUAGES)}"
            )
        self.language = language
        voice = root.get("voice")
        voice = None if voice is None else self.string(("voice",), voice, "voice")
        description = self.string(("description",), root.get("description", ""), "description")
        interruptible = self.boolean(("interruptible",), root.get("interruptible", True), "interruptible")
        timeout_ms = self.integer(("timeout_ms",), root.get("timeout_ms", 6000), "timeout_ms", 500)
        locale = self.string(
            ("locale",), root.get("locale", "ko-KR" if language == "ko" else "en-US"), "locale"
        )
        currency = self.string(
            ("currency",), root.get("currency", "KRW" if language == "ko" else "USD"), "currency"
        ).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise self.err(
                ("currency",), f"currency {currency!r} must be an ISO 4217 code such as USD or KRW"
            )
        outcomes = root.get("outcomes", [])
        if not isinstance(outcomes, list) or not outcomes:
            raise self.err(("outcomes",), "expected a non-empty list of outcome names under outcomes:")
        self.outcomes = tuple(self.name(("outcomes", i), o, "outcome") for i, o in enumerate(outcomes))
        self._variables(root.get("variables") or {})
        self._catalogues(root.get("catalogues") or {})
        self._slots(root.get("slots") or {})
        self._prompts(root.get("prompts") or {})
        behaviour = self._global(root.get("global") or {})
        flows_value = root["flows"]
        if not isinstance(flows_value, dict) or not flows_value:
            raise self.err(("flows",), "expected a mapping of flow names to lists of steps under flows:")
        flows: dict[str, tuple[m.Step, ...]] = {}
        for flow_name, steps in flows_value.items():
            self.name(("flows", flow_name), flow_name, "flow name")
            flows[flow_name] = self.steps(("flows", flow_name), steps, flow_name)
        start = root.get("start", "main" if "main" in flows else next(iter(flows)))
        self.flow_refs.append((("start",), self.string(("start",), start, "start flow")))
        for ref_path, flow in self.flow_refs:
            if flow not in flows:
                raise self.err(
                    ref_path, f"unknown flow {flow!r}{_suggest(flow, flows)}; flows are: " + ", ".join(flows)
                )
        for ref_path, outcome in self.outcome_refs:
            if outcome not in self.outcomes and outcome not in m.BUILTIN_OUTCOMES:
                raise self.err(
                    ref_path,
                    f"outcome {outcome!r} is not declared{_suggest(outcome, self.outcomes)}; "
                    "add it under outcomes:",
                )
        return m.Dialogue(
            name=name,
            language=language,
            voice=voice,
            description=description,
            path=self.path,
            content_hash=self.content_hash,
            interruptible=interruptible,
            timeout_ms=timeout_ms,
            locale=locale,
            currency=currency,
            outcomes=self.outcomes,
            variables=self.variables,
            catalogues=self.catalogues,
            slots=self.slots,
            prompts=self.prompts,
            flows=flows,
            start_flow=str(start),
            behaviour=behaviour,
            all_prompts=tuple(self.all_prompts),
        )

    def _variables(self, value: object) -> None:
        path: KeyPath = ("variables",)
        if not isinstance(value, dict):
            raise self.err(path, f"expected a mapping of variable names under variables:, got {_kind(value)}")
        for vname, spec in value.items():
            p = (*path, vname)
            self.name(p, vname, "variable name")
            spec = self.mapping(p, spec if spec is not None else {}, VARIABLE_KEYS, f"variable {vname!r}")
            vtype = self.string((*p, "type"), spec.get("type", "text"), "variable type")
            if vtype not in m.VARIABLE_TYPES:
                raise self.err(
                    (*p, "type"),
                    f"unknown variable type {vtype!r}{_suggest(vtype, m.VARIABLE_TYPES)}; "
                    f"types: {', '.join(m.VARIABLE_TYPES)}",
                )
            self.variables[vname] = m.VariableSpec(
                name=vname,
                type=vtype,
                required=self.boolean((*p, "required"), spec.get("required", False), "required"),
                default=spec.get("default"),
                description=self.string((*p, "description"), spec.get("description", ""), "description"),
            )

    def _catalogues(self, value: object) -> None:
        path: KeyPath = ("catalogues",)
        if not isinstance(value, dict):
            raise self.err(
                path, f"expected a mapping of catalogue names under catalogues:, got {_kind(value)}"
            )
        for cname, entries in value.items():
            p = (*path, cname)
            self.name(p, cname, "catalogue name")
            if not isinstance(entries, dict) or not entries:
                raise self.err(p, "expected a mapping of values to synonyms, e.g. pepperoni: [peperoni]")
            out = []
            for value_name, entry in entries.items():
                ep = (*p, value_name)
                out.append(self._entry(ep, str(value_name), entry))
            self.catalogues[cname] = m.CatalogueSpec(cname, tuple(out))

    def _entry(self, path: KeyPath, value: str, entry: object) -> m.CatalogueEntry:
        if entry is None:
            return m.CatalogueEntry(value)
        if isinstance(entry, list):
            return m.CatalogueEntry(value, self.str_list(path, entry, "synonyms"))
        spec = self.mapping(path, entry, ENTRY_KEYS, f"catalogue entry {value!r}")
        price = spec.get("price")
        price_value: float | None = None
        prices: tuple[tuple[str, float], ...] = ()
        if isinstance(price, dict):
            prices = tuple((str(k), self.number((*path, "price", k), v, "a price")) for k, v in price.items())
        elif price is not None:
            price_value = self.number((*path, "price"), price, "price")
        dtmf = spec.get("dtmf")
        return m.CatalogueEntry(
            value=value,
            synonyms=self.str_list((*path, "synonyms"), spec.get("synonyms", []), "synonyms"),
            label=None
            if spec.get("label") is None
            else self.string((*path, "label"), spec["label"], "label"),
            dtmf=None if dtmf is None else self.string((*path, "dtmf"), dtmf, "dtmf key"),
            price=price_value,
            prices=prices,
        )

    def _slots(self, value: object) -> None:
        path: KeyPath = ("slots",)
        if not isinstance(value, dict):
            raise self.err(path, f"expected a mapping of slot names under slots:, got {_kind(value)}")
        for sname, spec in value.items():
            p = (*path, sname)
            self.name(p, sname, "slot name")
            if sname in self.variables:
                raise self.err(p, f"{sname!r} is both a variable and a slot; rename one")
            spec = self.mapping(p, spec, SLOT_KEYS, f"slot {sname!r}")
            if "type" not in spec:
                raise self.err(p, f"slot {sname!r} needs a type: one of {', '.join(m.SLOT_TYPES)}")
            stype = self.string((*p, "type"), spec["type"], "slot type")
            if stype not in m.SLOT_TYPES:
                raise self.err(
                    (*p, "type"),
                    f"unknown slot type {stype!r}{_suggest(stype, m.SLOT_TYPES)}; "
                    f"types: {', '.join(m.SLOT_TYPES)}",
                )
            minimum = None if spec.get("min") is None else self.number((*p, "min"), spec["min"], "min")
            maximum = None if spec.get("max") is None else self.number((*p, "max"), spec["max"], "max")
            if (minimum is not None or maximum is not None) and stype not in ("integer", "number"):
                raise self.err(
                    (*p, "min" if minimum is not None else "max"),
                    f"min/max apply to integer and number slots, not {stype}",
                )
            if minimum is not None and maximum is not None and minimum > maximum:
                raise self.err((*p, "min"), f"min ({minimum:g}) is greater than max ({maximum:g})")
            catalogue = spec.get("catalogue")
            if stype in ("choice", "order_lines") and catalogue is None:
                raise self.err(p, f"a {stype} slot needs catalogue: naming one of the catalogues")
            for key in ("catalogue", "sizes"):
                if spec.get(key) is not None:
                    ref = self.string((*p, key), spec[key], key)
                    if ref not in self.catalogues:
                        raise self.err(
                            (*p, key),
                            f"unknown catalogue {ref!r}{_suggest(ref, self.catalogues)}; "
                            "declare it under catalogues:",
                        )
            default_size = spec.get("default_size")
            if default_size is not None:
                sizes = self.catalogues.get(str(spec.get("sizes")))
                if sizes is None or sizes.entry(str(default_size)) is None:
                    raise self.err(
                        (*p, "default_size"), f"default_size {default_size!r} is not in the sizes catalogue"
                    )
            pattern = spec.get("pattern")
            if pattern is not None:
                if stype != "text":
                    raise self.err((*p, "pattern"), "pattern applies to text slots only")
                try:
                    re.compile(str(pattern))
                except re.error as exc:
                    raise self.err((*p, "pattern"), f"invalid regular expression: {exc}") from None
            anywhere_default = stype in ("order_lines", "phone") or pattern is not None
            needs_year = self.boolean((*p, "needs_year"), spec.get("needs_year", False), "needs_year")
            labels = self._labels((*p, "labels"), spec.get("labels"), stype, minimum, maximum)
            if needs_year and stype != "date":
                raise self.err((*p, "needs_year"), f"needs_year applies to date slots, not {stype}")
            self.slots[sname] = m.SlotSpec(
                name=sname,
                type=stype,
                minimum=minimum,
                maximum=maximum,
                catalogue=None if catalogue is None else str(catalogue),
                sizes=None if spec.get("sizes") is None else str(spec["sizes"]),
                default_size=None if default_size is None else str(default_size),
                counter=None
                if spec.get("counter") is None
                else self.string((*p, "counter"), spec["counter"], "counter"),
                length=None
                if spec.get("length") is None
                else self.integer((*p, "length"), spec["length"], "length", 1),
                pattern=None if pattern is None else str(pattern),
                anywhere=self.boolean((*p, "anywhere"), spec.get("anywhere", anywhere_default), "anywhere"),
                needs_year=needs_year,
                labels=labels,
                description=self.string((*p, "description"), spec.get("description", ""), "description"),
            )

    def _labels(self, path: KeyPath, value: object, stype: str, minimum: float | None,
                maximum: float | None) -> tuple[tuple[str, int], ...]:
        """An integer slot's ``labels: {very satisfied: 5}``: words a caller may say for a number."""
        from voicebot.nlu.normalize import words

        if value is None:
            return ()
        if stype not in ("integer", "number"):
            raise self.err(path, f"labels apply to integer and number slots, not {stype}")
        if not isinstance(value, dict) or not value:
            raise self.err(path, f"expected words mapped to numbers (very satisfied: 5), got {_kind(value)}")
        out = []
        for said, number in value.items():
            n = self.number((*path, str(said)), number, "a label's number")
            if not n.is_integer():
                raise self.err((*path, str(said)), f"a label stands for a whole number, not {n:g}")
            if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
                raise self.err((*path, str(said)), f"{n:g} is outside the slot's range")
            normalised = " ".join(words(str(said), self.language))
            if not normalised:
                raise self.err((*path, str(said)), "a label needs words")
            out.append((normalised, int(n)))
        return tuple(out)

    def _prompts(self, value: object) -> None:
        path: KeyPath = ("prompts",)
        if not isinstance(value, dict):
            raise self.err(
                path, f"expected a mapping of prompt ids to sentences under prompts:, got {_kind(value)}"
            )
        for pid, text in value.items():
            p = (*path, pid)
            self.name(p, pid, "prompt id")
            tpl = self.template(p, self.string(p, text, f"prompt {pid!r}"))
            prompt = m.Prompt(pid, tpl)
            self.prompts[pid] = prompt
            self.all_prompts.append(prompt)

    def _global(self, value: object) -> m.GlobalBehaviour:
        path: KeyPath = ("global",)
        g = self.mapping(path, value, GLOBAL_KEYS, "global")
        texts = DEFAULT_TEXTS[self.language]

        def section(key: str, allowed: tuple[str, ...]) -> tuple[bool, dict[str, Any]]:
            raw = g.get(key, True)
            if isinstance(raw, bool):
                return raw, {}
            if isinstance(raw, str) and "prompt" in allowed:
                return True, {"prompt": raw}
            return True, self.mapping((*path, key), raw, allowed, f"global.{key}")

        def prompt_of(
            key: str, conf: dict[str, Any], field: str, default: str, pid: str, extra: tuple[str, ...] = ()
        ) -> m.Prompt:
            if field in conf:
                return self.prompt((*path, key, field), conf[field], pid, extra)
            p = m.Prompt(pid, parse_template(default))
            self.all_prompts.append(p)
            return p

        def opt_str(key: str, conf: dict[str, Any], field: str, default: str | None) -> str | None:
            v = conf.get(field, default)
            return None if v is None else self.string((*path, key, field), v, field)

        agent_on, agent = section("agent", ("prompt", "reason", "target", "dtmf"))
        repeat_on, repeat = section("repeat", ("dtmf",))
        stop_on, stop = section("stop", ("prompt", "outcome", "confirm"))
        _, silence = section("silence", ("reprompts", "prompt", "end_prompt", "outcome"))
        _, no_match = section("no_match", ("prompt",))
        hold_on, hold = section("hold", ("prompt",))
        bot_on, bot = section("bot", ("prompt",))
        for key in ("year", "half"):  # said only where they apply: nothing to turn off
            if isinstance(g.get(key), bool):
                raise self.err((*path, key), f"global.{key} takes a prompt: what the bot says")
        _, year = section("year", ("prompt",))
        _, half = section("half", ("prompt",))
        _, low = section("low_confidence", ("threshold", "prompt"))
        _, correction = section("correction", ("prompt",))
        dtmf = self.mapping((*path, "dtmf"), g.get("dtmf", {}), ("yes", "no"), "global.dtmf")
        stop_outcome = self.name((*path, "stop", "outcome"), stop.get("outcome", "ended"), "outcome")
        self.outcome_refs.append(((*path, "stop", "outcome"), stop_outcome))
        silence_outcome = self.name(
            (*path, "silence", "outcome"), silence.get("outcome", "no_answer"), "outcome"
        )
        self.outcome_refs.append(((*path, "silence", "outcome"), silence_outcome))
        # Live turns report exp(mean token log-probability): with tiny.en, clear one-word answers from
        # the embedded voice ("Yes.", "No.", "Sure.") score 0.47-0.50, so 0.5 checked nearly every "yes".
        threshold = self.number(
            (*path, "low_confidence", "threshold"), low.get("threshold", DEFAULT_LOW_CONFIDENCE), "threshold"
        )
        if "on_failure" in g:
            on_failure = self.steps((*path, "on_failure"), g["on_failure"], "global.on_failure")
        else:
            on_failure = (
                m.TransferStep(
                    "no_match",
                    None,
                    prompt_of("on_failure", {}, "prompt", texts["failure"], "global.failure"),
                ),
            )
        return m.GlobalBehaviour(
            agent_enabled=agent_on,
            agent_prompt=prompt_of("agent", agent, "prompt", texts["agent"], "global.agent"),
            agent_reason=opt_str("agent", agent, "reason", "caller_request") or "caller_request",
            agent_target=opt_str("agent", agent, "target", None),
            agent_dtmf=opt_str("agent", agent, "dtmf", "0"),
            repeat_enabled=repeat_on,
            repeat_dtmf=opt_str("repeat", repeat, "dtmf", "*"),
            stop_enabled=stop_on,
            stop_prompt=prompt_of("stop", stop, "prompt", texts["stop"], "global.stop"),
            stop_outcome=stop_outcome,
            stop_check_prompt=prompt_of("stop", stop, "confirm", texts["stop_check"], "global.stop_check"),
            silence_reprompts=self.integer(
                (*path, "silence", "reprompts"), silence.get("reprompts", 1), "reprompts"
            ),
            silence_prompt=prompt_of("silence", silence, "prompt", texts["silence"], "global.silence"),
            silence_end_prompt=prompt_of(
                "silence", silence, "end_prompt", texts["silence_end"], "global.silence_end"
            ),
            silence_outcome=silence_outcome,
            no_match_prompt=prompt_of("no_match", no_match, "prompt", texts["no_match"], "global.no_match"),
            hold_prompt=prompt_of("hold", hold, "prompt", texts["hold"], "global.hold") if hold_on else None,
            bot_prompt=prompt_of("bot", bot, "prompt", texts["bot_agent" if agent_on else "bot"],
                                 "global.bot") if bot_on else None,
            year_prompt=prompt_of("year", year, "prompt", texts["year"], "global.year"),
            half_prompt=prompt_of("half", half, "prompt", texts["half"], "global.half"),
            low_confidence=threshold,
            low_confidence_prompt=prompt_of(
                "low_confidence", low, "prompt", texts["low_confidence"], "global.low_confidence", ("value",)
            ),
            correction_prompt=prompt_of(
                "correction", correction, "prompt", texts["correction"], "global.correction"
            ),
            on_failure=on_failure,
            dtmf_yes=self.string((*path, "dtmf", "yes"), dtmf.get("yes", "1"), "dtmf yes key"),
            dtmf_no=self.string((*path, "dtmf", "no"), dtmf.get("no", "2"), "dtmf no key"),
        )

    # ---- steps ----

    def steps(self, path: KeyPath, value: object, where: str) -> tuple[m.Step, ...]:
        if not isinstance(value, list) or not value:
            raise self.err(
                path, f"expected a non-empty list of steps (lines starting with '- '), got {_kind(value)}"
            )
        return tuple(self.step((*path, i), s, f"{where}.{i}") for i, s in enumerate(value))

    def step(self, path: KeyPath, value: object, auto_id: str) -> m.Step:
        if not isinstance(value, dict):
            raise self.err(path, f"expected a step such as '- say: ...' or '- ask: slot', got {_kind(value)}")
        kinds = [k for k in value if k in STEP_OPTIONS]
        if not kinds:
            first = next(iter(value), "")
            raise self.err(
                (*path, first) if first else path,
                f"unknown step {first!r}{_suggest(str(first), STEP_OPTIONS)}; a step starts with one of: "
                + ", ".join(STEP_OPTIONS),
            )
        if len(kinds) > 1:
            raise self.err(
                (*path, kinds[1]),
                f"one step per list item: {kinds[0]!r} and {kinds[1]!r} are both "
                "here; put each on its own '- ' line",
            )
        kind = kinds[0]
        allowed = (kind, *STEP_OPTIONS[kind])
        self.mapping(path, value, allowed, f"the {kind} step")
        step_id = auto_id
        if "id" in value:
            step_id = self.name((*path, "id"), value["id"], "step id")
        return self.step_builders[kind](path, value, step_id)

    def _interruptible(self, path: KeyPath, value: dict[str, Any]) -> bool | None:
        if "interruptible" not in value:
            return None
        return self.boolean((*path, "interruptible"), value["interruptible"], "interruptible")

    def _timeout(self, path: KeyPath, value: dict[str, Any]) -> int | None:
        if "timeout_ms" not in value:
            return None
        return self.integer((*path, "timeout_ms"), value["timeout_ms"], "timeout_ms", 500)

    def _failure(
        self, path: KeyPath, value: dict[str, Any], step_id: str
    ) -> tuple[int, tuple[m.Step, ...] | None]:
        attempts = self.integer((*path, "max_attempts"), value.get("max_attempts", 3), "max_attempts", 1)
        on_failure = None
        if "on_failure" in value:
            on_failure = self.steps((*path, "on_failure"), value["on_failure"], f"{step_id}.on_failure")
        return attempts, on_failure

    def _step_say(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        return m.Say(self.prompt((*path, "say"), value["say"], step_id), self._interruptible(path, value))

    def _step_ask(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        slot = self.slot_ref((*path, "ask"), value["ask"])
        if self.slots[slot].type == "list":
            raise self.err((*path, "ask"), f"slot {slot!r} is a list; fill it with set: or append:, not ask:")
        base = step_id if "id" in value else f"ask.{slot}"
        if "prompt" not in value:
            raise self.err(path, f"ask {slot!r} needs a prompt: the question the bot says")
        prompt = self.prompt((*path, "prompt"), value["prompt"], base)
        reprompt = None
        if "reprompt" in value:
            reprompt = self.prompt((*path, "reprompt"), value["reprompt"], f"{base}.reprompt")
        attempts, on_failure = self._failure(path, value, step_id)
        hints = self.str_list((*path, "hints"), value.get("hints", []), "hints")
        self._scale_from(slot, (prompt, reprompt))
        more = None
        if "more" in value:
            if self.slots[slot].type != "order_lines":
                raise self.err(
                    (*path, "more"),
                    f"more: asks for further order lines; slot {slot!r} is {self.slots[slot].type}, "
                    "not order_lines",
                )
            more = self.prompt((*path, "more"), value["more"], f"{base}.more")
        return m.Ask(
            id=base,
            slot=slot,
            prompt=prompt,
            reprompt=reprompt,
            max_attempts=attempts,
            on_failure=on_failure,
            timeout_ms=self._timeout(path, value),
            interruptible=self._interruptible(path, value),
            force=self.boolean((*path, "force"), value.get("force", False), "force"),
            hints=hints,
            on_silence=self.steps((*path, "on_silence"), value["on_silence"], f"{step_id}.on_silence")
            if "on_silence" in value
            else None,
            more=more,
        )

    def _scale_from(self, slot: str, prompts: tuple[m.Prompt | None, ...]) -> None:
        """The labels a number question gives its scale ("where five is very satisfied"): the slot's too."""
        from voicebot.nlu.scale import scale_ends, scale_labels

        spec = self.slots[slot]
        if spec.type != "integer" or spec.minimum is None or spec.maximum is None:
            return
        said = [part for p in prompts if p is not None for part in p.template.parts if isinstance(part, str)]
        found = (*scale_labels(" ".join(said), self.language, spec.minimum, spec.maximum),
                 *scale_ends(self.language, spec.minimum, spec.maximum))
        self.slots[slot] = replace(spec, labels=tuple(dict.fromkeys((*spec.labels, *found))))

    def _step_confirm(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        slot = None
        if "slot" in value:
            slot = self.slot_ref((*path, "slot"), value["slot"], ("yes_no",))
        base = step_id if "id" in value else (f"confirm.{slot}" if slot else step_id)
        prompt = self.prompt((*path, "confirm"), value["confirm"], base)
        reprompt = None
        if "reprompt" in value:
            reprompt = self.prompt((*path, "reprompt"), value["reprompt"], f"{base}.reprompt")
        corrects = tuple(
            self.slot_ref((*path, "corrects", i), s)
            for i, s in enumerate(self.str_list((*path, "corrects"), value.get("corrects", []), "corrects"))
        )
        attempts, on_failure = self._failure(path, value, step_id)
        on_yes = (
            self.steps((*path, "on_yes"), value["on_yes"], f"{step_id}.on_yes") if "on_yes" in value else ()
        )
        on_no = self.steps((*path, "on_no"), value["on_no"], f"{step_id}.on_no") if "on_no" in value else ()
        return m.Confirm(
            id=base,
            prompt=prompt,
            reprompt=reprompt,
            slot=slot,
            corrects=corrects,
            on_yes=on_yes,
            on_no=on_no,
            max_attempts=attempts,
            on_failure=on_failure,
            timeout_ms=self._timeout(path, value),
            interruptible=self._interruptible(path, value),
        )

    def _step_if(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        source = self.string((*path, "if"), value["if"], "a condition")
        try:
            cond = parse_condition(source)
        except ConditionSyntaxError as exc:
            raise self.err((*path, "if"), str(exc)) from None
        known = set(self.slots) | set(self.variables)
        for n in sorted(cond.names):
            if n not in known:
                raise self.err(
                    (*path, "if"), f"condition names {n!r}, which is no slot or variable{_suggest(n, known)}"
                )
        if "then" not in value:
            raise self.err(path, "an if step needs then: (a list of steps), and may have else:")
        then = self.steps((*path, "then"), value["then"], f"{step_id}.then")
        otherwise = self.steps((*path, "else"), value["else"], f"{step_id}.else") if "else" in value else ()
        return m.If(cond, then, otherwise)

    def _assignments(self, path: KeyPath, value: object, kind: str) -> tuple[tuple[str, Any], ...]:
        if not isinstance(value, dict) or not value:
            raise self.err(path, f"expected {kind}: with slot: value pairs, e.g. {kind}: {{confirmed: true}}")
        out = []
        for k, v in value.items():
            slot = self.slot_ref((*path, k), k)
            if kind == "append" and self.slots[slot].type not in ("list", "order_lines"):
                raise self.err(
                    (*path, k), f"append: needs a list slot; {slot!r} has type {self.slots[slot].type}"
                )
            out.append((slot, v))
        return tuple(out)

    def _step_set(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        return m.SetValues(self._assignments((*path, "set"), value["set"], "set"))

    def _step_append(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        return m.Append(self._assignments((*path, "append"), value["append"], "append"))

    def _step_clear(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        names = self.str_list((*path, "clear"), value["clear"], "clear")
        return m.Clear(tuple(self.slot_ref((*path, "clear", i), s) for i, s in enumerate(names)))

    def _step_call(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        flow = self.string((*path, "call"), value["call"], "a flow name")
        self.flow_refs.append(((*path, "call"), flow))
        return m.CallFlow(flow)

    def _step_goto(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        flow = self.string((*path, "goto"), value["goto"], "a flow name")
        self.flow_refs.append(((*path, "goto"), flow))
        return m.Goto(flow)

    def _step_action(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        action_id = self.name((*path, "action"), value["action"], "action name")
        if "url" not in value:
            raise self.err(path, f"action {action_id!r} needs url: (the webhook to call)")
        url_text = self.string((*path, "url"), value["url"], "url")
        if not re.match(r"^https?://", url_text):
            raise self.err((*path, "url"), f"url {url_text!r} must start with http:// or https://")
        method = self.string((*path, "method"), value.get("method", "POST"), "method").upper()
        if method not in ("GET", "POST", "PUT", "PATCH"):
            raise self.err((*path, "method"), f"method {method!r} must be GET, POST, PUT or PATCH")
        payload_raw = value.get("payload", {})
        if not isinstance(payload_raw, dict):
            raise self.err((*path, "payload"), "expected a mapping of field: template under payload:")
        payload = tuple(
            (
                str(k),
                self.template(
                    (*path, "payload", k), self.string((*path, "payload", k), v, "a payload value")
                ),
            )
            for k, v in payload_raw.items()
        )
        save_raw = value.get("save", {})
        if not isinstance(save_raw, dict):
            raise self.err((*path, "save"), "expected slot: result_key pairs under save:")
        save = tuple(
            (self.slot_ref((*path, "save", k), k), self.string((*path, "save", k), v, "a result key"))
            for k, v in save_raw.items()
        )
        timeout_ms = self.integer((*path, "timeout_ms"), value.get("timeout_ms", 5000), "timeout_ms", 100)
        on_error = (
            self.steps((*path, "on_error"), value["on_error"], f"{step_id}.on_error")
            if "on_error" in value
            else ()
        )
        return m.Webhook(
            id=action_id,
            url=self.template((*path, "url"), url_text),
            method=method,
            payload=payload,
            timeout_ms=timeout_ms,
            save=save,
            on_error=on_error,
        )

    def _step_transfer(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        reason = self.name((*path, "transfer"), value["transfer"], "transfer reason")
        prompt = (
            self.prompt((*path, "prompt"), value["prompt"], f"transfer.{reason}")
            if "prompt" in value
            else None
        )
        target = (
            None if value.get("target") is None else self.string((*path, "target"), value["target"], "target")
        )
        return m.TransferStep(reason, target, prompt)

    def _step_hangup(self, path: KeyPath, value: dict[str, Any], step_id: str) -> m.Step:
        outcome = self.name((*path, "hangup"), value["hangup"], "outcome")
        self.outcome_refs.append(((*path, "hangup"), outcome))
        prompt = (
            self.prompt((*path, "prompt"), value["prompt"], f"hangup.{outcome}")
            if "prompt" in value
            else None
        )
        return m.Hangup(outcome, prompt)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; quote it if you meant text)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
