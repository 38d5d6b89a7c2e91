"""Why a call ended, as every door and the watchdog name it (the record's ``meta.end_reason``)."""

from __future__ import annotations

from enum import StrEnum


class EndReason(StrEnum):
    CALLER_HANGUP = "caller_hangup"
    CALLER_STOP = "caller_stop"  # the websocket client sent stop
    NETWORK_LOST = "network_lost"
    END_OF_AUDIO = "end_of_audio"  # the file door played its last turn
    SERVER_SHUTDOWN = "server_shutdown"
    PROTOCOL_ERROR = "protocol_error"
    ASTERISK_ERROR = "asterisk_error"
    NO_PROGRESS = "no_progress"  # the watchdog: nothing happened for too long
    MAX_DURATION = "max_duration"
    STUCK = "stuck"  # the guard: stuck where the watchdog cannot look

    def detail(self, detail: str | None) -> str:
        """The reason as recorded: ``protocol_error:frame_too_large``, ``asterisk_error:3``."""
        return self.value if not detail else f"{self.value}:{detail}"
