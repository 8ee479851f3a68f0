"""`--volume` resolution (ops/resolve.py): an id as given, a name only one disk has, and a
refusal naming the candidates for an unknown or shared name."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.models import Volume
from vbstui.errors import ExitCode, UsageError, exit_code_for
from vbstui.ops.resolve import SHOWN_CANDIDATES, looks_like_id, resolve_volume, resolve_volumes

ID_A = "11111111-2222-4333-8444-555555555555"
ID_B = "66666666-7777-4888-9999-aaaaaaaaaaaa"


def disk(volume_id: str, name: str) -> Volume:
    return Volume.from_api({"id": volume_id, "name": name, "status": "available", "size": 10,
                            "availability_zone": "eu-de-01"})


class Disks:
    """Answers `list_volumes(name=...)` like a Cinder that also matches case-insensitively
    (as some real EVS filters do), so near matches reach the resolver."""

    def __init__(self, *volumes: Volume) -> None:
        self.volumes = list(volumes)
        self.calls: list[dict[str, Any]] = []

    async def list_volumes(self, **filters: Any) -> list[Volume]:
        self.calls.append(filters)
        wanted = (filters.get("name") or "").lower()
        return [v for v in self.volumes if v.name.lower() == wanted]


async def test_an_id_is_taken_as_given_without_a_call() -> None:
    service = Disks()
    choice = await resolve_volume(service, f"  {ID_A.upper()} ")  # type: ignore[arg-type]
    assert choice.id == ID_A and choice.volume is None
    assert service.calls == []


async def test_a_unique_name_gives_that_disk() -> None:
    service = Disks(disk(ID_A, "db-data"), disk(ID_B, "db-sys"))
    choice = await resolve_volume(service, "db-data")  # type: ignore[arg-type]
    assert choice.id == ID_A and choice.volume is not None and choice.volume.name == "db-data"
    assert service.calls == [{"name": "db-data"}]


async def test_a_shared_name_is_refused_with_every_candidate() -> None:
    service = Disks(disk(ID_A, "data"), disk(ID_B, "data"))
    with pytest.raises(UsageError) as caught:
        await resolve_volume(service, "data")  # type: ignore[arg-type]
    text = str(caught.value)
    assert "2 disks have this name" in text and ID_A in text and ID_B in text
    assert exit_code_for(caught.value) is ExitCode.USAGE


async def test_a_near_match_is_offered_not_taken() -> None:
    service = Disks(disk(ID_A, "Data"))
    with pytest.raises(UsageError) as caught:
        await resolve_volume(service, "data")  # type: ignore[arg-type]
    assert "no disk has this name" in str(caught.value) and ID_A in str(caught.value)


async def test_many_candidates_are_cut_with_a_count() -> None:
    ids = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(SHOWN_CANDIDATES + 5)]
    service = Disks(*(disk(i, "same") for i in ids))
    with pytest.raises(UsageError) as caught:
        await resolve_volume(service, "same")  # type: ignore[arg-type]
    assert "… and 5 more" in str(caught.value)
    assert ids[-1] not in str(caught.value)


async def test_every_problem_of_several_volumes_is_reported_at_once() -> None:
    service = Disks(disk(ID_A, "ok"))
    with pytest.raises(UsageError) as caught:
        await resolve_volumes(service, ["ok", "gone", "  "])  # type: ignore[arg-type]
    text = str(caught.value)
    assert "'gone': no disk has this name" in text and "give a disk id or name" in text


@given(st.uuids())
def test_every_uuid_looks_like_an_id(value: Any) -> None:
    assert looks_like_id(str(value)) and looks_like_id(str(value).upper())


@given(st.text(st.characters(codec="ascii"), max_size=40).filter(lambda t: len(t) != 36))
def test_no_text_of_another_length_looks_like_an_id(text: str) -> None:
    assert not looks_like_id(text)
