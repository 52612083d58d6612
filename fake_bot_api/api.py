"""FakeBotApi: public facade that runs the server and stages users, groups, blocks, migrations and floods."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType

from .flood import FloodLimits
from .people import FakeChat, FakeUser
from .server import ApiServer
from .state import JSON, BotState, now
from .validation import scope_key


class FakeBotApi:
    """A fake Telegram Bot API for one bot token, served over HTTP on loopback."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "thidua_test_bot",
        bot_id: int = 123456,
        bot_name: str = "Thi Đua",
        clock: Callable[[], int] = now,
    ) -> None:
        self.state = BotState(token, bot_id, bot_username, bot_name, clock)
        self.url = ""
        self._server = ApiServer(self.state)
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeChat] = {}

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on a loopback host; port 0 picks a free port. Sets `url`."""
        bound = await self._server.start(host, port)
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{bound}"

    async def stop(self) -> None:
        """Stop serving (pending long polls return empty, webhook delivery stops)."""
        await self._server.stop()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        """The only token the server accepts."""
        return self.state.token

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)` / `Bot(base_url=...)`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)` / `Bot(base_file_url=...)`."""
        return f"{self.url}/file/bot"

    @property
    def calls(self) -> list[tuple[str, JSON]]:
        """Every Bot API call received, in order, as (method name, normalised params)."""
        return self.state.calls

    @property
    def commands(self) -> dict[tuple[str, str], list[JSON]]:
        """setMyCommands state keyed by (canonical scope JSON, language_code)."""
        return self.state.commands

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON] | None:
        """Commands set for a scope (default scope when None) and language, or None if never set."""
        return self.state.commands.get((scope_key(scope), language_code))

    @property
    def flood_429_count(self) -> int:
        """How many calls were rejected with 429."""
        return self.state.flood.rejected

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """The simulated user with this id (created on first call); their private chat id equals user_id."""
        if user_id in self._users:
            return self._users[user_id]
        names = {key: value for key, value in (("last_name", last_name), ("username", username)) if value}
        user = {"id": user_id, "is_bot": False, "first_name": first_name, **names}
        if language_code:
            user["language_code"] = language_code
        self.state.users[user_id] = user
        chat = self.state.add_chat({"id": user_id, "type": "private", "first_name": first_name, **names})
        self._users[user_id] = FakeUser(self.state, chat, user)
        return self._users[user_id]

    def group(self, chat_id: int, title: str, type: str = "supergroup") -> FakeChat:  # noqa: A002
        """The simulated group with this id (created on first call); the bot is already a member."""
        if chat_id in self._groups:
            return self._groups[chat_id]
        if type not in ("group", "supergroup"):
            raise ValueError(f"group type must be 'group' or 'supergroup', not {type!r}")
        chat = self.state.add_chat({"id": chat_id, "type": type, "title": title})
        self._groups[chat_id] = FakeChat(self.state, chat)
        return self._groups[chat_id]

    async def add_bot_to_group(self, group: FakeChat, by: FakeUser) -> None:
        """`by` adds the bot: a my_chat_member update (left/kicked -> member) and a new_chat_members message.

        On a fresh group (where the bot is present from the start) this replays the join as left -> member.
        """
        group.chat.members.setdefault(by.id, "member")
        if group.chat.bot_status == "member":
            group.chat.bot_status = "left"
        self.state.set_bot_status(group.chat, by.json, "member")
        self.state.user_message(group.chat, by.json, {"new_chat_members": [self.state.bot_user]})

    async def remove_bot_from_group(self, group: FakeChat, by: FakeUser) -> None:
        """`by` removes the bot: my_chat_member to kicked (supergroup) or left (basic group)."""
        status = "kicked" if group.chat.type == "supergroup" else "left"
        self.state.set_bot_status(group.chat, by.json, status)

    async def migrate_group(self, group: FakeChat, new_chat_id: int, by: FakeUser | None = None) -> FakeChat:
        """Upgrade a basic group to a supergroup; sending to the old id then fails with ChatMigrated."""
        old = group.chat
        if old.type != "group":
            raise ValueError("only basic groups can be migrated")
        new = self.group(new_chat_id, old.json["title"], "supergroup")
        new.chat.bot_status = old.bot_status
        new.chat.members.update(old.members)
        sender = by.json if by is not None else None
        self.state.user_message(old, sender, {"migrate_to_chat_id": new_chat_id})
        old.migrated_to = new_chat_id
        self.state.user_message(new.chat, sender, {"migrate_from_chat_id": old.id})
        return new

    def block(self, user_id: int) -> None:
        """The user blocks the bot: my_chat_member to kicked; sends then fail with 403."""
        self._set_private_status(user_id, "kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks (restarts) the bot: my_chat_member back to member."""
        self._set_private_status(user_id, "member")

    def _set_private_status(self, user_id: int, status: str) -> None:
        user = self._users[user_id]
        if user.chat.bot_status != status:
            self.state.set_bot_status(user.chat, user.json, status)

    def set_flood_limits(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
    ) -> None:
        """Enforce Telegram-like send limits (429 + retry_after); `set_flood_limits(None)` disables all."""
        limits = FloodLimits(global_per_second, per_chat_per_second, per_group_per_minute)
        self.state.flood.configure(None if global_per_second is None else limits)

    async def wait_callback_answer(self, query_id: str, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The answerCallbackQuery params for a pressed button, waiting up to `timeout` seconds."""
        future = self.state.callback_answers.get(query_id)
        if future is None:
            raise AssertionError(f"unknown callback query id {query_id!r}")
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(future)
        except TimeoutError:
            raise AssertionError(f"callback query {query_id} was not answered within {timeout}s") from None

    def __repr__(self) -> str:
        return f"FakeBotApi(url={self.url!r}, bot={self.state.bot_user['username']!r})"
