"""Cards and notices as Block Kit; text escaped the way Slack wants it."""

from __future__ import annotations

from typing import Any

from bot.base.cards import Card
from bot.base.i18n import Text, Translator

ACTION_PREFIX = "rd_"


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def card_blocks(card: Card, translator: Translator, lang: str) -> list[dict[str, Any]]:
    title = translator.render(lang, card.title, escape)
    fields = [
        {
            "type": "mrkdwn",
            "text": f"*{translator.render(lang, label, escape)}*\n"
            + translator.render(lang, value, escape),
        }
        for label, value in card.fields
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
    ]
    for start in range(0, len(fields), 10):  # a section holds at most ten fields
        blocks.append({"type": "section", "fields": fields[start : start + 10]})
    for index, row in enumerate(card.rows()):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"relaydesk_card_{index}",
                "elements": [
                    {
                        "type": "button",
                        # unique within the card: a topic list has many "topic" buttons
                        "action_id": f"{ACTION_PREFIX}{button.command}_{index}_{position}",
                        "text": {
                            "type": "plain_text",
                            "text": translator.render(lang, button.label)[:75],
                        },
                        "value": button.data,
                    }
                    for position, button in enumerate(row)
                ],
            }
        )
    return blocks


def card_text(card: Card, translator: Translator, lang: str) -> str:
    """The plain-text fallback Slack shows in notifications."""
    return translator.render(lang, card.title, escape)


def notice_text(text: Text, translator: Translator, lang: str) -> str:
    return f"_{translator.render(lang, text, escape)}_"
