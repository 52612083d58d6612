"""Onboarding by invite: /start <token> → "Are you the village head of …?" → optional phone → main menu."""

from __future__ import annotations

import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.services.invites import check_invite, redeem_invite
from bot.services.people import profile, set_phone
from handlers.commands import publish_admin_commands
from handlers.labels import role_as
from handlers.menu import send_menu
from handlers.registration import show_campaign
from handlers.turn import Turn, handler
from storage.models import Role

CAMPAIGN_LINK = re.compile(r"camp_(\d{1,12})")  # the "Đăng ký" button of a group announcement


@handler
async def start(turn: Turn) -> None:
    """/start, with an invite token from a deep link or without one."""
    token = turn.context.args[0] if turn.context.args else ""
    if (campaign := CAMPAIGN_LINK.fullmatch(token)) is not None:
        await show_campaign(turn, int(campaign.group(1)))
        return
    async with turn.work() as uow:
        invite = await check_invite(uow, turn.actor, token) if token else None
        me = await profile(uow, turn.actor)
    _ = turn._
    if invite is None:
        await turn.reply(
            _("Welcome to <b>Thi Đua Bot</b>, the emulation campaign assistant of your commune.")
        )
        await send_menu(turn, me)
        return
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Yes, that is me"), callback_data=f"inv:ok:{invite.token}")],
            [InlineKeyboardButton(_("❌ No"), callback_data=f"inv:no:{invite.token}")],
        ]
    )
    await turn.reply(_("Are you {role}?").format(role=role_as(turn.t, invite.role, invite.unit)), keyboard)


@handler
async def confirm_invite(turn: Turn) -> None:
    """The "Yes, that is me" button: redeem the invite, then offer to share the phone number."""
    token = turn.callback_part(2)
    async with turn.work() as uow:
        membership = await redeem_invite(uow, turn.actor, token)
    _ = turn._
    await turn.edit(
        _("Done: you are now linked as {role}.").format(
            role=role_as(turn.t, membership.role, membership.unit)
        )
    )
    if membership.role == Role.admin:
        await publish_admin_commands(turn.context.bot, turn.chat_id, turn.t.locale)
    await ask_phone(turn)


@handler
async def decline_invite(turn: Turn) -> None:
    """The "No" button: keep the invite unused and say what to do."""
    await turn.identify()
    await turn.edit(
        turn._(
            "All right, nothing was changed. If this link reached you by mistake, "
            "please tell the commune office."
        )
    )


async def ask_phone(turn: Turn) -> None:
    """Offer the contact button, saying why the number is asked and who sees it."""
    _ = turn._
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)], [KeyboardButton(_("Skip"))]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await turn.reply(
        _(
            "Would you share your phone number? The commune uses it only to call you about "
            "campaign work; only admins can see it."
        ),
        keyboard,
    )


@handler
async def receive_contact(turn: Turn) -> None:
    """A shared contact: store the person's own number, then show the menu."""
    contact = turn.update.effective_message.contact
    async with turn.work() as uow:
        await set_phone(uow, turn.actor, contact.phone_number, contact.user_id)
        me = await profile(uow, turn.actor)
    await turn.reply(turn._("Thank you, your phone number has been saved."), ReplyKeyboardRemove())
    await send_menu(turn, me)


@handler
async def skip_phone(turn: Turn) -> None:
    """The "Skip" button: no phone number, straight to the menu."""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
    await turn.reply(turn._("All right, you can share it later."), ReplyKeyboardRemove())
    await send_menu(turn, me)
