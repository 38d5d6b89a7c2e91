"""CLI commands: campaign (not built yet)."""

from __future__ import annotations

import argparse
from typing import Any

def register(sub: Any) -> None:  # argparse's subparsers action has no public type
    del sub
