"""schema.json (editor completion) agrees with the loader on the shipped dialogues and common mistakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "voicebot" / "dialogue" / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted((ROOT / "dialogues").glob("*.yml")), ids=lambda p: p.name)
def test_shipped_dialogues_match_the_schema(path: Path) -> None:
    errors = [e.message for e in VALIDATOR.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []


def _base() -> dict[str, Any]:
    return {"name": "demo", "language": "en", "outcomes": ["done"],
            "slots": {"n": {"type": "integer", "min": 1, "max": 5}},
            "flows": {"main": [{"ask": "n", "prompt": "How many?"}, {"hangup": "done"}]}}


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(flow=d["flows"]),
    lambda d: d["slots"]["n"].update(type="integr"),
    lambda d: d["flows"]["main"][0].update(promt="x"),
    lambda d: d["flows"]["main"].append({"sya": "hi"}),
    lambda d: d.update(language="fr"),
    lambda d: d["flows"]["main"].append({"action": "x", "url": "ftp://x"}),
], ids=["unknown-top-key", "slot-type", "step-option", "step-kind", "language", "webhook-url"])
def test_schema_rejects_what_the_loader_rejects(mutate: Any) -> None:
    data = _base()
    assert not list(VALIDATOR.iter_errors(data))
    mutate(data)
    assert list(VALIDATOR.iter_errors(data))
