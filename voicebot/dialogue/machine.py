"""The dialogue machine: one ``Conversation`` per call, events in, actions out, no I/O.

The same object drives chat, conversation tests and voice calls. It walks the dialogue's steps with
a stack of frames (flows called, branches entered) and stops at every step that needs the caller
(ask, confirm) or the runtime (a webhook action).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, assert_never

from voicebot.dialogue import grammar, steplog
from voicebot.dialogue import model as m
from voicebot.dialogue.anything_else import add_lines, read_more, says_more_than_items, signs_off_after_words
from voicebot.dialogue.correction import correct, remove_order_lines
from voicebot.dialogue.defaults import CLOSER_HINTS, DEFAULT_TEXTS, YES_NO_HINTS
from voicebot.dialogue.events import (
    Action,
    ActionResult,
    CallerHangup,
    CallerText,
    CallWebhook,
    Dtmf,
    EndCall,
    Event,
    Listen,
    Say,
    SilenceTimeout,
    Transfer,
)
from voicebot.dialogue.render import (
    english_number_words,
    format_currency,
    format_phone,
    format_price_quote,
    order_total,
    render,
)
from voicebot.dialogue.understanding import SlotReader
from voicebot.dialogue.variables import resolve_variables
from voicebot.errors import DialogueError
from voicebot.nlu.order import CountFirst
from voicebot.record import CallRecord, Turn, utc_now_iso

# A dialogue that runs this many steps without waiting for anyone is looping (goto without an ask).
_MAX_STEPS_PER_TURN = 5000
# Free-text answers longer than this are content, not commands: "the agent was rude" is a comment.
_FREE_TEXT_COMMAND_WORDS = 4
# A stop said in at most this many words with low confidence may be a misheard answer: it is confirmed.
_UNSURE_STOP_WORDS = grammar.LONE_WORDS
# A request to repeat said in a free-text answer with at most this many other words is one.
_REPEAT_BESIDES_WORDS = 3
_NUMERIC_TYPES = ("integer", "number", "digits", "phone", "date", "time")


@dataclass(slots=True)
class _Frame:
    steps: tuple[m.Step, ...]
    index: int = 0


@dataclass(slots=True)
class _AskWait:
    step: m.Ask
    attempts: int = 0
    silences: int = 0
    # Part of the answer, kept for the next one to complete (SlotReader.partial_answer): an order's count and
    # size said before its items ("three pizzas"), a birth date's month and day without its year, a phone
    # number's first digits ("five five five", said back).
    partial: CountFirst | tuple[int, int] | str | None = None
    asked_back: bool = False  # the caller asked a question back once: the question was said again


@dataclass(slots=True)
class _ConfirmWait:
    step: m.Confirm
    attempts: int = 0
    silences: int = 0


@dataclass(slots=True)
class _CheckWait:
    """A value heard with low confidence, waiting for the caller to say yes or no to it."""

    ask: _AskWait
    value: Any
    silences: int = 0
    done: bool = False  # the answer also said "that's all": no "Anything else?" after a yes


@dataclass(slots=True)
class _MoreWait:
    """An order taken: "Anything else?" until the caller says that's all."""

    step: m.Ask
    attempts: int = 0
    silences: int = 0


@dataclass(slots=True)
class _ActionWait:
    step: m.Webhook
    action_id: str


@dataclass(slots=True)
class _Question:
    """What the bot last asked, said again on "repeat that" and after silence."""

    says: list[Say] = field(default_factory=list)
    listen: Listen | None = None


@dataclass(slots=True)
class _EndCheckWait:
    """A stop that may be a misheard word ("five" heard as "Bye."): asked before the call ends."""

    resume: _AskWait | _ConfirmWait | _CheckWait | _MoreWait
    question: _Question
    silences: int = 0


