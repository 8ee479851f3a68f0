"""Vaults in the operations layer, against the in-process simulator: the listing, which
vault a reference means, adding and removing disks with CBR's refusals said first,
creating a vault, and where a disk's backup can go."""

from __future__ import annotations

import re

import pytest
from cbrsim import sim_project
from hypothesis import given
from hypothesis import strategies as st

from vbstui.cloud.cbr_models import Vault
from vbstui.cloud.cbr_requests import VaultRequest
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import UsageError
from vbstui.ops.routing import open_backup_service
from vbstui.ops.vault_changes import (
    apply_vault_change,
    plan_add_disks,
    plan_remove_disks,
    vbs_policy_of,
)
from vbstui.ops.vault_create import create_vault, plan_create_vault, vault_create_problems
from vbstui.ops.vaults import (
    backup_destinations,
    check_vault_choice,
    resolve_vault,
    vault_disks,
    vault_rows,
)
from vbstui.sim import FaultSpec


async def test_vault_rows_show_capacity_disks_and_the_policy_by_name() -> None:
    project = sim_project("both")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        rows = await vault_rows(service)
        vaults = {v.id: v for v in await session.cbr.list_vaults()}
        assert {r.id for r in rows} == set(vaults)
        for row in rows:
            vault = vaults[row.id]
            assert row.disk_count == len(vault.disk_ids)
            assert row.allocated_gb == vault.size_gb
            assert row.as_dict()["service"] == "cbr"
        scheduled = [r for r in rows if r.policy_id]
        assert scheduled and all(r.policy_name for r in scheduled)
        disks = await vault_disks(service, rows[0].vault)
        assert len(disks) == rows[0].disk_count and all(d.exists and d.name for d in disks)


async def test_a_vault_is_found_by_id_or_unique_name_and_others_are_refused_by_name() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vault = (await session.cbr.list_vaults())[0]
        assert (await resolve_vault(service, vault.id)).id == vault.id
        assert (await resolve_vault(service, vault.name)).id == vault.id
        with pytest.raises(UsageError, match="no disk vault has this id or name"):
            await resolve_vault(service, "no-such-vault")
        await session.cbr.create_vault(VaultRequest("twin", 10))
        await session.cbr.create_vault(VaultRequest("twin", 10))
        with pytest.raises(UsageError, match="2 vaults have this name") as err:
            await resolve_vault(service, "twin")
        assert str(err.value).count("twin") >= 3  # the two candidates are named


async def test_adding_disks_refuses_what_cbr_would_with_codes_and_applies_the_rest() -> None:
    project = sim_project("both")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vaults = await session.cbr.list_vaults()
        target, other = vaults[0], vaults[1]
        volumes = await session.evs.list_volumes()
        held = {d for v in vaults for d in v.disk_ids}
        bound = next(v for v in volumes if vbs_policy_of(v) and v.id not in held)
        free = next(v for v in volumes if v.id not in held and not vbs_policy_of(v))
        plan = await plan_add_disks(service, target, [
            free.id, other.disk_ids[0], target.disk_ids[0], bound.id,
            "00000000-0000-4000-8000-000000000000"])
        codes = {r.volume_id: r.code for r in plan.refused}
        assert codes == {other.disk_ids[0]: "BackupService.6103",
                         target.disk_ids[0]: "BackupService.7006",
                         bound.id: "BackupService.6108",
                         "00000000-0000-4000-8000-000000000000": "BackupService.7000"}
        in_other = plan.refused[0].text()
        assert other.name in in_other and "one vault only" in in_other
        assert "unlink it from the VBS policy" in plan.refused[2].text()
        assert [v.id for v in plan.disks] == [free.id]
        assert free.id in plan.confirmation() and target.name in plan.confirmation()
        result = await apply_vault_change(service, plan)
        assert result.ok and result.lines() == [
            f"disk '{free.name}': added to vault '{target.name}'"]
        assert (await session.cbr.get_vault(target.id)).holds(free.id)

        removal = await plan_remove_disks(service, target, [free.id, other.disk_ids[0]])
        assert [r.code for r in removal.refused] == ["BackupService.6135"]
        assert "backups of it stay" in removal.confirmation()  # one disk
        assert (await apply_vault_change(service, removal)).ok
        assert not (await session.cbr.get_vault(target.id)).holds(free.id)


async def test_a_vault_holding_256_disks_takes_no_more() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        crowded = Vault.from_api({
            "id": "11111111-1111-4111-8111-111111111111", "name": "crowded",
            "billing": {"status": "available", "object_type": "disk", "size": 9999},
            "resources": [{"id": f"00000000-0000-4000-8000-{i:012d}",
                           "type": "OS::Cinder::Volume"} for i in range(256)]})
        held = {d for v in await session.cbr.list_vaults() for d in v.disk_ids}
        free = next(v for v in await session.evs.list_volumes() if v.id not in held)
        plan = await plan_add_disks(service, crowded, [free.id])
        assert not plan.sendable
        assert [r.code for r in plan.refused] == ["BackupService.6100"]
        assert "256 of 256" in plan.refused[0].text()


