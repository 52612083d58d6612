"""Test pictures made on the spot: distinct scenes, and the same scene resized and recompressed."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture of random shapes: different seeds give clearly different pictures."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(40, 260), rng.randrange(40, 200)
        draw.rectangle(
            (x, y, x + w, y + h), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256))
        )
    return image


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def photo(seed: int) -> bytes:
    """A JPEG of scene `seed`."""
    return jpeg(scene(seed))


def resent(seed: int) -> bytes:
    """The same scene as `photo(seed)`, as a phone would re-send it: smaller and more compressed."""
    return jpeg(scene(seed).resize((400, 300)), quality=60)
