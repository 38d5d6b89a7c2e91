"""How many concurrent calls one server carries while response latency p95 stays under 1.5 s, what a
call costs in server CPU, and how much memory each extra call takes — on either door.

    python bench/concurrency.py --door websocket --levels 1,2,3,4 [--write]
    python bench/concurrency.py --door audiosocket --levels 1,2,4,6,8 [--write]

Starts `voicebot serve` as a child process (so its CPU time and RSS are the server's alone; settings
from the environment, e.g. VOICEBOT_SESSION__END_OF_TURN=smart_turn), then for each level runs that many
real-time callers at once, each through bench/dialogues/latency_check.yml (ten caller turns):
- ``websocket``: 16 kHz PCM over /ws;
- ``audiosocket``: Asterisk's side of AudioSocket over real TCP to the `--audiosocket` listener, 8 kHz
  signed linear in 20 ms frames paced in real time, silence between turns, as Asterisk sends it; the
  caller answers once the bot's audio has been quiet for a while (as heard: the bot paces its frames).
Latency is the call record's ``latency_ms`` on both doors (first bot audio byte out minus the end of
caller speech), fetched from /api/calls. Per level: latency p50/p95 over all caller turns, server CPU
seconds per call (user+system time over the level / calls) and cores per call (that / the level's wall
time), STT decodes per call (partials, speculative
and final, from /metrics), the server's peak RSS, and the load average while it ran (other work on the
machine shows up there). It also prints which judge ended the turns (the call meta's ``turn_ends_*``
under ``session.end_of_turn: smart_turn``) and the slowest turns with their pause (``turn_end_ms``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import ANSWERS, BENCHMARKS, DIALOGUE  # noqa: E402
from tests.audio.speech import padded, synth  # noqa: E402
from tests.session.helpers import real_time_caller  # noqa: E402
from tests.telephony.asterisk_peer import AsteriskPeer  # noqa: E402
from voicebot.audio.resample import resample  # noqa: E402

P95_LIMIT_MS = 1500.0
DOORS = ("websocket", "audiosocket")
AUDIOSOCKET_RATE_HZ = 8000
# The caller answers after this much quiet from the bot: longer than the pause between two sentences
# of one reply, so the caller does not talk over the bot (it adds to the call's length, not to latency).
BOT_QUIET_S = 0.8
CALL_TIMEOUT_S = 400.0
SLOWEST_SHOWN = 3  # the slowest caller turns printed per level


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads: whisper, Silero, Piper, the loop)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _caller_turns(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in record["turns"] if t["role"] == "caller" and t.get("latency_ms") is not None]


async def _one_call(url: str, turns: list[np.ndarray], delay_s: float) -> dict[str, Any]:
    """One websocket call (16 kHz); its call record."""
    import websockets

    await asyncio.sleep(delay_s)  # stagger starts a little, as real calls do not arrive in lockstep
    async with websockets.connect(f"{url}/ws?dialogue=latency_check") as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000}))
        call = await real_time_caller(ws, turns, timeout_s=CALL_TIMEOUT_S)
    record: dict[str, Any] = call.record
    return record


async def _one_audiosocket_call(port: int, http: str, turns: list[bytes],
                                delay_s: float) -> dict[str, Any]:
    """One AudioSocket call at 8 kHz over TCP, played as Asterisk does; its call record."""
    await asyncio.sleep(delay_s)
    peer = AsteriskPeer(port, rate_hz=AUDIOSOCKET_RATE_HZ, call_id=str(uuid.uuid4()))
    await peer.connect()
    try:
        for pcm in turns:
            await peer.bot_turn_done(quiet_s=BOT_QUIET_S, timeout_s=120.0)
            if peer.bot.hangup:
                break
            peer.say(pcm)
        await peer.wait_closed(timeout_s=120.0)  # the bot says goodbye and hangs up
    finally:
        await peer.hang_up()
    return await _record(http, peer.call_id)


def _turn_ends(records: list[dict[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for record in records:
        counts.update({k.removeprefix("turn_ends_"): int(v) for k, v in record.get("meta", {}).items()
                       if k.startswith("turn_ends_")})
    return dict(sorted(counts.items()))


async def _record(http: str, call_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10.0) as client:
        for _ in range(600):
            response = await client.get(f"{http}/api/calls/{call_id}")
            if response.status_code == 200:
                record: dict[str, Any] = response.json()
                if record.get("ended_at"):
                    return record
            await asyncio.sleep(0.1)
    raise RuntimeError(f"no finished call record for {call_id}")


async def _decodes(http: str) -> float:
    """STT decodes so far (every op the listener times as ``transcribe``: partials, guesses, finals)."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        text = (await client.get(f"{http}/metrics")).text
    pattern = re.compile(r'^voicebot_engine_seconds_count\{[^}]*op="transcribe"[^}]*\} ([0-9.e+]+)$', re.M)
    return sum(float(v) for v in pattern.findall(text))


