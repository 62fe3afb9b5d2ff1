"""`relaydesk webchat list|add|origins|look|form|rotate-key|snippet`: the web chat widget's entry
points, over `bot.directory.webchat_entry_points`."""

from __future__ import annotations

import argparse
from typing import Any

from bot.directory.webchat_entry_points import (
    FORM_MODES,
    Snippet,
    create_webchat_entry_point,
    get_webchat,
    list_webchat_entry_points,
    rotate_public_key,
    set_form,
    set_look,
    set_origins,
)
from relaydesk.cli.setup_commands import _command, _group, _table
from storage.models import WebchatEntryPoint


def _base_url(args: argparse.Namespace) -> str:
    settings = args.settings
    return args.base_url or f"http://{settings.http_host}:{settings.http_port}"


def _show_snippet(args: argparse.Namespace, webchat: WebchatEntryPoint) -> None:
    print("Put this on the pages of the allowed origins:")
    print(f"  {Snippet(_base_url(args), webchat.public_key)}")


async def webchat_list(args: argparse.Namespace) -> None:
    rows = [
        (
            w.entry_point.key,
            w.entry_point.line.slug,
            w.public_key,
            " ".join(w.allowed_origins) or None,
            f"{w.title or '(default)'} {w.color} {w.position}",
            f"name {w.form_name}, email {w.form_email}",
        )
        for w in await list_webchat_entry_points()
    ]
    _table(
        ("KEY", "LINE", "PUBLIC KEY", "ALLOWED ORIGINS", "LOOK", "PRE-CHAT FORM"),
        rows,
        "No web chat entry points.",
    )


async def webchat_add(args: argparse.Namespace) -> None:
    webchat = await create_webchat_entry_point(
        args.slug,
        args.line,
        origins=args.origin or [],
        name=args.name,
        title=args.title,
        color=args.color,
        position=args.position,
    )
    print(f"Created {webchat.entry_point.key} -> {args.line}")
    if not webchat.allowed_origins:
        print("No allowed origin yet: add one with `relaydesk webchat origins SLUG --add URL`.")
    _show_snippet(args, webchat)


async def webchat_origins(args: argparse.Namespace) -> None:
    webchat = await set_origins(args.slug, add=args.add or [], remove=args.remove or [])
    print(f"Allowed origins of {webchat.entry_point.key}:")
    for origin in webchat.allowed_origins or ["(none: every page is refused)"]:
        print(f"  {origin}")


async def webchat_look(args: argparse.Namespace) -> None:
    webchat = await set_look(args.slug, title=args.title, color=args.color, position=args.position)
    print(
        f"{webchat.entry_point.key}: {webchat.title or '(default title)'} "
        f"{webchat.color} {webchat.position}"
    )


async def webchat_form(args: argparse.Namespace) -> None:
    webchat = await set_form(args.slug, name=args.name, email=args.email)
    print(
        f"Pre-chat form of {webchat.entry_point.key}: "
        f"name {webchat.form_name}, email {webchat.form_email}"
    )


async def webchat_rotate_key(args: argparse.Namespace) -> None:
    webchat = await rotate_public_key(args.slug)
    print(f"New public key for {webchat.entry_point.key}; pages with the old one stop working.")
    _show_snippet(args, webchat)


async def webchat_snippet(args: argparse.Namespace) -> None:
    _show_snippet(args, await get_webchat(args.slug))


def _look_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", help="the widget's title (default: 'Chat with us', translated)")
    parser.add_argument("--color", help="its colour, like #1f6feb")
    parser.add_argument("--position", choices=("right", "left"), help="bottom right or left")


def _base_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url", help="the desk's public address in the snippet (default: http://HOST:PORT)"
    )


def register(sub: Any) -> None:
    webchat = _group(sub, "webchat", "web chat widget entry points: keys, origins, look")
    _command(webchat, "list", webchat_list, "web chat entry points, keys, origins and look")
    add = _command(webchat, "add", webchat_add, "create a web chat entry point; print its snippet")
    add.add_argument("slug", help="1-16 small letters, digits, dashes: the key is webchat:<slug>")
    add.add_argument("line", help="the line its visitors reach")
    add.add_argument(
        "--origin", action="append", help="a site allowed to show it (repeat for more)"
    )
    add.add_argument("--name", help="shown to operators (default: the slug)")
    _look_options(add)
    _base_url_option(add)
    origins = _command(webchat, "origins", webchat_origins, "add or remove allowed origins")
    origins.add_argument("slug")
    origins.add_argument("--add", action="append", help="an origin to allow (repeatable)")
    origins.add_argument("--remove", action="append", help="an origin to refuse (repeatable)")
    look = _command(webchat, "look", webchat_look, "change the widget's title, colour, position")
    look.add_argument("slug")
    _look_options(look)
    form = _command(webchat, "form", webchat_form, "ask new visitors for a name and an email first")
    form.add_argument("slug")
    form.add_argument("--name", choices=FORM_MODES, help="the name field (default: unchanged)")
    form.add_argument("--email", choices=FORM_MODES, help="the email field (default: unchanged)")
    rotate = _command(webchat, "rotate-key", webchat_rotate_key, "a new public key")
    rotate.add_argument("slug")
    _base_url_option(rotate)
    snippet = _command(webchat, "snippet", webchat_snippet, "print the snippet to copy")
    snippet.add_argument("slug")
    _base_url_option(snippet)
