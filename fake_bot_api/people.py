"""Simulated people and chats for tests: they send messages/presses as updates and read the bot's replies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from .html_parser import utf16_len
from .state import JSON, MEMBER_STATUSES, BotMessage, BotState, ChatState

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[JSON]:
    """bot_command entities for every /command (optionally /command@bot) in a text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


def text_content(text: str, field: str = "text") -> JSON:
    """Message fields for a user's text or caption, with bot_command entities."""
    content: JSON = {field: text}
    entities = command_entities(text)
    if entities:
        content["entities" if field == "text" else "caption_entities"] = entities
    return content


def _reply_field(reply_to: BotMessage | None) -> JSON:
    return {} if reply_to is None else {"reply_to_message": dict(reply_to.json)}


class ChatView:
    """Test-side view of a chat: the bot's messages and a read cursor over the bot-action log."""

    def __init__(self, state: BotState, chat: ChatState) -> None:
        self._state = state
        self.chat = chat
        self.cursor = 0

    @property
    def id(self) -> int:
        """The chat id."""
        return self.chat.id

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages currently in the chat (deleted ones excluded), oldest first."""
        return list(self.chat.bot_messages.values())

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - public API
    ) -> BotMessage:
        """Next bot action after the cursor whose message (as it was then) matches; advances the cursor."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        index = self.cursor
        while True:
            while index < len(self.chat.events):
                snapshot, live = self.chat.events[index]
                index += 1
                if predicate(snapshot):
                    self.cursor = index
                    return live
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.chat.changed.wait(remaining):
                break
        seen = [snapshot.text for snapshot, _ in self.chat.events[self.cursor :]]
        raise AssertionError(f"no matching bot message in chat {self.id} within {timeout}s; seen: {seen!r}")

    async def wait_for_text(self, text: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Next bot message whose text or caption contains `text`."""
        return await self.wait_for(lambda message: text in message.text, timeout)


class FakeUser(ChatView):
    """A simulated Telegram user; their private chat with the bot has the same id."""

    def __init__(self, state: BotState, chat: ChatState, user: JSON) -> None:
        super().__init__(state, chat)
        self.json = user

    @property
    def first_name(self) -> str:
        """The user's first name."""
        return str(self.json["first_name"])

    def _send(self, content: JSON) -> JSON:
        return self._state.user_message(self.chat, self.json, content)

    async def send(self, text: str, reply_to: BotMessage | None = None) -> JSON:
        """Send a text (commands get bot_command entities) to the bot."""
        return self._send({**text_content(text), **_reply_field(reply_to)})

    async def send_contact(self, phone_number: str, user_id: int | None = None) -> JSON:
        """Share a contact; user_id defaults to the sender's own id (pass another to forge)."""
        contact = {"phone_number": phone_number, "first_name": self.first_name, "user_id": user_id or self.id}
        if "last_name" in self.json:
            contact["last_name"] = self.json["last_name"]
        return self._send({"contact": contact})

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        media_group_id: str | None = None,
        width: int = 800,
        height: int = 600,
    ) -> JSON:
        """Send a photo; its bytes become downloadable through getFile."""
        content: JSON = {"photo": self._state.files.photo_sizes(data, (width, height))}
        if caption:
            content.update(text_content(caption, "caption"))
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return self._send(content)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "a.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSON:
        """Send a document; its bytes become downloadable through getFile."""
        content: JSON = {"document": self._state.files.document(data, file_name, mime_type)}
        if caption:
            content.update(text_content(caption, "caption"))
        return self._send(content)

    async def send_sticker(self) -> JSON:
        """Send a (static, regular) sticker."""
        stored = self._state.files.add(b"RIFF-fake-webp", "stickers", ".webp")
        sticker = {
            **stored.descriptor(),
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": "👍",
        }
        return self._send({"sticker": sticker})

    async def send_voice(self, duration: int = 3) -> JSON:
        """Send a voice note."""
        stored = self._state.files.add(b"OggS-fake-voice", "voice", ".oga")
        return self._send({"voice": {**stored.descriptor(), "duration": duration, "mime_type": "audio/ogg"}})

    async def send_location(self, latitude: float, longitude: float) -> JSON:
        """Send a location."""
        return self._send({"location": {"latitude": latitude, "longitude": longitude}})

    async def press(self, message: BotMessage, button: str) -> str:
        """Press an inline button found by exact text, else by callback_data; returns the query id."""
        live = self._live(message)
        buttons = [item for row in (live.reply_markup or {}).get("inline_keyboard", []) for item in row]
        found = next((item for item in buttons if item.get("text") == button), None) or next(
            (item for item in buttons if item.get("callback_data") == button), None
        )
        if found is None or "callback_data" not in found:
            shown = live.buttons()
            raise AssertionError(f"no callback button {button!r} on message {live.message_id}: {shown}")
        return self._state.callback_query(self.json, live, found["callback_data"])

    async def press_data(self, message: BotMessage, data: str) -> str:
        """Send a callback query with arbitrary (possibly forged) data for a message."""
        return self._state.callback_query(self.json, self._live(message), data)

    def _live(self, message: BotMessage) -> BotMessage:
        live = self._state.chat(message.chat_id).bot_messages.get(message.message_id)
        if live is None:
            raise AssertionError(f"bot message {message.message_id} is gone from chat {message.chat_id}")
        return live


class FakeChat(ChatView):
    """A simulated group or supergroup."""

    async def send(self, user: FakeUser, text: str, reply_to: BotMessage | None = None) -> JSON:
        """A text message in this group from `user` (who becomes a member)."""
        if self.chat.migrated_to is not None:
            raise AssertionError(f"group {self.id} was migrated to {self.chat.migrated_to}")
        if self.chat.bot_status not in ("member", "administrator"):
            raise AssertionError(f"the bot is not in group {self.id}; call api.add_bot_to_group first")
        self.chat.members.setdefault(user.id, "member")
        content = {**text_content(text), **_reply_field(reply_to)}
        return self._state.user_message(self.chat, user.json, content)

    def set_member_status(self, user: FakeUser, status: str) -> None:
        """Set a user's status (creator, administrator, member, left, kicked) for getChatMember."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self.chat.members[user.id] = status

    @property
    def title(self) -> str:
        """The group title."""
        return str(self.chat.json["title"])
