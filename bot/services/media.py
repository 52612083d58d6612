"""Keeping evidence files: a content-addressed store (a folder now, S3-compatible later) and image facts."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, UnidentifiedImageError

HASH_BITS = 64
BAND_BITS = 16
#: Within this many differing bits two pictures count as the same photo (resized, recompressed, cropped).
NEAR_DISTANCE = 6


class MediaStore(Protocol):
    """Where copies of evidence files live, addressed by their SHA-256 (so a copy is stored once)."""

    async def put(self, data: bytes, sha256: str, suffix: str) -> str:
        """Store the bytes; returns the key to read them back."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes stored under a key."""
        ...


class FolderMediaStore:
    """Files under a folder: <sha256[:2]>/<sha256><suffix>; never a name chosen by a user."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, data: bytes, sha256: str, suffix: str) -> str:
        key = f"{sha256[:2]}/{sha256}{_safe_suffix(suffix)}"
        await asyncio.to_thread(self._write, self.root / key, data)
        return key

    async def get(self, key: str) -> bytes:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("media key outside the store")
        return await asyncio.to_thread(path.read_bytes)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return  # the same content is already kept
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
            temporary.write(data)
        os.replace(temporary.name, path)  # atomic: a crash never leaves half a file under the key


def _safe_suffix(suffix: str) -> str:
    cleaned = "".join(ch for ch in suffix.lower() if ch.isalnum())[:8]
    return f".{cleaned}" if cleaned else ""


@dataclass(frozen=True)
class FileFacts:
    """What is recorded of a file: its hash, and for pictures their size and perceptual hash."""

    sha256: str
    size: int
    width: int | None = None
    height: int | None = None
    phash: int | None = None


def file_facts(data: bytes) -> FileFacts:
    """Hash the bytes; decode pictures for their size and perceptual hash (CPU work: run in a thread)."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return FileFacts(sha256, len(data), width, height, difference_hash(image))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return FileFacts(sha256, len(data))


def difference_hash(image: Image.Image) -> int:
    """A 64-bit dHash: whether each pixel of a 9×8 grey thumbnail is brighter than its right neighbour."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # one byte per pixel in "L" mode
    value = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            value = (value << 1) | (left > right)
    return value


def bands(phash: int) -> tuple[int, int, int, int]:
    """The hash cut into four 16-bit bands (two hashes within 3 bits share one of them)."""
    mask = (1 << BAND_BITS) - 1
    return tuple((phash >> (BAND_BITS * i)) & mask for i in range(4))  # type: ignore[return-value]


def to_signed(phash: int) -> int:
    """Store a 64-bit hash in a signed BIGINT column."""
    return phash - (1 << HASH_BITS) if phash >= 1 << (HASH_BITS - 1) else phash


def to_unsigned(stored: int) -> int:
    return stored + (1 << HASH_BITS) if stored < 0 else stored


def hamming(a: int, b: int) -> int:
    """How many bits two hashes differ in."""
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
