"""The operations API and the operator console: step analytics, drift, usage, the review queue, ``/console``.

Everything here needs a key with the ``admin`` scope (403 otherwise), except ``/api/usage``, where a key
without it sees its own usage only. Records are shown with phone numbers and dates masked unless the key
also has the ``personal_data`` scope.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from voicebot.analytics.drift import step_drift
from voicebot.analytics.gauges import DriftCollector
from voicebot.analytics.redact import redact_record
from voicebot.analytics.review import ReviewItem, audio_slice, label, review_item, review_queue, turn_context
from voicebot.analytics.steps import dialogues_with_facts, outcomes_by_day, step_report, steps_by_day
from voicebot.analytics.usage import usage
from voicebot.errors import ScopeRequiredError, StoreError
from voicebot.logs import redact
from voicebot.store.keys import ADMIN, PERSONAL_DATA, ApiKey
from voicebot.web.auth import require_key

CONSOLE_PAGE = "console.html"
_MAX_PAGE = 500


def ops_routes() -> list[BaseRoute]:
    return [
        Route("/console", console),
        Route("/api/analytics/dialogues", analytics_dialogues),
        Route("/api/analytics/steps", analytics_steps),
        Route("/api/analytics/outcomes", analytics_outcomes),
        Route("/api/analytics/steps/daily", analytics_steps_daily),
        Route("/api/analytics/drift", analytics_drift),
        Route("/api/usage", usage_report),
        Route("/api/console/calls", console_calls),
        Route("/api/console/calls/{call_id}", console_call),
        Route("/api/review", review_list),
        Route("/api/review/{call_id}/{turn:int}", review_show),
        Route("/api/review/{call_id}/{turn:int}/audio", review_audio),
        Route("/api/review/{call_id}/{turn:int}/label", review_label, methods=["POST"]),
    ]


def install_drift_gauges(runtime: Any) -> None:
    """Expose the per-step drift flags on the runtime's ``/metrics``."""
    with contextlib.suppress(ValueError):  # already there: another app around the same runtime
        runtime.metrics.registry.register(DriftCollector(runtime.store.query))


async def require_scope(request: Request, scope: str = ADMIN) -> ApiKey:
    key = await require_key(request)
    if not key.has_scope(scope):
        raise ScopeRequiredError(f"API key {key.name!r} lacks the {scope!r} scope; grant it with "
                                 f"'voicebot keys set {key.name} --scope {scope}'")
    return key


def _store(request: Request) -> Any:
    return request.app.state.runtime.store


def _param(request: Request, name: str, *, required: bool = False) -> str | None:
    value = request.query_params.get(name)
    if required and not value:
        raise HTTPException(400, f"the {name} query parameter is required")
    return value


def _time(request: Request, name: str) -> str | None:
    from voicebot.web.app import _time_param

    return _time_param(request, name)


async def _in_thread(call: Callable[[], Any]) -> Any:
    try:
        return await asyncio.to_thread(call)
    except StoreError as exc:
        raise HTTPException(400 if "month must" in str(exc) else 503, str(exc)) from None


async def console(request: Request) -> Response:
    from voicebot.web.app import STATIC_DIR

    await require_scope(request)
    page = STATIC_DIR / CONSOLE_PAGE
    if not page.is_file():
        raise HTTPException(404, "the console page is not installed")
    return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-store"})


async def analytics_dialogues(request: Request) -> Response:
    await require_scope(request)
    store = _store(request)
    names = await _in_thread(lambda: dialogues_with_facts(store))
    return JSONResponse({"dialogues": names})


async def analytics_steps(request: Request) -> Response:
    await require_scope(request)
    dialogue = _param(request, "dialogue", required=True)
    assert dialogue is not None
    since, until = _time(request, "since"), _time(request, "until")
    store = _store(request)
    rows = await _in_thread(lambda: step_report(store, dialogue, since=since, until=until))
    return JSONResponse({"dialogue": dialogue, "since": since, "until": until,
                         "steps": [row.to_json() for row in rows]})


async def analytics_steps_daily(request: Request) -> Response:
    await require_scope(request)
    dialogue = _param(request, "dialogue", required=True)
    assert dialogue is not None
    since, until = _time(request, "since"), _time(request, "until")
    store = _store(request)
    days = await _in_thread(lambda: steps_by_day(store, dialogue, since=since, until=until))
    return JSONResponse({"dialogue": dialogue, "days": [d.to_json() for d in days]})


async def analytics_outcomes(request: Request) -> Response:
    await require_scope(request)
    dialogue = _param(request, "dialogue", required=True)
    assert dialogue is not None
    since, until = _time(request, "since"), _time(request, "until")
    store = _store(request)
    days = await _in_thread(lambda: outcomes_by_day(store, dialogue, since=since, until=until))
    return JSONResponse({"dialogue": dialogue, "days": [d.to_json() for d in days]})


async def analytics_drift(request: Request) -> Response:
    await require_scope(request)
    raw = request.query_params.get("days", "7")
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise HTTPException(400, "days must be an integer between 1 and 365")
    dialogue = _param(request, "dialogue")
    store = _store(request)
    drifts = await _in_thread(lambda: step_drift(store.query, days=int(raw), dialogue=dialogue))
    return JSONResponse({"days": int(raw), "steps": [d.to_json() for d in drifts]})


