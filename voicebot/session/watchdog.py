"""The guard: the last line of defence for a call stuck where the main loop's watchdog cannot look."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from typing import Any

from voicebot.session.context import CallContext
from voicebot.session.ending import EndReason

log = logging.getLogger(__name__)

# The guard looks this often, and acts this long after the watchdog should have.
GUARD_CHECK_S = 1.0
GUARD_GRACE_S = 15.0
GUARD_MAX_DURATION_GRACE_S = 60.0  # the bot may be finishing a long sentence


async def guard(ctx: CallContext, run_task: asyncio.Task[Any], playing_until_s: Callable[[], float]) -> None:
    """Cancels ``run_task`` when the call is stuck on an await that never returns (in a door or an
    engine), so it still ends with a saved record; logs where it was stuck."""
    while True:
        await asyncio.sleep(GUARD_CHECK_S)
        if ctx.deadlines.guard_due(playing_until_s(), ctx.clock(), grace_s=GUARD_GRACE_S,
                                   max_duration_grace_s=GUARD_MAX_DURATION_GRACE_S):
            break
    ctx.guard_fired = True
    stack = io.StringIO()
    run_task.print_stack(file=stack)
    log.error("call %s: stuck outside the watchdog's reach; cancelling it. It was waiting in:\n%s",
              ctx.call_id, stack.getvalue())
    if ctx.metrics is not None:
        ctx.metrics.watchdog(EndReason.STUCK)
    run_task.cancel()
