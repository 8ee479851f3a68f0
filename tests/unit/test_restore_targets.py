"""The restore picker's grouping comes from the restore rule itself (ops/restore.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.models import Backup, Volume
from vbstui.ops.restore import restore_problems, restore_targets

STATUSES = st.sampled_from(["available", "in-use", "error", "creating"])


def volume(index: int, status: str, size: int) -> Volume:
    return Volume.from_api({"id": f"{index:08d}-0000-4000-8000-000000000000",
                            "name": f"disk-{index:03d}", "status": status, "size": size})


def backup_of(volume_id: str, size: int) -> Backup:
    return Backup.from_api({"id": "b1", "name": "b", "status": "available", "size": size,
                            "volume_id": volume_id})


@given(st.lists(st.tuples(STATUSES, st.integers(1, 100)), min_size=1, max_size=40),
       st.integers(1, 100))
def test_usable_disks_are_exactly_those_the_rule_accepts(disks, size) -> None:  # type: ignore[no-untyped-def]
    volumes = [volume(i, status, gb) for i, (status, gb) in enumerate(disks)]
    backup = backup_of(volumes[0].id, size)
    targets = restore_targets(backup, volumes)
    assert {v.id for v in targets.usable} == {
        v.id for v in volumes if not restore_problems(backup, v)}
    grouped = [v for _, group in targets.refused for v in group]
    assert sorted(v.id for v in [*targets.usable, *grouped]) == sorted(v.id for v in volumes)
    reasons = [reason for reason, _ in targets.refused]
    assert len(reasons) == len(set(reasons))  # one explanation per group
    sizes = [len(group) for _, group in targets.refused]
    assert sizes == sorted(sizes, reverse=True)  # the largest group first


def test_every_in_use_disk_shares_one_explanation_and_the_source_disk_comes_first() -> None:
    volumes = [volume(i, "in-use", 50) for i in range(95)]
    volumes += [volume(100 + i, "available", 50) for i in range(3)]
    volumes.append(volume(200, "available", 5))  # too small
    backup = backup_of(volumes[-2].id, 20)
    targets = restore_targets(backup, volumes)
    assert targets.usable[0].id == backup.volume_id
    assert len(targets.usable) == 3
    (in_use_reason, in_use), (small_reason, small) = targets.refused
    assert len(in_use) == 95 and "detach" in in_use_reason
    assert [v.size_gb for v in small] == [5] and "smaller than the backup (20 GB)" in small_reason
