"""Campaign queue benchmark on PostgreSQL: dialer processes claiming contacts of one campaign.

One campaign of `--contacts` contacts; P processes (each a dialer with its own connection, as separate
machines would have) claim `--batch` contacts at a time (``FOR UPDATE SKIP LOCKED`` with a lease) and
close each attempt at once as answered, until none is left. No call is placed: this measures the queue
alone. Reports claims per second over all dialers, claim and close latency p50/p95, and checks that no
contact was claimed twice.

    .venv/bin/python bench/campaign_claims.py --url postgresql://user@127.0.0.1:5432/db
        [--processes 1 4 8] [--contacts 4000] [--batch 1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from voicebot.campaign.contacts import parse_contacts
from voicebot.campaign.pgstate import PostgresCampaignStore
from voicebot.campaign.policy import ANSWERED, CampaignSettings


def _dialer(url: str, campaign_id: str, batch: int, start_at: float, out: Any) -> None:
    store = PostgresCampaignStore(url)
    claims_s: list[float] = []
    closes_s: list[float] = []
    lines: list[int] = []
    cpu_before = time.process_time()
    time.sleep(max(0.0, start_at - time.time()))  # all dialers start together
    while True:
        started = time.perf_counter()
        claims = store.claim(campaign_id, datetime.now(UTC), batch)
        claims_s.append(time.perf_counter() - started)
        if not claims:
            break
        for claim in claims:
            started = time.perf_counter()
            store.finish_attempt(campaign_id, claim.contact.line, claim.attempt_no, ANSWERED, None,
                                 datetime.now(UTC))
            closes_s.append(time.perf_counter() - started)
            lines.append(claim.contact.line)
    store.close()
    out.put((claims_s, closes_s, lines, time.process_time() - cpu_before))


def run(url: str, processes: int, contacts: int, batch: int) -> dict[str, Any]:
    campaign_id = f"bench-{processes}-{int(time.time())}"
    csv = "phone\n" + "".join(f"+1555{i:07d}\n" for i in range(contacts))
    store = PostgresCampaignStore(url)
    store.create(campaign_id, campaign_id, CampaignSettings("bench", retries=0), parse_contacts(csv),
                 datetime.now(UTC))
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3.0  # spawning and importing take a moment
    procs = [ctx.Process(target=_dialer, args=(url, campaign_id, batch, start_at, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    wall_s = time.time() - start_at
    for p in procs:
        p.join()
    progress = store.progress(campaign_id)
    store.close()
    claims_ms = np.array([s for r in results for s in r[0]]) * 1000
    closes_ms = np.array([s for r in results for s in r[1]]) * 1000
    lines = [line for r in results for line in r[2]]
    return {"processes": processes, "contacts": contacts, "batch": batch,
            "claimed": len(lines), "claimed_twice": len(lines) - len(set(lines)), "done": progress.done,
            "claims_per_s": round(len(lines) / wall_s, 1),
            "claim_p50_ms": round(float(np.percentile(claims_ms, 50)), 1),
            "claim_p95_ms": round(float(np.percentile(claims_ms, 95)), 1),
            "close_p50_ms": round(float(np.percentile(closes_ms, 50)), 1),
            "close_p95_ms": round(float(np.percentile(closes_ms, 95)), 1),
            "dialer_cpu_ms_per_claim": round(sum(r[3] for r in results) * 1000 / max(1, len(lines)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", required=True, help="postgresql://… of a database (tables are created)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--contacts", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=1, help="contacts per claim (a dialer's free slots)")
    args = parser.parse_args()
    for processes in args.processes:
        print(json.dumps(run(args.url, processes, args.contacts, args.batch)), flush=True)


if __name__ == "__main__":
    main()
