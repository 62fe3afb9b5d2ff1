"""The API's one error shape, `{"error": {"code": ..., "message": ...}}`, for every 4xx it
answers, also those aiohttp itself raises under /api/v1 (no route, wrong method, too large).
Messages are English: they are read by developers, not by customers or operators."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bridges.api import PREFIX

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# aiohttp's own refusals under /api/v1, in the API's words.
CODES = {
    400: ("bad_request", "The request could not be read."),
    404: ("not_found", "There is no such resource."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("body_too_large", "The body is too large."),
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(error: ApiError) -> web.Response:
    return web.json_response(
        error_body(error.code, error.message, error.details),
        status=error.status,
        headers=error.headers,
    )


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /api/v1, every refusal in the one shape; elsewhere nothing changes."""
    if not request.path.startswith(PREFIX + "/") and request.path != PREFIX:
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        code, message = CODES.get(error.status, ("http_error", error.reason))
        headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else None
        return error_response(ApiError(error.status, code, message, headers=headers))
