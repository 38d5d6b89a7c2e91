"""A key's max_concurrent_calls counted across workers in PostgreSQL: each Admission below is one worker
(its own call store, heartbeat and connection), all on one real PostgreSQL server."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import pytest

from voicebot.admission import Admission
from voicebot.errors import TooManyCallsError
from voicebot.store.postgres import PostgresCallStore, PostgresKeyStore, WorkerId
from voicebot.store.slots import PostgresCallSlots


class Worker:
    def __init__(self, url: str, worker_id: WorkerId | None = None, lease_s: float = 30.0) -> None:
        self.calls = PostgresCallStore(url, worker_id=worker_id, lease_s=lease_s, sweep_interval_s=None)
        self.keys = PostgresKeyStore(url)
        self.slots = PostgresCallSlots(url, self.calls.worker)
        self.admission = Admission(self.keys, insecure_no_auth=False, max_concurrent_calls=10,
                                   shared_limits=self.slots)

    def close(self) -> None:
        self.slots.close()
        self.keys.close()
        self.calls.close()


async def test_a_key_limited_to_two_calls_gets_its_third_refused_on_any_worker(pg_url: str) -> None:
    workers = [Worker(pg_url, WorkerId(f"host-{i}", 100 + i, "1", "ns")) for i in range(3)]
    _, token = workers[0].keys.create("shop", max_concurrent_calls=2)
    _, other_token = workers[0].keys.create("other", max_concurrent_calls=1)
    try:
        async with AsyncExitStack() as calls:
            await calls.enter_async_context(workers[0].admission.admit(token, "pizza_order"))
            await calls.enter_async_context(workers[1].admission.admit(token, "pizza_order"))
            for worker in workers:  # each process holds at most one call of the key: only the total refuses
                with pytest.raises(TooManyCallsError, match="across all workers"):
                    async with worker.admission.admit(token, "pizza_order"):
                        pass
            # Another key is counted on its own.
            async with workers[2].admission.admit(other_token, "pizza_order"):
                pass
        # Both calls ended: their slots are free again, on any worker.
        async with AsyncExitStack() as calls:
            await calls.enter_async_context(workers[2].admission.admit(token, "pizza_order"))
            await calls.enter_async_context(workers[2].admission.admit(token, "pizza_order"))
            assert workers[0].slots.live(workers[0].keys.authenticate(token).key_id) == 2
    finally:
        for worker in workers:
            worker.close()


async def test_calls_of_a_dead_worker_stop_counting(pg_url: str) -> None:
    alive = Worker(pg_url)
    _, token = alive.keys.create("shop", max_concurrent_calls=1)
    # A worker on another machine stops heartbeating with a call held (it died): counted until its
    # lease runs out, then not.
    remote = Worker(pg_url, WorkerId("gone-host", 7, "7", "k"), lease_s=0.5)
    held = remote.admission.admit(token, "pizza_order")
    await held.__aenter__()
    remote.calls.close()  # the heartbeat stops, the slot row stays
    with pytest.raises(TooManyCallsError):
        async with alive.admission.admit(token, "pizza_order"):
            pass
    deadline = time.monotonic() + 10
    while True:
        try:
            async with alive.admission.admit(token, "pizza_order"):
                break
        except TooManyCallsError:
            assert time.monotonic() < deadline, "the dead worker's call kept counting"
            await asyncio.sleep(0.1)
    # On this machine, a process the kernel says is gone stops counting at once, whatever its lease.
    local_dead = Worker(pg_url, WorkerId(alive.calls.worker.host, 2**22 + 7, "1",
                                         alive.calls.worker.namespace))
    held_local = local_dead.admission.admit(token, "pizza_order")
    await held_local.__aenter__()
    async with alive.admission.admit(token, "pizza_order"):
        pass
    await held_local.__aexit__(None, None, None)
    await held.__aexit__(None, None, None)
    for worker in (alive, local_dead):
        worker.close()
    remote.slots.close()
    remote.keys.close()
