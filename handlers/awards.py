"""Recording recognitions and awards in chat, and the progress of each title against its target."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_
from bot.services.errors import StaleButton
from bot.services.recognitions import awardable, parse_decision, recognitions_of, record_recognition
from bot.services.text import display_name
from handlers.turn import Turn, handler
from storage.models import AwardForm, utcnow

TYPED_DECISION = "award"  # pending-input action, followed by ":<award form>"
AWARD_NAMES = {
    AwardForm.giay_khen: N_("Certificate of merit (district)"),
    AwardForm.bang_khen_tinh: N_("Certificate of merit (province)"),
    AwardForm.bang_khen_bo: N_("Certificate of merit (ministry)"),
    AwardForm.bang_khen_thu_tuong: N_("Certificate of merit (Prime Minister)"),
    AwardForm.co_thi_dua: N_("Emulation flag"),
    AwardForm.huan_chuong_lao_dong: N_("Labour Order"),
}
FORMS = list(AwardForm)


@handler
async def show_awards(turn: Turn) -> None:
    """🏅: recognitions recorded so far and each title's progress (đạt 29 %, chỉ tiêu 26 %)."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        recognitions, progress = await recognitions_of(uow, turn.actor, campaign_id)
    _, t = turn._, turn.t
    lines = [_("🏅 <b>Recognitions and awards</b>")]
    for item in progress:
        line = _("{title}: {recognized}/{eligible} units, {percent} %").format(
            title=escape(item.name), recognized=item.recognized, eligible=item.eligible, percent=item.percent
        )
        if item.target_percent is not None:
            line += ", " + _("target {target} %").format(target=t.number(item.target_percent))
            line += " ✅" if item.reached else ""
        lines.append(line)
    for recognition in recognitions:
        lines.append(
            _("• {unit}: {award}, decision {number} of {date}").format(
                unit=escape(display_name(recognition.unit)),
                award=_(AWARD_NAMES[recognition.award_form]),
                number=escape(recognition.decision_number),
                date=t.date(recognition.decided_on),
            )
        )
    if not recognitions:
        lines.append(_("No award recorded yet."))
    rows = [[InlineKeyboardButton(_("➕ Record an award"), callback_data=f"aw:pick:{campaign_id}")]]
    await turn.reply_lines(lines)
    await turn.reply(_("Record a recognition:"), InlineKeyboardMarkup(rows))


@handler
async def pick_unit(turn: Turn) -> None:
    """The approved registrations: which unit earned its title?"""
    async with turn.work() as uow:
        registrations = await awardable(uow, turn.actor, turn.callback_id(2))
    _ = turn._
    if not registrations:
        await turn.reply(_("No registration is approved yet."))
        return
    rows = [
        [
            InlineKeyboardButton(
                f"{display_name(r.unit)} – {r.title.name}"[:60], callback_data=f"aw:reg:{r.id}"
            )
        ]
        for r in registrations[:50]
    ]
    await turn.reply(_("Which unit earned its title?"), InlineKeyboardMarkup(rows))


@handler
async def pick_form(turn: Turn) -> None:
    registration_id = turn.callback_id(2)
    rows = [
        [InlineKeyboardButton(turn._(AWARD_NAMES[form]), callback_data=f"aw:form:{registration_id}:{index}")]
        for index, form in enumerate(FORMS)
    ]
    await turn.edit(turn._("Which form of award?"), InlineKeyboardMarkup(rows))


@handler
async def ask_decision(turn: Turn) -> None:
    """Wait for the decision number and date."""
    registration_id, index = turn.callback_id(2), turn.callback_id(3)
    if index >= len(FORMS):
        raise StaleButton()
    async with turn.work() as uow:
        await uow.pending_inputs.expect(
            turn.actor.id, f"{TYPED_DECISION}:{FORMS[index].value}", registration_id, utcnow()
        )
    await turn.edit(turn._("Type the decision number and its date, for example: 125/QĐ-UBND 20/12/2024."))


async def decision_typed(turn: Turn, registration_id: int, form: str, text: str) -> None:
    """Record the recognition; a decision that cannot be read is waited for again (see text.py)."""
    if form not in AwardForm.__members__:
        raise StaleButton()
    number, day = parse_decision(text)
    async with turn.work() as uow:
        recognition = await record_recognition(uow, turn.actor, registration_id, AwardForm(form), number, day)
    await turn.reply(
        turn._("🏅 Recorded: {unit}, {award}, decision {number} of {date}.").format(
            unit=escape(display_name(recognition.unit)),
            award=turn._(AWARD_NAMES[recognition.award_form]),
            number=escape(recognition.decision_number),
            date=turn.t.date(recognition.decided_on),
        )
    )
