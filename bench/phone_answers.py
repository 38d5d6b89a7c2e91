"""Slot accuracy on the phone-line answer corpus: does the dialogue get the caller's answer right?

Every corpus file (bench/phone_corpus.py) goes through the recogniser the way a live turn does (the
transcriber the live engine pool builds for the dialogue's language, from voicebot.yml's ``stt``
settings; the line's audio resampled to 16 kHz), then through the dialogue's own SlotReader for the
step's slot, with the global intents checked first as the dialogue machine does. Reported per ask
type and per voice, with the rate of "stop" heard where an answer was expected.

Recognisers are pluggable (``RECOGNIZERS``); ``--mode`` picks one or several, run side by side:

    free      transcriber.transcribe(audio, language=..., hints=live hints): today's live path
    grammar   the same with ``expected=`` the step's expected answers (voicebot.dialogue.grammar), decided
              as the dialogue machine decides (grammar.read_answer); needs a transcribe() with expected=
    text      the reference text itself: the understanding alone, without speech recognition
    plain     faster-whisper on the same model with plain settings (beam 3, temperature 0, no timestamps)

    .venv/bin/python bench/phone_answers.py [--mode free,grammar] [--condition phone8] [--voice V]
        [--language en] [--every N] [--config voicebot.yml] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from phone_corpus import DEFAULT_OUT, CorpusError, corpus_rows

from voicebot.audio.io import read_audio

Float32Array = npt.NDArray[np.float32]
RATE_HZ = 16_000
_CLOSERS_EN = ("that's all", "that is all", "no that's it", "that's it", "that's everything",
               "nothing else", "nothing else thanks")


@dataclass(frozen=True, slots=True)
class Question:
    """What the recogniser may know about the turn: the dialogue and the slot being asked."""

    language: str
    dialogue: Any
    slot: str
    hints: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Heard:
    text: str
    confidence: float | None
    cpu_ms: float = 0.0
    read_back: bool = False  # the dialogue would read this answer back before taking it
    second_opinion: str | None = None  # "taken" / "kept": heard again by stt.second_opinion's model
    second_opinion_ms: float = 0.0  # of cpu_ms, the second opinion's decode
    # The recogniser's own output behind the reading (grammar mode): to re-read decisions offline.
    transcript: str | None = None
    logprob: float | None = None
    alternatives: tuple[tuple[str, float], ...] = ()


Recognize = Callable[[Float32Array, Question, dict[str, Any]], Heard]  # (audio, question, row)


@dataclass(slots=True)
class Tally:
    n: int = 0
    right: int = 0
    wrong: int = 0  # a value (or another intent) the caller did not say: the worst outcome
    missed: int = 0  # nothing understood: the dialogue asks again
    stop_heard: int = 0  # a stop intent where an answer was expected: the call would end
    cpu_ms: float = 0.0
    wrong_read_back: int = 0  # of the wrong values, those the dialogue reads back before taking them
    right_read_back: int = 0  # of the right ones, likewise (a question the caller did not need)

    def add(self, verdict: str, stop_heard: bool, cpu_ms: float, read_back: bool = False) -> None:
        self.n += 1
        self.cpu_ms += cpu_ms
        if verdict == "right":
            self.right += 1
            self.right_read_back += read_back
        elif verdict == "wrong":
            self.wrong += 1
            self.wrong_read_back += read_back
        else:
            self.missed += 1
        self.stop_heard += stop_heard

    def merge(self, other: Tally) -> None:
        for name in ("n", "right", "wrong", "missed", "stop_heard", "cpu_ms", "wrong_read_back",
                     "right_read_back"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def accuracy(self) -> float:
        return self.right / self.n if self.n else 0.0


@dataclass(slots=True)
class Report:
    mode: str
    by_ask: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_voice: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_voice_ask: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    calibration: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    items: list[dict[str, Any]] = field(default_factory=list)


# ---- recognisers ----

class _Engines:
    """The live path's transcribers, one per language, loaded on first use."""

    def __init__(self, config_path: Path | None) -> None:
        from voicebot.config import load_config
        from voicebot.session.engines import EnginePool

        self._pool = EnginePool.from_config(load_config(config_path))

    def transcriber(self, language: str) -> Any:
        return self._pool.transcriber(language)

    def second_opinion(self, language: str) -> Any:
        return self._pool.second_opinion(language)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.process_time()
    result = call()
    return result, 1000 * (time.process_time() - started)


