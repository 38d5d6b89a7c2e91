"""The dialogues a service runs, swapped as a whole on a successful reload.

A reload loads every dialogue file and runs its conversation tests; only when all validate and pass do
the new versions replace the old ones. A call takes its ``Dialogue`` once, at its start, so a reload never
changes a call in progress.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from voicebot.dialogue.model import Dialogue
from voicebot.errors import DialogueError, VoicebotError
from voicebot.record import utc_now_iso


@dataclass(frozen=True, slots=True)
class ReloadResult:
    ok: bool
    dialogues: tuple[str, ...] = ()  # what is loaded now (the old set when the reload failed)
    errors: tuple[str, ...] = ()
    tests_passed: int = 0
    tests_failed: int = 0
    version: int = 0  # increases by one on every successful reload
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "dialogues": list(self.dialogues), "errors": list(self.errors),
                "tests_passed": self.tests_passed, "tests_failed": self.tests_failed,
                "version": self.version, "at": self.at}


class DialogueLibrary:
    """The current version of every dialogue in one directory."""

    def __init__(self, dialogues_dir: str | Path) -> None:
        self.dialogues_dir = Path(dialogues_dir)
        self._dialogues: Mapping[str, Dialogue] = MappingProxyType({})
        self._reload_lock = threading.Lock()
        self.version = 0
        self.last_result: ReloadResult | None = None

    def get(self, name: str) -> Dialogue:
        """The current version of a dialogue. Raises DialogueError when there is none by that name."""
        try:
            return self._dialogues[name]
        except KeyError:
            known = ", ".join(sorted(self._dialogues)) or "none loaded"
            raise DialogueError(f"no dialogue named {name!r} (available: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._dialogues)

    def all(self) -> Mapping[str, Dialogue]:
        return self._dialogues

    def reload(self) -> ReloadResult:
        """Load every dialogue and run its conversation tests; swap in only if all validate and pass."""
        with self._reload_lock:
            result = self._try_reload()
            self.last_result = result
            return result

    def _try_reload(self) -> ReloadResult:
        def failed(*errors: str, passed: int = 0, failed_count: int = 0) -> ReloadResult:
            return ReloadResult(ok=False, dialogues=tuple(self.names()), errors=errors, tests_passed=passed,
                                tests_failed=failed_count, version=self.version, at=utc_now_iso())

        if not self.dialogues_dir.is_dir():
            return failed(f"dialogues directory {self.dialogues_dir} not found; set paths.dialogues_dir")
        # Lazy: the loader and the test runner pull in the machine and the NLU helpers.
        from voicebot.dialogue.loader import load_dialogue_dir

        try:
            loaded = dict(load_dialogue_dir(self.dialogues_dir))
        except VoicebotError as exc:
            return failed(str(exc))
        passed, errors = self._run_tests(loaded)
        if errors:
            return failed(*errors, passed=passed, failed_count=len(errors))
        self._dialogues = MappingProxyType(loaded)
        self.version += 1
        return ReloadResult(ok=True, dialogues=tuple(sorted(loaded)), tests_passed=passed,
                            version=self.version, at=utc_now_iso())

    def _run_tests(self, loaded: Mapping[str, Dialogue]) -> tuple[int, list[str]]:
        tests_dir = self.dialogues_dir / "tests"
        files = sorted(p for p in tests_dir.glob("*.yml") if any(p.stem.startswith(n) for n in loaded)) \
            if tests_dir.is_dir() else []
        if not files:
            return 0, []
        from voicebot.dialogue.testing import run_test_file

        passed, errors = 0, []
        for path in files:
            try:
                results = run_test_file(path)
            except VoicebotError as exc:
                errors.append(f"{path}: {exc}")
                continue
            for result in results:
                if result.passed:
                    passed += 1
                else:
                    why = "; ".join(result.failures) or "no details"
                    errors.append(f"{path}: test {result.name} failed: {why}")
        return passed, errors
