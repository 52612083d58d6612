"""Server-side world: chats with their messages and bot-action logs, users, callback queries, registries."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import bad_request, forbidden
from .files import FileStore
from .flood import FloodControl
from .signals import Signal
from .updates import UpdateQueue
from .webhook import WebhookDelivery

JSON = dict[str, Any]
MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")
ADMIN_RIGHTS = (
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def now() -> int:
    """Unix time, the unit of Telegram's `date` fields."""
    return int(time.time())


def member_json(user: JSON, status: str) -> JSON:
    """A ChatMember object of the given status."""
    member: JSON = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({"is_anonymous": False, **dict.fromkeys(ADMIN_RIGHTS, True)})
    return member


@dataclass
class BotMessage:
    """A message the bot sent, kept current through edits (`edited` counts them)."""

    message_id: int
    chat_id: int
    text: str = ""
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    photo: bytes | None = None
    document: bytes | None = None
    file_id: str | None = None
    edited: int = 0
    entities: list[JSON] = field(default_factory=list)
    media_group_id: str | None = None
    deleted: bool = False
    json: JSON = field(default_factory=dict, repr=False)

    @property
    def has_media(self) -> bool:
        """Whether this is a photo or document message (edited via caption, not text)."""
        return self.photo is not None or self.document is not None

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Keyboard rows of (text, callback_data or url); reply-keyboard buttons carry None."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[_button(button) for button in row] for row in rows]

    def button_texts(self) -> list[str]:
        """All button texts, row by row."""
        return [text for row in self.buttons() for text, _ in row]


def _button(button: JSON | str) -> tuple[str, str | None]:
    if isinstance(button, str):
        return button, None
    return button.get("text", ""), button.get("callback_data", button.get("url"))


class ChatState:
    """One chat: identity, bot membership, all messages by id and the log of bot actions."""

    def __init__(self, chat: JSON, clock: Callable[[], int] = now) -> None:
        self.json = chat
        self.clock = clock
        self.id: int = chat["id"]
        self.type: str = chat["type"]
        self.messages: dict[int, JSON] = {}
        self.bot_messages: dict[int, BotMessage] = {}
        self.events: list[tuple[BotMessage, BotMessage]] = []
        self.changed = Signal()
        self.migrated_to: int | None = None
        self.bot_status = "member"
        self.members: dict[int, str] = {}
        self._ids = itertools.count(1)

    @property
    def is_group(self) -> bool:
        """Whether this is a group or supergroup (not a private chat)."""
        return self.type != "private"

    def new_message(self, sender: JSON | None, content: JSON) -> JSON:
        """Create and store a Message object with the next message_id."""
        message: JSON = {"message_id": next(self._ids), "date": self.clock(), "chat": self.json}
        if sender is not None:
            message["from"] = sender
        message.update(content)
        self.messages[message["message_id"]] = message
        return message

    def add_bot_message(self, bot_user: JSON, content: JSON, **fields: Any) -> BotMessage:
        """Store a message sent by the bot and log it as a bot action."""
        message = self.new_message(bot_user, content)
        bot_message = BotMessage(message["message_id"], self.id, json=message, **fields)
        self.bot_messages[bot_message.message_id] = bot_message
        self.record(bot_message)
        return bot_message

    def record(self, message: BotMessage) -> None:
        """Log a bot action (new message or edit) as (snapshot now, live object) and wake waiters."""
        self.events.append((replace(message), message))
        self.changed.fire()

    def delete(self, message_id: int) -> None:
        """Remove a message; 400 if it does not exist."""
        if self.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        bot_message = self.bot_messages.pop(message_id, None)
        if bot_message is not None:
            bot_message.deleted = True


class BotState:
    """Everything the fake server knows about one bot: chats, users, files, updates and call log."""

    def __init__(
        self, token: str, bot_id: int, bot_username: str, bot_name: str, clock: Callable[[], int] = now
    ) -> None:
        self.token = token
        self.clock = clock  # Unix time for `date` fields; the sandbox moves it with its simulated clock
        self.bot_user: JSON = {"id": bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, JSON] = {}
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.webhook = WebhookDelivery(self.updates)
        self.flood = FloodControl()
        self.calls: list[tuple[str, JSON]] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.callback_answers: dict[str, asyncio.Future[JSON]] = {}
        self._callback_ids = itertools.count(1)

    def add_chat(self, chat: JSON) -> ChatState:
        """Register a chat (private chat or group) so the bot can reach it."""
        state = ChatState(chat, self.clock)
        self.chats[state.id] = state
        return state

    def chat(self, chat_id: Any) -> ChatState:
        """A known chat; 400 "chat not found" otherwise."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def target_chat(self, chat_id: Any) -> ChatState:
        """A chat the bot may act in now: not migrated, not blocked, bot still a member."""
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": chat.migrated_to}
            )
        if chat.bot_status == "kicked" and not chat.is_group:
            raise forbidden("bot was blocked by the user")
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    def user_message(self, chat: ChatState, sender: JSON | None, content: JSON) -> JSON:
        """Store a message from a simulated person and queue it as a `message` update."""
        message = chat.new_message(sender, content)
        self.updates.push("message", dict(message))
        return message

    def set_bot_status(self, chat: ChatState, actor: JSON, status: str) -> None:
        """Change the bot's membership in a chat and queue the `my_chat_member` update."""
        old = chat.bot_status
        chat.bot_status = status
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.json,
                "from": actor,
                "date": self.clock(),
                "old_chat_member": member_json(self.bot_user, old),
                "new_chat_member": member_json(self.bot_user, status),
            },
        )

    def callback_query(self, user: JSON, message: BotMessage, data: str) -> str:
        """Queue a `callback_query` update for a press on `message`; returns the query id."""
        query_id = f"{self.bot_user['id']}{next(self._callback_ids):012d}"
        self.callback_answers[query_id] = asyncio.get_running_loop().create_future()
        self.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user,
                "message": dict(message.json),
                "chat_instance": f"-{abs(message.chat_id)}",
                "data": data,
            },
        )
        return query_id

    def answer_callback(self, query_id: Any, answer: JSON) -> None:
        """Record answerCallbackQuery; each query can be answered once."""
        future = self.callback_answers.get(query_id) if isinstance(query_id, str) else None
        if future is None or future.done():
            raise bad_request(QUERY_INVALID)
        future.set_result(answer)
