"""A fake Slack (Web API, Events API deliveries, interactivity, Socket Mode) for tests.

    fake = FakeSlack()                               # limits=True turns on posting limits
    fake.add_user("U0ALICE", "alice", real_name="Alice Smith")
    fake.add_channel("C0DESK", "desk", members=["U0ALICE"])
    base_url = await fake.start()
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    status, body, event = await fake.user_posts(app_url, "C0DESK", "U0ALICE", "Hi")
    ...
    await fake.close()

Tests inspect ``messages``/``message``/``reactions``/``ephemerals``/``responses``,
``calls``/``calls_to``, ``deliveries``, ``acks`` and ``stats``; ``fail_next``
injects errors.
"""

from .errors import SlackError
from .params import UploadedFile
from .server import Delivery, FakeSlack
from .signing import signature

__all__ = ["Delivery", "FakeSlack", "SlackError", "UploadedFile", "signature"]