def _speech(door: str) -> list[Any]:
    turns = [padded(synth(text), 150, 0) for text in ANSWERS]
    if door == "websocket":
        return turns
    return [(np.clip(resample(t, 16_000, AUDIOSOCKET_RATE_HZ), -1.0, 1.0) * 32767).astype("<i2").tobytes()
            for t in turns]


async def _level(door: str, ports: dict[str, int], pid: int, calls: int) -> dict[str, Any]:
    turns = _speech(door)
    http = f"http://127.0.0.1:{ports['http']}"
    peak = _rss_mib(pid)
    stop = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _rss_mib(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    load_before, cpu_before, decodes_before = os.getloadavg()[0], _cpu_s(pid), await _decodes(http)
    wall_before = time.monotonic()
    if door == "websocket":
        jobs = [_one_call(f"ws://127.0.0.1:{ports['http']}", turns, i * 0.7) for i in range(calls)]
    else:
        jobs = [_one_audiosocket_call(ports["audiosocket"], http, turns, i * 0.7) for i in range(calls)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    cpu_s, decodes = _cpu_s(pid) - cpu_before, await _decodes(http) - decodes_before
    wall_s = time.monotonic() - wall_before
    load_after = os.getloadavg()[0]
    stop.set()
    await sampler
    for r in results:
        if not isinstance(r, dict):
            print(f"a call failed: {r!r}", file=sys.stderr, flush=True)
    records = [r for r in results if isinstance(r, dict)]
    turns_heard = [t for r in records for t in _caller_turns(r)]
    latencies = [float(t["latency_ms"]) for t in turns_heard]
    slowest = sorted(turns_heard, key=lambda t: -float(t["latency_ms"]))[:SLOWEST_SHOWN]
    return {"door": door, "calls": calls, "turns": len(latencies),
            "failed": len(results) - len(records),
            # Which judge ended the turns (session.end_of_turn smart_turn), and the slowest turns with
            # the pause the judges took (timings.turn_end_ms): where the p95 comes from.
            "turn_ends": _turn_ends(records),
            "slowest": [[t["latency_ms"], t.get("text"), (t.get("timings") or {}).get("turn_end_ms")]
                        for t in slowest],
            "p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
            "p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
            "cpu_s_per_call": cpu_s / calls, "decodes_per_call": decodes / calls,
            # Cores one call keeps busy while the level runs (its calls overlap for most of it).
            "cores_per_call": cpu_s / wall_s / calls, "wall_s": wall_s,
            "peak_rss_mib": peak, "load": (load_before + load_after) / 2}


async def _wait_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("voicebot serve did not start")
            await asyncio.sleep(0.5)


async def run(levels: list[int], door: str = "websocket") -> tuple[float, list[dict[str, Any]]]:
    ports = {"http": _free_port(), "audiosocket": _free_port()}
    with tempfile.TemporaryDirectory() as tmp:
        dialogues = Path(tmp) / "dialogues"
        dialogues.mkdir()
        (dialogues / DIALOGUE.name).write_text(DIALOGUE.read_text())
        command = [sys.executable, "-m", "voicebot", "serve", "--host", "127.0.0.1",
                   "--port", str(ports["http"]), "--insecure-no-auth", "--data-dir", str(Path(tmp) / "var"),
                   "--dialogues-dir", str(dialogues)]
        if door == "audiosocket":
            command += ["--audiosocket", f"127.0.0.1:{ports['audiosocket']}", "--audiosocket-dialogue",
                        "latency_check"]
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp,
                                  env={**os.environ, "PYTHONPATH": path})
        try:
            await _wait_healthy(ports["http"], server)
            await asyncio.sleep(2.0)
            idle_rss = _rss_mib(server.pid)
            results = []
            for calls in levels:
                result = await _level(door, ports, server.pid, calls)
                results.append(result)
                print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}),
                      flush=True)
            return idle_rss, results
        finally:
            server.terminate()
            server.wait(timeout=30)


