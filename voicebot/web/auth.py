"""Request auth for the HTTP app: the API key of a request, checked by the runtime's admission.

Admission itself (keys, dialogues, call slots) is not a web concept: it lives in voicebot.admission,
and the rejections in voicebot.errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

    from voicebot.admission import Admission
    from voicebot.store.keys import ApiKey


def token_from(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The API key of a request: ``Authorization: Bearer KEY``, else ``?token=KEY``."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return query.get("token") or None


async def require_key(conn: HTTPConnection) -> ApiKey:
    """The API key of an HTTP request (or websocket) to this app; raises AdmissionError (401).

    For routers mounted into the app (``conn.app.state.runtime`` is the Runtime); the app turns the
    error into a JSON 401 answer.
    """
    admission: Admission = conn.app.state.runtime.admission
    return await admission.authenticate(token_from(conn.headers, conn.query_params))
