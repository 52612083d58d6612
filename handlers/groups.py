"""Group chats: the bot joins, leaves or follows a migration; an admin links the group with /lienket."""

from __future__ import annotations

from html import escape

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.groups import bot_joined, bot_left, group_migrated, link_group, link_targets
from bot.services.text import display_name
from handlers.join import unit_label
from handlers.turn import Turn, handler

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


@handler
async def membership_changed(turn: Turn) -> None:
    """The bot was added to or removed from a group, or a person blocked or unblocked it."""
    change = turn.update.my_chat_member
    present = change.new_chat_member.status in PRESENT
    chat = change.chat
    async with turn.work() as uow:
        if chat.type == chat.PRIVATE:
            await uow.people.set_active(chat.id, present)
        elif present:
            await bot_joined(uow, chat.id, chat.title or "")
        else:
            await bot_left(uow, chat.id)
    if present and chat.type != chat.PRIVATE and change.old_chat_member.status not in PRESENT:
        await turn.reply(
            turn._(
                "Hello! An admin can link this group to a commune or cluster with "
                "/lienket name (for example: /lienket ba bich); campaign announcements "
                "will then be posted here."
            )
        )


@handler
async def migrated(turn: Turn) -> None:
    """A group became a supergroup: follow it to its new chat id (a service message, maybe from nobody)."""
    message = turn.update.effective_message
    if message.migrate_to_chat_id is None:  # the new supergroup's own "migrated from" message
        return
    async with turn.services.database.unit_of_work() as uow:
        await group_migrated(uow, message.chat.id, message.migrate_to_chat_id)


@handler
async def link_command(turn: Turn) -> None:
    """/lienket <name> in a group: the units and clusters the admin may link it to."""
    query = " ".join(turn.context.args or [])
    chat = turn.update.effective_chat
    async with turn.work() as uow:
        await bot_joined(uow, chat.id, chat.title or "")
        targets = await link_targets(uow, turn.actor, query)
    _ = turn._
    if not query.strip():
        await turn.reply(_("Type the name after the command, for example: /lienket ba bich"))
        return
    rows = [[InlineKeyboardButton(unit_label(u), callback_data=f"grp:unit:{u.id}")] for u in targets.units]
    rows += [
        [InlineKeyboardButton(f"🏅 {c.name[:55]}", callback_data=f"grp:cluster:{c.id}")]
        for c in targets.clusters
    ]
    if not rows:
        await turn.reply(
            _("None of the units you manage matches “{query}”.").format(query=escape(query[:100]))
        )
        return
    await turn.reply(_("Link this group to:"), InlineKeyboardMarkup(rows))


@handler
async def link(turn: Turn) -> None:
    """A unit or cluster button under /lienket: checked on the server, then the group is linked."""
    kind, target = turn.callback_part(1), turn.callback_id(2)
    async with turn.work() as uow:
        group = await link_group(
            uow,
            turn.actor,
            turn.chat_id,
            **({"unit_id": target} if kind == "unit" else {"cluster_id": target}),
        )
        name = display_name(group.unit) if group.unit else group.cluster.name
    await turn.edit(
        turn._(
            "This group is now linked to {name}. Campaign announcements will be posted here; "
            "registration happens in a private chat with the bot."
        ).format(name=escape(name))
    )
