"""Supervising one call at a door: the session's run and the door's reader, started and ended together.

Every door (websocket, AudioSocket, file) runs its call through :func:`supervise`: whichever of the two
ends first, the call ends and its record is saved; a reader that dies hangs the call up; a shutdown
hangs it up and waits (shielded) for the record, a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from voicebot.record import CallRecord
from voicebot.session.call import CallSession
from voicebot.session.ending import EndReason

log = logging.getLogger(__name__)

# A server shutting down waits this long for a call it hung up to save its record.
SHUTDOWN_WAIT_S = 10.0


async def supervise(session: CallSession, reader: Coroutine[Any, Any, None]) -> CallRecord | None:
    """Runs the call and ``reader`` (the door's input loop) until the call ends; its record, or None
    when a shutdown cut the wait for it short."""
    call = asyncio.create_task(session.run(), name=f"call-{session.call_id}")
    read = asyncio.create_task(reader, name=f"read-{session.call_id}")
    record: CallRecord | None = None
    try:
        await asyncio.wait({call, read}, return_when=asyncio.FIRST_COMPLETED)
        if read.done() and not read.cancelled() and read.exception() is not None:
            # A reader that died unexpectedly told the session nothing; without this the call would
            # wait for a caller nobody listens to any more, and hold up the server's shutdown.
            log.error("call %s: the door's reader failed", session.call_id, exc_info=read.exception())
            session.hangup(EndReason.NETWORK_LOST)
        # The reader ended first: the caller is gone or broke the protocol; the session has been
        # told to hang up and saves its record.
        record = await call
    finally:
        if not call.done():
            session.hangup(EndReason.SERVER_SHUTDOWN)
            with contextlib.suppress(BaseException):
                record = await asyncio.wait_for(asyncio.shield(call), timeout=SHUTDOWN_WAIT_S)
        read.cancel()
        with contextlib.suppress(BaseException):
            await read
    return record
