"""`relaydesk check` for Slack: the token, the channel, the app's membership, in plain words."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bridges.slack.runtime import make_client

Finding = tuple[bool, str]

NO_SECRET = (
    "Neither RELAYDESK_SLACK_SIGNING_SECRET (events over HTTP at /slack/events) nor "
    "RELAYDESK_SLACK_APP_TOKEN (Socket Mode) is set: copy one from the app's "
    "Basic Information page."
)
BAD_TOKEN = (
    "Slack refused RELAYDESK_SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-…) "
    "from the app's OAuth & Permissions page."
)
NO_CHANNEL = (
    "RELAYDESK_SLACK_CHANNEL_ID is not set: open the channel's details in Slack and copy its "
    "id (it starts with C)."
)
CHANNEL_HIDDEN = (
    "The app cannot see channel {channel} ({error}): check RELAYDESK_SLACK_CHANNEL_ID and "
    "invite the app with /invite @{bot}."
)
NOT_MEMBER = 'The app is not in #{name}: type "/invite @{bot}" in the channel.'


async def check(settings: Settings) -> list[Finding]:
    if not settings.slack_bot_token:
        return []  # Slack is optional; nothing to say when it is not configured
    findings: list[Finding] = []
    if not settings.slack_signing_secret and not settings.slack_app_token:
        findings.append((False, NO_SECRET))
    client = make_client(settings)
    try:
        identity = await client.auth_test()
    except SlackApiError as error:
        return [*findings, (False, BAD_TOKEN.format(error=error.response.get("error")))]
    except OSError as error:
        return [*findings, (False, f"Could not reach Slack at {settings.slack_api_url}: {error}.")]
    bot = identity.get("user", "relaydesk")
    findings.append((True, f"The Slack token works: the app is @{bot} in {identity.get('team')}."))
    channel = settings.slack_channel_id
    if not channel:
        return [*findings, (False, NO_CHANNEL)]
    try:
        info = (await client.conversations_info(channel=channel))["channel"]
    except SlackApiError as error:
        hidden = CHANNEL_HIDDEN.format(channel=channel, error=error.response.get("error"), bot=bot)
        return [*findings, (False, hidden)]
    if info.get("is_member"):
        findings.append((True, f"The app is a member of #{info.get('name')}."))
    else:
        findings.append((False, NOT_MEMBER.format(name=info.get("name"), bot=bot)))
    return findings
