"""A malformed dialogue gets one precise error: file, line, key path and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.errors import DialogueError

VALID = """\
name: demo
language: en
outcomes: [done]
variables:
  customer_name: {type: text}
catalogues:
  colours:
    red: [crimson]
    blue: []
slots:
  count: {type: integer, min: 1, max: 5}
  colour: {type: choice, catalogue: colours}
prompts:
  hello: "Hello {customer_name}."
flows:
  main:
    - say: hello
    - ask: count
      prompt: "How many?"
    - ask: colour
      prompt: "Which colour?"
    - hangup: done
"""


def _load(tmp_path: Path, text: str) -> DialogueError:
    path = tmp_path / "demo.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DialogueError) as info:
        load_dialogue(path)
    err = info.value
    assert err.file == str(path)
    assert str(path) in str(err)
    return err


def test_the_base_dialogue_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "demo.yml"
    path.write_text(VALID, encoding="utf-8")
    assert load_dialogue(path).name == "demo"


# (what to replace, replacement, expected line, expected key path, words the message must contain)
MISTAKES = [
    pytest.param(
        "flows:\n",
        "flow:\n",
        15,
        "flow",
        ["unknown key 'flow'", "did you mean 'flows'"],
        id="unknown-top-key",
    ),
    pytest.param("name: demo\n", "", 1, None, ["missing required key 'name'"], id="missing-name"),
    pytest.param(
        "{type: integer,",
        "{type: integr,",
        11,
        "slots.count.type",
        ["unknown slot type 'integr'", "did you mean 'integer'"],
        id="unknown-slot-type",
    ),
    pytest.param(
        "- ask: count",
        "- ask: cuont",
        18,
        "flows.main[1].ask",
        ["unknown slot 'cuont'", "did you mean 'count'"],
        id="ask-unknown-slot",
    ),
    pytest.param(
        "- say: hello",
        "- sya: hello",
        17,
        "flows.main[0].sya",
        ["unknown step 'sya'", "did you mean 'say'"],
        id="unknown-step",
    ),
    pytest.param(
        "- hangup: done",
        "- hangup: done\n      say: hello",
        23,
        "flows.main[3].say",
        ["one step per list item"],
        id="two-steps-in-one-item",
    ),
    pytest.param(
        '      prompt: "How many?"',
        '      promt: "How many?"',
        19,
        "flows.main[1].promt",
        ["unknown key 'promt'", "did you mean 'prompt'"],
        id="unknown-step-option",
    ),
    pytest.param(
        '"Hello {customer_name}."',
        '"Hello {custmer_name}."',
        14,
        "prompts.hello",
        ["{custmer_name}", "did you mean 'customer_name'"],
        id="unknown-template-field",
    ),
    pytest.param(
        '"How many?"',
        '"How many {count|money}?"',
        19,
        "flows.main[1].prompt",
        ["unknown filter 'money'"],
        id="unknown-filter",
    ),
    pytest.param(
        "- hangup: done",
        "- goto: mian",
        22,
        "flows.main[3].goto",
        ["unknown flow 'mian'", "did you mean 'main'"],
        id="goto-unknown-flow",
    ),
    pytest.param(
        "- hangup: done",
        "- hangup: finished",
        22,
        "flows.main[3].hangup",
        ["outcome 'finished' is not declared", "outcomes:"],
        id="undeclared-outcome",
    ),
    pytest.param(
        "- hangup: done",
        "- if: \"__import__('os')\"\n      then: [{hangup: done}]",
        22,
        "flows.main[3].if",
        ["only len(name) and filled(name)"],
        id="condition-with-a-call",
    ),
    pytest.param(
        "- hangup: done",
        "- if: count >\n      then: [{hangup: done}]",
        22,
        "flows.main[3].if",
        ["cannot parse condition"],
        id="condition-syntax",
    ),
    pytest.param(
        "- hangup: done",
        "- if: cuont > 2\n      then: [{hangup: done}]",
        22,
        "flows.main[3].if",
        ["'cuont'", "no slot or variable"],
        id="condition-unknown-name",
    ),
    pytest.param(
        "    blue: []\n",
        "    blue: []\n    red: []\n",
        10,
        "catalogues.colours.red",
        ["duplicate key 'red'"],
        id="duplicate-key",
    ),
    pytest.param(
        "min: 1, max: 5",
        "min: 6, max: 5",
        11,
        "slots.count.min",
        ["min (6) is greater than max (5)"],
        id="min-above-max",
    ),
    pytest.param(
        "{type: choice, catalogue: colours}",
        "{type: choice}",
        12,
        "slots.colour",
        ["needs catalogue:"],
        id="choice-without-catalogue",
    ),
    pytest.param(
        "{type: integer, min: 1, max: 5}",
        "{type: integer, min: 1, max: 5, needs_year: true}",
        11,
        "slots.count.needs_year",
        ["needs_year applies to date slots, not integer"],
        id="needs-year-on-a-number",
    ),
    pytest.param(
        "{type: integer, min: 1, max: 5}",
        "{type: integer, min: 1, max: 5, labels: {excellent: 6}}",
        11,
        "slots.count.labels.excellent",
        ["6 is outside the slot's range"],
        id="label-out-of-range",
    ),
    pytest.param(
        "{type: choice, catalogue: colours}",
        "{type: choice, catalogue: colours, labels: {excellent: 5}}",
        12,
        "slots.colour.labels",
        ["labels apply to integer and number slots, not choice"],
        id="labels-on-a-choice",
    ),
    pytest.param(
        "flows:\n",
        "global:\n  year: false\nflows:\n",
        16,
        "global.year",
        ["global.year takes a prompt"],
        id="year-turned-off",
    ),
    pytest.param(
        "flows:\n",
        "global:\n  half: false\nflows:\n",
        16,
        "global.half",
        ["global.half takes a prompt"],
        id="half-turned-off",
    ),
    pytest.param(
        "- say: hello",
        "- say: helo_world",
        17,
        "flows.main[0].say",
        ["unknown prompt 'helo_world'"],
        id="unknown-prompt-id",
    ),
    pytest.param(
        "language: en",
        "language: fr",
        2,
        "language",
        ["unsupported language 'fr'", "en, ko"],
        id="unsupported-language",
    ),
    pytest.param(
        '      prompt: "How many?"',
        '      prompt: "How many?"\n      max_attempts: 0',
        20,
        "flows.main[1].max_attempts",
        ["whole number >= 1"],
        id="zero-attempts",
    ),
    pytest.param(
        '    - ask: colour\n      prompt: "Which colour?"\n',
        "    - colour\n",
        20,
        "flows.main[2]",
        ["expected a step such as"],
        id="step-is-a-bare-word",
    ),
    pytest.param(
        "  customer_name: {type: text}",
        "  customer_name: {type: text}\n   bad: [",
        6,
        None,
        ["YAML syntax error"],
        id="yaml-syntax",
    ),
    pytest.param(
        "  customer_name: {type: text}",
        "  !1 customer_name: {type: text}",
        5,
        "variables",
        ["YAML value error", "tag"],
        id="unknown-yaml-tag",
    ),
    pytest.param(
        "- hangup: done",
        "- action: lookup\n      url: ftp://example.com",
        23,
        "flows.main[3].url",
        ["must start with http:// or https://"],
        id="webhook-url",
    ),
    pytest.param(
        "- ask: count",
        "- ask: count\n      max_attempts: three",
        19,
        "flows.main[1].max_attempts",
        ["whole number", "'three'"],
        id="attempts-not-a-number",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "key_path", "words"), MISTAKES)
def test_mistake_is_reported_precisely(
    tmp_path: Path, old: str, new: str, line: int, key_path: str | None, words: list[str]
) -> None:
    assert old in VALID
    err = _load(tmp_path, VALID.replace(old, new, 1))
    assert err.line == line, str(err)
    assert err.key_path == key_path, str(err)
    for word in words:
        assert word in err.reason, str(err)


def test_empty_file(tmp_path: Path) -> None:
    err = _load(tmp_path, "")
    assert "empty" in err.reason


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "demo.yml"
    path.write_bytes(VALID.encode("utf-16"))
    with pytest.raises(DialogueError, match="UTF-8"):
        load_dialogue(path)


def test_missing_file_says_check_the_path(tmp_path: Path) -> None:
    with pytest.raises(DialogueError, match="check the path"):
        load_dialogue(tmp_path / "nope.yml")


SHIPPED = Path(__file__).resolve().parents[2] / "dialogues" / "pizza_order.yml"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_damaged_dialogues_raise_dialogue_error_or_load(data: st.DataObject) -> None:
    """Delete, repeat or garble lines of a real dialogue: never a traceback, always a located error."""
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "repeat", "garble", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " + lines[i]
        else:
            junk = data.draw(st.text(alphabet="abc:-[]{}'\"#|>&*!% 1", max_size=6))
            j = data.draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + junk + lines[i][j:]
        if not lines:
            lines = [""]
    try:
        load_dialogue_bytes("\n".join(lines).encode(), "damaged.yml")
    except DialogueError as err:
        assert err.file == "damaged.yml"
        assert err.reason
