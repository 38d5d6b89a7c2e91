"""Every error voicebot raises on purpose derives from :class:`VoicebotError`.

    VoicebotError               one-line message meant for the operator; CLI exit code 2
    ├── ConfigError             bad configuration file or VOICEBOT_* variable
    ├── AudioError              unreadable, empty or unsupported audio
    ├── ModelError              a model package or file is missing or broken
    ├── EngineError             an engine failed while working (STT, TTS, VAD)
    ├── DialogueError           a dialogue file is invalid (names file, line, key path)
    ├── ProtocolError           a peer broke the websocket / AudioSocket / AMI protocol
    ├── AuthError               missing, unknown or revoked API key
    │   └── AdmissionError      a call or request turned away (carries HTTP status, websocket close code)
    │       ├── MissingKeyError, UnknownKeyError, RevokedKeyError      401 / 4401
    │       ├── DialogueNotAllowedError                                 403 / 4403
    │       └── TooManyCallsError                                       429 / 4429
    ├── StoreError              the call-record store cannot be written or read
    └── CampaignError           bad contacts file, unknown campaign
"""

from __future__ import annotations


class VoicebotError(Exception):
    """Root of voicebot's errors. The message says what went wrong and what to do next."""


class ConfigError(VoicebotError):
    pass


class AudioError(VoicebotError):
    pass


class ModelError(VoicebotError):
    pass


class EngineError(VoicebotError):
    pass


class DialogueError(VoicebotError):
    """A dialogue is invalid. Carries where: file, line (1-based) and key path."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key_path: str | None = None) -> None:
        self.file = file
        self.line = line
        self.key_path = key_path
        self.reason = message
        where = ":".join(p for p in (file, str(line) if line else None) if p)
        prefix = f"{where}: " if where else ""
        key = f"{key_path}: " if key_path else ""
        super().__init__(f"{prefix}{key}{message}")


class ProtocolError(VoicebotError):
    pass


class AuthError(VoicebotError):
    pass


class AdmissionError(AuthError):
    """A rejection, with the HTTP status and the websocket close code a door answers with."""

    http_status = 401
    close_code = 4401
    reason = "unauthorized"


class MissingKeyError(AdmissionError):
    reason = "missing_key"


class UnknownKeyError(AdmissionError):
    reason = "unknown_key"


class RevokedKeyError(AdmissionError):
    reason = "revoked_key"


class DialogueNotAllowedError(AdmissionError):
    http_status = 403
    close_code = 4403
    reason = "dialogue_not_allowed"


class TooManyCallsError(AdmissionError):
    http_status = 429
    close_code = 4429
    reason = "too_many_calls"


class ScopeRequiredError(AdmissionError):
    """The key lacks a scope the request needs, e.g. ``admin`` for the console (HTTP 403)."""

    http_status = 403
    close_code = 4403
    reason = "scope_required"


class QuotaExceededError(AdmissionError):
    """The key has used its monthly minutes (HTTP 429, websocket close 4402)."""

    http_status = 429
    close_code = 4402
    reason = "quota_exceeded"


class StoreError(VoicebotError):
    pass


class CampaignError(VoicebotError):
    pass
