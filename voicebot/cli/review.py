"""CLI commands: ``voicebot review list|show|label|export`` — misheard turns into labels, tests and an
STT evaluation set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from voicebot.cli.commands import Subcommands
from voicebot.errors import VoicebotError


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "review", help="the review queue: turns not understood, read back, corrected or low confidence",
        description="Listen to the turns the bot struggled with, label what was really said, and export "
                    "labelled turns as conversation tests and an STT evaluation set (docs/analytics.md).")
    actions = parser.add_subparsers(dest="review_command", metavar="ACTION")

    listing = actions.add_parser("list", help="queued turns, newest first")
    listing.add_argument("--dialogue", metavar="D", default=None)
    listing.add_argument("--status", choices=("open", "labelled", "all"), default="open")
    listing.add_argument("--below", metavar="CONF", type=float, default=None,
                         help="also queue turns under this STT confidence (default 0.4, the dialogues' "
                              "default read-back threshold)")
    listing.add_argument("--limit", metavar="N", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one turn: transcript, the question, what the bot did")
    show.add_argument("call_id", metavar="CALL_ID")
    show.add_argument("turn", metavar="TURN", type=int, help="the caller turn's index in the record")
    show.add_argument("--audio", metavar="OUT.wav", default=None, help="write the caller's audio slice here")
    show.add_argument("--personal-data", action="store_true", help="show phone numbers and dates unmasked")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    labelling = actions.add_parser("label", help="what the caller really said, and the value meant")
    labelling.add_argument("call_id", metavar="CALL_ID")
    labelling.add_argument("turn", metavar="TURN", type=int)
    labelling.add_argument("--heard", metavar="TEXT", required=True, help="the words really said")
    labelling.add_argument("--value", metavar="YAML", default=None,
                           help="the value the caller meant, as YAML (e.g. '12 baker street', 3, true)")
    labelling.set_defaults(handler=_label)

    export = actions.add_parser("export", help="labelled turns -> conversation tests and an STT eval set")
    export.add_argument("--dialogue", metavar="D", default=None)
    export.add_argument("--tests", metavar="DIR", type=Path, default=None,
                        help="write review_DIALOGUE.yml test files here (for 'voicebot test')")
    export.add_argument("--eval-set", metavar="DIR", type=Path, default=None,
                        help="write audio slices and corpus.json here (for 'bench/wer.py --corpus DIR')")
    export.add_argument("--keep-personal-data", action="store_true",
                        help="keep phone numbers and dates in the exported text (masked by default)")
    export.set_defaults(handler=_export)

    for action in (listing, show, labelling, export):
        action.add_argument("--data-dir", metavar="DIR", default=None,
                            help="data directory holding the database (default: paths.data_dir, ./var)")
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _list(args: argparse.Namespace) -> int:
    from voicebot.analytics.review import DEFAULT_CONFIDENCE_BELOW, review_queue
    from voicebot.cli.report import emit, open_store

    store = open_store(args)
    try:
        items = review_queue(store, dialogue=args.dialogue, status=args.status, limit=args.limit,
                             confidence_below=DEFAULT_CONFIDENCE_BELOW if args.below is None else args.below)
    finally:
        store.close()
    rows = [item.to_json() for item in items]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("the review queue is empty", file=sys.stderr)
        return 0
    emit(rows, ("started_at", "call_id", "turn", "dialogue", "step", "result", "confidence", "labelled"),
         "table")
    return 0


def _show(args: argparse.Namespace) -> int:
    from voicebot.analytics.review import audio_slice, review_item, turn_context
    from voicebot.cli.report import open_store

    store = open_store(args)
    try:
        item = review_item(store, args.call_id, args.turn)
        record = store.get(args.call_id)
        if item is None or record is None:
            raise VoicebotError(f"no turn {args.turn} of call {args.call_id} in the store; "
                                f"see 'voicebot review list'")
        context = turn_context(record, args.turn, personal_data=args.personal_data)
        if args.audio:
            wav = store.audio_path(args.call_id)
            if wav is None:
                raise VoicebotError(f"call {args.call_id} has no recording")
            try:
                Path(args.audio).write_bytes(audio_slice(wav, context["audio_ms"]))
            except OSError as exc:
                raise VoicebotError(f"cannot write {args.audio}: {exc.strerror}") from None
    finally:
        store.close()
    if args.json:
        print(json.dumps({**item.to_json(), **context}, indent=2, ensure_ascii=False))
        return 0
    asked = context["asked"]
    print(f"call {item.call_id} turn {item.turn} ({item.dialogue}, {item.started_at})")
    print(f"step:       {item.step} -> {item.result}")
    print(f"asked:      {asked['text'] if asked else '-'}")
    print(f"transcript: {context['transcript']}  (confidence {context['confidence']})")
    for said in context["bot_then"]:
        print(f"bot then:   [{said['prompt_id']}] {said['text']}")
    if item.labelled:
        print(f"label:      {item.heard}" + (f"  value: {item.value}" if item.value else ""))
    if args.audio:
        print(f"audio:      {args.audio}")
    return 0


def _label(args: argparse.Namespace) -> int:
    import getpass

    from voicebot.analytics.review import label
    from voicebot.cli.report import open_store

    store = open_store(args)
    try:
        item = label(store, args.call_id, args.turn, args.heard, args.value, by=f"cli:{getpass.getuser()}")
    finally:
        store.close()
    print(f"labelled call {item.call_id} turn {item.turn} ({item.step})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from voicebot.analytics.review import (
        add_to_eval_set,
        audio_slice,
        conversation_test,
        review_queue,
        write_test_file,
    )
    from voicebot.cli.report import open_store
    from voicebot.config import load_config
    from voicebot.dialogue.loader import load_dialogue

    if args.tests is None and args.eval_set is None:
        raise VoicebotError("say where to export: --tests DIR and/or --eval-set DIR")
    config = load_config(args.config, overrides={"paths.data_dir": args.data_dir})
    store = open_store(args)
    personal = args.keep_personal_data
    cases: dict[str, list[dict[str, Any]]] = {}
    lines, skipped = 0, []
    try:
        items = review_queue(store, dialogue=args.dialogue, status="labelled", limit=100_000)
        for item in items:
            record = store.get(item.call_id)
            if record is None:
                continue
            if args.tests is not None:
                dialogue = load_dialogue(config.paths.dialogues_dir / f"{item.dialogue}.yml")
                try:
                    cases.setdefault(item.dialogue, []).append(
                        conversation_test(record, item, dialogue, personal_data=personal))
                except VoicebotError as exc:
                    skipped.append(str(exc))
            wav = store.audio_path(item.call_id)
            audio_ms = record.turns[item.turn].audio_ms if item.turn < len(record.turns) else None
            if args.eval_set is not None and wav is not None and audio_ms:
                add_to_eval_set(args.eval_set, item, audio_slice(wav, audio_ms), language=record.language,
                                sample_rate_hz=int(record.meta.get("sample_rate_hz") or 16000),
                                personal_data=personal)
                lines += 1
    finally:
        store.close()
    for name, dialogue_cases in cases.items():
        path = args.tests / f"review_{name}.yml"
        write_test_file(path, config.paths.dialogues_dir / f"{name}.yml", dialogue_cases)
        print(f"{path}: {len(dialogue_cases)} test(s)")
    if args.eval_set is not None:
        print(f"{args.eval_set}: {lines} labelled turn(s) with audio")
    for reason in skipped:
        print(f"voicebot: skipped: {reason}", file=sys.stderr)
    return 0
