"""Telegram: customers in private chats, operators in a forum supergroup (aiogram 3)."""
