"""Async engine set-up (SQLite tuned for concurrent writers, or PostgreSQL) and the unit of work."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.campaign_repositories import (
    AnnouncementRepository,
    CampaignRepository,
    GroupChatRepository,
    PendingInputRepository,
    RegistrationRepository,
)
from storage.evidence_repositories import EvidenceRepository
from storage.outbox import OutboxRepository
from storage.reminder_repositories import ReminderRepository
from storage.repositories import (
    AuditRepository,
    ClusterRepository,
    InviteRepository,
    JoinRequestRepository,
    MembershipRepository,
    PersonRepository,
    UnitRepository,
)
from storage.score_repositories import ScoreRepository

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 32_768  # page cache per connection: a province's hot indexes stay in memory


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; on SQLite: WAL, a busy timeout and BEGIN IMMEDIATE so writers queue, not fail."""
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred read-then-write transaction cannot wait for the lock
        # and fails with "database is locked"; an immediate one waits up to the busy timeout instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """The engine and session factory of one database, handing out units of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: queueing transactions here is far cheaper than SQLite's busy
        # handler, which sleeps in growing steps; the busy timeout still covers other processes (the CLI).
        self._writer = asyncio.Lock() if url.startswith("sqlite") else None

    def unit_of_work(self) -> UnitOfWork:
        """A new transaction: commits when the block ends normally, rolls back on an exception."""
        return UnitOfWork(self._sessions(), self._writer)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


class UnitOfWork:
    """One transaction and the repositories that work inside it."""

    def __init__(self, session: AsyncSession, writer: asyncio.Lock | None = None) -> None:
        self.session = session
        self._writer = writer
        self.units = UnitRepository(session)
        self.clusters = ClusterRepository(session)
        self.people = PersonRepository(session)
        self.memberships = MembershipRepository(session)
        self.invites = InviteRepository(session)
        self.join_requests = JoinRequestRepository(session)
        self.audit = AuditRepository(session)
        self.campaigns = CampaignRepository(session)
        self.registrations = RegistrationRepository(session)
        self.announcements = AnnouncementRepository(session)
        self.group_chats = GroupChatRepository(session)
        self.pending_inputs = PendingInputRepository(session)
        self.outbox = OutboxRepository(session)
        self.evidence = EvidenceRepository(session)
        self.scores = ScoreRepository(session)
        self.reminders = ReminderRepository(session)

    async def __aenter__(self) -> UnitOfWork:
        if self._writer is not None:
            await self._writer.acquire()
        try:
            await self.session.begin()
        except BaseException:
            self._release()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()
            self._release()

    def _release(self) -> None:
        if self._writer is not None:
            self._writer.release()

    async def flush(self) -> None:
        """Send pending changes so generated ids are known, without ending the transaction."""
        await self.session.flush()