def free_recognizer(engines: _Engines) -> Recognize:
    def recognize(audio: Float32Array, question: Question, row: dict[str, Any]) -> Heard:
        transcriber = engines.transcriber(question.language)
        result, cpu_ms = _timed(lambda: transcriber.transcribe(audio, language=question.language,
                                                               hints=question.hints))
        return Heard(result.text, result.confidence, cpu_ms)

    return recognize


def plain_recognizer(engines: _Engines) -> Recognize:
    """faster-whisper itself on the live transcriber's model, with bench/wer.py's plain settings (beam 3,
    temperature 0, without_timestamps): what the model gives without the product's decoding options."""
    def recognize(audio: Float32Array, question: Question, row: dict[str, Any]) -> Heard:
        model = engines.transcriber(question.language)._model

        def decode() -> list[Any]:
            segments, _ = model.transcribe(audio, language=question.language, beam_size=3, temperature=0.0,
                                           without_timestamps=True, condition_on_previous_text=False,
                                           vad_filter=False)
            return list(segments)

        segments, cpu_ms = _timed(decode)
        text = " ".join(s.text.strip() for s in segments).strip()
        logprobs = [s.avg_logprob for s in segments]
        confidence = float(np.exp(np.mean(logprobs))) if logprobs else None
        return Heard(text, confidence, cpu_ms)

    return recognize


def accepts_expected(transcriber: Any) -> bool:
    """Whether this transcribe() takes ``expected=`` (the grammar pass)."""
    try:
        parameters = inspect.signature(transcriber.transcribe).parameters
    except (TypeError, ValueError):
        return False
    return "expected" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def grammar_recognizer(engines: _Engines) -> Recognize:
    """The live path with the grammar pass, decided as the dialogue machine decides (grammar.read_answer):
    the step's expected answers scored on the audio, the free transcript or the expected answer chosen."""
    from voicebot.dialogue import grammar, second_opinion
    from voicebot.dialogue.understanding import SlotReader

    cache: dict[tuple[str, str], tuple[Any, Any]] = {}

    def recognize(audio: Float32Array, question: Question, row: dict[str, Any]) -> Heard:
        transcriber = engines.transcriber(question.language)
        key = (question.dialogue.name, question.slot)
        if key not in cache:
            reader = SlotReader(question.dialogue)
            spec = question.dialogue.slots[question.slot]
            hints = tuple(h for step in _ask_steps(question.dialogue, question.slot)
                          for h in getattr(step, "hints", ()))
            expected = grammar.for_slot(question.dialogue, spec, hints,
                                        read=lambda said: reader.read(spec, said, strict=True))
            cache[key] = (reader, expected)
        reader, expected = cache[key]
        result, cpu_ms = _timed(lambda: transcriber.transcribe(audio, language=question.language,
                                                               hints=question.hints,
                                                               expected=expected.to_score))
        # The listener's second opinion (session/listener.py): a turn read as no answer, heard again.
        second = engines.second_opinion(question.language)
        asked = None
        more_ms = 0.0
        if second is not None and second_opinion.wanted(reader, expected, result):
            again, more_ms = _timed(lambda: second.transcribe(audio, language=question.language,
                                                              hints=question.hints,
                                                              expected=expected.to_score))
            cpu_ms += more_ms
            chosen = second_opinion.prefer(reader, expected, result, again)
            asked = "taken" if chosen is again else "kept"
            result = chosen
        reading = grammar.read_answer(reader, expected, result.text, result.confidence, result.alternatives,
                                      result.logprob)
        # An open ask's answer under the dialogue's low_confidence is read back too (a phone number of an
        # unusual length, grammar_open.read_open), as the dialogue machine does for any value but free text.
        unsure = (not expected.closed and bool(expected.requests) and reading.confidence is not None
                  and reading.confidence < question.dialogue.behaviour.low_confidence)
        return Heard(reading.text, reading.confidence, cpu_ms,
                     read_back=unsure or (reading.source == "grammar"
                                          and (reading.confidence or 0) < grammar.ACCEPT_POSTERIOR),
                     second_opinion=asked, second_opinion_ms=more_ms, transcript=result.text,
                     logprob=result.logprob, alternatives=tuple(result.alternatives))

    return recognize


