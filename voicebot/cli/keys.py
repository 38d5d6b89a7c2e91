"""CLI commands: ``voicebot keys create|list|revoke`` — API keys in the store of the data directory."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
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
    create.set_defaults(handler=_create)

    listing = keys.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=_list)

    revoke = keys.add_parser("revoke", help="revoke a key by id or name")
    revoke.add_argument("key", metavar="KEY_ID_OR_NAME")
    revoke.set_defaults(handler=_revoke)

    for action in (create, listing, revoke):
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
        key_id, token = store.create(args.name, args.dialogue, args.max_calls)
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
    print(f"created key {key.key_id} ({key.name}; {scope}; concurrent calls: {limit}). "
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
    rows = [("KEY_ID", "NAME", "DIALOGUES", "MAX_CALLS", "CREATED", "STATUS")]
    for k in keys:
        rows.append((k.key_id, k.name, ",".join(k.dialogues) if k.dialogues else "*",
                     str(k.max_concurrent_calls or "-"), k.created_at,
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
