"""Field rules that depend on where the backup goes: CBR takes no tags and no snapshot.

The rule is the operations layer's (`ops.plans.route_problems`), known once the
pre-flight has routed the disks; the form shows it as you type, the CLI exits 2."""

from __future__ import annotations

from vbstui.cloud.cbr_models import Vault
from vbstui.ops.plans import (
    CBR_NO_SNAPSHOT,
    CBR_NO_TAGS,
    BackupInput,
    plan_backups,
    plan_problems,
)
from vbstui.ops.preflight import Preflight
from vbstui.ops.quota import QuotaCheck
from vbstui.ops.routing import VBS, Route

CBR_DISK = "5f0c7a8e-0000-4000-8000-000000000001"
VBS_DISK = "5f0c7a8e-0000-4000-8000-000000000002"
SNAPSHOT = "5f0c7a8e-0000-4000-8000-0000000000ff"


def routed(**routes: Route) -> Preflight:
    return Preflight(ready=[], refusals=[], quota=QuotaCheck(None), routes={
        CBR_DISK if name == "cbr" else VBS_DISK: route for name, route in routes.items()})


VAULT = Vault.from_api({"id": "v1", "name": "default", "billing": {"object_type": "disk"}})
CHECKED = routed(cbr=Route("cbr", VAULT), vbs=VBS)


def test_tags_and_a_snapshot_are_refused_as_typed_for_a_disk_going_into_a_vault() -> None:
    wanted = BackupInput([CBR_DISK], name="nightly", tags=(("env", "prod"),),
                         snapshot_id=SNAPSHOT)
    assert plan_problems(wanted) == {}  # before the pre-flight: nothing known yet
    problems = plan_problems(wanted, CHECKED)
    assert problems == {"tags": [CBR_NO_TAGS], "snapshot_id": [CBR_NO_SNAPSHOT]}
    plan = plan_backups(BackupInput([CBR_DISK], name="nightly"), CHECKED)
    assert plan.route_problems(CHECKED) == {}


def test_the_same_fields_are_fine_for_vbs_and_a_mixed_run_takes_the_stricter_rule() -> None:
    tagged = BackupInput([VBS_DISK], name="nightly", tags=(("env", "prod"),))
    assert plan_problems(tagged, CHECKED) == {}
    mixed = BackupInput([VBS_DISK, CBR_DISK], name="nightly", tags=(("env", "prod"),))
    assert plan_problems(mixed, CHECKED) == {"tags": [CBR_NO_TAGS]}
    plan = plan_backups(mixed)  # planned before routing, checked after (as the CLI does)
    assert plan.route_problems(CHECKED) == {"tags": [CBR_NO_TAGS]}
