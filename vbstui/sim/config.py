"""Settings of one simulated cloud: account, size of the world, timing and faults."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vbstui.sim.clock import ScaledClock
from vbstui.sim.faults import FaultSpec
from vbstui.sim.ids import derived_hex

SERVICES = ("both", "cbr", "vbs")


@dataclass
class SimConfig:
    """Everything a simulator instance needs; defaults give the demo account.

    `project_id` left empty is derived from `seed` (32 hex). Job failures are a fault
    (`FaultSpec.job_fail`), so they can be changed at run time with `set_faults`.
    `delete_seconds` is how long a deleted backup stays in `deleting` before it is gone.
    `services` is which backup services the project has: `both` (a project in the middle
    of the VBS to CBR migration), `cbr` (a project created after VBS closed) or `vbs`.
    """

    volumes: int = 120
    seed: int = 1
    job_seconds: float = 30.0
    token_lifetime: float = 86400.0
    user: str = "demo"
    password: str = "vbstui-demo"  # noqa: S105 - the published demo credential
    user_domain: str = "OTC-EU-DE-DEMO"
    project: str = "eu-de_demo"
    region: str = "eu-de"
    project_id: str = ""
    backup_quota: int = 2000
    capacity_quota_gb: int = -1
    delete_seconds: float = 3.0
    faults: FaultSpec = field(default_factory=FaultSpec)
    services: str = "both"
    clock: Callable[[], float] = time.time
    # Simulated seconds per real second; the clock above is scaled by it.
    clock_speed: float = 1.0
    # Policies a project may create besides the default one (API page: 10).
    vbs_policy_limit: int = 10
    # The second project of the same user, for sharing ("" = none), and its disks.
    peer_project: str = "eu-de_partner"
    peer_volumes: int = 6
    # Whether the generated world has the demo VBS policies and a shared backup.
    demo_policies: bool = True

    def __post_init__(self) -> None:
        if self.volumes < 0:
            raise ValueError("volumes must be >= 0")
        if self.job_seconds <= 0:
            raise ValueError("job_seconds must be > 0")
        if self.token_lifetime <= 0:
            raise ValueError("token_lifetime must be > 0")
        if self.delete_seconds < 0:
            raise ValueError("delete_seconds must be >= 0")
        if self.backup_quota < -1 or self.capacity_quota_gb < -1:
            raise ValueError("quotas must be -1 (unlimited) or >= 0")
        if self.services not in SERVICES:
            raise ValueError(f"services must be one of {', '.join(SERVICES)}")
        if not self.project_id:
            self.project_id = derived_hex("project", str(self.seed))
        if not self.clock_speed > 0:
            raise ValueError("clock_speed must be > 0")
        if self.vbs_policy_limit < 0 or self.peer_volumes < 0:
            raise ValueError("vbs_policy_limit and peer_volumes must be >= 0")
        # The wall clock is wrapped too, so a served simulator can be moved forward.
        wrap = self.clock_speed != 1.0 or self.clock is time.time
        if wrap and not isinstance(self.clock, ScaledClock):
            self.clock = ScaledClock(self.clock, self.clock_speed)
        if "/" in self.project_id:
            raise ValueError("project_id must not contain '/'")

    @property
    def has_vbs(self) -> bool:
        return self.services != "cbr"

    @property
    def has_cbr(self) -> bool:
        return self.services != "vbs"

    @property
    def domain_id(self) -> str:
        return derived_hex("domain", self.user_domain, str(self.seed))

    @property
    def peer_project_id(self) -> str:
        """Id of the second project ("" when there is none)."""
        if not self.peer_project:
            return ""
        return derived_hex("project", str(self.seed), "peer", self.peer_project)

    def peer_config(self) -> SimConfig:
        """The second project: same account and clock, a small VBS-only world."""
        return dataclasses.replace(
            self, volumes=self.peer_volumes, seed=self.seed + 7919, project=self.peer_project,
            project_id=self.peer_project_id, services="vbs", clock_speed=1.0,
            peer_project="", demo_policies=False)

    @property
    def user_id(self) -> str:
        return derived_hex("user", self.user, str(self.seed))
