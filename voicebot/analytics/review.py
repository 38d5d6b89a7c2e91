"""The review queue: caller turns worth a listen, their audio slice, labels, and what labels export to.

A turn lands in the queue when the dialogue did not understand it, read it back (low confidence), had it
rejected by the caller after a read-back, or had it corrected, or when its STT confidence is below a
threshold. An operator listens to the caller's side of the recording, types what was really said
(``heard``) and, optionally, the value the caller meant. A labelled turn exports as a conversation test
(the call replayed in text up to that turn, expecting the value) and as a line of an STT evaluation set
(the audio slice + the reference text) that ``bench/wer.py --corpus DIR`` reads.
"""

from __future__ import annotations

import io
import json
import os
import wave
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from voicebot.analytics.redact import redact_value
from voicebot.dialogue import model as m
from voicebot.dialogue import steplog
from voicebot.errors import StoreError
from voicebot.logs import redact
from voicebot.record import CallRecord, utc_now_iso

REVIEW_RESULTS = (steplog.NOT_UNDERSTOOD, steplog.READ_BACK, steplog.REJECTED, steplog.CORRECTED)
DEFAULT_CONFIDENCE_BELOW = 0.4  # the dialogues' default read-back threshold; catches yes/no and free text too
MARGIN_MS = 250  # audio kept either side of the speech, so a clipped onset is heard too
EVAL_MANIFEST = "corpus.json"  # the bench/wer.py corpus manifest


@dataclass(frozen=True, slots=True)
class ReviewItem:
    call_id: str
    turn: int
    dialogue: str
    started_at: str
    step: str
    result: str
    confidence: float | None
    heard: str | None = None  # the label: what the caller really said
    value: str | None = None  # the label: the value the caller meant (YAML text), if given

    @property
    def labelled(self) -> bool:
        return self.heard is not None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "labelled": self.labelled}


def review_queue(store: Any, *, dialogue: str | None = None, status: str = "open",
                 confidence_below: float = DEFAULT_CONFIDENCE_BELOW, limit: int = 100,
                 offset: int = 0) -> list[ReviewItem]:
    """Newest first. ``status``: "open" (not labelled), "labelled" or "all"."""
    if status not in ("open", "labelled", "all"):
        raise StoreError("status must be open, labelled or all")
    clauses = [f"f.turn IS NOT NULL AND (f.result IN ({', '.join('?' * len(REVIEW_RESULTS))})"
               " OR f.confidence < ?)"]
    params: list[Any] = [*REVIEW_RESULTS, confidence_below]
    if dialogue is not None:
        clauses.append("f.dialogue = ?")
        params.append(dialogue)
    if status != "all":
        clauses.append("l.call_id IS NULL" if status == "open" else "l.call_id IS NOT NULL")
    rows = store.query(
        "SELECT f.call_id, f.turn, f.dialogue, f.started_at, f.step, f.result, f.confidence, l.heard, l.value"
        " FROM step_facts f LEFT JOIN review_labels l ON l.call_id = f.call_id AND l.turn = f.turn"
        f" WHERE {' AND '.join(clauses)} ORDER BY f.started_at DESC, f.call_id, f.turn LIMIT ? OFFSET ?",
        [*params, max(0, limit), max(0, offset)])
    return [ReviewItem(row["call_id"], int(row["turn"]), row["dialogue"], row["started_at"], row["step"],
                       row["result"], row["confidence"], row["heard"], row["value"]) for row in rows]


def review_item(store: Any, call_id: str, turn: int) -> ReviewItem | None:
    rows = store.query(
        "SELECT f.call_id, f.turn, f.dialogue, f.started_at, f.step, f.result, f.confidence, l.heard, l.value"
        " FROM step_facts f LEFT JOIN review_labels l ON l.call_id = f.call_id AND l.turn = f.turn"
        " WHERE f.call_id = ? AND f.turn = ? ORDER BY f.seq DESC", [call_id, turn])
    if not rows:
        return None
    row = rows[0]
    return ReviewItem(row["call_id"], int(row["turn"]), row["dialogue"], row["started_at"], row["step"],
                      row["result"], row["confidence"], row["heard"], row["value"])


def turn_context(record: CallRecord, turn: int, *, personal_data: bool = False) -> dict[str, Any]:
    """What the operator needs beside the audio: the transcript, the question before, what the bot did."""
    turns = record.turns
    if not 0 <= turn < len(turns) or turns[turn].role != "caller":
        raise StoreError(f"turn {turn} of call {record.call_id} is not a caller turn")
    show = (lambda text: text) if personal_data else redact
    asked = next((t for t in reversed(turns[:turn]) if t.role == "bot"), None)
    after = []
    for t in turns[turn + 1:]:
        if t.role == "caller":
            break
        after.append({"prompt_id": t.prompt_id, "text": show(t.text)})
    caller = turns[turn]
    return {"transcript": show(caller.text or (f"[dtmf {caller.dtmf}]" if caller.dtmf else "")),
            "confidence": caller.confidence, "latency_ms": caller.latency_ms, "audio_ms": caller.audio_ms,
            "asked": None if asked is None else {"prompt_id": asked.prompt_id, "text": show(asked.text)},
            "bot_then": after, "slots": record.slots if personal_data else redact_value(record.slots),
            "outcome": record.outcome}


