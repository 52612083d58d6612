"""“Điểm của tôi”, the cluster ranking (as text and as a chart), contests, and closing a period."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.services.charts import ChartBar, ranking_chart
from bot.services.contests import (
    contestable,
    notify_contest,
    notify_resolution,
    open_contest,
    resolve_contest,
)
from bot.services.standings import (
    Group,
    MyStanding,
    administered_ranking,
    close_period,
    my_standing,
    visible_group,
)
from bot.services.text import display_name
from handlers.campaign_texts import button
from handlers.keyboards import confirm_keyboard
from handlers.registered import choose_registered_campaign
from handlers.score_texts import ledger_line, points, rank_text, standing_rank
from handlers.turn import Turn, handler
from storage.models import Campaign, ContestStatus, ScoreContest, utcnow

CONTEST_TEXT = "contest_text"  # pending-input action: the unit's explanation
GROUPS_CHARTED = 10  # charts sent at once; more groups are in the Excel sheet


@handler
async def my_score(turn: Turn) -> None:
    """/diem and "My score": the registered campaign's score, or a choice when there are several."""
    await choose_registered_campaign(
        turn,
        turn._("Your score in which campaign?"),
        "my:camp",
        lambda campaign_id: show_my_score(turn, campaign_id),
    )


@handler
async def campaign_chosen(turn: Turn) -> None:
    await show_my_score(turn, turn.callback_id(2))


def standing_lines(t: Translator, mine: MyStanding) -> list[str]:
    """Total, rank with the change since the last period, and the gap to the next place."""
    _ = t.gettext
    card, standing = mine.card, mine.standing
    lines = [
        _("📊 <b>Score of {unit}</b> – {campaign}").format(
            unit=escape(display_name(mine.scores.unit)), campaign=escape(mine.scores.campaign.name)
        ),
        _("Total: <b>{points}/{most} points</b>").format(
            points=points(t, card.total), most=points(t, card.total_max)
        ),
    ]
    if standing is not None and mine.group is not None:
        line = _("Rank {rank} in {group}").format(
            rank=standing_rank(t, standing), group=escape(mine.group.name)
        )
        if standing.previous_rank is not None:
            before = rank_text(standing.previous_rank, standing.previous_of or standing.of)
            moved = standing.previous_rank - standing.rank
            change = _("up {count}") if moved > 0 else _("down {count}") if moved < 0 else _("unchanged")
            line += " " + _("(last period {rank}, {change})").format(
                rank=before, change=change.format(count=abs(moved))
            )
        lines.append(line)
        if standing.gap is not None:
            lines.append(
                _("{gap} more points would lift you to rank {rank}.").format(
                    gap=points(t, standing.gap), rank=f"{standing.rank - 1:02d}"
                )
            )
    if card.unscored:
        lines.append(_("{count} criteria are not scored yet.").format(count=len(card.unscored)))
    for indicator in card.indicators:
        lines.append(
            _("<b>Indicator {code}</b>: {points}/{most}").format(
                code=escape(indicator.indicator.code),
                points=points(t, indicator.points),
                most=points(t, indicator.max_points),
            )
        )
        for criterion in indicator.criteria:
            for score in (criterion, *criterion.children):
                if score.children:
                    continue
                for entry in score.ledger:
                    lines.append(
                        "  • "
                        + _("Criterion {code}: {change}").format(
                            code=escape(score.code), change=ledger_line(t, entry, score.criterion)
                        )
                    )
    if mine.adjustments:
        lines.append(_("<b>Verified scores that differ from your self-score:</b>"))
        for item in mine.adjustments:
            own = points(t, item.claimed) if item.claimed is not None else "–"
            lines.append(
                "  • "
                + _("{code}: self-score {claimed}, verified {verified}. Reason: {reason}").format(
                    code=escape(item.code),
                    claimed=own,
                    verified=points(t, item.verified),
                    reason=escape(item.reason or "–"),
                )
                + (" " + _("(explanation sent)") if item.contested else "")
            )
    return lines


