"""In-memory file storage addressed by file_id and file_path, and Telegram's file descriptors."""

from __future__ import annotations

import hashlib
import itertools
import mimetypes
import struct
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

THUMB_SIDE = 90
DEFAULT_PHOTO_SIZE = (800, 600)
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class StoredFile:
    """One file_id: its bytes and the path it is downloadable at."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str

    def descriptor(self) -> dict[str, Any]:
        """The fields every Telegram file object carries."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data)}

    def file_json(self) -> dict[str, Any]:
        """getFile's File object."""
        return {**self.descriptor(), "file_path": self.file_path}


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF or JPEG header, or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(data) and data[pos] == 0xFF:
            marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if marker in _JPEG_SOF:
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return width, height
            pos += 2 + length
    return None


class FileStore:
    """All files the fake server knows, uploaded by the bot or by simulated users."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._media: dict[str, list[dict[str, Any]] | dict[str, Any]] = {}
        self._counter = itertools.count(1)

    def add(self, data: bytes, folder: str, extension: str, variant: str = "") -> StoredFile:
        """Store bytes under a fresh file_id; file_unique_id depends only on content and variant."""
        number = next(self._counter)
        unique = hashlib.sha1(data + variant.encode()).hexdigest()[:16]
        file_id = f"{folder[:3].upper()}{number}_{unique}"
        stored = StoredFile(file_id, unique, data, f"{folder}/file_{number}{extension}")
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, if known."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file downloadable at this file_path, if any."""
        return self._by_path.get(file_path)

    def media(self, file_id: str) -> list[dict[str, Any]] | dict[str, Any] | None:
        """The PhotoSize array or Document a file_id belongs to, for re-sending by file_id."""
        return self._media.get(file_id)

    def photo_sizes(self, data: bytes, size: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """A PhotoSize array (90px thumbnail when larger, then full size); all sizes share the bytes."""
        width, height = size or image_size(data) or DEFAULT_PHOTO_SIZE
        sizes = []
        if max(width, height) > THUMB_SIDE:
            scale = THUMB_SIDE / max(width, height)
            thumb = self.add(data, "photos", ".jpg", "s")
            thumb_size = {"width": round(width * scale), "height": round(height * scale)}
            sizes.append({**thumb.descriptor(), **thumb_size})
        full = self.add(data, "photos", ".jpg")
        sizes.append({**full.descriptor(), "width": width, "height": height})
        self._media.update(dict.fromkeys((size["file_id"] for size in sizes), sizes))
        return sizes

    def document(self, data: bytes, file_name: str, mime_type: str) -> dict[str, Any]:
        """A Document object for these bytes."""
        extension = PurePosixPath(file_name).suffix or mimetypes.guess_extension(mime_type) or ""
        stored = self.add(data, "documents", extension)
        document = {**stored.descriptor(), "file_name": file_name, "mime_type": mime_type}
        self._media[stored.file_id] = document
        return document
