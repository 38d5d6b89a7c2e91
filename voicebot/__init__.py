"""voicebot: a self-hosted voice bot (streaming STT, YAML dialogues, cloned voices)."""

__version__ = "0.1.0"