async def show_my_score(turn: Turn, campaign_id: int) -> None:
    async with turn.work() as uow:
        mine = await my_standing(uow, turn.actor, campaign_id)
    _ = turn._
    rows = [[InlineKeyboardButton(_("🧮 Self-scoring"), callback_data=f"sc:camp:{campaign_id}")]]
    if mine.table_visible and mine.group is not None:
        rows.append(
            [
                InlineKeyboardButton(_("🏆 Ranking"), callback_data=f"rk:table:{campaign_id}"),
                InlineKeyboardButton(_("📊 Chart"), callback_data=f"rk:chart:{campaign_id}"),
            ]
        )
    for item in mine.adjustments:
        if not item.contested:
            label = _("✍️ Contest {code}").format(code=item.code)
            rows.append([InlineKeyboardButton(label[:60], callback_data=f"ct:open:{item.entry_id}")])
    await turn.reply_lines(standing_lines(turn.t, mine))
    await turn.reply(_("What next?"), InlineKeyboardMarkup(rows))


def group_lines(t: Translator, group: Group, highlight: int | None = None) -> list[str]:
    """A ranking group as text, best first, ties marked."""
    name = group.name or t.gettext("Units")
    lines = [f"<b>{escape(name[:1].upper() + name[1:])}</b>"]
    for standing in group.standings:
        line = f"{standing_rank(t, standing)}. {escape(standing.name)} – {points(t, standing.total)}"
        if standing.previous_rank is not None:
            moved = standing.previous_rank - standing.rank
            line += f" ({'↑' if moved > 0 else '↓' if moved < 0 else '='}{abs(moved) or ''})"
        lines.append(f"<b>{line}</b>" if standing.unit_id == highlight else line)
    return lines


def chart(t: Translator, campaign: Campaign, group: Group, highlight: int | None) -> bytes:
    """The group's ranking as a picture."""
    bars = [
        ChartBar(s.name, s.total, points(t, s.total), standing_rank(t, s), s.unit_id == highlight)
        for s in group.standings
    ]
    most = group.standings[0].total_max if group.standings else Decimal(100)
    return ranking_chart(
        t.gettext("Ranking of {group}").format(group=group.name or t.gettext("Units")),
        campaign.name,
        bars,
        most,
        t.gettext("The axis starts at {baseline} points"),
    )


@handler
async def unit_table(turn: Turn) -> None:
    """🏆 for a unit head: the cluster table, when the campaign makes it public."""
    async with turn.work() as uow:
        campaign, group = await visible_group(uow, turn.actor, turn.callback_id(2))
        unit_id = (await uow.memberships.head_of(turn.actor.id)).unit_id
    await turn.reply_lines([f"🏆 {escape(campaign.name)}", *group_lines(turn.t, group, unit_id)])


@handler
async def unit_chart(turn: Turn) -> None:
    """📊 for a unit head: the cluster chart with their unit highlighted."""
    async with turn.work() as uow:
        campaign, group = await visible_group(uow, turn.actor, turn.callback_id(2))
        unit_id = (await uow.memberships.head_of(turn.actor.id)).unit_id
    picture = await asyncio.to_thread(chart, turn.t, campaign, group, unit_id)
    await turn.context.bot.send_photo(turn.chat_id, picture)


def ranking_keyboard(t: Translator, campaign_id: int) -> InlineKeyboardMarkup:
    _ = t.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("📊 Charts"), callback_data=f"cmp:chart:{campaign_id}"),
                InlineKeyboardButton(_("📥 Score sheet (Excel)"), callback_data=f"cmp:sheet:{campaign_id}"),
            ],
            [
                InlineKeyboardButton(_("📌 Close the period"), callback_data=f"cmp:period:{campaign_id}"),
                InlineKeyboardButton(_("🏅 Awards"), callback_data=f"cmp:awards:{campaign_id}"),
            ],
        ]
    )


@handler
async def admin_ranking(turn: Turn) -> None:
    """🏆 in the admin's campaign view: every group they oversee."""
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        campaign, groups = await administered_ranking(uow, turn.actor, campaign_id)
    _ = turn._
    lines = [_("🏆 <b>Ranking</b> – {campaign}").format(campaign=escape(campaign.name))]
    if not groups:
        lines.append(_("No unit has a score yet."))
    for group in groups:
        lines += group_lines(turn.t, group)
    await turn.reply_lines(lines)
    await turn.reply(_("More:"), ranking_keyboard(turn.t, campaign_id))


@handler
async def admin_charts(turn: Turn) -> None:
    """📊: one chart per group the admin oversees."""
    async with turn.work() as uow:
        campaign, groups = await administered_ranking(uow, turn.actor, turn.callback_id(2))
    if not groups:
        await turn.reply(turn._("No unit has a score yet."))
    for group in groups[:GROUPS_CHARTED]:
        picture = await asyncio.to_thread(chart, turn.t, campaign, group, None)
        await turn.context.bot.send_photo(turn.chat_id, picture)


