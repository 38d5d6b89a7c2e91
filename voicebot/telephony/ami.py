"""Asyncio AMI client: login, actions, events, reconnect with backoff, originate / hang up / transfer.

A thin layer over :mod:`voicebot.telephony.ami_protocol` (wire format) and
:mod:`voicebot.telephony.channels` (call tracking). Why not panoramisk or asterisk-ami: see
docs/telephony.md. Unanswered actions are never replayed after a reconnect: replaying an
Originate would dial a customer twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from voicebot.errors import AuthError, ProtocolError
from voicebot.telephony.ami_protocol import (
    AmiBanner,
    AmiMessage,
    AmiProtocol,
    AmiViolation,
    FieldValue,
    encode_action,
)
from voicebot.telephony.channels import CALL_ID_VARIABLE, ChannelTracker, OriginateResult

log = logging.getLogger(__name__)

Listener = Callable[[AmiMessage], None]


@dataclass(frozen=True, slots=True)
class AmiSettings:
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "voicebot"
    secret: str = ""
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    action_timeout_s: float = 10.0

    def __repr__(self) -> str:  # the secret stays out of logs and tracebacks
        return f"AmiSettings(host={self.host!r}, port={self.port}, username={self.username!r}, secret=***)"


class _Backoff:
    """Endless doubling delays from ``min_s``, capped at ``max_s``."""

    def __init__(self, min_s: float, max_s: float) -> None:
        self._next_s = min_s
        self._max_s = max_s

    def __iter__(self) -> _Backoff:
        return self

    def __next__(self) -> float:
        delay, self._next_s = self._next_s, min(self._next_s * 2, self._max_s)
        return delay


class AmiClient:
    """One logical AMI session that outlives TCP connections.

    ``await start()`` connects and logs in (raising AuthError / ProtocolError when that first
    attempt fails); afterwards a dropped connection is re-established in the background.
    """

    def __init__(self, settings: AmiSettings) -> None:
        self.settings = settings
        self.tracker = ChannelTracker()
        self.connected = asyncio.Event()
        self._listeners: list[Listener] = []
        self._pending: dict[str, asyncio.Future[AmiMessage]] = {}
        self._originates: dict[str, asyncio.Future[OriginateResult]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._protocol = AmiProtocol()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._ids = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:8]
        self.connections = 0  # how many times a login succeeded (reconnects + 1)

    # ---- lifecycle ----

    async def start(self) -> None:
        reader, writer = await self._connect_and_login()
        del writer
        self._task = asyncio.create_task(self._run(reader))

    async def close(self) -> None:
        self._closing = True
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.write(encode_action("Logoff", self._next_id()))
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_connection()

    async def _connect_and_login(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        s = self.settings
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(s.host, s.port),
                                                    s.action_timeout_s)
        except (OSError, TimeoutError) as exc:
            raise ProtocolError(f"cannot reach Asterisk AMI at {s.host}:{s.port} ({exc}); check that "
                                "Asterisk runs and manager.conf enables the manager") from exc
        protocol = AmiProtocol()
        self._writer = writer
        login_id = self._next_id()
        writer.write(encode_action("Login", login_id, {"Username": s.username, "Secret": s.secret,
                                                       "Events": "on"}))
        try:
            response = await asyncio.wait_for(self._read_until(reader, protocol, login_id),
                                              s.action_timeout_s)
        except (OSError, TimeoutError, ProtocolError) as exc:
            writer.close()
            self._writer = None
            raise ProtocolError(f"AMI login to {s.host}:{s.port} failed: {exc}") from exc
        if (response.response or "").lower() != "success":
            writer.close()
            self._writer = None
            raise AuthError(f"AMI refused user {s.username!r}: {response.get('Message')}; check "
                            "ami.username and VOICEBOT_AMI__SECRET against manager.conf")
        self._protocol = protocol
        self.connections += 1
        self.connected.set()
        log.info("AMI logged in to %s:%s (Asterisk Call Manager %s)", s.host, s.port, protocol.version)
        return reader, writer

    async def _read_until(self, reader: asyncio.StreamReader, protocol: AmiProtocol,
                          action_id: str) -> AmiMessage:
        while True:
            data = await reader.read(65536)
            if not data:
                raise ProtocolError("connection closed")
            protocol.receive_data(data)
            for event in protocol.events_received():
                if isinstance(event, AmiViolation):
                    raise ProtocolError(event.reason)
                if isinstance(event, AmiMessage):
                    if event.action_id == action_id and event.response is not None:
                        return event
                    self._dispatch(event)

    async def _run(self, reader: asyncio.StreamReader) -> None:
        while not self._closing:
            resync = asyncio.create_task(self._resync()) if self.connections > 1 else None
            try:
                await self._read_loop(reader)
            except (OSError, ProtocolError) as exc:
                log.warning("AMI connection lost: %s", exc)
            if resync is not None:
                resync.cancel()
            await self._drop_connection()
            if self._closing:
                return
            reader, _ = await self._reconnect()

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                raise ProtocolError("Asterisk closed the AMI connection")
            self._protocol.receive_data(data)
            for event in self._protocol.events_received():
                if isinstance(event, AmiViolation):
                    raise ProtocolError(event.reason)
                if isinstance(event, AmiBanner):
                    continue
                self._dispatch(event)

    async def _reconnect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        for delay_s in _Backoff(self.settings.reconnect_min_s, self.settings.reconnect_max_s):
            await asyncio.sleep(delay_s)
            try:
                return await self._connect_and_login()
            except (ProtocolError, AuthError) as exc:
                log.warning("AMI reconnect failed, retrying in up to %.1f s: %s",
                            self.settings.reconnect_max_s, exc)
        raise AssertionError("unreachable")  # _Backoff never ends

    async def _drop_connection(self) -> None:
        self.connected.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        # Actions in flight have an unknown fate: fail them, never resend.
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ProtocolError("AMI connection lost before Asterisk answered"))
        self._pending.clear()

    async def _resync(self) -> None:
        """After a reconnect, forget channels that ended while we were away."""
        action_id = self._next_id()
        alive: list[str] = []
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def collect(message: AmiMessage) -> None:
            if message.action_id != action_id:
                return
            if message.event == "CoreShowChannel":
                alive.append(message.get("Uniqueid") or "")
            elif message.event == "CoreShowChannelsComplete" and not done.done():
                done.set_result(None)

        unsubscribe = self.subscribe(collect)
        try:
            await self.action("CoreShowChannels", action_id=action_id)
            await asyncio.wait_for(done, self.settings.action_timeout_s)
            gone = self.tracker.resync(alive)
            if gone:
                log.info("AMI resync: %d call(s) ended while disconnected", len(gone))
        except (ProtocolError, TimeoutError) as exc:
            log.warning("AMI resync failed: %s", exc)
        finally:
            unsubscribe()

    # ---- messages ----

    def _next_id(self) -> str:
        return f"vb-{self._prefix}-{next(self._ids)}"

    def _dispatch(self, message: AmiMessage) -> None:
        action_id = message.action_id
        if message.response is not None and action_id in self._pending:
            future = self._pending.pop(action_id)
            if not future.done():
                future.set_result(message)
            return
        if message.event is None:
            return
        result = self.tracker.handle(message)
        if result is not None:
            waiter = self._originates.pop(result.action_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(result)
        for listener in list(self._listeners):
            listener(message)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every event; returns the function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def action(self, name: str, fields: Mapping[str, FieldValue] | None = None, *,
                     action_id: str | None = None) -> AmiMessage:
        """Send one action and return its response; an ``Error`` response raises ProtocolError."""
        writer = self._writer
        if writer is None or not self.connected.is_set():
            raise ProtocolError(f"AMI is not connected; {name} was not sent")
        action_id = action_id or self._next_id()
        future: asyncio.Future[AmiMessage] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = future
        writer.write(encode_action(name, action_id, fields))
        try:
            response = await asyncio.wait_for(future, self.settings.action_timeout_s)
        finally:
            self._pending.pop(action_id, None)
        if (response.response or "").lower() == "error":
            raise ProtocolError(f"Asterisk refused {name}: {response.get('Message')}")
        return response

    # ---- call control ----

    async def originate(self, *, channel: str, context: str, exten: str, call_id: str,
                        variables: Mapping[str, str] | None = None, ring_timeout_s: float = 30.0,
                        caller_id: str | None = None) -> OriginateResult:
        """Dial ``channel``; when answered, it continues in ``context``/``exten`` (AudioSocket).

        Waits for Asterisk's ``OriginateResponse``. ``call_id`` travels as VOICEBOT_CALL_ID so the
        AudioSocket stream that follows carries it as its UUID.
        """
        action_id = self._next_id()
        all_vars = {CALL_ID_VARIABLE: call_id, **(variables or {})}
        fields: dict[str, FieldValue] = {
            "Channel": channel, "Context": context, "Exten": exten, "Priority": "1",
            "Timeout": str(int(ring_timeout_s * 1000)), "Async": "true",
            "Variable": [f"{k}={v}" for k, v in all_vars.items()],
        }
        if caller_id:
            fields["CallerID"] = caller_id
        waiter: asyncio.Future[OriginateResult] = asyncio.get_running_loop().create_future()
        self._originates[action_id] = waiter
        self.tracker.originating(action_id, call_id)
        try:
            await self.action("Originate", fields, action_id=action_id)
            # Asterisk answers the originate after ringing ends; allow the ring time and a margin.
            return await asyncio.wait_for(asyncio.shield(waiter), ring_timeout_s + 15.0)
        finally:
            self._originates.pop(action_id, None)
            self.tracker.originate_done(action_id)

    async def hangup(self, call_id: str, cause: int = 16) -> bool:
        """Hang up the channel of ``call_id``; False when no such call is known."""
        info = self.tracker.channel_for_call(call_id)
        if info is None:
            return False
        await self.action("Hangup", {"Channel": info.channel, "Cause": str(cause)})
        return True

    async def transfer(self, call_id: str, *, context: str, exten: str) -> None:
        """Redirect the caller's channel out of AudioSocket to a dialplan extension or queue."""
        info = self.tracker.channel_for_call(call_id)
        if info is None:
            raise ProtocolError(f"no Asterisk channel is known for call {call_id}; the dialplan must set "
                                f"{CALL_ID_VARIABLE} before AudioSocket() for transfers to work")
        await self.action("Redirect", {"Channel": info.channel, "Context": context, "Exten": exten,
                                       "Priority": "1"})

    def channel_variables(self, call_id: str) -> dict[str, str] | None:
        info = self.tracker.channel_for_call(call_id)
        return dict(info.variables) if info is not None else None
