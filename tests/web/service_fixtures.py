"""A small real dialogue with a passing conversation test, and a runtime around it, for the shell tests."""

from __future__ import annotations

from pathlib import Path

from voicebot.config import Config, PathsConfig, ServerConfig
from voicebot.runtime import Runtime

GREETER = """\
name: greeter
language: en
description: A two-step call used by the service tests.
outcomes: [done]
slots:
  confirmed: {type: yes_no}
prompts:
  hello: "Hello. Shall we finish?"
  bye: "Goodbye."
flows:
  main:
    - ask: confirmed
      prompt: hello
    - hangup: done
      prompt: bye
"""

GREETER_TEST = """\
dialogue: greeter
tests:
  - name: caller agrees
    turns:
      - bot: hello
      - caller: "yes"
    expect:
      outcome: done
      slots: {confirmed: true}
"""


def write_dialogues(root: Path) -> Path:
    """``root/dialogues`` with greeter.yml, a second dialogue, and greeter's passing test."""
    folder = root / "dialogues"
    (folder / "tests").mkdir(parents=True)
    (folder / "greeter.yml").write_text(GREETER)
    (folder / "farewell.yml").write_text(GREETER.replace("name: greeter", "name: farewell"))
    (folder / "tests" / "greeter.yml").write_text(GREETER_TEST)
    return folder


def make_config(root: Path, **server: object) -> Config:
    return Config(server=ServerConfig(**server),  # type: ignore[arg-type]
                  paths=PathsConfig(data_dir=root / "var", dialogues_dir=write_dialogues(root)))


def make_runtime(root: Path, **server: object) -> Runtime:
    return Runtime.create(make_config(root, **server), load_engines=False)
