"""End of turn on the no-cut-in corpus (bench/turn_corpus.py): how often the bot would cut a caller off
mid-answer, and how long it waits after a finished one.

Offline over the audio, frame by frame, with the real Silero VAD (32 ms frames; the phone band with the
narrowband thresholds the session uses) and the real models. A model's answer arrives where the live
session would get it: its process CPU time after it was asked (each model on one thread, so the figure
is the time on a free core, less inflated by a loaded machine than wall time).

- ``silence``: today's rule, the turn ends 600 ms into a pause (voicebot/audio/turn_taking.py);
- ``smart_turn``: a short pause (``--ask-pause-ms``, the product's 128 ms by default) asks Smart Turn
  v3.2 (audio from 300 ms before the onset to now);
  complete -> the turn ends, else it waits for more words or the ceiling (voicebot/audio/endpointing.py);
- ``smart_turn_dialogue``: the same, and at that pause whisper tiny.en transcribes the turn so far (the
  speculative decode) and the dialogue judges it against the question (voicebot/dialogue/completeness.py);
  the model's "complete" waits for that view.

False end of turn: the turn ended while the caller still had words to say within 1 s; each answer cut
is listed with its voices, the caller's pause it fell in and the judge that ended it. After take-back
(voicebot/session/take_back.py): such a cut is repaired when the caller's next words start within
``--take-back-window-ms`` of the end of the turn, the bot's reply has played at most
``--take-back-max-bot-audio-ms`` by then, and handling the cut words could be undone (driven through the
real dialogue machine: an answer that ends the call or fires a webhook is not). The reply's first audio
is taken to go out when the cut turn's transcript is ready (its speculative decode's CPU time after it
started; the live side by side measured 2 ms of dialogue and 0.6 ms to the first TTS audio p50, so 0 ms
more is the estimate that plays the most bot audio); "bot audio before the take-back" is from then to
the caller's next words. Delay: end of the
turn minus the end of the caller's last word (energy), over the turns ended after it. "Transcript ready"
also waits for the speculative decode, started at the first frame 200 ms into the pause for every policy
(today's session starts it at 240 ms), since the bot cannot answer before it.

    .venv/bin/python bench/turn_eval.py [--policies silence,smart_turn,smart_turn_dialogue]
        [--thresholds 0.5,0.9] [--ask-pause-ms 128] [--max-pause-ms 1600] [--complete-pause-ms 600]
        [--open-pause-ms 1000] [--open-confident 1,0.95] [--open-confident-pause-ms 700]
        [--encoder-window-s 15] [--take-back-window-ms 1000] [--take-back-max-bot-audio-ms 1000]
        [--json OUT]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from turn_corpus import ANSWERS, BANDS, RATE_HZ, VOICES, Sample, build_corpus

from voicebot.audio.endpointing import AnswerState, AskTurnModel, Endpointer, EndpointingConfig
from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.engines.silero import FRAME_SAMPLES, SileroVAD, load_session
from voicebot.session.take_back import TakeBackConfig, bot_audio_heard_ms, takes_back, undoable

FRAME_MS = FRAME_SAMPLES * 1000 / RATE_HZ
PRE_ROLL_MS = 300
SPECULATIVE_AFTER_MS = math.ceil(200 / FRAME_MS) * FRAME_MS
# As the session's SessionSettings.turn_taking_for does for 8 kHz lines.
NARROWBAND = {"threshold": 0.3, "neg_threshold": 0.2, "min_speech_ms": 96}
WORDS_WITHIN_MS = 1000
POLICIES = ("silence", "smart_turn", "smart_turn_dialogue")


@dataclass
class Outcome:
    key: str
    policy: str
    ended_ms: float | None  # when the turn was declared over (audio time), None: never
    false_end: bool
    delay_ms: float | None  # for turns ended after the last word
    ready_delay_ms: float | None = None  # ... and until the speculative transcript is there too
    asks: int = 0
    model_ms: list[float] = field(default_factory=list)
    decode_ms: list[float] = field(default_factory=list)
    transcripts: list[str] = field(default_factory=list)
    verdicts: list[float] = field(default_factory=list)
    reason: str | None = None  # which judge ended the turn (Endpointer.ended_by; "silence" for that rule)
    gap_ms: int | None = None  # a false end: the caller's pause it fell in (next words minus last)
    resumed_ms: float | None = None  # a false end: the caller's next words minus the end of the turn
    reply_ms: float | None = None  # ... the reply's first audio minus the end of the turn (estimated)
    cut_text: str | None = None  # ... the transcript of the turn cut
    repaired: bool = False  # a false end that taking the turn back repairs
    bot_audio_ms: float | None = None  # ... and how much of the reply played before it


def turn_config(band: str) -> TurnTakingConfig:
    base = TurnTakingConfig()
    return dataclasses.replace(base, **NARROWBAND) if band == "phone" else base


def vad_probabilities(sample: Sample) -> list[float]:
    vad = SileroVAD(session=_vad_session(), threshold=0.5)
    return vad.probabilities(sample.audio)


@cache
def _vad_session() -> Any:
    return load_session()


@cache
def _detector() -> Any:
    from voicebot.engines.smart_turn import SmartTurnDetector

    return SmartTurnDetector()


ENCODER_WINDOW_S = [15.0]  # --encoder-window-s (the stt.encoder_window_s default)


@cache
def _whisper() -> Any:
    from voicebot.engines.whisper import WhisperTranscriber

    # One thread: its CPU time is then the time the decode takes on a free core. As the session's
    # engine pool builds it: no word timestamps (the window decode), the configured encoder window.
    return WhisperTranscriber("tiny.en", cpu_threads=1, word_timestamps=False,
                              encoder_window_s=ENCODER_WINDOW_S[0])


@cache
def _reader(dialogue: str) -> Any:
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.dialogue.understanding import SlotReader

    return SlotReader(load_dialogue(Path(__file__).resolve().parent.parent / "dialogues" / f"{dialogue}.yml"))


# Each pause is judged on the same audio whatever the thresholds, so the models run once per pause.
_MODEL_CACHE: dict[tuple[str, int, int], tuple[float, float]] = {}
_DECODE_CACHE: dict[tuple[str, int, int], tuple[str, float]] = {}


def model_verdict(sample: Sample, start: int, end: int) -> tuple[float, float]:
    key = (sample.key, start, end)
    if key not in _MODEL_CACHE:
        _MODEL_CACHE[key] = timed(lambda: _detector().completion_probability(sample.audio[start:end]))
    return _MODEL_CACHE[key]


def transcribe(sample: Sample, start: int, end: int) -> tuple[str, float]:
    key = (sample.key, start, end)
    if key not in _DECODE_CACHE:
        transcript, cost = timed(lambda: _whisper().transcribe(sample.audio[start:end], language="en"))
        _DECODE_CACHE[key] = (transcript.text, cost)
    return _DECODE_CACHE[key]


def dialogue_view(sample: Sample, text: str) -> AnswerState:
    from voicebot.dialogue.completeness import answer_state

    reader = _reader(sample.answer.dialogue)
    spec = reader.dialogue.slots.get(sample.answer.slot) if sample.answer.slot else None
    state: AnswerState = answer_state(reader, spec, text)
    return state


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = fn()
    return result, (time.process_time() - start) * 1000


def judge(sample: Sample, policy: str, ended: SpeechEnded | None, ended_ms: float,
          decode_end_ms: float) -> Outcome:
    """``decode_end_ms``: the speculative decode took the audio up to here, and started here."""
    if ended is None:
        return Outcome(sample.key, policy, None, False, None)
    onset = sample.next_onset_ms(ended_ms)
    false_end = onset is not None and onset - ended_ms <= WORDS_WITHIN_MS
    outcome = Outcome(sample.key, policy, ended_ms, false_end, None, reason="silence")
    start = max(0, round((ended.speech_start_ms - PRE_ROLL_MS) * RATE_HZ / 1000))
    if false_end:
        assert onset is not None
        before = [end for _, end in sample.segments_ms if end <= ended_ms]
        after = [start for start, _ in sample.segments_ms if start > ended_ms]
        if before and after:
            outcome.gap_ms = after[0] - before[-1]
        text, cost = transcribe(sample, start, round(decode_end_ms * RATE_HZ / 1000))
        first_audio_ms = max(ended_ms, decode_end_ms + cost)
        outcome.resumed_ms, outcome.reply_ms = onset - ended_ms, first_audio_ms - ended_ms
        outcome.cut_text = text
        outcome.bot_audio_ms = bot_audio_heard_ms(onset / 1000, first_audio_ms / 1000)
        outcome.repaired = takes_back(TAKE_BACK[0], turn_end_s=ended_ms / 1000, onset_s=onset / 1000,
                                      first_audio_s=first_audio_ms / 1000, reply_played=False,
                                      undoable=cut_undoable(sample, text))
    if onset is None:
        _, cost = transcribe(sample, start, round(decode_end_ms * RATE_HZ / 1000))
        outcome.delay_ms = ended_ms - sample.speech_end_ms
        outcome.ready_delay_ms = max(ended_ms, decode_end_ms + cost) - sample.speech_end_ms
    return outcome


TAKE_BACK = [TakeBackConfig()]  # --take-back-window-ms, --take-back-max-bot-audio-ms
# Answers that bring each dialogue to the question an answer of the corpus answers.
_ON_THE_WAY = {"consent": "Yes.", "satisfaction": "Two.", "recommend": "Three.", "comment": "It was fine.",
               "dob_answer": "March third, nineteen eighty five.", "explained_terms": "Yes.",
               "received_documents": "Yes.", "understood_cancellation": "Yes.",
               "items": "Two large pepperoni.",
               "address": "12 Main Street.", "phone": "555 123 4567."}
_CUSTOMER = {"customer_name": "Dana Lee", "product_name": "Term Life Plus", "monthly_premium": "$42.50",
             "birth_date": "1985-03-03"}


def cut_undoable(sample: Sample, text: str) -> bool:
    """Whether the dialogue could take back the cut words: the real machine is brought to the answer's
    question and given them, as the session does (voicebot/session/take_back.py ``undoable``)."""
    from voicebot.dialogue.events import CallerText, Listen
    from voicebot.dialogue.machine import Conversation

    dialogue = _reader(sample.answer.dialogue).dialogue
    variables = {k: v for k, v in _CUSTOMER.items() if k in dialogue.variables}
    conversation = Conversation(dialogue, variables)
    actions = conversation.start()
    for _ in range(30):
        listen = next((a for a in reversed(actions) if isinstance(a, Listen)), None)
        if listen is None or conversation.ended:
            raise RuntimeError(f"{sample.answer.dialogue} ended before asking {sample.answer.slot}")
        slot = listen.slot or ""
        if slot == sample.answer.slot and slot not in conversation.slots:
            break
        # An order taken, "Anything else?" asks for the same slot again.
        answer = ("That's all." if slot == "items" and slot in conversation.slots
                  else _ON_THE_WAY.get(slot, "Yes."))
        actions = conversation.handle(CallerText(answer))
    else:
        raise RuntimeError(f"{sample.answer.dialogue} never asked {sample.answer.slot}")
    at_confirm = conversation.at_confirm
    actions = conversation.handle(CallerText(text))
    return undoable(actions, call_ended=conversation.ended, answered_confirm=at_confirm)


def run_silence(sample: Sample, probabilities: Sequence[float], end_silence_ms: int) -> Outcome:
    turns = TurnTaking(dataclasses.replace(turn_config(sample.band), end_silence_ms=end_silence_ms))
    for i, p in enumerate(probabilities):
        for event in turns.update(p, FRAME_MS):
            if isinstance(event, SpeechEnded):
                # The session starts its speculative decode 240 ms into the pause; here at the first
                # frame 200 ms in, as for the endpointer, so both policies share one decode per pause.
                return judge(sample, "silence", event, (i + 1) * FRAME_MS, event.at_ms + SPECULATIVE_AFTER_MS)
    return judge(sample, "silence", None, 0.0, 0.0)


def run_endpointer(sample: Sample, probabilities: Sequence[float], config: EndpointingConfig,
                   dialogue: bool) -> Outcome:
    policy = "smart_turn_dialogue" if dialogue else "smart_turn"
    endpointer = Endpointer(turn_config(sample.band), config)
    # Results in flight: (arrival in audio time, kind, value, pause they judge).
    pending: list[tuple[float, str, Any, int]] = []
    speech_start_ms = 0.0
    asked_at: dict[int, int] = {}  # pause start -> where the judges were asked (the decode starts there)
    model_ms: list[float] = []
    decode_ms: list[float] = []
    transcripts: list[str] = []
    verdicts: list[float] = []

    def finish(ended: SpeechEnded | None, ended_ms: float) -> Outcome:
        decode_end = 0.0 if ended is None else asked_at.get(ended.at_ms, ended.at_ms + config.ask_pause_ms)
        outcome = judge(sample, policy, ended, ended_ms, decode_end)
        outcome.asks, outcome.model_ms, outcome.decode_ms = len(asked_at), model_ms, decode_ms
        outcome.transcripts, outcome.verdicts = transcripts, verdicts
        outcome.reason = endpointer.ended_by if ended is not None else None
        return outcome

    for i, p in enumerate(probabilities):
        now = (i + 1) * FRAME_MS
        for arrival, kind, value, pause in sorted(pending):
            if arrival > now:
                continue
            pending.remove((arrival, kind, value, pause))
            events = (endpointer.set_completion(pause, value) if kind == "model"
                      else endpointer.set_answer(value, pause))
            for event in events:
                if isinstance(event, SpeechEnded):
                    return finish(event, arrival)
        for event in endpointer.update(p, FRAME_MS):
            if isinstance(event, SpeechEnded):
                return finish(event, now)
            if isinstance(event, SpeechStarted):
                speech_start_ms = float(event.at_ms)
            elif isinstance(event, AskTurnModel):
                asked_at[event.pause_start_ms] = event.at_ms
                start = max(0, round((speech_start_ms - PRE_ROLL_MS) * RATE_HZ / 1000))
                end = round(event.at_ms * RATE_HZ / 1000)
                verdict, cost = model_verdict(sample, start, end)
                model_ms.append(cost)
                verdicts.append(round(verdict, 3))
                pending.append((event.at_ms + cost, "model", verdict, event.pause_start_ms))
                if dialogue:
                    endpointer.set_answer(AnswerState.PENDING, event.pause_start_ms)
                    text, cost = transcribe(sample, start, end)
                    decode_ms.append(cost)
                    transcripts.append(text)
                    view = dialogue_view(sample, text)
                    pending.append((event.at_ms + cost, "dialogue", view, event.pause_start_ms))
    return finish(None, 0.0)


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    delays = [o.delay_ms for o in outcomes if o.delay_ms is not None]
    ready = [o.ready_delay_ms for o in outcomes if o.ready_delay_ms is not None]
    false = [o for o in outcomes if o.false_end]
    model = [c for o in outcomes for c in o.model_ms]
    decode = [c for o in outcomes for c in o.decode_ms]
    repaired = [o for o in false if o.repaired]
    bot_audio = [o.bot_audio_ms for o in repaired if o.bot_audio_ms is not None]
    return {
        "turns": n,
        "false_end": len(false),
        "false_end_rate": len(false) / n if n else 0.0,
        "taken_back": len(repaired),
        "false_end_after_take_back": len(false) - len(repaired),
        "false_end_after_take_back_rate": (len(false) - len(repaired)) / n if n else 0.0,
        "take_back_bot_audio_p50_ms": float(np.percentile(bot_audio, 50)) if bot_audio else None,
        "take_back_bot_audio_p95_ms": float(np.percentile(bot_audio, 95)) if bot_audio else None,
        "take_back_bot_audio_max_ms": max(bot_audio) if bot_audio else None,
        "false_end_after_take_back_keys": [o.key for o in false if not o.repaired],
        "never_ended": sum(o.ended_ms is None for o in outcomes),
        "delay_mean_ms": float(np.mean(delays)) if delays else None,
        "delay_p50_ms": float(np.percentile(delays, 50)) if delays else None,
        "delay_p95_ms": float(np.percentile(delays, 95)) if delays else None,
        "ready_delay_mean_ms": float(np.mean(ready)) if ready else None,
        "ready_delay_p50_ms": float(np.percentile(ready, 50)) if ready else None,
        "asks_per_turn": sum(o.asks for o in outcomes) / n if n else 0.0,
        "model_cpu_ms_mean": float(np.mean(model)) if model else None,
        "decode_cpu_ms_mean": float(np.mean(decode)) if decode else None,
        "false_end_keys": [o.key for o in false],
    }


def report(outcomes: dict[str, list[Outcome]], bands: Sequence[str]) -> dict[str, Any]:
    summaries: dict[str, Any] = {}
    for policy, results in outcomes.items():
        summaries[policy] = {"all": summarise(results)}
        for band in bands:
            summaries[policy][band] = summarise([o for o in results if o.key.endswith("/" + band)])
    print()
    print("| policy | band | turns | false end of turn (raw) | after take-back "
          "| bot audio before the take-back, p50 / p95 / max | end-of-turn delay, mean (p50 / p95) "
          "| transcript ready, mean (p50) | model asks per turn |")
    print("|---|---|---|---|---|---|---|---|---|")
    for policy, by_band in summaries.items():
        for band, s in by_band.items():
            delay = "-" if s["delay_mean_ms"] is None else (
                f"{s['delay_mean_ms']:.0f} ms ({s['delay_p50_ms']:.0f} / {s['delay_p95_ms']:.0f})")
            false_end = f"{s['false_end']} ({100 * s['false_end_rate']:.1f}%)"
            after = f"{s['false_end_after_take_back']} ({100 * s['false_end_after_take_back_rate']:.1f}%)"
            heard = "-" if s["take_back_bot_audio_p50_ms"] is None else (
                f"{s['take_back_bot_audio_p50_ms']:.0f} / {s['take_back_bot_audio_p95_ms']:.0f} / "
                f"{s['take_back_bot_audio_max_ms']:.0f} ms")
            ready = "-" if s["ready_delay_mean_ms"] is None else (
                f"{s['ready_delay_mean_ms']:.0f} ms ({s['ready_delay_p50_ms']:.0f})")
            print(f"| {policy} | {band} | {s['turns']} | {false_end} | {after} | {heard} | {delay} | {ready} "
                  f"| {s['asks_per_turn']:.2f} |")
    print()
    print("| policy | voices | answers with pauses: false end | answers in one go: false end "
          "| answers in one go: transcript ready, mean (p50) |")
    print("|---|---|---|---|---|")
    paused = {a.key for a in ANSWERS if a.pauses}
    for policy, results in outcomes.items():
        for family in ("piper", "espeak", ""):
            chosen = [o for o in results if o.key.split("/")[1].startswith(family)]
            with_pauses = [o for o in chosen if o.key.split("/")[0] in paused]
            one_go = [o for o in chosen if o.key.split("/")[0] not in paused]
            ready = [o.ready_delay_ms for o in one_go if o.ready_delay_ms is not None]
            cut = sum(o.false_end for o in with_pauses)
            cut_one_go = sum(o.false_end for o in one_go)
            ready_text = f"{np.mean(ready):.0f} ms ({np.percentile(ready, 50):.0f})" if ready else "-"
            share = 100 * cut / max(1, len(with_pauses))
            print(f"| {policy} | {family or 'all'} | {cut}/{len(with_pauses)} ({share:.1f}%) "
                  f"| {cut_one_go}/{len(one_go)} | {ready_text} |")
    for policy, by_band in summaries.items():
        s = by_band["all"]
        model = "-" if s["model_cpu_ms_mean"] is None else f"{s['model_cpu_ms_mean']:.0f} ms"
        decode = "-" if s["decode_cpu_ms_mean"] is None else f"{s['decode_cpu_ms_mean']:.0f} ms"
        print(f"{policy}: model CPU {model}, decode CPU {decode}; false ends: {s['false_end_keys']}; "
              f"after take-back: {s['false_end_after_take_back_keys']}")
    false_ends(outcomes)
    return summaries


def false_ends(outcomes: dict[str, list[Outcome]]) -> None:
    """Which answers are cut, by which voices, in which pauses, and which judge ended them."""
    print()
    print("| policy | answer | false ends: Piper / eSpeak (of 6 / 4) | caller's pause cut, ms | ended by "
          "| last transcript (Smart Turn) | taken back | caller went on after the end, ms | reply's "
          "first audio after the end, ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for policy, results in outcomes.items():
        by_answer: dict[str, list[Outcome]] = {}
        for o in results:
            if o.false_end:
                by_answer.setdefault(o.key.split("/")[0], []).append(o)
        for answer, cut in sorted(by_answer.items(), key=lambda item: -len(item[1])):
            piper = sum(o.key.split("/")[1].startswith("piper") for o in cut)
            gaps = ", ".join(sorted(f"{o.gap_ms}" for o in cut if o.gap_ms is not None))
            reasons = ", ".join(f"{r} {sum(str(o.reason) == r for o in cut)}"
                                for r in sorted({str(o.reason) for o in cut}))
            heard = "; ".join(sorted({f"{o.transcripts[-1]!r} ({o.verdicts[-1]:.2f})" for o in cut
                                      if o.transcripts and o.verdicts}))
            resumed = ", ".join(sorted(f"{o.resumed_ms:.0f}" for o in cut if o.resumed_ms is not None))
            reply = ", ".join(sorted(f"{o.reply_ms:.0f}" for o in cut if o.reply_ms is not None))
            print(f"| {policy.split()[0]} | {answer} | {piper} / {len(cut) - piper} | {gaps} | {reasons} "
                  f"| {heard} | {sum(o.repaired for o in cut)} of {len(cut)} | {resumed} | {reply} |")


def merge(paths: Sequence[Path]) -> int:
    """One report from the --json files of several runs (one per voice run side by side, or a rerun of
    some answers after a change, given last)."""
    by_key: dict[str, dict[str, Outcome]] = {}
    for path in paths:  # a later file's outcome for the same sample replaces an earlier one
        for policy, results in json.loads(path.read_text())["outcomes"].items():
            by_key.setdefault(policy, {}).update((r["key"], Outcome(**r)) for r in results)
    report({policy: list(found.values()) for policy, found in by_key.items()}, BANDS)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", default=",".join(POLICIES))
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--bands", default=",".join(BANDS))
    parser.add_argument("--answers", default="", help="comma-separated answer keys (default: all)")
    parser.add_argument("--end-silence-ms", type=int, default=600, help="the silence rule's pause")
    parser.add_argument("--ask-pause-ms", default=str(EndpointingConfig().ask_pause_ms),
                        help="comma-separated pauses that ask the judges; each makes its own row")
    parser.add_argument("--max-pause-ms", type=int, default=EndpointingConfig().max_pause_ms)
    parser.add_argument("--thresholds", default=str(EndpointingConfig().complete_threshold),
                        help="comma-separated turn-model thresholds; each makes its own row")
    parser.add_argument("--complete-pause-ms", default=str(EndpointingConfig().complete_pause_ms),
                        help="comma-separated: a whole answer the model does not call complete ends here")
    parser.add_argument("--open-pause-ms", default=str(EndpointingConfig().open_pause_ms),
                        help="comma-separated: an open answer (order, comment) the model calls complete "
                             "ends here")
    parser.add_argument("--complete-min-pause-ms", default=str(EndpointingConfig().complete_min_pause_ms),
                        help="comma-separated: a whole answer the model agrees with ends no sooner")
    parser.add_argument("--open-confident", default=str(EndpointingConfig().open_confident_threshold),
                        help="comma-separated: the turn model's probability from which an open answer ends "
                             "after --open-confident-pause-ms instead (1: never)")
    parser.add_argument("--open-confident-pause-ms",
                        default=str(EndpointingConfig().open_confident_pause_ms),
                        help="comma-separated: the pause that ends an open answer the model is sure of")
    parser.add_argument("--encoder-window-s", type=float, default=15.0,
                        help="whisper's encoder window for the speculative decodes (stt.encoder_window_s)")
    parser.add_argument("--take-back-window-ms", type=int, default=TakeBackConfig().window_ms,
                        help="turn.take_back_window_ms: a cut is repaired when the caller goes on this soon")
    parser.add_argument("--take-back-max-bot-audio-ms", type=int, default=TakeBackConfig().max_bot_audio_ms,
                        help="turn.take_back_max_bot_audio_ms: ... and the reply played at most this much")
    parser.add_argument("--json", type=Path, help="write every outcome and the summaries here")
    parser.add_argument("--merge", type=Path, nargs="+", help="only report on these --json files together")
    args = parser.parse_args(argv)
    if args.merge:
        return merge(args.merge)
    policies = [p for p in args.policies.split(",") if p]
    unknown = set(policies) - set(POLICIES)
    if unknown:
        parser.error(f"unknown policies {sorted(unknown)}; choose from {', '.join(POLICIES)}")
    keys = {k for k in args.answers.split(",") if k}
    answers = [a for a in ANSWERS if not keys or a.key in keys]
    ENCODER_WINDOW_S[0] = args.encoder_window_s
    TAKE_BACK[0] = TakeBackConfig(args.take_back_window_ms, args.take_back_max_bot_audio_ms)

    def listed(text: str) -> list[str]:
        return [x for x in text.split(",") if x]

    configs = {
        f"ask={a} t={float(t):g} complete={c} open={o}"
        + (f" sure={float(st):g}@{sp}" if float(st) < 1 else "") + (f" min={m}" if int(m) else ""):
        EndpointingConfig(
            ask_pause_ms=int(a), max_pause_ms=args.max_pause_ms, complete_threshold=float(t),
            complete_pause_ms=int(c), open_pause_ms=int(o), open_confident_threshold=float(st),
            open_confident_pause_ms=int(sp), complete_min_pause_ms=int(m))
        for a in listed(args.ask_pause_ms) for t in listed(args.thresholds)
        for c in listed(args.complete_pause_ms) for o in listed(args.open_pause_ms)
        for m in listed(args.complete_min_pause_ms) for st in listed(args.open_confident)
        for sp in listed(args.open_confident_pause_ms)[: None if float(st) < 1 else 1]
    }
    labels = []
    for policy in policies:
        labels += [policy] if policy == "silence" else [f"{policy} {c}" for c in configs]
    outcomes: dict[str, list[Outcome]] = {label: [] for label in labels}
    bands = [b for b in args.bands.split(",") if b]
    for sample in build_corpus(voices=args.voices.split(","), bands=bands, answers=answers):
        probabilities = vad_probabilities(sample)
        for label in labels:
            policy = label.split()[0]
            if policy == "silence":
                outcome = run_silence(sample, probabilities, args.end_silence_ms)
            else:
                config = configs[label.split(" ", 1)[1]]
                dialogue = policy == "smart_turn_dialogue"
                outcome = run_endpointer(sample, probabilities, config, dialogue=dialogue)
            outcome.policy = label
            outcomes[label].append(outcome)
            flag = ("FALSE END" + (" (taken back)" if outcome.repaired else "")) if outcome.false_end else ""
            print(f"{sample.key:45s} {label:26s} ended {outcome.ended_ms} delay {outcome.delay_ms} "
                  f"{outcome.verdicts} {flag} {outcome.transcripts}", flush=True)
    summaries = report(outcomes, bands)
    if args.json:
        args.json.write_text(json.dumps({
            "config": {"end_silence_ms": args.end_silence_ms, "max_pause_ms": args.max_pause_ms,
                       "endpointing": sorted(configs)},
            "summaries": summaries,
            "outcomes": {p: [dataclasses.asdict(o) for o in os] for p, os in outcomes.items()},
        }, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
