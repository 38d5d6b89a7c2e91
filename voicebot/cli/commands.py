"""The parsers' registry each command module's ``register`` adds its command to."""

from __future__ import annotations

import argparse
from typing import TypeAlias

# argparse names the action only privately; this is its one mention in the package.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