def most_calls_under(results: list[dict[str, Any]], limit_ms: float = P95_LIMIT_MS) -> int:
    """The largest level whose p95 stayed under the limit with no failed call (0: none did)."""
    return max((r["calls"] for r in results if r["p95"] < limit_ms and not r["failed"]), default=0)


def table(results: list[dict[str, Any]], idle_rss: float) -> list[str]:
    return [f"| {r['calls']} | {r['turns']} | {r['failed']} | {r['p50']:.0f} / {r['p95']:.0f} | "
            f"{r['cpu_s_per_call']:.1f} | {r['cores_per_call']:.2f} | {r['decodes_per_call']:.1f} | "
            f"{r['peak_rss_mib']:.0f} | "
            f"{(r['peak_rss_mib'] - idle_rss) / r['calls']:.0f} | {r['load']:.1f} |" for r in results]


def _write(door: str, levels: str, idle_rss: float, results: list[dict[str, Any]]) -> None:
    """Appends a dated subsection to BENCHMARKS.md's Concurrency section (earlier runs are kept)."""
    env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("VOICEBOT_"))
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join([
        f"### {door} door, {stamp}", "",
        f"`{env + ' ' if env else ''}python bench/concurrency.py --door {door} --levels {levels} --write`; "
        f"server RSS idle {idle_rss:.0f} MiB. Most concurrent calls with latency p95 under "
        f"{P95_LIMIT_MS:.0f} ms: **{most_calls_under(results)}**.", "",
        "| calls | caller turns | failed calls | latency ms p50 / p95 | server CPU s per call "
        "| cores per call | STT decodes per call | peak RSS MiB | RSS per call MiB | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *table(results, idle_rss), ""])
    text = BENCHMARKS.read_text()
    start = text.find("## Concurrency")
    if start < 0:
        text = text.rstrip() + "\n\n## Concurrency\n\n" + section
    else:
        end = text.find("\n## ", start + 3)
        end = len(text) if end < 0 else end + 1
        text = text[:end].rstrip() + "\n\n" + section + "\n" + text[end:]
    BENCHMARKS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--door", choices=DOORS, default="websocket",
                        help="websocket (16 kHz over /ws) or audiosocket (8 kHz over TCP, as Asterisk)")
    parser.add_argument("--levels", default="1,2,3,4", help="concurrent calls per level (default 1,2,3,4)")
    parser.add_argument("--write", action="store_true", help="add the results to BENCHMARKS.md")
    args = parser.parse_args()
    try:
        levels = [int(x) for x in args.levels.split(",")]
        if not levels or min(levels) < 1:
            raise ValueError
    except ValueError:
        print(f"concurrency.py: --levels must be positive whole numbers, e.g. 1,2,4 (got {args.levels!r})",
              file=sys.stderr)
        raise SystemExit(2) from None
    idle_rss, results = asyncio.run(run(levels, args.door))
    print(f"{args.door}: idle RSS {idle_rss:.0f} MiB; most calls with p95 < {P95_LIMIT_MS:.0f} ms: "
          f"{most_calls_under(results)}")
    print("| calls | turns | failed | p50 / p95 ms | CPU s/call | cores/call | decodes/call | peak RSS MiB "
          "| RSS/call MiB | load |")
    print("\n".join(table(results, idle_rss)))
    for r in results:
        print(f"{r['calls']} calls: turn ends {r['turn_ends']}; slowest (latency ms, text, pause ms) "
              f"{r['slowest']}")
    if args.write:
        _write(args.door, args.levels, idle_rss, results)


if __name__ == "__main__":
    main()
