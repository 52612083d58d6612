"""Admin commands: invite links with QR codes, a unit's members, and pending join requests."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_
from bot.services.invites import create_invite, invite_link, qr_png
from bot.services.join_requests import pending_join_requests
from bot.services.members import member_of_administered_unit, remove_member, unit_members
from bot.services.units import search_administered_units
from handlers.join import results_heading, unit_buttons
from handlers.join_review import join_request_card
from handlers.keyboards import confirm_keyboard
from handlers.labels import head_title, role_name, unit_html
from handlers.turn import Turn, handler
from storage.models import Role

MEMBERS_SHOWN = 40  # keeps the list within one message and Telegram's button limit

#: Per command: the callback prefix of its unit buttons and the hint shown without a name.
UNIT_PICKERS = {
    "moi": ("adm:inv", N_("Type the unit's name after the command, for example: /moi thon 3")),
    "thanhvien": ("adm:mem", N_("Type the unit's name after the command, for example: /thanhvien thon 3")),
}


async def _pick_unit(turn: Turn, command: str) -> None:
    """/moi or /thanhvien with a name: the admin's matching units as buttons."""
    prefix, hint = UNIT_PICKERS[command]
    query = " ".join(turn.context.args or [])
    async with turn.work() as uow:
        units = await search_administered_units(uow, turn.actor, query)
    _ = turn._
    if not query.strip():
        await turn.reply(_(hint))
    elif not units:
        await turn.reply(
            _("None of the units you manage matches “{query}”.").format(query=escape(query[:100]))
        )
    else:
        await turn.reply(
            results_heading(turn, _("Choose the unit:"), len(units)), unit_buttons(units, prefix)
        )


@handler
async def invite_command(turn: Turn) -> None:
    """/moi <name>: pick a unit to invite its head."""
    await _pick_unit(turn, "moi")


@handler
async def members_command(turn: Turn) -> None:
    """/thanhvien <name>: pick a unit to see its members."""
    await _pick_unit(turn, "thanhvien")


@handler
async def make_invite(turn: Turn) -> None:
    """A unit button of /moi: create the invite and send its link and QR code."""
    unit_id = turn.callback_id(2)
    async with turn.work() as uow:
        invite = await create_invite(
            uow, turn.actor, unit_id, Role.unit_head, turn.services.settings.invite_days
        )
    link = invite_link(turn.context.bot.username, invite.token)
    _ = turn._
    caption = _("Invite link for {title} {unit}, valid until {date}, for one person:\n{link}").format(
        title=head_title(turn.t, invite.unit),
        unit=unit_html(invite.unit),
        date=turn.t.date(invite.expires_at),
        link=link,
    )
    await turn.edit(
        _("Invite link created for {unit}. Links handed out earlier for this unit no longer work.").format(
            unit=unit_html(invite.unit)
        )
    )
    await turn.context.bot.send_photo(turn.chat_id, qr_png(link), caption=caption)


@handler
async def show_members(turn: Turn) -> None:
    """A unit button of /thanhvien: the people linked to it, with phones, and a remove button each."""
    unit_id = turn.callback_id(2)
    async with turn.work() as uow:
        unit, memberships = await unit_members(uow, turn.actor, unit_id)
    _ = turn._
    if not memberships:
        await turn.edit(_("Nobody is linked to {unit} yet.").format(unit=unit_html(unit)))
        return
    lines = [_("People linked to {unit}:").format(unit=unit_html(unit))]
    rows = []
    for number, m in enumerate(memberships[:MEMBERS_SHOWN], start=1):
        person = m.person
        phone = f" – {escape(person.phone)}" if person.phone else ""
        lines.append(
            f"{number}. {escape(person.full_name or str(person.telegram_id))} "
            f"({role_name(turn.t, m.role, unit)}){phone}"
        )
        rows.append(
            [InlineKeyboardButton(_("Remove {number}").format(number=number), callback_data=f"adm:rm:{m.id}")]
        )
    await turn.edit("\n".join(lines), InlineKeyboardMarkup(rows))


@handler
async def ask_remove(turn: Turn) -> None:
    """A remove button: confirm before ending someone's role."""
    membership_id = turn.callback_id(2)
    async with turn.work() as uow:
        membership = await member_of_administered_unit(uow, turn.actor, membership_id)
    _ = turn._
    keyboard = confirm_keyboard(
        turn.t, _("Yes, remove"), f"adm:rmok:{membership.id}", f"adm:mem:{membership.unit_id}"
    )
    await turn.edit(
        _("Remove {person} ({role}) from {unit}?").format(
            person=escape(membership.person.full_name),
            role=role_name(turn.t, membership.role, membership.unit),
            unit=unit_html(membership.unit),
        ),
        keyboard,
    )


@handler
async def confirm_remove(turn: Turn) -> None:
    """Confirmation of a removal: end the role (checked on the server again)."""
    membership_id = turn.callback_id(2)
    async with turn.work() as uow:
        membership = await remove_member(uow, turn.actor, membership_id)
    await turn.edit(
        turn._("{person} was removed from {unit}.").format(
            person=escape(membership.person.full_name), unit=unit_html(membership.unit)
        )
    )


@handler
async def pending_command(turn: Turn) -> None:
    """/choduyet and "Join requests": each pending request in scope with its buttons."""
    async with turn.work() as uow:
        requests = await pending_join_requests(uow, turn.actor)
    if not requests:
        await turn.reply(turn._("No join request is waiting for a decision."))
        return
    for request in requests:
        text, keyboard = join_request_card(turn.t, request)
        await turn.reply(text, keyboard)
