"""The AudioSocket door: Asterisk connects, a ``CallSession`` runs the call.

Glue only: :mod:`voicebot.telephony.audiosocket` parses and frames, :mod:`voicebot.session.call`
runs the call, :mod:`voicebot.telephony.routing` picks the dialogue. What Asterisk needs from us
(docs/telephony.md): a 20 ms frame every 20 ms for the whole call, silence when the bot is quiet
(``AudioSocket()`` hangs up after 2 s without audio), and no message kinds but audio and hang-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from voicebot.audio.pcm import int16_to_pcm_bytes, pcm_bytes_to_int16
from voicebot.audio.resample import resample
from voicebot.dialogue.model import Dialogue
from voicebot.errors import VoicebotError
from voicebot.record import CallRecord
from voicebot.runtime import Runtime
from voicebot.session.call import CallSession
from voicebot.session.ending import EndReason
from voicebot.session.output import OutputEvent
from voicebot.session.settings import SessionSettings
from voicebot.telephony.ami import AmiClient
from voicebot.telephony.audiosocket import (
    FRAME_MS,
    AudioReceived,
    AudioSocketProtocol,
    CallUuid,
    DtmfReceived,
    ErrorReceived,
    Event,
    HangupReceived,
    ProtocolViolation,
    SlinTable,
    frame_bytes,
)
from voicebot.telephony.routing import CallRoute, CallRouter, parse_transfer_target
from voicebot.transport.pacer import Pacer
from voicebot.transport.supervisor import supervise

log = logging.getLogger(__name__)

# Redirects the caller's channel to ``exten`` in ``context`` (the AMI client's ``transfer``).
TransferHandler = Callable[..., Awaitable[None]]

UUID_TIMEOUT_S = 5.0
DEFAULT_RATE_HZ = 8000  # what AudioSocket() sends unless the channel says otherwise
READ_BYTES = 65536


class AudioSocketOutput:
    """Implements the session's ``SessionOutput`` for one AudioSocket connection.

    A pacer task writes one frame every 20 ms of wall-clock time: queued bot audio, else silence (also
    while the session holds the bot's audio back).
    """

    def __init__(self, writer: asyncio.StreamWriter, protocol: AudioSocketProtocol, sample_rate_hz: int, *,
                 call_id: str, transfer_handler: TransferHandler | None = None,
                 close_timeout_s: float = 30.0) -> None:
        self._writer = writer
        self._protocol = protocol
        self.sample_rate_hz = sample_rate_hz
        self.call_id = call_id
        self._transfer_handler = transfer_handler
        self._close_timeout_s = close_timeout_s
        self._frame_bytes = frame_bytes(sample_rate_hz)
        self._silence = bytes(self._frame_bytes)
        self._queue = bytearray()
        self._held = False  # hold(): silence goes out, the bot's audio waits
        self._drained = asyncio.Event()
        self._drained.set()
        self.transferred = False
        self.closed = False
        self._peer_gone = False
        self.frames_sent = 0
        self.bot_frames_sent = 0
        self._pacer = asyncio.create_task(self._pace(), name=f"audiosocket-pacer-{call_id}")

    # ---- SessionOutput ----

    async def send_audio(self, pcm: bytes) -> None:
        if self.closed:
            return
        self._queue += pcm
        self._drained.clear()

    async def clear(self) -> None:
        self._queue.clear()
        self._held = False
        self._drained.set()

    async def hold(self, held: bool) -> None:
        # The line plays what it gets: the bot's voice stops at once (silence goes out instead) and, after
        # a blip, goes on where it stopped. bench/barge_in.py's phone band: no sound but speech is held.
        self._held = held

    def peer_gone(self) -> None:
        """Asterisk closed the connection: stop pacing, nothing queued will be heard."""
        self._peer_gone = True
        self._queue.clear()
        self._drained.set()

    async def send_event(self, event: OutputEvent) -> None:
        del event  # AudioSocket carries audio and hang-up only

    async def transfer(self, target: str | None, reason: str) -> None:
        context, exten = parse_transfer_target(target)
        if self._transfer_handler is None:
            log.warning("call %s: transfer to %s@%s asked (%s) but AMI is not configured; set ami.username "
                        "and VOICEBOT_AMI__SECRET", self.call_id, exten, context, reason)
            return
        try:
            await self._transfer_handler(self.call_id, context=context, exten=exten)
            self.transferred = True
            log.info("call %s: transferred to %s@%s (%s)", self.call_id, exten, context, reason)
        except VoicebotError as exc:
            log.warning("call %s: transfer to %s@%s failed: %s", self.call_id, exten, context, exc)

    async def close(self, record: CallRecord) -> None:
        """Let queued audio play out, then hang up (unless the call was handed to a person)."""
        del record
        if self.closed:
            return
        self._held = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), self._close_timeout_s)
        await self.shutdown(hang_up=not self.transferred)

    async def shutdown(self, *, hang_up: bool) -> None:
        if self.closed:
            return
        self.closed = True
        self._pacer.cancel()
        with contextlib.suppress(BaseException):
            await self._pacer
        if hang_up and not self._peer_gone:
            self._protocol.send_hangup()
        with contextlib.suppress(OSError, RuntimeError):
            self._writer.write(self._protocol.data_to_send())
            await self._writer.drain()
        if self.transferred:
            # Asterisk closes the socket when the redirected channel leaves AudioSocket().
            await asyncio.sleep(0)
        self._writer.close()
        with contextlib.suppress(OSError, RuntimeError):
            await self._writer.wait_closed()

    # ---- pacing ----

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        # One frame per 20 ms, silence when the bot is quiet; after a stall it catches up 5 frames at most.
        pacer = Pacer(self.sample_rate_hz * 2, max_lag_s=5 * FRAME_MS / 1000.0, play_s=loop.time())
        try:
            while not self._peer_gone:
                await asyncio.sleep(pacer.schedule(loop.time(), self._frame_bytes))
                if self._peer_gone:
                    break
                if self._queue and not self._held:
                    frame = bytes(self._queue[:self._frame_bytes]).ljust(self._frame_bytes, b"\x00")
                    del self._queue[:self._frame_bytes]
                    self.bot_frames_sent += 1
                    if not self._queue:
                        self._drained.set()
                else:
                    frame = self._silence
                self._protocol.send_audio(frame, self.sample_rate_hz)
                self._writer.write(self._protocol.data_to_send())
                self.frames_sent += 1
                await self._writer.drain()
        except (OSError, RuntimeError):
            self._queue.clear()  # Asterisk is gone; the reader tells the session
            self._drained.set()


class AudioSocketServer:
    """TCP listener for Asterisk ``AudioSocket``; one :class:`CallSession` per connection.

    Args:
        runtime: the service runtime (``dialogues``, ``store``, ``admit_call``).
        default_dialogue: the dialogue of calls that no campaign or channel variable routes.
        router: shared with campaign dialers in the same process; made here when not given.
        ami: when given, channel variables route calls and transfers redirect the channel.
        table: the audio kinds of the Asterisk version (docs/telephony.md).
    """

    def __init__(self, runtime: Runtime, host: str = "127.0.0.1", port: int = 9092,
                 default_dialogue: str | None = None, *, router: CallRouter | None = None,
                 ami: AmiClient | None = None, table: SlinTable = SlinTable.ASTERISK_22_10,
                 session_settings: SessionSettings | None = None,
                 first_audio_wait_ms: int = 300) -> None:
        self.runtime = runtime
        self.host = host
        self.port = port
        self.ami = ami
        self.router = router or CallRouter(
            default_dialogue, channel_variables=ami.channel_variables if ami is not None else None)
        if router is not None and default_dialogue is not None:
            router.default_dialogue = default_dialogue
        self.table = table
        self.session_settings = session_settings
        self.first_audio_wait_ms = first_audio_wait_ms
        self._server: asyncio.Server | None = None
        self._calls: dict[str, CallSession] = {}
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)
        except OSError as exc:
            raise VoicebotError(f"cannot listen for AudioSocket on {self.host}:{self.port}: {exc}; "
                                "pick another port with --audiosocket") from exc
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("AudioSocket listening on %s:%d", self.host, self.port)

    def stop_accepting(self) -> None:
        """Refuse new calls (server draining); calls in progress go on."""
        if self._server is not None:
            self._server.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self._calls.values()):
            session.hangup(EndReason.SERVER_SHUTDOWN)
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=15.0)
        for task in self._handlers:
            task.cancel()
        if self._server is not None:
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except Exception:
            log.exception("AudioSocket connection failed")
        finally:
            if task is not None:
                self._handlers.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        protocol = AudioSocketProtocol(self.table)
        early: list[Event] = []
        call_id = await self._read_uuid(reader, protocol, early)
        if call_id is None:
            return
        try:
            route = await self.router.route(call_id)
            dialogue = self.runtime.dialogues.get(route.dialogue)
        except VoicebotError as exc:
            log.error("AudioSocket call %s refused: %s", call_id, exc)
            await _hang_up(writer, protocol)
            return
        # Learn the call's rate from its first audio; keep Asterisk fed with silence meanwhile.
        rate_hz = await self._first_rate(reader, writer, protocol, early)
        try:
            async with self.runtime.admit_call(None, route.dialogue, trusted=True):
                await self._run_call(reader, writer, protocol, early, call_id, route, dialogue, rate_hz)
        except VoicebotError as exc:  # admission refused: too many calls
            log.warning("AudioSocket call %s refused: %s", call_id, exc)
            await _hang_up(writer, protocol)

    async def _read_uuid(self, reader: asyncio.StreamReader, protocol: AudioSocketProtocol,
                         early: list[Event]) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + UUID_TIMEOUT_S
        while True:
            try:
                data = await asyncio.wait_for(reader.read(READ_BYTES), max(0.0, deadline - loop.time()))
            except (TimeoutError, OSError):
                log.warning("AudioSocket peer sent no UUID within %.0f s; closing", UUID_TIMEOUT_S)
                return None
            if not data:
                return None
            protocol.receive_data(data)
            for event in protocol.events_received():
                if isinstance(event, ProtocolViolation):
                    log.warning("AudioSocket peer broke the protocol before the UUID: %s", event.reason)
                    return None
                if isinstance(event, CallUuid):
                    return event.call_id
                early.append(event)

    async def _first_rate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                          protocol: AudioSocketProtocol, early: list[Event]) -> int:
        """The rate of the first audio, else 8 kHz. A caller already gone still gets a record."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.first_audio_wait_ms / 1000.0
        while protocol.sample_rate_hz is None:
            if any(isinstance(e, HangupReceived | ProtocolViolation) for e in early):
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                data = await asyncio.wait_for(reader.read(READ_BYTES), min(remaining, FRAME_MS / 1000.0))
            except TimeoutError:
                data = None
            except OSError:
                break
            if data == b"":
                early.append(HangupReceived())  # closed: the caller hung up
                break
            if data:
                protocol.receive_data(data)
                early.extend(protocol.events_received())
            protocol.send_audio(bytes(frame_bytes(DEFAULT_RATE_HZ)), DEFAULT_RATE_HZ)
            writer.write(protocol.data_to_send())
        return protocol.sample_rate_hz or DEFAULT_RATE_HZ

    async def _run_call(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        protocol: AudioSocketProtocol, early: list[Event], call_id: str, route: CallRoute,
                        dialogue: Dialogue, rate_hz: int) -> None:
        transfer = self.ami.transfer if self.ami is not None else None
        output = AudioSocketOutput(writer, protocol, rate_hz, call_id=call_id, transfer_handler=transfer,
                                   close_timeout_s=self.runtime.config.session.close_timeout_s)
        # Nobody sees partial transcripts on a phone line: no decodes for them while the caller talks.
        settings = self.session_settings or SessionSettings.from_config(self.runtime.config,
                                                                        partial_interval_ms=0)
        session = CallSession(self.runtime, dialogue=dialogue, variables=route.variables,
                              sample_rate_hz=rate_hz, output=output, door="audiosocket", call_id=call_id,
                              settings=settings)
        self._calls[call_id] = session
        self.router.call_started(call_id)
        log.info("AudioSocket call %s: dialogue %s (%s), %d Hz", call_id, route.dialogue, route.source,
                 rate_hz)
        feeder = _Feeder(session, output, rate_hz)
        for event in early:
            feeder.feed(event)
        record: CallRecord | None = None
        try:
            record = await supervise(session, self._read(reader, protocol, feeder))
        finally:
            await output.shutdown(hang_up=not output.transferred and not feeder.gone)
            self._calls.pop(call_id, None)
            if record is not None:
                self.router.call_finished(call_id, record)

    @staticmethod
    async def _read(reader: asyncio.StreamReader, protocol: AudioSocketProtocol, feeder: _Feeder) -> None:
        while not feeder.gone:
            try:
                data = await reader.read(READ_BYTES)
            except OSError:
                feeder.hang_up(EndReason.NETWORK_LOST)
                return
            if not data:
                # Asterisk signals the caller's hang-up by closing the socket.
                feeder.hang_up(EndReason.CALLER_HANGUP)
                return
            protocol.receive_data(data)
            for event in protocol.events_received():
                feeder.feed(event)


class _Feeder:
    """Turns codec events into session input, resampling audio that arrives at another rate."""

    def __init__(self, session: CallSession, output: AudioSocketOutput, rate_hz: int) -> None:
        self.session = session
        self.output = output
        self.rate_hz = rate_hz
        self.gone = False

    def feed(self, event: Event) -> None:
        if self.gone:
            return
        if isinstance(event, AudioReceived):
            pcm = event.pcm
            if event.sample_rate_hz != self.rate_hz:
                samples = resample(pcm_bytes_to_int16(pcm), event.sample_rate_hz, self.rate_hz)
                pcm = int16_to_pcm_bytes(samples)
            self.session.push_audio(pcm)
        elif isinstance(event, DtmfReceived):
            self.session.push_dtmf(event.digit)
        elif isinstance(event, HangupReceived):
            self.hang_up(EndReason.CALLER_HANGUP)
        elif isinstance(event, ErrorReceived):
            self.hang_up(EndReason.ASTERISK_ERROR, str(event.code))
        elif isinstance(event, ProtocolViolation):
            log.warning("call %s: AudioSocket protocol violation: %s", self.session.call_id, event.reason)
            self.hang_up(EndReason.PROTOCOL_ERROR)

    def hang_up(self, reason: EndReason, detail: str | None = None) -> None:
        if not self.gone:
            self.gone = True
            self.output.peer_gone()
            self.session.hangup(reason, detail)


async def _hang_up(writer: asyncio.StreamWriter, protocol: AudioSocketProtocol) -> None:
    protocol.send_hangup()
    with contextlib.suppress(OSError, RuntimeError):
        writer.write(protocol.data_to_send())
        await writer.drain()

