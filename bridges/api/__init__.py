"""The REST API customer channel: `POST /api/v1/messages`, a conversation's messages, the
OpenAPI document, and the webhook calls the desk makes (README, "API")."""

PREFIX = "/api/v1"
