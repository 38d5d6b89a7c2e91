"""YAML dialogues: format, loader, validation and the pure dialogue machine."""
