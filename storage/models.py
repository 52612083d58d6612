"""SQLAlchemy models of the domain: units, people and roles, invites, campaigns, registrations, the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

_clock_offset = timedelta(0)  # zero but in the offline sandbox, whose simulated time can be moved forward


def utcnow() -> datetime:
    """The current moment, aware, in UTC: every stored time is UTC."""
    return datetime.now(UTC) + _clock_offset


def set_clock_offset(offset: timedelta) -> None:
    """Shift what `utcnow` reads (the sandbox's clock control; nothing else moves time)."""
    global _clock_offset
    _clock_offset = offset


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UnitKind(StrEnum):
    """Kinds of unit, from the administrative levels down to households (see the glossary)."""

    province = "province"
    district = "district"
    commune = "commune"
    ward = "ward"
    town = "town"
    village = "village"
    residential_group = "residential_group"
    agency = "agency"
    household = "household"


class Role(StrEnum):
    """What a person may do for a unit and, for admins and reviewers, its whole subtree."""

    unit_head = "unit_head"
    admin = "admin"
    reviewer = "reviewer"


class JoinStatus(StrEnum):
    """Where a request to join a unit without an invite stands."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=30, validate_strings=True)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names, so migrations name what they create."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UtcDateTime()}


class Unit(Base):
    """A participant of any level (commune, village, agency …), in a hierarchy of any depth."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    search_text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="joined", join_depth=2)


class Cluster(Base):
    """A cluster (cụm/khối thi đua) of units ranked together."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class ClusterMember(Base):
    """A unit's place in a cluster."""

    __tablename__ = "cluster_members"

    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True)
    # Indexed on its own: rankings look up the cluster of each unit.
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Person(Base):
    """Someone who talks to the bot, known by their Telegram user id."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Paused people still get the deadline-day and overdue reminders, not the earlier ones.
    reminders_paused: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """A role a person holds on a unit; admin and reviewer roles reach the unit's subtree."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "unit_id", "role", name="uq_memberships_person_unit_role"),
        # A person acts as the head of one unit only; the database holds that even under races.
        Index(
            "uq_memberships_one_head",
            "person_id",
            unique=True,
            sqlite_where=text("role = 'unit_head'"),
            postgresql_where=text("role = 'unit_head'"),
        ),
        Index("ix_memberships_role_unit", "role", "unit_id"),  # the heads or admins of many units at once
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    office: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")


class Invite(Base):
    """A personal deep-link token that links whoever redeems it to a unit with a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    expires_at: Mapped[datetime]
    single_use: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class JoinRequest(Base):
    """A person's request to be linked to a unit found by search, waiting for an admin's decision."""

    __tablename__ = "join_requests"
    __table_args__ = (
        Index("ix_join_requests_unit_status", "unit_id", "status"),
        # One request waiting per person, even when two arrive at once.
        Index(
            "uq_join_requests_one_pending",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    status: Mapped[JoinStatus] = mapped_column(_enum(JoinStatus), default=JoinStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined", foreign_keys=[person_id])
    unit: Mapped[Unit] = relationship(lazy="joined")


class AuditEntry(Base):
    """One line of the audit log: who did what to which record, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CampaignStatus(StrEnum):
    """A campaign is prepared as a draft, launched to the units, then closed."""

    draft = "draft"
    launched = "launched"
    closed = "closed"


class Campaign(Base):
    """An emulation campaign (phong trào thi đua): its definition as loaded from the file, and its state."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int]
    status: Mapped[CampaignStatus] = mapped_column(_enum(CampaignStatus), default=CampaignStatus.draft)
    organizer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    organizer: Mapped[Unit] = relationship(lazy="joined")


class CampaignScope(Base):
    """A unit whose whole subtree takes part in the campaign."""

    __tablename__ = "campaign_scopes"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)


class Title(Base):
    """A title (danh hiệu) a unit can register for in a campaign."""

    __tablename__ = "titles"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_titles_campaign_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    unit_kinds: Mapped[list[str]] = mapped_column(JSON)


class Deadline(Base):
    """A date by which something is due in a campaign (registration, evidence, a periodic report …)."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date] = mapped_column(Date)


