"""The ASGI application: health, call records, dialogues, metrics, the widget page and ``/ws``.

Every route but ``/healthz``, ``/`` and ``/static`` needs an API key unless the server runs with
``--insecure-no-auth``. ``/ws`` checks its key itself (through ``runtime.admit_call``) because it also
needs the dialogue name and a call slot.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from starlette.websockets import WebSocket

from voicebot import __version__
from voicebot.errors import AdmissionError, DialogueNotAllowedError
from voicebot.runtime import Runtime
from voicebot.web.auth import require_key
from voicebot.web.ops import install_drift_gauges, ops_routes

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
_MAX_PAGE = 500


def create_app(runtime: Runtime, *, manage_runtime: bool = True) -> Starlette:
    """Build the app around a runtime.

    With ``manage_runtime`` the app's lifespan starts and closes the runtime and reloads dialogues on
    SIGHUP; ``voicebot serve`` passes False because it runs those steps itself, around other doors.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        if not manage_runtime:
            yield
            return
        await runtime.start()
        hup = runtime.reload_on_signal()
        try:
            yield
        finally:
            if hup:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            await runtime.close()

    routes = [
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        Route("/api/calls", list_calls),
        Route("/api/calls/{call_id}", get_call),
        Route("/api/calls/{call_id}/audio", get_call_audio),
        Route("/api/dialogues", list_dialogues),
        Route("/api/dialogues/reload", reload_dialogues, methods=["POST"]),
        Mount("/api/campaigns", app=_campaign_router()),
        *ops_routes(),
        Route("/", index),
        Mount("/static", app=_PublicStatic(directory=STATIC_DIR, check_dir=False), name="static"),
        WebSocketRoute("/ws", websocket),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        AdmissionError: _admission_error,  # type: ignore[dict-item]
        HTTPException: _http_error,  # type: ignore[dict-item]
    })
    app.state.runtime = runtime
    install_drift_gauges(runtime)
    return app


def _campaign_router() -> Any:
    from voicebot.campaign.api import router  # the campaign engineer's routes (docs/campaigns.md)

    return router


class _PublicStatic(StaticFiles):
    """The widget files, readable from any origin: a page elsewhere embeds widget.js, and browsers
    fetch its AudioWorklet module in CORS mode."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


# ---- helpers ----


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(400, f"{name} must be an integer") from None
    if not 0 <= value <= maximum:
        raise HTTPException(400, f"{name} must be between 0 and {maximum}")
    return value


def _time_param(request: Request, name: str) -> str | None:
    """An ISO 8601 time or date, normalised to the stored form so that strings compare as times."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, f"{name} must be an ISO 8601 date or time, e.g. 2026-03-01 or "
                                 f"2026-03-01T09:30:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the records are in UTC
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def _admission_error(request: Request, exc: AdmissionError) -> Response:
    del request
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse({"error": exc.reason, "message": str(exc)}, status_code=exc.http_status,
                        headers=headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    del request
    return JSONResponse({"error": "http_error", "message": exc.detail}, status_code=exc.status_code,
                        headers=exc.headers)


# ---- endpoints ----


async def healthz(request: Request) -> Response:
    runtime = _runtime(request)
    # No key needed, so nothing here names dialogues or callers: that is behind /api/dialogues.
    return JSONResponse({
        "status": "ok", "version": __version__, "dialogues_loaded": len(runtime.dialogues.all()),
        "dialogues_version": runtime.dialogues.version, "active_calls": runtime.admission.active_calls,
    })


async def metrics(request: Request) -> Response:
    await require_key(request)
    body, content_type = _runtime(request).metrics.render()
    return Response(body, media_type=content_type)


async def list_calls(request: Request) -> Response:
    key = await require_key(request)
    runtime = _runtime(request)
    limit = _int_param(request, "limit", 50, _MAX_PAGE)
    offset = _int_param(request, "offset", 0, 10**9)
    dialogue = request.query_params.get("dialogue")
    outcome = request.query_params.get("outcome")
    status = request.query_params.get("status")
    since, until = _time_param(request, "since"), _time_param(request, "until")
    if dialogue is not None and not key.allows(dialogue):
        raise DialogueNotAllowedError(f"API key {key.name!r} may not read calls of dialogue {dialogue!r}")
    # A key limited to some dialogues sees only their calls.
    allowed = key.dialogues if dialogue is None else None

    def query() -> tuple[list[dict[str, Any]], int]:
        entries = runtime.store.entries(limit, offset, dialogue=dialogue, outcome=outcome, status=status,
                                        dialogues=allowed, since=since, until=until)
        total = runtime.store.count(dialogue=dialogue, outcome=outcome, status=status, dialogues=allowed,
                                    since=since, until=until)
        return [e.to_json() for e in entries], total

    calls, total = await asyncio.to_thread(query)
    return JSONResponse({"calls": calls, "total": total, "limit": limit, "offset": offset})


async def get_call(request: Request) -> Response:
    key = await require_key(request)
    call_id = request.path_params["call_id"]
    entry = await asyncio.to_thread(_runtime(request).store.entry, call_id)
    if entry is None or not key.allows(entry.record.dialogue):
        raise HTTPException(404, f"no call {call_id}")
    return JSONResponse(entry.to_json())


async def get_call_audio(request: Request) -> Response:
    key = await require_key(request)
    runtime = _runtime(request)
    call_id = request.path_params["call_id"]
    record = await asyncio.to_thread(runtime.store.get, call_id)
    if record is None or not key.allows(record.dialogue):
        raise HTTPException(404, f"no call {call_id}")
    path = runtime.store.audio_path(call_id)
    if path is None:
        raise HTTPException(404, f"call {call_id} has no recording (recording off, or no audio)")
    # Inline, so an <audio> element or a browser tab plays it; the name is kept for saving.
    return FileResponse(path, media_type="audio/wav", filename=f"{call_id}.wav",
                        content_disposition_type="inline")


async def list_dialogues(request: Request) -> Response:
    key = await require_key(request)
    library = _runtime(request).dialogues
    items = []
    for name, dialogue in sorted(library.all().items()):
        if not key.allows(name):
            continue
        items.append({
            "name": name,
            "language": getattr(dialogue, "language", None),
            "description": getattr(dialogue, "description", None),
            "voice": getattr(dialogue, "voice", None),
            "content_hash": getattr(dialogue, "content_hash", None),
        })
    last = library.last_result
    return JSONResponse({"dialogues": items, "version": library.version,
                         "last_reload": last.to_json() if last else None})


async def reload_dialogues(request: Request) -> Response:
    key = await require_key(request)
    if key.dialogues is not None:
        raise DialogueNotAllowedError(f"API key {key.name!r} is limited to some dialogues and may not reload "
                                      f"them all; use an unrestricted key")
    result = await _runtime(request).reload_dialogues()
    return JSONResponse(result.to_json(), status_code=200 if result.ok else 422)


async def index(request: Request) -> Response:
    del request
    page = STATIC_DIR / "index.html"
    if not page.is_file():
        raise HTTPException(404, "the widget page is not installed")
    return FileResponse(page, media_type="text/html")


async def websocket(ws: WebSocket) -> None:
    try:
        from voicebot.transport.websocket import websocket_endpoint
    except ImportError as exc:
        log.error("websocket door unavailable: %s", exc)
        await ws.close(code=1011, reason="websocket calls are not available in this build")
        return
    await websocket_endpoint(ws)

