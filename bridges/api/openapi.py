"""The OpenAPI 3.1 document served at /api/v1/openapi.json, built from the models the
handlers check requests with (`schemas`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from bridges.api import PREFIX
from bridges.api.schemas import (
    Error,
    MessageIn,
    MessageList,
    MessagePosted,
    WebhookEvent,
)

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Malformed JSON, a missing or invalid Idempotency-Key, a bad parameter",
    "401": "No key, or a key that is not valid",
    "403": "The contact is banned; for a file: the link is not valid or has expired",
    "404": "No such conversation for this key; for a file: no such file",
    "409": "The Idempotency-Key was used for another request, or is in use right now",
    "413": "The body (or its JSON part) is larger than RELAYDESK_API_MAX_BODY_BYTES, or a "
    "file is larger than RELAYDESK_API_MAX_FILE_BYTES",
    "415": "The body is not application/json nor multipart/form-data",
    "422": "The body does not match the schema (unknown fields are refused), or a file is "
    "refused: its kind, its size, or its URL (unreachable, not 200, a private address)",
    "429": "Too many requests with this key; Retry-After says when to try again",
}


def _schemas(*models: type[BaseModel]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=ref)}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: {"description": ERRORS[code], "content": _json("Error")} for code in codes}


def _form() -> dict[str, Any]:
    """The same message with uploaded files: the JSON as the part `message`."""
    return {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["message"],
                "additionalProperties": False,
                "properties": {
                    "message": {"$ref": REF.format(model="MessageIn")},
                    "file": {
                        "type": "array",
                        "maxItems": 10,
                        "items": {"type": "string", "format": "binary"},
                    },
                },
            },
            "encoding": {"message": {"contentType": "application/json"}},
        }
    }


@cache
def document() -> dict[str, Any]:
    """Built on its first request (pydantic's schemas take a while), then kept: it is the
    same for every request of this version. Not to be changed by its callers."""
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": True,
        "description": "Unique per request; a retry with the same key and body gets the "
        "first answer again, with another body a 409.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"},
    }
    whole = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Relaydesk API",
            "version": "1",
            "description": "Customers' messages from your system into the desk; operators' "
            "answers and conversation events back to your webhook (signed: see the README).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            f"{PREFIX}/messages": {
                "post": {
                    "operationId": "postMessage",
                    "summary": "A customer's message: it opens or continues their conversation",
                    "parameters": [idempotency],
                    "requestBody": {
                        "required": True,
                        "content": {**_json("MessageIn"), **_form()},
                    },
                    "responses": {
                        "201": {"description": "Taken in", "content": _json("MessagePosted")},
                        **_errors("400", "401", "403", "409", "413", "415", "422", "429"),
                    },
                }
            },
            f"{PREFIX}/conversations/{{id}}/messages": {
                "get": {
                    "operationId": "listMessages",
                    "summary": "What the customer and the operators said, oldest first",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {**whole, "minimum": 1},
                        },
                        {
                            "name": "after",
                            "in": "query",
                            "description": "Only messages with a greater id",
                            "schema": whole,
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        "200": {"description": "The messages", "content": _json("MessageList")},
                        **_errors("400", "401", "404", "429"),
                    },
                }
            },
            f"{PREFIX}/files/{{id}}": {
                "get": {
                    "operationId": "downloadFile",
                    "summary": "A file, by the signed link an answer or an event gave",
                    "security": [],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": whole},
                        *(
                            {"name": name, "in": "query", "required": True, "schema": schema}
                            for name, schema in (
                                ("a", {"type": "string"}),
                                ("e", {"type": "string"}),
                                ("s", {"type": "string"}),
                            )
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "The file: images inline, others as attachments",
                            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors("403", "404"),
                    },
                }
            },
            f"{PREFIX}/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "webhooks": {
            "event": {
                "post": {
                    "summary": "An operator's answer or a conversation event, signed",
                    "requestBody": {"content": _json("WebhookEvent")},
                    "responses": {"200": {"description": "Any 2xx: received"}},
                }
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(MessageIn, MessagePosted, MessageList, Error, WebhookEvent),
        },
    }