_Wait = _AskWait | _ConfirmWait | _CheckWait | _MoreWait | _EndCheckWait | _ActionWait


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A conversation between two events, for :meth:`Conversation.restore` (a caller turn taken back)."""

    stack: tuple[_Frame, ...]
    wait: _Wait | None
    question: _Question
    action_seq: int
    ended: bool
    outcome: str | None
    ended_at: str | None
    slots: dict[str, Any]
    variables: dict[str, Any]
    turns: int
    log_lengths: dict[str, int]  # the record's meta lists the machine appends to: "steps", "actions"


class Conversation:
    def __init__(
        self,
        dialogue: m.Dialogue,
        variables: dict[str, Any],
        call_id: str | None = None,
        clock: Callable[[], str] = utc_now_iso,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.dialogue = dialogue
        self._clock = clock
        self._reader = SlotReader(dialogue, today)
        values = resolve_variables(dialogue, variables)
        self.record = CallRecord(
            dialogue=dialogue.name,
            language=dialogue.language,
            variables=values,
            started_at=clock(),
            meta={"dialogue_hash": dialogue.content_hash},
        )
        if call_id is not None:
            self.record.call_id = call_id
        self.ended = False
        self._stack: list[_Frame] = []
        self._wait: _Wait | None = None
        self._question = _Question()
        self._action_seq = 0

    @property
    def slots(self) -> dict[str, Any]:
        return self.record.slots

    @property
    def variables(self) -> dict[str, Any]:
        return self.record.variables

    @property
    def at_confirm(self) -> bool:
        """The caller's next words answer a confirm step (what was read back, which the dialogue acts on)."""
        return isinstance(self._wait, _ConfirmWait)

    # ---- public API ----

    def snapshot(self) -> Snapshot:
        """The conversation now, to come back to with :meth:`restore`."""
        record = self.record
        return Snapshot(
            stack=tuple(replace(frame) for frame in self._stack), wait=_copy_wait(self._wait),
            question=_Question(list(self._question.says), self._question.listen),
            action_seq=self._action_seq, ended=self.ended, outcome=record.outcome,
            ended_at=record.ended_at, slots=copy.deepcopy(record.slots),
            variables=copy.deepcopy(record.variables), turns=len(record.turns),
            log_lengths={key: len(record.meta.get(key) or ()) for key in _LOGS})

    def restore(self, snapshot: Snapshot) -> None:
        """Back to ``snapshot``: the state, slots and variables, and the record's turns and step log as
        they were (the record object stays the same: the session shares it)."""
        record = self.record
        self._stack = [replace(frame) for frame in snapshot.stack]
        self._wait = _copy_wait(snapshot.wait)
        self._question = _Question(list(snapshot.question.says), snapshot.question.listen)
        self._action_seq = snapshot.action_seq
        self.ended = snapshot.ended
        record.outcome, record.ended_at = snapshot.outcome, snapshot.ended_at
        record.slots.clear()
        record.slots.update(copy.deepcopy(snapshot.slots))
        record.variables.clear()
        record.variables.update(copy.deepcopy(snapshot.variables))
        del record.turns[snapshot.turns:]
        for key, length in snapshot.log_lengths.items():
            if key in record.meta:
                del record.meta[key][length:]
                if not record.meta[key]:
                    del record.meta[key]

    def start(self) -> list[Action]:
        if self._stack or self.ended:
            raise RuntimeError("Conversation.start() may be called once")
        self._stack = [_Frame(self.dialogue.flows[self.dialogue.start_flow])]
        return self._run([])

    def handle(self, event: Event) -> list[Action]:
        if self.ended:
            return []
        wait, turns, slots = self._wait, len(self.record.turns), dict(self.slots)
        attempts = _attempts(wait)
        actions = self._handle(event)
        step = _step_id(wait)
        kind = _EVENT_KINDS.get(type(event))
        if step is not None and kind is not None:
            result = steplog.classify(
                kind, attempts_before=attempts, attempts_after=_attempts(wait),
                was_read_back=isinstance(wait, _CheckWait | _EndCheckWait),
                read_back_now=isinstance(self._wait, _CheckWait | _EndCheckWait) and self._wait is not wait,
                same_question=self._wait is wait
                or (isinstance(wait, _EndCheckWait) and self._wait is wait.resume),
                slots_changed=self.slots != slots, ended=self.ended,
                outcome=self.record.outcome, at_confirm=isinstance(wait, _ConfirmWait))
            steplog.note(self.record.meta, step, result, turns if kind in ("text", "dtmf") else None)
        return actions

    def _handle(self, event: Event) -> list[Action]:
        if isinstance(event, CallerHangup):
            self._end(outcome="hangup")
            return []
        if isinstance(event, CallerText):
            event, heard = self._heard(event)
            self.record.turns.append(Turn(role="caller", text=event.text, confidence=event.confidence,
                                          heard=heard))
        elif isinstance(event, Dtmf):
            self.record.turns.append(Turn(role="caller", text="", dtmf=event.digits))
        wait = self._wait
        if isinstance(wait, _ActionWait):
            if isinstance(event, ActionResult) and event.action_id == wait.action_id:
                return self._on_action_result(wait, event)
            return []  # caller speech during a webhook has nothing to answer yet; the turn is recorded
        if isinstance(event, ActionResult) or wait is None:
            return []
        if isinstance(event, SilenceTimeout):
            return self._on_silence(wait)
        if isinstance(wait, _EndCheckWait):
            return self._on_end_check(wait, event)
        return self._answer(wait, event)

    def _answer(self, wait: _AskWait | _ConfirmWait | _CheckWait | _MoreWait, event: Event) -> list[Action]:
        if isinstance(wait, _AskWait):
            return self._on_ask(wait, event)
        if isinstance(wait, _MoreWait):
            return self._on_more(wait, event)
        if isinstance(wait, _ConfirmWait):
            return self._on_confirm(wait, event)
        return self._on_check(wait, event)

    # ---- running steps ----

    def _run(self, out: list[Action]) -> list[Action]:
        for _ in range(_MAX_STEPS_PER_TURN):
            if self.ended:
                return out
            if not self._stack:
                self._end("ended")
                out.append(EndCall("ended"))
                return out
            frame = self._stack[-1]
            if frame.index >= len(frame.steps):
                self._stack.pop()
                continue
            step = frame.steps[frame.index]
            frame.index += 1
            if self._step(step, out):
                return out
        raise DialogueError(
            "the dialogue runs in a loop without asking the caller anything; check goto steps",
            file=str(self.dialogue.path) if self.dialogue.path else None,
        )

    def _step(self, step: m.Step, out: list[Action]) -> bool:
        """Carry out one step; True when the machine must now wait (or the call ended)."""
        match step:
            case m.Say():
                out.append(self._say(step.prompt, step.interruptible))
            case m.Ask():
                if step.slot in self.slots and not step.force:
                    return False  # mixed initiative: the caller already gave it
                wait = _AskWait(step)
                self._wait = wait
                self._ask_question(wait, out, [])
                return True
            case m.Confirm():
                cwait = _ConfirmWait(step)
                self._wait = cwait
                self._confirm_question(cwait, out, [])
                return True
            case m.If():
                branch = step.then if step.condition.evaluate(self._values()) else step.otherwise
                if branch:
                    self._stack.append(_Frame(branch))
            case m.SetValues():
                for name, value in step.values:
                    self.slots[name] = copy.deepcopy(value)
            case m.Append():
                for name, value in step.values:
                    current = self.slots.get(name)
                    current = list(current) if isinstance(current, list) else []
                    current.append(copy.deepcopy(value))
                    self.slots[name] = current
            case m.Clear():
                for name in step.slots:
                    self.slots.pop(name, None)
            case m.CallFlow():
                self._stack.append(_Frame(self.dialogue.flows[step.flow]))
            case m.Goto():
                self._stack = [_Frame(self.dialogue.flows[step.flow])]
            case m.Webhook():
                self._action_seq += 1
                action_id = f"{step.id}#{self._action_seq}"
                self._wait = _ActionWait(step, action_id)
                payload = {k: self._render(t) for k, t in step.payload}
                out.append(
                    CallWebhook(
                        action_id=action_id,
                        url=self._render(step.url),
                        method=step.method,
                        payload=payload,
                        timeout_s=step.timeout_ms / 1000,
                    )
                )
                return True
            case m.TransferStep():
                if step.prompt is not None:
                    out.append(self._say(step.prompt))
                out.append(self._transfer(step.reason, step.target))
                return True
            case m.Hangup():
                if step.prompt is not None:
                    out.append(self._say(step.prompt))
                self._end(step.outcome)
                out.append(EndCall(step.outcome))
                return True
            case _:
                assert_never(step)
        return False

    # ---- questions ----

    def _ask_question(
        self, wait: _AskWait, out: list[Action], prefix: list[Say], *, again: bool = False,
        year: bool = False, so_far: str | None = None,
    ) -> None:
        """The ask's prompt (``again``: its reprompt); ``year``: "And the year?" after a date without one,
        heard with the date's expected answers (grammar_open reads a year alone as an answer there);
        ``so_far``: a phone number's first digits said back ("5 5 5, go on.")."""
        step = wait.step
        spec = self.dialogue.slots[step.slot]
        says = list(prefix)
        if so_far is not None:
            language = self.dialogue.language
            text = DEFAULT_TEXTS[language]["number_so_far"].format(digits=format_phone(so_far, language))
            says.append(self._say_aside(text, "number_so_far"))
        elif year:
            says.append(self._say(self.dialogue.behaviour.year_prompt, step.interruptible))
        elif again and step.reprompt is not None:
            says.append(self._say(step.reprompt, step.interruptible))
        else:
            says.append(self._say(step.prompt, step.interruptible))
        hints = tuple(dict.fromkeys((*self._reader.hints(spec), *step.hints)))
        max_digits = self._reader.max_digits(spec)
        listen = Listen(
            slot=step.slot,
            timeout_ms=step.timeout_ms or self.dialogue.timeout_ms,
            hints=hints,
            dtmf=True,
            max_digits=max_digits,
            expected=replace(self._expected_for(spec, step.hints),
                             so_far=wait.partial if isinstance(wait.partial, str) else None),
        )
        self._question = _Question(says[len(prefix) :], listen)
        out.extend(says)
        out.append(listen)

    def _confirm_question(
        self, wait: _ConfirmWait, out: list[Action], prefix: list[Say], *, again: bool = False
    ) -> None:
        step = wait.step
        says = list(prefix)
        if again and step.reprompt is not None:
            says.append(self._say(step.reprompt, step.interruptible))
        else:
            says.append(self._say(step.prompt, step.interruptible))
        words: list[str] = list(YES_NO_HINTS[self.dialogue.language])
        for name in step.corrects:
            words.extend(self._reader.hints(self.dialogue.slots[name]))
        listen = Listen(
            slot=step.slot,
            timeout_ms=step.timeout_ms or self.dialogue.timeout_ms,
            hints=tuple(dict.fromkeys(words)),
            dtmf=True,
            max_digits=1,
            short_answer=True,
        )
        self._question = _Question(says[len(prefix) :], listen)
        out.extend(says)
        out.append(listen)

    def _repeat_question(self) -> list[Action]:
        out: list[Action] = []
        for say in self._question.says:
            self._record_bot(say)
            out.append(say)
        if self._question.listen is not None:
            out.append(self._question.listen)
        return out

    def _expected_for(self, spec: m.SlotSpec, extra: tuple[str, ...]) -> grammar.ExpectedAnswers:
        return grammar.for_slot(self.dialogue, spec, extra,
                                read=lambda said: self._reader.read(spec, said, strict=True))

    def _heard(self, event: CallerText) -> tuple[CallerText, str | None]:
        """What the caller is taken to have said (grammar.choose): the free transcript, or the expected
        answer of this question that the audio clearly favours. Returns the event to act on and, where
        an expected answer replaced the transcript, the transcript.

        Only asks listen with expected answers: there a stand-in answer is read back when unsure. A
        confirm step or a read-back takes more than yes or no (a correction, the value said again), so
        nothing may stand in for what the caller said there."""
        listen = self._question.listen
        expected = listen.expected if listen is not None else None
        # A closed ask's sentence answer comes without scores (engines/scoring.py), but with the transcript's
        # log-probability: the grammar still reads it (a sentence answer's confidence, its substitutions).
        # So does an open ask's free transcript that needed no second decode (a date heard as one): its
        # reading may still be read back (grammar_open.read_open).
        asked = expected is not None and (expected.closed or bool(expected.requests))
        if expected is None or not (event.alternatives or (asked and event.logprob is not None)):
            return event, None
        reading = grammar.read_answer(self._reader, expected, event.text, event.confidence,
                                      event.alternatives, event.logprob, _UNSURE_STOP_WORDS)
        if reading.source == "constrained":  # an open ask's answer in its own words (grammar_open.py)
            if isinstance(self._wait, _MoreWait) and self._more_than_items(self._wait, event.text):
                return event, None  # "yes please", "take the veggie off": not an order in menu words
            return replace(event, text=reading.text, confidence=reading.confidence), event.text
        if reading.source != "grammar":
            return replace(event, confidence=reading.confidence), None
        confidence = reading.confidence
        if confidence is not None and confidence < grammar.ACCEPT_POSTERIOR:
            # Taken from the grammar, not the transcript, and not by far: read it back.
            confidence = min(confidence, self.dialogue.behaviour.low_confidence / 2)
        return replace(event, text=reading.text, confidence=confidence), event.text

    # ---- events ----

    def _on_silence(
        self, wait: _AskWait | _ConfirmWait | _CheckWait | _MoreWait | _EndCheckWait
    ) -> list[Action]:
        b = self.dialogue.behaviour
        if isinstance(wait, _AskWait) and wait.step.on_silence is not None:
            self._wait = None
            self._stack.append(_Frame(wait.step.on_silence))
            return self._run([])
        wait.silences += 1
        if wait.silences > b.silence_reprompts:
            out: list[Action] = []
            if b.silence_end_prompt is not None:
                out.append(self._say(b.silence_end_prompt))
            self._end(b.silence_outcome)
            out.append(EndCall(b.silence_outcome))
            return out
        out = [self._say(b.silence_prompt)]
        return out + self._repeat_question()

    def _global_intent(
        self,
        event: CallerText,
        *,
        free_text: bool,
        answers: Callable[[str], bool] | None = None,
        numeric: bool = False,
        farewell_yields: bool = False,
    ) -> list[Action] | None:
        """A global intent acted on, or None. ``answers``: whether words (the caller's, or some of them)
        answer the question."""
        text = event.text.strip()
        intent = self._reader.intent(text)
        besides = self._reader.besides_intent(text) if intent == "repeat" else text
        # "Can you repeat the question?" to "anything to tell us?" is no comment: a repeat with at most three
        # other words ("sorry, the question") is one there too.
        if free_text and len(text.split()) > _FREE_TEXT_COMMAND_WORDS and not (
                intent == "repeat" and len(besides.split()) <= _REPEAT_BESIDES_WORDS):
            return None
        # "아니요 설명 못 들었어요" (no, nobody explained) reads as a request to repeat too; the words besides
        # the request decide: an answer among them wins, while "I didn't hear you" and "I didn't catch that"
        # are no "no" (they ended the survey as declined and flagged a compliance answer).
        if intent == "repeat" and answers is not None and answers(besides):
            return None
        # "two large pepperoni, bye", "555 123 4567, bye": an answer said with a goodbye is an answer, not a
        # cancellation. Not for yes/no questions: "okay, bye" must not become a yes.
        farewell = intent == "stop" and farewell_yields and self._reader.only_farewell(text)
        if farewell and answers is not None and answers(text):
            return None
        if farewell and free_text and not self._reader.bare_farewell(text):
            return None  # "great, thanks, bye" to "anything to tell us?" is the comment; a bare "bye" is not
        if intent == "stop" and self.dialogue.behaviour.stop_enabled and self._unsure_stop(event, numeric):
            return self._check_end()
        return self._do_intent(intent)

    def _unsure_stop(self, event: CallerText, numeric: bool) -> bool:
        """A stop that may be a misheard answer: phone audio turned "five" into "Bye." and "four" into "for".

        A lone word where a number is asked is checked whatever its confidence; a short stop heard with
        low confidence is checked anywhere; "I don't want to do this survey, goodbye" ends the call.
        """
        said = len(self._reader.words(event.text))
        low = event.confidence is not None and event.confidence < self.dialogue.behaviour.low_confidence
        return (numeric and said <= 1) or (low and said <= _UNSURE_STOP_WORDS)

    def _check_end(self) -> list[Action]:
        wait = self._wait
        assert isinstance(wait, _AskWait | _ConfirmWait | _CheckWait | _MoreWait)
        check = _EndCheckWait(wait, self._question)
        self._wait = check
        say = self._say(self.dialogue.behaviour.stop_check_prompt)
        slot = self._question.listen.slot if self._question.listen is not None else None
        listen = Listen(
            slot=slot,
            timeout_ms=self.dialogue.timeout_ms,
            hints=YES_NO_HINTS[self.dialogue.language],
            dtmf=True,
            max_digits=1,
            short_answer=True,
        )
        self._question = _Question([say], listen)
        return [say, listen]

    def _on_end_check(self, wait: _EndCheckWait, event: Event) -> list[Action]:
        """Yes (or another stop) ends the call; no asks the question again; anything else answers it."""
        wait.silences = 0
        b = self.dialogue.behaviour
        answer: bool | None
        if isinstance(event, Dtmf):
            answer = True if event.digits == b.dtmf_yes else False if event.digits == b.dtmf_no else None
        else:
            assert isinstance(event, CallerText)
            intent = self._reader.intent(event.text)
            if intent == "stop":
                return self._do_intent("stop") or []
            if intent in ("agent", "repeat"):
                handled = self._do_intent(intent)
                if handled is not None:
                    return handled
            answer = self._reader.yes_no(event.text)
        if answer is True:
            return self._do_intent("stop") or []
        self._wait = wait.resume
        self._question = wait.question
        if answer is False:
            return self._repeat_question()
        # Neither yes nor no: most likely the caller answered the question ("five"); read it so.
        return self._answer(wait.resume, event)

    def _do_intent(self, intent: str | None) -> list[Action] | None:
        b = self.dialogue.behaviour
        if intent == "agent" and b.agent_enabled:
            out: list[Action] = []
            if b.agent_prompt is not None:
                out.append(self._say(b.agent_prompt))
            out.append(self._transfer(b.agent_reason, b.agent_target))
            return out
        if intent == "repeat" and b.repeat_enabled:
            return self._repeat_question()
        if intent == "stop" and b.stop_enabled:
            out = []
            if b.stop_prompt is not None:
                out.append(self._say(b.stop_prompt))
            self._end(b.stop_outcome)
            out.append(EndCall(b.stop_outcome))
            return out
        return None

    def _dtmf_intent(self, digits: str, spec: m.SlotSpec | None) -> list[Action] | None:
        b = self.dialogue.behaviour
        numeric = spec is not None and spec.type in ("integer", "number", "digits", "phone", "date")
        if b.repeat_dtmf and digits == b.repeat_dtmf:
            return self._do_intent("repeat")
        if b.agent_dtmf and digits.rstrip("#") == b.agent_dtmf and not numeric:
            return self._do_intent("agent")
        return None

    def _on_ask(self, wait: _AskWait, event: Event) -> list[Action]:
        step = wait.step
        spec = self.dialogue.slots[step.slot]
        wait.silences = 0
        out: list[Action] = []
        if isinstance(event, Dtmf):
            handled = self._dtmf_intent(event.digits, spec)
            if handled is not None:
                return handled
            value = self._reader.read_dtmf(spec, event.digits)
            if value is None:
                return self._no_match(wait)
            return self._answered(step, value)
        assert isinstance(event, CallerText)
        text = event.text.strip()
        free_text = spec.type == "text" and spec.pattern is None
        if free_text and self._reader.is_closer(text):
            # "no, that's all" to "anything to tell us?" is no comment, not the comment "no, that's all".
            return self._answered(step, "")
        if step.on_silence is not None and self._reader.bare_farewell(text):
            # "Bye." to a question the dialogue lets pass in silence (the survey's last comment): the caller
            # has nothing to add, as if silent. Not a refusal: the answers given stand.
            return self._on_silence(wait)
        handled = self._global_intent(
            event,
            free_text=free_text,
            answers=lambda said: self._reader.read(spec, said, strict=True) is not None,
            numeric=spec.type in _NUMERIC_TYPES,
            # "yes, bye" answers a yes/no question; "okay, bye" does not.
            farewell_yields=spec.type != "yes_no" or self._reader.yes_no_with_farewell(text),
        )
        if handled is not None:
            return handled
        held = self._hold_on(
            text,
            free_text,  # "hold on, my number is 555 123 4567" gives the number: no hold
            lambda: self._reader.read(spec, text, strict=True) is not None
            or bool(self._read_others(text, exclude=step.slot)),
        )
        if held is not None:
            part = self._reader.partial_answer(spec, text, wait.partial) if spec.type == "phone" else None
            if isinstance(part, str):
                wait.partial = part  # "five five five, hold on": the part is kept for the rest
            return held
        who = self._who_is_calling(
            text, free_text, lambda: self._reader.read(spec, text, strict=True) is not None
        )
        if who is not None:
            return who
        priced = self._price_aside(spec, text)
        if priced is not None:
            return priced
        after = self._reader.scale_question(spec, text)
        if after is not None:
            if self._reader.read(spec, after, strict=True) is None:
                return self._scale_ends(spec)
            text = after  # "Is one the lowest? Then one.": the answer after the question
        if spec.type == "order_lines" and self._reader.half_and_half(text):
            # "Half pepperoni, half veggie": one pizza the menu cannot make, never two. No attempt counted.
            self._ask_question(wait, out, [self._say(self.dialogue.behaviour.half_prompt)], again=True)
            return out
        others = self._read_others(text, exclude=step.slot) if not free_text else {}
        for name, v in others.items():
            self.slots[name] = v
        value = self._reader.read(spec, text, strict=bool(others), asked=True, earlier=wait.partial)
        if value is None:
            if others:
                # The caller answered something else we were going to ask: keep it, ask this again.
                self._ask_question(wait, out, [])
                return out
            partial = self._reader.partial_answer(spec, text, wait.partial)
            if isinstance(partial, str):
                # "Five five five", a pause, "one two three" (a phone number's part): the digits so far said
                # back and the rest listened for, as a person taking the number does. No attempt counted:
                # each part makes the number longer.
                wait.partial = partial
                self._ask_question(wait, out, [], so_far=partial)
                return out
            if partial is not None:
                # "Three pizzas": which ones (the reprompt names them); "March third" for a birth date: "And
                # the year?". Kept for the next answer, no attempt the first time; said again it counts one,
                # so that garbles read as such end somewhere.
                before, wait.partial = wait.partial, partial
                if before is None:
                    self._ask_question(wait, out, [], again=True, year=spec.type == "date")
                    return out
            if isinstance(wait.partial, str) and self._reader.yes_no(text) is False:
                wait.partial = None  # "No" to the digits said back: the number is asked for again
            if self._asks_back(wait, spec, text):
                # "By post or email?", "why do you need my birthday?": the question again, whose words say
                # what it asks, rather than "Please answer yes or no."; once with no attempt counted.
                wait.asked_back = True
                return self._repeat_question()
            return self._no_match(wait)
        # Reading free text back ("I think you said But I can issue...") helps no one: it is kept as heard.
        low = event.confidence is not None and event.confidence < self.dialogue.behaviour.low_confidence
        done = spec.type == "order_lines" and self._reader.ends_order(text)
        if low and not free_text:
            check = _CheckWait(wait, value, done=done)
            self._wait = check
            self._check_question(check, out)
            return out
        notice = self._off_menu_notice(spec, text)
        return [*notice, *self._answered(step, value, done=done)]

    def _check_question(self, check: _CheckWait, out: list[Action]) -> None:
        spec = self.dialogue.slots[check.ask.step.slot]
        prompt = self.dialogue.behaviour.low_confidence_prompt
        text = render(
            prompt.template,
            self.dialogue,
            self.slots,
            self.variables,
            extra={"value": check.value, "__spec__": spec},
        )
        say = Say(text=text, prompt_id=prompt.id, interruptible=self.dialogue.interruptible, fixed=False)
        self._record_bot(say)
        listen = Listen(
            slot=spec.name,
            timeout_ms=self.dialogue.timeout_ms,
            hints=YES_NO_HINTS[self.dialogue.language],
            dtmf=True,
            max_digits=1,
            short_answer=True,
        )
        self._question = _Question([say], listen)
        out.extend([say, listen])

    def _on_check(self, wait: _CheckWait, event: Event) -> list[Action]:
        wait.silences = 0
        if isinstance(event, Dtmf):
            b = self.dialogue.behaviour
            answer = True if event.digits == b.dtmf_yes else False if event.digits == b.dtmf_no else None
        else:
            assert isinstance(event, CallerText)
            spec = self.dialogue.slots[wait.ask.step.slot]
            handled = self._global_intent(
                event,
                free_text=False,
                answers=lambda said: self._reader.yes_no(said) is not None,
                numeric=spec.type in _NUMERIC_TYPES,
            )
            if handled is not None:
                return handled
            answer = self._reader.yes_no(event.text)
        if answer is True:
            return self._answered(wait.ask.step, wait.value, done=wait.done)
        self._wait = wait.ask
        if answer is False:
            return self._no_match(wait.ask, sorry=False)
        # Neither yes nor no: most likely the caller said the value again; read it as an answer.
        return self._on_ask(wait.ask, event)

    def _hold_on(self, text: str, free_text: bool, answers: Callable[[], bool]) -> list[Action] | None:
        """ "One second", "잠시만요": "Sure, take your time." and the question listened for again, with no
        attempt counted. Not when the words also answer ("one second... four") or make a longer comment."""
        prompt = self.dialogue.behaviour.hold_prompt
        if prompt is None or not self._reader.asks_to_hold(text):
            return None
        if _more_than_an_aside(text, free_text, answers):
            return None
        listen = self._question.listen
        return [self._say(prompt), *([listen] if listen is not None else [])]

    def _who_is_calling(self, text: str, free_text: bool, answers: Callable[[], bool]) -> list[Action] | None:
        """ "Who is this?", "what's this about?": the dialogue's opening said again; "are you a robot?", "is
        this a real person?": what the caller is talking to (``bot.prompt``). Then the question, with no
        attempt counted; a request for a person said with it is one (the global intents come first). Not
        when the words also answer, nor in a longer comment; no opening said again in a dialogue that
        opens with a question (there is nothing to say)."""
        opening = _opening(self.dialogue)
        bot = self.dialogue.behaviour.bot_prompt
        if opening is not None and self._reader.asks_who(text):
            prompt, interruptible = opening.prompt, opening.interruptible
        elif bot is not None and self._reader.asks_if_bot(text):
            prompt, interruptible = bot, None
        else:
            return None
        if _more_than_an_aside(text, free_text, answers):
            return None
        return [self._say(prompt, interruptible), *self._repeat_question()]

    def _price_aside(self, spec: m.SlotSpec, text: str) -> list[Action] | None:
        """ "How much is a large pepperoni?", "do you have pepperoni?": its price from the menu, then the
        question again with no attempt counted; nothing is ordered. Not for an order said first ("two large
        pepperoni, how much is that?"), nor where the menu has no price. "How much is that all together?",
        "what's the total?" with no item named: the order's total so far, where there is one."""
        lines = self._reader.price_question(spec, text)
        about = None
        if lines is None:
            # "Do you have pepperoni?", "is the hawaiian any good?": what the menu says of it, its price.
            asked = self._reader.item_question(spec, text)
            if asked is not None:
                kind, lines = asked
                about = None if kind == "have" else DEFAULT_TEXTS[self.dialogue.language]["menu_only"]
        catalogues = self.dialogue.catalogues
        if lines is not None:
            assert spec.catalogue is not None
            quote = format_price_quote(lines, catalogues[spec.catalogue], catalogues.get(spec.sizes or ""),
                                       self.dialogue.language, self.dialogue.currency, spec.counter)
            if about is not None:
                quote = about if quote is None else f"{about} {quote}"
        else:
            quote = self._total_so_far(spec, text)
        if quote is None:
            return None
        return [self._say_aside(quote, "price"), *self._repeat_question()]

    def _asks_back(self, wait: _AskWait, spec: m.SlotSpec, text: str) -> bool:
        """A question asked back, the first time, where the reprompt would not answer it: at a yes/no
        question ("Please answer yes or no.") or one with no reprompt of its own ("Sorry, I didn't catch
        that."). Also the question's own words said back ("by post or email", its question mark lost on
        the line)."""
        if wait.asked_back or spec.type == "text":
            return False
        if spec.type != "yes_no" and wait.step.reprompt is not None:
            return False
        question = " ".join(say.text for say in self._question.says)
        return self._reader.asks_back(text) or self._reader.echoes_question(text, question)

    def _off_menu_notice(self, spec: m.SlotSpec, text: str) -> list[Say]:
        """ "A large pepperoni and a coke": the pizza is taken, and the caller told that the rest is not,
        rather than hear it dropped without a word."""
        return [self._off_menu_say()] if self._reader.asks_off_menu(spec, text) else []

    def _off_menu_say(self) -> Say:
        return self._say_aside(DEFAULT_TEXTS[self.dialogue.language]["off_menu"], "off_menu")

    def _scale_ends(self, spec: m.SlotSpec) -> list[Action]:
        """ "Is five the best?": which end of the scale is which, then the question again with no attempt
        counted; the number asked about is no answer."""
        assert spec.minimum is not None and spec.maximum is not None
        low, high = int(spec.minimum), int(spec.maximum)
        if self.dialogue.language == "en":
            low_said, high_said = english_number_words(low).capitalize(), english_number_words(high)
        else:
            low_said, high_said = str(low), str(high)
        text = DEFAULT_TEXTS[self.dialogue.language]["scale_ends"].format(lowest=low_said, highest=high_said)
        return [self._say_aside(text, "scale"), *self._repeat_question()]

    def _say_aside(self, text: str, prompt_id: str) -> Say:
        """A built-in answer to something the caller asked or said besides the question, recorded."""
        say = Say(text=text, prompt_id=prompt_id, interruptible=self.dialogue.interruptible, fixed=False)
        self._record_bot(say)
        return say

    def _total_so_far(self, spec: m.SlotSpec, text: str) -> str | None:
        """ "That comes to $34 so far.": to a price asked of no item ("what's the total?") once an order has
        lines, unless the words also answer the question."""
        if not self._reader.asks_price(text) or self._reader.read(spec, text, strict=True) is not None:
            return None
        for name, value in self.slots.items():
            order = self.dialogue.slots.get(name)
            if order is None or order.type != "order_lines" or not value or not order.catalogue:
                continue
            total = order_total(value, self.dialogue.catalogues[order.catalogue], order.default_size)
            amount = format_currency(total, self.dialogue.currency, self.dialogue.language)
            return DEFAULT_TEXTS[self.dialogue.language]["total_so_far"].format(amount=amount)
        return None

    def _no_match(self, wait: _AskWait | _ConfirmWait, *, sorry: bool = True) -> list[Action]:
        wait.attempts += 1
        step = wait.step
        if wait.attempts >= step.max_attempts:
            self._wait = None
            self._stack.append(_Frame(step.on_failure or self.dialogue.behaviour.on_failure))
            return self._run([])
        out: list[Action] = []
        prefix = (
            []
            if (step.reprompt is not None or not sorry)
            else [self._say(self.dialogue.behaviour.no_match_prompt)]
        )
        if isinstance(wait, _AskWait):
            self._ask_question(wait, out, prefix, again=True)
        else:
            self._confirm_question(wait, out, prefix, again=True)
        return out

    def _answered(self, step: m.Ask, value: Any, *, done: bool = False) -> list[Action]:
        """The ask's slot is filled; an order then hears "Anything else?" before the dialogue moves on.

        ``done``: the caller already said so ("two large pepperoni, that's all").
        """
        if step.more is None or done:
            return self._fill_and_continue(step.slot, value)
        self.slots[step.slot] = value
        wait = _MoreWait(step)
        self._wait = wait
        out: list[Action] = []
        self._more_question(wait, out, [])
        return out

    def _more_question(self, wait: _MoreWait, out: list[Action], prefix: list[Say]) -> None:
        step = wait.step
        assert step.more is not None
        says = [*prefix, self._say(step.more, step.interruptible)]
        spec = self.dialogue.slots[step.slot]
        closers = CLOSER_HINTS[self.dialogue.language]
        hints = tuple(dict.fromkeys((*closers, *self._reader.hints(spec), *step.hints)))
        listen = Listen(
            slot=step.slot,
            timeout_ms=step.timeout_ms or self.dialogue.timeout_ms,
            hints=hints,
            dtmf=True,
            max_digits=1,  # the no key ends the list; 0 and * are the agent and repeat keys
            # The order's own expected answers: an item added here ("and a large hawaiian") is decoded again
            # in the menu's words, as at the order question; heard as "and a large wine" otherwise.
            expected=self._expected_for(spec, step.hints),
            short_answer=True,
        )
        self._question = _Question(says[len(prefix) :], listen)
        out.extend(says)
        out.append(listen)

    def _on_more(self, wait: _MoreWait, event: Event) -> list[Action]:
        step = wait.step
        spec = self.dialogue.slots[step.slot]
        wait.silences = 0
        if isinstance(event, Dtmf):
            handled = self._dtmf_intent(event.digits, spec)
            if handled is not None:
                return handled
            if event.digits == self.dialogue.behaviour.dtmf_no:
                return self._fill_and_continue(step.slot, self.slots.get(step.slot))
            return self._more_not_understood(wait)
        assert isinstance(event, CallerText)
        text = event.text.strip()
        removed = self._more_removal(wait, spec, text)
        if removed is not None:
            return removed
        # "됐어요", "no thanks": here they close the order; elsewhere they may end the call.
        if not self._reader.is_closer(text):
            handled = self._global_intent(
                event,
                free_text=False,
                answers=lambda said: bool(self._reader.order_lines(spec, said))
                or signs_off_after_words(self._reader, said),
                farewell_yields=True,
            )
            if handled is not None:
                return handled
        priced = self._price_aside(spec, text)
        if priced is not None:
            return priced
        if self._reader.half_and_half(text):
            return [self._say(self.dialogue.behaviour.half_prompt), *self._repeat_question()]
        changed = self._more_correction(spec, text)
        if changed is not None:
            return changed
        others = self._read_others(text, exclude=step.slot)
        for name, v in others.items():
            self.slots[name] = v
        answer = read_more(self._reader, spec, text, others=bool(others),
                           current=self.slots.get(step.slot) or [])
        order = add_lines(self.slots.get(step.slot) or [], answer.lines)
        notice = self._off_menu_notice(spec, text) if answer.lines else []
        if answer.done:
            return [*notice, *self._fill_and_continue(step.slot, order)]
        out: list[Action] = []
        if answer.lines:
            # Each "Anything else?" is a new question (the step log counts the last one answered).
            self.slots[step.slot] = order
            self._wait = wait = _MoreWait(step)
            self._more_question(wait, out, notice)
            return out
        if answer.yes:  # "yes": what else? The ask's own question, then "Anything else?" again after it
            says = [self._say(step.reprompt or step.prompt, step.interruptible)]
            self._question = _Question(says, self._question.listen)
            return [*says, *([self._question.listen] if self._question.listen else [])]
        notice = self._off_menu_notice(spec, text)
        if notice:  # "and a coke" alone: said so, and "Anything else?" again
            return [*notice, *self._repeat_question()]
        held = self._hold_on(text, False, lambda: False) or self._who_is_calling(text, False, lambda: False)
        return held if held is not None else self._more_not_understood(wait)

    def _more_correction(self, spec: m.SlotSpec, text: str) -> list[Action] | None:
        """ "no, three, not two" to "Got it, two large pepperoni. Anything else?" corrects the order."""
        answer = self._reader.yes_no(text)
        if self._reader.correction(text) is None and (answer is not False or self._reader.is_closer(text)):
            return None
        change = correct(self._reader, [spec], self.slots, text, answer)
        if change is None or change[1] == self.slots.get(spec.name):
            return None
        self.slots[spec.name] = change[1]
        wait = self._wait
        assert isinstance(wait, _MoreWait)
        out: list[Action] = []
        prompt = self.dialogue.behaviour.correction_prompt
        self._more_question(wait, out, [self._say(prompt)] if prompt is not None else [])
        return out

    def _more_than_items(self, wait: _MoreWait, text: str) -> bool:
        spec = self.dialogue.slots[wait.step.slot]
        if self._reader.order_lines(spec, text):
            return True
        others = bool(self._read_others(text, exclude=wait.step.slot))
        return says_more_than_items(self._reader, spec, text, others=others)

    def _more_removal(self, wait: _MoreWait, spec: m.SlotSpec, text: str) -> list[Action] | None:
        """ "Actually, cancel the pepperoni" to "Anything else?" takes the pepperoni off, not the order.

        With nothing left, the order's own question is asked again; the caller who wants no pizza at all
        can still say "cancel the order" there."""
        current = self.slots.get(spec.name) or []
        order = remove_order_lines(self._reader, spec, current, text)
        if order is None:
            return None
        if order == current:  # "cancel the hawaiian" with no hawaiian ordered
            return self._more_not_understood(wait)
        prompt = self.dialogue.behaviour.correction_prompt
        prefix = [self._say(prompt)] if prompt is not None else []
        out: list[Action] = []
        if not order:
            self.slots.pop(spec.name, None)
            ask = _AskWait(wait.step)
            self._wait = ask
            self._ask_question(ask, out, prefix)
            return out
        self.slots[spec.name] = order
        self._more_question(wait, out, prefix)
        return out

    def _more_not_understood(self, wait: _MoreWait) -> list[Action]:
        wait.attempts += 1
        if wait.attempts >= wait.step.max_attempts:
            # The order so far stands; the confirmation reads it back anyway.
            return self._fill_and_continue(wait.step.slot, self.slots.get(wait.step.slot))
        out: list[Action] = []
        self._more_question(wait, out, [self._say(self.dialogue.behaviour.no_match_prompt)])
        return out

    def _fill_and_continue(self, slot: str, value: Any) -> list[Action]:
        self.slots[slot] = value
        self._wait = None
        return self._run([])

    def _read_others(self, text: str, exclude: str) -> dict[str, Any]:
        """Values for other unfilled slots the caller volunteered (mixed initiative)."""
        found: dict[str, Any] = {}
        for name, spec in self.dialogue.slots.items():
            if name == exclude or not spec.anywhere or name in self.slots:
                continue
            value = self._reader.read(spec, text, strict=True)
            if value is not None:
                found[name] = value
        return found

    def _on_confirm(self, wait: _ConfirmWait, event: Event) -> list[Action]:
        step = wait.step
        wait.silences = 0
        if isinstance(event, Dtmf):
            handled = self._dtmf_intent(event.digits, None)
            if handled is not None:
                return handled
            b = self.dialogue.behaviour
            answer = True if event.digits == b.dtmf_yes else False if event.digits == b.dtmf_no else None
        else:
            assert isinstance(event, CallerText)
            text = event.text
            removed = self._confirm_removal(wait, text)
            if removed is not None:
                return removed
            handled = self._global_intent(
                event, free_text=False, answers=lambda said: self._reader.yes_no(said) is not None
            )
            if handled is not None:
                return handled
            specs = [self.dialogue.slots[name] for name in step.corrects]
            for spec in specs:
                # "Is the pepperoni spicy?", "how much is the large?" at the read-back: answered, the order
                # read back again; taken as a correction, it changed the order.
                priced = self._price_aside(spec, text) if spec.type == "order_lines" else None
                if priced is not None:
                    return priced
            answer = self._reader.yes_no(event.text)
            off_menu = any(self._reader.asks_off_menu(s, text, after_yes=True) for s in specs)
            if answer is False and off_menu:
                answer = True  # "yes, no onions please": a yes, with what the menu cannot change (said below)
            change = correct(self._reader, specs, self.slots, event.text, answer)
            if change is not None:
                self.slots[change[0]] = change[1]
                out: list[Action] = []
                prefix = []
                if self.dialogue.behaviour.correction_prompt is not None:
                    prefix.append(self._say(self.dialogue.behaviour.correction_prompt))
                self._confirm_question(wait, out, prefix)
                return out
            if answer is not True:
                again = self._ask_again(step, text, said_no=answer is False)
                if again is not None:
                    return again
            elif off_menu:
                # "Yes, and a coke": what the menu does not have is said so before the order is placed, and
                # the read-back asked again (the caller may want to change it); no attempt counted.
                out = []
                self._confirm_question(wait, out, [self._off_menu_say()])
                return out
        if answer is None:
            return self._no_match(wait)
        return self._confirmed(step, answer)

    def _ask_again(self, step: m.Confirm, text: str, *, said_no: bool) -> list[Action] | None:
        """ "No, the address is wrong" at the read-back: that slot's question again, then the read-back,
        rather than the confirmation's ``on_no`` (which starts the order over). Only a slot the confirmation
        ``corrects`` and the dialogue asks for, and not an order's lines (``on_no`` is that question)."""
        names = [name for name in step.corrects if self.dialogue.slots[name].type != "order_lines"]
        slot = self._reader.said_wrong(text, names, said_no=said_no) if names else None
        ask = next((a for a in self.dialogue.asks() if a.slot == slot), None)
        if ask is None:
            return None
        self.slots.pop(ask.slot, None)
        self._wait = None
        self._stack.append(_Frame((ask, step)))
        return self._run([])

    def _confirmed(self, step: m.Confirm, answer: bool) -> list[Action]:
        if step.slot is not None:
            self.slots[step.slot] = answer
        self._wait = None
        branch = step.on_yes if answer else step.on_no
        if branch:
            self._stack.append(_Frame(branch))
        return self._run([])

    def _confirm_removal(self, wait: _ConfirmWait, text: str) -> list[Action] | None:
        """ "Take the veggie off" at the read-back: the order read back again without it. Taking off the
        last item is a no to the read-back (the dialogue's ``on_no`` starts the order again)."""
        for name in wait.step.corrects:
            spec = self.dialogue.slots[name]
            if spec.type != "order_lines":
                continue
            current = self.slots.get(name) or []
            order = remove_order_lines(self._reader, spec, current, text)
            if order is None:
                continue
            if order == current:
                return self._no_match(wait)
            if not order:
                return self._confirmed(wait.step, False)
            self.slots[name] = order
            out: list[Action] = []
            prompt = self.dialogue.behaviour.correction_prompt
            self._confirm_question(wait, out, [self._say(prompt)] if prompt is not None else [])
            return out
        return None

    def _on_action_result(self, wait: _ActionWait, event: ActionResult) -> list[Action]:
        self._wait = None
        self.record.meta.setdefault("actions", []).append(
            {"action": wait.step.id, "ok": event.ok, **({"error": event.error} if event.error else {})}
        )
        if event.ok:
            for slot, key in wait.step.save:
                value = _dig(event.data, key)
                if value is not None:
                    self.slots[slot] = value
        elif wait.step.on_error:
            self._stack.append(_Frame(wait.step.on_error))
        return self._run([])

    # ---- helpers ----

    def _values(self) -> dict[str, Any]:
        values = dict(self.variables)
        for name in self.dialogue.slots:
            values[name] = self.slots.get(name)
        return values

    def _render(self, template: Any) -> str:
        return render(template, self.dialogue, self.slots, self.variables)

    def _say(self, prompt: m.Prompt, interruptible: bool | None = None) -> Say:
        say = Say(
            text=self._render(prompt.template),
            prompt_id=prompt.id,
            interruptible=self.dialogue.interruptible if interruptible is None else interruptible,
            fixed=prompt.template.fixed,
            fixed_head=prompt.template.fixed_head,
        )
        self._record_bot(say)
        return say

    def _record_bot(self, say: Say) -> None:
        self.record.turns.append(Turn(role="bot", text=say.text, prompt_id=say.prompt_id))

    def _transfer(self, reason: str, target: str | None) -> Transfer:
        self._end("transferred")
        return Transfer(reason=reason, target=target)

    def _end(self, outcome: str) -> None:
        self.ended = True
        self._wait = None
        self.record.outcome = outcome
        self.record.ended_at = self._clock()


