"""An independent oracle for the VBS create-backup field rules.

Written from the documented rules only (API reference + console guide, strictest
of both, as recorded in DESIGN.md section 1), deliberately *not* from
`vbstui.cloud.validation`: no shared constants, no regular expressions, every
character class spelled out as explicit code-point ranges.

Each `*_reasons` function returns the list of rule violations as small tuples
(kind, detail); an empty list means the value is valid.  The test module turns
those into expectations about the implementation's messages.

Rules:
- name: 1..64 code points (59 in bulk runs), only ASCII A-Z a-z 0-9 '_' '-',
  must not start with the (case-sensitive) prefix "auto";
- description: optional, 0..64 code points, no '<' (0x3C) or '>' (0x3E), and (vbstui's own,
  stricter rule: the text reaches terminals) no control character (0..31, 127..159), no
  format character (bidi overrides, zero-width marks: category Cf) and no line or
  paragraph separator (U+2028, U+2029);
  anything else, control characters included, is allowed by the documented rule;
- tags: at most 10; key 1..36, value 0..43 code points; neither may contain a
  code point 0..31 nor any of  = * < > \\ , | /  ; keys must be unique;
  DEL (127) is *not* in 0..31, so the documented rule allows it;
- snapshot id: optional; when given, a canonical 8-4-4-4-12 hex UUID (any case);
- volume id: required, canonical UUID.
"""

from __future__ import annotations

import unicodedata

Reason = tuple[object, ...]  # (kind, *details)

# ---------------------------------------------------------------- character classes


def is_name_char(ch: str) -> bool:
    code = ord(ch)
    return (
        48 <= code <= 57  # 0-9
        or 65 <= code <= 90  # A-Z
        or 97 <= code <= 122  # a-z
        or code in {95, 45}  # '_' and '-'
    )


def is_hex_char(ch: str) -> bool:
    code = ord(ch)
    return 48 <= code <= 57 or 65 <= code <= 70 or 97 <= code <= 102


def is_angle_bracket(ch: str) -> bool:
    return ord(ch) in (60, 62)


# = * < > \ , | /  as code points, so that nothing is copied from the implementation
TAG_SPECIAL_CODES = (61, 42, 60, 62, 92, 44, 124, 47)


def is_invisible(ch: str) -> bool:
    code = ord(ch)
    return (code <= 31 or 127 <= code <= 159 or code in (0x2028, 0x2029)
            or unicodedata.category(ch) == "Cf")


def is_tag_control(ch: str) -> bool:
    return 0 <= ord(ch) <= 31


def is_tag_special(ch: str) -> bool:
    return ord(ch) in TAG_SPECIAL_CODES


def distinct_in_order(chars: list[str]) -> list[str]:
    out: list[str] = []
    for ch in chars:
        if ch not in out:
            out.append(ch)
    return out


# ---------------------------------------------------------------- fields


def name_reasons(name: str | None, max_length: int = 64) -> list[Reason]:
    if name is None or len(name) == 0:
        return [("required",)]
    reasons: list[Reason] = []
    if len(name) > max_length:
        reasons.append(("too_long", max_length, len(name)))
    bad = [ch for ch in name if not is_name_char(ch)]
    if bad:
        reasons.append(("bad_chars", distinct_in_order(bad)))
    if len(name) >= 4 and name[0] == "a" and name[1] == "u" and name[2] == "t" and name[3] == "o":
        reasons.append(("auto",))
    return reasons


def description_reasons(description: str | None) -> list[Reason]:
    if description is None:
        return []
    reasons: list[Reason] = []
    if len(description) > 64:
        reasons.append(("too_long", 64, len(description)))
    bad = [ch for ch in description if is_angle_bracket(ch)]
    if bad:
        reasons.append(("angle", distinct_in_order(bad)))
    hidden = [ch for ch in description if is_invisible(ch)]
    if hidden:
        reasons.append(("invisible", distinct_in_order(hidden)))
    return reasons


def _tag_text_reasons(text: str, part: str, min_len: int, max_len: int) -> list[Reason]:
    reasons: list[Reason] = []
    if len(text) < min_len:
        reasons.append((f"{part}_required",))
        return reasons
    if len(text) > max_len:
        reasons.append((f"{part}_too_long", max_len, len(text)))
    controls = [ch for ch in text if is_tag_control(ch)]
    if controls:
        reasons.append((f"{part}_control", distinct_in_order(controls)))
    specials = [ch for ch in text if is_tag_special(ch)]
    if specials:
        reasons.append((f"{part}_special", distinct_in_order(specials)))
    return reasons


def tag_key_reasons(key: str | None) -> list[Reason]:
    return _tag_text_reasons(key or "", "key", 1, 36)


def tag_value_reasons(value: str | None) -> list[Reason]:
    return _tag_text_reasons(value or "", "value", 0, 43)


def tags_reasons(tags: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[Reason]:
    """Reasons for the whole list; per-tag reasons carry the 1-based index."""
    reasons: list[Reason] = []
    if len(tags) > 10:
        reasons.append(("too_many", len(tags)))
    earlier_keys: list[str] = []
    for position in range(len(tags)):
        key, value = tags[position]
        for reason in tag_key_reasons(key) + tag_value_reasons(value):
            reasons.append(("tag", position + 1, reason))
        if key and key in earlier_keys:  # an empty key is "required", not also a duplicate
            reasons.append(("tag", position + 1, ("duplicate", key)))
        earlier_keys.append(key)
    return reasons


def is_canonical_uuid(text: str) -> bool:
    if len(text) != 36:
        return False
    for position in range(36):
        ch = text[position]
        if position in (8, 13, 18, 23):
            if ch != "-":
                return False
        elif not is_hex_char(ch):
            return False
    return True


def snapshot_id_reasons(snapshot_id: str | None) -> list[Reason]:
    if snapshot_id is None or snapshot_id == "":
        return []
    return [] if is_canonical_uuid(snapshot_id) else [("not_uuid",)]


def volume_id_reasons(volume_id: str | None) -> list[Reason]:
    if volume_id is None or volume_id == "":
        return [("required",)]
    return [] if is_canonical_uuid(volume_id) else [("not_uuid",)]


# ---------------------------------------------------------------- verdicts


def name_ok(name: str | None, max_length: int = 64) -> bool:
    return not name_reasons(name, max_length)


def description_ok(description: str | None) -> bool:
    return not description_reasons(description)


def tag_key_ok(key: str | None) -> bool:
    return not tag_key_reasons(key)


def tag_value_ok(value: str | None) -> bool:
    return not tag_value_reasons(value)


def tags_ok(tags: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> bool:
    return not tags_reasons(tags)


def snapshot_id_ok(snapshot_id: str | None) -> bool:
    return not snapshot_id_reasons(snapshot_id)


def volume_id_ok(volume_id: str | None) -> bool:
    return not volume_id_reasons(volume_id)


def request_invalid_fields(
    *,
    volume_id: str,
    name: str,
    description: str,
    snapshot_id: str,
    tags: tuple[tuple[str, str], ...],
    name_max: int = 64,
) -> set[str]:
    """The names of the fields the oracle refuses."""
    verdicts = {
        "volume_id": volume_id_ok(volume_id),
        "name": name_ok(name, name_max),
        "description": description_ok(description),
        "snapshot_id": snapshot_id_ok(snapshot_id),
        "tags": tags_ok(tags),
    }
    return {fieldname for fieldname, ok in verdicts.items() if not ok}
