"""A listing page parsed as `json.loads` parses it, with the text each item of its list
came in: output that passes records through (`vbstui volumes --json`) writes a record
as the server sent it instead of encoding the parsed record again, which was a quarter
of listing 50,000 disks.

The page's object is walked here and every value in it is parsed by the `json`
module's own scanner, so the values are those `json.loads` makes.  Anything this walk
does not expect (an error, a top-level value that is not an object) is left to
`json.loads`, which then gives the value or raises its error, and no texts are kept.
"""

from __future__ import annotations

import json
from json.decoder import WHITESPACE, scanstring
from typing import Any

from vbstui.cloud.lenient import too_deep, within_depth

_scan = json.JSONDecoder().scan_once  # the C scanner json.loads uses, same options
_whitespace = WHITESPACE.match
_BLANKS = frozenset(" \t\n\r")


class ItemTexts:
    """The JSON text of each object in a page's list, for as long as the page lives
    (found by identity: objects, unlike small numbers, are never shared)."""

    def __init__(self, text: str, spans: dict[int, tuple[int, int]]) -> None:
        self._text = text
        self._spans = spans  # id(item) -> where its text starts and ends

    def of(self, item: Any) -> str | None:
        """The text `item` was parsed from (None: not an item of this page)."""
        span = self._spans.get(id(item))
        return None if span is None else self._text[span[0]:span[1]]


class RecordList(list[Any]):
    """A page's records, with the texts they came in when those were kept (`texts`)."""

    def __init__(self, records: list[Any], texts: ItemTexts | None = None) -> None:
        super().__init__(records)
        self.texts = texts


class _Unexpected(ValueError):
    """Left to `json.loads`."""


def load_listing(text: str, items_key: str) -> tuple[Any, ItemTexts | None]:
    """`lenient.load_json` for a listing page, with its records' texts (`parse_listing`)."""
    try:
        data, texts = parse_listing(text, items_key)
    except RecursionError:
        raise too_deep() from None
    return within_depth(data), texts


def parse_listing(text: str, items_key: str) -> tuple[Any, ItemTexts | None]:
    """`json.loads(text)`, and the texts of the items of its `items_key` list (None when
    the text is not an object holding one, or `json.loads` is to judge it)."""
    try:
        return _listing(text, items_key)
    except (ValueError, IndexError, StopIteration):
        return json.loads(text), None


def _skip(text: str, at: int) -> int:
    return _whitespace(text, at).end() if text[at] in _BLANKS else at


def _listing(text: str, items_key: str) -> tuple[dict[str, Any], ItemTexts | None]:
    at = _skip(text, 0)
    if text[at] != "{":
        raise _Unexpected
    data: dict[str, Any] = {}
    spans: dict[int, tuple[int, int]] | None = None
    at = _skip(text, at + 1)
    if text[at] == "}":
        at += 1
    else:
        while True:
            if text[at] != '"':
                raise _Unexpected
            key, at = scanstring(text, at + 1)
            at = _skip(text, at)
            if text[at] != ":":
                raise _Unexpected
            at = _skip(text, at + 1)
            if key == items_key and text[at] == "[":
                value, spans, at = _items(text, at)
            else:
                value, at = _scan(text, at)
                if key == items_key:
                    spans = None  # the last of a repeated key is the one kept
            data[key] = value
            at = _skip(text, at)
            if text[at] == "}":
                at += 1
                break
            if text[at] != ",":
                raise _Unexpected
            at = _skip(text, at + 1)
    if at != len(text) and _whitespace(text, at).end() != len(text):
        raise _Unexpected  # something after the object: json.loads says what
    return data, None if spans is None else ItemTexts(text, spans)


def _items(text: str, at: int) -> tuple[list[Any], dict[int, tuple[int, int]], int]:
    """The list starting at `at` ('['), the span of each object in it, and its end.
    (Every page of a listing passes here, item by item: the loop is kept lean.)"""
    items: list[Any] = []
    spans: dict[int, tuple[int, int]] = {}
    append, scan, blanks = items.append, _scan, _BLANKS
    at = _skip(text, at + 1)
    if text[at] == "]":
        return items, spans, at + 1
    while True:
        item, end = scan(text, at)
        append(item)
        if type(item) is dict:
            spans[id(item)] = (at, end)
        after = text[end]
        if after in blanks:
            end = _whitespace(text, end).end()
            after = text[end]
        if after == ",":
            at = end + 1
            if text[at] in blanks:
                at = _whitespace(text, at).end()
        elif after == "]":
            return items, spans, end + 1
        else:
            raise _Unexpected
