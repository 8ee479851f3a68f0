"""A listing page read with the text of each record kept: the same values `json.loads`
makes (or its error), and each record's text parses to that record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.listing_text import parse_listing

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12)
RECORDS = st.lists(st.dictionaries(st.sampled_from(["id", "name", "size", "x"]), JSON,
                                   max_size=4) | JSON, max_size=5)
PAGES = st.dictionaries(st.sampled_from(["volumes", "volumes_links", "count", "é"]),
                        RECORDS | JSON, max_size=4)
LAYOUTS = st.sampled_from([{}, {"separators": (",", ":")}, {"indent": 1},
                           {"indent": "\t", "ensure_ascii": False}])


def _texts_match(data: Any, texts: Any) -> None:
    items = data.get("volumes") if isinstance(data, dict) else None
    if texts is None:
        return
    assert isinstance(items, list)
    for item in items:
        sent = texts.of(item)
        if isinstance(item, dict):
            assert sent is not None and json.loads(sent) == item
        else:
            assert sent is None


@given(PAGES, LAYOUTS)
def test_a_page_reads_as_json_loads_reads_it_with_each_records_text(
        page: dict[str, Any], layout: dict[str, Any]) -> None:
    text = json.dumps(page, **layout)
    data, texts = parse_listing(text, "volumes")
    assert data == json.loads(text)
    assert list(data) == list(json.loads(text))  # the keys in the same order
    if isinstance(page.get("volumes"), list) and any(isinstance(i, dict)
                                                     for i in page["volumes"]):
        assert texts is not None
    _texts_match(data, texts)


@pytest.mark.parametrize("text", [
    '{"volumes": [{"id": "a"}], "volumes": [{"id": "b"}, {"id": "c"}]}',  # the last wins
    '{"volumes": [{"id": "a"}], "volumes": 5}',
    '  {"volumes" :[ {"id":"a"} , {} ] }  ',
    '{}', '[{"id": "a"}]', '"text"', '{"volumes": []}',
])
def test_odd_but_valid_pages_read_as_json_loads_reads_them(text: str) -> None:
    data, texts = parse_listing(text, "volumes")
    assert data == json.loads(text)
    _texts_match(data, texts)
    if text.startswith('{"volumes": [{"id": "a"}], "volumes": 5'):
        assert texts is None


@pytest.mark.parametrize("text", [
    "", "{", '{"volumes": [{"id": "a"}', '{"volumes": [1,]}', '{"a": 1} x', "{'a': 1}",
    '{"volumes": [{"id": "a\x01"}]}', '{"a" 1}', '[' * 100_000,
])
def test_broken_pages_raise_what_json_loads_raises(text: str) -> None:
    with pytest.raises((ValueError, RecursionError)) as expected:
        json.loads(text)
    with pytest.raises(type(expected.value)):
        parse_listing(text, "volumes")
