"""`relaydesk api list|add|rotate-key|webhook`: the REST API's entry points, over
`bot.directory.api_entry_points`. A key and a webhook secret are printed once, when made."""

from __future__ import annotations

import argparse
from typing import Any

from bot.directory.api_entry_points import (
    Issued,
    create_api_entry_point,
    list_api_entry_points,
    rotate_key,
    set_webhook,
)
from relaydesk.cli.setup_commands import _command, _group, _table


def _show(issued: Issued) -> None:
    if issued.key:
        print(f"API key (shown once, keep it): {issued.key}")
    if issued.webhook_secret:
        print(f"Webhook secret (shown once, keep it): {issued.webhook_secret}")


async def api_list(args: argparse.Namespace) -> None:
    rows = []
    for row in await list_api_entry_points():
        last = row.last_webhook
        said = f"{last.status} {(last.last_error or '')[:60]}".strip() if last else None
        rows.append(
            (row.api.entry_point.key, row.line, row.api.key_hint + "…", row.api.webhook_url, said)
        )
    _table(("KEY", "LINE", "API KEY", "WEBHOOK", "LAST WEBHOOK CALL"), rows, "No API entry points.")


async def api_add(args: argparse.Namespace) -> None:
    issued = await create_api_entry_point(
        args.slug, args.line, name=args.name, webhook_url=args.webhook_url
    )
    print(f"Created {issued.entry_point.key} -> {args.line}")
    _show(issued)


async def api_rotate_key(args: argparse.Namespace) -> None:
    issued = await rotate_key(args.slug)
    print(f"New key for {issued.entry_point.key}; the old one no longer works.")
    _show(issued)


async def api_webhook(args: argparse.Namespace) -> None:
    url = None if args.url == "none" else args.url
    issued = await set_webhook(args.slug, url, new_secret_too=args.new_secret)
    print(f"Webhook of {issued.entry_point.key}: {url or 'none'}")
    _show(issued)


def register(sub: Any) -> None:
    api = _group(sub, "api", "REST API entry points: keys and webhooks")
    _command(api, "list", api_list, "API entry points, their lines, webhooks and last call")
    add = _command(api, "add", api_add, "create an API entry point and print its key once")
    add.add_argument("slug", help="1-16 small letters, digits, dashes: the key is api:<slug>")
    add.add_argument("line", help="the line its customers reach")
    add.add_argument("--name", help="shown to operators (default: the slug)")
    add.add_argument("--webhook-url", help="where answers and events are POSTed")
    rotate = _command(api, "rotate-key", api_rotate_key, "a new key; the old one stops working")
    rotate.add_argument("slug")
    hook = _command(api, "webhook", api_webhook, "set the webhook URL (`none`: no webhook)")
    hook.add_argument("slug")
    hook.add_argument("url")
    hook.add_argument("--new-secret", action="store_true", help="make a new signing secret")