async def test_creating_a_vault_says_it_costs_money_and_checks_its_disks() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vaults = await session.cbr.list_vaults()
        held = {d for v in vaults for d in v.disk_ids}
        free = next(v for v in await session.evs.list_volumes() if v.id not in held)
        with pytest.raises(ValidationFailed) as err:
            await plan_create_vault(service, "bad name!", 5)
        assert set(err.value.problems) == {"name", "size_gb"}
        plan = await plan_create_vault(service, "new-vault_1", 100,
                                       [free.id, vaults[0].disk_ids[0]])
        assert "costs money" in plan.confirmation() and free.id in plan.confirmation()
        assert [r.code for r in plan.refused] == ["BackupService.6103"]
        big = next(v for v in await session.evs.list_volumes()
                   if v.id not in held and (v.size_gb or 0) > 10)
        tiny = await plan_create_vault(service, "tiny", 10, [big.id])
        assert f"a full backup of this disk needs {big.size_gb} GB" in tiny.confirmation()
        assert "BackupService.6114" in tiny.confirmation()
        assert (await plan_create_vault(service, "roomy", 10_000, [big.id])).warnings == ()
        created = await create_vault(service, plan)
        assert created.name == "new-vault_1" and created.holds(free.id)
        assert not created.holds(vaults[0].disk_ids[0])
        twin = await plan_create_vault(service, "new-vault_1", 100)
        assert f"a vault named 'new-vault_1' exists already ({created.id})" in (
            twin.confirmation())


_VAULT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@given(st.text(max_size=70))
def test_a_vault_name_is_1_to_64_letters_digits_underscores_and_hyphens(name: str) -> None:
    problems = vault_create_problems(name, "10")
    assert ("name" not in problems) == bool(_VAULT_NAME.fullmatch(name))


@pytest.mark.parametrize(("size", "ok"), [("10", True), ("10485760", True), ("9", False),
                                          ("10485761", False), ("ten", False), ("1.5", False),
                                          (50, True)])
def test_a_vault_size_is_a_whole_number_of_gb_in_the_documented_range(
        size: int | str, ok: bool) -> None:
    assert ("size_gb" not in vault_create_problems("v", size)) is ok


async def test_destinations_of_a_disk_follow_its_vault_or_offer_the_vaults_with_room() -> None:
    for services in ("cbr", "both"):
        project = sim_project(services)
        async with project.session() as session:
            await session.authenticate()
            service = await open_backup_service(session)
            vaults = await session.cbr.list_vaults()
            held = {d for v in vaults for d in v.disk_ids}
            volumes = await session.evs.list_volumes()
            inside = next(v for v in volumes if v.id in vaults[0].disk_ids)
            outside = next(v for v in volumes if v.id not in held)
            here = await backup_destinations(service, inside)
            assert here.current is not None and here.current.vault.id == vaults[0].id
            away = await backup_destinations(service, outside)
            assert any(c.service == "cbr" for c in away.choices)
            if services == "cbr":
                assert away.current is None and "add it to one of the" in away.explanation
                assert "`vbstui" not in away.explanation  # the TUI says its own keys
                assert re.search(r"\(room for \d+ more disks?, ", away.choices[0].label)
            else:
                assert away.current is not None and away.current.service == "vbs"
                assert "made in VBS" in away.explanation
            assert (await check_vault_choice(service, [inside.id], vaults[0].name)).id == (
                vaults[0].id)
            with pytest.raises(UsageError, match="vbstui vault add"):
                await check_vault_choice(service, [outside.id], vaults[0].name)
            elsewhere = vaults[1].disk_ids[0]
            with pytest.raises(UsageError, match=f"is in vault '{vaults[1].name}'"):
                await check_vault_choice(service, [inside.id, elsewhere], vaults[0].id)


async def test_a_lost_answer_to_an_add_or_a_create_is_settled_by_reading_again() -> None:
    drops = FaultSpec(drop=1.0, methods=frozenset({"POST"}), paths=("addresources", "/vaults"))
    project = sim_project("cbr", faults=drops)
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vaults = await session.cbr.list_vaults()
        held = {d for v in vaults for d in v.disk_ids}
        free = [v for v in await session.evs.list_volumes() if v.id not in held][:2]
        plan = await plan_add_disks(service, vaults[0], [free[0].id])
        result = await apply_vault_change(service, plan)
        assert result.ok, result.lines()  # the vault, read again, holds it
        created = await create_vault(service, await plan_create_vault(
            service, "lost-answer", 20, [free[1].id]))
        assert created.name == "lost-answer" and created.holds(free[1].id)
        assert [v.name for v in await session.cbr.list_vaults()].count("lost-answer") == 1
        injected = project.app.state.sim.snapshot()["faults_injected"]  # type: ignore[attr-defined]
        assert sum(injected.values()) == 2  # each sent once


async def test_a_lost_answer_not_shown_in_the_vault_is_unknown_with_how_to_check() -> None:
    """A 500 may come after CBR acted: a disk the vault does not show changed is
    'outcome unknown' (exit 4), never 'not changed' (exit 1), and the line says how to look."""
    failing = FaultSpec(error_500=1.0, methods=frozenset({"POST"}), paths=("addresources",))
    project = sim_project("cbr", faults=failing)
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vaults = await session.cbr.list_vaults()
        held = {d for v in vaults for d in v.disk_ids}
        free = next(v for v in await session.evs.list_volumes() if v.id not in held)
        result = await apply_vault_change(service, await plan_add_disks(service, vaults[0],
                                                                        [free.id]))
        assert not result.ok and result.unknown
        [line] = result.lines()
        assert "OUTCOME UNKNOWN" in line and f"vbstui vault show {vaults[0].name}" in line
        assert result.as_dict()["outcomes"][0]["outcome"] == "unknown"


async def test_removing_a_disk_not_in_the_vault_says_so_and_not_how_to_back_it_up() -> None:
    project = sim_project("cbr")
    async with project.session() as session:
        await session.authenticate()
        service = await open_backup_service(session)
        vault, other = (await session.cbr.list_vaults())[:2]
        plan = await plan_remove_disks(service, vault, [other.disk_ids[0]])
        [refusal] = plan.refused
        assert refusal.code == "BackupService.6135"
        assert "backing it up" not in refusal.text() and "nothing to remove" in refusal.text()
        assert refusal.as_dict()["action"].startswith("nothing to remove")
