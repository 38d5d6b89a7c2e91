"""CLI commands: ``voicebot keys create|list|revoke|set|usage`` — API keys in the data directory's store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from voicebot.cli.commands import Subcommands
from voicebot.errors import VoicebotError
from voicebot.store.keys import SCOPES


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "keys", help="manage API keys",
        description="Manage the API keys that websocket calls and the HTTP API require. Keys are stored "
                    "hashed in the data directory's database; a new key is printed once.",
    )
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory holding the database (default: paths.data_dir, ./var)")
    keys = parser.add_subparsers(dest="keys_command", metavar="ACTION")

    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", metavar="N", default=None, help="a name to recognise it by (unique)")
    create.add_argument("--dialogue", metavar="D", action="append", default=None,
                        help="allow only this dialogue (repeat for several; default: all dialogues)")
    create.add_argument("--max-calls", metavar="N", type=int, default=None,
                        help="at most N concurrent calls with this key (default: the server's limit)")
    create.add_argument("--scope", metavar="S", action="append", default=None, choices=SCOPES,
                        help="grant a scope: admin (console, analytics, review, usage of all keys), "
                             "personal_data (phone numbers and birth dates unredacted); repeat for several")
    create.add_argument("--quota-min", metavar="MIN", type=float, default=None,
                        help="at most MIN minutes of calls a month (caller audio); then calls get 429 / 4402")
    create.set_defaults(handler=_create)

    change = keys.add_parser("set", help="change a key's scopes or monthly quota")
    change.add_argument("key", metavar="KEY_ID_OR_NAME")
    change.add_argument("--scope", metavar="S", action="append", default=None, choices=SCOPES,
                        help="the key's scopes from now on (repeat for several)")
    change.add_argument("--no-scopes", action="store_true", help="remove every scope")
    change.add_argument("--quota-min", metavar="MIN", type=float, default=None, help="monthly minutes")
    change.add_argument("--no-quota", action="store_true", help="remove the monthly quota")
    change.set_defaults(handler=_set)

    usage = keys.add_parser("usage", help="calls and audio minutes per key, per month or day")
    usage.add_argument("key", metavar="KEY_ID_OR_NAME", nargs="?", default=None,
                       help="one key (default: all)")
    usage.add_argument("--month", metavar="YYYY-MM", default=None, help="only this month, e.g. 2026-12")
    usage.add_argument("--by", choices=("month", "day"), default="month", help="one row per month or day")
    usage.add_argument("--json", action="store_true", help="print a JSON array")
    usage.set_defaults(handler=_usage_report)

    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=_list)

    revoke = keys.add_parser("revoke", help="revoke a key by id or name")
    revoke.add_argument("key", metavar="KEY_ID_OR_NAME")
    revoke.set_defaults(handler=_revoke)

    for action in (create, listing, revoke, change, usage):
        # Also accepted after the action; SUPPRESS keeps a value given before it.
        action.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                            help="data directory holding the database (default: ./var)")

    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _open(args: argparse.Namespace) -> Any:
    from voicebot.config import load_config
    from voicebot.store import open_key_store, store_target

    config = load_config(args.config, overrides={"paths.data_dir": args.data_dir})
    return config, open_key_store(store_target(config.store.url, config.store_path))


def _create(args: argparse.Namespace) -> int:
    config, store = _open(args)
    try:
        key_id, token = store.create(args.name, args.dialogue, args.max_calls, scopes=args.scope or (),
                                     monthly_quota_min=args.quota_min)
        key = next(k for k in store.list() if k.key_id == key_id)
    finally:
        store.close()
    for dialogue in args.dialogue or ():
        if not (config.paths.dialogues_dir / f"{dialogue}.yml").is_file():
            print(f"voicebot: warning: no dialogue file {dialogue}.yml in {config.paths.dialogues_dir}",
                  file=sys.stderr)
    print(token)
    scope = ", ".join(key.dialogues) if key.dialogues else "all dialogues"
    limit = key.max_concurrent_calls or "server limit"
    extra = "".join([f"; scopes: {', '.join(key.scopes)}" if key.scopes else "",
                     f"; {key.monthly_quota_min:g} minutes a month" if key.monthly_quota_min else ""])
    print(f"created key {key.key_id} ({key.name}; {scope}; concurrent calls: {limit}{extra}). "
          f"Store it now: it cannot be shown again.", file=sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    _, store = _open(args)
    try:
        keys = store.list()
    finally:
        store.close()
    if args.json:
        print(json.dumps([k.to_json() for k in keys], indent=2))
        return 0
    if not keys:
        print("no API keys; create one with 'voicebot keys create'", file=sys.stderr)
        return 0
    rows = [("KEY_ID", "NAME", "DIALOGUES", "MAX_CALLS", "SCOPES", "QUOTA_MIN", "CREATED", "STATUS")]
    for k in keys:
        rows.append((k.key_id, k.name, ",".join(k.dialogues) if k.dialogues else "*",
                     str(k.max_concurrent_calls or "-"), ",".join(k.scopes) or "-",
                     f"{k.monthly_quota_min:g}" if k.monthly_quota_min else "-", k.created_at,
                     f"revoked {k.revoked_at}" if k.revoked_at else "active"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    _, store = _open(args)
    try:
        key = store.revoke(args.key)
    finally:
        store.close()
    print(f"revoked key {key.key_id} ({key.name}); calls already in progress with it run to their end")
    return 0


def _set(args: argparse.Namespace) -> int:
    if (args.scope and args.no_scopes) or (args.quota_min is not None and args.no_quota):
        raise VoicebotError("give either --scope or --no-scopes, and either --quota-min or --no-quota")
    _, store = _open(args)
    try:
        key = store.update(args.key, scopes=() if args.no_scopes else args.scope,
                           monthly_quota_min=args.quota_min, clear_quota=args.no_quota)
    finally:
        store.close()
    quota = f"{key.monthly_quota_min:g} minutes a month" if key.monthly_quota_min else "no quota"
    print(f"key {key.key_id} ({key.name}): scopes {', '.join(key.scopes) or 'none'}; {quota}")
    return 0


def _usage_report(args: argparse.Namespace) -> int:
    from voicebot.analytics.usage import usage
    from voicebot.cli.report import emit

    _, store = _open(args)
    try:
        if args.key is not None:
            store.get(args.key)  # an unknown key is an error, not an empty report
        rows = usage(store.query, month=args.month, key=args.key, by=args.by)
    finally:
        store.close()
    data = [{**row.to_json(), "key_name": row.key_name or "(no key)"} for row in rows]
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    if not rows:
        print("no calls in the store for that key and period", file=sys.stderr)
        return 0
    emit(data, ("period", "key_name", "key_id", "calls", "minutes", "caller_audio_s", "bot_audio_s"), "table")
    return 0
