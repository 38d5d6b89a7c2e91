#!/usr/bin/env bash
# Creates .bench-venv-pipecat/ (git-ignored) with Pipecat and the extras the side-by-side bot needs.
# Models are not downloaded: bench/side_by_side.py passes the main venv's model files to the bot.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.bench-venv-pipecat
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -r bench/pipecat/requirements.txt
"$VENV/bin/python" -c "import pipecat, faster_whisper, piper, fastapi; print('pipecat', pipecat.version() if hasattr(pipecat, 'version') else 'ok')"
