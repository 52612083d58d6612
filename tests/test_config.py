"""Settings: defaults, .env, and one clear line naming a malformed variable."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, normalize_database_url


def test_defaults_use_sqlite_vietnam_time_and_vietnamese():
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///thidua.db"
    assert settings.timezone.key == "Asia/Ho_Chi_Minh"
    assert settings.locale == "vi"
    assert settings.token is None
    assert settings.base_url == "https://api.telegram.org/bot"


def test_values_are_read_and_normalised():
    settings = load_settings(
        {
            "THIDUA_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
            "THIDUA_DATABASE_URL": "postgresql://u@127.0.0.1/test",
            "THIDUA_ADMIN_IDS": "11, 22;33",
            "THIDUA_OPS_CHAT_ID": "-100200",
            "THIDUA_BOT_API_URL": "http://127.0.0.1:8081/",
            "THIDUA_BOT_USERNAME": "@thidua_bot",
        }
    )
    assert settings.require_token() == "123456:ABCDEFGHIJKLMNOP"
    assert settings.database_url == "postgresql+asyncpg://u@127.0.0.1/test"
    assert settings.admin_ids == {11, 22, 33}
    assert settings.ops_chat_id == -100200
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.bot_username == "thidua_bot"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("THIDUA_BOT_TOKEN", "not-a-token"),
        ("THIDUA_ADMIN_IDS", "12,abc"),
        ("THIDUA_OPS_CHAT_ID", "ops"),
        ("THIDUA_TIMEZONE", "Mars/Olympus"),
        ("THIDUA_LOCALE", "fr"),
        ("THIDUA_BOT_API_URL", "ftp://x"),
    ],
)
def test_a_malformed_value_names_its_variable_in_one_line(variable, value):
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    message = str(caught.value)
    assert message.startswith(variable + ": ")
    assert "\n" not in message


def test_missing_token_names_the_variable():
    with pytest.raises(ConfigError, match="^THIDUA_BOT_TOKEN: "):
        load_settings({}).require_token()


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("THIDUA_OPS_CHAT_ID=5\nTHIDUA_LOCALE=en\n", encoding="utf-8")
    monkeypatch.setenv("THIDUA_LOCALE", "vi")
    settings = load_settings(env_file=env_file)
    assert settings.ops_chat_id == 5
    assert settings.locale == "vi"


def test_plain_sqlite_url_gets_the_async_driver():
    assert normalize_database_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