@handler
async def ask_close_period(turn: Turn) -> None:
    campaign_id = turn.callback_id(2)
    async with turn.work() as uow:
        await administered_ranking(uow, turn.actor, campaign_id)
    await turn.reply(
        turn._(
            "Keep the current ranks as the last period's? The next ranking will show the change against them."
        ),
        confirm_keyboard(
            turn.t,
            turn._("📌 Yes, close the period"),
            f"cmp:periodok:{campaign_id}",
            f"cmp:view:{campaign_id}",
        ),
    )


@handler
async def confirm_close_period(turn: Turn) -> None:
    async with turn.work() as uow:
        kept = await close_period(uow, turn.actor, turn.callback_id(2))
    await turn.edit(turn._("📌 Period closed: the ranks of {count} units were kept.").format(count=kept))


@handler
async def ask_contest(turn: Turn) -> None:
    """✍️ Contest: wait for the unit's explanation."""
    entry_id = turn.callback_id(2)
    async with turn.work() as uow:
        entry = await contestable(uow, turn.actor, entry_id, utcnow())
        await uow.pending_inputs.expect(turn.actor.id, CONTEST_TEXT, entry_id, utcnow())
    await turn.reply(
        turn._("Type your explanation for criterion {code} in one message; the commune will decide.").format(
            code=escape(entry.criterion_code)
        )
    )


async def contest_typed(turn: Turn, entry_id: int, _argument: str, text: str) -> None:
    """The explanation: recorded and sent to the admins above the unit, then confirmed once committed."""
    services = turn.services
    async with turn.work() as uow:
        contest = await open_contest(uow, turn.actor, entry_id, text)
        await notify_contest(
            uow, contest, services.settings.admin_ids, lambda locale: contest_notice(turn, contest, locale)
        )
    services.queued()
    await turn.reply(turn._("✅ Your explanation was sent. You will be told the decision here."))


def contest_notice(
    turn: Turn, contest: ScoreContest, locale: str | None
) -> tuple[str, list[list[dict[str, str]]]]:
    """The queued message asking admins to decide a contest."""
    t = turn.services.translator(locale)
    entry = contest.entry
    text = t.gettext(
        "✍️ <b>Score contested</b>\n{unit}, criterion {code}: verified {verified} points "
        "(reason: {reason}).\nExplanation: {text}"
    ).format(
        unit=escape(display_name(entry.unit)),
        code=escape(entry.criterion_code),
        verified=points(t, entry.points),
        reason=escape(entry.reason or "–"),
        text=escape(contest.text),
    )
    buttons = [
        [
            button(t.gettext("✅ Accept (restore the self-score)"), callback_data=f"ct:ok:{contest.id}"),
            button(t.gettext("❌ Keep the verified score"), callback_data=f"ct:no:{contest.id}"),
        ]
    ]
    return text, buttons


def resolution_notice(
    turn: Turn, contest: ScoreContest, locale: str | None
) -> tuple[str, list[list[dict[str, str]]]]:
    t = turn.services.translator(locale)
    entry = contest.entry
    key = (
        N_("✅ Your explanation for criterion {code} was accepted: its score is now {points} points.")
        if contest.status == ContestStatus.accepted
        else N_(
            "❌ Your explanation for criterion {code} was not accepted: the verified {points} points stay."
        )
    )
    return t.gettext(key).format(code=escape(entry.criterion_code), points=points(t, entry.points)), []


@handler
async def resolve(turn: Turn) -> None:
    """An admin accepts or dismisses a contest; the unit is told."""
    accept, contest_id = turn.callback_part(1) == "ok", turn.callback_id(2)
    services = turn.services
    async with turn.work() as uow:
        contest = await resolve_contest(uow, turn.actor, contest_id, accept)
        await notify_resolution(uow, contest, lambda locale: resolution_notice(turn, contest, locale))
    services.queued()
    outcome = turn._("accepted") if accept else turn._("dismissed")
    await turn.edit(
        turn._("Contest of {unit}, criterion {code}: {outcome}.").format(
            unit=escape(display_name(contest.entry.unit)),
            code=escape(contest.entry.criterion_code),
            outcome=outcome,
        )
    )
