"""CLI commands: transcribe (not built yet)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    del sub
