"""The session's output events as websocket protocol messages (docs/websocket.md)."""

from __future__ import annotations

from typing import Any

from voicebot.protocol import websocket as wire
from voicebot.session.output import BotAudioEnd, BotWords, CallerWords, CallFailed, OutputEvent


def event_message(event: OutputEvent) -> dict[str, Any]:
    match event:
        case CallerWords(text=text, final=final):
            return wire.transcript(text, final=final)
        case BotWords(text=text, prompt_id=prompt_id):
            return wire.bot(text, prompt_id=prompt_id)
        case BotAudioEnd():
            return wire.audio_end()
        case CallFailed(code=code, message=message):
            return wire.error(code, message)
