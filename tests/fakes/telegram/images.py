"""What Telegram checks of an uploaded photo (Bot API, sendPhoto): at most 10 MB, an image
it can read, width + height at most 10000 and a side ratio of at most 20. Anything else is
a 400 whose words the real server uses; a bot sends such an image as a document instead."""

from __future__ import annotations

import struct
import zlib

MAX_PHOTO_BYTES = 10 * 1024 * 1024


def png(width: int = 1, height: int = 1, seed: int = 0) -> bytes:
    """A real PNG image; `seed` colours it, so two images made with two seeds differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    pixel = bytes(((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG (the formats Telegram reads as photos here)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def photo_problem(data: bytes) -> str | None:
    """Telegram's refusal of `data` as a photo, or None when it takes it."""
    if len(data) > MAX_PHOTO_BYTES:
        return "PHOTO_SAVE_FILE_INVALID"
    size = dimensions(data)
    if size is None or 0 in size:
        return "IMAGE_PROCESS_FAILED"
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        return "PHOTO_INVALID_DIMENSIONS"
    return None