def text_recognizer() -> Recognize:
    def recognize(audio: Float32Array, question: Question, row: dict[str, Any]) -> Heard:
        return Heard(str(row["reference"]), 1.0)

    return recognize


RECOGNIZERS: dict[str, Callable[[argparse.Namespace, _Engines], Recognize]] = {
    "free": lambda args, engines: free_recognizer(engines),
    "grammar": lambda args, engines: grammar_recognizer(engines),
    "text": lambda args, engines: text_recognizer(),
    "plain": lambda args, engines: plain_recognizer(engines),
}


# ---- understanding, as the dialogue machine does it ----

class Understanding:
    """Dialogues and their SlotReaders, loaded once."""

    def __init__(self, dialogues_dir: Path) -> None:
        self._dir = dialogues_dir
        self._dialogues: dict[str, Any] = {}
        self._readers: dict[str, Any] = {}

    def dialogue(self, name: str) -> Any:
        if name not in self._dialogues:
            from voicebot.dialogue.loader import load_dialogue
            from voicebot.dialogue.understanding import SlotReader

            self._dialogues[name] = load_dialogue(self._dir / f"{name}.yml")
            self._readers[name] = SlotReader(self._dialogues[name])
        return self._dialogues[name]

    def question(self, row: dict[str, Any]) -> Question:
        dialogue = self.dialogue(row["dialogue"])
        return Question(dialogue.language, dialogue, row["step"], live_hints(dialogue, row["step"]))

    @staticmethod
    def _judge_closer(dialogue: Any, reader: Any, spec: Any, text: str, step: str) -> str:
        """A closer said to "Anything else?", judged as the machine's order wait reads it.

        Right: the order is finished with nothing added. Wrong: items added, another slot filled, a yes
        (the bot asks what else), or an agent or stop request. Missed: not understood (the bot asks again).
        A "No, not it." for "no that's it" finishes the order as the caller meant.
        """
        if not text:
            return "missed"
        try:
            import voicebot.dialogue.anything_else as order_wait
        except ImportError:  # a commit before the order wait: the closer reader alone
            closer = is_closer(text, dialogue.language)
            return "right" if closer and reader.intent(text) is None else "wrong"
        signs_off = getattr(order_wait, "signs_off_after_words", None)  # before "Alright, bye": none
        finished = signs_off is not None and signs_off(reader, text)
        intent = None if reader.is_closer(text) else reader.intent(text)
        if intent == "agent" or (intent == "stop" and not finished):
            return "wrong"
        others = [
            name for name, other in dialogue.slots.items()
            if name != step and other.anywhere and reader.read(other, text, strict=True) is not None
        ]
        answer = order_wait.read_more(reader, spec, text, others=bool(others))
        if answer.lines or others or answer.yes:
            return "wrong"
        return "right" if answer.done else "missed"

    def judge(self, row: dict[str, Any], text: str) -> tuple[str, Any, str | None]:
        """(verdict, value read, intent heard): verdict is right, wrong or missed."""
        dialogue = self.dialogue(row["dialogue"])
        reader = self._readers[row["dialogue"]]
        spec = dialogue.slots[row["step"]]
        text = text.strip()
        intent = reader.intent(text) if text else None
        if intent == "repeat" and reader.read(spec, text, strict=True) is not None:
            intent = None  # an answer wins over "I didn't hear", as in the machine
        farewell = getattr(reader, "only_farewell", None)  # absent before the order's goodbye rule
        if intent == "stop" and spec.type == "order_lines" and farewell is not None and farewell(text) \
                and reader.read(spec, text, strict=True) is not None:
            intent = None  # "two large pepperoni, bye": the order wins, as in the machine
        if row["intent"] == "closer":
            verdict = self._judge_closer(dialogue, reader, spec, text, row["step"])
            return verdict, None, None if verdict == "right" else intent  # "that's all, bye" ends no call
        if row["intent"] == "hold":  # "one moment please": right when nothing is taken and the call goes on
            if intent in ("agent", "stop"):
                return "wrong", None, intent
            value = reader.read(spec, text) if text else None
            return ("right" if value is None else "wrong"), value, intent
        if row["intent"] in ("who", "bot"):
            # "who is this?" / "are you a robot?": right when the dialogue says who, or what, is calling
            # (readers before those answers have no asks_who / asks_if_bot: missed).
            asks = getattr(reader, "asks_who" if row["intent"] == "who" else "asks_if_bot", None)
            if intent in ("agent", "stop"):
                return "wrong", None, intent
            value = reader.read(spec, text) if text else None
            if value is not None:
                return "wrong", value, intent
            return ("right" if asks is not None and asks(text) else "missed"), None, intent
        if row["intent"]:
            if intent == row["intent"]:
                return "right", None, intent
            return ("wrong" if intent in ("agent", "stop") else "missed"), None, intent
        if intent in ("agent", "stop"):
            return "wrong", None, intent
        value = reader.read(spec, text) if text else None
        if value is None:
            return "missed", None, intent
        return ("right" if same_value(value, row["expected"]) else "wrong"), value, intent


