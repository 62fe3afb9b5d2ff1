"""`relaydesk check` says the same as the log about a messenger it cannot use: a network
error, a refused token, or an answer that is not the messenger's (a proxy's 404 page)."""

from __future__ import annotations

from bot.base.settings import Settings
from bridges.slack.check import check as check_slack
from bridges.telegram.check import check as check_telegram
from tests.fakes.outage import ErrorPages, nobody_listens
from tests.fakes.telegram import FakeTelegram


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


async def test_telegram_network_refusal_and_proxy_page_are_told_apart(
    fake_telegram: FakeTelegram,
) -> None:
    _, nowhere = nobody_listens()
    token = fake_telegram.token
    [(ok, text)] = await check_telegram(_settings(telegram_token=token, telegram_api_url=nowhere))
    assert not ok and text.startswith(f"Could not reach the Bot API at {nowhere}: ")
    assert token not in text

    wrong = _settings(telegram_token="999:WRONG", telegram_api_url=fake_telegram.base_url)
    [(ok, text)] = await check_telegram(wrong)
    assert not ok and "Telegram refused the token" in text
    assert "the network is fine, the token is not" in text

    async with ErrorPages() as pages:
        proxied = _settings(telegram_token=token, telegram_api_url=pages.base_url)
        [(ok, text)] = await check_telegram(proxied)
    assert not ok and text.startswith(f"The answer from {pages.base_url} is not the Bot API's")
    assert "not JSON" in text and token not in text


async def test_slack_network_refusal_and_proxy_page_are_told_apart(fake_slack) -> None:
    _, nowhere = nobody_listens()
    base = {"slack_bot_token": fake_slack.bot_token, "slack_signing_secret": "s"}
    [(ok, text)] = await check_slack(_settings(**base, slack_api_url=nowhere))
    assert not ok and text.startswith(f"Could not reach Slack at {nowhere}: ")

    refused = base | {"slack_bot_token": "xoxb-wrong", "slack_api_url": fake_slack.base_url}
    [(ok, text)] = await check_slack(_settings(**refused))
    assert not ok and text.startswith("Slack refused RELAYDESK_SLACK_BOT_TOKEN (invalid_auth)")

    async with ErrorPages() as pages:
        [(ok, text)] = await check_slack(_settings(**base, slack_api_url=pages.base_url))
    assert not ok and "is not Slack's (HTTP 404 without a Slack error code)" in text
