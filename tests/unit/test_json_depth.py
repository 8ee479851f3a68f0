"""How deep a server's JSON nests: the limit that keeps a hostile answer from crashing a
listing is checked on every page, so the fast check must agree with the plain rule."""

from __future__ import annotations

import gc
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.lenient import MAX_JSON_DEPTH, JsonTooDeep, deeper_than, load_json

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=4), max_leaves=40)


def depth(value: Any) -> int:
    """Containers deep, the plain way (fine for the small values generated here)."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


def nested(levels: int, innermost: Any) -> Any:
    value = innermost
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


@given(JSON, st.integers(min_value=0, max_value=8))
def test_deeper_than_agrees_with_the_plain_rule(value: Any, limit: int) -> None:
    parsed = json.loads(json.dumps(value))  # as a server's answer arrives
    assert deeper_than(parsed, limit) is (depth(parsed) > limit)


@given(st.integers(min_value=0, max_value=3),
       st.sampled_from([1, "x", [], {}, {"a": 1}, [{}], None]))
def test_the_limit_itself_is_allowed_and_one_more_is_refused(extra: int, innermost: Any
                                                              ) -> None:
    levels = MAX_JSON_DEPTH - 2 - depth(innermost)  # the page's object and list are 2
    at_limit = json.dumps({"volumes": [nested(levels, innermost)], "count": 1})
    assert load_json(at_limit)["count"] == 1
    too_deep = json.dumps({"volumes": [nested(levels + 1 + extra, innermost)], "count": 1})
    try:
        load_json(too_deep)
    except JsonTooDeep:
        return
    raise AssertionError("an answer nested past the limit was accepted")


def test_the_collector_tracks_every_container_that_holds_a_container() -> None:
    """What `deeper_than` leans on (CPython): a parsed list is always tracked, a dict as
    soon as it holds a container; only a dict of plain values may go untracked."""
    page = json.loads('{"volumes": [{"id": "a", "links": [{"rel": "self"}]}, {"x": {}}],'
                      ' "count": 2, "plain": {"k": 1}}')
    for holder in (page, page["volumes"], page["volumes"][0], page["volumes"][0]["links"],
                   page["volumes"][1]):
        assert gc.is_tracked(holder)
    assert deeper_than(page, 4) and not deeper_than(page, 5)  # page, list, disk, links, link
