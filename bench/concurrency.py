"""How many concurrent websocket calls one server carries while response latency p95 stays under 1.5 s,
and how much memory each extra call costs.

    .venv/bin/python bench/concurrency.py --levels 1,2,3,4 [--write]

Starts `voicebot serve` as a child process (so its RSS is the server's alone), then for each level runs
that many real-time callers at once over /ws, each through bench/dialogues/latency_check.yml (ten caller
turns). Reports latency p50/p95 over all caller turns of the level, the server's peak RSS, and the load
average while it ran (other work on the machine shows up there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import ANSWERS, BENCHMARKS, DIALOGUE  # noqa: E402
from tests.audio.speech import padded, synth  # noqa: E402
from tests.session.helpers import real_time_caller  # noqa: E402

P95_LIMIT_MS = 1500.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _one_call(url: str, turns: list[np.ndarray], delay_s: float) -> list[dict[str, Any]]:
    import websockets

    await asyncio.sleep(delay_s)  # stagger starts a little, as real calls do not arrive in lockstep
    async with websockets.connect(f"{url}/ws?dialogue=latency_check") as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000}))
        call = await real_time_caller(ws, turns, timeout_s=400)
    return [t for t in call.record["turns"] if t["role"] == "caller" and t.get("latency_ms") is not None]


async def _level(url: str, pid: int, calls: int) -> dict[str, Any]:
    turns = [padded(synth(text), 150, 0) for text in ANSWERS]
    peak = _rss_mib(pid)
    stop = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss_mib(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    load_before = os.getloadavg()[0]
    results = await asyncio.gather(*(_one_call(url, turns, i * 0.7) for i in range(calls)),
                                   return_exceptions=True)
    load_after = os.getloadavg()[0]
    stop.set()
    await sampler
    latencies = [float(t["latency_ms"]) for r in results if isinstance(r, list) for t in r]
    failed = sum(1 for r in results if not isinstance(r, list))
    return {"calls": calls, "turns": len(latencies), "failed": failed,
            "p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
            "p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
            "peak_rss_mib": peak, "load": (load_before + load_after) / 2}


async def run(levels: list[int]) -> tuple[float, list[dict[str, Any]]]:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        dialogues = Path(tmp) / "dialogues"
        dialogues.mkdir()
        (dialogues / DIALOGUE.name).write_text(DIALOGUE.read_text())
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "voicebot"), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--insecure-no-auth", "--data-dir", str(Path(tmp) / "var"), "--dialogues-dir", str(dialogues)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        try:
            deadline = time.monotonic() + 180
            async with httpx.AsyncClient() as client:
                while True:
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("voicebot serve did not start")
                    await asyncio.sleep(0.5)
            await asyncio.sleep(2.0)
            idle_rss = _rss_mib(server.pid)
            results = []
            for calls in levels:
                result = await _level(f"ws://127.0.0.1:{port}", server.pid, calls)
                results.append(result)
                print(result, flush=True)
            return idle_rss, results
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,2,3,4", help="concurrent calls per level (default 1,2,3,4)")
    parser.add_argument("--write", action="store_true", help="write the results into BENCHMARKS.md")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    idle_rss, results = asyncio.run(run(levels))
    carried = max((r["calls"] for r in results if r["p95"] < P95_LIMIT_MS and not r["failed"]), default=0)
    rows = [f"| {r['calls']} | {r['turns']} | {r['failed']} | {r['p50']:.0f} / {r['p95']:.0f} | "
            f"{r['peak_rss_mib']:.0f} | {(r['peak_rss_mib'] - idle_rss) / r['calls']:.0f} | {r['load']:.1f} |"
            for r in results]
    print(f"idle RSS {idle_rss:.0f} MiB; most calls with p95 < {P95_LIMIT_MS:.0f} ms: {carried}")
    print("\n".join(rows))
    if args.write:
        text = BENCHMARKS.read_text()
        section = "\n".join([
            "## Concurrency", "",
            f"`.venv/bin/python bench/concurrency.py --levels {args.levels} --write` — `voicebot serve` on "
            "2 CPU cores (x86_64), N real-time websocket callers at once (starts staggered by 0.7 s), each "
            "through bench/dialogues/latency_check.yml (ten caller turns). Load average = the machine's "
            "1-minute load while the level ran (other work included).", "",
            f"Server RSS idle (models loaded, prompts cached): {idle_rss:.0f} MiB. "
            f"Most concurrent calls with latency p95 under {P95_LIMIT_MS:.0f} ms: **{carried}**.", "",
            "| calls | caller turns | failed calls | latency ms p50 / p95 | peak RSS MiB | RSS per call MiB "
            "| load avg |", "|---:|---:|---:|---:|---:|---:|---:|", *rows, ""])
        start = text.find("## Concurrency")
        if start < 0:
            text = text.rstrip() + "\n\n" + section
        else:
            end = text.find("\n## ", start + 3)
            text = text[:start] + section + (text[end:] if end >= 0 else "")
        BENCHMARKS.write_text(text)


if __name__ == "__main__":
    main()
