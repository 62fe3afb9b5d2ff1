"""Persistence: tortoise-orm models, queries, migrations and redis helpers."""
