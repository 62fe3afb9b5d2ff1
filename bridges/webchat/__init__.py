"""The web chat channel: the widget script (`static/widget.js`), its WebSocket and its
long-polling fallback, origin checks and rate limits (README, "Web chat")."""

PREFIX = "/webchat"
