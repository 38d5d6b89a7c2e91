"""CLI command: ``voicebot serve`` — the HTTP API, websocket ``/ws``, widget and AudioSocket door.

One asyncio loop runs everything: uvicorn (driven programmatically), the optional AudioSocket listener,
and the signal handlers. SIGTERM/SIGINT stop accepting and let calls end (each saves its record);
a second one forces the exit. SIGHUP reloads the dialogues.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import math
import signal
import socket
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from voicebot.errors import ConfigError

if TYPE_CHECKING:
    from voicebot.campaign.service import CampaignService
    from voicebot.cli.commands import Subcommands
    from voicebot.config import Config
    from voicebot.runtime import Runtime
    from voicebot.telephony.ami import AmiClient
    from voicebot.telephony.audiosocket_server import AudioSocketServer

_WARNING_BAR = "!" * 78


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "serve", help="run the voice bot service (HTTP API, websocket, widget, AudioSocket)",
        description="Run the service: websocket calls on /ws, the browser widget on /, call records on "
                    "/api/calls, /metrics for Prometheus, /healthz; and an Asterisk AudioSocket listener "
                    "with --audiosocket. API keys are required unless --insecure-no-auth.",
    )
    parser.add_argument("--host", metavar="H", default=None,
                        help="address to listen on (default: server.host, 127.0.0.1)")
    parser.add_argument("--port", metavar="P", type=int, default=None,
                        help="HTTP port (default: server.port, 8080; 0 picks a free port)")
    parser.add_argument("--audiosocket", metavar="[HOST:]PORT", default=None,
                        help="also accept Asterisk AudioSocket calls here (default: audiosocket.listen)")
    parser.add_argument("--audiosocket-dialogue", metavar="NAME", default=None,
                        help="dialogue for AudioSocket calls that do not name one "
                             "(default: audiosocket.default_dialogue)")
    parser.add_argument("--insecure-no-auth", action="store_true",
                        help="accept requests without an API key: local demos only")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="call records, recordings and keys (default: paths.data_dir, ./var)")
    parser.add_argument("--dialogues-dir", metavar="DIR", default=None,
                        help="dialogue files (default: paths.dialogues_dir, ./dialogues)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from voicebot.config import load_config
    from voicebot.logs import configure_logging
    from voicebot.runtime import Runtime

    config = load_config(args.config, overrides={
        "server.host": args.host,
        "server.port": args.port,
        "server.insecure_no_auth": True if args.insecure_no_auth else None,
        "paths.data_dir": args.data_dir,
        "paths.dialogues_dir": args.dialogues_dir,
        "audiosocket.listen": args.audiosocket,
        "audiosocket.default_dialogue": args.audiosocket_dialogue,
    })
    configure_logging("debug" if args.verbose else config.logging.level, json_lines=config.logging.json)
    runtime = Runtime.create(config)
    try:
        _warn_about_exposure(config.server.host, config.server.insecure_no_auth,
                             has_keys=runtime.keys.has_active_keys())
        asyncio.run(_serve(runtime))
    finally:
        # Idempotent; covers a failure before the loop's own close ran.
        asyncio.run(runtime.close())
    return 0


def _warn_about_exposure(host: str, insecure: bool, *, has_keys: bool) -> None:
    if insecure:
        exposed = "" if _is_loopback(host) else f" AND LISTENING ON {host}, REACHABLE FROM OTHER MACHINES"
        print(f"{_WARNING_BAR}\nWARNING: --insecure-no-auth: NO API KEY IS CHECKED{exposed}.\n"
              f"Anyone who can connect can place calls and read call records and recordings.\n"
              f"Use it only for a local demo.\n{_WARNING_BAR}", file=sys.stderr, flush=True)
    elif not has_keys:
        where = "" if _is_loopback(host) else f" while listening on {host}"
        print(f"voicebot: warning: no API keys exist{where}: every API request and call will be refused; "
              f"create one with 'voicebot keys create'", file=sys.stderr, flush=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _uvicorn_server_class() -> type[Any]:
    import uvicorn

    class _Server(uvicorn.Server):
        """uvicorn's server without its own signal handling: ours runs on the loop (see _serve)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return _Server


