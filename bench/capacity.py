"""CPU cost of a call: how many CPU cores one concurrent real-time call keeps busy in `voicebot serve`.

    .venv/bin/python bench/capacity.py [--levels 1,4]

Latency on a shared machine swings with other people's work; CPU time spent by the server process
does not, much. For each level it runs N real-time websocket callers at once (bench/concurrency.py's
callers, bench/dialogues/latency_check.yml, ten caller turns each) and reads the server's user+system
CPU time from /proc before and after: cores per call = CPU seconds / (wall seconds x N), and CPU
seconds per caller turn (the figure that does not stretch when contention slows the calls down). They
are the capacity arithmetic of docs/scaling.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.concurrency import _free_port, _one_call, _rss_mib  # noqa: E402
from bench.latency import ANSWERS, DIALOGUE  # noqa: E402
from tests.audio.speech import padded, synth  # noqa: E402


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _level(url: str, pid: int, calls: int) -> dict[str, Any]:
    turns = [padded(synth(text), 150, 0) for text in ANSWERS]
    cpu_before, wall_before, rss_before = _cpu_s(pid), time.monotonic(), _rss_mib(pid)
    results = await asyncio.gather(*(_one_call(url, turns, i * 0.7) for i in range(calls)),
                                   return_exceptions=True)
    cpu_s, wall_s = _cpu_s(pid) - cpu_before, time.monotonic() - wall_before
    latencies = sorted(float(t["latency_ms"]) for r in results if isinstance(r, list) for t in r)
    return {"calls": calls, "failed": sum(1 for r in results if not isinstance(r, list)),
            "wall_s": round(wall_s, 1), "server_cpu_s": round(cpu_s, 1),
            "cores_per_call": round(cpu_s / wall_s / calls, 3), "turns": len(latencies),
            "cpu_s_per_turn": round(cpu_s / max(1, len(latencies)), 2),
            "latency_p50_ms": latencies[len(latencies) // 2] if latencies else None,
            "rss_mib": round(_rss_mib(pid)), "rss_before_mib": round(rss_before),
            "load": round(os.getloadavg()[0], 1)}


async def run(levels: list[int]) -> None:
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
            async with httpx.AsyncClient() as client:
                deadline = time.monotonic() + 180
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
            idle_cpu_before, idle_wall = _cpu_s(server.pid), time.monotonic()
            await asyncio.sleep(10.0)
            idle = (_cpu_s(server.pid) - idle_cpu_before) / (time.monotonic() - idle_wall)
            print({"idle_cores": round(idle, 3), "idle_rss_mib": round(_rss_mib(server.pid))}, flush=True)
            for calls in levels:
                print(await _level(f"ws://127.0.0.1:{port}", server.pid, calls), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", default="1,4", help="concurrent calls per level (default 1,4)")
    args = parser.parse_args()
    asyncio.run(run([int(x) for x in args.levels.split(",")]))


if __name__ == "__main__":
    main()
