"""Numbers read from the panel's addresses and query strings, in one place.

Every view reads ids and page numbers through here, so that a number no column can hold (a
25-digit id, `page=-1`, `page=²`) is a 404 or the first page, never a database error.
"""

from __future__ import annotations

from aiohttp import web

from bot.base.bounds import number_in, row_id

MAX_PAGE = 100_000  # far past any list's end; a page beyond the end shows the last one


def page_number(raw: str | None) -> int:
    return number_in(raw or "", 1, MAX_PAGE) or 1


def id_or_404(request: web.Request, name: str = "id") -> int:
    """A row id from the address; one no row can have is simply not there."""
    number = row_id(request.match_info[name])
    if number is None:
        raise web.HTTPNotFound()
    return number


def optional_id(raw: str | None) -> int | None:
    """A row id picked in a form or a filter; anything else picks nothing."""
    return row_id(raw or "")
