"""A fake Telegram Bot API server for tests (see ``FakeTelegram``)."""

from .errors import ApiError
from .params import UploadedFile
from .server import FakeTelegram

__all__ = ["ApiError", "FakeTelegram", "UploadedFile"]
