"""Every shipped dialogue validates, and every conversation test in dialogues/tests passes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from voicebot.dialogue.loader import load_dialogue, load_dialogue_dir
from voicebot.dialogue.testing import TestResult, run_test_file

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
SHIPPED = ("pizza_order", "satisfaction_survey", "sales_compliance")
LANGUAGES = {"": "en", "_ko": "ko"}


def _cases() -> list[tuple[str, int, str]]:
    cases: list[tuple[str, int, str]] = []
    for path in sorted((ROOT / "tests").glob("*.yml")):
        tests = yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
        cases.extend((path.name, i, t.get("name", str(i))) for i, t in enumerate(tests))
    return cases


@cache
def _results(file_name: str) -> list[TestResult]:
    return run_test_file(ROOT / "tests" / file_name)


@pytest.mark.parametrize(("file_name", "index", "name"), _cases(), ids=lambda v: str(v))
def test_conversation(file_name: str, index: int, name: str) -> None:
    result = _results(file_name)[index]
    assert result.name == name
    assert result.passed, "\n".join(result.failures)


@pytest.mark.parametrize("suffix", sorted(LANGUAGES))
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_dialogue_loads_with_its_language(name: str, suffix: str) -> None:
    path = ROOT / f"{name}{suffix}.yml"
    dialogue = load_dialogue(path)
    assert dialogue.language == LANGUAGES[suffix]
    assert dialogue.fixed_prompts(), "fixed prompts feed the audio cache"


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_dialogue_has_ten_conversation_tests(name: str) -> None:
    for suffix in LANGUAGES:
        tests = yaml.safe_load((ROOT / "tests" / f"{name}{suffix}.yml").read_text(encoding="utf-8"))["tests"]
        assert len(tests) >= 10


def test_dialogue_dir_skips_tests_and_keys_by_name() -> None:
    dialogues = load_dialogue_dir(ROOT)
    assert set(SHIPPED) <= set(dialogues)
    assert all(not str(d.path).startswith(str(ROOT / "tests")) for d in dialogues.values())
