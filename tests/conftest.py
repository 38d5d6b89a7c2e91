"""Suite-wide settings.

Under CI (``CI=true``) hypothesis runs derandomized: every run draws the same inputs, so a submission
is judged on a fixed set and a failure reproduces. Locally each run explores new inputs, and the long
fuzz (``make test-system``) explores far more.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
