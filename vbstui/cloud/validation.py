"""Field rules for VBS backup requests.

The strictest combination of the API reference and the console guide.  Every
rule reports *why* a value is refused, in words an operator understands, so the
CLI can print it and the TUI can show it under the field while typing.  Names,
descriptions and tags are checked character by character against explicit ASCII
sets, not with regular expressions, on purpose: `$` matches before a trailing
newline and `\\w` / `str.isalnum()` accept Unicode letters and digits such as 'é'
or '²', all of which the service refuses.  Only the UUID shape is a regular
expression, matched with `fullmatch`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

NAME_MAX = 64
BULK_NAME_MAX = 59  # the console appends a per-disk suffix in bulk runs
DESCRIPTION_MAX = 64
TAGS_MAX = 10
TAG_KEY_MAX = 36
TAG_VALUE_MAX = 43

_ASCII_LETTERS_DIGITS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
NAME_CHARS = _ASCII_LETTERS_DIGITS | {"_", "-"}
TAG_FORBIDDEN = frozenset("=*<>\\,|/")
DESCRIPTION_FORBIDDEN = frozenset("<>")
# Controls, format characters (bidi overrides, zero-width), line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# A UUID in its canonical 8-4-4-4-12 hex form; `fullmatch` so no trailing newline slips in.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _show_char(char: str) -> str:
    """A character as a user can read it in a message, control characters included."""
    if char == " ":
        return "a space"
    if ord(char) < 32 or ord(char) == 127 or not char.isprintable():
        return f"U+{ord(char):04X}"
    return f"'{char}'"


def _chars_list(chars: Iterable[str]) -> str:
    seen: list[str] = []
    for char in chars:
        shown = _show_char(char)
        if shown not in seen:
            seen.append(shown)
    return ", ".join(seen[:5]) + (" …" if len(seen) > 5 else "")


def validate_name(name: str | None, *, max_length: int = NAME_MAX) -> list[str]:
    """Problems with a backup name; an empty list means the name is valid."""
    if name is None or name == "":
        return ["is required"]
    problems: list[str] = []
    if len(name) > max_length:
        problems.append(f"at most {max_length} characters (now {len(name)})")
    bad = [c for c in name if c not in NAME_CHARS]
    if bad:
        problems.append(
            f"may contain only letters A-Z/a-z, digits, '_' and '-' (found {_chars_list(bad)})"
        )
    if name.startswith("auto"):
        problems.append("must not start with 'auto' (reserved for automatic backups)")
    return problems


def validate_description(description: str | None) -> list[str]:
    """Problems with a backup description (optional, so empty is fine)."""
    if not description:
        return []
    problems: list[str] = []
    if len(description) > DESCRIPTION_MAX:
        problems.append(f"at most {DESCRIPTION_MAX} characters (now {len(description)})")
    bad = [c for c in description if c in DESCRIPTION_FORBIDDEN]
    if bad:
        problems.append(f"must not contain '<' or '>' (found {_chars_list(bad)})")
    # Stricter than the service: a description is shown in terminals, where ESC, C1
    # controls or bidi overrides would be obeyed or would disguise the text.
    hidden = [c for c in description if unicodedata.category(c) in INVISIBLE_CATEGORIES]
    if hidden:
        problems.append("must not contain control or invisible formatting characters "
                        f"(found {_chars_list(hidden)})")
    return problems


def _tag_text_problems(text: str, what: str) -> list[str]:
    problems: list[str] = []
    controls = [c for c in text if ord(c) < 32]
    if controls:
        problems.append(f"{what} contains a control character ({_chars_list(controls)})")
    forbidden = [c for c in text if c in TAG_FORBIDDEN]
    if forbidden:
        problems.append(f"{what} contains {_chars_list(forbidden)} (not allowed: = * < > \\ , | /)")
    return problems


def validate_tag_key(key: str | None) -> list[str]:
    if key is None or key == "":
        return ["tag key is required"]
    problems: list[str] = []
    if len(key) > TAG_KEY_MAX:
        problems.append(f"tag key: at most {TAG_KEY_MAX} characters (now {len(key)})")
    return problems + _tag_text_problems(key, "tag key")


def validate_tag_value(value: str | None) -> list[str]:
    if not value:
        return []
    problems: list[str] = []
    if len(value) > TAG_VALUE_MAX:
        problems.append(f"tag value: at most {TAG_VALUE_MAX} characters (now {len(value)})")
    return problems + _tag_text_problems(value, "tag value")


def validate_tags(tags: Sequence[tuple[str, str]]) -> list[str]:
    """Problems with the whole tag list: count, each key and value, duplicate keys."""
    problems: list[str] = []
    if len(tags) > TAGS_MAX:
        problems.append(f"at most {TAGS_MAX} tags (now {len(tags)})")
    seen: set[str] = set()
    for index, (key, value) in enumerate(tags, start=1):
        for problem in validate_tag_key(key) + validate_tag_value(value):
            problems.append(f"tag {index}: {problem}")
        if key and key in seen:  # an empty key is already "required": not a duplicate too
            shown = "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in key)
            problems.append(f"tag {index}: duplicate key '{shown}'")
        seen.add(key)
    return problems


def validate_snapshot_id(snapshot_id: str | None) -> list[str]:
    if not snapshot_id:
        return []
    if not _UUID.fullmatch(snapshot_id):
        return ["must be a snapshot ID like 1b2c3d4e-0000-4000-8000-123456789abc"]
    return []


def validate_volume_id(volume_id: str | None) -> list[str]:
    if not volume_id:
        return ["is required"]
    if not _UUID.fullmatch(volume_id):
        return ["must be a disk ID like 1b2c3d4e-0000-4000-8000-123456789abc"]
    return []


def parse_tag(text: str) -> tuple[str, str]:
    """`KEY=VALUE` from the command line; the value may be empty, the key may not contain '='."""
    key, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"tag {text!r} must look like KEY=VALUE")
    return key, value


@dataclass(frozen=True)
class BackupRequest:
    """A create-backup request that has passed (or will be checked against) the field rules."""

    volume_id: str
    name: str
    description: str = ""
    snapshot_id: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    full_backup: bool = False

    def problems(self, *, name_max: int = NAME_MAX) -> dict[str, list[str]]:
        """Every problem, keyed by the field it belongs to; empty when valid."""
        found = {
            "volume_id": validate_volume_id(self.volume_id),
            "name": validate_name(self.name, max_length=name_max),
            "description": validate_description(self.description),
            "snapshot_id": validate_snapshot_id(self.snapshot_id),
            "tags": validate_tags(self.tags),
        }
        return {fieldname: msgs for fieldname, msgs in found.items() if msgs}

    def to_body(self) -> dict[str, object]:
        """The JSON body of `POST /v2/{project_id}/cloudbackups`."""
        backup: dict[str, object] = {"volume_id": self.volume_id, "name": self.name}
        if self.description:
            backup["description"] = self.description
        if self.snapshot_id:
            backup["snapshot_id"] = self.snapshot_id
        if self.tags:
            backup["tags"] = [{"key": k, "value": v} for k, v in self.tags]
        # FullBackup is a string in the API, not a JSON boolean.
        backup["extend_param"] = {"FullBackup": "true" if self.full_backup else "false"}
        return {"backup": backup}


@dataclass
class ValidationFailed(Exception):
    """Raised where a request must not be sent; carries every problem found."""

    problems: Mapping[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {msg}" for name, msgs in self.problems.items() for msg in msgs)


def format_problems(problems: Mapping[str, list[str]]) -> list[str]:
    return [f"{name}: {msg}" for name, msgs in problems.items() for msg in msgs]


def _sanitize_name_part(text: str) -> str:
    cleaned = "".join(c if c in NAME_CHARS else "-" for c in text)
    while "--" in cleaned:
        cleaned = cleaned.replace("--", "-")
    return cleaned.strip("-_")


def suggest_name(volume_name: str, stamp: str, *, max_length: int = NAME_MAX) -> str:
    """A valid, unique-by-time backup name such as `db-prod-01-20261127-101500`.

    `stamp` is the UTC time as `YYYYmmdd-HHMMSS`; the disk part is trimmed so the
    stamp always survives, and a name that would start with 'auto' gets a prefix."""
    base = _sanitize_name_part(volume_name) or "disk"
    if base.startswith("auto"):
        base = f"bk-{base}"
    room = max_length - len(stamp) - 1
    base = base[:room].rstrip("-_") or "bk"
    return f"{base}-{stamp}"