def audio_slice(wav_path: Path, audio_ms: list[int] | None, *, margin_ms: int = MARGIN_MS) -> bytes:
    """The caller's channel (left) of a call recording from ``audio_ms`` (±margin), as a mono WAV."""
    if not audio_ms or len(audio_ms) != 2:
        raise StoreError("this turn has no position in the recording (recorded before turns were placed, "
                         "or recording was off)")
    with wave.open(str(wav_path), "rb") as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
        first = max(0, (audio_ms[0] - margin_ms) * rate // 1000)
        last = min(wav.getnframes(), (audio_ms[1] + margin_ms) * rate // 1000)
        if last <= first:
            raise StoreError("the turn lies outside the call recording")
        wav.setpos(first)
        frames = np.frombuffer(wav.readframes(last - first), dtype="<i2").reshape(-1, channels)
    out = io.BytesIO()
    with wave.open(out, "wb") as mono:
        mono.setnchannels(1)
        mono.setsampwidth(2)
        mono.setframerate(rate)
        mono.writeframes(np.ascontiguousarray(frames[:, 0]).tobytes())
    return out.getvalue()


def label(store: Any, call_id: str, turn: int, heard: str, value: str | None = None, *,
          by: str | None = None) -> ReviewItem:
    """Store (or replace) the label of a queued turn."""
    heard = heard.strip()
    if not heard:
        raise StoreError("the label needs the words the caller really said")
    if value is not None:
        try:
            yaml.safe_load(value)
        except yaml.YAMLError:
            raise StoreError(f"the value {value!r} is not valid YAML; quote it") from None
    if review_item(store, call_id, turn) is None:
        raise StoreError(f"no turn {turn} of call {call_id} in the review facts; see 'voicebot review list'")
    store.write_many([
        ("DELETE FROM review_labels WHERE call_id = ? AND turn = ?", (call_id, turn)),
        ("INSERT INTO review_labels (call_id, turn, heard, value, labelled_by, labelled_at)"
         " VALUES (?, ?, ?, ?, ?, ?)", (call_id, turn, heard, value or None, by, utc_now_iso())),
    ])
    item = review_item(store, call_id, turn)
    assert item is not None
    return item


# ---- export ----


def find_step(dialogue: m.Dialogue, step_id: str) -> m.Ask | m.Confirm | None:
    """The ask or confirm step with this id, wherever it sits in the dialogue's flows."""
    for step in _walk(s for flow in dialogue.flows.values() for s in flow):
        if isinstance(step, m.Ask | m.Confirm) and step.id == step_id:
            return step
    return None


def _walk(steps: Any) -> Iterator[Any]:
    for step in steps:
        yield step
        for name in getattr(step, "__slots__", ()):
            child = getattr(step, name, None)
            if isinstance(child, tuple) and child and not isinstance(child[0], str | tuple):
                yield from _walk(child)


def conversation_test(record: CallRecord, item: ReviewItem, dialogue: m.Dialogue, *,
              personal_data: bool = False) -> dict[str, Any]:
    """A conversation test: the call's caller turns in text up to the labelled one (said as labelled),
    expecting the labelled value in the step's slot."""
    if item.heard is None:
        raise StoreError(f"turn {item.turn} of call {item.call_id} has no label yet")
    show = (lambda text: text) if personal_data else redact
    silences_before: dict[int, int] = {}  # caller turn -> silences logged just before it
    pending = 0
    for entry in record.meta.get("steps") or []:
        if entry.get("result") == steplog.SILENCE:
            pending += 1
        elif isinstance(entry.get("turn"), int):
            silences_before[entry["turn"]], pending = pending, 0
    turns: list[dict[str, Any]] = []
    for index, turn in enumerate(record.turns[:item.turn + 1]):
        if turn.role != "caller":
            continue
        turns += [{"caller": "[silence]"}] * silences_before.get(index, 0)
        said = turn.text or (f"[dtmf {turn.dtmf}]" if turn.dtmf else "")
        turns.append({"caller": show(item.heard if index == item.turn else said)})
    case: dict[str, Any] = {"name": f"review {item.call_id} turn {item.turn} ({item.step})", "turns": turns}
    if record.variables:
        case["variables"] = record.variables if personal_data else redact_value(record.variables)
    step = find_step(dialogue, item.step)
    slot = getattr(step, "slot", None)
    if item.value is not None and slot is not None:
        case["expect"] = {"slots": {slot: yaml.safe_load(item.value)}}
    else:
        raise StoreError(f"turn {item.turn} of call {item.call_id} needs an intended value for "
                         f"{'its slot ' + slot if slot else 'a step with a slot'} to become a test")
    return case


def write_test_file(path: Path, dialogue_file: Path, cases: list[dict[str, Any]]) -> None:
    ref = os.path.relpath(dialogue_file, path.parent)
    document = {"dialogue": ref, "tests": cases}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Exported by 'voicebot review export' from labelled production turns.\n"
                    + yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_to_eval_set(directory: Path, item: ReviewItem, wav: bytes, *, language: str,
                    sample_rate_hz: int, personal_data: bool = False) -> dict[str, Any]:
    """Write the slice and add (or replace) its line in the set's manifest (bench/wer.py's format)."""
    if item.heard is None:
        raise StoreError(f"turn {item.turn} of call {item.call_id} has no label yet")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{item.call_id}-{item.turn}.wav"
    (directory / name).write_bytes(wav)
    manifest = directory / EVAL_MANIFEST
    files: list[dict[str, Any]] = []
    if manifest.is_file():
        files = [f for f in json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
                 if f.get("file") != name]
    row = {"file": name, "reference": item.heard if personal_data else redact(item.heard),
           "condition": "telephone" if sample_rate_hz <= 8000 else "clean", "domain": item.dialogue,
           "voice": "caller", "language": language, "call_id": item.call_id, "turn": item.turn,
           "step": item.step}
    files.append(row)
    manifest.write_text(json.dumps({"source": "review", "files": files}, indent=1, ensure_ascii=False),
                        encoding="utf-8")
    return row
