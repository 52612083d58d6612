"""Shared fixtures: a migrated database per test (SQLite, or PostgreSQL given THIDUA_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.config import normalize_database_url
from storage.db import Database
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get("THIDUA_TEST_DATABASE_URL")


async def _reset_postgres(url: str) -> None:
    """An empty public schema, so each test starts from a fresh migration."""
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await database.dispose()


@pytest.fixture
async def database_url(tmp_path) -> str:
    """The URL of an empty database for this test."""
    if POSTGRES_URL:
        url = normalize_database_url(POSTGRES_URL)
        await _reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"


@pytest.fixture
async def database(database_url) -> AsyncIterator[Database]:
    """A migrated database."""
    db = Database(database_url)
    await upgrade(db)
    yield db
    await db.dispose()
