"""Doors that carry a call's audio: websocket, audio files."""
