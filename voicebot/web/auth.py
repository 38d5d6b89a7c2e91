"""Request auth for the HTTP app: the API key of a request, checked by the runtime's admission.

Both helpers live in voicebot.admission (the websocket door and the campaign API use them too, and
admission is not a web concept); they are named here for the app's routes.
"""

from __future__ import annotations

from voicebot.admission import require_key, token_from

__all__ = ["require_key", "token_from"]