def live_hints(dialogue: Any, slot: str) -> tuple[str, ...]:
    """The prompt words a live turn passes: the listen's hints less the slot vocabulary (session/listener.py).

    The shipped dialogues name no extra hints, so this is empty for them; a dialogue that does gets them.
    """
    try:
        from voicebot.session.listener import slot_vocabulary
    except ImportError:
        return ()
    vocabulary = slot_vocabulary(dialogue)
    extra = [h for step in _ask_steps(dialogue, slot) for h in getattr(step, "hints", ())]
    return tuple(h for h in dict.fromkeys(extra) if h not in vocabulary)


def _ask_steps(dialogue: Any, slot: str) -> Iterable[Any]:
    def walk(steps: Iterable[Any]) -> Iterable[Any]:
        for step in steps:
            if getattr(step, "slot", None) == slot:
                yield step
            for attr in ("then", "otherwise", "else_", "on_yes", "on_no", "on_failure", "on_silence"):
                inner = getattr(step, attr, None)
                if isinstance(inner, list | tuple):
                    yield from walk(inner)

    for flow in getattr(dialogue, "flows", {}).values():
        yield from walk(getattr(flow, "steps", flow) if not isinstance(flow, list | tuple) else flow)


def is_closer(text: str, language: str) -> bool:
    try:
        from voicebot.nlu.closer import is_closer as product_is_closer
    except ImportError:
        from voicebot.nlu.normalize import words

        return " ".join(words(text, language)) in {" ".join(words(c, language)) for c in _CLOSERS_EN}
    found: bool = product_is_closer(text, language)
    return found


def same_value(got: Any, expected: Any) -> bool:
    if isinstance(expected, list) and isinstance(got, list):
        def key(line: Any) -> str:
            return json.dumps(line, sort_keys=True)

        return sorted(map(key, got)) == sorted(map(key, expected))
    if isinstance(expected, bool) or isinstance(got, bool):
        return got is expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return float(got) == float(expected)
    return str(got) == str(expected)


# ---- running and reporting ----

