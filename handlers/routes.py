"""Which update goes to which handler: personal steps in private chats, group linking in groups."""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.i18n import LOCALES, Translator
from handlers import (
    admin,
    announcements,
    awards,
    campaign_admin,
    campaign_deadlines,
    campaign_stats,
    evidence,
    evidence_review,
    exports,
    groups,
    join,
    join_review,
    menu,
    onboarding,
    registration,
    registration_review,
    reminder_settings,
    scoring,
    standings,
    text,
    verification,
)
from handlers.errors import on_error, unsupported


def skip_labels() -> list[str]:
    """The "Skip" button of the phone question, in every language (a reply keyboard sends its label)."""
    return sorted({Translator(locale).gettext("Skip") for locale in LOCALES})


def register(application: Application) -> None:
    """Attach every handler and the error handler."""
    # New messages in private chats only: an edited message must not run a step a second time.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    commands = {
        "start": onboarding.start,
        "menu": menu.show_menu,
        "donvi": menu.show_unit,
        "ngonngu": menu.choose_language,
        "trogiup": menu.show_help,
        "help": menu.show_help,
        "moi": admin.invite_command,
        "thanhvien": admin.members_command,
        "choduyet": admin.pending_command,
        "phongtrao": menu.campaigns_command,
        "dangky": registration.list_open,
        "minhchung": evidence.list_campaigns,
        "duyetminhchung": evidence_review.show_queue,
        "tuchamdiem": scoring.list_campaigns,
        "diem": standings.my_score,
        "thamdinh": verification.show_queue,
        "nhacviec": reminder_settings.show,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    in_group = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("lienket", groups.link_command, filters=in_group))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated))
    application.add_handler(ChatMemberHandler(groups.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    callbacks = {
        r"^inv:ok:": onboarding.confirm_invite,
        r"^inv:no:": onboarding.decline_invite,
        r"^menu:unit$": menu.show_unit,
        r"^menu:help$": menu.show_help,
        r"^menu:lang$": menu.choose_language,
        r"^menu:find$": menu.prompt_search,
        r"^menu:pending$": admin.pending_command,
        r"^lang:": menu.set_language,
        r"^join:pick:": join.pick_unit,
        r"^join:ask:": join.ask_to_join,
        r"^jr:(ok|no):": join_review.decide,
        r"^adm:inv:": admin.make_invite,
        r"^adm:mem:": admin.show_members,
        r"^adm:rm:": admin.ask_remove,
        r"^adm:rmok:": admin.confirm_remove,
        r"^menu:campaigns$": registration.list_open,
        r"^menu:manage$": campaign_admin.list_campaigns,
        r"^cmp:view:": campaign_admin.view_campaign,
        r"^cmp:launch:": campaign_admin.ask_launch,
        r"^cmp:launchok:": campaign_admin.launch,
        r"^cmp:acks:": campaign_admin.show_acknowledgements,
        r"^cmp:close:": campaign_admin.ask_close,
        r"^cmp:closeok:": campaign_admin.close,
        r"^cmp:queue:": registration_review.show_queue,
        r"^cmp:approveall:": registration_review.approve_everything,
        r"^cmp:stats:": campaign_stats.show_stats,
        r"^cmp:extend:": campaign_deadlines.choose_deadline,
        r"^dl:pick:": campaign_deadlines.choose_days,
        r"^dl:add:": campaign_deadlines.extend_for_all,
        r"^dl:unit:": campaign_deadlines.extend_for_unit,
        r"^reg:open:": registration.open_campaign,
        r"^reg:title:": registration.register_title,
        r"^reg:withdraw:": registration.ask_withdraw,
        r"^reg:withdrawok:": registration.confirm_withdraw,
        r"^rg:ok:": registration_review.approve,
        r"^rg:no:": registration_review.ask_reason,
        r"^rg:why:": registration_review.reject_with_preset,
        r"^rg:type:": registration_review.ask_typed_reason,
        r"^ack:": announcements.acknowledged,
        r"^menu:evidence$": evidence.list_campaigns,
        r"^menu:review$": evidence_review.show_queue,
        r"^ev:camp:": evidence.campaign_chosen,
        r"^ev:crit:": evidence.criterion_chosen,
        r"^ev:submit$": evidence.submit,
        r"^ev:show:": evidence_review.show,
        r"^ev:ok:": evidence_review.approve,
        r"^ev:(no|more):": evidence_review.ask_reason,
        r"^evr:": evidence_review.decide_with_preset,
        r"^evt:": evidence_review.ask_typed_reason,
        r"^cmp:evidence:": evidence_review.show_matrix,
        r"^grp:(unit|cluster):": groups.link,
        r"^menu:selfscore$": scoring.list_campaigns,
        r"^sc:camp:": scoring.campaign_chosen,
        r"^sc:open:": scoring.open_criterion,
        r"^sc:add:": scoring.step,
        r"^sc:num:": scoring.ask_number,
        r"^sc:clear:": scoring.clear_points,
        r"^sc:save:": scoring.save,
        r"^sc:why:": scoring.save_with_preset,
        r"^sc:type:": scoring.ask_typed_reason,
        r"^sc:send:": scoring.submit,
        r"^menu:verify$": verification.show_queue,
        r"^sv:unit:": verification.show_unit,
        r"^sv:open:": verification.open_criterion,
        r"^menu:score$": standings.my_score,
        r"^my:camp:": standings.campaign_chosen,
        r"^rk:table:": standings.unit_table,
        r"^rk:chart:": standings.unit_chart,
        r"^cmp:rank:": standings.admin_ranking,
        r"^cmp:chart:": standings.admin_charts,
        r"^cmp:period:": standings.ask_close_period,
        r"^cmp:periodok:": standings.confirm_close_period,
        r"^ct:open:": standings.ask_contest,
        r"^ct:(ok|no):": standings.resolve,
        r"^cmp:sheet:": exports.score_sheet,
        r"^cmp:regx:": exports.registrations,
        r"^cmp:evx:": exports.evidence,
        r"^cmp:awards:": awards.show_awards,
        r"^aw:pick:": awards.pick_unit,
        r"^aw:reg:": awards.pick_form,
        r"^aw:form:": awards.ask_decision,
        r"^rm:(on|off)$": reminder_settings.change,
    }
    for pattern, callback in callbacks.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(CallbackQueryHandler(menu.stale_button))
    application.add_handler(MessageHandler(private & filters.CONTACT, onboarding.receive_contact))
    application.add_handler(MessageHandler(private & filters.Text(skip_labels()), onboarding.skip_phone))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, text.on_text))
    campaign_files = (
        filters.Document.FileExtension("yaml")
        | filters.Document.FileExtension("yml")
        | filters.Document.FileExtension("xlsx")
    )
    application.add_handler(MessageHandler(private & campaign_files, campaign_admin.receive_campaign_file))
    application.add_handler(MessageHandler(private & filters.Document.ALL, evidence.document))
    application.add_handler(MessageHandler(private & filters.PHOTO, evidence.photo))
    application.add_handler(MessageHandler(private & filters.LOCATION, evidence.location))
    application.add_handler(MessageHandler(private & filters.COMMAND, menu.unknown_command))
    application.add_handler(MessageHandler(private, unsupported))
    application.add_error_handler(on_error)
