"""Bodies and headers a stranger (or a broken proxy) might send to a webhook: what the
border tests and the fuzz test throw at /slack/events and /telegram/webhook."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import aiohttp

Json = dict[str, Any]


def deeply_nested(size: int = 100_000) -> bytes:
    """About `size` bytes of `{"a":[[[[...]]]]}`: valid JSON no parser should recurse into."""
    depth = size // 2
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


async def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    """The status of one POST (aiohttp adds no Content-Type of its own to raw bytes)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, data=body, headers=headers or {}, timeout=aiohttp.ClientTimeout(total=10)
        ) as response,
    ):
        await response.read()
        return response.status


async def post_chunked(url: str, body: bytes, headers: dict[str, str]) -> int:
    """A POST with no Content-Length (chunked), so only reading tells its size."""

    async def chunks():
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url, data=chunks(), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as response,
    ):
        await response.read()
        return response.status


class Mutator:
    """Seeded random damage to real bodies: fields dropped, values swapped for other types,
    bytes flipped or cut, junk appended."""

    SCALARS: tuple[Any, ...] = (None, True, 0, -1, 2**70, 1.5, "", "x" * 300, "ü\u202e", [], {})

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def value(self, depth: int = 0) -> Any:
        roll = self.rng.random()
        if depth > 3 or roll < 0.6:
            return self.rng.choice(self.SCALARS)
        if roll < 0.8:
            return [self.value(depth + 1) for _ in range(self.rng.randrange(3))]
        return {self.word(): self.value(depth + 1) for _ in range(self.rng.randrange(3))}

    def word(self) -> str:
        return self.rng.choice(["type", "event", "user", "text", "ts", "channel", "id", "zz"])

    def structure(self, document: Any) -> Any:
        """A copy of `document` with a few random fields dropped or retyped."""
        document = copy.deepcopy(document)
        for _ in range(self.rng.randrange(1, 4)):
            self._damage(document)
        return document

    def _damage(self, node: Any) -> None:
        while True:
            if isinstance(node, dict) and node:
                key = self.rng.choice(list(node))
            elif isinstance(node, list) and node:
                key = self.rng.randrange(len(node))
            else:
                return
            child = node[key]
            if not isinstance(child, dict | list) or not child or self.rng.random() < 0.3:
                if isinstance(node, dict) and self.rng.random() < 0.4:
                    del node[key]
                else:
                    node[key] = self.value()
                return
            node = child

    def raw(self, body: bytes) -> bytes:
        """Byte-level damage: a cut, flipped bytes, or junk."""
        roll = self.rng.random()
        if roll < 0.3:
            return body[: self.rng.randrange(len(body) + 1)]
        if roll < 0.6:
            data = bytearray(body)
            for _ in range(self.rng.randrange(1, 8)):
                if data:
                    data[self.rng.randrange(len(data))] = self.rng.randrange(256)
            return bytes(data)
        if roll < 0.8:
            return body + bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 40)))
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(200)))

    def json_bytes(self, document: Any) -> bytes:
        return json.dumps(document, separators=(",", ":")).encode()
