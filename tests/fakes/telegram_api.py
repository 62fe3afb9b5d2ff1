"""In-repo fake Telegram Bot API server that the real aiogram ``Bot`` talks to over HTTP.

    fake = FakeTelegram()                      # limits=True turns on flood limits
    fake.add_user(111, "Alice")                # a person who started the bot
    fake.add_forum(-1001234567890, "Support", members={222: "administrator"})
    base_url = await fake.start()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    fake.user_sends(111, "Hi")                 # queues a `message` update
    ...
    await bot.session.close()
    await fake.close()

People act through ``user_sends``/``member_sends``/``user_edits``/``press_button``/
``close_topic``/``delete_topic``/``block_bot``; tests inspect ``chat_messages``,
``bot_messages``, ``topics``, ``reactions``, ``calls`` and ``stats``; ``fail_next``
injects errors. The implementation lives in the ``tests.fakes.telegram`` package.
"""

from tests.fakes.telegram import ApiError, FakeTelegram, UploadedFile

__all__ = ["ApiError", "FakeTelegram", "UploadedFile"]
