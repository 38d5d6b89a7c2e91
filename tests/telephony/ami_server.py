"""A loopback server that speaks the AMI wire protocol like Asterisk does, for tests.

It logs clients in, answers actions, and plays out originates as Asterisk would (Newchannel, VarSet,
Newstate, OriginateResponse, Hangup), each number's fate chosen by ``outcome_for(phone)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from voicebot.telephony.ami_protocol import AmiMessage, AmiProtocol, encode_message

# outcome -> (OriginateResponse Response, Reason)
OUTCOMES = {"answer": ("Success", "4"), "busy": ("Failure", "5"), "no_answer": ("Failure", "3"),
            "reject": ("Failure", "1"), "fail": ("Failure", "0"), "pjsip_busy": ("Failure", "0")}
# Outcomes whose channel is hung up before the OriginateResponse, with this Q.850 cause: what a real
# Asterisk 22 does when a PJSIP phone answers "486 Busy Here" (HangupRequest Cause 17, then
# OriginateResponse Reason 0, then Hangup), seen with tests/asterisk.
EARLY_HANGUP_CAUSES = {"pjsip_busy": "17"}

AnswerHook = Callable[[str, dict[str, str]], Awaitable[None]]


@dataclass
class Originate:
    phone: str
    call_id: str
    variables: dict[str, str]
    outcome: str


@dataclass
class LiveChannel:
    unique_id: str
    channel: str
    variables: dict[str, str] = field(default_factory=dict)


class LoopbackAmi:
    def __init__(self, *, username: str = "voicebot", secret: str = "s3cret",
                 outcome_for: Callable[[str], str] = lambda phone: "answer",
                 on_answer: AnswerHook | None = None, ring_s: float = 0.01) -> None:
        self.username = username
        self.secret = secret
        self.outcome_for = outcome_for
        self.on_answer = on_answer
        self.ring_s = ring_s  # how long a number rings before its fate is known
        self.actions: list[AmiMessage] = []
        self.originates: list[Originate] = []
        self.channels: dict[str, LiveChannel] = {}
        self.logins = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._uids = itertools.count(1000)
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
        await self.drop_connections()
        if self._server is not None:
            await self._server.wait_closed()
        await asyncio.sleep(0)  # let the connection handlers run their finally blocks

    async def drop_connections(self) -> None:
        """Cut every client off abruptly, as a restarting Asterisk would."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await asyncio.sleep(0)

    def inbound_channel(self, channel: str, variables: dict[str, str]) -> LiveChannel:
        """A caller's channel runs the dialplan's Set() steps, as Asterisk reports them."""
        uid = f"1700000000.{next(self._uids)}"
        live = self.channels[uid] = LiveChannel(uid, channel, dict(variables))
        self.emit([("Event", "Newchannel"), ("Channel", channel), ("ChannelStateDesc", "Up"),
                   ("Uniqueid", uid)])
        for name, value in variables.items():
            self.emit([("Event", "VarSet"), ("Channel", channel), ("Uniqueid", uid),
                       ("Variable", name), ("Value", value)])
        return live

    def hang_up_silently(self, unique_id: str) -> None:
        """The channel ends while no client listens (for resync tests)."""
        self.channels.pop(unique_id, None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        protocol = AmiProtocol(expect_banner=False)
        logged_in = False
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                protocol.receive_data(data)
                for message in protocol.events_received():
                    if not isinstance(message, AmiMessage):
                        return
                    self.actions.append(message)
                    if (message.get("Action") or "").lower() == "login":
                        logged_in = self._login(message, writer)
                        if not logged_in:
                            writer.close()
                            return
                    elif not logged_in:
                        self._reply(writer, message, "Error", "Permission denied")
                    else:
                        self._handle(message, writer)
        except ConnectionError:
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    def _login(self, message: AmiMessage, writer: asyncio.StreamWriter) -> bool:
        if message.get("Username") != self.username or message.get("Secret") != self.secret:
            self._reply(writer, message, "Error", "Authentication failed")
            return False
        self.logins += 1
        self._reply(writer, message, "Success", "Authentication accepted")
        self._writers.add(writer)
        writer.write(encode_message([("Event", "FullyBooted"), ("Privilege", "system,all"),
                                     ("Status", "Fully Booted")]))
        return True

    @staticmethod
    def _reply(writer: asyncio.StreamWriter, message: AmiMessage, response: str, text: str,
               extra: list[tuple[str, str]] | None = None) -> None:
        fields = [("Response", response), ("ActionID", message.action_id or ""), ("Message", text)]
        writer.write(encode_message(fields + (extra or [])))

    def emit(self, fields: list[tuple[str, str]]) -> None:
        data = encode_message(fields)
        for writer in list(self._writers):
            writer.write(data)

    def _handle(self, message: AmiMessage, writer: asyncio.StreamWriter) -> None:
        action = (message.get("Action") or "").lower()
        if action == "ping":
            self._reply(writer, message, "Success", "Pong")
        elif action == "originate":
            self._reply(writer, message, "Success", "Originate successfully queued")
            self._spawn(self._originate(message))
        elif action == "hangup":
            channel = message.get("Channel")
            live = next((c for c in self.channels.values() if c.channel == channel), None)
            if live is None:
                self._reply(writer, message, "Error", "No such channel")
                return
            self._reply(writer, message, "Success", "Channel Hungup")
            self._end(live, "16")
        elif action == "redirect":
            channel = message.get("Channel")
            if not any(c.channel == channel for c in self.channels.values()):
                self._reply(writer, message, "Error", "Channel does not exist")
                return
            self._reply(writer, message, "Success", "Redirect successful")
        elif action == "coreshowchannels":
            action_id = message.action_id or ""
            self._reply(writer, message, "Success", "Channels will follow", [("EventList", "start")])
            for live in self.channels.values():
                writer.write(encode_message([("Event", "CoreShowChannel"), ("ActionID", action_id),
                                             ("Channel", live.channel), ("Uniqueid", live.unique_id)]))
            writer.write(encode_message([("Event", "CoreShowChannelsComplete"), ("ActionID", action_id),
                                         ("EventList", "Complete"),
                                         ("ListItems", str(len(self.channels)))]))
        elif action == "logoff":
            self._reply(writer, message, "Goodbye", "Thanks for all the fish.")
        else:
            self._reply(writer, message, "Error", "Invalid/unknown command")

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _originate(self, message: AmiMessage) -> None:
        dialled = message.get("Channel") or ""
        match = re.search(r"/([^@/]+)", dialled)
        phone = match.group(1) if match else dialled
        variables = dict(v.split("=", 1) for v in message.get_all("Variable"))
        outcome = self.outcome_for(phone)
        self.originates.append(Originate(phone, variables.get("VOICEBOT_CALL_ID", ""), variables, outcome))
        uid = f"1700000000.{next(self._uids)}"
        live = LiveChannel(uid, f"{dialled.split('@')[0]}-{uid[-4:]}", variables)
        self.channels[uid] = live
        self.emit([("Event", "Newchannel"), ("Channel", live.channel), ("ChannelStateDesc", "Down"),
                   ("Uniqueid", uid)])
        for name, value in variables.items():
            self.emit([("Event", "VarSet"), ("Channel", live.channel), ("Uniqueid", uid),
                       ("Variable", name), ("Value", value)])
        await asyncio.sleep(self.ring_s)
        response, reason = OUTCOMES[outcome]
        early = EARLY_HANGUP_CAUSES.get(outcome)
        if early is not None:
            self.emit([("Event", "HangupRequest"), ("Channel", live.channel), ("Uniqueid", uid),
                       ("Cause", early)])
        if outcome == "answer":
            self.emit([("Event", "Newstate"), ("Channel", live.channel), ("ChannelStateDesc", "Up"),
                       ("Uniqueid", uid)])
        self.emit([("Event", "OriginateResponse"), ("ActionID", message.action_id or ""),
                   ("Response", response), ("Channel", live.channel), ("Reason", reason),
                   ("Uniqueid", uid)])
        if outcome == "answer" and self.on_answer is not None:
            await self.on_answer(variables.get("VOICEBOT_CALL_ID", ""), variables)
        if outcome != "answer" or self.on_answer is not None:
            self._end(live, "16" if outcome == "answer" else early or "17")

    def _end(self, live: LiveChannel, cause: str) -> None:
        if self.channels.pop(live.unique_id, None) is not None:
            self.emit([("Event", "Hangup"), ("Channel", live.channel), ("Uniqueid", live.unique_id),
                       ("Cause", cause)])


@contextlib.asynccontextmanager
async def running(server: LoopbackAmi):  # type: ignore[no-untyped-def]
    await server.start()
    try:
        yield server
    finally:
        await server.close()
