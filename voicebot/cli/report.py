"""CLI commands: ``voicebot report steps|outcomes DIALOGUE`` — where callers get stuck, from the store."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from voicebot.errors import VoicebotError

_FORMATS = ("table", "csv", "json")
_STEP_COLUMNS = ("dialogue_hash", "step", "calls", "asked", "answered_first", "not_understood",
                 "not_understood_rate", "read_back", "rejected", "corrected", "silence", "transferred_here",
                 "hung_up_here", "ended_here", "mean_latency_ms", "p95_latency_ms", "mean_confidence")


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    parser = sub.add_parser(
        "report", help="where callers get stuck: per-step and per-day reports from the call records",
        description="Reports computed in SQL over the facts stored with each call record (SQLite or "
                    "PostgreSQL, whichever store.url names).")
    reports = parser.add_subparsers(dest="report_command", metavar="REPORT")
    steps = reports.add_parser("steps", help="per step: asked, answered first time, not understood, "
                                             "read back, silence, transferred or hung up there, latency, "
                                             "confidence")
    outcomes = reports.add_parser("outcomes", help="outcomes per day")
    for report in (steps, outcomes):
        report.add_argument("dialogue", metavar="DIALOGUE")
        report.add_argument("--since", metavar="DATE", default=None,
                            help="from this ISO date or time (UTC), e.g. 2026-12-01")
        report.add_argument("--until", metavar="DATE", default=None, help="before this ISO date or time")
        report.add_argument("--format", choices=_FORMATS, default="table", help="output format")
        report.add_argument("--data-dir", metavar="DIR", default=None,
                            help="data directory holding the database (default: paths.data_dir, ./var)")
    steps.set_defaults(handler=_steps)
    outcomes.set_defaults(handler=_outcomes)
    rebuild = reports.add_parser("rebuild", help="derive the facts of every stored record again (records "
                                                 "saved before this version have none)")
    rebuild.add_argument("--data-dir", metavar="DIR", default=None,
                         help="data directory holding the database (default: paths.data_dir, ./var)")
    rebuild.set_defaults(handler=_rebuild)
    parser.set_defaults(handler=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def open_store(args: argparse.Namespace) -> Any:
    from voicebot.config import load_config
    from voicebot.store import open_call_store, store_target

    config = load_config(args.config, overrides={"paths.data_dir": args.data_dir})
    return open_call_store(store_target(config.store.url, config.store_path),
                           recordings_dir=config.recordings_dir)


def iso_time(value: str | None, flag: str) -> str | None:
    """An ISO 8601 date or time as the records store it (UTC, milliseconds, Z); a one-line error if bad."""
    from datetime import UTC, datetime

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise VoicebotError(f"{flag} must be an ISO 8601 date or time, e.g. 2026-12-01, "
                            f"not {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _steps(args: argparse.Namespace) -> int:
    from voicebot.analytics.steps import step_report

    since, until = iso_time(args.since, "--since"), iso_time(args.until, "--until")
    store = open_store(args)
    try:
        rows = [row.to_json() for row in step_report(store, args.dialogue, since=since, until=until)]
    finally:
        store.close()
    if not rows:
        print(f"no calls of dialogue {args.dialogue!r} in the store for that period", file=sys.stderr)
        if args.format == "table":
            return 0
    emit(rows, _STEP_COLUMNS, args.format)
    return 0


def _outcomes(args: argparse.Namespace) -> int:
    from voicebot.analytics.steps import outcomes_by_day

    since, until = iso_time(args.since, "--since"), iso_time(args.until, "--until")
    store = open_store(args)
    try:
        days = outcomes_by_day(store, args.dialogue, since=since, until=until)
    finally:
        store.close()
    names = sorted({name for day in days for name in day.outcomes})
    rows = [{"day": d.day, "calls": d.calls, **{n: d.outcomes.get(n, 0) for n in names}} for d in days]
    if args.format == "json":
        print(json.dumps([d.to_json() for d in days], indent=2))
        return 0
    emit(rows, ("day", "calls", *names), args.format)
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        count = store.rebuild_facts()
    finally:
        store.close()
    print(f"facts derived again from {count} call record(s)")
    return 0


def emit(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: str) -> None:
    """Rows as an aligned table, CSV or a JSON array on stdout."""
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = [[c.upper() for c in columns]]
    table += [["-" if row.get(c) is None else _cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    text = str(value)
    return text[:12] if len(text) == 64 else text  # a dialogue hash: its prefix is enough to tell apart
