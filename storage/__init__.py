"""Persistence: models, engine and unit of work, repositories and migrations (no Telegram here)."""
