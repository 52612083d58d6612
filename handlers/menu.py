"""The main menu, "my unit", help and language: what every person can open at any time."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LOCALES
from bot.services.errors import NotLinked, StaleButton
from bot.services.people import Profile, profile, set_locale
from handlers.labels import role_as
from handlers.turn import Turn, handler

LANGUAGE_NAMES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


def main_menu(turn: Turn, me: Profile) -> InlineKeyboardMarkup:
    """Buttons for what the person can do now: only features that work."""
    _ = turn._
    rows = []
    if me.memberships:
        rows.append([InlineKeyboardButton(_("🏠 My unit"), callback_data="menu:unit")])
    elif not me.is_linked:
        rows.append([InlineKeyboardButton(_("🔎 Find my unit"), callback_data="menu:find")])
    if me.is_unit_head:
        rows.append(
            [
                InlineKeyboardButton(_("📣 Campaigns"), callback_data="menu:campaigns"),
                InlineKeyboardButton(_("📸 Evidence"), callback_data="menu:evidence"),
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(_("🧮 Self-scoring"), callback_data="menu:selfscore"),
                InlineKeyboardButton(_("📊 My score"), callback_data="menu:score"),
            ]
        )
    if me.is_admin or me.is_reviewer:
        rows.append(
            [
                InlineKeyboardButton(_("🖼 Review evidence"), callback_data="menu:review"),
                InlineKeyboardButton(_("🔍 Verify scores"), callback_data="menu:verify"),
            ]
        )
    if me.is_admin:
        rows.append([InlineKeyboardButton(_("🗂 Manage campaigns"), callback_data="menu:manage")])
        rows.append([InlineKeyboardButton(_("📝 Join requests"), callback_data="menu:pending")])
    rows.append(
        [
            InlineKeyboardButton(_("🌐 Language"), callback_data="menu:lang"),
            InlineKeyboardButton(_("❓ Help"), callback_data="menu:help"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def menu_text(turn: Turn, me: Profile) -> str:
    """The menu's heading: who the person is to the bot."""
    _ = turn._
    if not me.is_linked:
        return NotLinked().render(turn.t)
    lines = [_("Main menu. You are:")]
    lines += [f"• {role_as(turn.t, m.role, m.unit)}" for m in me.memberships]
    if turn.actor and turn.actor.is_operator:
        lines.append("• " + _("system operator"))
    return "\n".join(lines)


async def send_menu(turn: Turn, me: Profile) -> None:
    """Send the main menu as a new message."""
    await turn.reply(menu_text(turn, me), main_menu(turn, me))


@handler
async def show_menu(turn: Turn) -> None:
    """/menu: the main menu."""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
    await send_menu(turn, me)


@handler
async def show_unit(turn: Turn) -> None:
    """/donvi and "My unit": the units the person is linked to and with which role."""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
    _ = turn._
    if not me.memberships:
        text = NotLinked().render(turn.t)
    else:
        lines = [_("You are linked as:")]
        lines += [f"• {role_as(turn.t, m.role, m.unit)}" for m in me.memberships]
        text = "\n".join(lines)
    await turn.reply(text, main_menu(turn, me))


@handler
async def show_help(turn: Turn) -> None:
    """/trogiup (/help) and "Help": what the person can do in their role."""
    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
    _ = turn._
    lines = [_("<b>Thi Đua Bot</b> helps units take part in emulation campaigns."), ""]
    lines += [
        _("/menu – main menu"),
        _("/donvi – the unit you are linked to"),
        _("/ngonngu – change language"),
        _("/nhacviec – pause or resume the early deadline reminders"),
        _("/trogiup – this help"),
    ]
    if me.is_unit_head:
        lines += [
            _("/dangky – the campaigns of your unit: read, register, withdraw"),
            _("/minhchung – send evidence photos or PDF files for a criterion"),
            _("/tuchamdiem – score your unit criterion by criterion and send the self-score"),
            _("/diem – your unit's score, rank and every point lost, and contesting a verified score"),
        ]
    if me.is_admin or me.is_reviewer:
        lines += [
            _("/duyetminhchung – evidence waiting for your review"),
            _("/thamdinh – self-scores waiting for your verification"),
        ]
    if not me.is_linked:
        lines += [
            "",
            _(
                "To link your account, open the invite link the commune sent you, "
                "or type the name of your village or agency (for example: thon 3 ba bich)."
            ),
        ]
    if me.is_admin:
        lines += [
            "",
            _("<b>For admins</b>"),
            _("/moi name – create an invite link and QR code for a unit"),
            _("/thanhvien name – see and remove the people linked to a unit"),
            _("/choduyet – join requests waiting for your decision"),
            _(
                "/phongtrao – campaigns: launch, approve registrations, follow, extend deadlines, "
                "scores and ranking, Excel files, awards, close"
            ),
            _("Send a campaign file (.yaml or .xlsx) in this chat to create or update a draft campaign."),
            _("In a group chat: /lienket name – link the group to a commune or cluster"),
        ]
    await turn.reply("\n".join(lines), main_menu(turn, me))


def language_keyboard() -> InlineKeyboardMarkup:
    """One button per supported language."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}") for code in LOCALES]]
    )


@handler
async def choose_language(turn: Turn) -> None:
    """/ngonngu and "Language": offer the languages."""
    await turn.identify()
    await turn.reply(turn._("Choose your language:"), language_keyboard())


@handler
async def set_language(turn: Turn) -> None:
    """A language button: store the choice, then show the menu in the new language in its place."""
    locale = turn.callback_part(1)
    if locale not in LOCALES:
        raise StaleButton()
    async with turn.work() as uow:
        await set_locale(uow, turn.actor, locale)
        me = await profile(uow, turn.actor)
    turn.speak(turn.actor.person.locale)
    switched = turn._("Language set.")
    await turn.edit(f"{switched}\n\n{menu_text(turn, me)}", main_menu(turn, me))


@handler
async def prompt_search(turn: Turn) -> None:
    """The "Find my unit" button: explain that typing the name is enough."""
    await turn.identify()
    await turn.reply(
        turn._(
            "Type the name of your village, residential group or agency, for example: <i>thon 3 ba bich</i>."
        )
    )


@handler
async def stale_button(turn: Turn) -> None:
    """A button the bot no longer knows (old message, forged data): say so."""
    await turn.identify()
    raise StaleButton()


@handler
async def unknown_command(turn: Turn) -> None:
    """A command the bot does not have: point to the help."""
    await turn.identify()
    await turn.reply(turn._("The bot has no such command. Send /trogiup to see what you can do."))


@handler
async def campaigns_command(turn: Turn) -> None:
    """/phongtrao: an admin manages campaigns; a unit head sees the campaigns of the unit."""
    from handlers.campaign_admin import show_admin_campaigns
    from handlers.registration import show_open_campaigns

    async with turn.work() as uow:
        me = await profile(uow, turn.actor)
    if not me.is_linked:
        raise NotLinked()
    if me.is_admin:
        await show_admin_campaigns(turn)
    if me.is_unit_head:
        await show_open_campaigns(turn)
