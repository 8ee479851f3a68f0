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
from vbstui.cloud.listing_text import parse_listing

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


# -- records written as the server sent them (cloud/listing_text.py) -------------------

sent_records = st.lists(st.dictionaries(
    st.sampled_from(["id", "name", "vbstui", "v\\u0062stui", "é", "x"]), values, max_size=4)
    | values, max_size=5)
layouts = st.sampled_from([{"separators": (",", ":")}, {}, {"indent": 2},
                           {"ensure_ascii": False}])


def _as_sent_and_encoded(page: list[Any], layout: dict[str, Any], *, lines: bool
                         ) -> tuple[str, str]:
    """The page written from its texts and written encoded, each with a `vbstui` key
    added to every object (as `records.add_volume_facts` does)."""
    text = json.dumps({"volumes": page}, **layout).replace('"v\\\\u0062stui"', '"v\\u0062stui"')
    outputs = []
    for with_texts in (True, False):
        data, texts = parse_listing(text, "volumes")
        for record in data["volumes"]:
            if isinstance(record, dict):
                record["vbstui"] = {"backupable": True, "policy": None}
        stream = io.StringIO()
        writer = ListingWriter("volumes", lines=lines, stream=stream, derived="vbstui")
        writer.write(data["volumes"], texts if with_texts else None)
        writer.finish()
        outputs.append(stream.getvalue())
    return outputs[0], outputs[1]


def _pairs_unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"a key twice: {keys}"
    return dict(pairs)


@given(sent_records, layouts)
def test_records_written_as_sent_mean_what_encoded_ones_mean(page: list[Any],
                                                             layout: dict[str, Any]) -> None:
    for lines in (False, True):
        as_sent, encoded = _as_sent_and_encoded(page, layout, lines=lines)
        assert as_sent.isascii()
        if lines:
            assert len(as_sent.splitlines()) == len(page)
            got = [json.loads(line, object_pairs_hook=_pairs_unique)
                   for line in as_sent.splitlines()]
            assert got == [json.loads(line) for line in encoded.splitlines()]
        else:
            assert (json.loads(as_sent, object_pairs_hook=_pairs_unique)
                    == json.loads(encoded))


def test_a_compact_ascii_record_is_written_byte_for_byte_as_sent() -> None:
    text = '{"volumes":[{"id":"a","size":1.50,"n":null},{}],"count":2}'
    data, texts = parse_listing(text, "volumes")
    for record in data["volumes"]:
        record["vbstui"] = {"backupable": False}
    stream = io.StringIO()
    writer = ListingWriter("volumes", lines=True, stream=stream, derived="vbstui")
    writer.write(data["volumes"], texts)
    assert stream.getvalue() == ('{"id":"a","size":1.50,"n":null,"vbstui":{"backupable":false}}\n'
                                 '{"vbstui":{"backupable":false}}\n')
