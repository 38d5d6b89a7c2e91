"""CLI commands: campaign run / check / status / report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from voicebot.cli.commands import Subcommands
from voicebot.errors import CampaignError, ConfigError

if TYPE_CHECKING:
    from voicebot.campaign.contacts import ContactList
    from voicebot.campaign.policy import CampaignSettings
    from voicebot.campaign.state import CampaignStore, Progress
    from voicebot.config import Config
    from voicebot.dialogue.model import Dialogue


def register(sub: Subcommands) -> None:
    parser = sub.add_parser("campaign", help="outbound call campaigns through Asterisk",
                            description="Outbound campaigns: dial a contacts CSV through Asterisk (AMI) and "
                                        "run a dialogue on each answered call. See docs/campaigns.md.")
    commands = parser.add_subparsers(dest="campaign_command", metavar="COMMAND")

    run = commands.add_parser("run", help="run (or resume) a campaign until every contact is done",
                              description="Dial CONTACTS.csv; its columns become dialogue variables. Running "
                                          "the same file and dialogue again resumes the campaign.")
    run.add_argument("contacts", metavar="CONTACTS.csv")
    run.add_argument("--dialogue", required=True, metavar="D", help="dialogue to run on answered calls")
    run.add_argument("--max-concurrent", type=int, default=1, metavar="N", help="calls at once (default 1)")
    run.add_argument("--retries", type=int, default=2, metavar="R",
                     help="extra attempts after no answer, busy or failure (default 2)")
    run.add_argument("--retry-after", type=float, default=30.0, metavar="MIN",
                     help="minutes before a retry (default 30)")
    run.add_argument("--window", metavar="HH:MM-HH:MM", help="local hours when calling is allowed")
    run.add_argument("--timezone", default="UTC", metavar="TZ", help="time zone of --window (default UTC)")
    run.add_argument("--phone-column", default="phone", metavar="NAME", help="CSV column with the number")
    run.add_argument("--id", dest="campaign_id", metavar="ID",
                     help="campaign id (default: derived from the file and dialogue)")
    run.add_argument("--name", help="a name for reports")
    run.add_argument("--channel", default="PJSIP/{phone}@trunk", metavar="TEMPLATE",
                     help="how Asterisk dials a number (default PJSIP/{phone}@trunk)")
    run.add_argument("--context", default="voicebot-outbound", help="dialplan context of answered calls")
    run.add_argument("--audiosocket", metavar="[HOST:]PORT",
                     help="AudioSocket listener for the answered calls (default: audiosocket.listen)")
    run.add_argument("--audiosocket-advertise", metavar="HOST:PORT",
                     help="the listener as Asterisk reaches it (default: the listen address)")
    run.add_argument("--ring-timeout", type=float, default=30.0, metavar="S", help="seconds to ring")
    _db_option(run)
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="validate a contacts CSV: bad rows with their line numbers")
    check.add_argument("contacts", metavar="CONTACTS.csv")
    check.add_argument("--phone-column", default="phone", metavar="NAME")
    check.set_defaults(handler=_check)

    status = commands.add_parser("status", help="progress of campaigns")
    status.add_argument("campaign_id", nargs="?", metavar="ID")
    status.add_argument("--json", action="store_true", help="print JSON")
    _db_option(status)
    status.set_defaults(handler=_status)

    report = commands.add_parser("report", help="per-contact results, score charts, links to recordings")
    report.add_argument("campaign_id", metavar="ID")
    report.add_argument("--format", choices=("csv", "json", "html"), default="csv")
    report.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    report.add_argument("--base-url", default="", metavar="URL",
                        help="prefix of recording and transcript links, e.g. https://bot.example.com")
    _db_option(report)
    report.set_defaults(handler=_report)
    parser.set_defaults(handler=lambda args: _help(parser))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="FILE", help="campaign database (default: store.url when it names "
                                                     "PostgreSQL, else DATA_DIR/campaigns.db)")


def _config(args: argparse.Namespace, **overrides: object) -> Config:
    from voicebot.config import load_config

    return load_config(getattr(args, "config", None), overrides=overrides)


def _store(args: argparse.Namespace, config: Config | None = None) -> CampaignStore:
    from voicebot.campaign.service import open_campaign_store

    return open_campaign_store(config or _config(args), args.db)


def _print_invalid(contacts: ContactList, source: str, out: TextIO) -> None:
    for row in contacts.invalid:
        print(f"{source}:{row.line}: {row.reason}", file=out)


def _check(args: argparse.Namespace) -> int:
    from voicebot.campaign.contacts import load_contacts

    contacts = load_contacts(args.contacts, phone_column=args.phone_column)
    _print_invalid(contacts, args.contacts, sys.stdout)
    print(f"{len(contacts.contacts)} valid, {len(contacts.invalid)} invalid")
    return 1 if contacts.invalid else 0


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = round(width * done / total) if total else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _progress_line(progress: Progress) -> str:
    outcomes = ", ".join(f"{k} {v}" for k, v in progress.outcomes.items())
    dialable = progress.total - progress.invalid
    return (f"{progress.campaign_id} {progress.status:9} {_bar(progress.done, dialable)} "
            f"{progress.done}/{dialable} done, {progress.dialing} dialling, {progress.invalid} invalid"
            + (f" ({outcomes})" if outcomes else ""))


def _status(args: argparse.Namespace) -> int:
    import json

    store = _store(args)
    try:
        campaigns = [store.get(args.campaign_id)] if args.campaign_id else store.all_campaigns()
        progress = [store.progress(c.id) for c in campaigns]
    finally:
        store.close()
    if args.json:
        print(json.dumps([p.to_json() for p in progress], indent=2))
    elif not progress:
        print("no campaigns yet; start one with `voicebot campaign run CONTACTS.csv --dialogue D`")
    else:
        for item in progress:
            print(_progress_line(item))
    return 0


def _report(args: argparse.Namespace) -> int:
    from voicebot.campaign.report import build_report, render

    config = _config(args)
    store = _store(args, config)
    try:
        campaign = store.get(args.campaign_id)
        dialogue = _dialogue_or_none(config, campaign.settings.dialogue)
        text = render(build_report(store, campaign.id, dialogue=dialogue, base_url=args.base_url.rstrip("/")),
                      args.format)
    finally:
        store.close()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _dialogue_or_none(config: Config, name: str) -> Dialogue | None:
    from voicebot.errors import VoicebotError

    path = Path(config.paths.dialogues_dir) / f"{name}.yml"
    if not path.is_file():
        return None
    try:
        from voicebot.dialogue.loader import load_dialogue

        return load_dialogue(path)
    except VoicebotError:
        return None


def _run(args: argparse.Namespace) -> int:
    from voicebot.campaign.contacts import load_contacts
    from voicebot.campaign.policy import CampaignSettings
    from voicebot.campaign.service import campaign_id_for

    settings = CampaignSettings(args.dialogue, max_concurrent=args.max_concurrent, retries=args.retries,
                                retry_after_min=args.retry_after, window=args.window, timezone=args.timezone,
                                phone_column=args.phone_column)
    contacts = load_contacts(args.contacts, phone_column=args.phone_column)
    _print_invalid(contacts, args.contacts, sys.stderr)
    if not contacts.contacts:
        raise CampaignError(f"{args.contacts}: no valid contacts to call")
    config = _config(args, **{"audiosocket.listen": args.audiosocket})
    if not config.ami.username:
        raise ConfigError("campaigns dial through Asterisk: set ami.username (and VOICEBOT_AMI__SECRET) "
                          "in the configuration")
    if not config.audiosocket.listen:
        raise ConfigError("answered calls come back over AudioSocket: pass --audiosocket [HOST:]PORT or set "
                          "audiosocket.listen")
    if _dialogue_or_none(config, args.dialogue) is None:
        raise CampaignError(f"no valid dialogue {args.dialogue!r} in {config.paths.dialogues_dir}; "
                            "`voicebot validate` says what is wrong")
    campaign_id = args.campaign_id or campaign_id_for(contacts, settings)
    return asyncio.run(_run_async(args, config, settings, campaign_id))


async def _run_async(args: argparse.Namespace, config: Config, settings: CampaignSettings,
                     campaign_id: str) -> int:
    from voicebot.campaign.dialer import AmiDialer, OutboundSettings
    from voicebot.campaign.service import CampaignService
    from voicebot.config import parse_host_port
    from voicebot.runtime import Runtime
    from voicebot.session.engines import EnginePool
    from voicebot.telephony.ami import AmiClient, AmiSettings
    from voicebot.telephony.audiosocket_server import AudioSocketServer
    from voicebot.telephony.routing import CallRouter

    store = _store(args, config)
    # Engines load in the background: a campaign whose first calls ring unanswered need not wait.
    runtime = Runtime.create(config, load_engines=False)
    runtime.engines = EnginePool.from_config(config)
    ami = AmiClient(AmiSettings(host=config.ami.host, port=config.ami.port,
                                username=config.ami.username or "", secret=config.ami.secret or ""))
    host, port = parse_host_port(config.audiosocket.listen or "", default_host="127.0.0.1")
    router = CallRouter(None, channel_variables=ami.channel_variables)
    door = AudioSocketServer(runtime, host, port, router=router, ami=ami)
    started: list[Any] = []
    warming: asyncio.Task[None] | None = None
    try:
        text = Path(args.contacts).read_text(encoding="utf-8")
        await ami.start()
        started.append(ami)
        await runtime.start()
        warming = asyncio.create_task(runtime.engines.warm([runtime.dialogues.get(settings.dialogue)]))
        await door.start()
        started.append(door)
        advertise = args.audiosocket_advertise or f"{host}:{door.port}"
        dialer = AmiDialer(ami, router, OutboundSettings(
            channel_template=args.channel, context=args.context, audiosocket=advertise,
            ring_timeout_s=args.ring_timeout))
        service = CampaignService(store, dialer=dialer, find_record=runtime.store.get)
        campaign, _, created = service.create(text, settings, name=args.name, campaign_id=campaign_id,
                                              source=args.contacts)
        print(f"voicebot: campaign {campaign.id} {'created' if created else 'resumed'}", file=sys.stderr)
        interactive = sys.stderr.isatty()

        def show(progress: Progress) -> None:
            end = "\r" if interactive else "\n"
            print(_progress_line(progress), end=end, file=sys.stderr, flush=True)

        task = service.start(campaign.id, on_progress=show)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, service.pause, campaign.id)
        progress = await task
        if interactive:
            print(file=sys.stderr)
        print(_progress_line(progress))
        return 0 if progress.status == "finished" else 130
    finally:
        if warming is not None:
            warming.cancel()
            with contextlib.suppress(BaseException):
                await warming
        for item in reversed(started):
            await item.close()
        await runtime.close()
        store.close()