async def _serve(runtime: Runtime) -> None:
    import uvicorn

    from voicebot.web.app import create_app

    config = runtime.config
    loop = asyncio.get_running_loop()
    # Bind before the slow start (model loading), so a taken port fails at once.
    listener = _bind(config.server.host, config.server.port)
    app = create_app(runtime, manage_runtime=False)
    server = _uvicorn_server_class()(uvicorn.Config(
        app, host=config.server.host, port=config.server.port,
        log_config=None, lifespan="off", ws="websockets-sansio", server_header=False,
        timeout_graceful_shutdown=math.ceil(config.server.shutdown_timeout_s)))
    doors: list[_Telephony] = []  # other doors (AudioSocket), closed alongside the HTTP server
    closing: list[asyncio.Task[Any]] = []
    draining: list[asyncio.Task[None]] = []

    def on_stop() -> None:
        if draining:
            # Second signal: stop waiting for calls.
            for task in draining:
                task.cancel()
            server.should_exit = server.force_exit = True
            return
        print("voicebot: shutting down: no new calls; letting calls in progress end", file=sys.stderr,
              flush=True)
        draining.append(loop.create_task(drain()))

    async def drain() -> None:
        # Stop accepting first, then let admitted calls finish (up to the timeout) before uvicorn closes
        # the remaining websockets with 1012 and the sessions save what they have.
        for listening in server.servers:
            listening.close()
        for door in doors:
            door.stop_accepting()
        deadline = loop.time() + config.server.shutdown_timeout_s
        try:
            while runtime.admission.active_calls and loop.time() < deadline and server.started:
                await asyncio.sleep(0.1)
        finally:
            server.should_exit = True
            close_doors()

    def close_doors() -> None:
        if not closing:
            closing.extend(loop.create_task(door.close()) for door in doors)

    # Installed before the slow start so that a stop during model loading is clean too.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop)
    runtime.reload_on_signal()
    try:
        await runtime.start()
        if config.audiosocket.listen and not draining:
            telephony = await _start_audiosocket(runtime)
            doors.append(telephony)
            app.state.campaigns = _campaign_service(runtime, telephony)
        if not draining:
            serving = loop.create_task(server.serve(sockets=[listener]))
            while not server.started and not serving.done():
                await asyncio.sleep(0.05)
            if server.started:
                print(f"voicebot: serving on http://{_url_host(config.server.host)}:"
                      f"{listener.getsockname()[1]}/ (websocket /ws, API /api, metrics /metrics)", flush=True)
            await serving
    finally:
        listener.close()
        for task in draining:
            task.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        close_doors()
        await asyncio.gather(*closing)
        await runtime.close()


async def _start_audiosocket(runtime: Runtime) -> _Telephony:
    """The AudioSocket listener, with an AMI session when ``ami.username`` is configured."""
    from voicebot.config import parse_host_port

    config = runtime.config
    try:
        from voicebot.telephony.audiosocket_server import AudioSocketServer
    except ImportError as exc:
        raise ConfigError(f"the AudioSocket door is not available in this build ({exc})") from None
    ami = await _start_ami(config) if config.ami.username else None
    host, port = parse_host_port(config.audiosocket.listen or "", default_host="127.0.0.1")
    door = AudioSocketServer(runtime, host, port, config.audiosocket.default_dialogue, ami=ami)
    try:
        await door.start()
    except BaseException:
        if ami is not None:
            await ami.close()
        raise
    print(f"voicebot: AudioSocket calls on {_url_host(host)}:{door.port}", flush=True)
    return _Telephony(door, ami)


async def _start_ami(config: Config) -> AmiClient | None:
    from voicebot.errors import VoicebotError
    from voicebot.telephony.ami import AmiClient, AmiSettings

    client = AmiClient(AmiSettings(host=config.ami.host, port=config.ami.port,
                                   username=config.ami.username or "", secret=config.ami.secret or ""))
    try:
        await client.start()
    except (VoicebotError, OSError) as exc:
        # Phone calls still work without AMI; only transfers and channel-variable routing do not.
        print(f"voicebot: warning: AMI login to {config.ami.host}:{config.ami.port} failed ({exc}); "
              f"AudioSocket calls run without transfers or channel-variable routing", file=sys.stderr,
              flush=True)
        await client.close()
        return None
    return client


def _campaign_service(runtime: Runtime, telephony: _Telephony) -> CampaignService:
    """Campaigns created through the HTTP API dial through this process's AMI session, and their
    answered calls come back on its AudioSocket listener (the router links them by call UUID)."""
    from voicebot.campaign.dialer import AmiDialer, OutboundSettings
    from voicebot.campaign.service import CampaignService, open_campaign_store

    dialer = None
    if telephony.ami is not None:
        outbound = OutboundSettings(audiosocket=_advertised_audiosocket(runtime.config, telephony.door))
        dialer = AmiDialer(telephony.ami, telephony.door.router, outbound)
    return CampaignService(open_campaign_store(runtime.config), dialer=dialer,
                           find_record=runtime.store.get)


def _advertised_audiosocket(config: Config, door: AudioSocketServer) -> str:
    """Where Asterisk connects the campaign calls this worker dials: straight back to this listener."""
    if config.audiosocket.advertise:
        return str(config.audiosocket.advertise)
    host = door.host
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = "127.0.0.1"
    return f"{host}:{door.port}"


class _Telephony:
    """The AudioSocket door and its AMI session, stopped in that order."""

    def __init__(self, door: AudioSocketServer, ami: AmiClient | None) -> None:
        self.door, self.ami = door, ami

    def stop_accepting(self) -> None:
        self.door.stop_accepting()

    async def close(self) -> None:
        try:
            await self.door.close()
        finally:
            if self.ami is not None:
                await self.ami.close()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}; check --host") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}; is another server running? "
                          f"choose another --port") from None
    sock.setblocking(False)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
