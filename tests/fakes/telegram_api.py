"""In-repo fake Telegram Bot API server that the real aiogram ``Bot`` talks to over HTTP.

    fake = FakeTelegram()
    base_url = await fake.start()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))

The implementation lives in the ``tests.fakes.telegram`` package.
"""

from tests.fakes.telegram import ApiError, FakeTelegram, UploadedFile

__all__ = ["ApiError", "FakeTelegram", "UploadedFile"]
