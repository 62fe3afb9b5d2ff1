"""`relaydesk check` for Slack: the token, the channel, the app's membership, in plain words.

Like Telegram's check, the findings are texts to translate, and failures to reach the Web API
are worded by `reach`, as in the log and `/healthz`.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.base.i18n import Text, _
from bot.base.redact import Redactor
from bot.base.settings import Settings
from bridges.slack import reach
from bridges.slack.runtime import NO_SECRET, make_client

Finding = tuple[bool, Text]

TOKEN_WORKS = _("The Slack token works: the app is @{bot} in {team}.")
NO_CHANNEL = _(
    "RELAYDESK_SLACK_CHANNEL_ID is not set: open the channel's details in Slack and copy its "
    "id (it starts with C)."
)
CHANNEL_HIDDEN = _(
    "The app cannot see channel {channel} ({error}): check RELAYDESK_SLACK_CHANNEL_ID and "
    "invite the app with /invite @{bot}."
)
IS_MEMBER = _("The app is a member of #{name}.")
NOT_MEMBER = _('The app is not in #{name}: type "/invite @{bot}" in the channel.')


async def findings(settings: Settings) -> list[Finding]:
    if not settings.slack_bot_token:
        return []  # Slack is optional; nothing to say when it is not configured
    found: list[Finding] = []
    if not settings.slack_signing_secret and not settings.slack_app_token:
        found.append((False, Text(NO_SECRET)))
    client = make_client(settings)
    try:
        identity = await client.auth_test()
    except Exception as error:  # every failure to reach it is worded by `reach`, as in the log
        outage = reach.outage(error, settings, Redactor.of_settings(settings))
        if outage is None:
            raise
        return [*found, (False, outage.text)]
    bot = str(identity.get("user", "relaydesk"))
    found.append((True, Text(TOKEN_WORKS, bot=bot, team=str(identity.get("team")))))
    channel = settings.slack_channel_id
    if not channel:
        return [*found, (False, Text(NO_CHANNEL))]
    try:
        info = (await client.conversations_info(channel=channel))["channel"]
    except SlackApiError as error:
        data = error.response.data
        code = data.get("error") if isinstance(data, dict) else error.response.status_code
        hidden = Text(CHANNEL_HIDDEN, channel=channel, error=str(code), bot=bot)
        return [*found, (False, hidden)]
    if info.get("is_member"):
        found.append((True, Text(IS_MEMBER, name=str(info.get("name")))))
    else:
        found.append((False, Text(NOT_MEMBER, name=str(info.get("name")), bot=bot)))
    return found


async def check(settings: Settings) -> list[tuple[bool, str]]:
    """The findings in English, as `relaydesk check` prints them."""
    from bot.base.i18n import Translator

    translator = Translator()
    return [(good, translator.render("en", text)) for good, text in await findings(settings)]
