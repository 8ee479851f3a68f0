"""A listing written while it arrives: one JSON document, or one JSON object per line.

The JSON document is `{"KEY": [record, ...], "count": N}`.  Its closing part is written
only after the last page, so a listing that fails half-way leaves stdout without a
complete document: a parser fails rather than take a partial list for the whole
(`count` comes last for the same reason).  With `--jsonl` each record is one line; the
exit code then tells a complete listing from a partial one.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from vbstui.cli.output import for_people, json_safe
from vbstui.cloud.listing_text import ItemTexts

# Compact for programs: the C encoder, no spaces, and ASCII only (`\u` escapes), so no
# character a terminal might act on survives and nothing needs escaping afterwards.
# No cycle check: records come from a JSON parser (which makes none) plus fresh dicts,
# and the check's bookkeeping per container is ~7% of encoding a page.
# Indented output, for a terminal, keeps letters readable and goes through the slower
# pure-Python encoder and `json_safe`; a person does not read 50,000 disks.
_COMPACT = json.JSONEncoder(ensure_ascii=True, default=str, separators=(",", ":"),
                            check_circular=False)
_PRETTY = json.JSONEncoder(ensure_ascii=False, default=str, indent=2)


class ListingWriter:
    """Writes records to `stream` page by page; `finish()` completes the document."""

    def __init__(self, key: str, *, lines: bool, stream: TextIO | None = None,
                 derived: str | None = None) -> None:
        self.key = key
        self.lines = lines
        self.stream = stream or sys.stdout
        self.pretty = not lines and for_people(self.stream)
        self.derived = derived  # the one key vbstui adds to a record (`records.KEY`)
        self.count = 0

    def write(self, records: list[Any], texts: ItemTexts | None = None) -> None:
        """One page of records, written at once.  `texts`: the text each record came in
        (`cloud.listing_text`), written as it is, with the `derived` key added."""
        if not records:
            return
        if texts is not None and self.derived is not None and not self.pretty:
            as_sent, derived, shared = self._as_sent, self.derived, {}
            quoted = json.dumps(derived)  # as the key would be in a record's text
            encoded = [as_sent(r, texts, derived, quoted, shared) for r in records]
            text = ("\n".join(encoded) + "\n" if self.lines else
                    ("," if self.count else f"{{{json.dumps(self.key)}:[") + ",".join(encoded))
        elif self.lines:
            text = "\n".join(map(_COMPACT.encode, records)) + "\n"
        elif self.pretty:
            items = ",\n".join("    " + _PRETTY.encode(r).replace("\n", "\n    ")
                               for r in records)
            text = json_safe(("" if self.count else f"{{\n  {json.dumps(self.key)}: [\n")
                             + (",\n" if self.count else "") + items)
        else:
            items = _COMPACT.encode(records)[1:-1]  # one C call per page, brackets dropped
            text = ("," if self.count else f"{{{json.dumps(self.key)}:[") + items
        self.stream.write(text)
        self.count += len(records)

    @staticmethod
    def _as_sent(record: Any, texts: ItemTexts, derived: str, quoted: str,
                 shared: dict[int, str]) -> str:
        """The record's text as sent plus its `derived` key, when that text is as this
        writer's own would be in all that matters: ASCII, on one line, without a key
        that could be `derived` (plain or escaped).  Otherwise the record, encoded.
        `quoted`: `derived` as JSON text; `shared`: the derived values encoded so far,
        by identity (records share them)."""
        sent = texts.of(record) if type(record) is dict else None
        if (sent is None or derived not in record or not sent.isascii() or "\n" in sent
                or "\r" in sent or "\\" in sent or quoted in sent):
            return _COMPACT.encode(record)
        value = record[derived]
        text = shared.get(id(value))
        if text is None:
            text = shared[id(value)] = _COMPACT.encode(value)
        more = "," if len(record) > 1 else ""  # the server's record was not empty
        return f"{sent[:-1]}{more}{quoted}:{text}}}"

    def finish(self) -> None:
        """The end of a complete listing."""
        if not self.lines:
            key = json.dumps(self.key)
            if self.pretty:
                head = "\n  ]" if self.count else f"{{\n  {key}: []"
                self.stream.write(f'{head},\n  "count": {self.count}\n}}\n')
            else:
                head = "]" if self.count else f"{{{key}:[]"
                self.stream.write(f'{head},"count":{self.count}}}\n')
        self.stream.flush()