async def usage_report(request: Request) -> Response:
    key = await require_key(request)
    month, by = _param(request, "month"), request.query_params.get("by", "month")
    if by not in ("day", "month"):
        raise HTTPException(400, "by must be day or month")
    wanted = _param(request, "key")
    if not key.has_scope(ADMIN):
        if wanted is not None and wanted not in (key.key_id, key.name):
            raise ScopeRequiredError(f"API key {key.name!r} may read only its own usage (admin scope needed)")
        wanted = key.key_id
    store = _store(request)
    rows = await _in_thread(lambda: usage(store.query, month=month, key=wanted, by=by))
    return JSONResponse({"month": month, "by": by, "usage": [row.to_json() for row in rows]})


def _shown(key: ApiKey, data: dict[str, Any]) -> dict[str, Any]:
    return data if key.has_scope(PERSONAL_DATA) else redact_record(data)


async def console_calls(request: Request) -> Response:
    key = await require_scope(request)
    store = _store(request)
    from voicebot.web.app import _int_param

    limit = _int_param(request, "limit", 50, _MAX_PAGE)
    filters = {name: _param(request, name) for name in ("dialogue", "outcome", "status")}
    door = _param(request, "door")
    since, until = _time(request, "since"), _time(request, "until")

    def query() -> tuple[list[dict[str, Any]], int]:
        entries = store.entries(limit if door is None else _MAX_PAGE, 0, since=since, until=until, **filters)
        if door is not None:
            entries = [e for e in entries if e.record.meta.get("door") == door][:limit]
        total = store.count(since=since, until=until, **filters)
        return [_shown(key, e.to_json()) for e in entries], total

    calls, total = await _in_thread(query)
    return JSONResponse({"calls": calls, "total": total, "redacted": not key.has_scope(PERSONAL_DATA)})


async def console_call(request: Request) -> Response:
    key = await require_scope(request)
    call_id = request.path_params["call_id"]
    store = _store(request)
    entry = await _in_thread(lambda: store.entry(call_id))
    if entry is None:
        raise HTTPException(404, f"no call {call_id}")
    return JSONResponse(_shown(key, entry.to_json()))


async def review_list(request: Request) -> Response:
    from voicebot.web.app import _int_param

    await require_scope(request)
    status = request.query_params.get("status", "open")
    if status not in ("open", "labelled", "all"):
        raise HTTPException(400, "status must be open, labelled or all")
    dialogue = _param(request, "dialogue")
    limit = _int_param(request, "limit", 50, _MAX_PAGE)
    store = _store(request)
    items = await _in_thread(lambda: review_queue(store, dialogue=dialogue, status=status, limit=limit))
    return JSONResponse({"items": [item.to_json() for item in items]})


async def _review_target(request: Request) -> tuple[ApiKey, Any, ReviewItem, Any]:
    key = await require_scope(request)
    call_id, turn = request.path_params["call_id"], int(request.path_params["turn"])
    store = _store(request)
    item, record = await _in_thread(lambda: (review_item(store, call_id, turn), store.get(call_id)))
    if item is None or record is None:
        raise HTTPException(404, f"no turn {turn} of call {call_id} in the review facts")
    return key, store, item, record


async def review_show(request: Request) -> Response:
    key, _, item, record = await _review_target(request)
    try:
        context = turn_context(record, item.turn, personal_data=key.has_scope(PERSONAL_DATA))
    except StoreError as exc:
        raise HTTPException(404, str(exc)) from None
    shown = item.to_json()
    if not key.has_scope(PERSONAL_DATA) and item.heard is not None:
        shown["heard"] = redact(item.heard)
        shown["value"] = redact(item.value) if item.value else item.value
    return JSONResponse({**shown, **context})


async def review_audio(request: Request) -> Response:
    _, store, item, record = await _review_target(request)
    wav = store.audio_path(item.call_id)
    if wav is None:
        raise HTTPException(404, f"call {item.call_id} has no recording")
    audio_ms = record.turns[item.turn].audio_ms if item.turn < len(record.turns) else None
    try:
        body = await asyncio.to_thread(audio_slice, wav, audio_ms)
    except StoreError as exc:
        raise HTTPException(404, str(exc)) from None
    return Response(body, media_type="audio/wav")


async def review_label(request: Request) -> Response:
    key, store, item, _ = await _review_target(request)
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, 'send JSON: {"heard": "what was said", "value": "the value"}') from None
    heard, value = body.get("heard") if isinstance(body, dict) else None, None
    if isinstance(body, dict) and body.get("value") not in (None, ""):
        value = str(body["value"])
    if not isinstance(heard, str) or not heard.strip():
        raise HTTPException(400, "heard (the words the caller really said) is required")
    try:
        labelled = await asyncio.to_thread(label, store, item.call_id, item.turn, heard, value,
                                           by=f"key:{key.name}")
    except StoreError as exc:
        raise HTTPException(400, str(exc)) from None
    return JSONResponse(labelled.to_json())
