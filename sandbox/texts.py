"""Every text the sandbox page shows, translated here so that the catalogs hold them all."""

from __future__ import annotations

from bot.i18n import Translator


def page_texts(t: Translator) -> dict[str, str]:
    """The page's labels by key; `{name}` and `{count}` are filled in by the page."""
    _ = t.gettext
    return {
        "title": _("Thi Đua Bot: offline sandbox"),
        "fictional": _("Demo data: every unit, person and phone number here is made up."),
        "people": _("People"),
        "groups": _("Group chats"),
        "pick": _("Choose who you are in the list on the left."),
        "advance": _("⏩ Advance 1 day"),
        "reset": _("↺ Start over"),
        "reset_confirm": _(
            "Delete every message and everything entered, and start again with the demo data?"
        ),
        "placeholder": _("Message…"),
        "send": _("Send"),
        "attach": _("Send a picture or a file"),
        "send_as": _("Write as:"),
        "invite_hint": _("{name} has received an invite link from the commune. Tap it to open it:"),
        "open_invite": _("🔗 Open the invite link"),
        "start": _("▶️ Start (/start)"),
        "empty": _("No messages yet."),
        "edited": _("edited"),
        "download": _("Download"),
        "failed": _("Not sent: {reason}"),
    }
