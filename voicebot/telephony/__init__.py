"""Asterisk door: AudioSocket audio (codec + server), AMI control, routing calls to dialogues."""
