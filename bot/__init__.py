"""Relaydesk core: conversations, commands, delivery. Imports no messenger SDK."""
