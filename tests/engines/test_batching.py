"""Grouping of concurrent blocking requests (engines/batching.py), with plain functions for the model."""

import threading
import time

import pytest

from voicebot.engines.batching import Combiner, partition


def _wait_for(condition: object) -> None:
    """Synchronisation, not timing: polls until ``condition()`` holds (the test's threads got there)."""
    assert callable(condition)
    for _ in range(2000):
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("the threads never got there")


def _wait_for_queued(combiner: Combiner[int, int], count: int) -> None:
    _wait_for(lambda: combiner.waiting == count)


class Gated:
    """run_group: doubles each request; the first group waits for ``gate`` so others queue behind it."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.groups: list[list[int]] = []

    def __call__(self, requests: list[int]) -> list[int]:
        self.groups.append(list(requests))
        if len(self.groups) == 1:
            self.gate.wait()
        if -1 in requests:
            raise ValueError("bad request -1")
        return [2 * r for r in requests]


def _submit_all(combiner: Combiner[int, int], requests: list[int], gated: Gated,
                results: dict[int, object]) -> list[threading.Thread]:
    def one(request: int) -> None:
        try:
            results[request] = combiner.submit(request)
        except ValueError as exc:
            results[request] = str(exc)

    first = threading.Thread(target=one, args=(requests[0],))
    first.start()
    _wait_for(lambda: len(gated.groups) == 1)  # the first runs alone at once
    threads = [first]
    for request in requests[1:]:
        thread = threading.Thread(target=one, args=(request,))
        thread.start()
        threads.append(thread)
        _wait_for_queued(combiner, len(threads) - 1)  # queued in this order
    gated.gate.set()
    for thread in threads:
        thread.join()
    return threads


def test_a_lone_request_runs_at_once_and_alone() -> None:
    groups: list[list[int]] = []
    combiner = Combiner(lambda rs: (groups.append(list(rs)), [r + 1 for r in rs])[1])
    assert combiner.submit(4) == 5
    assert combiner.submit(7) == 8
    assert groups == [[4], [7]]


def test_requests_waiting_while_a_group_runs_go_together_in_the_next_group() -> None:
    gated = Gated()
    results: dict[int, object] = {}
    _submit_all(Combiner(gated, max_group=8), [1, 2, 3, 4], gated, results)
    assert gated.groups == [[1], [2, 3, 4]]
    assert results == {1: 2, 2: 4, 3: 6, 4: 8}


def test_a_group_holds_at_most_max_group_requests() -> None:
    gated = Gated()
    results: dict[int, object] = {}
    _submit_all(Combiner(gated, max_group=2), [1, 2, 3, 4], gated, results)
    assert gated.groups == [[1], [2, 3], [4]]
    assert results == {1: 2, 2: 4, 3: 6, 4: 8}


def test_a_failed_group_fails_each_of_its_requests_and_the_next_group_still_runs() -> None:
    gated = Gated()
    results: dict[int, object] = {}
    combiner = Combiner(gated, max_group=2)
    _submit_all(combiner, [1, 2, -1, 5], gated, results)
    assert gated.groups == [[1], [2, -1], [5]]
    assert results == {1: 2, 2: "bad request -1", -1: "bad request -1", 5: 10}
    assert combiner.submit(6) == 12 and combiner.waiting == 0


def test_a_wrong_number_of_results_is_an_error_not_a_hang() -> None:
    combiner: Combiner[int, int] = Combiner(lambda rs: [])
    with pytest.raises(RuntimeError, match="0 results for 1 requests"):
        combiner.submit(1)
    with pytest.raises(ValueError, match="max_group"):
        Combiner(lambda rs: rs, max_group=0)


def test_partition_keeps_first_seen_order_of_keys_and_requests() -> None:
    assert partition(["a1", "b1", "a2", "c1", "b2"], lambda r: r[0]) == [[0, 2], [1, 4], [3]]
    assert partition([], lambda r: r) == []
