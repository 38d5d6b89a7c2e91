"""Replay recorded whole calls as their transcripts through the dialogue, one line per call.

`bench/caller_asides.py --json OUT.json` keeps each call's scenario, voice and what was heard of each caller
turn. This feeds those transcripts, in order, to `Conversation.handle(CallerText(...))` of the scenario's
dialogue and prints the outcome, the slots and the bot's prompt ids. Run it on two versions of the code
(`PYTHONPATH=...`) and compare the lines: a change to the dialogue layer that keeps every line keeps those
calls as they were, without playing their audio again. The audio path (the grammar pass, the recogniser) is
not replayed: what was heard stays as it was.

    PYTHONPATH=$PWD .venv/bin/python bench/replay_calls.py OUT.json [OUT2.json ...] > lines.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_asides import CUSTOMER, SCENARIOS

from voicebot.dialogue.events import CallerText, Say
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue

DIALOGUES = Path(__file__).resolve().parent.parent / "dialogues"


def replay(record: dict[str, object], dialogue: Dialogue) -> str:
    """One call's line: scenario, voice, outcome, slots (JSON) and the prompt ids said."""
    variables = dict(CUSTOMER) if dialogue.name == "sales_compliance" else {}
    conv = Conversation(dialogue, variables, call_id="replay")
    prompts = [a.prompt_id for a in conv.start() if isinstance(a, Say)]
    heard = record.get("heard")
    for text in heard if isinstance(heard, list) else []:
        if conv.ended:
            break
        prompts += [a.prompt_id for a in conv.handle(CallerText(str(text))) if isinstance(a, Say)]
    slots = json.dumps(conv.record.slots, sort_keys=True, ensure_ascii=False)
    return f"{record.get('scenario')} {record.get('voice')} {conv.record.outcome} {slots} {' '.join(prompts)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", nargs="+", type=Path, help="bench/caller_asides.py --json files")
    args = parser.parse_args(argv)
    dialogue_of = {s.name: s.dialogue for s in SCENARIOS}
    loaded: dict[str, Dialogue] = {}
    for path in args.records:
        try:
            records = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"replay_calls: {path}: {exc}", file=sys.stderr)
            return 2
        for record in records:
            name = dialogue_of.get(str(record.get("scenario")))
            if name is None:
                print(f"replay_calls: {path}: unknown scenario {record.get('scenario')!r}", file=sys.stderr)
                continue
            if name not in loaded:
                loaded[name] = load_dialogue(DIALOGUES / f"{name}.yml")
            print(replay(record, loaded[name]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
