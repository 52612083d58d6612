"""Bot API methods besides messaging: identity, updates, webhook, commands, chats, callbacks, files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from . import messaging
from .errors import ApiError, bad_request
from .params import Params
from .state import JSON, BotState, member_json
from .updates import WEBHOOK_ACTIVE
from .validation import MAX_CALLBACK_ANSWER, check_commands, scope_key
from .webhook import WebhookConfig, check_webhook

Handler = Callable[[BotState, Params], Awaitable[Any]]
MAX_DOWNLOAD = 20 * 1024 * 1024
NO_GIFTS = dict.fromkeys(
    ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
)


async def get_me(state: BotState, p: Params) -> JSON:
    """getMe."""
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": True,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(state: BotState, p: Params) -> list[JSON]:
    """getUpdates: offset confirmation, limit 1-100, long polling; 409 while a webhook is set."""
    if state.webhook.config is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    state.updates.set_allowed(p.get("allowed_updates"))
    limit = min(max(p.get("limit", 100), 1), 100)
    return await state.updates.poll(p.get("offset"), limit, max(p.get("timeout", 0), 0))


async def set_webhook(state: BotState, p: Params) -> bool:
    """setWebhook; an empty url removes the webhook like Telegram does."""
    url = p.get("url", "")
    if not url:
        return await delete_webhook(state, p)
    secret_token = p.get("secret_token")
    check_webhook(url, secret_token)
    if p.get("drop_pending_updates"):
        state.updates.clear()
    state.updates.set_allowed(p.get("allowed_updates"))
    state.updates.end_polls(WEBHOOK_ACTIVE)
    state.webhook.set(WebhookConfig(url, secret_token, p.get("max_connections", 40)))
    return True


async def delete_webhook(state: BotState, p: Params) -> bool:
    """deleteWebhook, optionally dropping pending updates."""
    if p.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook.set(None)
    return True


async def get_webhook_info(state: BotState, p: Params) -> JSON:
    """getWebhookInfo."""
    config = state.webhook.config
    info: JSON = {"url": "", "has_custom_certificate": False, "pending_update_count": len(state.updates)}
    if config is not None:
        info.update(url=config.url, max_connections=config.max_connections, ip_address="127.0.0.1")
        if state.updates.allowed:
            info["allowed_updates"] = sorted(state.updates.allowed)
        if config.last_error_date is not None:
            info.update(last_error_date=config.last_error_date, last_error_message=config.last_error_message)
    return info


async def answer_callback_query(state: BotState, p: Params) -> bool:
    """answerCallbackQuery; `FakeBotApi.wait_callback_answer` sees its params (text/show_alert defaulted)."""
    if len(p.get("text", "")) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    state.answer_callback(p.get("callback_query_id"), {"text": "", "show_alert": False, **p.values})
    return True


def _commands_key(p: Params) -> tuple[str, str]:
    return scope_key(p.get("scope")), p.get("language_code", "")


async def set_my_commands(state: BotState, p: Params) -> bool:
    """setMyCommands for a scope and language."""
    state.commands[_commands_key(p)] = check_commands(p.get("commands", []))
    return True


async def get_my_commands(state: BotState, p: Params) -> list[JSON]:
    """getMyCommands for exactly that scope and language."""
    return state.commands.get(_commands_key(p), [])


async def delete_my_commands(state: BotState, p: Params) -> bool:
    """deleteMyCommands for a scope and language."""
    state.commands.pop(_commands_key(p), None)
    return True


async def get_file(state: BotState, p: Params) -> JSON:
    """getFile: a file_path downloadable under /file/bot<token>/."""
    stored = state.files.get(p.require("file_id", "invalid file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file_json()


async def get_chat(state: BotState, p: Params) -> JSON:
    """getChat, as a ChatFullInfo."""
    chat = state.chat(p.require("chat_id", "chat_id is empty"))
    return {**chat.json, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": NO_GIFTS}


async def get_chat_member(state: BotState, p: Params) -> JSON:
    """getChatMember: the bot's or a known user's status in a chat."""
    chat = state.chat(p.require("chat_id", "chat_id is empty"))
    user_id = p.require("user_id", "user not found")
    if user_id == state.bot_user["id"]:
        return member_json(state.bot_user, chat.bot_status)
    user = state.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    status = "member" if user_id == chat.id else chat.members.get(user_id, "left")
    return member_json(user, status)


async def leave_chat(state: BotState, p: Params) -> bool:
    """leaveChat: the bot leaves a group (queues its my_chat_member update)."""
    chat = state.target_chat(p.require("chat_id", "chat_id is empty"))
    if not chat.is_group:
        raise bad_request("chat member status can't be changed in private chats")
    state.set_bot_status(chat, state.bot_user, "left")
    return True


async def set_chat_menu_button(state: BotState, p: Params) -> bool:
    """setChatMenuButton: stored per chat (None = default for all private chats)."""
    chat_id = p.get("chat_id")
    if chat_id is not None:
        state.chat(chat_id)
    state.menu_buttons[chat_id] = p.get("menu_button", {"type": "default"})
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "leaveChat": leave_chat,
    "setChatMenuButton": set_chat_menu_button,
    **messaging.HANDLERS,
}
