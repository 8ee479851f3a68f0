"""A disk listing is written as JSON text, not encoded from dicts (a page of 1,000 disks
is 1.5 MB): whatever a disk's strings hold, the text is the JSON a client expects."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vbstui.sim import ManualClock, SimConfig, SimState
from vbstui.sim.models import Image, Server
from vbstui.sim.serialize import listing_body, volume_text

# Any text a server might hold, except lone surrogates (not encodable as UTF-8 at all).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
SIM = SimState(SimConfig(volumes=40, seed=3, clock=ManualClock()))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=60, deadline=None)
@given(name=TEXT, description=st.none() | TEXT, strings=st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
       attached=st.booleans())
def test_any_disk_text_is_compact_json_holding_its_values(
        name: str, description: str | None, strings: tuple[str, str, str, str, str],
        attached: bool) -> None:
    host, image, policy, cmk, base = strings
    volume = SIM.volumes[0]
    volume.name, volume.description, volume.vbs_policy, volume.cmk_id = (
        name, description, policy, cmk)
    volume.server = Server("srv-id", "srv", host) if attached else None
    volume.image = Image("img-id", image, "Linux 9")
    text = volume_text(volume, base, "pid", "uid")
    decoded = json.loads(text)
    assert _compact(decoded) == text  # no stray whitespace, escapes as json.dumps makes
    assert (decoded["name"], decoded["description"]) == (name, description)
    assert decoded["volume_image_metadata"]["image_name"] == image
    assert decoded["links"][0]["href"] == f"{base}/v2/pid/volumes/{volume.id}"
    assert decoded["metadata"].get("policy") == (policy or None)
    assert decoded["metadata"].get("__system__cmkid") == (cmk or None)
    assert [a["host_name"] for a in decoded["attachments"]] == ([host] if attached else [])


def test_every_generated_disk_reads_as_its_listing_dict() -> None:
    """The listing's text and the single-disk answer (a dict) agree, disk by disk."""
    sim = SimState(SimConfig(volumes=300, seed=11, clock=ManualClock()))
    texts = sim.volume_page("http://sim.test", name=None, status=None, marker=None,
                            offset=0, limit=1000, render=volume_text).items
    dicts = sim.volume_page("http://sim.test", name=None, status=None, marker=None,
                            offset=0, limit=1000).items
    assert [json.loads(t) for t in texts] == dicts
    assert {bool(d["attachments"]) for d in dicts} == {True, False}
    assert {bool(d["volume_image_metadata"]) for d in dicts} == {True, False}


@given(before=st.dictionaries(TEXT, st.integers() | TEXT, max_size=2),
       after=st.dictionaries(TEXT, st.lists(st.integers() | TEXT, max_size=2), max_size=2),
       items=st.lists(st.dictionaries(TEXT, TEXT, max_size=2), max_size=3))
def test_a_listing_body_is_the_whole_answer_encoded(before: dict[str, Any],
                                                     after: dict[str, Any],
                                                     items: list[dict[str, str]]) -> None:
    after = {k: v for k, v in after.items() if k not in before and k != "volumes"}
    before = {k: v for k, v in before.items() if k != "volumes"}
    body = listing_body(before, "volumes", [_compact(i) for i in items], after)
    assert body == _compact({**before, "volumes": items, **after}).encode()