def run(rows: Sequence[dict[str, Any]], modes: dict[str, Recognize], understanding: Understanding,
        *, log: Callable[[str], None]) -> list[Report]:
    reports = {mode: Report(mode) for mode in modes}
    for index, row in enumerate(rows):
        audio = read_audio(row["path"], RATE_HZ)  # the line's rate up to 16 kHz, as the door does
        question = understanding.question(row)
        for mode, recognize in modes.items():
            heard = recognize(audio, question, row)
            verdict, value, intent = understanding.judge(row, heard.text)
            stop_heard = intent == "stop" and row["intent"] != "stop"
            report = reports[mode]
            condition = row["condition"]
            for tally in (report.by_ask[(condition, row["ask"])], report.by_voice[(condition, row["voice"])],
                          report.by_voice_ask[(condition, row["voice"], row["ask"])]):
                tally.add(verdict, stop_heard, heard.cpu_ms, heard.read_back)
            if heard.confidence is not None and mode != "text":
                cell = report.calibration[(condition, min(9, int(heard.confidence * 10)))]
                cell[0] += 1
                cell[1] += verdict == "right"
            report.items.append({"id": row["id"], "file": row["file"], "voice": row["voice"],
                                 "condition": condition, "ask": row["ask"], "reference": row["reference"],
                                 "heard": heard.text, "confidence": heard.confidence, "value": value,
                                 "expected": row["expected"], "intent": intent, "verdict": verdict,
                                 "read_back": heard.read_back, "cpu_ms": round(heard.cpu_ms, 1),
                                 "second_opinion": heard.second_opinion,
                                 "second_opinion_ms": round(heard.second_opinion_ms, 1),
                                 "transcript": heard.transcript, "logprob": heard.logprob,
                                 "alternatives": [list(a) for a in heard.alternatives]})
        if (index + 1) % 100 == 0:
            log(f"{index + 1}/{len(rows)} files")
    return list(reports.values())


def _pct(tally: Tally | None) -> str:
    return "-" if tally is None or not tally.n else f"{100 * tally.accuracy():.1f}"


def _right_wrong(tally: Tally | None) -> str:
    """"right / wrong" in % of the cell's answers, with the wrong values read back before being taken."""
    if tally is None or not tally.n:
        return "-"
    cell = f"{100 * tally.right / tally.n:.1f} / {100 * tally.wrong / tally.n:.1f}"
    return cell + (f" ({tally.wrong_read_back} read back)" if tally.wrong_read_back else "")


