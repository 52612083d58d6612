"""Single normaliser for Bot API parameters sent as JSON, query string, urlencoded form or multipart."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "max_connections",
        "reply_to_message_id",
        "message_thread_id",
    }
)
FLOAT_FIELDS = frozenset({"timeout"})
BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "scope",
        "commands",
        "allowed_updates",
        "menu_button",
        "reply_parameters",
        "link_preview_options",
    }
)
_JSON_NAMES = {"reply_markup": "reply keyboard markup"}
_INT_RE = re.compile(r"-?\d+")
_TRUE = frozenset({"true", "1", "yes"})
ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class Upload:
    """A file sent inside a multipart request."""

    data: bytes
    filename: str
    content_type: str

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


class Params:
    """Typed Bot API parameters of one call plus its uploaded files."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def get(self, name: str, default: Any = None) -> Any:
        """The normalised value of a parameter, or `default` when absent."""
        value = self.values.get(name)
        return default if value is None else value

    def require(self, name: str, missing: str) -> Any:
        """The value of a mandatory parameter; 400 with Telegram's `missing` text when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(missing)
        return value

    def file(self, name: str) -> Upload | str | None:
        """A file parameter: an upload (direct or via attach://) or a file_id string."""
        return resolve_file(self.get(name), self.files, name)

    def record(self) -> dict[str, Any]:
        """Values and uploads merged, as kept in `FakeBotApi.calls`."""
        return {**self.values, **self.files}


def resolve_file(value: Any, files: Mapping[str, Upload], field: str | None = None) -> Upload | str | None:
    """Resolve a media reference: `attach://name`, a multipart field named `field`, or a file_id."""
    if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
        upload = files.get(value.removeprefix(ATTACH_PREFIX))
        if upload is None:
            raise bad_request(f"file must be uploaded as a part of the request: {value}")
        return upload
    if field is not None and field in files:
        return files[field]
    return value if isinstance(value, str) and value else None


def coerce(name: str, value: Any) -> Any:
    """Convert one raw value (string from a form, or JSON value) to its Bot API type."""
    if not isinstance(value, str):
        return value
    if name == "chat_id":
        return int(value) if _INT_RE.fullmatch(value) else value
    if name in INT_FIELDS:
        if not _INT_RE.fullmatch(value.strip()):
            raise bad_request(f"invalid {name} specified")
        return int(value)
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if name in BOOL_FIELDS:
        return value.strip().lower() in _TRUE
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {_JSON_NAMES.get(name, name)} JSON object") from None
    return value


async def read_params(request: web.Request) -> Params:
    """Read and normalise all parameters of a request, whatever its encoding."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update(body)
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[name] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    raw[name] = value if isinstance(value, str) else bytes(value).decode()
    return Params({name: coerce(name, value) for name, value in raw.items()}, files)
