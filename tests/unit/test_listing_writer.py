"""The streamed listing (cli/stream.py): complete documents parse to exactly what was
written; a document cut before `finish()` never parses; JSON lines stay one per line."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cli.stream import ListingWriter

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
records = st.dictionaries(st.text(max_size=6), values, max_size=4)
pages = st.lists(st.lists(records, max_size=4), max_size=4)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream_type", [io.StringIO, Terminal])
@given(listing=pages)
def test_a_finished_document_is_every_record_and_the_count(stream_type: type[io.StringIO],
                                                           listing: list[list[Any]]) -> None:
    stream = stream_type()
    writer = ListingWriter("volumes", lines=False, stream=stream)
    for page in listing:
        writer.write(page)
    unfinished = stream.getvalue()
    writer.finish()
    everything = [r for page in listing for r in page]
    assert json.loads(stream.getvalue()) == {"volumes": everything, "count": len(everything)}
    with pytest.raises(ValueError):
        json.loads(unfinished)  # a listing that stops here is never taken for complete


@given(listing=pages)
def test_json_lines_are_one_record_per_line(listing: list[list[Any]]) -> None:
    stream = io.StringIO()
    writer = ListingWriter("volumes", lines=True, stream=stream)
    for page in listing:
        writer.write(page)
    writer.finish()
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [r for page in listing for r in page]


def test_compact_output_is_ascii_and_means_the_same() -> None:
    stream = io.StringIO()
    writer = ListingWriter("volumes", lines=False, stream=stream)
    record = {"name": "datenbank-prüfung-01\u2028\x9b31m", "tags": {"ö": "日本"}}
    writer.write([record])
    writer.finish()
    assert stream.getvalue().isascii()
    assert json.loads(stream.getvalue())["volumes"] == [record]


def test_what_a_terminal_could_act_on_is_escaped() -> None:
    stream = Terminal()
    writer = ListingWriter("volumes", lines=False, stream=stream)
    writer.write([{"name": "evil\u2028line\u202eflip\x9b31m"}])
    writer.finish()
    text = stream.getvalue()
    assert "\u2028" not in text and "\u202e" not in text and "\x9b" not in text
    assert json.loads(text)["volumes"][0]["name"] == "evil\u2028line\u202eflip\x9b31m"
    assert text.startswith('{\n  "volumes": [\n    {\n      "name"')  # indented for people
