"""Conversation tests: scripted callers with expected prompts, slots and outcome (``voicebot test``).

A test file (dialogues/tests/NAME.yml)::

    dialogue: pizza_order            # NAME.yml beside tests/, or a path relative to this file
    tests:
      - name: caller orders two pizzas
        variables: {customer_name: Ann}
        webhooks: {check_address: {ok: true, data: {zone: 2}}}
        turns:
          - bot: ask.items           # a prompt id, or words the bot says, since the last caller turn
          - caller: two large pepperoni please
          - caller: "[silence]"
        expect:
          outcome: order_placed
          slots: {items: [{name: pepperoni, size: large, quantity: 2}]}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicebot.dialogue.events import Action, ActionResult, CallWebhook, Say, Transfer
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.script import parse_script_line
from voicebot.dialogue.yamlpos import KeyPath, LocatedDocument, parse_located
from voicebot.errors import DialogueError, VoicebotError
from voicebot.record import CallRecord

_FILE_KEYS = ("dialogue", "tests")
_TEST_KEYS = ("name", "variables", "webhooks", "turns", "expect")
_EXPECT_KEYS = ("outcome", "slots", "transfer_reason")


@dataclass(frozen=True, slots=True)
class TestResult:
    __test__ = False  # not a pytest class

    file: str
    name: str
    passed: bool
    failures: tuple[str, ...] = ()
    record: CallRecord | None = None


def run_test_file(path: str | Path) -> list[TestResult]:
    """Run every test in one file. Raises DialogueError when the file itself is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DialogueError(f"cannot read test file: {exc.strerror}", file=str(path)) from None
    doc = parse_located(text, str(path))
    root = _mapping(doc, (), doc.value, _FILE_KEYS)
    if "dialogue" not in root or "tests" not in root:
        raise doc.error((), "a test file needs dialogue: (the dialogue under test) and tests: (a list)")
    dialogue = load_dialogue(_dialogue_path(path, str(root["dialogue"])))
    tests = root["tests"]
    if not isinstance(tests, list) or not tests:
        raise doc.error(("tests",), "expected a non-empty list of tests")
    results = []
    for i, test in enumerate(tests):
        _mapping(doc, ("tests", i), test, _TEST_KEYS)
        results.append(_run_one(doc, ("tests", i), dialogue, test))
    return results


def _dialogue_path(test_file: Path, ref: str) -> Path:
    if ref.endswith((".yml", ".yaml")):
        return (test_file.parent / ref).resolve()
    for folder in (test_file.parent.parent, test_file.parent):
        candidate = folder / f"{ref}.yml"
        if candidate.exists():
            return candidate
    return test_file.parent.parent / f"{ref}.yml"


def _mapping(doc: LocatedDocument, path: KeyPath, value: object, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise doc.error(path, "expected a mapping")
    for key in value:
        if key not in allowed:
            raise doc.error((*path, key), f"unknown key {key!r}; allowed keys: {', '.join(allowed)}")
    return value


def _run_one(doc: LocatedDocument, path: KeyPath, dialogue: Dialogue, test: dict[str, Any]) -> TestResult:
    name = str(test.get("name") or f"test {path[-1]}")
    failures: list[str] = []
    webhooks = test.get("webhooks") or {}
    try:
        conv = Conversation(dialogue, dict(test.get("variables") or {}), call_id=f"test-{path[-1]}")
        batch = _answer_webhooks(conv, conv.start(), webhooks)
        turns = test.get("turns") or []
        if not isinstance(turns, list):
            raise doc.error((*path, "turns"), "expected a list of '- caller: ...' and '- bot: ...' turns")
        for j, turn in enumerate(turns):
            tpath = (*path, "turns", j)
            if not isinstance(turn, dict) or len(turn) != 1 or next(iter(turn)) not in ("caller", "bot"):
                raise doc.error(tpath, "each turn is one '- caller: words' or '- bot: prompt id or words'")
            role, value = next(iter(turn.items()))
            line = doc.line_of(tpath)
            if role == "bot":
                for expected in value if isinstance(value, list) else [value]:
                    if not _said(batch, str(expected)):
                        heard = " | ".join(f"[{a.prompt_id}] {a.text}" for a in batch if isinstance(a, Say))
                        failures.append(
                            f"line {line}: expected the bot to say {expected!r}; it said: "
                            f"{heard or 'nothing'}"
                        )
                continue
            if conv.ended:
                failures.append(
                    f"line {line}: the call already ended ({conv.record.outcome}) before caller "
                    f"turn {value!r}"
                )
                break
            event = parse_script_line(str(value))
            if event is None:
                continue
            batch = _answer_webhooks(conv, conv.handle(event), webhooks)
        _check_expectations(doc, path, test.get("expect") or {}, conv, batch, failures)
        record: CallRecord | None = conv.record
    except DialogueError:
        raise
    except VoicebotError as exc:
        failures.append(f"error: {exc}")
        record = None
    return TestResult(file=doc.file, name=name, passed=not failures, failures=tuple(failures), record=record)


def _answer_webhooks(conv: Conversation, actions: list[Action], webhooks: dict[str, Any]) -> list[Action]:
    batch = list(actions)
    while batch and isinstance(batch[-1], CallWebhook) and not conv.ended:
        call = batch[-1]
        name = call.action_id.split("#", 1)[0]
        canned = webhooks.get(name)
        if isinstance(canned, dict):
            result = ActionResult(
                call.action_id,
                ok=bool(canned.get("ok", True)),
                data=dict(canned.get("data") or {}),
                error=canned.get("error"),
            )
        else:
            result = ActionResult(call.action_id, ok=False, error="no webhook answer in this test")
        batch.extend(conv.handle(result))
    return batch


def _said(batch: list[Action], expected: str) -> bool:
    needle = expected.casefold()
    return any(isinstance(a, Say) and (a.prompt_id == expected or needle in a.text.casefold()) for a in batch)


def _check_expectations(
    doc: LocatedDocument,
    path: KeyPath,
    expect: object,
    conv: Conversation,
    batch: list[Action],
    failures: list[str],
) -> None:
    expect = _mapping(doc, (*path, "expect"), expect, _EXPECT_KEYS)
    if "outcome" in expect and conv.record.outcome != expect["outcome"]:
        failures.append(f"expected outcome {expect['outcome']!r}, got {conv.record.outcome!r}")
    slots = expect.get("slots") or {}
    if not isinstance(slots, dict):
        raise doc.error((*path, "expect", "slots"), "expected a mapping of slot: value")
    for slot, value in slots.items():
        if slot not in conv.dialogue.slots:
            raise doc.error((*path, "expect", "slots", slot), f"the dialogue has no slot {slot!r}")
        got = conv.record.slots.get(slot)
        if got != value:
            failures.append(f"slot {slot}: expected {value!r}, got {got!r}")
    if "transfer_reason" in expect:
        reasons = [a.reason for a in batch if isinstance(a, Transfer)]
        if expect["transfer_reason"] not in reasons:
            failures.append(
                f"expected a transfer with reason {expect['transfer_reason']!r}, got {reasons or 'none'}"
            )