def markdown(report: Report) -> str:
    out: list[str] = []
    conditions = sorted({c for c, _ in report.by_ask})
    asks = [a for a in ("number", "yes_no", "menu", "date", "phone", "intent")
            if any(k[1] == a for k in report.by_ask)]
    for condition in conditions:
        total = Tally()
        for (c, _), t in report.by_ask.items():
            if c == condition:
                total.merge(t)
        out.append(f"\n**{report.mode}, {condition}**: {total.n} answers, slot accuracy "
                   f"{100 * total.accuracy():.1f}% (wrong value {total.wrong}, "
                   f"not understood {total.missed}), "
                   f"stop heard where an answer was expected {total.stop_heard} "
                   f"({100 * total.stop_heard / max(total.n, 1):.1f}%), "
                   f"mean CPU {total.cpu_ms / max(total.n, 1):.0f} ms per answer\n")
        out.append("| voice | " + " | ".join(asks) + " | all | stop heard |")
        out.append("|---" * (len(asks) + 3) + "|")
        voices = sorted(v for c, v in report.by_voice if c == condition)
        for voice in voices:
            cells = [_pct(report.by_voice_ask.get((condition, voice, a))) for a in asks]
            t = report.by_voice[(condition, voice)]
            out.append(f"| {voice} | " + " | ".join(cells) + f" | {_pct(t)} (n={t.n}) | {t.stop_heard} |")
        cells = [f"{_pct(report.by_ask.get((condition, a)))} (n={report.by_ask[(condition, a)].n})"
                 if (condition, a) in report.by_ask else "-" for a in asks]
        out.append("| **all** | " + " | ".join(cells) + f" | {_pct(total)} | {total.stop_heard} |")
        out.append(f"\nright / wrong % per voice and ask type ({report.mode}, {condition}; the wrong values "
                   "read back before being taken in brackets; CPU ms per answer in the last row)\n")
        out.append("| voice | " + " | ".join(asks) + " |")
        out.append("|---" * (len(asks) + 1) + "|")
        for voice in voices:
            out.append(f"| {voice} | " + " | ".join(
                _right_wrong(report.by_voice_ask.get((condition, voice, a))) for a in asks) + " |")
        out.append("| **all** | " + " | ".join(
            _right_wrong(report.by_ask.get((condition, a))) for a in asks) + " |")
        out.append("| CPU ms | " + " | ".join(
            f"{t.cpu_ms / max(t.n, 1):.0f}" if (t := report.by_ask.get((condition, a))) else "-"
            for a in asks) + " |")
        bins = sorted((b, v) for (c, b), v in report.calibration.items() if c == condition)
        if bins:
            out.append("\nconfidence bin: answers, % right — " + ", ".join(
                f"{b / 10:.1f}-{(b + 1) / 10:.1f}: {n}, {100 * r / n:.0f}%" for b, (n, r) in bins))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_OUT,
                        help="corpus directory (built where it has none; used as it is otherwise)")
    parser.add_argument("--mode", default="free",
                        help=f"comma-separated recognisers to run side by side: {', '.join(RECOGNIZERS)}")
    parser.add_argument("--condition", action="append", choices=["clean16", "phone8"], help="default: both")
    parser.add_argument("--voice", action="append", help="only these voices (default: all)")
    parser.add_argument("--language", choices=["en", "ko"], help="only this language")
    parser.add_argument("--ask", action="append", help="only these ask types")
    parser.add_argument("--every", type=int, default=1, metavar="N", help="take every Nth file (quick runs)")
    parser.add_argument("--start", type=int, default=0, metavar="K",
                        help="with --every: start at the Kth matching file (--every 2 --start 1: the tuning "
                             "half that the held-out --every 2 leaves out)")
    parser.add_argument("--config", type=Path, help="voicebot.yml whose stt settings to use")
    parser.add_argument("--dialogues", type=Path, default=Path("dialogues"), help="dialogues directory")
    parser.add_argument("--json", type=Path, help="write every answer's result here")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    unknown = [m for m in modes if m not in RECOGNIZERS]
    if unknown or not modes:
        print(f"error: unknown --mode {', '.join(unknown) or '(none)'}; choose from {', '.join(RECOGNIZERS)}",
              file=sys.stderr)
        return 2
    if args.every < 1 or args.start < 0:
        print("error: --every must be at least 1 and --start at least 0", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        corpus = corpus_rows(args.corpus, log=log)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [r for r in corpus
            if (not args.condition or r["condition"] in args.condition)
            and (not args.voice or r["voice"] in args.voice)
            and (not args.language or r["language"] == args.language)
            and (not args.ask or r["ask"] in args.ask)][args.start::args.every]
    if not rows:
        print("error: no corpus file matches these filters", file=sys.stderr)
        return 2
    engines = _Engines(args.config)
    if "grammar" in modes:
        for language in sorted({r["language"] for r in rows}):
            transcriber = engines.transcriber(language)
            if not accepts_expected(transcriber):
                print(f"error: {transcriber.name}'s transcribe() takes no expected= argument on this branch: "
                      "run --mode free", file=sys.stderr)
                return 2
    recognizers = {mode: RECOGNIZERS[mode](args, engines) for mode in modes}
    started = time.perf_counter()
    reports = run(rows, recognizers, Understanding(args.dialogues), log=log)
    print(f"{len(rows)} corpus files ({args.corpus}), modes {', '.join(modes)}, "
          f"{time.perf_counter() - started:.0f} s wall on a shared machine")
    for report in reports:
        print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({r.mode: r.items for r in reports}, indent=1, ensure_ascii=False),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
