"""Paged listings: each page checked as it comes, and the query of the next one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vbstui.cloud.errors import ResponseFormatError
from vbstui.cloud.models import Volume, as_int, as_list

log = logging.getLogger("vbstui.cloud")

MAX_PAGES = 100_000  # a runaway server must not page us forever


@dataclass(frozen=True)
class Page:
    """One page of a listing, with the total the server reported (if any)."""

    items: list[Any]
    total: int | None


class ListingReader:
    """One listing's pages checked as they come: the items must be a list, an item
    already seen is dropped, and a server that repeats items is not followed further
    (a broken one could page forever)."""

    def __init__(self, items_key: str, links_key: str) -> None:
        self.items_key = items_key
        self.links_key = links_key
        self.seen_ids: set[str] = set()

    def items(self, data: dict[str, Any]) -> list[Any]:
        raw_items = data.get(self.items_key)
        if raw_items is not None and not isinstance(raw_items, list):
            raise ResponseFormatError(f"'{self.items_key}' in the answer is not a list")
        return as_list(raw_items)

    def take(self, data: dict[str, Any], *, skip: int = 0
             ) -> tuple[Page, dict[str, str] | None]:
        """The page's new items, and the query of the next page (None: the end, or
        the server repeated items).  `skip` leading items are known already (an
        overlap the caller has checked)."""
        items = self.items(data)[skip:]
        seen = self.seen_ids
        fresh = [i for i in items if not (isinstance(i, dict) and i.get("id") in seen)]
        seen.update(i["id"] for i in fresh if isinstance(i, dict) and isinstance(
            i.get("id"), str))
        page = Page(items=fresh, total=as_int(data.get("count")))
        next_query = _next_query(data.get(self.links_key))
        if next_query is None or not items:
            return page, None
        if len(fresh) < len(items):
            log.warning("the server's paging repeated items; stopped after %d", len(seen))
            return page, None
        return page, next_query


def _next_query(links: Any) -> dict[str, str] | None:
    for link in as_list(links):
        href = link.get("href") if isinstance(link, dict) else None
        if isinstance(href, str) and link.get("rel") == "next":
            pairs = dict(parse_qsl(urlsplit(href).query))
            # Only paging parameters: filters are ours and stay as we sent them.
            return {k: v for k, v in pairs.items() if k in ("marker", "offset", "limit")}
    return None


def first_volumes(body: dict[str, Any]) -> tuple[list[Volume], int | None]:
    """The disks of a listing's first page (`EvsClient.first_page_body`) and the total it
    says, read as the listing reads them (here, not in evs.py: the TUI shows them before
    it loads the HTTP stack)."""
    page, _next = ListingReader("volumes", "volumes_links").take(body)
    return [Volume.from_api(v) for v in page.items], page.total
