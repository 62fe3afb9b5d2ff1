"""Telegram: customers in private chats, operators in a forum supergroup (aiogram 3)."""

# Here, not in runtime.py, so the route exists before aiogram is imported.
WEBHOOK_PATH = "/telegram/webhook"
