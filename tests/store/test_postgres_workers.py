"""Who is alive: worker ids and the liveness rule, with literals (no database)."""

from __future__ import annotations

import os
from collections.abc import Callable

from voicebot.store.postgres import WorkerId, worker_alive

ME = WorkerId("web-1", 100, "5000", "boot-ns")


def starts(table: dict[int, str]) -> Callable[[int], str | None]:
    """The kernel's answer: pid -> process start time, None for no such process."""
    return table.get


def test_worker_id_round_trips_and_rejects_other_forms() -> None:
    assert WorkerId.parse(str(ME)) == ME
    assert WorkerId.parse("web-1:100:5000") is None  # the SQLite store's host:pid:start form
    assert WorkerId.parse("") is None and WorkerId.parse("web-1:x:1:ns") is None


def test_current_worker_names_this_process() -> None:
    me = WorkerId.current()
    assert me.pid == os.getpid() and me.process_start != "-" and me.namespace != "-"
    assert WorkerId.parse(str(me)) == me


def test_same_host_and_namespace_asks_the_kernel_not_the_lease() -> None:
    other = str(WorkerId("web-1", 200, "6000", "boot-ns"))
    assert worker_alive(other, leased=False, me=ME, process_start=starts({200: "6000"}))
    assert not worker_alive(other, leased=True, me=ME, process_start=starts({}))
    # The pid was reused by a process that started later: the worker is gone.
    assert not worker_alive(other, leased=True, me=ME, process_start=starts({200: "9999"}))


def test_another_machine_or_container_counts_only_by_its_lease() -> None:
    kernel = starts({200: "6000"})
    for other in (WorkerId("web-2", 200, "6000", "boot-ns"), WorkerId("web-1", 200, "6000", "other-ns")):
        assert worker_alive(str(other), leased=True, me=ME, process_start=kernel)
        assert not worker_alive(str(other), leased=False, me=ME, process_start=kernel)


def test_unknown_namespace_and_old_rows_fall_back_to_the_lease() -> None:
    blind = WorkerId("web-1", 100, "5000", "-")
    same_but_blind = str(WorkerId("web-1", 200, "6000", "-"))
    assert not worker_alive(same_but_blind, leased=False, me=blind, process_start=starts({200: "6000"}))
    assert worker_alive("web-1:200:6000", leased=True, me=ME)
    assert not worker_alive(None, leased=False, me=ME)
    assert worker_alive(str(ME), leased=False, me=ME)  # the asker itself