_EVENT_KINDS: dict[type, str] = {CallerText: "text", Dtmf: "dtmf", SilenceTimeout: steplog.SILENCE,
                                  CallerHangup: steplog.HANGUP}


_LOGS = ("steps", "actions")  # lists in the record's meta that handling an event appends to


def _copy_wait(wait: _Wait | None) -> _Wait | None:
    """A copy that shares the dialogue's steps and nothing the machine changes (attempts, silences)."""
    if isinstance(wait, _CheckWait):
        return replace(wait, ask=replace(wait.ask))
    if isinstance(wait, _EndCheckWait):
        resume = _copy_wait(wait.resume)
        assert isinstance(resume, _AskWait | _ConfirmWait | _CheckWait | _MoreWait)
        return replace(wait, resume=resume,
                       question=_Question(list(wait.question.says), wait.question.listen))
    return None if wait is None else replace(wait)


def _step_id(wait: _Wait | None) -> str | None:
    """The ask or confirm step a caller event answers (the step log's key)."""
    if isinstance(wait, _EndCheckWait):
        return _step_id(wait.resume)
    if isinstance(wait, _MoreWait):
        return f"{wait.step.id}.more"
    if isinstance(wait, _CheckWait):
        return wait.ask.step.id
    return wait.step.id if isinstance(wait, _AskWait | _ConfirmWait) else None


def _attempts(wait: _Wait | None) -> int:
    if isinstance(wait, _EndCheckWait):
        return _attempts(wait.resume)
    if isinstance(wait, _CheckWait):
        return wait.ask.attempts
    return wait.attempts if isinstance(wait, _AskWait | _ConfirmWait | _MoreWait) else 0


def _dig(data: Any, key: str) -> Any:
    for part in key.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _more_than_an_aside(text: str, free_text: bool, answers: Callable[[], bool]) -> bool:
    """A hold, "who is this?" or "are you a robot?" said with more: words that also answer the question, or a
    longer comment."""
    return (free_text and len(text.split()) > _FREE_TEXT_COMMAND_WORDS) or (not free_text and answers())


def _opening(dialogue: m.Dialogue) -> m.Say | None:
    """The first thing the dialogue says, when it says something before its first question: who is calling
    and why ("this is the automated assistant from Brightline Internet, calling about...")."""
    for step in dialogue.flows[dialogue.start_flow]:
        return step if isinstance(step, m.Say) else None
    return None
