"""Groups blocking requests that wait at the same moment, so one model call serves them all.

A request that finds the runner idle runs at once (never delayed to wait for company); requests that
arrive while a group runs wait, and the first of them to wake runs every request waiting then as the
next group. Used for whisper decodes of concurrent calls: CTranslate2 decodes a batch of N turns for
much less CPU than N decodes (bench/stt_batch.py, BENCHMARKS.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")


def partition(requests: Sequence[Req], key: Callable[[Req], Hashable]) -> list[list[int]]:
    """Indexes of ``requests`` that share a key, in first-seen order (a batch needs equal keys)."""
    groups: dict[Hashable, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(key(request), []).append(index)
    return list(groups.values())


@dataclass(eq=False, slots=True)
class _Ticket(Generic[Req, Res]):
    request: Req
    done: bool = False
    result: Res | None = None
    error: BaseException | None = None


class Combiner(Generic[Req, Res]):
    """Runs ``run_group`` (requests -> results, same order) on groups of concurrent ``submit`` calls.

    ``run_group`` runs in the thread of one of the group's submitters; an exception it raises is raised
    in every submitter of that group. At most ``max_group`` requests go in one group.
    """

    def __init__(self, run_group: Callable[[list[Req]], list[Res]], max_group: int = 8) -> None:
        if max_group < 1:
            raise ValueError(f"max_group must be at least 1, got {max_group}")
        self._run_group = run_group
        self._max_group = max_group
        self._cond = threading.Condition()
        self._pending: list[_Ticket[Req, Res]] = []
        self._busy = False

    @property
    def waiting(self) -> int:
        """Requests submitted and not yet taken into a group."""
        with self._cond:
            return len(self._pending)

    def submit(self, request: Req) -> Res:
        ticket: _Ticket[Req, Res] = _Ticket(request)
        with self._cond:
            self._pending.append(ticket)
        while True:
            with self._cond:
                while self._busy and not ticket.done:
                    self._cond.wait()
                if ticket.done:
                    break
                self._busy = True  # this thread runs the next group: every request waiting now
                group = self._pending[:self._max_group]
                del self._pending[:self._max_group]
            self._run(group)
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]  # set with done, unless error is

    def _run(self, group: list[_Ticket[Req, Res]]) -> None:
        try:
            results = self._run_group([t.request for t in group])
            if len(results) != len(group):
                raise RuntimeError(f"run_group returned {len(results)} results for {len(group)} requests")
            for ticket, result in zip(group, results, strict=True):
                ticket.result = result
        except BaseException as exc:  # every waiter of the group hears it
            for ticket in group:
                ticket.error = exc
        finally:
            with self._cond:
                for ticket in group:
                    ticket.done = True
                self._busy = False
                self._cond.notify_all()
