"""Fake Telegram Bot API server on loopback for end-to-end tests, benchmarks and an offline sandbox."""

from .api import FakeBotApi
from .people import FakeChat, FakeUser
from .state import BotMessage

__all__ = ["BotMessage", "FakeBotApi", "FakeChat", "FakeUser"]
