"""The durable outbox table: enqueue once per dedupe key, claim due messages, record what sending did."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, OutboxStatus, utcnow


@dataclass(frozen=True)
class Outgoing:
    """A message to queue: where, what, and the key that makes queueing it twice harmless."""

    dedupe_key: str
    chat_id: int
    text: str
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    is_group: bool = False


class OutboxRepository:
    """Queued messages."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, messages: Iterable[Outgoing], now: datetime | None = None) -> int:
        """Queue messages whose key is new (a key seen before is skipped); returns how many were queued."""
        rows = [
            {
                "dedupe_key": m.dedupe_key,
                "chat_id": m.chat_id,
                "is_group": m.is_group,
                "text": m.text,
                "buttons": m.buttons,
                "status": OutboxStatus.pending.value,
                "attempts": 0,
                "not_before": now or utcnow(),
                "created_at": now or utcnow(),
            }
            for m in messages
        ]
        if not rows:
            return 0
        insert = sqlite_insert if self.session.bind.dialect.name == "sqlite" else postgresql_insert
        statement = (
            insert(OutboxMessage.__table__)
            .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
            .returning(OutboxMessage.id)
        )
        # One statement for every row: SQLAlchemy pages it under the parameter limit and compiles it once
        # (compiling a multi-row VALUES per chunk held the event loop for a quarter second); RETURNING counts
        # only the rows actually inserted.
        return len((await self.session.execute(statement, rows)).all())

    async def due(self, now: datetime, limit: int) -> Sequence[OutboxMessage]:
        """Pending messages whose time has come, oldest first."""
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.not_before <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def mark_sent(self, outbox_id: int, telegram_message_id: int | None, now: datetime) -> None:
        await self._set(outbox_id, status=OutboxStatus.sent, sent_at=now, message_id=telegram_message_id)

    async def mark_unreachable(self, outbox_id: int, error: str) -> None:
        await self._set(outbox_id, status=OutboxStatus.unreachable, last_error=error[:500])

    async def mark_failed(self, outbox_id: int, error: str) -> None:
        await self._set(outbox_id, status=OutboxStatus.failed, last_error=error[:500])

    async def retry_later(self, outbox_id: int, not_before: datetime, error: str) -> None:
        """Count the attempt and try again at `not_before`."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(attempts=OutboxMessage.attempts + 1, not_before=not_before, last_error=error[:500])
        )

    async def retarget(self, old_chat_id: int, new_chat_id: int) -> None:
        """Point every pending message of a group that became a supergroup at its new chat id."""
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == OutboxStatus.pending)
            .values(chat_id=new_chat_id)
        )

    async def statuses(self, dedupe_keys: Iterable[str]) -> dict[str, OutboxStatus]:
        """The status of each queued key."""
        keys = list(dedupe_keys)
        found: dict[str, OutboxStatus] = {}
        for start in range(0, len(keys), 500):
            rows = await self.session.execute(
                select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
                    OutboxMessage.dedupe_key.in_(keys[start : start + 500])
                )
            )
            found.update({key: status for key, status in rows})
        return found

    async def _set(self, outbox_id: int, **values: Any) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(**values)
        )
