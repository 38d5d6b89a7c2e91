"""Response latency through a real Asterisk, as the phone hears it.

    .venv/bin/python bench/asterisk_latency.py [--calls 2] [--prefix /opt/asterisk-22] [--json FILE]

Builds the same loopback set-up as `make test-asterisk` (Asterisk 22 from PREFIX with the rendered
docker/asterisk files, `voicebot serve --audiosocket`, a baresip softphone registered as 6001), dials
extension 100 and answers bench/dialogues/latency_check.yml's ten questions with Piper speech. The
service runs without AMI, so every AudioSocket call runs that dialogue.

Per caller turn:
- heard: bot audio onset in the phone's recording of what it heard, after the end of the caller's
  speech in the phone's recording of what it sent (baresip's sndfile dumps; the two are aligned on
  their common end, the hang-up);
- the service's own stamps from the call record (ms after its VAD's speech end): STT final, decision,
  first TTS chunk, first audio byte out (= the record's latency_ms);
- heard - first byte out: what Asterisk, RTP, the phone's jitter buffer and the 20 ms pacing add, plus
  the difference between the phone's speech end and the service's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asterisk.asterisk import Asterisk, Ports, conf_value  # noqa: E402  (the tests' harness)
from tests.asterisk.phone import Account, Phone  # noqa: E402
from tests.asterisk.service import Service  # noqa: E402
from tests.asterisk.sound import RATE_HZ, segments  # noqa: E402

DIALOGUES = ROOT / "bench" / "dialogues"
ANSWERS = ("Two pizzas, please.", "Three drinks.", "Just one salad.", "Four desserts.", "Six people.",
           "Ten napkins.", "Eight forks.", "Five plates.", "Seven cups.", "About twenty minutes.")
STAMPS = ("stt_final_ms", "decision_ms", "first_tts_chunk_ms", "first_audio_out_ms")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def heard_latencies(sent: np.ndarray, heard: np.ndarray, turns: int) -> list[float]:
    """ms from the end of each caller utterance (in ``sent``) to the next bot onset (in ``heard``)."""
    offset = (sent.size - heard.size) / RATE_HZ  # both end at the hang-up; heard started this much later
    spoken = segments(sent, gap_ms=400)
    bot = segments(heard, gap_ms=400)
    out: list[float] = []
    for _, end in spoken[:turns]:
        onset = next((start + offset for start, _ in bot if start + offset > end), None)
        out.append((onset - end) * 1000 if onset is not None else float("nan"))
    return out


def one_call(phone: Phone, service: Service) -> dict[str, Any]:
    before = service.call_ids()
    mark = phone.call("100")
    phone.wait_bot_turn(quiet_s=1.2)
    for answer in ANSWERS:
        phone.say(answer)
        phone.wait_bot_turn(quiet_s=1.2)
    phone.wait_event("CALL_CLOSED", 60, after=mark)
    time.sleep(0.5)
    record = service.wait_new_call(before)
    heard = heard_latencies(phone.sent(), phone.heard(), len(ANSWERS))
    turns = [t for t in record["turns"] if t["role"] == "caller"]
    rows = []
    for index, turn in enumerate(turns[: len(heard)]):
        timings = turn.get("timings") or {}
        rows.append({"heard_ms": heard[index], "latency_ms": turn.get("latency_ms"),
                     **{k: timings.get(k) for k in STAMPS}, "text": turn.get("text")})
    return {"call_id": record["call_id"], "outcome": record["outcome"], "turns": rows,
            "caller_turns_in_record": len(turns)}


def p50_p95(values: list[float]) -> str:
    array = np.array([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if array.size == 0:
        return "-"
    return f"{np.percentile(array, 50):.0f} / {np.percentile(array, 95):.0f}"


def summary(calls: list[dict[str, Any]]) -> str:
    turns = [t for call in calls for t in call["turns"]]
    share = [t["heard_ms"] - t["first_audio_out_ms"] for t in turns
             if t["first_audio_out_ms"] is not None and not np.isnan(t["heard_ms"])]
    heard = p50_p95([t["heard_ms"] for t in turns])
    lines = [f"{len(calls)} calls, {len(turns)} caller turns (ms, p50 / p95)",
             f"  heard by the phone (caller speech end -> bot audio onset): {heard}"]
    for stamp in STAMPS:
        lines.append(f"  service {stamp:16} (after its speech end): {p50_p95([t[stamp] for t in turns])}")
    lines.append(f"  heard - first_audio_out (Asterisk, RTP, jitter buffer, pacing, VAD end offset): "
                 f"{p50_p95(share)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2)
    parser.add_argument("--prefix", default=os.environ.get("ASTERISK_PREFIX", "/opt/asterisk-22"))
    parser.add_argument("--json", metavar="FILE", help="write every turn's figures here")
    parser.add_argument("--jitter-buffer", metavar="MIN-MAX", default=None,
                        help="the phone's jitter buffer in 20 ms frames (baresip's default is 5-10)")
    args = parser.parse_args()
    prefix = Path(args.prefix)
    if not (prefix / "sbin" / "asterisk").is_file():
        print(f"asterisk_latency: no Asterisk in {prefix}; build it with scripts/build-asterisk.sh",
              file=sys.stderr)
        return 2
    if shutil.which("baresip") is None:
        print("asterisk_latency: baresip is not installed (apt-get install baresip-core)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="vbbench-"))
    base = 42_000 + (os.getpid() % 50) * 200
    ports = Ports(sip=free_port(socket.SOCK_DGRAM), ami=free_port(), audiosocket=free_port(),
                  rtp=(base, base + 99), trunk="127.0.0.1:9")
    asterisk = Asterisk(prefix, work / "asterisk", ports)
    service = Service(work / "voicebot", ports, http_port=free_port(), dialogue="latency_check",
                      dialogues_dir=DIALOGUES, ami=False)
    account = Account("6001", f"127.0.0.1:{ports.sip}", password=conf_value("pjsip.conf", "6001", "password"))
    phone = Phone(work / "phones", "caller", sip_port=free_port(socket.SOCK_DGRAM), ctrl_port=free_port(),
                  rtp_ports=(base + 100, base + 123), accounts=[account],
                  extra_config=(f"jitter_buffer_delay {args.jitter_buffer}",) if args.jitter_buffer else ())
    calls: list[dict[str, Any]] = []
    try:
        asterisk.start()
        service.start()
        phone.start()
        phone.wait_registered()
        print(f"{asterisk.version()}; phone jitter buffer {args.jitter_buffer or 'default'}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        for index in range(args.calls):
            calls.append(one_call(phone, service))
            print(f"call {index + 1}: " + ", ".join(f"{t['heard_ms']:.0f}" for t in calls[-1]["turns"]),
                  flush=True)
    finally:
        phone.close()
        service.close()
        asterisk.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(summary(calls))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(calls, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
