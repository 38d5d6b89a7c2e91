"""HTTP API for campaigns, a Starlette router mounted at ``/api/campaigns``; every route needs an API key.

    GET  /api/campaigns/                    list with progress
    POST /api/campaigns/                    create: JSON {dialogue, contacts_csv, max_concurrent, ...}
    GET  /api/campaigns/{id}                progress
    POST /api/campaigns/{id}/start          start or resume dialling
    POST /api/campaigns/{id}/pause          stop dialling; calls in progress finish
    GET  /api/campaigns/{id}/report?format=json|csv|html
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.report import FORMATS, build_report, render
from voicebot.campaign.service import CampaignService, open_campaign_store
from voicebot.campaign.state import Campaign
from voicebot.errors import CampaignError
from voicebot.store.keys import ApiKey

_SETTING_FIELDS = ("max_concurrent", "retries", "retry_after_min", "window", "timezone", "phone_column")


def campaign_service(request: Request) -> CampaignService:
    """The app's service (``app.state.campaigns``), opened on first use beside the call store."""
    state = request.app.state
    service: CampaignService | None = getattr(state, "campaigns", None)
    if service is None:
        runtime = state.runtime
        store = open_campaign_store(runtime.config)
        get = getattr(runtime.store, "get", None)
        service = CampaignService(store, find_record=get) if get else CampaignService(store)
        state.campaigns = service
    return service


async def _key(request: Request) -> ApiKey:
    from voicebot.admission import require_key

    return await require_key(request)


def _allowed(key: ApiKey, campaign: Campaign) -> None:
    if not key.allows(campaign.settings.dialogue):
        raise HTTPException(403, f"this API key may not use dialogue {campaign.settings.dialogue!r}")


def _campaign(service: CampaignService, campaign_id: str, key: ApiKey) -> Campaign:
    try:
        campaign = service.store.get(campaign_id)
    except CampaignError as exc:
        raise HTTPException(404, str(exc)) from None
    _allowed(key, campaign)
    return campaign


def _status(service: CampaignService, campaign: Campaign) -> dict[str, Any]:
    progress = service.store.progress(campaign.id).to_json()
    return {"id": campaign.id, "name": campaign.name, "dialogue": campaign.settings.dialogue,
            "created_at": campaign.created_at, "running": service.running(campaign.id),
            "settings": campaign.settings.to_json(), **progress}


async def list_campaigns(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    allows = getattr(key, "allows", lambda name: True)
    return JSONResponse({"campaigns": [_status(service, c) for c in service.store.all_campaigns()
                                       if allows(c.settings.dialogue)]})


async def create_campaign(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "send JSON: {\"dialogue\": NAME, \"contacts_csv\": TEXT, ...}") from None
    if not isinstance(body, dict) or not isinstance(body.get("dialogue"), str) or \
            not isinstance(body.get("contacts_csv"), str):
        raise HTTPException(400, "dialogue and contacts_csv (CSV text with a header row) are required")
    runtime = request.app.state.runtime
    try:
        runtime.dialogues.get(body["dialogue"])
    except Exception as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        options = {name: body[name] for name in _SETTING_FIELDS if body.get(name) is not None}
        settings = CampaignSettings(body["dialogue"], **options)
    except (TypeError, CampaignError) as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        campaign, contacts, created = service.create(body["contacts_csv"], settings, name=body.get("name"),
                                                     campaign_id=body.get("id"))
    except CampaignError as exc:
        raise HTTPException(400, str(exc)) from None
    _allowed(key, campaign)
    payload = {**_status(service, campaign),
               "invalid_rows": [{"line": r.line, "reason": r.reason} for r in contacts.invalid]}
    return JSONResponse(payload, status_code=201 if created else 200)


async def get_campaign(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    return JSONResponse(_status(service, _campaign(service, request.path_params["campaign_id"], key)))


async def start_campaign(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    campaign = _campaign(service, request.path_params["campaign_id"], key)
    try:
        service.start(campaign.id)
    except CampaignError as exc:
        raise HTTPException(409, str(exc)) from None
    return JSONResponse(_status(service, campaign), status_code=202)


async def pause_campaign(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    campaign = _campaign(service, request.path_params["campaign_id"], key)
    paused = service.pause(campaign.id)
    return JSONResponse({**_status(service, campaign), "pausing": paused}, status_code=202 if paused else 200)


async def campaign_report(request: Request) -> Response:
    key = await _key(request)
    service = campaign_service(request)
    campaign = _campaign(service, request.path_params["campaign_id"], key)
    fmt = request.query_params.get("format", "json")
    if fmt not in FORMATS:
        raise HTTPException(400, f"format must be one of {', '.join(FORMATS)}")
    dialogue = None
    try:
        dialogue = request.app.state.runtime.dialogues.get(campaign.settings.dialogue)
    except Exception:  # a dialogue removed since: the report guesses its layout from the answers
        dialogue = None
    report = build_report(service.store, campaign.id, dialogue=dialogue)
    text = render(report, fmt)
    if fmt == "html":
        return HTMLResponse(text)
    if fmt == "csv":
        return PlainTextResponse(text, media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="campaign-{campaign.id}.csv"'})
    return Response(text, media_type="application/json")


router = Router(routes=[
    Route("/", list_campaigns, methods=["GET"]),
    Route("/", create_campaign, methods=["POST"]),
    Route("/{campaign_id}", get_campaign, methods=["GET"]),
    Route("/{campaign_id}/start", start_campaign, methods=["POST"]),
    Route("/{campaign_id}/pause", pause_campaign, methods=["POST"]),
    Route("/{campaign_id}/report", campaign_report, methods=["GET"]),
])
