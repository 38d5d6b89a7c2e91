# Everything a fresh machine needs: `make run` and `make test` create the virtual
# environment when it is missing or stale, install the project, then do the job.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test test-system test-asterisk install system-deps lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# Then the models no package installs as a module (Smart Turn, out of the pipecat-ai wheel) go into
# the model cache; it does nothing when they are already there.
install: $(STAMP)
	@$(BIN)/python -m voicebot.engines.model_fetch

# Debian packages the browser test and the Korean fallback voice need (root only).
system-deps:
	@sh scripts/system-deps.sh

run: install
	$(BIN)/voicebot serve --host $(HOST) --port $(PORT) --insecure-no-auth

test: install system-deps
	$(BIN)/python -m pytest -q

# The long load / soak / fault suite (minutes to tens of minutes), and several workers behind HAProxy.
test-system: install system-deps
	@sh scripts/system-deps.sh --system
	$(BIN)/python -m pytest -q -m slow tests/system

# Calls through a real Asterisk 22 with baresip softphones (minutes). Build Asterisk first:
#   scripts/build-asterisk.sh asterisk-22.x.tar.gz pjproject-2.x.tar.gz /opt/asterisk-22
ASTERISK_PREFIX ?= /opt/asterisk-22
test-asterisk: install system-deps
	@sh scripts/asterisk-test-deps.sh
	ASTERISK_PREFIX=$(ASTERISK_PREFIX) $(BIN)/python -m pytest -q -m asterisk -p no:cacheprovider tests/asterisk

lint: install
	$(BIN)/ruff check voicebot tests bench
	$(BIN)/mypy voicebot

# The quick benchmarks (minutes). The others (WER, concurrency, cloning, side by side with
# Pipecat) are listed with their commands in BENCHMARKS.md.
bench: install
	$(BIN)/python bench/stt.py
	$(BIN)/python bench/vad.py
	$(BIN)/python bench/tts.py
	$(BIN)/python bench/latency.py call --calls 5

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var
