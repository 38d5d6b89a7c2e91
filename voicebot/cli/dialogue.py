"""CLI commands: validate, chat and test dialogues."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from voicebot.cli.commands import Subcommands
from voicebot.dialogue.model import Dialogue, SlotSpec
from voicebot.errors import DialogueError, VoicebotError


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "validate",
        help="check dialogue files; errors name file, line and key path",
        description="Check dialogue files. Exit 0 when all are valid.",
    )
    p.add_argument("dialogues", nargs="+", metavar="DIALOGUE", help="dialogue file or folder of dialogues")
    p.add_argument("--grammar", metavar="STEP", help="also print the answers expected at an ask: its step id "
                   "(e.g. ask.satisfaction), its slot name, or 'all'")
    p.set_defaults(handler=_validate)

    p = sub.add_parser(
        "chat",
        help="talk to a dialogue in text, interactively or from a script",
        description="Talk to a dialogue in text. A script has one caller turn per line; # starts "
        "a comment; [silence] is no answer; [dtmf 12#] is keypad input; "
        "[hangup] hangs up.",
    )
    p.add_argument("dialogue", metavar="DIALOGUE", help="dialogue file, or the name of one in ./dialogues")
    p.add_argument("--script", metavar="FILE", help="caller turns, one per line ('-' for standard input)")
    p.add_argument(
        "--var", action="append", default=[], metavar="K=V", help="a dialogue variable (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="print the call record as JSON at the end")
    p.set_defaults(handler=_chat)

    p = sub.add_parser(
        "test",
        help="run conversation tests; prints 'N passed, N failed'",
        description="Run conversation test files (dialogues/tests/*.yml). Exit 0 iff all pass.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="test file, or a folder of them")
    p.add_argument("--list", action="store_true", help="list every test, not only failures")
    p.set_defaults(handler=_test)


def _yaml_files(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml"))
    else:
        yield path


def _validate(args: argparse.Namespace) -> int:
    from voicebot.dialogue.loader import load_dialogue

    failed = 0
    for arg in args.dialogues:
        for path in _yaml_files(Path(arg)):
            try:
                d = load_dialogue(path)
            except DialogueError as exc:
                failed += 1
                print(f"voicebot: error: {exc}", file=sys.stderr)
                continue
            print(f"{path}: ok ({d.name}, {d.language}, {len(d.flows)} flows, {len(d.slots)} slots)")
            if args.grammar and not _print_grammar(d, args.grammar):
                failed += 1
    return 2 if failed else 0


def _print_grammar(dialogue: Dialogue, wanted: str) -> bool:
    """Prints the expected answers of the asks ``wanted`` names; False (with an error) when none does."""
    from voicebot.dialogue import grammar, grammar_open
    from voicebot.dialogue.understanding import SlotReader

    reader = SlotReader(dialogue)
    asks = [a for a in dialogue.asks() if wanted in ("all", a.id, a.slot)]
    if not asks:
        names = ", ".join(dict.fromkeys(a.id for a in dialogue.asks())) or "none"
        print(f"voicebot: error: {dialogue.name}: no ask {wanted!r}; its asks: {names}", file=sys.stderr)
        return False
    for ask in dict.fromkeys(asks):
        spec = dialogue.slots[ask.slot]

        def read(said: str, spec: SlotSpec = spec) -> object:
            return reader.read(spec, said, strict=True)

        expected = grammar.for_slot(dialogue, spec, ask.hints, read=read)
        kind = ("closed" if expected.closed else "open: decoded again in its words" if expected.requests
                else "open: the free transcript decides")
        print(f"  {ask.id} (slot {ask.slot}, {spec.type}; {kind})")
        for request in expected.requests:
            print(f"    {grammar_open.describe_request(request)}")
        if spec.labels:
            print("    read as numbers: " + ", ".join(f'"{said}" = {n}' for said, n in spec.labels))
        for line in expected.describe():
            print(f"    {line}")
    return True


def _resolve_dialogue(ref: str) -> Path:
    path = Path(ref)
    if path.exists() or path.suffix in (".yml", ".yaml"):
        return path
    candidate = Path("dialogues") / f"{ref}.yml"
    if candidate.exists():
        return candidate
    raise DialogueError(f"no dialogue file {ref!r} (nor dialogues/{ref}.yml); give the path of a .yml file")


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise VoicebotError(f"--var {pair!r} must look like name=value")
        out[key.strip()] = value
    return out


def _chat(args: argparse.Namespace) -> int:
    from voicebot.dialogue.events import CallWebhook, Dtmf, EndCall, Listen, Say, Transfer
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.dialogue.machine import Conversation
    from voicebot.dialogue.script import parse_script_line
    from voicebot.dialogue.webhook import perform as perform_webhook

    dialogue = load_dialogue(_resolve_dialogue(args.dialogue))
    conv = Conversation(dialogue, _parse_vars(args.var))
    # With --json, stdout carries only the record; the conversation goes to stderr.
    talk: TextIO = sys.stderr if args.json else sys.stdout
    interactive = args.script is None and sys.stdin.isatty()

    def show(actions: list[Any]) -> list[Any]:
        pending = list(actions)
        shown: list[Any] = []
        while pending:
            action = pending.pop(0)
            shown.append(action)
            if isinstance(action, Say):
                print(f"bot: {action.text}", file=talk)
            elif isinstance(action, Transfer):
                print(
                    f"[transfer: {action.reason}{' to ' + action.target if action.target else ''}]", file=talk
                )
            elif isinstance(action, EndCall):
                print(f"[end: {action.outcome}]", file=talk)
            elif isinstance(action, CallWebhook):
                pending.extend(conv.handle(perform_webhook(action)))
            elif isinstance(action, Listen) and interactive:
                print("> ", end="", file=talk, flush=True)
        return shown

    show(conv.start())
    if args.script is None:
        lines: Iterator[str] = iter(sys.stdin)
    elif args.script == "-":
        lines = iter(sys.stdin.read().splitlines())
    else:
        try:
            lines = iter(Path(args.script).read_text(encoding="utf-8").splitlines())
        except OSError as exc:
            raise VoicebotError(f"cannot read script {args.script}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if conv.ended:
            break
        try:
            event = parse_script_line(line)
        except DialogueError as exc:
            raise DialogueError(exc.reason, file=args.script, line=number) from None
        if event is None:
            continue
        if not interactive:
            shown = f"[dtmf {event.digits}]" if isinstance(event, Dtmf) else line.strip()
            print(f"caller: {shown}", file=talk)
        show(conv.handle(event))
    if not conv.ended:
        from voicebot.dialogue.events import CallerHangup

        conv.handle(CallerHangup("script_ended"))
        print("[caller hung up]", file=talk)
    if args.json:
        print(json.dumps(conv.record.to_json(), ensure_ascii=False, indent=2))
    return 0


def _test(args: argparse.Namespace) -> int:
    from voicebot.dialogue.testing import run_test_file

    passed = failed = 0
    for arg in args.paths:
        root = Path(arg)
        if root.is_dir() and (root / "tests").is_dir():
            root = root / "tests"
        for path in _yaml_files(root):
            try:
                results = run_test_file(path)
            except DialogueError as exc:
                failed += 1
                print(f"FAIL {path}: {exc}")
                continue
            for r in results:
                if r.passed:
                    passed += 1
                    if args.list:
                        print(f"ok   {path}: {r.name}")
                else:
                    failed += 1
                    print(f"FAIL {path}: {r.name}")
                    for f in r.failures:
                        print(f"     {f}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1