class DeadlineExtension(Base):
    """A later date for a deadline, for every unit (unit_id None) or for one unit; the newest one counts."""

    __tablename__ = "deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    due: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistrationStatus(StrEnum):
    """Where a unit's registration for a campaign stands."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Registration(Base):
    """A unit's registration (đăng ký thi đua) for a campaign and the title it aims for."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One live registration per unit and campaign; rejected and withdrawn ones stay on record.
        Index(
            "uq_registrations_live",
            "campaign_id",
            "unit_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'approved')"),
            postgresql_where=text("status IN ('pending', 'approved')"),
        ),
        Index("ix_registrations_campaign_status", "campaign_id", "status"),
        # Reminder batches walk a campaign's registrations in unit order.
        Index("ix_registrations_campaign_unit", "campaign_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        _enum(RegistrationStatus), default=RegistrationStatus.pending
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    title: Mapped[Title] = relationship(lazy="joined")


class GroupChat(Base):
    """A Telegram group the bot is in, linked by an admin to a unit or a cluster."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    cluster: Mapped[Cluster | None] = relationship(lazy="joined")


class OutboxStatus(StrEnum):
    """A queued message waits, is sent, cannot reach its chat, or failed for good."""

    pending = "pending"
    sent = "sent"
    unreachable = "unreachable"
    failed = "failed"


class OutboxMessage(Base):
    """A bulk or scheduled message, kept until it is sent: the durable outbox, deduplicated by key."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    is_group: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))


class Announcement(Base):
    """A campaign's launch announcement to one chat (a unit head or a group), and its acknowledgement."""

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("campaign_id", "chat_id", name="uq_announcements_campaign_chat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    group_chat_id: Mapped[int | None] = mapped_column(ForeignKey("group_chats.id", ondelete="CASCADE"))
    outbox_key: Mapped[str] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    group_chat: Mapped[GroupChat | None] = relationship(lazy="joined")


class PendingInput(Base):
    """What the bot waits for a person to type next (a rejection reason …), kept across restarts."""

    __tablename__ = "pending_inputs"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceStatus(StrEnum):
    """Evidence is built as a draft, submitted, then approved, rejected or sent back for more."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    more_requested = "more_requested"


class Evidence(Base):
    """One version of a unit's evidence (minh chứng) for one criterion of a campaign; every version stays."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_unit_criterion", "campaign_id", "unit_id", "criterion_code"),
        Index("ix_evidence_status_submitted", "status", "submitted_at"),
        # Which criteria of a batch of units have approved evidence, read from the index alone.
        Index("ix_evidence_campaign_status_unit", "campaign_id", "status", "unit_id", "criterion_code"),
        # One draft per person: what they send goes there, even before they pick the criterion it proves.
        Index(
            "uq_evidence_one_draft",
            "submitted_by_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        # Each sent version of a unit's evidence for a criterion has its own number, even under a race.
        Index(
            "uq_evidence_version",
            "campaign_id",
            "unit_id",
            "criterion_code",
            "version",
            unique=True,
            sqlite_where=text("status != 'draft'"),
            postgresql_where=text("status != 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    criterion_code: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[EvidenceStatus] = mapped_column(_enum(EvidenceStatus), default=EvidenceStatus.draft)
    caption: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))

    campaign: Mapped[Campaign | None] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")


class EvidenceItem(Base):
    """A photo or document of an evidence submission, kept by Telegram file id and by content hash."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    telegram_file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(100), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(100), default="")
    width: Mapped[int | None]
    height: Mapped[int | None]
    # A 64-bit perceptual hash in four 16-bit bands: two pictures within 3 bits share a band, so an index
    # lookup on the bands finds every near duplicate without scanning all pictures.
    phash: Mapped[int | None] = mapped_column(BigInteger)
    band0: Mapped[int | None] = mapped_column(index=True)
    band1: Mapped[int | None] = mapped_column(index=True)
    band2: Mapped[int | None] = mapped_column(index=True)
    band3: Mapped[int | None] = mapped_column(index=True)
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal stored as its text, so 99,7 stays 99,7 on SQLite as on PostgreSQL."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class ScoreStage(StrEnum):
    """Who scored: the unit itself (tự chấm) or the responsible office (thẩm định)."""

    self_score = "self_score"
    verified = "verified"


class ScoreEntry(Base):
    """What a unit or a reviewer found for one criterion: rule counts and direct figures, and the points.

    `points` is the engine's result for `inputs`, kept so rankings and score sheets read no scale. An entry
    counts once saved (`saved_at`); `revision` grows on every save, so each change is notified once.
    """

    __tablename__ = "score_entries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "unit_id", "criterion_code", "stage", name="uq_score_entries_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    criterion_code: Mapped[str] = mapped_column(String(100))
    stage: Mapped[ScoreStage] = mapped_column(_enum(ScoreStage))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    points: Mapped[Decimal] = mapped_column(DecimalText())
    reason: Mapped[str | None] = mapped_column(String(500))
    revision: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class ScoreTotal(Base):
    """A unit's standing in a campaign, recomputed whenever one of its entries is saved.

    The total takes each criterion's verified entry, else its self-score; `previous_rank` is the rank when
    an admin last closed a period (chốt kỳ), to show the change.
    """

    __tablename__ = "score_totals"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    total: Mapped[Decimal] = mapped_column(DecimalText())
    total_max: Mapped[Decimal] = mapped_column(DecimalText())
    self_total: Mapped[Decimal] = mapped_column(DecimalText())
    unscored: Mapped[int] = mapped_column(default=0)
    verified: Mapped[int] = mapped_column(default=0)
    self_submitted_at: Mapped[datetime | None]
    previous_rank: Mapped[int | None]
    previous_of: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContestStatus(StrEnum):
    """A contested deduction (giải trình) is open until an admin accepts or dismisses it."""

    open = "open"
    accepted = "accepted"
    dismissed = "dismissed"


class ScoreContest(Base):
    """A unit's explanation against a verified score (giải trình), and how an admin resolved it."""

    __tablename__ = "score_contests"
    __table_args__ = (
        Index(
            "uq_score_contests_open",
            "entry_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("score_entries.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    status: Mapped[ContestStatus] = mapped_column(_enum(ContestStatus), default=ContestStatus.open)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]

    entry: Mapped[ScoreEntry] = relationship(lazy="joined")


class AwardForm(StrEnum):
    """Forms of award (hình thức khen thưởng), from the seeds."""

    giay_khen = "giay_khen"
    bang_khen_tinh = "bang_khen_tinh"
    bang_khen_bo = "bang_khen_bo"
    bang_khen_thu_tuong = "bang_khen_thu_tuong"
    co_thi_dua = "co_thi_dua"
    huan_chuong_lao_dong = "huan_chuong_lao_dong"


class Recognition(Base):
    """The decision that a unit earned a title in a campaign (công nhận) and the award it came with."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    title_id: Mapped[int | None] = mapped_column(ForeignKey("titles.id", ondelete="SET NULL"))
    award_form: Mapped[AwardForm] = mapped_column(_enum(AwardForm))
    decision_number: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    title: Mapped[Title | None] = relationship(lazy="joined")


class ReminderRun(Base):
    """One pass of reminders (a deadline's stage, a day's digest) and how far it got, so none is sent twice.

    `key` names the pass ("deadline:12:stage:3", "digest:2026-11-22"); `cursor` is the last unit id done, so a
    pass cut short by a restart resumes after it; `finished_at` marks a pass complete.
    """

    __tablename__ = "reminder_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    cursor: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
