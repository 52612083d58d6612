"""A unit head sends evidence: pick a campaign and criterion, send photos, an album or a PDF, then confirm."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.services.errors import FileTooLarge, UnsupportedEvidenceFile
from bot.services.evidence import (
    MAX_FILE_BYTES,
    IncomingFile,
    add_item,
    choose_criterion,
    criterion_states,
    set_location,
    submit_draft,
)
from bot.services.evidence_review import notify_reviewers
from bot.services.media import FolderMediaStore, file_facts
from bot.services.text import display_name
from handlers.evidence_texts import STATE_MARKS, review_notice
from handlers.registered import choose_registered_campaign
from handlers.turn import Turn, handler

ALBUM_QUIET_SECONDS = 1.5  # photos of an album arrive as separate updates; answer once they stop coming
DOCUMENT_TYPES = ("application/pdf",)


def submit_keyboard(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(turn._("✅ Send for review"), callback_data="ev:submit")]]
    )


@handler
async def list_campaigns(turn: Turn) -> None:
    """/minhchung and "Evidence": the registered campaigns, or straight to the criteria when there is one."""
    await choose_registered_campaign(
        turn,
        turn._("Evidence for which campaign?"),
        "ev:camp",
        lambda campaign_id: show_criteria(turn, campaign_id),
    )


async def show_criteria(turn: Turn, campaign_id: int) -> None:
    """Each criterion with the state of its evidence: ✅ approved, ⏳ waiting, ❌ rejected, ➖ nothing yet."""
    async with turn.work() as uow:
        campaign, unit, states = await criterion_states(uow, turn.actor, campaign_id)
    rows = [
        [
            InlineKeyboardButton(
                f"{STATE_MARKS[s.status]} {s.criterion.code} {s.criterion.name}"[:60],
                callback_data=f"ev:crit:{campaign.id}:{position}",  # codes may be long: send the position
            )
        ]
        for position, s in enumerate(states)
    ]
    await turn.reply(
        turn._("{campaign} – evidence of {unit}. Choose a criterion:").format(
            campaign=escape(campaign.name), unit=escape(display_name(unit))
        ),
        InlineKeyboardMarkup(rows),
    )


@handler
async def campaign_chosen(turn: Turn) -> None:
    await show_criteria(turn, turn.callback_id(2))


@handler
async def criterion_chosen(turn: Turn) -> None:
    """A criterion: the draft now collects evidence for it (photos sent before are kept in it)."""
    campaign_id, position = turn.callback_id(2), turn.callback_id(3)
    async with turn.work() as uow:
        _draft, criterion, count = await choose_criterion(
            uow, turn.actor, campaign_id, position, turn.services.today()
        )
    _ = turn._
    text = _(
        "Criterion {code}: {name}.\nSend photos (one or an album) or a PDF, with a short caption if you "
        "like; then press “Send for review”."
    ).format(code=escape(criterion.code), name=escape(criterion.name))
    if count:
        text += "\n" + _("{count} files you sent earlier are kept for it.").format(count=count)
    await turn.edit(text, submit_keyboard(turn) if count else None)


async def _receive(turn: Turn, incoming: IncomingFile, size: int | None) -> None:
    """Download, keep a copy by content hash, record the item in the draft: nothing sent is lost."""
    if size is not None and size > MAX_FILE_BYTES:
        raise FileTooLarge(size="20 MB")
    telegram_file = await turn.context.bot.get_file(incoming.telegram_file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    facts = await asyncio.to_thread(file_facts, data)
    suffix = ".pdf" if incoming.mime_type == "application/pdf" else ".jpg"
    media_key = await FolderMediaStore(turn.services.settings.media_dir).put(data, facts.sha256, suffix)
    async with turn.work() as uow:
        draft, count = await add_item(uow, turn.actor, incoming, facts, media_key)
        needs_criterion = not draft.criterion_code
    if incoming.media_group_id:
        _acknowledge_album_later(turn, incoming.media_group_id, count, needs_criterion)
    else:
        await _acknowledge(turn, count, needs_criterion)


async def _acknowledge(turn: Turn, count: int, needs_criterion: bool) -> None:
    _ = turn._
    if needs_criterion:
        await turn.reply(
            _(
                "Kept {count} files. Which criterion are they evidence for? Open /minhchung and "
                "choose it; nothing you sent is lost."
            ).format(count=count)
        )
    else:
        await turn.reply(
            _("Kept {count} files. Send more, or press “Send for review”.").format(count=count),
            submit_keyboard(turn),
        )


def _acknowledge_album_later(turn: Turn, media_group_id: str, count: int, needs_criterion: bool) -> None:
    """One answer per album: each new photo of the album postpones it until the album stops arriving."""
    name = f"album:{turn.chat_id}:{media_group_id}"
    for job in turn.context.job_queue.get_jobs_by_name(name):
        job.schedule_removal()

    async def answer(_context: object) -> None:
        await _acknowledge(turn, count, needs_criterion)

    turn.context.job_queue.run_once(answer, ALBUM_QUIET_SECONDS, name=name)


@handler
async def photo(turn: Turn) -> None:
    message: Message = turn.update.effective_message
    biggest = message.photo[-1]
    await _receive(
        turn,
        IncomingFile(
            "photo",
            biggest.file_id,
            biggest.file_unique_id,
            "image/jpeg",
            message.caption or "",
            message.media_group_id,
        ),
        biggest.file_size,
    )


@handler
async def document(turn: Turn) -> None:
    """A document: a PDF, or a picture sent as a file; anything else is refused with a clear answer."""
    message: Message = turn.update.effective_message
    file = message.document
    mime = file.mime_type or ""
    if mime not in DOCUMENT_TYPES and not mime.startswith("image/"):
        raise UnsupportedEvidenceFile()
    await _receive(  # a picture sent as a file stays a document: Telegram sends it back only as one
        turn,
        IncomingFile(
            "document", file.file_id, file.file_unique_id, mime, message.caption or "", message.media_group_id
        ),
        file.file_size,
    )


@handler
async def location(turn: Turn) -> None:
    """A location: where the evidence was taken."""
    place = turn.update.effective_message.location
    async with turn.work() as uow:
        await set_location(uow, turn.actor, place.latitude, place.longitude)
    await turn.reply(turn._("The location was added to your evidence."), submit_keyboard(turn))


@handler
async def submit(turn: Turn) -> None:
    """“Send for review”: the draft becomes the next version, and the responsible office is told."""
    services = turn.services
    async with turn.work() as uow:
        evidence = await submit_draft(uow, turn.actor, services.today())
        await notify_reviewers(
            uow,
            evidence,
            services.settings.admin_ids,
            lambda locale: review_notice(services.translator(locale), evidence),
        )
    services.queued()
    await turn.edit(
        turn._(
            "Sent for review: version {version} for criterion {code}. You will be told the outcome here."
        ).format(version=evidence.version, code=escape(evidence.criterion_code))
    )
