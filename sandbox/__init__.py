"""Offline sandbox: the fake Bot API, the real bot, demo data and a chat-like web page, all on loopback."""
