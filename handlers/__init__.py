"""Thin Telegram glue: parse an update, call one service in one transaction, render a localized reply."""
