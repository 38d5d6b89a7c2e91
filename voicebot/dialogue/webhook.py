"""A dialogue's webhook action as one HTTP request, the same in text chats and voice calls.

The request shape and the reading of the answer are shared; only the client differs (blocking for
``voicebot chat``, asyncio in a call), so a timeout or an error reads the same in every call record.
"""

from __future__ import annotations

from typing import Any

import httpx

from voicebot.dialogue.events import ActionResult, CallWebhook


def request_options(action: CallWebhook) -> dict[str, Any]:
    """Method, URL and body: the payload is the query string of a GET, the JSON body otherwise."""
    options: dict[str, Any] = {"method": action.method, "url": action.url}
    if action.method == "GET":
        options["params"] = action.payload
    else:
        options["json"] = action.payload
    return options


def result_of(action: CallWebhook, response: httpx.Response) -> ActionResult:
    """A 2xx answer fills slots from its JSON object; any other status is a failed action."""
    if not response.is_success:
        return ActionResult(action.action_id, ok=False, error=f"HTTP {response.status_code}")
    try:
        body = response.json() if response.content else {}
    except ValueError:
        return ActionResult(action.action_id, ok=False, error="the answer is not JSON")
    return ActionResult(action.action_id, ok=True, data=body if isinstance(body, dict) else {"result": body})


def failure_of(action: CallWebhook, exc: Exception) -> ActionResult:
    if isinstance(exc, httpx.TimeoutException):
        return ActionResult(action.action_id, ok=False, error=f"timeout after {action.timeout_s:g} s")
    detail = str(exc).strip()
    return ActionResult(action.action_id, ok=False,
                        error=f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__)


def perform(action: CallWebhook) -> ActionResult:
    """Blocking: for text chats and tests."""
    try:
        response = httpx.request(**request_options(action), timeout=action.timeout_s)
    except Exception as exc:  # a bad URL raises outside httpx.HTTPError; the dialogue still needs an answer
        return failure_of(action, exc)
    return result_of(action, response)


async def perform_async(action: CallWebhook) -> ActionResult:
    """For a call's event loop."""
    try:
        async with httpx.AsyncClient(timeout=action.timeout_s) as client:
            response = await client.request(**request_options(action))
    except Exception as exc:
        return failure_of(action, exc)
    return result_of(action, response)
