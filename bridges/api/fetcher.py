"""Attachments by URL: the desk GETs each file with the webhooks' rules (bridges/api/poster):
the addresses the host resolves to are checked before connecting, private and loopback ones
refused unless RELAYDESK_WEBHOOK_ALLOW_PRIVATE=true, redirects not followed, within the
webhooks' timeout, and no more than RELAYDESK_API_MAX_FILE_BYTES read. Whatever fails is a
422 that names the attachment: nothing is kept of a request with one bad file."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import aiohttp

from bot.attachments.kinds import ALLOWED, clean_name, extension_for
from bot.base.addresses import UnsafeAddress, check_address, check_url
from bot.base.ports import FileData
from bot.base.redact import Redactor
from bridges.api.errors import ApiError
from bridges.api.poster import USER_AGENT, CheckedResolver, is_ip
from bridges.api.schemas import AttachmentIn

CHUNK = 64 * 1024


def _refused(index: int, code: str, problem: str) -> ApiError:
    field = f"attachments.{index}.url"
    return ApiError(
        422, code, f"{field}: {problem}", details=[{"field": field, "problem": problem}]
    )


def _name(attachment: AttachmentIn, content_type: str) -> str:
    """The given name, else the URL's last segment; with the extension of the type the
    server said when the name has none the desk knows."""
    path = unquote(urlsplit(attachment.url).path)
    name = clean_name(attachment.name or posixpath.basename(path))
    if name.rpartition(".")[2].lower() not in ALLOWED or "." not in name:
        extension = extension_for(content_type)
        if extension:
            name = f"{name}.{extension}"
    return name


class AttachmentFetcher:
    def __init__(
        self, *, allow_private: bool, timeout: float, max_bytes: int, redactor: Redactor
    ) -> None:
        self._allow_private = allow_private
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max = max_bytes
        self._redactor = redactor

    async def fetch(self, attachment: AttachmentIn, index: int) -> FileData:
        try:
            check_url(attachment.url)
            host = urlsplit(attachment.url).hostname or ""
            if is_ip(host):  # aiohttp connects to an address as it is, not resolving it
                check_address(host.strip("[]"), allow_private=self._allow_private)
            return await self._get(attachment, index)
        except UnsafeAddress as error:
            raise _refused(index, "attachment_not_allowed", str(error)) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            words = self._redactor.describe(error) or type(error).__name__
            raise _refused(index, "attachment_unreachable", words) from None

    async def _get(self, attachment: AttachmentIn, index: int) -> FileData:
        connector = aiohttp.TCPConnector(resolver=CheckedResolver(self._allow_private))
        async with (
            aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers={"User-Agent": USER_AGENT}
            ) as http,
            http.get(attachment.url, allow_redirects=False) as answer,
        ):
            if answer.status != 200:
                problem = f"the server answered {answer.status}"
                if 300 <= answer.status < 400:
                    problem += " (redirects are not followed)"
                raise _refused(index, "attachment_unavailable", problem)
            if (answer.content_length or 0) > self._max:
                raise _refused(index, "attachment_too_large", self._too_large())
            data = bytearray()
            while chunk := await answer.content.read(CHUNK):
                data += chunk
                if len(data) > self._max:
                    raise _refused(index, "attachment_too_large", self._too_large())
            mime = answer.headers.get("Content-Type", "")
        return FileData(_name(attachment, mime), mime, bytes(data))

    def _too_large(self) -> str:
        return f"the file is larger than {self._max} bytes (RELAYDESK_API_MAX_FILE_BYTES)"
